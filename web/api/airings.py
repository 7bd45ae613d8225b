"""API for airings: confirmations per occurrence, their listing with status, and make-goods for missed ones."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from radio.access import policy
from radio.db import utcnow
from radio.models import Role, User
from schedule import airings, bookings, make_good
from schedule.serialize import airing_dict, airing_report_dict, broadcast_dict
from web.auth import current_user, require_role
from web.context import db, runtime
from web.contract import answers, validated
from web.schemas import answers as out
from web.schemas.schedule import AiringBody, AiringsQuery, MakeGoodBody, MakeGoodQuery

bp = Blueprint("api_airings", __name__, url_prefix="/api/v1")


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


@bp.post("/broadcasts/<broadcast_id>/airings")
@policy("airing.confirm")
@require_role(Role.PRODUCER, Role.STATION)
@validated(json=AiringBody, resp=answers(201, out.AiringReport, errors=(400, 401, 403, 404, 409)))
def confirm(broadcast_id: str, body: AiringBody) -> Response:
    """Whether one past occurrence aired; a second answer for it is a correction (history is kept)."""
    user = _user()
    report = airings.confirm_airing(db(), bookings.get_broadcast(db(), broadcast_id, user), body.changes(), user,
                                    via="api")
    response = jsonify(airing_report_dict(report))
    response.status_code = 201
    return response


@bp.get("/broadcasts/<broadcast_id>/airings")
@policy("airing.read")
@require_role(Role.PRODUCER, Role.STATION, Role.RESEARCHER)
@validated(resp=answers(200, out.Items, errors=(401, 403, 404)))
def history(broadcast_id: str) -> Response:
    """Every confirmation of the broadcast's occurrences, corrections included."""
    reports = airings.airing_history(db(), bookings.get_broadcast(db(), broadcast_id, _user()))
    return jsonify({"items": [airing_report_dict(r) for r in reports]})


@bp.get("/airings")
@policy("airing.read")
@require_role(Role.PRODUCER, Role.STATION, Role.RESEARCHER)
@validated(query=AiringsQuery, resp=answers(200, out.AiringList, errors=(400, 401, 403, 404)))
def list_airings(query: AiringsQuery) -> Response:
    """Planned occurrences with status, actual start, who confirmed and how (at most 2,000 items)."""
    rows = airings.list_airings(db(), _user(), runtime().secret_key, window=query.window(utcnow()),
                                station=query.station, campaign=query.campaign, status=query.status,
                                days=(query.date_from, query.date_to))
    return jsonify({"items": [airing_dict(r) for r in rows[:airings.MAX_ITEMS]], "total": len(rows)})


@bp.get("/broadcasts/<broadcast_id>/make-good")
@policy("airing.make_good")
@require_role(Role.PRODUCER)
@validated(query=MakeGoodQuery, resp=answers(200, out.MakeGoodSlot, errors=(400, 401, 403, 404)))
def propose(broadcast_id: str, query: MakeGoodQuery) -> Response:
    """The slot a make-good of this occurrence would take (``start`` null: none free in two weeks)."""
    broadcast = bookings.get_broadcast(db(), broadcast_id, _user())
    start = make_good.propose_make_good(db(), broadcast, query.occurrence)
    return jsonify({"start": start.isoformat() if start else None})


@bp.post("/broadcasts/<broadcast_id>/make-good")
@policy("airing.make_good")
@require_role(Role.PRODUCER)
@validated(json=MakeGoodBody, resp=answers(201, out.Broadcast, errors=(400, 401, 403, 404, 409)))
def book(broadcast_id: str, body: MakeGoodBody) -> Response:
    """Book a missed occurrence again in the station's next free slot at the same hour."""
    user = _user()
    broadcast = bookings.get_broadcast(db(), broadcast_id, user)
    booked = make_good.book_make_good(db(), broadcast, body.changes().get("occurrence"), user)
    response = jsonify(broadcast_dict(booked))
    response.status_code = 201
    return response
