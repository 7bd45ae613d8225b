"""Booking conflicts: no two confirmed broadcasts on one station may overlap (series expanded to the horizon).

The rule is a check followed by a write, so it holds only if no other transaction books on the same station
between the two. Every path that changes a station's schedule (booking, re-timing, moving one occurrence,
recording feedback) first calls :func:`lock_station_schedule` inside the request's transaction:

- PostgreSQL: ``SELECT … FROM stations WHERE id = … FOR UPDATE`` takes the station row's lock until the
  transaction ends, so bookings of one station queue up one behind the other, and each one's conflict query
  (a new statement, READ COMMITTED) sees every booking committed before it got the lock. Other stations are
  not held up. A row lock rather than an exclusion constraint because a series is stored as an RRULE, not as
  ranges; rather than an advisory lock because the station-calendar trigger updates this same row anyway,
  and taking it first is what keeps two such writers from deadlocking.
- SQLite: every read-write transaction starts with ``BEGIN IMMEDIATE`` (radio/db.py), which already admits
  one writer at a time to the whole database; ``FOR UPDATE`` is not rendered there.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from radio.errors import Conflict
from schedule.models import Broadcast, BroadcastOverride, BroadcastStatus, Station
from schedule.occurrences import series_of
from schedule.recurrence import Occurrence, expand, overlapping_ids


def lock_station_schedule(session: Session, station_id: str) -> None:
    """Hold the station's schedule for this transaction: other writers of its bookings wait for our commit."""
    session.execute(select(Station.id).where(Station.id == station_id).with_for_update())


def confirmed_occurrences(session: Session, station_id: str, lo: dt.datetime, hi: dt.datetime,
                          exclude_id: str | None = None) -> list[tuple[str, Occurrence]]:
    """(broadcast id, occurrence) of every confirmed airing on the station that may overlap ``[lo, hi)``: the one
    query of existing bookings that booking checks and the flight planner both read (series expanded, skipped
    dates left out, moved occurrences at their new time, also when moved into the window from outside it)."""
    moved_here = select(BroadcastOverride.broadcast_id).where(
        BroadcastOverride.starts_at < hi, BroadcastOverride.starts_at > lo - dt.timedelta(days=1))
    query = (
        select(Broadcast).options(selectinload(Broadcast.overrides))
        .where(Broadcast.station_id == station_id, Broadcast.status == BroadcastStatus.CONFIRMED,
               or_(and_(Broadcast.starts_at < hi, or_(Broadcast.series_end.is_(None), Broadcast.series_end > lo)),
                   Broadcast.id.in_(moved_here)))
    )
    if exclude_id is not None:
        query = query.where(Broadcast.id != exclude_id)
    return [(other.id, occ) for other in session.scalars(query) for occ in expand(series_of(other), lo, hi)]


def check_booking_conflicts(session: Session, station_id: str, new: list[Occurrence], exclude_id: str | None, *,
                            lock: bool = True) -> None:
    """409 ``conflict`` listing every confirmed broadcast on the station with an occurrence overlapping ``new``.

    Takes the station's schedule lock first, so the answer stays true until the transaction commits. A mere
    proposal (``lock=False``, e.g. a make-good slot shown to a producer in a read-only request) takes no lock:
    booking it checks again under the lock.
    """
    if lock:
        lock_station_schedule(session, station_id)
    if not new:
        return
    existing = confirmed_occurrences(session, station_id, new[0].start, max(o.end for o in new), exclude_id)
    hits = overlapping_ids(new, existing)
    if hits:
        clashes = [{"broadcast_id": i, "start": o.start.isoformat(), "end": o.end.isoformat()}
                   for i, o in existing if i in hits][:20]
        raise Conflict(f"overlaps {len(hits)} other broadcast(s) on this station", code="conflict",
                       details={"conflicts": hits, "clashes": clashes})
