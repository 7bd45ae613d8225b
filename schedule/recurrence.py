"""Local times and RFC 5545 recurrence: parsing, validation and expansion (pure functions)."""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr
from icalendar import vRecur

from radio.errors import InvalidInput
from schedule.models import LOCAL_FORMAT

UTC = dt.UTC
HORIZON = dt.timedelta(days=731)  # series are expanded (and checked for overlaps) this far ahead
BOOKING_AHEAD = dt.timedelta(days=5 * 366)  # nothing starts further ahead than this (the booking horizon)
MAX_OCCURRENCES = 5000  # within the horizon; more is a mistake (e.g. FREQ=HOURLY for a 10-minute drama)
_EXPANSION_BUDGET_S = 2.0
_FREQS = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}  # finer than daily is never a broadcast plan
_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}  # shortest: the most periods
_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "BYHOUR", "BYMINUTE",
          "WKST"}
_RANGES = (("INTERVAL", 1, 1000), ("BYHOUR", 0, 23), ("BYMINUTE", 0, 59), ("BYMONTH", 1, 12),
           ("BYMONTHDAY", 1, 31), ("BYSETPOS", 1, 366))
T = TypeVar("T")


def zone(tzid: str) -> ZoneInfo:
    """The IANA time zone ``tzid``; 400 for an unknown one."""
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise InvalidInput(f"unknown time zone {tzid!r} (use an IANA name such as Asia/Dhaka)",
                           code="invalid_timezone") from exc


def format_local(value: dt.datetime) -> str:
    """A wall time as stored: ISO text without offset."""
    return value.strftime(LOCAL_FORMAT)


def parse_local(text: str) -> dt.datetime:
    """A stored wall time back as a naive datetime (stored as ``LOCAL_FORMAT``, which ISO parsing reads at C
    speed: a year's report parses thousands)."""
    return dt.datetime.fromisoformat(text)


def wall_to_utc(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """UTC of a wall time; a time in a DST gap or overlap resolves the way RFC 5545 says (offset before)."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def check_wall_time(wall: dt.datetime, tz: ZoneInfo) -> None:
    """400 when ``wall`` does not exist (spring forward) or happens twice (fall back) in ``tz``."""
    early, late = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if early.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        raise InvalidInput(f"{wall:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks skip it)",
                           code="nonexistent_local_time")
    if early.utcoffset() != late.utcoffset():
        raise InvalidInput(f"{wall:%Y-%m-%d %H:%M} happens twice in {tz.key}; give the start with a UTC offset",
                           code="ambiguous_local_time")


def check_booking_ahead(start: dt.datetime, now: dt.datetime) -> None:
    """400 ``invalid_start`` for a start beyond the booking horizon (five years from now)."""
    if start > now + BOOKING_AHEAD:
        raise InvalidInput(f"'start' may be at most {BOOKING_AHEAD.days // 366} years ahead",
                           code="invalid_start", details={"field": "start"})


def parse_start(value: Any, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """``(utc, wall)`` of an ISO 8601 start; without an offset it is the station's local time."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("'start' is required: an ISO 8601 date and time such as 2026-03-06T20:00",
                           code="invalid_start")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(f"'start' is not an ISO 8601 date and time: {value!r}", code="invalid_start") from exc
    if len(value.strip()) <= 10:
        raise InvalidInput("'start' needs a time of day, not only a date", code="invalid_start")
    parsed = parsed.replace(microsecond=0)
    if parsed.tzinfo is None:
        check_wall_time(parsed, tz)
        return wall_to_utc(parsed, tz), parsed
    utc = parsed.astimezone(UTC)
    return utc, utc.astimezone(tz).replace(tzinfo=None)


@dataclass(frozen=True)
class Rule:
    """A validated recurrence rule in canonical text, bound to the wall-clock start of its series."""

    text: str
    wall_start: dt.datetime
    tz: ZoneInfo
    bounded: bool

    def dateutil(self) -> rrule:
        """The dateutil rule generating aware local datetimes."""
        return rrulestr(self.text, dtstart=self.wall_start.replace(tzinfo=self.tz))  # type: ignore[return-value]


def _feasible_month_days(months: Sequence[int], days: Sequence[int]) -> bool:
    lengths = {m: (29 if m == 2 else calendar.monthrange(2001, m)[1]) for m in (months or range(1, 13))}
    return any(1 <= (d if d > 0 else n + d + 1) <= n for n in lengths.values() for d in days)


def _check_parts(rec: vRecur) -> None:
    unknown = set(rec) - _PARTS
    if unknown:
        raise InvalidInput(f"RRULE parts not supported here: {', '.join(sorted(unknown))}", code="invalid_rrule")
    freq = (rec.get("FREQ") or [None])[0]
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise InvalidInput(f"RRULE FREQ={freq} is finer than daily: book each slot of the day as its own series",
                           code="invalid_rrule", details={"field": "rrule"})
    if freq not in _FREQS:
        raise InvalidInput("RRULE needs FREQ=DAILY|WEEKLY|MONTHLY|YEARLY", code="invalid_rrule")
    if "COUNT" in rec and "UNTIL" in rec:
        raise InvalidInput("RRULE must not have both COUNT and UNTIL", code="invalid_rrule")
    if "COUNT" in rec and not 1 <= int(rec["COUNT"][0]) <= MAX_OCCURRENCES:
        raise InvalidInput(f"RRULE COUNT must be 1..{MAX_OCCURRENCES}", code="invalid_rrule")
    for part, low, high in _RANGES:
        if any(not isinstance(v, int) or not low <= abs(v) <= high or (low and v == 0) for v in rec.get(part, [])):
            raise InvalidInput(f"RRULE {part} values must be within {low}..{high}", code="invalid_rrule")
    if any(v < 0 for v in rec.get("INTERVAL", []) + rec.get("BYHOUR", []) + rec.get("BYMINUTE", [])
           + rec.get("BYMONTH", [])):
        raise InvalidInput("RRULE INTERVAL, BYHOUR, BYMINUTE and BYMONTH cannot be negative", code="invalid_rrule")
    if "BYMONTHDAY" in rec and not _feasible_month_days(rec.get("BYMONTH", []), rec["BYMONTHDAY"]):
        raise InvalidInput("RRULE asks for a day that no month has (e.g. 30 February)", code="invalid_rrule")
    limit = {"MONTHLY": 5, "YEARLY": 5 if "BYMONTH" in rec else 53}.get(freq, 0)
    for day in rec.get("BYDAY", []):
        n = day.relative if hasattr(day, "relative") else None
        if n and abs(n) > limit:
            raise InvalidInput(f"RRULE BYDAY={day} can never happen with FREQ={freq}", code="invalid_rrule")


def _until_utc(value: Any, tz: ZoneInfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC) if value.tzinfo else wall_to_utc(value, tz)
    return wall_to_utc(dt.datetime.combine(value, dt.time(23, 59, 59)), tz)


def parse_rrule(text: Any, wall_start: dt.datetime, tz: ZoneInfo) -> Rule:
    """Validate an RFC 5545 RRULE (with or without the ``RRULE:`` prefix); 400 with the reason."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("'rrule' must be a text such as FREQ=WEEKLY;BYDAY=FR", code="invalid_rrule")
    raw = text.strip()
    if raw.upper().startswith("RRULE:"):
        raw = raw[6:]
    try:
        rec = vRecur.from_ical(raw.upper())
        _check_parts(rec)
        if "UNTIL" in rec:
            rec["UNTIL"] = [_until_utc(rec["UNTIL"][0], tz)]
            if rec["UNTIL"][0] < wall_to_utc(wall_start, tz):
                raise InvalidInput(f"RRULE UNTIL ({rec['UNTIL'][0]:%Y-%m-%d %H:%M} UTC) is before the start of the "
                                   "series", code="until_before_start", details={"field": "rrule"})
        canonical = vRecur(rec).to_ical().decode()
        rule = Rule(canonical, wall_start, tz, bounded="COUNT" in rec or "UNTIL" in rec)
        rule.dateutil()
    except InvalidInput:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise InvalidInput(f"malformed RRULE {text!r}: {exc}", code="invalid_rrule") from exc
    return rule


def rule_ending(text: str, until: dt.datetime) -> str:
    """The canonical rule ``text`` ended at ``until`` (inclusive, stored in UTC): a COUNT or UNTIL replaced."""
    rec = vRecur.from_ical(text)
    rec.pop("COUNT", None)
    rec["UNTIL"] = [until.astimezone(UTC)]
    return vRecur(rec).to_ical().decode()


def split_rule(rule: Rule, now: dt.datetime) -> tuple[dt.datetime, dt.datetime, str] | None:
    """Where a series that has begun splits at ``now``: ``(last begun, first to come, rule of the rest)`` as
    aware local datetimes and the rest's rule text (its COUNT turned into the UNTIL of the last occurrence);
    None when no occurrence has begun or none is still to come."""
    dates = rule.dateutil()
    local_now = now.astimezone(rule.tz)
    begun, to_come = dates.before(local_now, inc=True), dates.after(local_now)
    if begun is None or to_come is None:
        return None
    rest = rule.text
    if "COUNT" in vRecur.from_ical(rule.text):
        last = list(dates)[-1]  # COUNT is bounded by MAX_OCCURRENCES
        rest = rule_ending(rule.text, last)
    return begun, to_come, rest


class _OutOfBudget(Exception):
    """The expansion ran past its budget."""


def _within_budget(func: Callable[[], T]) -> T:
    """Run ``func`` in this thread and give up (400) once it has run ``_EXPANSION_BUDGET_S``.

    dateutil searches up to the year 9999 for a rule that never matches (e.g. FREQ=DAILY;INTERVAL=7;BYDAY=TU
    from a Monday). It is pure Python, so a trace function that sees only its function calls (no line
    events) stops it from inside this thread: nothing goes on computing after the request has its answer.
    """
    deadline = time.monotonic() + _EXPANSION_BUDGET_S
    previous = sys.gettrace()

    def stop_when_late(frame: Any, event: str, arg: Any) -> None:
        if time.monotonic() > deadline:
            raise _OutOfBudget

    sys.settrace(stop_when_late)
    try:
        return func()
    except _OutOfBudget:
        raise InvalidInput("the RRULE yields no occurrence in the planning horizon", code="invalid_rrule",
                           details={"field": "rrule"}) from None
    finally:
        sys.settrace(previous)


def estimate_occurrences(rule: Rule, horizon_end: dt.datetime) -> int:
    """An upper bound of the rule's occurrences up to ``horizon_end``, from its parts alone (nothing expanded)."""
    rec = vRecur.from_ical(rule.text)
    freq = rec["FREQ"][0]
    times = len(rec.get("BYHOUR", [0])) * len(rec.get("BYMINUTE", [0]))
    byday = rec.get("BYDAY", [])
    months = len(rec.get("BYMONTH", [])) or (12 if freq == "YEARLY" and (byday or "BYMONTHDAY" in rec) else 1)
    if freq in ("DAILY", "WEEKLY"):
        days = (len(byday) or 1) if freq == "WEEKLY" else 1
    elif "BYMONTHDAY" in rec:
        days = len(rec["BYMONTHDAY"]) * months
    elif byday:
        relative = sum(1 for d in byday if getattr(d, "relative", None))
        every = 53 if freq == "YEARLY" and "BYMONTH" not in rec else 5 * months
        days = relative * (months if freq == "YEARLY" else 1) + (len(byday) - relative) * every
    else:
        days = months
    per_period = days * times
    if "BYSETPOS" in rec:
        per_period = min(per_period, len(rec["BYSETPOS"]))
    end = min(horizon_end, rec["UNTIL"][0]) if "UNTIL" in rec else horizon_end
    span = max((end - wall_to_utc(rule.wall_start, rule.tz)).days, 0)
    interval = (rec.get("INTERVAL") or [1])[0]
    estimate = per_period * (span // (_PERIOD_DAYS[freq] * interval) + 1)
    return min(estimate, int(rec["COUNT"][0])) if "COUNT" in rec else estimate


@dataclass(frozen=True)
class SeriesPlan:
    """Occurrence wall times of a new series within the horizon, and when the series ends (None: never)."""

    walls: list[dt.datetime]
    last_wall: dt.datetime | None
    complete: bool  # True when ``walls`` holds every occurrence


def plan_series(rule: Rule, horizon_end: dt.datetime) -> SeriesPlan:
    """Expand ``rule`` up to ``horizon_end``; 400 when it has no occurrence or too many (the number is
    bounded from the rule's parts before anything is expanded)."""
    until = vRecur.from_ical(rule.text).get("UNTIL")
    if until and until[0] > horizon_end - HORIZON + BOOKING_AHEAD:  # its last date would take long to find
        raise InvalidInput(f"RRULE UNTIL may be at most {BOOKING_AHEAD.days // 366} years ahead (or leave the "
                           "series open-ended)", code="invalid_rrule", details={"field": "rrule"})
    if estimate_occurrences(rule, horizon_end) > MAX_OCCURRENCES * 4:  # far too many: refused without expanding
        raise InvalidInput(f"the RRULE makes more than {MAX_OCCURRENCES} broadcasts within the planning horizon",
                           code="too_many_occurrences", details={"field": "rrule"})

    def expand() -> SeriesPlan:
        walls: list[dt.datetime] = []
        beyond: dt.datetime | None = None
        for occ in rule.dateutil():
            if occ.astimezone(UTC) > horizon_end:
                beyond = occ
                break
            walls.append(occ.replace(tzinfo=None))
            if len(walls) > MAX_OCCURRENCES:
                raise InvalidInput(f"the RRULE makes more than {MAX_OCCURRENCES} broadcasts within the planning "
                                   "horizon", code="too_many_occurrences")
        if not walls:
            raise InvalidInput("the RRULE yields no occurrence in the planning horizon", code="invalid_rrule")
        if beyond is None:
            return SeriesPlan(walls, walls[-1], True)
        if not rule.bounded:
            return SeriesPlan(walls, None, False)
        last = rule.dateutil()[-1]  # bounded: COUNT is capped, UNTIL ends it
        return SeriesPlan(walls, last.replace(tzinfo=None), False)

    plan = _within_budget(expand)
    if plan.walls[0] != rule.wall_start:
        raise InvalidInput(f"the start must be the series' first occurrence; the RRULE's first is "
                           f"{plan.walls[0]:%Y-%m-%d %H:%M}", code="start_not_in_rrule")
    return plan


@dataclass(frozen=True)
class Occurrence:
    """One airing: its key (original wall time, the RECURRENCE-ID), actual start and end in UTC."""

    key: str
    start: dt.datetime
    end: dt.datetime
    wall: str
    overridden: bool = False


@dataclass(frozen=True)
class MovedOccurrence:
    """What an override changes about one occurrence."""

    wall: str
    start: dt.datetime
    duration: dt.timedelta
    episode_id: str | None = None


@dataclass(frozen=True)
class Series:
    """What it takes to expand a stored broadcast."""

    tzid: str
    wall_start: str
    start: dt.datetime
    duration: dt.timedelta
    rrule: str | None = None
    exdates: frozenset[str] = frozenset()
    overrides: Mapping[str, MovedOccurrence] = field(default_factory=dict)


def expand(series: Series, window_start: dt.datetime, window_end: dt.datetime) -> list[Occurrence]:
    """Occurrences that overlap ``[window_start, window_end)``, sorted by start; skips EXDATEs, applies overrides."""
    tz = zone(series.tzid)
    base: list[tuple[str, dt.datetime]] = []
    if series.rrule is None:
        base.append((series.wall_start, series.start))
    else:
        rule = Rule(series.rrule, parse_local(series.wall_start), tz, bounded=True).dateutil()
        after = max(window_start - series.duration, series.start - dt.timedelta(seconds=1))
        for occ in rule.xafter(after.astimezone(tz), inc=True):
            utc = occ.astimezone(UTC)
            if utc >= window_end:
                break
            base.append((format_local(occ.replace(tzinfo=None)), utc))
    out: list[Occurrence] = []
    for key, start in base:
        if key in series.exdates or key in series.overrides:
            continue
        end = start + series.duration
        if end > window_start and start < window_end:
            out.append(Occurrence(key, start, end, key))
    for key, moved in series.overrides.items():
        if key in series.exdates:
            continue
        end = moved.start + moved.duration
        if end > window_start and moved.start < window_end:
            out.append(Occurrence(key, moved.start, end, moved.wall, overridden=True))
    out.sort(key=lambda o: o.start)
    return out


def first_self_overlap(occurrences: Sequence[Occurrence]) -> Occurrence | None:
    """An occurrence that starts before the previous one (sorted by start) has ended, or None."""
    for prev, nxt in zip(occurrences, occurrences[1:], strict=False):
        if nxt.start < prev.end:
            return nxt
    return None


def overlapping_ids(new: Sequence[Occurrence], existing: Iterable[tuple[str, Occurrence]]) -> list[str]:
    """Ids of ``existing`` occurrences that overlap any of ``new`` (sorted, non-overlapping); half-open intervals."""
    starts = [o.start for o in new]
    hits: list[str] = []
    for ident, occ in existing:
        i = bisect.bisect_left(starts, occ.end)  # new[:i] start before occ ends
        if i and new[i - 1].end > occ.start and ident not in hits:
            hits.append(ident)
    return hits
