"""RFC 5545 calendars of broadcasts, built with icalendar from plain values (pure functions: values in, bytes out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import icalendar
from icalendar import Calendar, Event, Timezone, vCategory, vDDDTypes, vDuration, vRecur, vText, vUri

from schedule.folding import fold_lines
from schedule.recurrence import UTC, parse_local, zone

PRODID = "-//Ashshash Radio//Broadcast calendar 1.0//EN"
# Bump the number when the rendering changes: ETags turn and every stored event block is rendered again.
RENDER_FORMAT = f"4|icalendar {icalendar.__version__}"
KIND_BN = {"drama": "নাটক", "psa": "জনসচেতনতামূলক বার্তা", "talk": "আলোচনা", "interview": "সাক্ষাৎকার",
           "call_in": "ফোন-ইন", "song": "গান", "jingle": "জিঙ্গেল", "other": "অন্যান্য"}
FEEDBACK_LABELS = (("calls", "ফোন কল", "Calls", "X-RADIO-FEEDBACK-CALLS"),
                   ("sms", "এসএমএস", "SMS", "X-RADIO-FEEDBACK-SMS"),
                   ("missed_calls", "মিসড কল (ভোট)", "Missed calls (votes)", "X-RADIO-FEEDBACK-MISSED-CALLS"),
                   ("letters", "চিঠি", "Letters", "X-RADIO-FEEDBACK-LETTERS"),
                   ("in_person", "সরাসরি (উঠান বৈঠক)", "In person (courtyard meetings)", "X-RADIO-FEEDBACK-IN-PERSON"))


@dataclass(frozen=True)
class Feedback:
    """Current listener-feedback counts of one occurrence."""

    calls: int = 0
    sms: int = 0
    missed_calls: int = 0
    letters: int = 0
    in_person: int = 0


@dataclass(frozen=True)
class EventValues:
    """Everything one VEVENT shows."""

    uid: str
    tzid: str
    start: dt.datetime | str  # aware UTC, or UTC as the database's text
    wall_start: str  # the wall time DTSTART shows
    duration_s: float
    sequence: int
    last_modified: dt.datetime | str
    title: str
    kind: str
    episode_id: str
    location: str = ""
    notes: str = ""
    audio_url: str | None = None
    rrule: str | None = None
    exdates: tuple[str, ...] = ()
    recurrence_key: str | None = None  # set on an override of one occurrence (RECURRENCE-ID)
    cancelled: bool = False
    feedback: Feedback | None = None


@dataclass(frozen=True)
class CalendarValues:
    """A whole calendar: its names, refresh interval and events."""

    name: str
    description: str
    timezone: str
    events: tuple[EventValues, ...] = field(default_factory=tuple)
    refresh: dt.timedelta = dt.timedelta(hours=1)


def _duration_text(seconds: float) -> str:
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _description(ev: EventValues) -> str:
    lines = [f"পর্ব / Episode: {ev.title}",
             f"ধরন / Kind: {KIND_BN.get(ev.kind, ev.kind)} / {ev.kind}",
             f"দৈর্ঘ্য / Duration: {_duration_text(ev.duration_s)}"]
    if ev.audio_url:
        lines.append(f"অডিও / Audio: {ev.audio_url}")
    if ev.notes:
        lines.append(f"নোট / Notes: {ev.notes}")
    if ev.feedback is not None:
        lines.append("শ্রোতাদের সাড়া / Listener feedback:")
        lines += [f"  {bn} / {en}: {getattr(ev.feedback, key)}" for key, bn, en, _ in FEEDBACK_LABELS]
    return "\n".join(lines)


def as_utc(value: dt.datetime | str) -> dt.datetime:
    """A UTC timestamp from a datetime or the database's text form (``2026-03-06 14:00:00[.ffffff]``)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _local(wall: str, tzid: str) -> dt.datetime:
    return parse_local(wall).replace(tzinfo=zone(tzid))


def _timed(ev: EventValues) -> tuple[dt.datetime, dt.datetime]:
    # DTSTART/DTEND on the station's wall clock; a one-off whose wall time is ambiguous (DST fall-back) in UTC.
    tz = zone(ev.tzid)
    start = _local(ev.wall_start, ev.tzid)
    start_utc = as_utc(ev.start)
    end_utc = start_utc + dt.timedelta(seconds=ev.duration_s)
    if ev.rrule is None and ev.recurrence_key is None and start.astimezone(UTC) != start_utc:
        return start_utc, end_utc
    return start, end_utc.astimezone(tz)


def render_event(ev: EventValues) -> bytes:
    """One folded VEVENT."""
    event = Event()
    event["UID"] = vText(ev.uid)
    event["DTSTAMP"] = vDDDTypes(as_utc(ev.last_modified))  # deterministic: the last change
    event["LAST-MODIFIED"] = vDDDTypes(as_utc(ev.last_modified))
    event["SEQUENCE"] = ev.sequence
    start, end = _timed(ev)
    if ev.recurrence_key is not None:
        event["RECURRENCE-ID"] = vDDDTypes(_local(ev.recurrence_key, ev.tzid))
    event["DTSTART"] = vDDDTypes(start)
    event["DTEND"] = vDDDTypes(end)
    if ev.rrule:
        event["RRULE"] = vRecur.from_ical(ev.rrule)
        if ev.exdates:
            event.add("EXDATE", [_local(x, ev.tzid) for x in ev.exdates])
    event["STATUS"] = vText("CANCELLED" if ev.cancelled else "CONFIRMED")
    event["SUMMARY"] = vText(ev.title)
    event["DESCRIPTION"] = vText(_description(ev))
    if ev.location:
        event["LOCATION"] = vText(ev.location)
    event["CATEGORIES"] = vCategory([ev.kind])
    event["TRANSP"] = vText("OPAQUE")
    if ev.audio_url:
        event["URL"] = vUri(ev.audio_url)
        event.add("ATTACH", vUri(ev.audio_url), parameters={"FMTTYPE": "audio/mpeg"})
    event["X-RADIO-EPISODE-ID"] = vText(ev.episode_id)
    event["X-RADIO-KIND"] = vText(ev.kind)
    event["X-RADIO-DURATION"] = vDuration(dt.timedelta(seconds=round(ev.duration_s)))
    if ev.feedback is not None:
        for key, _, _, prop in FEEDBACK_LABELS:
            event[prop] = vText(str(getattr(ev.feedback, key)))
    return fold_lines([line for line in event.content_lines() if line])


@lru_cache(maxsize=64)
def _timezone_lines(tzid: str) -> tuple[str, ...]:
    vtz = Timezone.from_tzid(tzid, first_date=dt.date(2000, 1, 1), last_date=dt.date(2040, 1, 1))
    return tuple(line for line in vtz.content_lines() if line)


CALENDAR_END = b"END:VCALENDAR\r\n"


def calendar_head(values: CalendarValues, tzids: Iterable[str] = ()) -> bytes:
    """The folded calendar header (names, refresh interval) and a VTIMEZONE for each TZID and the calendar's zone."""
    cal = Calendar()
    cal["PRODID"] = vText(PRODID)
    cal["VERSION"] = vText("2.0")
    cal["CALSCALE"] = vText("GREGORIAN")
    cal["METHOD"] = vText("PUBLISH")
    cal["NAME"] = vText(values.name)
    cal["X-WR-CALNAME"] = vText(values.name)
    cal["DESCRIPTION"] = vText(values.description)
    cal["X-WR-CALDESC"] = vText(values.description)
    cal["X-WR-TIMEZONE"] = vText(values.timezone)
    cal.add("REFRESH-INTERVAL", values.refresh, parameters={"VALUE": "DURATION"})
    cal["X-PUBLISHED-TTL"] = vDuration(values.refresh)
    header = [line for line in cal.content_lines() if line][:-1]  # without END:VCALENDAR
    parts = [fold_lines(header)]
    parts += [fold_lines(list(_timezone_lines(tzid))) for tzid in sorted({*tzids, values.timezone})]
    return b"".join(parts)


def render_station_calendar(values: CalendarValues) -> bytes:
    """The iCalendar text of ``values``: header, a VTIMEZONE per TZID used, then the events."""
    head = calendar_head(values, {ev.tzid for ev in values.events})
    return b"".join([head, *(render_event(ev) for ev in values.events), CALENDAR_END])
