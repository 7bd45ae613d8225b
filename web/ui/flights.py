"""Flights in the UI: a campaign's flights, proposing a new one, reviewing and adjusting its proposal (a list
and a week view), accepting it, and extending or cancelling it as a whole.

Every change is a plain form carrying the ``rev`` the page was drawn from (see :mod:`schedule.flight_changes`):
when the flight or a station's schedule changed meanwhile the page is drawn again with the refusal (409) and
what is there now, so the producer decides on that. A refused adjustment shows its error on the airing's row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from episodes.models import Episode
from radio.access import policy
from radio.db import utcnow
from radio.errors import DomainError
from radio.models import Role
from schedule.flight_changes import MAX_EXTEND_WEEKS, adjust_proposal, cancel_flight, extend_flight
from schedule.flight_models import Flight
from schedule.flight_planning import DAY_CODES
from schedule.flight_review import (
    edited_proposal,
    filtered_stations,
    flight_stations,
    monday_of_flight,
    proposal_rows,
    proposal_week,
)
from schedule.flights import accept, flight_rev, get_flight, propose
from schedule.models import Broadcast
from schedule.stations import visible_stations
from schedule.week import bookable_episodes, week_days
from web.context import db, read_db
from web.contract import validate_model
from web.schemas.production import FlightAdjustBody, FlightBody
from web.ui.base import done, field_errors, int_arg, page, page_user
from web.ui.flight_form import WINDOW_ROWS, blank_flight_form, flight_body, flight_form, flight_form_errors
from web.ui.labels import episode_title, error_message
from web.ui.widgets import parse_week

bp = Blueprint("ui_flights", __name__)

FIELDS = ("weeks", "rev")
LIST_PAGE = 100  # rows of the proposal's list a page (each carries its own form)


@bp.get("/flights")
@policy("flight.write")
@page(Role.PRODUCER)
def flights() -> tuple[str, int]:
    """The flights, newest first."""
    listed = db().scalars(select(Flight).order_by(Flight.created_at.desc()).limit(100)).all()
    return render_template("flights/list.html", flights=listed), 200


def _new_form(values: dict[str, Any], errors: dict[str, str], status: int = 200,
              sent: str | None = None) -> tuple[str, int]:
    session = read_db()
    stations = visible_stations(session, page_user())
    return render_template("flights/new.html", form=values, errors=errors, rows=WINDOW_ROWS, stations=stations,
                           sent=sent,
                           station_options=[(s.slug, s.slug) for s in stations], episodes=bookable_episodes(session),
                           days=list(zip(DAY_CODES, week_days(dt.date(2024, 1, 1)), strict=True))), status


@bp.get("/flights/new")
@policy("flight.write")
@page(Role.PRODUCER)
def new_flight() -> tuple[str, int]:
    """The "New flight" form: creatives from the library, stations, airings a week, days and time windows."""
    return _new_form(blank_flight_form(utcnow().date()), {})


@bp.post("/flights/new")
@policy("flight.write")
@page(Role.PRODUCER)
def create_flight() -> Response | tuple[str, int]:
    """Propose the flight (nothing is booked yet) and open its proposal; a refusal redraws the form."""
    values = flight_form(request.form)
    try:
        body = validate_model(FlightBody, flight_body(values))
        flight = propose(db(), body.model_dump(by_alias=True), page_user(), values["form_id"])
    except DomainError as exc:
        return _new_form(values, flight_form_errors(exc, values), exc.status,
                         sent=exc.details.get("flight_id") if exc.code == "already_proposed" else None)
    return done(_("The flight was proposed with %(n)s airings: review, adjust and accept them.",
                  n=len(flight.proposed)), "ui_flights.flight", flight_id=flight.id)


def _detail(flight_id: str, errors: dict[str, str], status: int = 200, weeks: str = "1", *,
            row_errors: dict[str, str] | None = None, clashes: list[dict[str, Any]] | None = None,
            added: dict[str, str] | None = None, week: str | None = None,
            list_page: int | None = None) -> tuple[str, int]:
    """One flight: what it asked for, its proposal (list and week view, with the forms that adjust it) or its
    bookings, and the change forms — as committed (a refused change's half-done work, which the request's
    rollback undoes, is never shown)."""
    session = read_db()
    flight = get_flight(session, flight_id)
    bookings = session.scalars(select(Broadcast).where(Broadcast.id.in_(flight.broadcast_ids))
                               .order_by(Broadcast.starts_at)).all() if flight.broadcast_ids else []
    by_slug = flight_stations(session, flight)
    stations = {s.id: s for s in by_slug.values()}
    episodes = {e.id: e for e in session.scalars(select(Episode).where(Episode.id.in_(flight.episodes)))}
    review: dict[str, Any] = {}
    if flight.status == "proposed":
        rows = proposal_rows(flight, by_slug)
        monday = parse_week(week or request.args.get("week"), monday_of_flight(flight))
        pages = max(1, -(-len(rows) // LIST_PAGE))
        shown = min(list_page or int_arg("page", 1), pages)
        wanted = _station_filter()
        try:
            in_week = filtered_stations(by_slug, wanted)
        except DomainError as exc:  # the whole week instead, the filter marked (a 400 unless already refused)
            in_week, status = by_slug, status if status >= 400 else exc.status
            errors = {**errors, "station": _("That is not one of this flight's stations: every station is shown.")}
        review = {"rows": rows, "monday": monday, "list_rows": rows[(shown - 1) * LIST_PAGE:shown * LIST_PAGE],
                  "list_page": shown, "list_per_page": LIST_PAGE,
                  "shown_station": wanted if len(in_week) == 1 and wanted in in_week else None,
                  "station_weeks": proposal_week(session, page_user(), in_week, rows, monday, flight.windows),
                  "prev_week": (monday - dt.timedelta(days=7)).isoformat(),
                  "next_week": (monday + dt.timedelta(days=7)).isoformat(), "today": utcnow().date(),
                  "station_pairs": [(slug, f"{slug} ({s.timezone})") for slug, s in by_slug.items()],
                  "spot_pairs": [(i, episode_title(episodes[i]) if i in episodes else i) for i in flight.episodes]}
    return render_template("flights/detail.html", flight=flight, rev=flight_rev(session, flight), bookings=bookings,
                           stations=stations, by_slug=by_slug, episodes=episodes, errors=errors, weeks=weeks,
                           max_weeks=MAX_EXTEND_WEEKS, row_errors=row_errors or {}, clashes=clashes or [],
                           added=added or {}, **review), status


@bp.get("/flights/<flight_id>")
@policy("flight.write")
@page(Role.PRODUCER)
def flight(flight_id: str) -> tuple[str, int]:
    """A flight's page."""
    return _detail(flight_id, {})


def _station_filter() -> str:
    """The station the week view is narrowed to (``?station=``, also on the forms' actions), '' for all."""
    return request.args.get("station", "")[:200].strip()


def _refusal(exc: DomainError) -> dict[str, str]:
    """The form errors of a refused change; a stale page says what changed meanwhile."""
    if exc.code == "conflict" and exc.details.get("field") == "rev":
        named = {"to": _("the last day"), "status": _("the status"), "proposal": _("the proposal")}
        changed = ", ".join(named.get(str(c), str(c)) for c in exc.details.get("changed") or ())
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


def _row_key(n: int, action: str, index: int | None) -> str:
    """The row of the page an error about airing ``n`` of the adjusted proposal belongs to (``new``: the add form;
    ``index`` is the changed or removed row, or the added one's place)."""
    if action == "add" and index == n:
        return "new"
    if action == "remove" and index is not None and n >= index:
        return str(n + 1)
    return str(n)


def _adjust_errors(exc: DomainError, action: str, index: int | None) -> dict[str, str]:
    """A refused adjustment's errors by row: a bad field or a clash on its airing's row (a stale page: ``rev``)."""
    field = str(exc.details.get("field") or "")
    if field.startswith("proposed.") and field.split(".")[1].isdigit():
        return {_row_key(int(field.split(".")[1]), action, index): error_message(exc.code, exc.message)}
    errors: dict[str, str] = {}
    for clash in exc.details.get("clashes") or ():
        key = _row_key(int(clash["index"]), action, index)
        if "overlaps" in clash:
            errors.setdefault(key, _("Overlaps another airing of this flight (%(start)s).",
                                     start=clash["overlaps"].replace("T", " ")[:16]))
            errors.setdefault(_row_key(int(clash["overlaps_index"]), action, index),
                              _("Overlaps another airing of this flight (%(start)s).",
                                start=clash["start"].replace("T", " ")[:16]))
        else:
            errors.setdefault(key, _("Clashes with a booking already on this station."))
    return errors


def _index(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 7 else None


@bp.post("/flights/<flight_id>/proposal")
@policy("flight.write")
@page(Role.PRODUCER)
def adjust(flight_id: str) -> Response | tuple[str, int]:
    """Change one airing of the proposal (move it, swap its spot, remove it) or add one; the whole proposal is
    checked again and a clash redraws the page with the error on that row, nothing saved."""
    action, index = request.form.get("action", "")[:20], _index(request.form.get("index", "").strip())
    values = {k: request.form.get(k, "")[:2000] for k in ("station", "episode_id", "start")}
    week = request.form.get("week", "")[:20]
    list_page = _index(request.form.get("page", "").strip()) or 1
    flight = get_flight(db(), flight_id)
    try:
        airings, row = edited_proposal(flight, action, index, values)
        if action == "add":
            index = row
        body = validate_model(FlightAdjustBody, {"proposed": airings, "rev": request.form.get("rev", "")[:2000]})
        adjust_proposal(db(), flight_id, [a.model_dump() for a in body.proposed], body.rev)
    except DomainError as exc:
        stale = exc.code == "conflict" and exc.details.get("field") == "rev"
        row_errors = {} if stale else _adjust_errors(exc, action, index)
        errors = _refusal(exc) if stale or not row_errors else {
            "": _("Nothing was saved: the change clashes (see the marked airings).")}
        if index is not None and str(index) in row_errors and not request.form.get("from_week"):
            list_page = index // LIST_PAGE + 1  # the list opens where the refused row is
        return _detail(flight_id, errors, exc.status, row_errors=row_errors,
                       clashes=list(exc.details.get("clashes") or ()), week=week,
                       added=values if action == "add" else None, list_page=list_page)
    messages = {"remove": _("The airing was removed from the proposal."), "add": _("The airing was added."),
                "recheck": _("The proposal was checked again against the stations' schedules.")}
    return done(messages.get(action, _("The airing was changed.")), "ui_flights.flight", flight_id=flight_id,
                week=week or None, station=_station_filter() or None, page=list_page if list_page > 1 else None,
                _anchor="proposal-week" if request.form.get("from_week") else "proposal")


@bp.post("/flights/<flight_id>/accept")
@policy("flight.write")
@page(Role.PRODUCER)
def accept_flight(flight_id: str) -> Response | tuple[str, int]:
    """Book every airing of the proposal at once; 409 redraws it with the stations that changed and the clashes."""
    try:
        flight = accept(db(), flight_id, page_user(), request.form.get("rev", "")[:2000])
    except DomainError as exc:
        changed = exc.details.get("changed_stations")
        if changed:
            clashes = list(exc.details.get("clashes") or ())
            message = _("The schedule of %(stations)s changed since the proposal was checked; nothing was booked. "
                        "Move or remove the airings that now clash, or check the proposal again, then accept.",
                        stations=", ".join(str(c) for c in changed))
            starts = {(c["station"], c["start"]) for c in clashes}
            rows = {str(n): _("Clashes with a booking already on this station.")
                    for n, a in enumerate(get_flight(read_db(), flight_id).proposed)
                    if (a["station"], a["start"]) in starts}
            return _detail(flight_id, {"": message}, exc.status, row_errors=rows, clashes=clashes)
        return _detail(flight_id, _refusal(exc), exc.status)
    return done(_("The flight was accepted: %(n)s airings were booked.", n=len(flight.broadcast_ids)),
                "ui_flights.flight", flight_id=flight_id)
