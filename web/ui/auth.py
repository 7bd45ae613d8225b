"""Login and logout for the web UI (sessions with CSRF-protected forms)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from radio.auth import authenticate_password
from web.auth import login_session
from web.context import db

bp = Blueprint("ui_auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never redirect to another host after login.
    if not target:
        return url_for("ui_pages.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("ui_pages.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    """Show the login form; sign in with e-mail and password."""
    error = None
    if request.method == "POST":
        user = authenticate_password(db(), request.form.get("email", ""), request.form.get("password", ""))
        if user is not None:
            login_session(user)
            return redirect(_safe_next(request.args.get("next")))
        error = "wrong e-mail or password"
    status = 401 if error else 200
    return render_template("login.html", error=error), status  # type: ignore[return-value]


@bp.post("/logout")
def logout() -> Response:
    """End the session."""
    session.clear()
    return redirect(url_for("ui_auth.login"))
