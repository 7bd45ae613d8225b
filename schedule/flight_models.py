"""Flights: a campaign's plan of airings across stations, proposed as concrete bookings and accepted at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from radio.db import Base, Created, IdPk, Updated


class Flight(Base):
    """A flight: what was asked, the proposed airings, each station's calendar version when proposed."""

    __tablename__ = "flights"
    __table_args__ = (CheckConstraint("status IN ('proposed','accepted','cancelled')", name="status"),)

    id: Mapped[IdPk]
    campaign: Mapped[str] = mapped_column(String(100), default="", index=True)
    stations: Mapped[list[Any]] = mapped_column(JSON, default=list)  # slugs
    episodes: Mapped[list[Any]] = mapped_column(JSON, default=list)  # episode ids (the creatives)
    per_week: Mapped[int]
    date_from: Mapped[dt.date] = mapped_column(Date)
    date_to: Mapped[dt.date] = mapped_column(Date)
    windows: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [{"station", "episode_id", "start" (local wall time), "start_utc", "end_utc"}]
    proposed: Mapped[list[Any]] = mapped_column(JSON, default=list)
    unplaced: Mapped[list[Any]] = mapped_column(JSON, default=list)
    station_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # slug → calendar_version
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    broadcast_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]
