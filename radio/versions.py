"""Optimistic concurrency for edits: one version tag per editable row, its ETag, checked against ``If-Match``.

Two editors who both read a broadcast, an episode or a station and then PATCH it would each overwrite the
other's change without knowing (a lost update). Every edit of such a row goes through :func:`claim_for_edit`:

- it takes the row's lock first and reads the row again, so concurrent edits run one after another and each
  starts from the state the previous one committed (on PostgreSQL a row lock; on SQLite every writer already
  holds the database's write lock from its first statement);
- when the client sent back the version it read (HTTP ``If-Match`` with the ETag of its GET or PATCH answer),
  a row that moved on since is refused with 412 ``precondition_failed`` naming the current tag, and nothing
  is written. A client that sends no precondition keeps last-writer-wins, as it always had.

The tag hashes only what an editor changes (the model's ``edit_version_fields``), so a worker finishing an
analysis or a feed-token rotation does not make a producer's pending edit fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Collection
from typing import Any, ClassVar, Protocol

from sqlalchemy.orm import Session

from radio.errors import PreconditionFailed


class Versioned(Protocol):
    """A model row that editors change: its id and the fields its version tag covers."""

    id: Any
    edit_version_fields: ClassVar[tuple[str, ...]]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def version_tag(row: Versioned) -> str:
    """The row's current version: a short hash of its table, id and edited fields (its strong ETag)."""
    values = [_jsonable(getattr(row, name)) for name in type(row).edit_version_fields]
    state = json.dumps([getattr(row, "__tablename__", type(row).__name__), row.id, values], sort_keys=True,
                       ensure_ascii=False, default=str)
    return hashlib.sha256(state.encode()).hexdigest()[:24]


def check_version(row: Versioned, expected: Collection[str] | None, *, what: str = "it") -> None:
    """412 ``precondition_failed`` when ``expected`` (the client's If-Match tags) lacks the row's version."""
    if expected is None:
        return
    current = version_tag(row)
    if current not in expected:
        raise PreconditionFailed(
            f"{what} was changed by someone else since you read it; read it again and redo your change",
            details={"field": "If-Match", "etag": current})


def claim_for_edit(session: Session, row: Versioned, expected: Collection[str] | None = None, *,
                   lock: Callable[[], None] | None = None, what: str = "it") -> None:
    """Lock ``row`` for this transaction, read it again and check the client's precondition (see module).

    ``lock`` replaces the row lock where a feature orders its locks otherwise (broadcasts: the station's
    schedule lock, which every writer of a station's bookings takes first, so no two writers deadlock).
    """
    if lock is not None:
        lock()
        session.refresh(row)
    else:
        # NO KEY UPDATE: rows that only reference this one (a booking of the episode) can still be inserted.
        session.refresh(row, with_for_update={"key_share": True, "of": type(row)})
    check_version(row, expected, what=what)
