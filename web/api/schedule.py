"""API for stations, broadcasts and listener feedback (see SPEC.md: Stations, broadcasts, feedback)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from radio.access import policy
from radio.db import utcnow
from radio.models import Role, User
from radio.transactions import on_commit
from schedule import bookings, stations
from schedule import feedback as fb
from schedule.access import hidden_episodes
from schedule.calendar_feed import render_campaign_calendar
from schedule.fragments import save_fragments
from schedule.serialize import broadcast_dict, feedback_dict, station_dict
from schedule.stale_airings import stale_episodes
from web.auth import current_user, require_role, require_user
from web.context import db, runtime
from web.contract import answers, if_match, tagged, validated
from web.schemas import answers as out
from web.schemas.schedule import (
    BroadcastCreate,
    BroadcastPatch,
    BroadcastsQuery,
    CampaignCalendarQuery,
    CancelQuery,
    FeedbackBody,
    FeedbackSummaryQuery,
    StationCreate,
    StationPatch,
    WindowQuery,
)

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


@bp.get("/stations")
@policy("schedule.read")
@require_user
@validated(resp=answers(200, out.StationList, errors=(401,)))
def list_stations() -> Response:
    """Stations the caller may see (a station user: only its own)."""
    return jsonify({"items": [_station_json(s) for s in stations.visible_stations(db(), _user())]})


@bp.post("/stations")
@policy("admin")
@require_role(Role.ADMIN)
@validated(json=StationCreate, resp=answers(201, out.Station, errors=(400, 401, 403, 409)))
def create_station(body: StationCreate) -> Response:
    """Add a station; the answer carries its secret calendar URL."""
    station = stations.create_station(db(), body.changes())
    return tagged(_created(_station_json(station)), station)


@bp.get("/stations/<slug>")
@policy("schedule.read")
@require_user
@validated(resp=answers(200, out.Station, errors=(401, 404)))
def get_station(slug: str) -> Response:
    """One station (its ETag is what an edit sends as ``If-Match``)."""
    station = stations.get_station(db(), slug, _user())
    return tagged(jsonify(_station_json(station)), station)


@bp.patch("/stations/<slug>")
@policy("admin")
@require_role(Role.ADMIN)
@validated(json=StationPatch, resp=answers(200, out.Station, errors=(400, 401, 403, 404)), edits=True)
def update_station(slug: str, body: StationPatch) -> Response:
    """Change a station's names, time zone, district, frequency or contact (``If-Match``: its ETag)."""
    station = stations.update_station(db(), stations.get_station(db(), slug), body.changes(), expected=if_match())
    return tagged(jsonify(_station_json(station)), station)


@bp.post("/stations/<slug>/rotate-token")
@policy("admin")
@require_role(Role.ADMIN)
@validated(resp=answers(200, out.Station, errors=(401, 403, 404)))
def rotate_token(slug: str) -> Response:
    """A new feed token: calendar and podcast URLs with the old one answer 404 from now on."""
    station = stations.rotate_feed_token(db(), stations.get_station(db(), slug), actor=_user())
    return jsonify(_station_json(station))


@bp.get("/broadcasts")
@policy("schedule.read")
@require_user
@validated(query=BroadcastsQuery, resp=answers(200, out.BroadcastList, errors=(400, 401, 404)))
def list_broadcasts(query: BroadcastsQuery) -> Response:
    """Broadcasts (``station``, ``episode_id``, ``from``/``to`` with occurrences, ``include_cancelled``)."""
    window = query.window(utcnow())
    items = bookings.list_broadcasts(db(), _user(), station=query.station, episode_id=query.episode_id,
                                     window=window, include_cancelled=query.include_cancelled)
    hidden = hidden_episodes(db(), _user(), items)
    stale = stale_episodes(db(), items)
    return jsonify({"items": [broadcast_dict(b, window, hidden=hidden, stale=stale) for b in items],
                    "total": len(items)})


@bp.post("/broadcasts")
@policy("schedule.write")
@require_role(Role.PRODUCER)
@validated(json=BroadcastCreate, resp=answers(201, out.Broadcast, errors=(400, 401, 403, 404, 409)))
def book(body: BroadcastCreate) -> Response:
    """Book an episode on a station (one-off or RRULE series); 409 ``conflict`` listing what overlaps."""
    broadcast = bookings.book_broadcast(db(), body.changes(), _user())
    return tagged(_created(broadcast_dict(broadcast)), broadcast)


@bp.get("/broadcasts/<broadcast_id>")
@policy("schedule.read")
@require_user
@validated(query=WindowQuery, resp=answers(200, out.Broadcast, errors=(400, 401, 404)))
def get_broadcast(broadcast_id: str, query: WindowQuery) -> Response:
    """One broadcast; with ``from``/``to`` its occurrences in that window (its ETag: an edit's ``If-Match``)."""
    broadcast = bookings.get_broadcast(db(), broadcast_id, _user())
    hidden = hidden_episodes(db(), _user(), [broadcast])
    return tagged(jsonify(broadcast_dict(broadcast, query.window(utcnow()), hidden=hidden,
                                         stale=stale_episodes(db(), [broadcast]))), broadcast)


@bp.patch("/broadcasts/<broadcast_id>")
@policy("schedule.write")
@require_role(Role.PRODUCER)
@validated(json=BroadcastPatch, resp=answers(200, out.Broadcast, errors=(400, 401, 403, 404, 409)), edits=True)
def change_broadcast(broadcast_id: str, body: BroadcastPatch) -> Response:
    """Change the booking, or with ``occurrence`` move/change/skip one occurrence of a series (``If-Match``:
    the ETag the change is based on)."""
    data = body.changes()
    broadcast = bookings.broadcast_for_edit(db(), broadcast_id, _user(), if_match())
    if "occurrence" in data:
        occurrence = data.pop("occurrence")
        broadcast = bookings.change_occurrence(db(), broadcast, occurrence, data)
    else:
        broadcast = bookings.update_broadcast(db(), broadcast, data)
    return tagged(jsonify(broadcast_dict(broadcast)), broadcast)


@bp.delete("/broadcasts/<broadcast_id>")
@policy("schedule.write")
@require_role(Role.PRODUCER)
@validated(query=CancelQuery, resp=answers(200, out.Broadcast, errors=(400, 401, 403, 404, 409)), edits=True)
def cancel(broadcast_id: str, query: CancelQuery) -> Response:
    """Cancel the booking (STATUS:CANCELLED in the feed); with ``?occurrence=`` skip only that one (EXDATE)."""
    broadcast = bookings.broadcast_for_edit(db(), broadcast_id, _user(), if_match())
    if query.occurrence:
        broadcast = bookings.change_occurrence(db(), broadcast, query.occurrence, {"skip": True})
    else:
        broadcast = bookings.cancel_broadcast(db(), broadcast)
    return tagged(jsonify(broadcast_dict(broadcast)), broadcast)


@bp.post("/broadcasts/<broadcast_id>/feedback")
@policy("feedback.report")
@require_role(Role.PRODUCER, Role.STATION)
@validated(json=FeedbackBody, resp=answers(201, out.FeedbackReport, errors=(400, 401, 403, 404, 409)))
def report_feedback(broadcast_id: str, body: FeedbackBody) -> Response:
    """Listener feedback for one past occurrence; a second report for it is a correction (history is kept)."""
    user = _user()
    report = fb.record_feedback(db(), bookings.get_broadcast(db(), broadcast_id, user), body.changes(), user)
    return _created(feedback_dict(report))


@bp.get("/broadcasts/<broadcast_id>/feedback")
@policy("feedback.read")
@require_user
@validated(resp=answers(200, out.Items, errors=(401, 404)))
def feedback_history(broadcast_id: str) -> Response:
    """Every feedback report of the broadcast, corrections included."""
    reports = fb.feedback_history(db(), bookings.get_broadcast(db(), broadcast_id, _user()))
    return jsonify({"items": [feedback_dict(r) for r in reports]})


@bp.get("/feedback/summary")
@policy("feedback.summary")
@require_role(Role.PRODUCER, Role.STATION, Role.RESEARCHER)
@validated(query=FeedbackSummaryQuery, resp=answers(200, out.Items, errors=(400, 401, 403, 404)))
def feedback_summary(query: FeedbackSummaryQuery) -> Response:
    """Totals by station, episode or month (``format=csv`` for a spreadsheet)."""
    rows = fb.summarise_feedback(db(), _user(), query.params())
    group_by = query.group_by
    if query.format == "csv":
        return Response(fb.summary_csv(rows, group_by), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename=feedback-by-{group_by}.csv"})
    return jsonify({"group_by": group_by, "items": [r.as_dict() for r in rows]})


@bp.get("/calendar.ics")
@policy("campaign.calendar")
@require_role(Role.PRODUCER)
@validated(query=CampaignCalendarQuery, resp=answers(200, media="text/calendar", errors=(400, 401, 403)))
def campaign_calendar(query: CampaignCalendarQuery) -> Response:
    """The producers' calendar across stations (``campaign``, ``station`` filters)."""
    rendered = render_campaign_calendar(db(), runtime().settings.public_url, runtime().secret_key, utcnow(),
                                        campaign=query.campaign, stations=query.station or None)
    fresh = rendered.fresh
    on_commit(db(), lambda: save_fragments(runtime(), fresh))  # new blocks stored after the request's transaction
    return Response(rendered.body, content_type="text/calendar; charset=utf-8")
