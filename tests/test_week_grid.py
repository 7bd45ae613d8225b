"""The week's time axis (schedule.week_grid): items in the slot they start in, as tall as they last, overlaps in
lanes, every cell of the table covered exactly once (so the HTML table's rowspans line up)."""

from __future__ import annotations

import datetime as dt

from schedule.week_grid import SLOTS_PER_HOUR, WeekGrid, week_grid

MONDAY = dt.date(2027, 3, 1)
DAYS = [MONDAY + dt.timedelta(days=n) for n in range(7)]


def _at(day: int, hh_mm: str, minutes: float) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(DAYS[day], dt.time.fromisoformat(hh_mm))
    return start, start + dt.timedelta(minutes=minutes)


def _grid(items: dict[str, tuple[dt.datetime, dt.datetime]], hours: tuple[int, ...] = ()) -> WeekGrid[str]:
    days: dict[dt.date, list[str]] = {day: [] for day in DAYS}
    for name, (start, _end) in items.items():
        days[start.date()].append(name)
    return week_grid(days, lambda name: items[name], hours)


def _occupancy(grid: WeekGrid[str]) -> dict[tuple[int, dt.date, int], str]:
    """(row, day, lane) → what fills it, from the rows as a browser lays out the table; fails on a double fill."""
    filled: dict[tuple[int, dt.date, int], str] = {}
    for r, row in enumerate(grid.rows):
        for cell in row.cells:
            lane = next(n for n in range(grid.lanes[cell.day]) if (r, cell.day, n) not in filled)
            rows = cell.item.rows if cell.item else cell.rows
            if cell.item:
                assert cell.item.lane == lane
            for k in range(rows):
                assert (r + k, cell.day, lane) not in filled
                filled[(r + k, cell.day, lane)] = cell.item.item if cell.item else ""
    return filled


def test_items_sit_in_their_start_slot_as_tall_as_they_last_and_overlaps_take_lanes() -> None:
    items = {"spot": _at(2, "14:30", 0.5), "show": _at(2, "14:00", 60), "late": _at(2, "14:40", 20),
             "other": _at(4, "16:05", 3)}
    grid = _grid(items, hours=(19,))
    assert grid.hours == list(range(14, 20))
    assert len(grid.rows) == 6 * SLOTS_PER_HOUR and grid.lanes[DAYS[2]] == 3 and grid.lanes[DAYS[0]] == 1
    placed = {c.item.item: (row.hour, row.minute, c.item.lane, c.item.rows)
              for row in grid.rows for c in row.cells if c.item}
    assert placed["show"] == (14, 0, 0, 4) and placed["spot"] == (14, 30, 1, 1)
    assert placed["late"] == (14, 30, 2, 2)  # shares the spot's quarter hour: a lane of its own
    assert placed["other"] == (16, 0, 0, 1)
    filled = _occupancy(grid)
    assert len(filled) == len(grid.rows) * sum(grid.lanes.values())  # every cell exactly once


def test_an_item_past_midnight_is_cut_at_the_end_of_its_day_and_nothing_gives_no_rows() -> None:
    grid = _grid({"night": _at(0, "23:30", 120)})
    assert grid.hours == [23]
    cell = next(c for row in grid.rows for c in row.cells if c.item)
    assert cell.item is not None and cell.item.rows == 2
    _occupancy(grid)
    assert _grid({}).rows == [] and _grid({}, hours=(8,)).hours == [8]


def test_a_second_past_a_slot_takes_the_next_slot_too() -> None:
    grid = _grid({"a": _at(1, "10:14", 1.5), "b": _at(1, "10:16", 1)})
    placed = {c.item.item: c.item for row in grid.rows for c in row.cells if c.item}
    assert placed["a"].rows == 2 and placed["a"].lane == 0 and placed["b"].lane == 1
    _occupancy(grid)
