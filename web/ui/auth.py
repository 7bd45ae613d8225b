"""Login and logout for the web UI (sessions with CSRF-protected forms)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from radio import audit
from radio.access import policy
from radio.auth import authenticate_password
from radio.models import User
from web import throttle
from web.auth import end_sessions, login_session
from web.context import db, read_db, runtime
from web.i18n import LOCALES
from web.ui.base import signed_in_user

bp = Blueprint("ui_auth", __name__)


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else the start page (never redirect to another host)."""
    if not target:
        return url_for("ui_pages.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("ui_pages.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@policy("public")
def login() -> Response | tuple[str, int]:
    """Show the login form; sign in with e-mail and password."""
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "")
        limits = throttle.limits_for(email, request.remote_addr or "")
        decision = throttle.attempt(runtime(), limits)
        if not decision.allowed:
            page = render_template("login.html", error=_("Too many failed sign-ins. Try again later."), email=email)
            return Response(page, status=429, headers={"Retry-After": str(decision.retry_after)},
                            content_type="text/html")
        # Checked on the read session: the throttle's own transactions must not wait behind this request's
        # write lock (SQLite); the request writes only once the user is known.
        known = authenticate_password(read_db(), email, request.form.get("password", ""))
        if known is not None:
            throttle.succeeded(runtime(), limits, decision)
        else:
            audit.record_failed_login(runtime().sessions, email, request.remote_addr or "")
        user = db().get(User, known.id) if known is not None else None
        if user is not None:
            chosen = session.get("locale")
            login_session(user)
            # A language picked before signing in wins and becomes the user's preference.
            if chosen in LOCALES:
                session["locale"] = chosen
                if user.locale != chosen:
                    user.locale = chosen
            elif user.locale in LOCALES:
                session["locale"] = user.locale
            return redirect(safe_next(request.args.get("next")))
        error = _("Wrong e-mail or password.")
    return render_template("login.html", error=error, email=email), 401 if error else 200


@bp.post("/logout")
@policy("public")
def logout() -> Response:
    """End the session (the language choice stays)."""
    locale = session.get("locale")
    user = signed_in_user()
    if user is not None:  # server-side: the cookie (or a copy of it) is worthless from now on
        changed = db().get(User, user.id)
        if changed is not None:
            end_sessions(changed)
    session.clear()
    if locale in LOCALES:
        session["locale"] = locale
    return redirect(url_for("ui_auth.login"))
