"""What the API answers (for the OpenAPI document): the main fields of each object; answers may carry more."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from web.schemas.episodes import Consent, Kind, Language


class Answer(BaseModel):
    """An object in an answer: the listed fields and possibly more."""

    model_config = ConfigDict(extra="allow")


class Rendition(Answer):
    """The loudness-normalised broadcast copy of an episode."""

    ready: bool
    sha256: str | None
    url: str | None
    duration_s: float | None
    loudness_lufs: float | None
    true_peak_dbtp: float | None


class Episode(Answer):
    """An episode (SPEC.md: Episode fields)."""

    id: str
    title: str
    description: str
    language: Language
    kind: Kind
    campaign: str
    districts: list[str]
    restricted: bool
    consent: Consent
    sha256: str
    filename: str
    format: str | None
    codec: str | None
    duration_s: float | None
    sample_rate: int | None
    channels: int | None
    bitrate: int | None
    size_bytes: int
    loudness_lufs: float | None
    true_peak_dbtp: float | None
    status: str
    created_at: str
    updated_at: str
    broadcast: Rendition


class EpisodeList(Answer):
    """A page of the library."""

    items: list[Episode]
    total: int
    page: int
    per_page: int


class Job(Answer):
    """A job's status and progress (``GET /api/v1/jobs/<id>``)."""

    id: str
    kind: str
    status: str
    progress: float
    error: str | None


class JobRef(Answer):
    """A queued job to poll."""

    id: str
    status: str


class Queued(Answer):
    """202: the job that was queued."""

    job: JobRef


class User(Answer):
    """A user (never a password hash)."""

    id: str
    email: str
    name: str
    role: str
    station_id: str | None
    active: bool
    created_at: str


class UserList(Answer):
    """Users."""

    items: list[User]


class UserCreated(Answer):
    """A new user and its first API token (shown once)."""

    user: User
    token: str


class NewToken(Answer):
    """A new API token (shown once)."""

    token: str


class Items(Answer):
    """A list of objects (``items``), with ``total`` where the operation counts them."""

    items: list[dict[str, Any]]


class Station(Answer):
    """A station with its secret calendar and podcast URLs (for those who may see them)."""

    id: str
    slug: str
    name: str
    name_bn: str
    timezone: str
    district: str
    frequency: str
    calendar_url: str | None = None


class StationList(Answer):
    """Stations."""

    items: list[Station]


class StaleProgramme(Answer):
    """A booked programme whose parts changed since its render: its airings to come are flagged until it is
    rendered again (each occurrence then carries ``stale: true``)."""

    episode_id: str
    programme_id: str
    reasons: list[str]


class Broadcast(Answer):
    """A booking: one-off or an RRULE series, with its occurrences when a window was asked for."""

    id: str
    uid: str
    station: str
    episode_id: str
    start: str
    local_start: str
    timezone: str
    duration_s: float
    rrule: str | None
    status: str
    sequence: int
    notes: str
    stale_programme: StaleProgramme | None = None


class BroadcastList(Answer):
    """Broadcasts."""

    items: list[Broadcast]
    total: int


class FeedbackReport(Answer):
    """Listener feedback for one occurrence."""

    id: str
    broadcast_id: str
    occurrence: str
    calls: int
    sms: int
    missed_calls: int
    letters: int
    in_person: int
    total: int
    current: bool


class SearchHit(Answer):
    """One matching segment (or an episode's title/description when ``segment_id`` is null)."""

    episode_id: str
    segment_id: str | None
    start: float
    end: float
    snippet: str
    score: float


class SearchRanking(Answer):
    """Relevance ranked only the newest ``ranked`` of ``of`` matches (the rest follow, newest first)."""

    ranked: int
    of: int


class SearchResult(Answer):
    """A page of hits and how many there are (at least, when ``total_exact`` is false)."""

    hits: list[SearchHit]
    total: int
    total_exact: bool
    limit: int
    offset: int
    sort: Literal["relevance", "newest", "oldest"]
    ranking: SearchRanking | None = None


class Code(Answer):
    """A code of the codebook."""

    id: str
    name: str
    description: str
    colour: str
    parent_id: str | None


class Deleted(Answer):
    """What was deleted."""

    deleted: bool


class AuditEntry(Answer):
    """One row of the audit trail: ``hash`` is the SHA-256 of its canonical JSON, ``prev_hash`` the row before's."""

    id: int
    at: str
    actor: str
    action: str
    subject_type: str
    subject_id: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditList(Answer):
    """A page of the audit trail, newest first, and how many rows match."""

    items: list[AuditEntry]
    total: int


class Airing(Answer):
    """One planned occurrence with its status (SPEC: Stations: delivery, confirmation)."""

    broadcast_id: str
    occurrence: str
    start: str
    episode_id: str
    status: str
    aired_at: str | None
    reason: str | None
    confirmed_by: str | None
    via: str | None


class AiringList(Answer):
    """Occurrences with their status."""

    items: list[Airing]
    total: int


class AiringReport(Answer):
    """A confirmation (current or kept as history)."""

    id: str
    broadcast_id: str
    occurrence: str
    status: str
    via: str
    current: bool


class MakeGoodSlot(Answer):
    """The start a make-good would take (null: no free slot at that hour in the next two weeks)."""

    start: str | None


class WebhookSecret(Answer):
    """A station's new webhook secret, shown once, and the URL to configure in its gateway."""

    secret: str
    webhook_url: str
    gateway: str


class InboundMessage(Answer):
    """One SMS or missed call (``text`` only for researchers and admins, redacted for researchers)."""

    id: str
    kind: str
    at: str
    purpose: str
    broadcast_id: str | None
    occurrence: str | None


class InboundMessageList(Answer):
    """A station's latest messages."""

    items: list[InboundMessage]

class ReachReport(Answer):
    """The reach report: its scope, when it was made, totals and the four breakdowns (rows with links)."""

    scope: dict[str, Any]
    generated_at: str
    totals: dict[str, Any]
    by_station: list[dict[str, Any]]
    by_district: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    by_episode: list[dict[str, Any]]


class EvidenceSummary(Answer):
    """Code counts by district, station, kind and month, and redacted quotes with their provenance."""

    scope: dict[str, Any]
    generated_at: str
    totals: dict[str, int]
    codes: list[dict[str, Any]]
    by_district: list[dict[str, Any]]
    by_station: list[dict[str, Any]]
    by_kind: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
