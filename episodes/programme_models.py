"""Programmes: a rundown of episodes rendered to a slot, whose result is an episode of its own."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from radio.db import Base, Created, IdPk, Updated

PROGRAMME_STATUSES = ("draft", "queued", "rendering", "ready", "failed")  # draft: edited, not rendered since


class Programme(Base):
    """A rundown (its items as asked), the render's provenance (parts, cues) and the episode it became."""

    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint("status IN ('draft','queued','rendering','ready','failed')", name="status"),
    )
    # The rundown an editor changes: its ``rev`` (episodes.programmes.rundown_rev, via radio.versions).
    edit_version_fields: ClassVar[tuple[str, ...]] = ("items", "slot_s", "crossfade_s", "title")

    id: Mapped[IdPk]
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str | None] = mapped_column(String(2))
    kind: Mapped[str | None] = mapped_column(String(20))
    campaign: Mapped[str | None] = mapped_column(String(100))
    slot_s: Mapped[float] = mapped_column(Float)
    crossfade_s: Mapped[float] = mapped_column(Float, default=0.0)
    # [{"episode_id", "in_s", "out_s", "role", "fade_in_s", "fade_out_s", "bed"}], as the producer sent them.
    items: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    error: Mapped[str | None] = mapped_column(Text)
    render_job_id: Mapped[str | None] = mapped_column(String(32))
    # The render's provenance: [{"episode_id", "sha256", "in_s", "out_s", "role", "gain_db", "consent",
    # "restricted"}] and the cue sheet [{"start", "end", "role", "episode_id", "index"}].
    parts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    cues: Mapped[list[Any]] = mapped_column(JSON, default=list)
    episode_id: Mapped[str | None] = mapped_column(ForeignKey("episodes.id", ondelete="SET NULL"), index=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]
