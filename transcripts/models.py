"""Transcripts: one current Whisper transcript per episode, its segments and their human corrections."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radio.db import Base, Created, IdPk, JsonDict, UTCDateTime
from radio.text_index import keep_masked_copy, masked_default


class Transcript(Base):
    """The current machine transcript of an episode with its provenance; a re-run replaces it whole."""

    __tablename__ = "transcripts"

    id: Mapped[IdPk]
    # Unique: one current transcript per episode (a re-run deletes the old one in the same transaction).
    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"), unique=True)
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8), default="")
    language_probability: Mapped[float | None] = mapped_column(Float)
    duration_s: Mapped[float | None] = mapped_column(Float)

    # Provenance: what was transcribed, by which model and code, how, where and when.
    audio_sha256: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(200))
    model_sha256: Mapped[str] = mapped_column(String(64))
    params: Mapped[JsonDict]
    backend: Mapped[str] = mapped_column(String(40), default="faster-whisper")
    faster_whisper_version: Mapped[str] = mapped_column(String(40), default="")
    ctranslate2_version: Mapped[str] = mapped_column(String(40), default="")
    worker_host: Mapped[str] = mapped_column(String(200), default="")
    # Corrections made so far; the n-th correction of any segment moves the transcript to revision n.
    revision: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[Created]

    segments: Mapped[list[Segment]] = relationship(
        back_populates="transcript", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Segment.idx",
    )


class Segment(Base):
    """A timed stretch of speech; ``text`` is the current (corrected) text, ``machine_text`` Whisper's."""

    __tablename__ = "segments"
    __table_args__ = (
        UniqueConstraint("transcript_id", "idx"),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence"),
        CheckConstraint('"end" >= start', name="times"),
        Index("ix_segments_episode_start", "episode_id", "start"),
    )

    id: Mapped[IdPk]
    transcript_id: Mapped[str] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    # Denormalised so that search and evidence queries need not join transcripts.
    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    idx: Mapped[int]
    start: Mapped[float] = mapped_column(Float)  # seconds from the start of the audio
    end: Mapped[float] = mapped_column(Float)  # note: "end" is a reserved word; quote it in raw SQL
    text: Mapped[str] = mapped_column(Text, default="")
    # ``text`` with contact details masked, NULL when nothing is masked: what non-admins search (radio.text_index).
    redacted_text: Mapped[str | None] = mapped_column(Text, default=masked_default("text"))
    machine_text: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    avg_logprob: Mapped[float] = mapped_column(Float, default=0.0)
    no_speech_prob: Mapped[float] = mapped_column(Float, default=0.0)
    words: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"start", "end", "word", "probability"}]
    needs_review: Mapped[bool] = mapped_column(default=False)
    revision: Mapped[int] = mapped_column(default=0)  # 0 = machine output, n = n-th correction

    transcript: Mapped[Transcript] = relationship(back_populates="segments")
    revisions: Mapped[list[SegmentRevision]] = relationship(
        back_populates="segment", cascade="all, delete-orphan", passive_deletes=True,
        order_by="SegmentRevision.revision",
    )


keep_masked_copy(Segment, "redacted_text", ("text",))


class SegmentRevision(Base):
    """One human correction of a segment: the text it set, who set it and when."""

    __tablename__ = "segment_revisions"
    __table_args__ = (UniqueConstraint("segment_id", "revision"),)

    id: Mapped[IdPk]
    segment_id: Mapped[str] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]  # per segment: 1, 2, ...
    transcript_revision: Mapped[int]  # the transcript's revision this correction created
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[Created]

    segment: Mapped[Segment] = relationship(back_populates="revisions")

