"""Flight planning (pure): N airings a week per station, spread over the week, in free time, rotating creatives.

For each station and each week of the flight (weeks counted from ``date_from``), the allowed days of that
week are chosen evenly spaced; on each chosen day the airing goes at the start of the first gap in the
station's allowed windows (local wall clock) that is long enough for the creative, against the station's
existing occurrences and the airings proposed so far. Creatives rotate per station: each airing takes the
creative valid on that day (not past its ``valid_until``) that has aired least often on the station so far
(counting the airings an extended flight already has).
An airing that finds no room is reported as unplaced rather than squeezed in.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = dt.UTC
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
STEP = dt.timedelta(minutes=1)  # airings start on a whole minute


@dataclass(frozen=True)
class Window:
    """Allowed airing times on some weekdays: ``days`` (0 = Monday), local ``start`` to ``end`` (same day)."""

    days: frozenset[int]
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class Creative:
    """An episode to rotate: its id, airing length and last valid day (None: no end)."""

    episode_id: str
    duration: dt.timedelta
    valid_until: dt.date | None = None


@dataclass
class StationPlan:
    """A station's side of a flight: its time zone, windows, busy intervals (UTC, any order) and how often each
    creative has already aired there in this flight (an extension rotates on from there)."""

    slug: str
    tz: ZoneInfo
    windows: list[Window]
    busy: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    aired: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ProposedAiring:
    """One proposed booking."""

    station: str
    episode_id: str
    wall: dt.datetime  # local, naive
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC


@dataclass
class FlightProposal:
    """What a flight proposes, and the airings it could not place (station, week start, reason)."""

    airings: list[ProposedAiring] = field(default_factory=list)
    unplaced: list[dict[str, str]] = field(default_factory=list)


class _Busy:
    """Sorted, non-merged busy intervals with insertion (bisect on starts)."""

    def __init__(self, intervals: Sequence[tuple[dt.datetime, dt.datetime]]) -> None:
        self.items = sorted(intervals)
        self.starts = [s for s, _ in self.items]
        self.max_len = max((e - s for s, e in self.items), default=dt.timedelta(0))

    def add(self, start: dt.datetime, end: dt.datetime) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.items.insert(i, (start, end))
        self.starts.insert(i, start)
        self.max_len = max(self.max_len, end - start)

    def first_clash_end(self, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
        """The latest end of the intervals overlapping ``[start, end)``, or None when it is free."""
        lo = bisect.bisect_left(self.starts, start - self.max_len)
        hi = bisect.bisect_left(self.starts, end)
        ends = [e for s, e in self.items[lo:hi] if e > start and s < end]
        return max(ends) if ends else None


def _local(day: dt.date, time: dt.time, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    wall = dt.datetime.combine(day, time)
    return wall, wall.replace(tzinfo=tz).astimezone(UTC)


def _ceil_minute(value: dt.datetime) -> dt.datetime:
    floor = value.replace(second=0, microsecond=0)
    return floor if floor == value else floor + STEP


def _place_on_day(station: StationPlan, busy: _Busy, day: dt.date,
                  duration: dt.timedelta) -> tuple[dt.datetime, dt.datetime, dt.datetime] | None:
    """(wall, start, end) of the first free start on ``day`` inside the station's windows, or None."""
    for window in sorted((w for w in station.windows if day.weekday() in w.days), key=lambda w: w.start):
        wall_lo, _ = _local(day, window.start, station.tz)
        wall_hi, _ = _local(day, window.end, station.tz)
        wall = wall_lo
        while wall + duration <= wall_hi:
            start = wall.replace(tzinfo=station.tz).astimezone(UTC)
            if start.astimezone(station.tz).replace(tzinfo=None) != wall:  # a wall time skipped by DST
                wall += STEP
                continue
            end = start + duration
            clash = busy.first_clash_end(start, end)
            if clash is None:
                return wall, start, end
            after = _ceil_minute(clash.astimezone(station.tz).replace(tzinfo=None))
            wall = after if after > wall else wall + STEP  # (a clock set back can map the end earlier)
    return None


def _spread(days: list[dt.date], count: int) -> list[dt.date]:
    """``count`` of ``days`` (in order) evenly spaced; days repeat when there are fewer days than airings."""
    if not days:
        return []
    return [days[(i * len(days)) // count if count <= len(days) else i % len(days)] for i in range(count)]


def _creative_for(creatives: Sequence[Creative], day: dt.date, counts: dict[str, int]) -> Creative | None:
    valid = [c for c in creatives if c.valid_until is None or c.valid_until >= day]
    if not valid:
        return None
    return min(valid, key=lambda c: (counts[c.episode_id], creatives.index(c)))


def propose_flight(stations: Sequence[StationPlan], creatives: Sequence[Creative], per_week: int,
                   date_from: dt.date, date_to: dt.date) -> FlightProposal:
    """The flight's proposed airings (see the module docstring); never overlapping anything in ``busy``."""
    proposal = FlightProposal()
    for station in stations:
        busy = _Busy(station.busy)
        counts = {c.episode_id: station.aired.get(c.episode_id, 0) for c in creatives}
        week_start = date_from
        while week_start <= date_to:
            week = [week_start + dt.timedelta(days=k) for k in range(7)
                    if week_start + dt.timedelta(days=k) <= date_to]
            allowed = [d for d in week if any(d.weekday() in w.days for w in station.windows)]
            placed = 0
            for target in _spread(allowed, per_week) if per_week else []:
                # The evenly spaced day first, then the other allowed days of the week, nearest first.
                order = sorted(allowed, key=lambda d: (abs((d - target).days), d))
                done = False
                for day in order:
                    creative = _creative_for(creatives, day, counts)
                    if creative is None:
                        continue
                    spot = _place_on_day(station, busy, day, creative.duration)
                    if spot is None:
                        continue
                    wall, start, end = spot
                    busy.add(start, end)
                    counts[creative.episode_id] += 1
                    proposal.airings.append(ProposedAiring(station.slug, creative.episode_id, wall, start, end))
                    placed += 1
                    done = True
                    break
                if not done:
                    break  # no room anywhere this week: the rest of the week's airings cannot go either
            for _ in range(per_week - placed):
                proposal.unplaced.append({"station": station.slug, "week_of": week_start.isoformat(),
                                          "reason": "no free time in the allowed windows (or no valid creative)"})
            week_start += dt.timedelta(days=7)
    proposal.airings.sort(key=lambda a: (a.start, a.station))
    return proposal
