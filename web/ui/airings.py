"""Confirming airings on a phone: one tap per airing or several at once, and make-goods for producers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from radio.access import policy
from radio.db import utcnow
from radio.errors import DomainError, NotFound
from radio.models import Role
from schedule.airings import AiringRow, confirm_airing, list_airings
from schedule.bookings import get_broadcast
from schedule.make_good import book_make_good, existing_make_good
from schedule.models import MISS_REASONS, Station
from schedule.recurrence import zone
from schedule.stations import get_station, visible_stations
from web.context import db, runtime
from web.contract import validate_model
from web.schemas.schedule import AiringBody
from web.ui.base import done, page, page_user
from web.ui.labels import error_message

bp = Blueprint("ui_airings", __name__)
DAYS_SHOWN = 14
MAX_PICKS = 100
AIRING_STATUS_LABELS = {"aired": _l("Aired"), "partial": _l("Partly aired"), "missed": _l("Missed"),
                        "unconfirmed": _l("Not confirmed yet")}
REASON_LABELS = {"power_cut": _l("Power cut"), "technical": _l("Technical fault"), "preempted": _l("Pre-empted"),
                 "other": _l("Other reason")}


def _own_station() -> Station:
    stations = visible_stations(db(), page_user())
    if page_user().role != Role.STATION or not stations:
        raise NotFound(_("Your account is not linked to a station."))
    return stations[0]


def _recent_rows(station: Station) -> list[AiringRow]:
    """The station's airings of the last two weeks that have begun, newest first."""
    now = utcnow()
    today = now.astimezone(zone(station.timezone)).date()
    first = today - dt.timedelta(days=DAYS_SHOWN - 1)
    window = (dt.datetime.combine(first, dt.time(), dt.UTC) - dt.timedelta(days=1), now + dt.timedelta(minutes=1))
    rows = list_airings(db(), page_user(), runtime().secret_key, window=window, station=station.slug,
                        days=(first, today))
    return sorted((r for r in rows if r.occurrence.start <= now), key=lambda r: r.occurrence.start, reverse=True)


def _render(station: Station, errors: list[str], status: int = 200) -> tuple[str, int]:
    rows = _recent_rows(station)
    producer = page_user().role != Role.STATION
    made_good = {(r.broadcast.id, r.occurrence.key) for r in rows if producer and r.status in ("missed", "partial")
                 and existing_make_good(db(), r.broadcast.id, r.occurrence.key) is not None}
    return render_template("station/airings.html", station=station, rows=rows, errors=errors, producer=producer,
                           made_good=made_good, statuses=AIRING_STATUS_LABELS, reasons=REASON_LABELS,
                           reason_keys=MISS_REASONS), status


@bp.get("/station/airings")
@policy("station.airings.page")
@page(Role.STATION)
def station_airings() -> tuple[str, int]:
    """The station's airings of the last two weeks, to confirm with one tap each."""
    return _render(_own_station(), [])


@bp.get("/schedule/<slug>/airings")
@policy("schedule.airings.page")
@page(Role.PRODUCER)
def producer_airings(slug: str) -> tuple[str, int]:
    """A station's airings of the last two weeks with their confirmations; missed ones offer a make-good."""
    return _render(get_station(db(), slug, page_user()), [])


def _token_parts(token: str) -> tuple[str, str]:
    broadcast_id, _sep, occurrence = token.partition("/")
    return broadcast_id, occurrence


def confirmations_from_form(form: Any) -> list[tuple[str, dict[str, Any]]]:
    """``(broadcast id, AiringBody data)`` for every airing the form confirms (a tapped button, or the picks)."""
    if form.get("aired"):
        return [(form["aired"], {"status": "aired"})]
    if form.get("partial"):
        return [(form["partial"], {"status": "partial"})]
    if form.get("missed"):
        token = form["missed"]
        return [(token, {"status": "missed", "reason": form.get(f"reason:{token}") or "other"})]
    if form.get("bulk") in ("aired", "missed"):
        picks = list(dict.fromkeys(form.getlist("pick")))[:MAX_PICKS]
        data: dict[str, Any] = {"status": form["bulk"]}
        if form["bulk"] == "missed":
            data["reason"] = form.get("bulk_reason") or "other"
        return [(token, dict(data)) for token in picks]
    return []


@bp.post("/airings/confirm")
@policy("airing.confirm")
@page(Role.STATION, Role.PRODUCER)
def confirm() -> Response | tuple[str, int]:
    """Confirm one airing (its button) or every picked one; nothing is saved when one of them is refused."""
    user = page_user()
    slug = request.form.get("station", "")
    station = _own_station() if user.role == Role.STATION else get_station(db(), slug, user)
    items = confirmations_from_form(request.form)
    if not items:
        return _render(station, [_("Pick at least one airing.")], 400)
    errors: list[str] = []
    for token, data in items:
        broadcast_id, occurrence = _token_parts(token)
        try:
            broadcast = get_broadcast(db(), broadcast_id, user)
            if broadcast.station_id != station.id:
                raise NotFound("no such broadcast", code="broadcast_not_found")
            body = validate_model(AiringBody, {**data, "occurrence": occurrence}).changes()
            confirm_airing(db(), broadcast, body, user, via="web")
        except DomainError as exc:
            errors.append(f"{occurrence}: {error_message(exc.code, exc.message)}")
    if errors:
        return _render(station, errors, 400)  # the request's transaction rolls back: all or nothing
    message = _("Saved: %(n)s airing(s) confirmed.", n=len(items))
    if user.role == Role.STATION:
        return done(message, "ui_airings.station_airings")
    return done(message, "ui_airings.producer_airings", slug=station.slug)


@bp.post("/airings/make-good")
@policy("airing.make_good")
@page(Role.PRODUCER)
def make_good() -> Response | tuple[str, int]:
    """Book a missed airing again in the station's next free slot at the same hour."""
    broadcast_id, occurrence = _token_parts(request.form.get("airing", ""))
    broadcast = get_broadcast(db(), broadcast_id, page_user())
    try:
        booked = book_make_good(db(), broadcast, occurrence, page_user())
    except DomainError as exc:
        return _render(broadcast.station, [error_message(exc.code, exc.message)], exc.status)
    start = booked.starts_at.astimezone(zone(broadcast.tzid)).strftime("%Y-%m-%d %H:%M")
    return done(_("Make-good booked for %(start)s.", start=start), "ui_airings.producer_airings",
                slug=broadcast.station.slug)
