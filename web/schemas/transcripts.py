"""Transcripts: starting a transcription, revisions, corrections and the evidence log."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, model_validator

from transcripts.services import MAX_SEGMENT_TEXT
from web.schemas.base import Body, Clean, Day, Line, OnError, Query, fail
from web.schemas.episodes import Kind, Language

Filter = Annotated[str, Field(max_length=300), Clean, Line]


class TranscribeBody(Body):
    """``POST /api/v1/episodes/<id>/transcribe``."""

    language: Annotated[Literal["bn", "en", "auto"], OnError("invalid_language")] | None = Field(
        default=None, description="auto when absent")
    replace: Annotated[StrictBool, OnError("invalid_replace")] = Field(
        default=False, description="replace a transcript with human corrections or codes (a JSON boolean)")


class RevisionQuery(Query):
    """``?revision=machine|current|N`` of a transcript (N corrections in)."""

    revision: Annotated[str, Field(pattern=r"^(machine|current|[0-9]{1,9})$", max_length=9),
                        OnError("invalid_revision")] | None = None


class SegmentPatch(Body):
    """``PATCH /api/v1/segments/<id>``: a corrected text (the earlier texts stay in its history)."""

    text: Annotated[str, Field(max_length=MAX_SEGMENT_TEXT), Clean, OnError("invalid_text", "string_type"),
                    OnError("text_too_long", "string_too_long")]
    note: Annotated[str, Field(max_length=MAX_SEGMENT_TEXT), Clean, OnError("invalid_text", "string_type"),
                    OnError("text_too_long", "string_too_long")] | None = None


class EvidenceQuery(Query):
    """``GET /api/v1/evidence``: every segment of the matching episodes as CSV or JSON."""

    format: Annotated[Literal["csv", "json"], OnError("invalid_format")] = "json"
    language: Annotated[Language, Clean, OnError("invalid_language")] | None = None
    kind: Annotated[Kind, Clean, OnError("invalid_kind")] | None = None
    district: Filter | None = None
    campaign: Filter | None = None
    station: Filter | None = None
    code: Filter | None = None
    episode_id: Annotated[str, Field(max_length=40_000, description="comma-separated ids (at most 500)")] | None = None
    episode_ids: Annotated[str, Field(max_length=40_000, description="the same as episode_id")] | None = None
    date_from: Annotated[Day | None, OnError("invalid_date")] = Field(default=None, alias="from")
    date_to: Annotated[Day | None, OnError("invalid_date")] = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _range(self) -> EvidenceQuery:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise fail("invalid_range", "'from' is after 'to'", code="invalid_range", field="to")
        return self
