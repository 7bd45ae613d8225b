"""Episodes: the library query, the upload's metadata fields, metadata edits, re-analysis and audio downloads."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from pydantic import BeforeValidator, Field, StrictBool

from episodes.metadata import MAX_LIST  # one source: the services' limits
from episodes.services import MAX_PER_PAGE
from web.schemas.base import BOUNDS, Body, Clean, Day, Line, Lower, OnError, Prose, Query

Language = Literal["bn", "en"]  # episodes.models.LANGUAGES (a test keeps them equal)
Kind = Literal["drama", "psa", "talk", "interview", "call_in", "song", "jingle", "other"]  # episodes.models.KINDS
Consent = Literal["broadcast", "research_only", "none"]  # episodes.models.CONSENTS
Status = Literal["uploaded", "analysing", "ready", "failed"]  # episodes.models.EpisodeStatus

MAX_PAGE = 100_000


def _split(value: Any) -> Any:
    """A comma-separated text (a form field) or a list of texts, cleaned, without blanks or repeats."""
    if value is None or value == "":
        return []
    items = value.split(",") if isinstance(value, str) else value
    if isinstance(items, list | tuple) and all(isinstance(i, str) for i in items):
        return list(dict.fromkeys(c for c in (i.strip() for i in items) if c))
    return value


Title = Annotated[str, Field(max_length=300), Clean, Line]
LongText = Annotated[str, Field(max_length=20_000), Clean, Prose]
Names = Annotated[list[Annotated[str, MaxLen(200), Clean, Line]], BeforeValidator(_split), MaxLen(MAX_LIST)]


class EpisodeListQuery(Query):
    """``GET /api/v1/episodes``: filters, text search (Bangla too) and pages."""

    q: Annotated[str, Field(max_length=500, description="search titles, descriptions, contributors …: words (all must "
                                                      "occur), \"phrases\", =word, prefix*, OR, NOT; a Bangla word "
                                                      "finds its inflected forms"), Line] = ""
    language: Language | None = None
    kind: Kind | None = None
    campaign: Annotated[str | None, Field(max_length=100), Clean] = None
    district: Annotated[str | None, Field(max_length=200), Clean] = None
    restricted: bool | None = Field(default=None, description="true/false, 1/0, yes/no, on/off")
    status: Status | None = None
    page: Annotated[int, Field(ge=1, le=MAX_PAGE), OnError("invalid_page", *BOUNDS)] = 1
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE), OnError("invalid_page", *BOUNDS)] = 20


class EpisodeFields(Body):
    """Editorial metadata an episode carries (every field optional: what an edit may change)."""

    title: Annotated[str, Field(min_length=1, max_length=300), Clean, Line,
                     OnError("missing_field", "string_too_short")] | None = None
    title_bn: Title | None = None
    title_en: Title | None = None
    description: LongText | None = None
    description_bn: LongText | None = None
    description_en: LongText | None = None
    language: Annotated[Language, Lower] | None = None
    kind: Annotated[Kind, Lower] | None = None
    consent: Annotated[Consent, Lower] | None = None
    campaign: Annotated[str, Field(max_length=100), Clean, Line] | None = None
    audience: Annotated[str, Field(max_length=200), Clean, Line] | None = None
    producer: Annotated[str, Field(max_length=200), Clean, Line] | None = None
    rights: Annotated[str, Field(max_length=5000), Clean, Prose] | None = None
    topics: Names | None = None
    districts: Names | None = None
    contributors: Names | None = None
    recorded_on: Annotated[Day | None, OnError("invalid_field")] = Field(default=None, description="YYYY-MM-DD")
    valid_until: Annotated[Day | None, OnError("invalid_field")] = Field(
        default=None, description="YYYY-MM-DD; after it the episode cannot be booked")


class EpisodePatch(EpisodeFields):
    """``PATCH /api/v1/episodes/<id>``: the fields to change (``restricted`` a JSON boolean)."""

    restricted: StrictBool | None = None
    reason: Annotated[str, Field(min_length=1, max_length=1000), Clean, Prose] | None = Field(
        default=None, description="why protection is lifted (admins; required to lift it, kept in the audit trail)")

    def changes(self) -> dict[str, Any]:
        """The metadata fields sent (``reason`` is not one: it goes to the audit trail)."""
        return {k: v for k, v in super().changes().items() if k != "reason"}


class UploadForm(EpisodeFields):
    """The metadata fields of ``POST /api/v1/episodes`` (multipart): ``title`` required, the rest optional.

    Validated once the streamed body has arrived (fields may follow the file part); ``restricted`` is a form
    value (true/false, 1/0, yes/no, on/off).
    """

    title: Annotated[str, Field(min_length=1, max_length=300), Clean, Line,
                     OnError("missing_field", "string_too_short")]
    restricted: bool | None = None
    filename: Annotated[str, Field(max_length=1000, description="the file's name (default: the file part's)")] = ""


class UploadRequest(UploadForm):
    """The whole multipart body (documentation: the ``file`` part is streamed to the media store, not parsed)."""

    file: bytes = Field(description="the audio file (MP3, WAV, …), streamed to disk")


class AnalyseBody(Body):
    """``POST /api/v1/episodes/<id>/analyse``."""

    render_only: StrictBool = Field(default=False, description="only a new broadcast rendition (a JSON boolean)")


class AudioQuery(Query):
    """``GET /api/v1/episodes/<id>/audio``."""

    rendition: Annotated[Literal["original", "broadcast"], OnError("invalid_rendition")] = "original"
    download: bool = Field(default=False, description="as an attachment (true/false, 1/0)")
