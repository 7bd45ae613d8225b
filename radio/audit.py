"""The tamper-evident audit trail: who did what and when to protection, roles, tokens, transcripts, evidence.

``audit_log`` is append-only (database triggers refuse UPDATE and DELETE). Each row holds the SHA-256 of
the row before it (``prev_hash``; the first row's is 64 zeros) and its own ``hash`` over a canonical JSON of
its fields, so an edited, inserted or removed row breaks the chain at that point; :func:`verify_chain` (run
by ``radio verify``) names the first broken row. Writers are serialised so the chain never forks:
PostgreSQL takes a table lock that only audit writers contend for, SQLite the database's write lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from radio.db import utcnow
from radio.errors import InvalidInput
from radio.models import AuditEntry, User

GENESIS = "0" * 64
MAX_PER_PAGE = 100
ACTIONS = (
    "episode.protection", "episode.protection_loosened", "user.created", "user.role", "user.station",
    "user.active", "token.created", "token.revoked", "station.feed_token_rotated", "transcript.corrected",
    "evidence.exported", "transcript.read_restricted", "audio.read_restricted", "airing.confirmed",
    "airing.make_good_booked",
)


def actor_of(user: User | None) -> str:
    """How the trail names who acted: the user's e-mail, or ``cli`` for the operator's shell."""
    return user.email if user is not None else "cli"


def _canonical_time(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(entry: AuditEntry) -> str:
    """The SHA-256 of a row's canonical JSON (every field but ``hash``, ``prev_hash`` included)."""
    doc = {"id": entry.id, "at": _canonical_time(entry.at), "actor": entry.actor, "action": entry.action,
           "subject_type": entry.subject_type, "subject_id": entry.subject_id, "details": entry.details,
           "prev_hash": entry.prev_hash}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode("utf-8")).hexdigest()


def _serialise_writers(session: Session) -> None:
    # Taken before reading the chain's head, held until the caller's transaction ends.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))
    else:  # a write statement takes SQLite's database write lock (no row matches, no trigger fires)
        session.execute(text("UPDATE audit_log SET actor = actor WHERE 1 = 0"))


def record(session: Session, actor: User | str | None, action: str, subject_type: str, subject_id: str,
           details: Mapping[str, Any] | None = None) -> AuditEntry:
    """Append one row to the trail in the caller's transaction (it commits or rolls back with the change)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    _serialise_writers(session)
    head = session.execute(select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    entry = AuditEntry(
        id=(head[0] + 1) if head else 1, at=utcnow(),
        actor=actor if isinstance(actor, str) else actor_of(actor), action=action,
        subject_type=subject_type, subject_id=str(subject_id)[:64],
        details=json.dumps(dict(details or {}), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=str),
        prev_hash=head[1] if head else GENESIS)
    entry.hash = row_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass
class ChainReport:
    """What :func:`verify_chain` found: rows checked and the first broken one (None when intact)."""

    rows: int
    broken_id: int | None = None
    reason: str = ""


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Walk the trail in id order; the first row whose hash or link does not hold is reported."""
    prev, count, after = GENESIS, 0, 0
    while True:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.id > after)
                                    .order_by(AuditEntry.id).limit(batch)))
        if not rows:
            return ChainReport(rows=count)
        for entry in rows:
            count += 1
            if entry.prev_hash != prev:
                return ChainReport(count, entry.id, "its prev_hash is not the hash of the row before it "
                                                    "(a row was changed, inserted or removed)")
            if row_hash(entry) != entry.hash:
                return ChainReport(count, entry.id, "its content no longer matches its hash")
            prev, after = entry.hash, entry.id


@dataclass
class AuditPage:
    """One page of the trail, newest first."""

    items: list[AuditEntry]
    total: int


def entry_dict(entry: AuditEntry) -> dict[str, Any]:
    """A row as the API shows it."""
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor, "action": entry.action,
            "subject_type": entry.subject_type, "subject_id": entry.subject_id, "details": json.loads(entry.details),
            "prev_hash": entry.prev_hash, "hash": entry.hash}


def list_entries(session: Session, *, actor: str | None = None, action: str | None = None,
                 subject_type: str | None = None, subject_id: str | None = None, date_from: dt.datetime | None = None,
                 date_to: dt.datetime | None = None, page: int = 1, per_page: int = 50) -> AuditPage:
    """Filter the trail (exact matches; ``date_from``/``date_to`` inclusive), newest first."""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"page must be ≥ 1 and per_page between 1 and {MAX_PER_PAGE}", code="invalid_page",
                           details={"field": "page"})
    query = select(AuditEntry)
    for column, value in ((AuditEntry.actor, actor), (AuditEntry.action, action),
                          (AuditEntry.subject_type, subject_type), (AuditEntry.subject_id, subject_id)):
        if value:
            query = query.where(column == value)
    if date_from is not None:
        query = query.where(AuditEntry.at >= date_from)
    if date_to is not None:
        query = query.where(AuditEntry.at <= date_to)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(session.scalars(query.order_by(AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page)))
    return AuditPage(items=items, total=int(total))
