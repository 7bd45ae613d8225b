"""Make-goods: a missed airing offered again in the station's next free slot, booked with one action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio import audit
from radio.db import utcnow
from radio.errors import Conflict
from radio.models import User
from schedule.airings import airing_subject, current_report
from schedule.booking_conflicts import check_booking_conflicts
from schedule.bookings import book_broadcast
from schedule.models import Broadcast, BroadcastStatus
from schedule.occurrences import resolve_occurrence
from schedule.recurrence import Occurrence, format_local, parse_local, wall_to_utc, zone

SEARCH_DAYS = 14  # the same hour on each of the next two weeks
LEAD = dt.timedelta(minutes=30)  # time a station needs to get the audio ready


def make_good_marker(broadcast_id: str, occurrence_key: str) -> str:
    """The note a make-good booking carries, naming the airing it replaces."""
    return f"make-good: {broadcast_id} {occurrence_key}"


def propose_make_good(session: Session, broadcast: Broadcast, occurrence: Any,
                      now: dt.datetime | None = None, *, lock: bool = False) -> dt.datetime | None:
    """The first conflict-free start at the missed airing's local hour on one of the next 14 days, or None."""
    now = now or utcnow()
    occ = resolve_occurrence(broadcast, occurrence)
    tz = zone(broadcast.tzid)
    wall = parse_local(occ.wall)
    length = occ.end - occ.start
    for days in range(1, SEARCH_DAYS + 1):
        candidate_wall = wall + dt.timedelta(days=days)
        start = wall_to_utc(candidate_wall, tz)
        if start < now + LEAD:
            continue
        slot = Occurrence(format_local(candidate_wall), start, start + length, format_local(candidate_wall))
        try:
            check_booking_conflicts(session, broadcast.station_id, [slot], None, lock=lock)
        except Conflict:
            continue
        return start
    return None


def existing_make_good(session: Session, broadcast_id: str, occurrence_key: str) -> Broadcast | None:
    """The confirmed make-good booked for this airing already, if any."""
    return session.scalar(select(Broadcast).where(
        Broadcast.notes.startswith(make_good_marker(broadcast_id, occurrence_key), autoescape=True),
        Broadcast.status == BroadcastStatus.CONFIRMED).limit(1))


def book_make_good(session: Session, broadcast: Broadcast, occurrence: Any, user: User | None,
                   now: dt.datetime | None = None) -> Broadcast:
    """Book the missed (or partly aired) occurrence again in the proposed slot; 409 when not missed or no slot."""
    now = now or utcnow()
    occ = resolve_occurrence(broadcast, occurrence)
    report = current_report(session, broadcast.id, occ.key)
    if report is None or report.status not in ("missed", "partial"):
        raise Conflict("only a missed or partly aired airing gets a make-good", code="not_missed")
    if existing_make_good(session, broadcast.id, occ.key) is not None:
        raise Conflict("a make-good is booked for this airing already", code="make_good_exists")
    start = propose_make_good(session, broadcast, occ.key, now, lock=True)  # booking it: under the station lock
    if start is None:
        raise Conflict(f"no free slot at this hour in the next {SEARCH_DAYS} days", code="no_free_slot")
    override = next((o for o in broadcast.overrides if o.recurrence_key == occ.key), None)
    episode_id = override.episode_id if override is not None and override.episode_id else broadcast.episode_id
    booked = book_broadcast(session, {"station": broadcast.station.slug, "episode_id": episode_id,
                                      "start": start.isoformat(), "notes": make_good_marker(broadcast.id, occ.key)},
                            user, now)
    audit.record(session, user, "airing.make_good_booked", "airing", airing_subject(broadcast.id, occ.key),
                 {"make_good": booked.id, "start": booked.starts_at.isoformat(), "episode_id": episode_id,
                  "status": report.status})
    return booked
