"""Who is asking: Bearer tokens for the API, sessions for the UI; role checks as decorators."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import g, request, session
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from radio.auth import user_for_token
from radio.errors import Forbidden, Unauthorized
from radio.models import User
from web.context import end_reads, read_db

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def current_user() -> User | None:
    """The user of this request (token or session), cached on ``g``."""
    if "user" in g:
        return cast(User | None, g.user)
    user: User | None = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("use 'Authorization: Bearer <token>'")
        user = user_for_token(read_db(), token.strip())
        if user is None:
            raise Unauthorized("the token is not valid or has been revoked", code="invalid_token")
        g.auth_method = "token"
    elif session.get("user_id"):
        candidate = read_db().get(User, session["user_id"])
        if (candidate is not None and candidate.active
                and session.get("session_version") == candidate.session_version):
            user = candidate
            g.auth_method = "session"
    end_reads()  # no snapshot held while the view runs (a long upload streams for minutes)
    g.user = user
    return user


def login_session(user: User) -> None:
    """Start a UI session for ``user`` (the cookie names the user and its session version, nothing more)."""
    session.clear()
    session["user_id"] = user.id
    session["session_version"] = user.session_version
    session.permanent = True


def end_sessions(user: User) -> None:
    """Sign ``user`` out everywhere: every cookie carrying the old session version stops working."""
    user.session_version += 1


def _check_session_csrf() -> None:
    # Cookie-authenticated API calls from the UI's JavaScript must carry the CSRF token.
    if g.get("auth_method") == "session" and request.method in UNSAFE and request.path.startswith("/api/"):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except (ValidationError, CSRFError) as exc:
            raise Forbidden("missing or wrong CSRF token", code="csrf") from exc


def require_user(func: F) -> F:
    """401 unless the request is authenticated."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            raise Unauthorized("authentication required: send 'Authorization: Bearer <token>'")
        _check_session_csrf()
        return func(*args, **kwargs)

    wrapper._gate_roles = ()  # type: ignore[attr-defined]  # compared with the view's access rule by a test
    return cast(F, wrapper)


def require_role(*roles: str) -> Callable[[F], F]:
    """401 without a user, 403 unless the user has one of ``roles`` (admins always pass)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                raise Unauthorized("authentication required: send 'Authorization: Bearer <token>'")
            if not user.has_role(*roles):
                raise Forbidden(f"this needs the role {' or '.join(roles)}; you are {user.role}")
            _check_session_csrf()
            return func(*args, **kwargs)

        wrapper._gate_roles = tuple(roles)  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate
