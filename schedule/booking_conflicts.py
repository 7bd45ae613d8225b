"""Booking conflicts: no two confirmed broadcasts on one station may overlap (series expanded to the horizon)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from radio.errors import Conflict
from schedule.models import Broadcast, BroadcastOverride, BroadcastStatus
from schedule.occurrences import series_of
from schedule.recurrence import Occurrence, expand, overlapping_ids


def check_booking_conflicts(session: Session, station_id: str, new: list[Occurrence], exclude_id: str | None) -> None:
    """409 ``conflict`` listing every confirmed broadcast on the station with an occurrence overlapping ``new``."""
    if not new:
        return
    lo, hi = new[0].start, max(o.end for o in new)
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
    existing = [(other.id, occ) for other in session.scalars(query) for occ in expand(series_of(other), lo, hi)]
    hits = overlapping_ids(new, existing)
    if hits:
        clashes = [{"broadcast_id": i, "start": o.start.isoformat(), "end": o.end.isoformat()}
                   for i, o in existing if i in hits][:20]
        raise Conflict(f"overlaps {len(hits)} other broadcast(s) on this station", code="conflict",
                       details={"conflicts": hits, "clashes": clashes})
