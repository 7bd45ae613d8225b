"""API for stations, broadcasts and listener feedback (see SPEC.md: Stations, broadcasts, feedback)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, jsonify, request

from radio.db import utcnow
from radio.errors import InvalidInput
from radio.models import Role, User
from radio.transactions import on_commit
from schedule import bookings, stations
from schedule import feedback as fb
from schedule.calendar_feed import render_campaign_calendar
from schedule.fragments import save_fragments
from schedule.serialize import broadcast_dict, feedback_dict, station_dict
from web.api.core import json_body
from web.auth import current_user, require_role, require_user
from web.context import db, runtime

bp = Blueprint("api_schedule", __name__, url_prefix="/api/v1")


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


def _created(data: dict[str, Any]) -> Response:
    response = jsonify(data)
    response.status_code = 201
    return response


def _station_json(station: Any) -> dict[str, Any]:
    return station_dict(station, base_url=runtime().settings.public_url, secret_key=runtime().secret_key)


def _when(key: str) -> dt.datetime | None:
    value = request.args.get(key)
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"'{key}' must be an ISO 8601 date or time", code="invalid_date") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _window() -> tuple[dt.datetime, dt.datetime] | None:
    """``from``/``to`` query parameters (dates or ISO times; no offset: UTC) as a window, or None."""
    lo, hi = _when("from"), _when("to")
    if lo is None and hi is None:
        return None
    lo = lo or utcnow() - dt.timedelta(days=7)
    hi = hi or lo + dt.timedelta(days=42)
    if hi <= lo or hi - lo > dt.timedelta(days=400):
        raise InvalidInput("'to' must be after 'from' and at most 400 days later", code="invalid_window")
    return lo, hi


@bp.get("/stations")
@require_user
def list_stations() -> Response:
    """Stations the caller may see (a station user: only its own)."""
    return jsonify({"items": [_station_json(s) for s in stations.visible_stations(db(), _user())]})


@bp.post("/stations")
@require_role(Role.ADMIN)
def create_station() -> Response:
    """Add a station; the answer carries its secret calendar URL."""
    station = stations.create_station(db(), json_body())
    return _created(_station_json(station))


@bp.get("/stations/<slug>")
@require_user
def get_station(slug: str) -> Response:
    """One station."""
    return jsonify(_station_json(stations.get_station(db(), slug, _user())))


@bp.patch("/stations/<slug>")
@require_role(Role.ADMIN)
def update_station(slug: str) -> Response:
    """Change a station's names, time zone, district, frequency or contact."""
    station = stations.update_station(db(), stations.get_station(db(), slug), json_body())
    return jsonify(_station_json(station))


@bp.post("/stations/<slug>/rotate-token")
@require_role(Role.ADMIN)
def rotate_token(slug: str) -> Response:
    """A new feed token: calendar and podcast URLs with the old one answer 404 from now on."""
    station = stations.rotate_feed_token(db(), stations.get_station(db(), slug))
    return jsonify(_station_json(station))


@bp.get("/broadcasts")
@require_user
def list_broadcasts() -> Response:
    """Broadcasts (``station``, ``episode_id``, ``from``/``to`` with occurrences, ``include_cancelled``)."""
    window = _window()
    items = bookings.list_broadcasts(
        db(), _user(), station=request.args.get("station") or None, episode_id=request.args.get("episode_id") or None,
        window=window, include_cancelled=request.args.get("include_cancelled") in ("1", "true", "yes"))
    return jsonify({"items": [broadcast_dict(b, window) for b in items], "total": len(items)})


@bp.post("/broadcasts")
@require_role(Role.PRODUCER)
def book() -> Response:
    """Book an episode on a station (one-off or RRULE series); 409 ``conflict`` listing what overlaps."""
    broadcast = bookings.book_broadcast(db(), json_body(), _user())
    return _created(broadcast_dict(broadcast))


@bp.get("/broadcasts/<broadcast_id>")
@require_user
def get_broadcast(broadcast_id: str) -> Response:
    """One broadcast; with ``from``/``to`` its occurrences in that window."""
    return jsonify(broadcast_dict(bookings.get_broadcast(db(), broadcast_id, _user()), _window()))


@bp.patch("/broadcasts/<broadcast_id>")
@require_role(Role.PRODUCER)
def change_broadcast(broadcast_id: str) -> Response:
    """Change the booking, or with ``occurrence`` move/change/skip one occurrence of a series."""
    data = json_body()
    broadcast = bookings.get_broadcast(db(), broadcast_id, _user())
    if "occurrence" in data:
        occurrence = data.pop("occurrence")
        broadcast = bookings.change_occurrence(db(), broadcast, occurrence, data)
    else:
        broadcast = bookings.update_broadcast(db(), broadcast, data)
    return jsonify(broadcast_dict(broadcast))


@bp.delete("/broadcasts/<broadcast_id>")
@require_role(Role.PRODUCER)
def cancel(broadcast_id: str) -> Response:
    """Cancel the booking (STATUS:CANCELLED in the feed); with ``?occurrence=`` skip only that one (EXDATE)."""
    broadcast = bookings.get_broadcast(db(), broadcast_id, _user())
    occurrence = request.args.get("occurrence")
    if occurrence:
        broadcast = bookings.change_occurrence(db(), broadcast, occurrence, {"skip": True})
    else:
        broadcast = bookings.cancel_broadcast(db(), broadcast)
    return jsonify(broadcast_dict(broadcast))


@bp.post("/broadcasts/<broadcast_id>/feedback")
@require_role(Role.PRODUCER, Role.STATION)
def report_feedback(broadcast_id: str) -> Response:
    """Listener feedback for one past occurrence; a second report for it is a correction (history is kept)."""
    user = _user()
    report = fb.record_feedback(db(), bookings.get_broadcast(db(), broadcast_id, user), json_body(), user)
    return _created(feedback_dict(report))


@bp.get("/broadcasts/<broadcast_id>/feedback")
@require_user
def feedback_history(broadcast_id: str) -> Response:
    """Every feedback report of the broadcast, corrections included."""
    reports = fb.feedback_history(db(), bookings.get_broadcast(db(), broadcast_id, _user()))
    return jsonify({"items": [feedback_dict(r) for r in reports]})


@bp.get("/feedback/summary")
@require_role(Role.PRODUCER, Role.STATION, Role.RESEARCHER)
def feedback_summary() -> Response:
    """Totals by station, episode or month (``format=csv`` for a spreadsheet)."""
    params = request.args.to_dict()
    rows = fb.summarise_feedback(db(), _user(), params)
    group_by = params.get("group_by") or "station"
    if params.get("format") == "csv":
        return Response(fb.summary_csv(rows, group_by), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename=feedback-by-{group_by}.csv"})
    return jsonify({"group_by": group_by, "items": [r.as_dict() for r in rows]})


@bp.get("/calendar.ics")
@require_role(Role.PRODUCER)
def campaign_calendar() -> Response:
    """The producers' calendar across stations (``campaign``, ``station`` filters)."""
    slugs = request.args.getlist("station") or None
    rendered = render_campaign_calendar(db(), runtime().settings.public_url, runtime().secret_key, utcnow(),
                                        campaign=request.args.get("campaign") or None, stations=slugs)
    fresh = rendered.fresh
    on_commit(db(), lambda: save_fragments(runtime(), fresh))  # new blocks stored after the request's transaction
    return Response(rendered.body, content_type="text/calendar; charset=utf-8")
