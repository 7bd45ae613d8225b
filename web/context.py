"""Per-request access to the runtime and the request's unit of work (committed once, by the wrapper).

Every view runs inside :func:`in_transaction`: the request's session commits once when the view returns
without an error and rolls back when it raises, so views never call ``commit()``. Safe methods (GET,
HEAD, OPTIONS) get a read-only session (it never takes SQLite's write lock and refuses writes) unless
the view is marked :func:`writes`. Work that must follow the commit is registered with
``radio.transactions.on_commit``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request
from sqlalchemy.orm import Session

from radio.runtime import Runtime

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def runtime() -> Runtime:
    """The app's runtime."""
    return cast(Runtime, current_app.extensions["radio"])


def writes(view: F) -> F:
    """Mark a view reached by a safe method (GET) that writes: it gets the read-write session."""
    view._radio_writes = True  # type: ignore[attr-defined]
    return view


def _view_writes() -> bool:
    if request.method not in SAFE_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "_radio_writes", False))


def db() -> Session:
    """This request's session: read-write for unsafe methods and ``@writes`` views, read-only otherwise."""
    if "db" not in g:
        g.db = runtime().sessions() if _view_writes() else read_db()
    return cast(Session, g.db)


def read_db() -> Session:
    """A read-only session for this request (sign-in lookups, searches): never holds a write lock."""
    if "read_db" not in g:
        g.read_db = runtime().read_sessions()
    return cast(Session, g.read_db)


def end_reads() -> None:
    """End the read session's transaction now: its snapshot and its pooled connection are let go (what it
    loaded stays usable; a later read begins a new one). The sign-in lookup calls it, so a view that then
    streams a long upload holds no open transaction — on SQLite it would hold back WAL checkpoints, on
    PostgreSQL VACUUM and a connection."""
    session = g.get("read_db")
    if session is not None and session.in_transaction():
        session.commit()


def in_transaction(view: F) -> F:
    """Run ``view`` as the request's unit of work: one commit when it returns a success, else a rollback.

    A view that raises, or returns an error page (status 400 and up) after catching a domain error, leaves
    nothing behind.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = view(*args, **kwargs)
        except BaseException:
            end_request_transaction(commit=False)
            raise
        end_request_transaction(commit=_status_of(result) < 400)
        return result

    return cast(F, wrapper)


def _status_of(result: Any) -> int:
    if isinstance(result, tuple) and len(result) > 1 and isinstance(result[1], int):
        return result[1]
    if isinstance(result, Response):
        return result.status_code
    return 200


def end_request_transaction(*, commit: bool) -> None:
    """Commit (running the after-commit callbacks) or roll back the request's sessions."""
    for key in ("db", "read_db"):
        session = g.get(key)
        if session is None:
            continue
        if commit:
            session.commit()
        else:
            session.rollback()


def init_app(app: Flask) -> None:
    """Wrap every view in the request transaction; close the sessions at teardown."""

    @app.teardown_appcontext
    def close_sessions(exc: BaseException | None) -> None:
        for key in ("db", "read_db"):
            session = g.pop(key, None)
            if session is not None:
                session.close()  # closing rolls back whatever is still open


def wrap_views(app: Flask) -> None:
    """Put every registered view inside :func:`in_transaction` (call once all blueprints are registered)."""
    for endpoint, view in list(app.view_functions.items()):
        if not getattr(view, "_radio_transactional", False):
            wrapped = in_transaction(view)
            wrapped._radio_transactional = True  # type: ignore[union-attr]
            app.view_functions[endpoint] = wrapped
