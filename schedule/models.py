"""Partner stations."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from radio.db import Base, Created, IdPk, Updated


class Station(Base):
    """A partner community radio station."""

    __tablename__ = "stations"

    id: Mapped[IdPk]
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_bn: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Dhaka")
    district: Mapped[str] = mapped_column(String(100), default="")
    frequency: Mapped[str] = mapped_column(String(40), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    feed_token_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]
