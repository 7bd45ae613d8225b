"""Flights in the UI: a campaign's flights, one flight's bookings, and extending or cancelling it as a whole.

Both changes are plain forms carrying the ``rev`` the page was drawn from (see :mod:`schedule.flight_changes`):
when a station's schedule changed meanwhile the page is drawn again with the refusal (409) and the fresh
bookings, so the producer decides on what is there now.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from episodes.models import Episode
from radio.access import policy
from radio.errors import DomainError
from radio.models import Role
from schedule.flight_changes import MAX_EXTEND_WEEKS, cancel_flight, extend_flight
from schedule.flight_models import Flight
from schedule.flights import flight_rev, get_flight
from schedule.models import Broadcast, Station
from web.context import db, read_db
from web.ui.base import done, field_errors, page, page_user

bp = Blueprint("ui_flights", __name__)

FIELDS = ("weeks", "rev")


@bp.get("/flights")
@policy("flight.write")
@page(Role.PRODUCER)
def flights() -> tuple[str, int]:
    """The flights, newest first."""
    listed = db().scalars(select(Flight).order_by(Flight.created_at.desc()).limit(100)).all()
    return render_template("flights/list.html", flights=listed), 200


def _detail(flight_id: str, errors: dict[str, str], status: int = 200, weeks: str = "1") -> tuple[str, int]:
    """One flight: what it asked for, its bookings (local time, creative, status) and the change forms — as
    committed (a refused change's half-done work, which the request's rollback undoes, is never shown)."""
    session = read_db()
    flight = get_flight(session, flight_id)
    bookings = session.scalars(select(Broadcast).where(Broadcast.id.in_(flight.broadcast_ids))
                               .order_by(Broadcast.starts_at)).all() if flight.broadcast_ids else []
    stations = {s.id: s for s in session.scalars(select(Station).where(Station.slug.in_(flight.stations)))}
    episodes = {e.id: e for e in session.scalars(select(Episode).where(Episode.id.in_(flight.episodes)))}
    return render_template("flights/detail.html", flight=flight, rev=flight_rev(session, flight), bookings=bookings,
                           stations=stations, episodes=episodes, errors=errors, weeks=weeks,
                           max_weeks=MAX_EXTEND_WEEKS), status


@bp.get("/flights/<flight_id>")
@policy("flight.write")
@page(Role.PRODUCER)
def flight(flight_id: str) -> tuple[str, int]:
    """A flight's page."""
    return _detail(flight_id, {})


def _refusal(exc: DomainError) -> dict[str, str]:
    """The form errors of a refused change; a stale page says what changed meanwhile."""
    if exc.code == "conflict" and exc.details.get("field") == "rev":
        changed = ", ".join(str(c) for c in exc.details.get("changed") or ())
        return {"rev": _("Since this page was loaded the flight or a station's schedule changed (%(what)s); "
                         "here it is as it is now, try again.", what=changed)}
    return field_errors(exc, FIELDS)


def _weeks(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise DomainError(_("Enter a whole number of weeks."), code="invalid_field",
                          details={"field": "weeks"}) from None


@bp.post("/flights/<flight_id>/extend")
@policy("flight.write")
@page(Role.PRODUCER)
def extend(flight_id: str) -> Response | tuple[str, int]:
    """Book more weeks of the flight (a refusal draws the page again with the reason and today's bookings)."""
    text = request.form.get("weeks", "")[:20]
    try:
        _flight, _added, ids = extend_flight(db(), flight_id, _weeks(text), request.form.get("rev", "")[:2000],
                                             page_user())
    except DomainError as exc:
        return _detail(flight_id, _refusal(exc), exc.status, text)
    return done(_("The flight was extended: %(n)s more airings were booked.", n=len(ids)), "ui_flights.flight",
                flight_id=flight_id)


@bp.post("/flights/<flight_id>/cancel")
@policy("flight.write")
@page(Role.PRODUCER)
def cancel(flight_id: str) -> Response | tuple[str, int]:
    """Cancel the flight's airings still to come (those that have begun stay)."""
    try:
        _flight, cancelled, kept = cancel_flight(db(), flight_id, request.form.get("rev", "")[:2000])
    except DomainError as exc:
        return _detail(flight_id, _refusal(exc), exc.status)
    return done(_("The flight was cancelled: %(n)s airings to come were cancelled, %(kept)s that had begun stay.",
                  n=len(cancelled), kept=len(kept)), "ui_flights.flight", flight_id=flight_id)
