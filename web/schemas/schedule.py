"""Stations, broadcasts (bookings and series), listener feedback and the producers' calendar."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictBool, StrictInt, model_validator

from schedule.feedback import MAX_COUNT
from schedule.stations import SLUG_PATTERN as SLUG
from web.schemas.base import (
    Body,
    Clean,
    DateOrTimeText,
    DateTimeText,
    Day,
    Line,
    OccurrenceText,
    OnError,
    Prose,
    Query,
    fail,
)

MAX_WINDOW = dt.timedelta(days=400)
Slug = Annotated[str, Field(max_length=64)]
Id = Annotated[str, Field(min_length=1, max_length=64)]
Count = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT), OnError("invalid_count")]
Occurrence = Annotated[str, Field(max_length=40, description="local date (YYYY-MM-DD) or date and time"),
                       OccurrenceText, OnError("occurrence_required", "string_type"), OnError("invalid_occurrence")]
Notes = Annotated[str, Field(max_length=2000, description="several lines allowed"), Prose]
Timezone = Annotated[str, Field(max_length=64, description="IANA name, e.g. Asia/Dhaka"), Clean,
                     OnError("invalid_timezone")]
Start = Annotated[str, Field(max_length=40, description="ISO 8601; the station's local time when no offset"),
                  DateTimeText, OnError("invalid_start", missing=True)]
Rrule = Annotated[str, Field(max_length=500, description="RFC 5545 RRULE, e.g. FREQ=WEEKLY;COUNT=8"),
                  OnError("invalid_rrule")]


class StationFields(Body):
    """A station's editable fields."""

    unknown_code: ClassVar[str] = "invalid_field"

    name: Annotated[str, Field(min_length=1, max_length=200), Clean, Line,
                    OnError("missing_field", "string_type", "string_too_short", missing=True)] | None = None
    name_bn: Annotated[str, Field(max_length=200), Clean, Line] | None = None
    timezone: Timezone | None = None
    district: Annotated[str, Field(max_length=100), Clean, Line] | None = None
    frequency: Annotated[str, Field(max_length=40), Clean, Line] | None = None
    contact: Annotated[str, Field(max_length=300), Clean, Line] | None = None


class StationCreate(StationFields):
    """``POST /api/v1/stations`` (the time zone defaults to Asia/Dhaka)."""

    unknown_code: ClassVar[str] = "unknown_field"

    slug: Annotated[str, Field(pattern=SLUG, description="1-64 lowercase letters, digits, inner hyphens"),
                    OnError("invalid_slug", missing=True)]
    name: Annotated[str, Field(min_length=1, max_length=200), Clean, Line,
                    OnError("missing_field", "string_type", "string_too_short", missing=True)]


class StationPatch(StationFields):
    """``PATCH /api/v1/stations/<slug>`` (the slug stays; ``gateway`` is the kind of its inbound SMS gateway)."""

    gateway: Annotated[Literal["twilio", "json"], OnError("invalid_field")] | None = None


class BroadcastCreate(Body):
    """``POST /api/v1/broadcasts``: book an episode once or as an RRULE series."""

    station: Annotated[Slug, OnError("missing_field", "string_type", missing=True)]
    episode_id: Annotated[Id, OnError("missing_field", "string_type", "string_too_short", missing=True)]
    start: Start
    rrule: Rrule | None = None
    notes: Notes | None = None


class BroadcastPatch(Body):
    """``PATCH /api/v1/broadcasts/<id>``: change the booking, or with ``occurrence`` one occurrence (``skip``)."""

    unknown_code: ClassVar[str] = "invalid_field"

    start: Start | None = None
    rrule: Rrule | None = Field(default=None, description="null makes the booking a one-off")
    episode_id: Annotated[Id, OnError("missing_field", "string_type", "string_too_short")] | None = None
    notes: Notes | None = None
    occurrence: Occurrence | None = None
    skip: StrictBool | None = Field(default=None, description="with occurrence: skip it (EXDATE)")


class CancelQuery(Query):
    """``DELETE /api/v1/broadcasts/<id>``: with ``occurrence`` only that occurrence is skipped."""

    occurrence: Occurrence | None = None


class FeedbackBody(Body):
    """``POST /api/v1/broadcasts/<id>/feedback``: listener counts of one past occurrence."""

    occurrence: Occurrence | None = None
    calls: Count = 0
    sms: Count = 0
    missed_calls: Count = 0
    letters: Count = 0
    in_person: Count = 0
    notes: Annotated[str, Field(max_length=4000), Prose] | None = None


Moment = Annotated[str, Field(max_length=40), DateOrTimeText, OnError("invalid_date")]


class WindowQuery(Query):
    """``from``/``to`` (dates or ISO times; no offset: UTC): occurrences in that window, at most 400 days."""

    date_from: Moment | None = Field(default=None, alias="from")
    date_to: Moment | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _window_is_sane(self) -> WindowQuery:
        self.window()
        return self

    def window(self, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime] | None:
        """The window (``from`` defaults to a week ago, ``to`` to six weeks after ``from``), or None."""
        lo, hi = _moment(self.date_from), _moment(self.date_to)
        if lo is None and hi is None:
            return None
        lo = lo or (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=7)
        hi = hi or lo + dt.timedelta(days=42)
        if hi <= lo or hi - lo > MAX_WINDOW:
            raise fail("invalid_window", "'to' must be after 'from' and at most 400 days later",
                       code="invalid_window", field="to")
        return lo, hi


def _moment(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class BroadcastsQuery(WindowQuery):
    """``GET /api/v1/broadcasts``."""

    station: Slug | None = None
    episode_id: Id | None = None
    include_cancelled: bool = False


class FeedbackSummaryQuery(Query):
    """``GET /api/v1/feedback/summary``: totals by station, episode or month (``format=csv`` for a spreadsheet)."""

    group_by: Annotated[Literal["station", "episode", "month"], OnError("invalid_group_by")] = "station"
    station: Slug | None = None
    campaign: Annotated[str, Field(max_length=100)] | None = None
    episode_id: Id | None = None
    date_from: Annotated[Day | None, OnError("invalid_date")] = Field(default=None, alias="from")
    date_to: Annotated[Day | None, OnError("invalid_date")] = Field(default=None, alias="to")
    format: Annotated[Literal["json", "csv"], OnError("invalid_format")] = "json"

    @model_validator(mode="after")
    def _range(self) -> FeedbackSummaryQuery:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise fail("invalid_date_range", "'from' is after 'to'", code="invalid_date_range", field="to")
        return self


class CampaignCalendarQuery(Query):
    """``GET /api/v1/calendar.ics``: every station's bookings, or those of the given ``station``s."""

    list_fields: ClassVar[frozenset[str]] = frozenset({"station"})

    campaign: Annotated[str, Field(max_length=100)] | None = None
    station: Annotated[list[Slug], Field(max_length=100)] | None = None


AiringStatus = Literal["aired", "partial", "missed"]
MissReason = Literal["power_cut", "technical", "preempted", "other"]


class AiringBody(Body):
    """``POST /api/v1/broadcasts/<id>/airings``: whether one past occurrence aired (a repeat corrects it)."""

    occurrence: Occurrence | None = None
    status: Annotated[AiringStatus, OnError("invalid_field", missing=True)]
    aired_at: Annotated[str, Field(max_length=40, description="actual start; the station's local time when no offset"),
                        DateTimeText] | None = None
    reason: MissReason | None = Field(default=None, description="why it was missed (required for missed)")
    notes: Annotated[str, Field(max_length=2000), Prose] | None = None


class AiringsQuery(Query):
    """``GET /api/v1/airings``: planned occurrences with their status; ``from``/``to`` are station-local dates."""

    station: Slug | None = None
    campaign: Annotated[str, Field(max_length=100)] | None = None
    status: Annotated[Literal["aired", "partial", "missed", "unconfirmed"], OnError("invalid_parameter")] | None = None
    date_from: Annotated[Day | None, OnError("invalid_date")] = Field(default=None, alias="from")
    date_to: Annotated[Day | None, OnError("invalid_date")] = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _window_is_sane(self) -> AiringsQuery:
        self.window(dt.datetime.now(dt.UTC))
        return self

    def window(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """UTC bounds wide enough for every time zone (``from`` defaults to 14 days ago, ``to`` to 7 days ahead)."""
        first = self.date_from or (now - dt.timedelta(days=14)).date()
        last = self.date_to or max(first, (now + dt.timedelta(days=7)).date())
        if last < first or last - first > MAX_WINDOW:
            raise fail("invalid_window", "'to' must not be before 'from' and at most 400 days later",
                       code="invalid_window", field="to")
        margin = dt.timedelta(days=1)
        return (dt.datetime.combine(first, dt.time(), dt.UTC) - margin,
                dt.datetime.combine(last, dt.time(), dt.UTC) + 2 * margin)


class MakeGoodBody(Body):
    """``POST /api/v1/broadcasts/<id>/make-good``: book a missed occurrence again in the next free slot."""

    occurrence: Occurrence | None = None


class MakeGoodQuery(Query):
    """``GET /api/v1/broadcasts/<id>/make-good``: the slot a make-good of ``occurrence`` would take."""

    occurrence: Occurrence | None = None


class MessagesQuery(Query):
    """``GET /api/v1/stations/<slug>/messages``: the latest ``limit`` messages."""

    limit: Annotated[int, Field(ge=1, le=500)] = 50
    q: Annotated[str, Field(max_length=500, description="search the text: words, \"phrases\", =word, prefix*, OR, "
                                                      "NOT; a Bangla word finds its inflected forms"), Line] = ""
