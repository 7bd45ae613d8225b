"""From stored broadcasts to occurrences: expansion input, and finding the occurrence a user means."""

from __future__ import annotations

import datetime as dt
from typing import Any

from radio.errors import InvalidInput
from radio.limits import MAX_YEAR, MIN_YEAR, year_in_range
from schedule.models import Broadcast
from schedule.recurrence import (
    UTC,
    MovedOccurrence,
    Occurrence,
    Series,
    expand,
    format_local,
    wall_to_utc,
    zone,
)


def series_of(broadcast: Broadcast) -> Series:
    """The expansion input of a stored broadcast (with its EXDATEs and overrides)."""
    return Series(
        tzid=broadcast.tzid,
        wall_start=broadcast.local_start,
        start=broadcast.starts_at,
        duration=dt.timedelta(seconds=broadcast.duration_s),
        rrule=broadcast.rrule,
        exdates=frozenset(broadcast.exdates),
        overrides={o.recurrence_key: MovedOccurrence(o.local_start, o.starts_at, dt.timedelta(seconds=o.duration_s),
                                                     o.episode_id)
                   for o in broadcast.overrides},
    )


def _parse(value: str) -> dt.date | dt.datetime:
    text = value.strip()
    try:
        parsed: dt.date | dt.datetime = (dt.date.fromisoformat(text) if len(text) == 10
                                         else dt.datetime.fromisoformat(text).replace(microsecond=0))
    except ValueError as exc:
        raise InvalidInput(f"'occurrence' must be a date (YYYY-MM-DD) or a date and time, got {value!r}",
                           code="invalid_occurrence", details={"field": "occurrence"}) from exc
    if not year_in_range(parsed if not isinstance(parsed, dt.datetime) else parsed.date()):
        raise InvalidInput(f"'occurrence' must lie between the years {MIN_YEAR} and {MAX_YEAR}",
                           code="invalid_occurrence", details={"field": "occurrence"})
    return parsed


def resolve_occurrence(broadcast: Broadcast, value: Any) -> Occurrence:
    """The occurrence ``value`` names: its local date, local date and time, or a time with offset; 400 if none."""
    series = series_of(broadcast)
    tz = zone(broadcast.tzid)
    if value in (None, "") and broadcast.rrule is None:
        return expand(series, broadcast.starts_at, broadcast.starts_at + series.duration)[0]
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("'occurrence' (the date of the airing) is required for a recurring broadcast",
                           code="occurrence_required")
    wanted = _parse(value)
    day = wanted if not isinstance(wanted, dt.datetime) else (
        wanted.astimezone(tz).date() if wanted.tzinfo else wanted.date())
    lo = wall_to_utc(dt.datetime.combine(day, dt.time()), tz) - dt.timedelta(days=2)
    candidates = expand(series, lo, lo + dt.timedelta(days=5))
    if not isinstance(wanted, dt.datetime):
        found = [o for o in candidates if o.wall[:10] == value.strip()] or [
            o for o in candidates if o.key[:10] == value.strip()]
        if len(found) > 1:
            raise InvalidInput(f"{len(found)} occurrences on {value}; give the time too", code="ambiguous_occurrence")
    elif wanted.tzinfo is not None:
        found = [o for o in candidates if o.start == wanted.astimezone(UTC)]
    else:
        wall = format_local(wanted)
        found = [o for o in candidates if o.wall == wall] or [o for o in candidates if o.key == wall]
    if not found:
        raise InvalidInput(f"the broadcast has no occurrence at {value}", code="no_such_occurrence")
    return found[0]
