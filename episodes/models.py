"""Episodes: one uploaded awareness segment with its technical and editorial metadata."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from radio.db import Base, Created, IdPk, JsonDict, JsonList, Updated
from radio.text_index import keep_masked_copy, masked_default

KINDS = ("drama", "psa", "talk", "interview", "call_in", "song", "jingle", "other")
LANGUAGES = ("bn", "en")
CONSENTS = ("broadcast", "research_only", "none")
# The episode's own searchable text, in the order the index joins it.
SEARCHED_FIELDS = ("title", "title_bn", "title_en", "description", "description_bn", "description_en")


class EpisodeStatus(enum.StrEnum):
    """Where an episode is in its life: uploaded → analysing → ready (or failed)."""

    UPLOADED = "uploaded"
    ANALYSING = "analysing"
    READY = "ready"
    FAILED = "failed"


def default_consent(kind: str) -> str:
    """Produced kinds may be broadcast; interviews and call-ins need explicit consent."""
    return "none" if kind in ("interview", "call_in") else "broadcast"


class Episode(Base):
    """An awareness segment: the original audio (by SHA-256), analysis results and editorial metadata."""

    __tablename__ = "episodes"
    __table_args__ = (
        CheckConstraint("language IN ('bn','en')", name="language"),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in KINDS)})", name="kind"),
        CheckConstraint("consent IN ('broadcast','research_only','none')", name="consent"),
        CheckConstraint("status IN ('uploaded','analysing','ready','failed')", name="status"),
        Index("ix_episodes_campaign_kind", "campaign", "kind"),
        Index("ix_episodes_status_created", "status", "created_at"),
    )
    # What a PATCH changes (episodes.metadata.FIELDS): its ETag for If-Match (radio.versions); analysis is not in it.
    edit_version_fields: ClassVar[tuple[str, ...]] = (
        "title", "title_bn", "title_en", "description", "description_bn", "description_en", "language", "kind",
        "consent", "campaign", "audience", "producer", "rights", "topics", "districts", "contributors",
        "restricted", "recorded_on", "valid_until")

    id: Mapped[IdPk]
    # Editorial metadata (all text NFC-normalised by the services).
    title: Mapped[str] = mapped_column(String(300))
    title_bn: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_bn: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(2), default="bn")
    kind: Mapped[str] = mapped_column(String(20), default="other")
    campaign: Mapped[str] = mapped_column(String(100), default="", index=True)
    topics: Mapped[JsonList]
    districts: Mapped[JsonList]
    audience: Mapped[str] = mapped_column(String(200), default="")
    producer: Mapped[str] = mapped_column(String(200), default="")
    contributors: Mapped[JsonList]
    rights: Mapped[str] = mapped_column(Text, default="")
    consent: Mapped[str] = mapped_column(String(20), default="broadcast")
    restricted: Mapped[bool] = mapped_column(default=False, index=True)
    recorded_on: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    # Derived by the services for portable filtering and search (NFC + casefold; "|dhaka|narsingdi|").
    search_text: Mapped[str] = mapped_column(Text, default="")
    district_keys: Mapped[str] = mapped_column(String(2000), default="")
    # The searchable document (SEARCHED_FIELDS joined by a space) with contact details masked, NULL when nothing
    # is masked: what non-admins search (radio.text_index).
    redacted_document: Mapped[str | None] = mapped_column(Text, default=masked_default(*SEARCHED_FIELDS))

    # The original file: stored by hash; the client's file name is kept only as text.
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(500), default="")
    media_suffix: Mapped[str] = mapped_column(String(10), default="")
    mime_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)

    # Technical metadata (mutagen first, the decoder where mutagen cannot).
    format: Mapped[str] = mapped_column(String(40), default="")
    codec: Mapped[str] = mapped_column(String(40), default="")
    duration_s: Mapped[float | None] = mapped_column(Float)
    sample_rate: Mapped[int | None]
    channels: Mapped[int | None]
    bitrate: Mapped[int | None]
    tags: Mapped[JsonDict]

    # Analysis (a job after upload).
    status: Mapped[str] = mapped_column(String(12), default=EpisodeStatus.UPLOADED)
    analysis_error: Mapped[str | None] = mapped_column(Text)
    analysis_job_id: Mapped[str | None] = mapped_column(String(32))
    loudness_lufs: Mapped[float | None] = mapped_column(Float)
    loudness_range_lu: Mapped[float | None] = mapped_column(Float)
    true_peak_dbtp: Mapped[float | None] = mapped_column(Float)
    cue_in_s: Mapped[float | None] = mapped_column(Float)
    cue_out_s: Mapped[float | None] = mapped_column(Float)
    peaks: Mapped[list[Any]] = mapped_column(JSON, default=list)

    # Broadcast rendition (normalised MP3 in the media store).
    broadcast_sha256: Mapped[str | None] = mapped_column(String(64))
    broadcast_size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    broadcast_duration_s: Mapped[float | None] = mapped_column(Float)
    broadcast_lufs: Mapped[float | None] = mapped_column(Float)
    broadcast_true_peak_dbtp: Mapped[float | None] = mapped_column(Float)
    broadcast_gain_db: Mapped[float | None] = mapped_column(Float)

    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]


keep_masked_copy(Episode, "redacted_document", SEARCHED_FIELDS)
