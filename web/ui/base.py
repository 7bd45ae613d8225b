"""Shared pieces of the UI views: page access by role, CSRF for a streamed form, form errors, flash-and-redirect."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from flask import current_app, flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, same_origin, validate_csrf
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from radio.errors import DomainError, Forbidden, Unauthorized
from radio.models import User
from web.auth import current_user
from web.ui.labels import error_message

F = TypeVar("F", bound=Callable[..., Any])


def signed_in_user() -> User | None:
    """The session's user, or None (a bad Authorization header counts as no user for pages)."""
    try:
        return current_user()
    except Unauthorized:
        return None


def page_user() -> User:
    """The user of a page guarded by ``page``; only call inside such a view."""
    user = signed_in_user()
    assert user is not None
    return user


def page(*roles: str) -> Callable[[F], F]:
    """Guard a page: sign-in redirect without a user, 403 unless the user has one of ``roles`` (any role if none)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = signed_in_user()
            if user is None:
                return redirect(url_for("ui_auth.login", next=request.full_path.rstrip("?")))
            if roles and not user.has_role(*roles):
                raise Forbidden(str(_l("This page is not available for your role.")))
            return func(*args, **kwargs)

        wrapper._gate_roles = tuple(roles)  # type: ignore[attr-defined]  # compared with the access rule
        return cast(F, wrapper)

    return decorate


def done(message: str, endpoint: str, *, category: str = "ok", **values: Any) -> Response:
    """Flash a message (``ok`` or ``error``) and redirect (post/redirect/get)."""
    flash(message, category)
    return redirect(url_for(endpoint, **values))


def field_errors(exc: DomainError, fields: Iterable[str]) -> dict[str, str]:
    """Map a domain error to the form field it names (``details['field']``), else to the whole form (``''``)."""
    field = exc.details.get("field") if exc.details else None
    known = set(fields)
    message = error_message(exc.code, exc.message)
    if isinstance(field, str) and field in known:
        return {field: message}
    for name in known:  # services often name the field in their code: ``invalid_title``, ``text_too_long``
        if name and (exc.code == name or exc.code.endswith("_" + name) or exc.code.startswith(name + "_")):
            return {name: message}
    return {"": message}


def int_arg(name: str, default: int, *, low: int = 1, high: int = 10_000) -> int:
    """A bounded integer query parameter (bad values fall back to ``default``)."""
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        return default
    return min(max(value, low), high)


def csrf_header() -> str | None:
    """The CSRF token a script sent as a header (``X-CSRFToken``), or None."""
    for name in current_app.config["WTF_CSRF_HEADERS"]:
        if request.headers.get(name):
            return request.headers[name]
    return None


def check_csrf(token: str | None) -> None:
    """``CSRFProtect.protect`` for a view that reads its own body (the streamed upload): 400 unless ``token`` is
    this session's CSRF token (and, over HTTPS, the referrer is this site)."""
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(exc.args[0]) from exc
    strict = request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]
    if strict and not (request.referrer and same_origin(request.referrer, f"https://{request.host}/")):
        raise CSRFError("The referrer does not match the host.")
    g.csrf_valid = True
