"""A report's period in each station's local time, as SQL: "which local month is this UTC moment in" without
converting rows one by one in Python.

A local month of a time zone is a half-open range of UTC moments, so the month of a UTC column is a ``CASE``
over the month boundaries (bound parameters compared with the column: the same on SQLite and PostgreSQL, and
it uses the column's index for the period's bounds). Stations in different zones get one ``CASE`` each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TypeVar

from sqlalchemy import and_, case, false, literal, or_
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from schedule.recurrence import wall_to_utc, zone

_T = TypeVar("_T")
SQLColumn = ColumnElement[_T] | InstrumentedAttribute[_T]  # a column of a model or any SQL expression


def month_key(day: dt.date) -> str:
    """``YYYY-MM`` of a date (how the report names a month)."""
    return f"{day.year:04d}-{day.month:02d}"


def local_months(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """The first day of every month from ``date_from``'s to ``date_to``'s."""
    months, day = [], date_from.replace(day=1)
    while day <= date_to:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _first_moment(day: dt.date, tzid: str) -> dt.datetime:
    # The first UTC moment whose local date is ``day`` (a midnight in a DST gap resolves to the moment after it).
    return wall_to_utc(dt.datetime.combine(day, dt.time()), zone(tzid))


def _zone_month(column: SQLColumn[dt.datetime], tzid: str, date_from: dt.date, date_to: dt.date
                ) -> tuple[ColumnElement[bool], ColumnElement[str]]:
    """(the column's local date is in the period, its local ``YYYY-MM``) in one zone."""
    starts = local_months(date_from, date_to)
    inside = and_(column >= _first_moment(date_from, tzid), column < _first_moment(date_to + dt.timedelta(days=1),
                                                                                   tzid))
    if len(starts) == 1:
        return inside, literal(month_key(starts[0]))
    whens = [(column < _first_moment(nxt, tzid), month_key(this)) for this, nxt in zip(starts, starts[1:],
                                                                                       strict=False)]
    return inside, case(*whens, else_=month_key(starts[-1]))


def local_month_of(column: SQLColumn[dt.datetime], station_column: SQLColumn[str],
                   zones: Mapping[str, str], date_from: dt.date, date_to: dt.date
                   ) -> tuple[ColumnElement[bool], ColumnElement[str]]:
    """For a UTC column of rows of stations (``zones``: station id → IANA zone): a condition "its local date at
    its station is in ``date_from``..``date_to``" and an expression for its local ``YYYY-MM``."""
    if not zones:
        return false(), literal("")
    by_zone: dict[str, list[str]] = {}
    for station_id, tzid in sorted(zones.items()):
        by_zone.setdefault(tzid, []).append(station_id)
    parts = {tzid: _zone_month(column, tzid, date_from, date_to) for tzid in by_zone}
    if len(parts) == 1:
        (tzid, (inside, month)), = parts.items()
        return and_(station_column.in_(by_zone[tzid]), inside), month
    condition = or_(*(and_(station_column.in_(by_zone[tzid]), inside) for tzid, (inside, _) in parts.items()))
    return condition, case(*((station_column.in_(by_zone[tzid]), month) for tzid, (_, month) in parts.items()))
