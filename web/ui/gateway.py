"""Admin page of a station's SMS gateway: its kind, a new webhook secret (shown once), the latest messages."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from radio.access import policy
from radio.errors import DomainError
from radio.models import Role
from schedule.inbound import recent_messages, shown_text
from schedule.models import Station
from schedule.stations import GATEWAYS, get_station, rotate_webhook_secret, update_station
from web.context import db, runtime
from web.contract import validate_model
from web.schemas.schedule import StationPatch
from web.ui.base import done, page, page_user
from web.ui.labels import error_message

bp = Blueprint("ui_gateway", __name__, url_prefix="/admin")
SHOWN = 30


def _page(station: Station, *, secret: str | None = None, error: str | None = None,
          status: int = 200) -> tuple[str, int]:
    user = page_user()
    messages = [(m, shown_text(user, m)) for m in recent_messages(db(), station, SHOWN)]
    url = runtime().settings.public_url.rstrip("/") + f"/hooks/sms/{station.slug}"
    return render_template("admin/gateway.html", station=station, gateways=GATEWAYS, secret=secret, error=error,
                           webhook_url=url, messages=messages), status


@bp.get("/stations/<slug>/gateway")
@policy("admin")
@page(Role.ADMIN)
def gateway(slug: str) -> tuple[str, int]:
    """The station's gateway kind, webhook URL and latest messages."""
    return _page(get_station(db(), slug))


@bp.post("/stations/<slug>/gateway")
@policy("admin")
@page(Role.ADMIN)
def set_gateway(slug: str) -> Response | tuple[str, int]:
    """Set the gateway kind (Twilio or signed JSON)."""
    station = get_station(db(), slug)
    try:
        update_station(db(), station, validate_model(StationPatch, {"gateway": request.form.get("gateway", "")})
                       .changes())
    except DomainError as exc:
        return _page(station, error=error_message(exc.code, exc.message), status=exc.status)
    return done(_("The gateway was saved."), "ui_gateway.gateway", slug=slug)


@bp.post("/stations/<slug>/webhook-secret")
@policy("admin")
@page(Role.ADMIN)
def new_secret(slug: str) -> tuple[str, int]:
    """A new webhook secret, shown on this page once (the old one stops working)."""
    station = get_station(db(), slug)
    return _page(station, secret=rotate_webhook_secret(db(), station, runtime().secret_key))
