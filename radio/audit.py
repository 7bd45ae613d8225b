"""The tamper-evident audit trail: who did what and when to protection, roles, tokens, transcripts, evidence.

``audit_log`` is append-only (database triggers refuse UPDATE and DELETE). Each row holds the SHA-256 of
the row before it (``prev_hash``; the first row's is 64 zeros) and its own ``hash`` over a canonical JSON of
its fields, so an edited, inserted or removed row breaks the chain at that point; :func:`verify_chain` (run
by ``radio verify``) names the first broken row. Writers are serialised so the chain never forks:
PostgreSQL takes a table lock that only audit writers contend for, SQLite the database's write lock.

Removing the *newest* rows leaves a shorter chain that still holds, so the chain alone cannot show it. The
anchor does: after every commit that appended rows, the process writes the head it committed (id and hash)
to ``audit-anchor.json`` in the home (0600, atomically, never moving backwards), outside the database.
``radio verify`` then requires the anchored row to still be there with the anchored hash: a trail cut back
(or emptied by TRUNCATE, or rebuilt from some row on) is reported. Limits: the anchor knows only what this
home's processes committed — with web processes on two machines each home has its own anchor and rows
written after a home's last audited change are covered only by the other home's anchor; someone who can
write the service user's home can rewrite the anchor too (it guards against tampering through the database,
e.g. its owner's credentials, not against the service account itself); a missing anchor is a warning
(a fresh or restored home has none until its first audited change).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from radio.db import retry_busy, utcnow
from radio.errors import InvalidInput
from radio.models import AuditEntry, User
from radio.transactions import on_commit

log = logging.getLogger(__name__)
GENESIS = "0" * 64
ANCHOR_FILE = "audit-anchor.json"
ANCHOR_INFO = "radio.audit_anchor"  # session.info key: the anchor file of the sessions' home
TYPED_MAX = 320  # what a failed sign-in's typed account name is cut to
MAX_PER_PAGE = 100
ACTIONS = (
    "episode.protection", "episode.protection_loosened", "user.created", "user.role", "user.station",
    "user.active", "token.created", "token.revoked", "station.feed_token_rotated", "transcript.corrected",
    "evidence.exported", "transcript.read_restricted", "audio.read_restricted", "airing.confirmed",
    "airing.make_good_booked", "auth.login_failed", "coding.listed_restricted",
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
    anchor = session.info.get(ANCHOR_INFO)
    if anchor is not None:
        position, digest = entry.id, entry.hash
        on_commit(session, lambda: write_anchor(Path(anchor), position, digest))
    return entry


def record_apart(sessions: sessionmaker[Session], actor: User | str | None, action: str, subject_type: str,
                 subject_id: str, details: Mapping[str, Any] | None = None) -> None:
    """Append one row in a transaction of its own, committed at once: for events the caller's transaction
    does not keep (a failed sign-in answers 401, and the request's work rolls back)."""

    def work() -> None:
        with sessions() as session, session.begin():
            record(session, actor, action, subject_type, subject_id, details)

    retry_busy(work)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def typed_text(value: str, limit: int = TYPED_MAX) -> str:
    """Text a stranger typed, as the trail keeps it: control and invisible characters shown as U+FFFD,
    cut to ``limit`` characters (with "…" when cut)."""
    cleaned = _CONTROL.sub("\ufffd", value[: limit + 1])
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def record_failed_login(sessions: sessionmaker[Session], typed_account: str, address: str) -> None:
    """A sign-in with a wrong password or an unknown account: the account as typed and the client address
    (never the password)."""
    account = typed_text(typed_account)
    record_apart(sessions, "anonymous", "auth.login_failed", "account", account.strip().lower()[:64],
                 {"account": account, "address": typed_text(address, 64)})


def write_anchor(path: Path, position: int, digest: str) -> None:
    """Keep ``(position, digest)`` as the trail's committed head in ``path`` unless a later one is there.

    Runs after the commit: a failure is logged (``radio verify`` then sees an older anchor, still valid),
    never raised into a change that is already committed.
    """
    try:
        with open(path.with_name(path.name + ".lock"), "a", opener=_private) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent committers: the anchor only moves forwards
            current = read_anchor(path)
            if current is not None and current[0] >= position:
                return
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with open(tmp, "w", encoding="utf-8", opener=_private) as out:
                json.dump({"id": position, "hash": digest}, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not write the audit anchor %s: %s", path, exc)


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def read_anchor(path: Path) -> tuple[int, str] | None:
    """The anchored head ``(id, hash)``, or None when there is no (readable) anchor."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return int(data["id"]), str(data["hash"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_anchor(session: Session, path: Path) -> tuple[bool, str] | None:
    """Compare the trail with its anchor: None when they agree, else ``(fatal, why)``."""
    anchored = read_anchor(path)
    if anchored is None:
        if path.exists():
            return True, f"the audit anchor {path} cannot be read"
        rows = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        return (False, f"no audit anchor in the home yet ({rows} rows not anchored; written on the next audited "
                       "change)") if rows else None
    position, digest = anchored
    row = session.get(AuditEntry, position)
    if row is None:
        head = session.scalar(select(func.max(AuditEntry.id)))
        return True, (f"row {position} was committed (anchor {digest[:12]}…) but the trail now ends at "
                      f"{head if head is not None else 'nothing'}: the newest rows were removed")
    if row.hash != digest:
        return True, f"row {position} is not the row that was committed (anchor {digest[:12]}…): the trail was rebuilt"
    return None


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
