"""Pages of the web UI."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from web.auth import current_user

bp = Blueprint("ui_pages", __name__)


@bp.get("/")
def index() -> Response | str:
    """The signed-in user's start page."""
    user = current_user()
    if user is None:
        return redirect(url_for("ui_auth.login", next=request.path))
    return render_template("index.html", user=user)
