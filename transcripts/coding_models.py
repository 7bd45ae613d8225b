"""Qualitative coding: a researchers' codebook and the codes attached to transcript segments."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radio.db import Base, Created, IdPk, Updated
from transcripts.models import Segment


def new_guid() -> str:
    """A REFI-QDA GUID (upper-case UUID with dashes)."""
    return str(uuid.uuid4()).upper()


class Code(Base):
    """A code of the codebook, e.g. "broker recruitment"; ``guid`` identifies it in REFI-QDA exports."""

    __tablename__ = "codes"

    id: Mapped[IdPk]
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    name: Mapped[str] = mapped_column(String(200))
    # NFC + case-folded name: names are unique regardless of case.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="#808080")
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("codes.id", ondelete="SET NULL"), index=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]

    applications: Mapped[list[SegmentCode]] = relationship(
        back_populates="code", cascade="all, delete-orphan", passive_deletes=True
    )


class SegmentCode(Base):
    """A code attached to a segment with the researcher's memo and the text as it read then."""

    __tablename__ = "segment_codes"
    __table_args__ = (
        UniqueConstraint("segment_id", "code_id", name="segment_code"),
        Index("ix_segment_codes_code_episode", "code_id", "episode_id"),
    )

    id: Mapped[IdPk]
    segment_id: Mapped[str] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[str] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    # Denormalised so that coded evidence can be listed per episode without joining segments.
    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    memo: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")  # the segment's text when it was coded
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]

    code: Mapped[Code] = relationship(back_populates="applications")
    segment: Mapped[Segment] = relationship()
