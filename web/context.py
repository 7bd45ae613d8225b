"""Per-request access to the runtime and one database session (committed once per request)."""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from radio.runtime import Runtime


def runtime() -> Runtime:
    """The app's runtime."""
    return cast(Runtime, current_app.extensions["radio"])


def db() -> Session:
    """This request's session; views call ``commit()`` once, errors roll back."""
    if "db" not in g:
        g.db = runtime().sessions()
    return cast(Session, g.db)


def init_app(app: Flask) -> None:
    """Close the request's session at teardown (rolling back anything uncommitted)."""

    @app.teardown_appcontext
    def close_session(exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()
