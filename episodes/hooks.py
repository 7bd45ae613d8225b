"""File work that must follow the database: run callbacks after a session commits or rolls back."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_COMMIT = "episodes.after_commit"
_ROLLBACK = "episodes.after_rollback"


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's current transaction commits (dropped on rollback)."""
    session.info.setdefault(_COMMIT, []).append(callback)


def on_rollback(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` if the session's current transaction ends without committing."""
    session.info.setdefault(_ROLLBACK, []).append(callback)


def _run(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_ROLLBACK, None)
    _run(session.info.pop(_COMMIT, []))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # Only the outermost transaction: savepoints (begin_nested) end without deciding anything.
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_COMMIT, None)
        _run(session.info.pop(_ROLLBACK, []))
