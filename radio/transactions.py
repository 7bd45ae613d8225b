"""Transactions: one unit of work per request, job and command, and the callbacks that follow its outcome.

Every write path (a web request, a job handler, a CLI command) opens one :func:`unit_of_work`: it commits
once when the work returns and rolls back when it raises. Work that must wait for the commit (queueing a
job, deleting a file nothing references any more, storing rendered feed blocks) is registered with
:func:`on_commit`; clean-up that must happen only if the work is abandoned, with :func:`on_rollback`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

log = logging.getLogger(__name__)
_COMMIT = "radio.after_commit"
_ROLLBACK = "radio.after_rollback"


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's current transaction commits (dropped on rollback)."""
    session.info.setdefault(_COMMIT, []).append(callback)


def on_rollback(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` if the session's current transaction ends without committing."""
    session.info.setdefault(_ROLLBACK, []).append(callback)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit once on success, roll back on any error, always close."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _run(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released (begin_nested): the commit is to come
        return
    session.info.pop(_ROLLBACK, None)
    _run(session.info.pop(_COMMIT, []))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # Only the outermost transaction: savepoints (begin_nested) end without deciding anything.
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_COMMIT, None)
        _run(session.info.pop(_ROLLBACK, []))
