"""API for flights (SPEC.md "Production"): propose a campaign's bookings across stations, accept them at once,
extend or cancel the flight as a whole."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from radio.access import policy
from radio.models import Role
from schedule.flight_changes import adjust_proposal, cancel_flight, extend_flight
from schedule.flights import accept, flight_dict, flight_rev, get_flight, propose
from web.auth import current_user, require_role
from web.context import db
from web.contract import answers, validated
from web.schemas.production import (
    FlightAcceptBody,
    FlightAccepted,
    FlightAdjustBody,
    FlightBody,
    FlightCancelBody,
    FlightCancelled,
    FlightExtendBody,
    FlightExtended,
    FlightProposal,
)

bp = Blueprint("api_flights", __name__, url_prefix="/api/v1")


def _created(body: dict[str, object]) -> Response:
    response = jsonify(body)
    response.status_code = 201
    return response


@bp.post("/flights")
@policy("flight.write")
@require_role(Role.PRODUCER)
@validated(json=FlightBody, resp=answers(201, FlightProposal, errors=(400, 401, 403, 404)))
def flight_propose(body: FlightBody) -> Response:
    """Propose a flight's bookings: conflict-free, spread over each week, creatives rotated (nothing booked yet)."""
    return _created(flight_dict(db(), propose(db(), body.model_dump(by_alias=True), current_user())))


@bp.get("/flights/<flight_id>")
@policy("flight.write")
@require_role(Role.PRODUCER)
@validated(resp=answers(200, FlightProposal, errors=(401, 403, 404)))
def flight_detail(flight_id: str) -> Response:
    """A flight: its proposal (or, once accepted, its bookings)."""
    return jsonify(flight_dict(db(), get_flight(db(), flight_id)))


@bp.put("/flights/<flight_id>/proposal")
@policy("flight.write")
@require_role(Role.PRODUCER)
@validated(json=FlightAdjustBody, resp=answers(200, FlightProposal, errors=(400, 401, 403, 404, 409)))
def flight_adjust(flight_id: str, body: FlightAdjustBody) -> Response:
    """Replace a proposal's airings (each and the whole checked again); 409 when clashing, stale or not proposed."""
    airings = [a.model_dump() for a in body.proposed]
    return jsonify(flight_dict(db(), adjust_proposal(db(), flight_id, airings, body.rev)))


@bp.post("/flights/<flight_id>/accept")
@policy("flight.write")
@require_role(Role.PRODUCER)
@validated(json=FlightAcceptBody, resp=answers(201, FlightAccepted, errors=(400, 401, 403, 404, 409)))
def flight_accept(flight_id: str, body: FlightAcceptBody) -> Response:
    """Book every proposed airing in one transaction; 409 ``conflict`` when a station's schedule changed or the
    optional ``rev`` is stale, 409 ``already_accepted`` when it was accepted already."""
    flight = accept(db(), flight_id, current_user(), body.rev)
    return _created({"id": flight.id, "broadcast_ids": flight.broadcast_ids})


@bp.post("/flights/<flight_id>/extend")
@policy("flight.write")
@require_role(Role.PRODUCER)
@validated(json=FlightExtendBody, resp=answers(201, FlightExtended, errors=(400, 401, 403, 404, 409)))
def flight_extend(flight_id: str, body: FlightExtendBody) -> Response:
    """Book ``weeks`` more weeks of an accepted flight (conflict-free, rotating on); 409 when ``rev`` is stale."""
    flight, added, ids = extend_flight(db(), flight_id, body.weeks, body.rev, current_user())
    return _created({"id": flight.id, "to": flight.date_to.isoformat(), "rev": flight_rev(db(), flight),
                     "broadcast_ids": ids, "proposed": [{k: a[k] for k in ("station", "episode_id", "start")}
                                                        for a in added]})


@bp.post("/flights/<flight_id>/cancel")
@policy("flight.write")
@require_role(Role.PRODUCER)
@validated(json=FlightCancelBody, resp=answers(200, FlightCancelled, errors=(400, 401, 403, 404, 409)))
def flight_cancel(flight_id: str, body: FlightCancelBody) -> Response:
    """Cancel a flight's bookings still to come (those begun stay); 409 when ``rev`` is stale or it is cancelled."""
    flight, cancelled, kept = cancel_flight(db(), flight_id, body.rev)
    return jsonify({"id": flight.id, "status": flight.status, "rev": flight_rev(db(), flight),
                    "cancelled": cancelled, "kept": kept})
