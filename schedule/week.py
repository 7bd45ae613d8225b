"""A station's week as the schedule pages show it, and the episodes a producer may book."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from episodes.models import Episode, EpisodeStatus
from episodes.programmes import StaleRender
from radio import access
from radio.db import utcnow
from radio.models import User
from schedule.access import hidden_episodes
from schedule.bookings import list_broadcasts
from schedule.models import Broadcast, Station
from schedule.occurrences import series_of
from schedule.recurrence import Occurrence, expand, zone
from schedule.stale_airings import airing_is_stale, stale_episodes

BOOKABLE_LIMIT = 300  # a select box, not a library: the newest episodes, the rest are found by search


@dataclass(frozen=True)
class Airing:
    """One occurrence in the week view, with its booking and whether it has begun."""

    occurrence: Occurrence
    broadcast: Broadcast
    past: bool
    stale: StaleRender | None = None  # the stale programme this airing to come plays (schedule.stale_airings)


def week_days(monday: dt.date) -> list[dt.date]:
    """The seven days of the week starting ``monday``."""
    return [monday + dt.timedelta(days=i) for i in range(7)]


def week_airings(session: Session, user: User, station: Station, monday: dt.date,
                 now: dt.datetime | None = None) -> dict[dt.date, list[Airing]]:
    """The station's airings in the week of ``monday`` by station-local day, cancelled ones included.

    Every day of the week is a key (empty days too); each day's airings are in start order. Series are
    expanded (skipped dates left out, moved occurrences at their new time) and only what ``user`` may see
    is listed (a station never sees a restricted episode's broadcast).
    """
    tz = zone(station.timezone)
    lo = dt.datetime.combine(monday, dt.time(), tz).astimezone(dt.UTC)
    hi = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), tz).astimezone(dt.UTC)  # DST-proof
    now = now or utcnow()
    days: dict[dt.date, list[Airing]] = {day: [] for day in week_days(monday)}
    listed = list_broadcasts(session, user, station=station.slug, window=(lo, hi), include_cancelled=True)
    hidden = hidden_episodes(session, user, listed)
    stale = stale_episodes(session, listed)
    for broadcast in listed:
        gaps = {o.recurrence_key for o in broadcast.overrides if o.episode_id in hidden}  # the station rule
        swapped = {o.recurrence_key: o.episode_id for o in broadcast.overrides}
        for occurrence in expand(series_of(broadcast), lo, hi):
            if occurrence.key in gaps:
                continue
            day = occurrence.start.astimezone(tz).date()
            if day in days:
                days[day].append(Airing(occurrence, broadcast, occurrence.start <= now, airing_is_stale(
                    broadcast, swapped.get(occurrence.key), occurrence.start, now, stale)))
    for airings in days.values():
        airings.sort(key=lambda a: (a.occurrence.start, a.broadcast.id))
    return days


def bookable_episodes(session: Session, *, today: dt.date | None = None,
                      limit: int = BOOKABLE_LIMIT) -> list[Episode]:
    """Episodes that may be booked, newest first (at most ``limit``).

    Not restricted, with broadcast consent, analysis not failed, and not past their valid-until date — the
    same rules ``book_broadcast`` enforces, so the form never offers an episode it would refuse outright.
    """
    today = today or utcnow().date()
    query = (
        select(Episode)
        .where(access.station_visible(Episode, today), Episode.status != EpisodeStatus.FAILED)
        .order_by(Episode.created_at.desc(), Episode.id)
        .limit(limit)
    )
    return list(session.scalars(query))
