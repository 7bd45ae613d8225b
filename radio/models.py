"""Core tables: users, API tokens and job records."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radio.db import Base, Created, IdPk, JsonDict, JsonList, Updated


class Role(enum.StrEnum):
    """What a user may do."""

    PRODUCER = "producer"
    STATION = "station"
    RESEARCHER = "researcher"
    ADMIN = "admin"


class JobStatus(enum.StrEnum):
    """Life of a job row."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class User(Base):
    """A person or system that signs in with a password (web) or a token (API)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('producer','station','researcher','admin')", name="role"),)

    id: Mapped[IdPk]
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    # Web sessions carry it; signing out or a new password bumps it, ending every session of the user.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def has_role(self, *roles: str) -> bool:
        """True when the user is an admin or has one of ``roles``."""
        return self.role == Role.ADMIN or self.role in roles


class ApiToken(Base):
    """An API token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[IdPk]
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[Created]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")


class Job(Base):
    """A unit of background work with its status, so any process can report on it."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued','running','done','failed')", name="status"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
        Index("ix_jobs_status_kind", "status", "kind"),
    )

    id: Mapped[IdPk]
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[JsonDict]
    result: Mapped[JsonDict]
    subject_id: Mapped[str | None] = mapped_column(String(32), index=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(default=0)
    worker: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[dt.datetime | None]
    created_at: Mapped[Created]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]

    def to_dict(self) -> dict[str, Any]:
        """The job as the API shows it."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": round(self.progress, 4),
            "error": self.error,
            "subject_id": self.subject_id,
            "attempts": self.attempts,
            "result": self.result,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


class WorkerProcess(Base):
    """A running (or lately stopped) ``radio worker`` / ``radio serve`` consumer and its last heartbeat."""

    __tablename__ = "workers"
    __table_args__ = (CheckConstraint("state IN ('running','stopping','stopped')", name="state"),)

    id: Mapped[IdPk]
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int]
    mode: Mapped[str] = mapped_column(String(10), default="worker")
    threads: Mapped[int] = mapped_column(default=1)
    queue: Mapped[str] = mapped_column(String(20), default="")
    whisper_model: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(10), default="running")
    interval_s: Mapped[float] = mapped_column(Float, default=5.0)
    current_jobs: Mapped[JsonList]
    jobs_done: Mapped[int] = mapped_column(default=0)
    jobs_failed: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[Created]
    heartbeat_at: Mapped[dt.datetime] = mapped_column(index=True)
    stopped_at: Mapped[dt.datetime | None]


class AuditEntry(Base):
    """One row of the append-only audit trail; ``hash`` chains it to the row before (see :mod:`radio.audit`)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # the chain position
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(320), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed exactly as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class RateLimitBucket(Base):
    """The recent hits of one rate-limit key, shared by every web process (see :mod:`radio.rate_limit`)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)  # "<name>:<SHA-256 of the value>", no PII
    hits: Mapped[str] = mapped_column(Text, default="")  # microsecond epoch stamps, oldest first, space-separated
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)  # when the newest hit leaves its window
