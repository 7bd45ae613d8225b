"""Start page, language switch and the navigation shared by every page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from radio.access import policy
from radio.models import Role, User
from web import i18n
from web.context import db
from web.ui import labels
from web.ui.auth import safe_next
from web.ui.base import page, signed_in_user

bp = Blueprint("ui_pages", __name__)

P, S, R, A = Role.PRODUCER.value, Role.STATION.value, Role.RESEARCHER.value, Role.ADMIN.value
# (endpoint, label, roles that see it); entries whose endpoint is not registered are left out.
NAV: tuple[tuple[str, Any, frozenset[str]], ...] = (
    ("ui_library.library", _l("Library"), frozenset({P, R, A})),
    ("ui_library.upload", _l("Upload"), frozenset({P, A})),
    ("ui_programmes.programmes", _l("Programmes"), frozenset({P, A})),
    ("ui_schedule.stations", _l("Schedule"), frozenset({P, A})),
    ("ui_flights.flights", _l("Flights"), frozenset({P, A})),
    ("ui_station.home", _l("My station"), frozenset({S})),
    ("ui_station.summary", _l("Feedback"), frozenset({P, S, A})),
    ("ui_reports.reports", _l("Reports"), frozenset({P, S, R, A})),
    ("ui_research.search_page", _l("Search"), frozenset({P, R, A})),
    ("ui_coding.codes", _l("Codes"), frozenset({R, A})),
    ("ui_admin.users", _l("Admin"), frozenset({A})),
)
# Where each role starts.
HOME = {P: "ui_library.library", S: "ui_station.home", R: "ui_research.search_page", A: "ui_admin.users"}


def navigation(role: str) -> list[tuple[str, Any]]:
    """The (url, label) pairs a role sees in the menu."""
    views = current_app.view_functions
    return [(url_for(endpoint), label) for endpoint, label, roles in NAV
            if endpoint in views and role in roles]


@bp.get("/")
@policy("public")
def index() -> Response | str:
    """Send the user to their role's start page."""
    user = signed_in_user()
    if user is None:
        return redirect(url_for("ui_auth.login", next="/"))
    endpoint = HOME.get(user.role)
    if endpoint and endpoint in current_app.view_functions:
        return redirect(url_for(endpoint))
    return redirect(url_for("ui_pages.account"))


@bp.get("/account")
@policy("account")
@page()
def account() -> Response | str:
    """Who is signed in."""
    user = signed_in_user()
    if user is None:
        return redirect(url_for("ui_auth.login", next="/account"))
    return render_template("index.html", user=user)


@bp.post("/locale")
@policy("public")
def set_locale() -> Response:
    """Switch the UI language; remembered in the session and, when signed in, in the user's profile."""
    locale = request.form.get("locale", "")
    if locale in i18n.LOCALES:
        session["locale"] = locale
        user = signed_in_user()
        if user is not None and user.locale != locale:
            stored = db().get(User, user.id)  # the signed-in user was read in the read-only session
            if stored is not None:
                stored.locale = locale
    return redirect(safe_next(request.form.get("next")))


def init_app(app: Flask) -> None:
    """Languages, and the menu and user in every template."""
    i18n.init_app(app)
    app.jinja_env.globals.update(labels.GLOBALS)

    @app.context_processor
    def layout() -> dict[str, Any]:
        user = signed_in_user() if "user" not in g else g.user
        return {
            "user": user,
            "nav": navigation(user.role) if user is not None else [],
            "locale": i18n.current_locale(),
            "has_page": lambda endpoint: endpoint in current_app.view_functions,
        }
