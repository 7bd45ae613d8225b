"""A week laid out on a time axis: slots of the day down the side, days across, each item in the slot it starts
in and as many slots tall as it lasts — the rows of an HTML table (``rowspan``), so the layout needs no
positioning and a screen reader reads it as a table.

Items that overlap in a day go side by side in lanes (the day's column is that many cells wide), so a proposal
over a booking shows as two cells next to each other rather than one hiding the other. An item is cut at the
end of its day (its text still says when it ends). Pure: items come with their local wall start and end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

SLOT_MINUTES = 15
SLOTS_PER_HOUR = 60 // SLOT_MINUTES
SLOTS_PER_DAY = 24 * SLOTS_PER_HOUR


@dataclass(frozen=True)
class GridItem(Generic[T]):
    """One item in its start slot: its lane in the day and the slots it covers (at least one)."""

    item: T
    lane: int
    rows: int


@dataclass(frozen=True)
class GridCell(Generic[T]):
    """A cell a row draws: an item starting there, or ``rows`` empty slots of one lane (``item`` None)."""

    day: dt.date
    item: GridItem[T] | None
    rows: int = 1


@dataclass(frozen=True)
class GridRow(Generic[T]):
    """One slot of the axis: its start (``hour``, ``minute``) and the cells it draws, days in order."""

    hour: int
    minute: int
    cells: list[GridCell[T]]

    @property
    def starts_hour(self) -> bool:
        """Whether this row opens an hour (where the axis label goes, spanning the hour's slots)."""
        return self.minute == 0


@dataclass(frozen=True)
class WeekGrid(Generic[T]):
    """The week's rows (whole hours, from the first to the last hour anything is in) and each day's lanes."""

    days: list[dt.date]
    lanes: dict[dt.date, int]
    rows: list[GridRow[T]]

    per_hour: int = SLOTS_PER_HOUR

    @property
    def hours(self) -> list[int]:
        """The hours down the side."""
        return [row.hour for row in self.rows if row.starts_hour]


def _slots(start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    """The first slot of the day an item starts in and the slot after its last (cut at midnight)."""
    first = (start.hour * 60 + start.minute) // SLOT_MINUTES
    midnight = dt.datetime.combine(start.date() + dt.timedelta(days=1), dt.time(), start.tzinfo)
    minutes = (min(end, midnight) - dt.datetime.combine(start.date(), dt.time(), start.tzinfo)).total_seconds() / 60
    last = -(-int(minutes * 60) // (SLOT_MINUTES * 60))  # a slot touched by a second counts
    return first, max(first + 1, min(last, SLOTS_PER_DAY))


def _lanes(spans: Sequence[tuple[int, int]]) -> list[int]:
    """A lane for each span (in start order), the lowest free one: overlapping spans never share a lane."""
    ends: list[int] = []  # per lane, the slot after its last item
    out = []
    for first, last in spans:
        lane = next((n for n, end in enumerate(ends) if end <= first), len(ends))
        if lane == len(ends):
            ends.append(last)
        else:
            ends[lane] = last
        out.append(lane)
    return out


def _free_run(covered: Mapping[tuple[dt.date, int, int], bool], starts: Mapping[int, Sequence[GridItem[T]]],
              day: dt.date, slot: int, lane: int) -> int:
    """How many slots from ``slot`` on stay empty in the lane, up to the end of the hour (one empty cell an
    hour rather than one a slot keeps a long day's table small, and the hour's lines)."""
    end = (slot // SLOTS_PER_HOUR + 1) * SLOTS_PER_HOUR
    run = 1
    while slot + run < end and not covered.get((day, slot + run, lane)) and \
            all(g.lane != lane for g in starts.get(slot + run, ())):
        run += 1
    return run


def week_grid(days: Mapping[dt.date, Iterable[T]], wall: Callable[[T], tuple[dt.datetime, dt.datetime]],
              hours: Iterable[int] = ()) -> WeekGrid[T]:
    """Lay ``days`` (day → items) out on a time axis; ``wall`` gives an item's local start and end, ``hours`` are
    hours to show even when empty (a flight's windows). No item and no hour: no rows."""
    placed: dict[dt.date, dict[int, list[GridItem[T]]]] = {}
    covered: dict[tuple[dt.date, int, int], bool] = {}
    lanes: dict[dt.date, int] = {}
    used = set(hours)
    for day, items in days.items():
        spans = sorted(((*_slots(*wall(item)), n, item) for n, item in enumerate(items)), key=lambda s: s[:3])
        chosen = _lanes([(first, last) for first, last, _n, _item in spans])
        lanes[day] = max(chosen, default=0) + 1
        starts: dict[int, list[GridItem[T]]] = {}
        for (first, last, _n, item), lane in zip(spans, chosen, strict=True):
            starts.setdefault(first, []).append(GridItem(item, lane, last - first))
            covered.update({(day, slot, lane): True for slot in range(first + 1, last)})
            used.update(range(first // SLOTS_PER_HOUR, (last - 1) // SLOTS_PER_HOUR + 1))
        placed[day] = starts
    rows: list[GridRow[T]] = []
    if used:
        lo, hi = min(used), max(used)
        for slot in range(lo * SLOTS_PER_HOUR, (hi + 1) * SLOTS_PER_HOUR):
            cells: list[GridCell[T]] = []
            for day in days:
                starting = {g.lane: g for g in placed[day].get(slot, ())}
                for lane in range(lanes[day]):
                    if lane in starting:
                        cells.append(GridCell(day, starting[lane]))
                    elif not covered.get((day, slot, lane)):
                        free = _free_run(covered, placed[day], day, slot, lane)
                        covered.update({(day, s, lane): True for s in range(slot + 1, slot + free)})
                        cells.append(GridCell(day, None, free))
            rows.append(GridRow(slot // SLOTS_PER_HOUR, slot % SLOTS_PER_HOUR * SLOT_MINUTES, cells))
    return WeekGrid(list(days), lanes, rows)
