"""Reviewing a flight's proposal: its airings as rows, a station's week with the proposal placed among its
bookings, and one row's change turned into the whole adjusted proposal that ``adjust_proposal`` checks.

The week reuses :func:`schedule.week.week_airings` (the producers' week view of a station), so what the
proposal sits next to is exactly what the station's own week page shows, and lays both out on a time axis
(:func:`schedule.week_grid.week_grid`) over the hours that hold anything or one of the flight's windows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.errors import InvalidInput
from radio.models import User
from schedule.flight_models import Flight
from schedule.flights import windows_for
from schedule.models import Station
from schedule.recurrence import zone
from schedule.week import Airing, week_airings, week_days
from schedule.week_grid import WeekGrid, week_grid

ROW_ACTIONS = ("change", "remove", "add", "recheck")


@dataclass(frozen=True)
class ProposedRow:
    """One proposed airing as the review shows it: its place in the proposal, station, UTC times, creative."""

    index: int
    station: str
    timezone: str
    start: dt.datetime
    end: dt.datetime
    local: str  # the stored local wall time, ``YYYY-MM-DDTHH:MM:SS``
    episode_id: str


@dataclass(frozen=True)
class StationWeek:
    """One station's week: per local day, its bookings (the week view's ``Airing``) and the proposed rows, and
    the same on a time axis."""

    station: Station
    days: dict[dt.date, list[Airing | ProposedRow]]
    grid: WeekGrid[Airing | ProposedRow]


def proposal_rows(flight: Flight, stations: Mapping[str, Station]) -> list[ProposedRow]:
    """The proposed airings in stored order (``index`` is what a change names)."""
    return [ProposedRow(n, a["station"], stations[a["station"]].timezone if a["station"] in stations else "UTC",
                        dt.datetime.fromisoformat(a["start_utc"]), dt.datetime.fromisoformat(a["end_utc"]),
                        a["start"], a["episode_id"]) for n, a in enumerate(flight.proposed)]


def flight_stations(session: Session, flight: Flight) -> dict[str, Station]:
    """The flight's stations by slug, in the flight's order (a deleted one is left out)."""
    found = {s.slug: s for s in session.scalars(select(Station).where(Station.slug.in_(flight.stations)))}
    return {slug: found[slug] for slug in flight.stations if slug in found}


def _start_key(item: Airing | ProposedRow) -> dt.datetime:
    return item.start if isinstance(item, ProposedRow) else item.occurrence.start


def _wall(tz: ZoneInfo) -> Callable[[Airing | ProposedRow], tuple[dt.datetime, dt.datetime]]:
    def wall(item: Airing | ProposedRow) -> tuple[dt.datetime, dt.datetime]:
        if isinstance(item, ProposedRow):
            start = dt.datetime.fromisoformat(item.local)
            return start, start + (item.end - item.start)
        return item.occurrence.start.astimezone(tz), item.occurrence.end.astimezone(tz)
    return wall


def window_hours(slug: str, windows: Sequence[Mapping[str, Any]]) -> set[int]:
    """The local hours the flight's windows for station ``slug`` touch (shown on its week's axis)."""
    hours: set[int] = set()
    for window in windows_for(slug, windows):
        hours.update(range(window.start.hour, (window.end.hour * 60 + window.end.minute - 1) // 60 + 1))
    return hours


def filtered_stations(stations: Mapping[str, Station], wanted: str | None) -> dict[str, Station]:
    """The stations the week shows: all of them, or the one ``wanted`` names (400 naming ``station`` when it is
    not one of the flight's)."""
    if not wanted:
        return dict(stations)
    if wanted not in stations:
        raise _field("station is not one of this flight's stations", "station")
    return {wanted: stations[wanted]}


def proposal_week(session: Session, user: User, stations: Mapping[str, Station], rows: Sequence[ProposedRow],
                  monday: dt.date, windows: Sequence[Mapping[str, Any]] = ()) -> list[StationWeek]:
    """Each station's week of ``monday`` (station-local days): its bookings and the proposal, in start order and
    on a time axis that shows at least the hours of the flight's ``windows``."""
    weeks = []
    for slug, station in stations.items():
        days: dict[dt.date, list[Airing | ProposedRow]] = {
            day: list(airings) for day, airings in week_airings(session, user, station, monday).items()}
        for row in rows:
            if row.station == slug:
                day = dt.date.fromisoformat(row.local[:10])
                if day in days:
                    days[day].append(row)
        for items in days.values():
            items.sort(key=_start_key)
        weeks.append(StationWeek(station, days, week_grid(days, _wall(zone(station.timezone)),
                                                          window_hours(slug, windows))))
    return weeks


def _field(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_field", details={"field": field})


def edited_proposal(flight: Flight, action: str, index: int | None,
                    values: Mapping[str, str]) -> tuple[list[dict[str, Any]], int | None]:
    """The whole proposal after one row's change, and that row's index in it (None when it was removed).

    ``change`` moves row ``index`` to ``values["start"]`` and/or gives it ``values["episode_id"]``; ``remove``
    drops it; ``add`` appends ``station``, ``episode_id`` and ``start``; ``recheck`` keeps the proposal as it is
    (checking it again takes each station's schedule afresh, so it can be accepted after an unrelated change).
    """
    airings = [{k: a[k] for k in ("station", "episode_id", "start")} for a in flight.proposed]
    if action not in ROW_ACTIONS:
        raise _field("action must be one of " + ", ".join(ROW_ACTIONS), "action")
    if action == "add":
        airings.append({k: values.get(k, "") for k in ("station", "episode_id", "start")})
        return airings, len(airings) - 1
    if action == "recheck":
        return airings, None
    if index is None or not 0 <= index < len(airings):
        raise _field("index does not name an airing of the proposal", "index")
    if action == "remove":
        del airings[index]
        return airings, None
    airings[index] = {**airings[index], **{k: values[k] for k in ("start", "episode_id") if values.get(k)}}
    return airings, index


def monday_of_flight(flight: Flight) -> dt.date:
    """The Monday of the flight's first week (where its week view opens)."""
    return week_days(flight.date_from - dt.timedelta(days=flight.date_from.weekday()))[0]
