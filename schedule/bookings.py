"""Bookings: one-off and recurring broadcasts, per-occurrence changes, cancellation and overlap checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from episodes.models import Episode
from radio import access
from radio.db import utcnow
from radio.errors import Conflict, InvalidInput, NotFound
from radio.limits import CONTROL_CHARACTERS
from radio.models import User
from radio.versions import claim_for_edit
from schedule.access import station_sees, today
from schedule.booking_conflicts import check_booking_conflicts, lock_station_schedule
from schedule.eligibility import check_bookable, episode_duration, episode_to_book
from schedule.models import Broadcast, BroadcastOverride, BroadcastStatus, FeedbackReport
from schedule.occurrences import resolve_occurrence, series_of
from schedule.recurrence import (
    HORIZON,
    Occurrence,
    Rule,
    check_booking_ahead,
    check_wall_time,
    expand,
    first_self_overlap,
    format_local,
    overlapping_ids,
    parse_local,
    parse_rrule,
    parse_start,
    plan_series,
    rule_ending,
    split_rule,
    wall_to_utc,
    zone,
)
from schedule.stations import can_see_station, get_station, station_id_of

_MAX_NOTES = 2000


def _notes(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > _MAX_NOTES or CONTROL_CHARACTERS.search(value):
        raise InvalidInput(f"'notes' must be text of at most {_MAX_NOTES} characters without control characters",
                           code="invalid_field", details={"field": "notes"})
    return value.strip()


def touch(broadcast: Broadcast) -> None:
    """Record a change: SEQUENCE grows and LAST-MODIFIED moves (calendar clients then take the new version).

    The increment is done by the database (``sequence = sequence + 1``), so two writers that read the same
    SEQUENCE still add one each: a calendar client never misses a change because two were counted as one.
    """
    broadcast.sequence = Broadcast.sequence + 1  # type: ignore[assignment]
    broadcast.updated_at = utcnow()


def _set_timing(session: Session, broadcast: Broadcast, episode: Episode, start: dt.datetime, wall: dt.datetime,
                rrule: Any, now: dt.datetime) -> None:
    """Validate and store start, RRULE and duration; prune skips/overrides that no longer match; check overlaps."""
    tz = zone(broadcast.tzid)
    duration = episode_duration(episode)
    check_booking_ahead(start, now)
    horizon_end = max(now, start) + HORIZON
    last_wall: dt.datetime | None = wall
    if rrule:
        check_wall_time(wall, tz)  # a series lives on the wall clock: its first start must be unambiguous
        rule = parse_rrule(rrule, wall, tz)
        plan = plan_series(rule, horizon_end)
        last_wall = plan.last_wall
        broadcast.rrule = rule.text
        broadcast.series_end = None if last_wall is None else wall_to_utc(last_wall, tz) + duration
        dates = rule.dateutil()
        broadcast.exdates = sorted(k for k in broadcast.exdates if parse_local(k).replace(tzinfo=tz) in dates)
        for override in list(broadcast.overrides):
            if parse_local(override.recurrence_key).replace(tzinfo=tz) not in dates:
                broadcast.overrides.remove(override)
    else:
        broadcast.rrule, broadcast.series_end, broadcast.exdates = None, start + duration, []
        broadcast.overrides.clear()
    broadcast.local_start, broadcast.starts_at = format_local(wall), start
    broadcast.duration_s = duration.total_seconds()
    check_bookable(episode, last_wall)
    occurrences = expand(series_of(broadcast), start, horizon_end)
    clash = first_self_overlap(occurrences)
    if clash is not None:
        raise InvalidInput(f"the series overlaps itself at {clash.wall}: the episode is longer than the gap "
                           "between occurrences", code="series_overlaps_itself")
    check_booking_conflicts(session, broadcast.station_id, occurrences, broadcast.id)


def book_broadcast(session: Session, data: Mapping[str, Any], user: User | None = None,
                   now: dt.datetime | None = None) -> Broadcast:
    """Book an episode on a station: ``station`` (slug), ``episode_id``, ``start`` (local unless offset), ``rrule``."""
    now = now or utcnow()
    if not isinstance(data.get("station"), str):
        raise InvalidInput("'station' (the station's slug) is required", code="missing_field")
    station = get_station(session, data["station"])
    episode = episode_to_book(session, data.get("episode_id"))
    start, wall = parse_start(data.get("start"), zone(station.timezone))
    broadcast = Broadcast(station_id=station.id, station=station, episode_id=episode.id, episode=episode,
                          tzid=station.timezone, notes=_notes(data.get("notes")),
                          exdates=[], overrides=[], sequence=0, status=BroadcastStatus.CONFIRMED,
                          created_by=user.id if user else None)
    with session.no_autoflush:
        _set_timing(session, broadcast, episode, start, wall, data.get("rrule"), now)
    session.add(broadcast)
    session.flush()
    return broadcast


def update_broadcast(session: Session, broadcast: Broadcast, data: Mapping[str, Any],
                     now: dt.datetime | None = None) -> Broadcast:
    """Change a booking's ``start``, ``rrule`` (null: one-off), ``episode_id`` or ``notes``; re-checks everything."""
    now = now or utcnow()
    unknown = set(data) - {"start", "rrule", "episode_id", "notes"}
    if unknown:
        raise InvalidInput(f"cannot change: {', '.join(sorted(unknown))}", code="invalid_field")
    _require_confirmed(broadcast)
    if "notes" in data:
        broadcast.notes = _notes(data["notes"])
    if {"start", "rrule", "episode_id"} & set(data):
        episode = episode_to_book(session, data["episode_id"]) if "episode_id" in data else broadcast.episode
        tz = zone(broadcast.tzid)
        if "start" in data:
            start, wall = parse_start(data["start"], tz)
        else:
            start, wall = broadcast.starts_at, parse_local(broadcast.local_start)
        with session.no_autoflush:
            broadcast.episode_id, broadcast.episode = episode.id, episode
            _set_timing(session, broadcast, episode, start, wall, data.get("rrule", broadcast.rrule), now)
    touch(broadcast)
    session.flush()
    return broadcast


def change_occurrence(session: Session, broadcast: Broadcast, occurrence: Any, data: Mapping[str, Any],
                      now: dt.datetime | None = None) -> Broadcast:
    """Move or change one occurrence of a series (RECURRENCE-ID override), or skip it with ``skip`` (EXDATE)."""
    now = now or utcnow()
    _require_confirmed(broadcast)
    if broadcast.rrule is None:
        raise InvalidInput("only a recurring broadcast has occurrences to change; PATCH the broadcast itself",
                           code="not_recurring")
    occ = resolve_occurrence(broadcast, occurrence)
    existing = next((o for o in broadcast.overrides if o.recurrence_key == occ.key), None)
    if data.get("skip"):
        if existing is not None:
            broadcast.overrides.remove(existing)
        broadcast.exdates = sorted({*broadcast.exdates, occ.key})
    else:
        tz = zone(broadcast.tzid)
        start, wall = parse_start(data["start"], tz) if "start" in data else (occ.start, parse_local(occ.wall))
        episode_id = data.get("episode_id", existing.episode_id if existing else None)
        episode = episode_to_book(session, episode_id) if episode_id else broadcast.episode
        duration = episode_duration(episode)
        check_bookable(episode, wall)
        check_booking_ahead(start, now)
        moved = Occurrence(occ.key, start, start + duration, format_local(wall), overridden=True)
        siblings = [(broadcast.id, o) for o in expand(series_of(broadcast), moved.start, moved.end) if o.key != occ.key]
        if overlapping_ids([moved], siblings):
            raise InvalidInput("the moved occurrence overlaps another occurrence of the same series",
                               code="series_overlaps_itself")
        check_booking_conflicts(session, broadcast.station_id, [moved], broadcast.id)
        if existing is None:
            existing = BroadcastOverride(recurrence_key=occ.key, notes="", station_id=broadcast.station_id)
            broadcast.overrides.append(existing)
        existing.local_start, existing.starts_at = moved.wall, start
        existing.duration_s = duration.total_seconds()
        existing.episode_id = episode_id if episode_id and episode_id != broadcast.episode_id else None
        if "notes" in data:
            existing.notes = _notes(data["notes"])
    touch(broadcast)
    session.flush()
    return broadcast


def cancel_broadcast(session: Session, broadcast: Broadcast, now: dt.datetime | None = None) -> Broadcast:
    """Cancel a booking: it stays in feeds as STATUS:CANCELLED with a higher SEQUENCE for a while."""
    if broadcast.status != BroadcastStatus.CANCELLED:
        broadcast.status = BroadcastStatus.CANCELLED
        broadcast.cancelled_at = now or utcnow()
        touch(broadcast)
        session.flush()
    return broadcast


def cancel_future_airings(session: Session, episode_id: str, now: dt.datetime | None = None) -> None:
    """An episode was newly restricted or lost broadcast consent: cancel what is still to come of it.

    A booking that has not begun is cancelled whole (STATUS:CANCELLED in the feeds, which name no episode
    for it); a one-off that has begun stays as history; a series already running is split at ``now``
    (:func:`split_series`); an occurrence of another series switched to it is skipped when still to come.
    """
    now = now or utcnow()
    for broadcast in list(session.scalars(select(Broadcast).where(Broadcast.episode_id == episode_id,
                                                                  Broadcast.status == BroadcastStatus.CONFIRMED))):
        if broadcast.starts_at > now:
            cancel_broadcast(session, broadcast, now)
        elif broadcast.rrule is not None:
            split_series(session, broadcast, now)
    overrides = session.scalars(select(BroadcastOverride).where(BroadcastOverride.episode_id == episode_id,
                                                                BroadcastOverride.starts_at > now))
    for override in list(overrides):
        broadcast = override.broadcast
        if broadcast.status == BroadcastStatus.CONFIRMED:
            change_occurrence(session, broadcast, override.recurrence_key, {"skip": True}, now)


def split_series(session: Session, broadcast: Broadcast, now: dt.datetime) -> Broadcast | None:
    """End a running series with its last occurrence begun by ``now`` and book what was still to come as a
    cancelled series of its own (returned; None when nothing is to come).

    The begun part keeps its id, UID, confirmations, feedback and overrides: aired occurrences stay history
    (reports, confirmations) and calendars drop the rest (UNTIL, a higher SEQUENCE; the rest is a
    STATUS:CANCELLED series). An occurrence of the begun part moved past ``now`` is skipped.
    """
    tz = zone(broadcast.tzid)
    split = split_rule(Rule(broadcast.rrule or "", parse_local(broadcast.local_start), tz, bounded=True), now)
    if split is None:
        if broadcast.series_end is None or broadcast.series_end > now:
            cancel_broadcast(session, broadcast, now)  # no occurrence began: nothing is history yet
        return None
    begun, to_come, rest_rule = split
    rest_key = format_local(to_come.replace(tzinfo=None))
    duration = dt.timedelta(seconds=broadcast.duration_s)
    rest = Broadcast(station_id=broadcast.station_id, episode_id=broadcast.episode_id, tzid=broadcast.tzid,
                     local_start=rest_key, starts_at=to_come.astimezone(dt.UTC), duration_s=broadcast.duration_s,
                     rrule=rest_rule, exdates=[k for k in broadcast.exdates if k >= rest_key],
                     series_end=broadcast.series_end, status=BroadcastStatus.CANCELLED, cancelled_at=now,
                     sequence=broadcast.sequence + 1, notes=broadcast.notes, created_by=broadcast.created_by)
    session.add(rest)
    broadcast.rrule = rule_ending(broadcast.rrule or "", begun)
    broadcast.exdates = [k for k in broadcast.exdates if k < rest_key]
    broadcast.series_end = begun.astimezone(dt.UTC) + duration
    for override in list(broadcast.overrides):
        if override.recurrence_key >= rest_key:
            broadcast.overrides.remove(override)  # its occurrence belongs to the cancelled rest
        elif override.starts_at > now and override.episode_id in (None, broadcast.episode_id):
            broadcast.overrides.remove(override)
            broadcast.exdates = sorted({*broadcast.exdates, override.recurrence_key})
        else:
            broadcast.series_end = max(broadcast.series_end, override.starts_at + dt.timedelta(
                seconds=override.duration_s))
    touch(broadcast)
    session.flush()
    return rest


def _require_confirmed(broadcast: Broadcast) -> None:
    if broadcast.status == BroadcastStatus.CANCELLED:
        raise Conflict("this broadcast is cancelled", code="broadcast_cancelled")


def broadcast_for_edit(session: Session, broadcast_id: str, user: User | None = None,
                       expected: Collection[str] | None = None) -> Broadcast:
    """A broadcast about to be changed or cancelled: read again under its station's schedule lock, and 412
    ``precondition_failed`` when ``expected`` (the client's If-Match) is not its current version."""
    broadcast = get_broadcast(session, broadcast_id, user)
    claim_for_edit(session, broadcast, expected, what="the broadcast",
                   lock=lambda: lock_station_schedule(session, broadcast.station_id))
    return broadcast


def get_broadcast(session: Session, broadcast_id: str, user: User | None = None) -> Broadcast:
    """A broadcast the user may see (station users: their own station's, never a restricted episode's)."""
    broadcast = session.get(Broadcast, broadcast_id) if isinstance(broadcast_id, str) else None
    if broadcast is None or (user is not None and not _visible(user, broadcast)):
        raise NotFound("no such broadcast", code="broadcast_not_found")
    return broadcast


def _visible(user: User, broadcast: Broadcast) -> bool:
    if not access.hides_restricted(user):
        return True
    return can_see_station(user, broadcast.station_id) and station_sees(broadcast.episode)


def list_broadcasts(session: Session, user: User, *, station: str | None = None, episode_id: str | None = None,
                    window: tuple[dt.datetime, dt.datetime] | None = None,
                    include_cancelled: bool = False) -> list[Broadcast]:
    """Broadcasts the user may see, optionally of one station or episode and touching a time window."""
    query = select(Broadcast).options(selectinload(Broadcast.overrides)).order_by(Broadcast.starts_at)
    if station:
        query = query.where(Broadcast.station_id == get_station(session, station, user).id)
    if access.hides_restricted(user):  # the station rule: its own bookings of episodes it may see
        query = query.where(Broadcast.station_id == station_id_of(user),
                            Broadcast.episode.has(access.station_visible(Episode, today())))
    if episode_id:
        query = query.where(Broadcast.episode_id == episode_id)
    if not include_cancelled:
        query = query.where(Broadcast.status == BroadcastStatus.CONFIRMED)
    if window is not None:
        lo, hi = window
        query = query.where(Broadcast.starts_at < hi, or_(Broadcast.series_end.is_(None), Broadcast.series_end > lo))
    return list(session.scalars(query).unique())


def episode_bookings(session: Session, episode_id: str) -> list[str]:
    """Ids of broadcasts (or overrides) that air or aired ``episode_id``: such an episode cannot be deleted."""
    direct = session.scalars(select(Broadcast.id).where(Broadcast.episode_id == episode_id))
    moved = session.scalars(select(BroadcastOverride.broadcast_id).where(BroadcastOverride.episode_id == episode_id))
    return sorted({*direct, *moved})


def why_episode_is_in_use(session: Session, episode_id: str) -> str | None:
    """Why ``episode_id`` cannot be deleted (booked, or feedback logged for it), or None."""
    booked = episode_bookings(session, episode_id)
    if booked:
        return (f"it is in {len(booked)} broadcast plan(s), cancelled ones included (kept for the station "
                f"calendars): {', '.join(booked[:5])}")
    if session.scalar(select(FeedbackReport.id).where(FeedbackReport.episode_id == episode_id).limit(1)):
        return "listener feedback is logged for it"
    return None
