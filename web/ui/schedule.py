"""Producers' schedule: stations, a week view per station with its subscription link, booking and cancelling."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from radio.access import policy
from radio.db import utcnow
from radio.errors import Conflict, DomainError
from radio.models import Role
from schedule.bookings import book_broadcast, broadcast_for_edit, cancel_broadcast, get_broadcast
from schedule.models import Broadcast, Station
from schedule.recurrence import zone
from schedule.stations import feed_urls, get_station, visible_stations
from schedule.week import bookable_episodes, week_airings
from web.context import db, runtime
from web.contract import validate_model
from web.schemas.schedule import BroadcastCreate
from web.ui.base import done, field_errors, page, page_user
from web.ui.labels import error_message
from web.ui.widgets import parse_week, qr_svg

bp = Blueprint("ui_schedule", __name__)
BOOKING_FIELDS = ("episode_id", "start", "repeat", "count", "rrule", "notes")
# Which booking field a service error code belongs to.
CODE_FIELDS = {
    "missing_field": "episode_id", "episode_not_found": "episode_id", "episode_restricted": "episode_id",
    "no_broadcast_consent": "episode_id", "episode_not_ready": "episode_id", "episode_too_long": "episode_id",
    "episode_expired": "episode_id", "invalid_start": "start", "nonexistent_local_time": "start",
    "ambiguous_local_time": "start", "start_not_in_rrule": "rrule", "series_overlaps_itself": "rrule",
    "invalid_rrule": "rrule", "unbounded_rrule": "rrule", "invalid_field": "notes",
}
REPEATS = {"DAILY", "WEEKLY"}


def subscription(station: Station) -> dict[str, Any]:
    """The station's feed URLs and a QR code of its webcal link."""
    urls = feed_urls(runtime().settings.public_url, runtime().secret_key, station)
    return {**urls, "qr": qr_svg(urls["webcal_url"], _("QR code of the calendar subscription link"))}


def render_week(station: Station, *, form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                conflicts: list[Broadcast] | None = None, status: int = 200, mode: str = "producer",
                week: str | None = None) -> tuple[str, int]:
    """The week view page of a station (shared by producers' and the station's own page)."""
    user = page_user()
    monday = parse_week(week or request.args.get("week"), utcnow().astimezone(zone(station.timezone)).date())
    can_book = mode == "producer" and user.has_role(Role.PRODUCER)
    return render_template(
        "schedule/week.html", station=station, monday=monday, days=week_airings(db(), user, station, monday),
        today=utcnow().astimezone(zone(station.timezone)).date(), sub=subscription(station),
        episodes=bookable_episodes(db()) if can_book else [], can_book=can_book, mode=mode,
        form=form or {"repeat": ""},
        errors=errors or {}, conflicts=conflicts or [], prev_week=(monday - dt.timedelta(days=7)).isoformat(),
        next_week=(monday + dt.timedelta(days=7)).isoformat(),
    ), status


@bp.get("/schedule")
@policy("schedule.page")
@page(Role.PRODUCER)
def stations() -> str:
    """The partner stations, each with a link to its week."""
    return render_template("schedule/stations.html", stations=visible_stations(db(), page_user()))


@bp.get("/schedule/<slug>")
@policy("schedule.page")
@page(Role.PRODUCER)
def week(slug: str) -> tuple[str, int]:
    """One station's week, its subscription link and the booking form."""
    return render_week(get_station(db(), slug, page_user()))


def booking_data(slug: str, form: dict[str, str]) -> dict[str, Any]:
    """The booking as ``BroadcastCreate`` takes it (a simple repeat becomes an RRULE)."""
    rrule = form["rrule"].strip() or None
    if not rrule and form["repeat"] in REPEATS:
        count = form["count"].strip() or "1"
        rrule = f"FREQ={form['repeat']};COUNT={count if count.isdigit() else '0'}"
    return {"station": slug, "episode_id": form["episode_id"], "start": form["start"], "rrule": rrule,
            "notes": form["notes"]}


@bp.post("/schedule/<slug>/book")
@policy("schedule.page")
@page(Role.PRODUCER)
def book(slug: str) -> Response | tuple[str, int]:
    """Book an episode; a clash shows the conflicting broadcasts next to the form."""
    session = db()
    station = get_station(session, slug, page_user())
    form = {k: request.form.get(k, "") for k in BOOKING_FIELDS}
    try:
        booking = validate_model(BroadcastCreate, booking_data(slug, form))
        broadcast = book_broadcast(session, booking.changes(), page_user())
    except Conflict as exc:
        ids = exc.details.get("conflicts", []) if exc.code == "conflict" else []
        clashing = [get_broadcast(session, i) for i in ids]
        return render_week(station, form=form, conflicts=clashing, status=409, week=form["start"][:10],
                           errors={"": _("This time overlaps other broadcasts on this station.")})
    except DomainError as exc:
        named = exc.details.get("field")
        field = named if named in BOOKING_FIELDS else CODE_FIELDS.get(exc.code)
        errors = {field: error_message(exc.code, exc.message)} if field else field_errors(exc, BOOKING_FIELDS)
        return render_week(station, form=form, errors=errors, status=exc.status, week=form["start"][:10])
    local = broadcast.starts_at.astimezone(zone(station.timezone)).date()
    return done(_("The broadcast was booked."), "ui_schedule.week", slug=slug, week=local.isoformat())


@bp.post("/broadcasts/<broadcast_id>/cancel")
@policy("schedule.page")
@page(Role.PRODUCER)
def cancel(broadcast_id: str) -> Response:
    """Cancel a booking (it stays in the calendar as cancelled)."""
    session = db()
    broadcast = cancel_broadcast(session, broadcast_for_edit(session, broadcast_id, page_user()))
    return done(_("The broadcast was cancelled."), "ui_schedule.week", slug=broadcast.station.slug,
                week=request.form.get("week", ""))
