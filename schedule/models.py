"""Partner stations, broadcasts (one-off or RRULE series), per-occurrence overrides and listener feedback."""

from __future__ import annotations

import datetime as dt
import enum
from typing import ClassVar

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from episodes.models import Episode
from radio.db import Base, Created, IdPk, JsonList, Updated
from radio.models import User
from radio.text_index import keep_masked_copy, masked_default

# Local wall times are kept as ISO text without offset ("2026-03-06T20:00:00"): a series is defined on the
# wall clock of its time zone (RFC 5545), so its occurrences keep their local hour across DST changes.
LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"


class BroadcastStatus(enum.StrEnum):
    """A booking is confirmed until it is cancelled (cancelled ones stay in feeds for a while)."""

    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Station(Base):
    """A partner community radio station."""

    __tablename__ = "stations"
    # What a PATCH changes: its ETag for If-Match (radio.versions); token rotations and calendar bumps are not in it.
    edit_version_fields: ClassVar[tuple[str, ...]] = (
        "name", "name_bn", "timezone", "district", "frequency", "contact", "gateway")

    id: Mapped[IdPk]
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_bn: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Dhaka")
    district: Mapped[str] = mapped_column(String(100), default="")
    frequency: Mapped[str] = mapped_column(String(40), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    feed_token_version: Mapped[int] = mapped_column(default=1)
    # Bumped by database triggers (migration schedule_0002) on every insert, update or delete of the station's
    # broadcasts, overrides and feedback: the calendar's validator reads one row instead of all its bookings.
    calendar_version: Mapped[int] = mapped_column(default=0, server_default="0")
    feed_rotated_at: Mapped[dt.datetime | None]
    # The inbound SMS gateway: its kind, and the version of the webhook secret derived from the secret key
    # (0: none issued yet, the hook refuses everything; rotating bumps it and the old secret stops working).
    gateway: Mapped[str] = mapped_column(String(10), default="json", server_default="json")
    webhook_secret_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]


class StationMember(Base):
    """The station a station user reports for: kept with the stations so the core knows nothing of them."""

    __tablename__ = "station_members"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[Created]

    # ``user.station_member`` (a backref: the core's User model does not name this table).
    user: Mapped[User] = relationship(backref=backref("station_member", uselist=False, cascade="all, delete-orphan"))


class Broadcast(Base):
    """One booking of an episode on a station: a single airing, or a series when ``rrule`` is set."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint("status IN ('confirmed','cancelled')", name="status"),
        CheckConstraint("duration_s > 0", name="duration"),
        Index("ix_broadcasts_station_starts", "station_id", "starts_at"),
        # Cover the feed's validator (last change, visible cancellations) so a 304 reads no table rows.
        Index("ix_broadcasts_station_updated", "station_id", "updated_at"),
        Index("ix_broadcasts_station_cancelled", "station_id", "cancelled_at"),
        # The episodes a station's calendar shows (the validator's newest episode change), read from the index.
        Index("ix_broadcasts_station_episode", "station_id", "episode_id"),
    )
    # SEQUENCE grows with every change of the booking, its occurrences or its feedback (bookings.touch): the
    # version an edit's If-Match is checked against (radio.versions).
    edit_version_fields: ClassVar[tuple[str, ...]] = ("sequence", "status")

    id: Mapped[IdPk]
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="RESTRICT"))
    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id", ondelete="RESTRICT"), index=True)
    tzid: Mapped[str] = mapped_column(String(64))
    local_start: Mapped[str] = mapped_column(String(19))  # wall time of the first occurrence
    starts_at: Mapped[dt.datetime]  # the first occurrence in UTC
    duration_s: Mapped[float] = mapped_column(Float)
    rrule: Mapped[str | None] = mapped_column(String(500))
    exdates: Mapped[JsonList]  # wall times of skipped occurrences
    series_end: Mapped[dt.datetime | None]  # end of the last occurrence in UTC; None: the series has no end
    status: Mapped[str] = mapped_column(String(10), default=BroadcastStatus.CONFIRMED)
    cancelled_at: Mapped[dt.datetime | None]
    sequence: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]

    station: Mapped[Station] = relationship(lazy="joined", innerjoin=True)
    episode: Mapped[Episode] = relationship(lazy="joined", innerjoin=True, foreign_keys=[episode_id])
    overrides: Mapped[list[BroadcastOverride]] = relationship(
        back_populates="broadcast", cascade="all, delete-orphan", order_by="BroadcastOverride.recurrence_key")

    @property
    def uid(self) -> str:
        """The iCalendar UID: stable for the life of the booking."""
        return f"{self.id}@ashshash-radio"


class BroadcastOverride(Base):
    """One occurrence of a series moved or changed (iCalendar ``RECURRENCE-ID``)."""

    __tablename__ = "broadcast_overrides"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "recurrence_key", name="uq_broadcast_overrides_occurrence"),
        Index("ix_broadcast_overrides_station_episode", "station_id", "episode_id"),
    )

    id: Mapped[IdPk]
    broadcast_id: Mapped[str] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True)
    # The broadcast's station (it never changes): the episodes a station's calendar shows, without a join.
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="RESTRICT"))
    recurrence_key: Mapped[str] = mapped_column(String(19))  # original wall time of the occurrence
    local_start: Mapped[str] = mapped_column(String(19))
    starts_at: Mapped[dt.datetime]
    duration_s: Mapped[float] = mapped_column(Float)
    episode_id: Mapped[str | None] = mapped_column(ForeignKey("episodes.id", ondelete="RESTRICT"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]

    broadcast: Mapped[Broadcast] = relationship(back_populates="overrides")


class FeedbackReport(Base):
    """Listener response to one occurrence; a correction adds a row and the earlier one stops being current."""

    __tablename__ = "feedback_reports"
    __table_args__ = (
        CheckConstraint("calls >= 0 AND sms >= 0 AND missed_calls >= 0 AND letters >= 0 AND in_person >= 0",
                        name="counts"),
        Index("ix_feedback_reports_occurrence", "broadcast_id", "occurrence_key"),
        Index("ix_feedback_reports_station_start", "station_id", "occurrence_start"),
        # The reach report sums current feedback per station and local month from this index alone.
        Index("ix_feedback_reports_report", "station_id", "current", "occurrence_start", "episode_id", "calls", "sms",
              "missed_calls", "letters", "in_person"),
    )

    id: Mapped[IdPk]
    broadcast_id: Mapped[str] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="RESTRICT"))
    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id", ondelete="RESTRICT"), index=True)
    occurrence_key: Mapped[str] = mapped_column(String(19))  # original wall time (the RECURRENCE-ID)
    occurrence_start: Mapped[dt.datetime]  # when it actually aired, UTC
    calls: Mapped[int] = mapped_column(default=0)
    sms: Mapped[int] = mapped_column(default=0)
    missed_calls: Mapped[int] = mapped_column(default=0)
    letters: Mapped[int] = mapped_column(default=0)
    in_person: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    current: Mapped[bool] = mapped_column(default=True)
    reported_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Created]


class CalendarFragment(Base):
    """A broadcast's rendered, folded VEVENT block(s), reused while the fingerprint of its inputs is unchanged."""

    __tablename__ = "calendar_fragments"

    broadcast_id: Mapped[str] = mapped_column(String(32), ForeignKey("broadcasts.id", ondelete="CASCADE"),
                                              primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # hash of everything the block shows (see fragments.py)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[Updated]


FEEDBACK_COUNTS = ("calls", "sms", "missed_calls", "letters", "in_person")


AIRING_STATUSES = ("aired", "partial", "missed")
MISS_REASONS = ("power_cut", "technical", "preempted", "other")
AIRING_VIA = ("web", "api", "sms")


class AiringReport(Base):
    """Whether one occurrence aired: a correction adds a row and the earlier one stops being current (history)."""

    __tablename__ = "airing_reports"
    __table_args__ = (
        CheckConstraint("status IN ('aired','partial','missed')", name="status"),
        CheckConstraint("via IN ('web','api','sms')", name="via"),
        CheckConstraint("reason IS NULL OR reason IN ('power_cut','technical','preempted','other')", name="reason"),
        Index("ix_airing_reports_occurrence", "broadcast_id", "occurrence_key"),
        Index("ix_airing_reports_station_start", "station_id", "occurrence_start"),
        Index("ix_airing_reports_current", "broadcast_id", "current", "occurrence_key", "status", "reason"),
    )

    id: Mapped[IdPk]
    broadcast_id: Mapped[str] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="RESTRICT"))
    occurrence_key: Mapped[str] = mapped_column(String(19))  # original wall time (the RECURRENCE-ID)
    occurrence_start: Mapped[dt.datetime]  # planned start, UTC
    status: Mapped[str] = mapped_column(String(10))
    aired_at: Mapped[dt.datetime | None]  # actual start as reported
    reason: Mapped[str | None] = mapped_column(String(20))
    via: Mapped[str] = mapped_column(String(5))
    notes: Mapped[str] = mapped_column(Text, default="")
    current: Mapped[bool] = mapped_column(default=True)
    confirmed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Created]


MESSAGE_KINDS = ("sms", "missed_call")
MESSAGE_PURPOSES = ("feedback", "confirmation", "unknown_code")


class InboundMessage(Base):
    """One SMS or missed call from a station's gateway: counted once (unique provider id), sender only hashed."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("station_id", "provider", "provider_id", name="uq_inbound_messages_provider_id"),
        CheckConstraint("kind IN ('sms','missed_call')", name="kind"),
        CheckConstraint("purpose IN ('feedback','confirmation','unknown_code')", name="purpose"),
        Index("ix_inbound_messages_station_at", "station_id", "at"),
        Index("ix_inbound_messages_occurrence", "broadcast_id", "occurrence_key"),
        # The reach report counts messages and their senders from this index alone (no wide rows read).
        Index("ix_inbound_messages_report", "station_id", "purpose", "kind", "local_day", "episode_id",
              "sender_hash"),
    )

    id: Mapped[IdPk]
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="RESTRICT"))
    provider: Mapped[str] = mapped_column(String(10))  # twilio | json
    provider_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(12))
    sender_hash: Mapped[str] = mapped_column(String(64))  # HMAC of the number with the secret key
    text: Mapped[str] = mapped_column(Text, default="")
    # ``text`` with contact details masked, NULL when nothing is masked: what researchers search (radio.text_index).
    redacted_text: Mapped[str | None] = mapped_column(Text, default=masked_default("text"))
    at: Mapped[dt.datetime]  # the message's time (the provider's when plausible, else its arrival)
    local_day: Mapped[str] = mapped_column(String(10))  # the station-local date of ``at``
    purpose: Mapped[str] = mapped_column(String(14))
    broadcast_id: Mapped[str | None] = mapped_column(ForeignKey("broadcasts.id", ondelete="SET NULL"))
    occurrence_key: Mapped[str | None] = mapped_column(String(19))
    episode_id: Mapped[str | None] = mapped_column(ForeignKey("episodes.id", ondelete="SET NULL"))
    created_at: Mapped[Created]  # arrival


keep_masked_copy(InboundMessage, "redacted_text", ("text",))
