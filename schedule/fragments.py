"""Stored calendar fragments: each broadcast's rendered VEVENT block(s), kept with a fingerprint of their inputs.

A calendar render reads every broadcast's inputs anyway; hashing them tells whether the stored block is still
what icalendar would produce. Only stale blocks are rendered again, and they are stored back in a short write
transaction of their own (the feed itself is read in a read-only session), so a render of 10,000 broadcasts is
a few queries and a concatenation. A block can never be served stale: the fingerprint covers every value it
shows, the feed URL's token and base URL, and the render format (with the icalendar version).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from radio.db import utcnow
from radio.runtime import Runtime
from schedule.ical import RENDER_FORMAT
from schedule.models import CalendarFragment

log = logging.getLogger(__name__)
_SALT = f"{RENDER_FORMAT}|".encode()
_CHUNK = 500


@dataclass(frozen=True)
class Fragment:
    """A freshly rendered block, to be stored for the next render."""

    broadcast_id: str
    fingerprint: str
    body: bytes


def fingerprint(*inputs: Any) -> str:
    """A digest of everything one broadcast's events show (``repr`` of plain values: stable across processes)."""
    return hashlib.blake2b(_SALT + repr(inputs).encode(), digest_size=20).hexdigest()


def store_fragments(session: Session, fragments: Sequence[Fragment]) -> None:
    """Insert or replace the stored blocks (in broadcast-id order, so concurrent writers never deadlock)."""
    if not fragments:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(CalendarFragment)
    stmt = stmt.on_conflict_do_update(index_elements=[CalendarFragment.broadcast_id], set_={
        "fingerprint": stmt.excluded.fingerprint, "body": stmt.excluded.body, "updated_at": stmt.excluded.updated_at})
    now = utcnow()
    rows = [{"broadcast_id": f.broadcast_id, "fingerprint": f.fingerprint, "body": f.body, "updated_at": now}
            for f in sorted(fragments, key=lambda f: f.broadcast_id)]
    for start in range(0, len(rows), _CHUNK):
        session.execute(stmt, rows[start:start + _CHUNK])


def save_fragments(runtime: Runtime, fragments: Sequence[Fragment]) -> None:
    """Store fragments in their own short write transaction; a failure only means rendering them again next time."""
    if not fragments:
        return
    try:
        with runtime.session() as session:
            store_fragments(session, fragments)
    except SQLAlchemyError as exc:  # e.g. the broadcast was deleted meanwhile, or the database is read-only
        log.warning("calendar fragments not stored (%d): %s", len(fragments), exc)
