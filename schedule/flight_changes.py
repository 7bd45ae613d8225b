"""Changing a flight: adjust a proposal before accepting it, extend an accepted flight, cancel it as a whole.

- **Adjust** replaces the proposed airings (drop some, move some to another time, swap the creative): every
  airing is checked again — station and creative of the flight, inside its dates, the creative valid then — and
  the whole proposal is checked against each station's bookings through the one conflict query
  (:func:`schedule.booking_conflicts.confirmed_occurrences`) and against itself; a clash is a 409 ``conflict``
  naming it and changes nothing. The stations' calendar versions are taken again, so accepting refuses (409,
  with what changed) only when a schedule changes after this check.
- **Extend** plans more weeks after the flight's last day with the same creatives, stations and windows (its own
  bookings now count as existing ones, and creatives rotate on from how often each has aired) and books them
  at once.
- **Cancel** cancels every booking of the flight still to come; airings that have begun are kept as history.

Adjust, extend and cancel act on the flight as the producer last read it: they take its ``rev``
(:func:`schedule.flights.flight_rev`) and refuse with 409 ``conflict`` naming what changed when a station's
schedule, the flight's last day, its status or its proposed airings moved since (which also makes a replayed
request harmless).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.db import utcnow
from radio.errors import Conflict, DomainError, InvalidInput
from radio.models import User
from schedule.booking_conflicts import confirmed_occurrences
from schedule.bookings import book_broadcast, cancel_broadcast
from schedule.eligibility import check_bookable, episode_duration, episode_to_book
from schedule.flight_models import Flight
from schedule.flight_planning import propose_flight
from schedule.flights import (
    MAX_AIRINGS,
    MAX_DAYS,
    flight_creatives,
    hold_flight,
    proposed_airings,
    require_status,
    stale_rev,
    station_plans,
)
from schedule.models import Broadcast, BroadcastStatus, Station
from schedule.recurrence import format_local, parse_start, zone

MAX_EXTEND_WEEKS = 52
MAX_CLASHES = 50


def _field(message: str, field: str, code: str = "invalid_field") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})


def _stations(session: Session, flight: Flight) -> dict[str, Station]:
    return {s.slug: s for s in session.scalars(select(Station).where(Station.slug.in_(flight.stations)))}


def _checked_airing(session: Session, flight: Flight, stations: Mapping[str, Station], airing: Mapping[str, Any],
                    n: int) -> dict[str, Any]:
    """One adjusted airing as the flight stores it (InvalidInput naming ``proposed.N.<field>``)."""
    where = f"proposed.{n}"
    station = stations.get(str(airing.get("station")))
    if station is None:
        raise _field(f"{where}.station is not one of the flight's stations", f"{where}.station")
    if airing.get("episode_id") not in flight.episodes:
        raise _field(f"{where}.episode_id is not one of the flight's creatives", f"{where}.episode_id")
    try:
        start, wall = parse_start(airing.get("start"), zone(station.timezone))
        episode = episode_to_book(session, str(airing["episode_id"]))
        check_bookable(episode, wall)
    except DomainError as exc:
        exc.details.setdefault("field", f"{where}.start")
        raise
    if not flight.date_from <= wall.date() <= flight.date_to:
        raise _field(f"{where}.start must lie between the flight's first and last day", f"{where}.start")
    end = start + episode_duration(episode)
    return {"station": station.slug, "episode_id": episode.id, "start": format_local(wall),
            "start_utc": start.isoformat(), "end_utc": end.isoformat()}


def _clashes(session: Session, stations: Mapping[str, Station],
             airings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Where the airings overlap an existing booking or one another, per station; ``index`` is the clashing
    airing's place in ``airings`` (so a form can show the error on its row)."""
    out: list[dict[str, Any]] = []
    for slug, station in stations.items():
        mine = sorted(((dt.datetime.fromisoformat(a["start_utc"]), dt.datetime.fromisoformat(a["end_utc"]), n, a)
                       for n, a in enumerate(airings) if a["station"] == slug), key=lambda t: (t[0], t[2]))
        if not mine:
            continue
        existing = confirmed_occurrences(session, station.id, mine[0][0], max(t[1] for t in mine))
        for (start, end, n, airing), following in zip(mine, [*mine[1:], None], strict=True):
            out.extend({"index": n, "station": slug, "start": airing["start"], "broadcast_id": broadcast_id}
                       for broadcast_id, occ in existing if occ.start < end and start < occ.end)
            if following is not None and following[0] < end:
                out.append({"index": n, "station": slug, "start": airing["start"], "overlaps": following[3]["start"],
                            "overlaps_index": following[2]})
    return out[:MAX_CLASHES]


def adjust_proposal(session: Session, flight_id: str, airings: Sequence[Mapping[str, Any]], rev: str) -> Flight:
    """Replace a proposed flight's airings after checking each and the whole (see the module docstring).

    ``rev`` is the flight as the producer last read it; a stale one (another adjustment, a station's
    schedule moved, or this very request replayed) is a 409 ``conflict`` naming what changed.
    """
    if len(airings) > MAX_AIRINGS:
        raise _field(f"a flight has at most {MAX_AIRINGS} airings", "proposed")
    flight = _hold(session, flight_id, rev, ("proposed",))
    stations = _stations(session, flight)
    checked = [_checked_airing(session, flight, stations, a, n) for n, a in enumerate(airings)]
    clashes = _clashes(session, stations, checked)
    if clashes:
        raise Conflict(f"{len(clashes)} of the adjusted airings clash with a booking or with each other",
                       code="conflict", details={"clashes": clashes})
    flight.proposed = checked
    flight.station_versions = {slug: s.calendar_version for slug, s in stations.items()}
    session.flush()
    return flight


def _hold(session: Session, flight_id: str, rev: str, statuses: Sequence[str]) -> Flight:
    """The flight with its stations' schedules locked, refused with 409 unless it is in one of ``statuses``
    (``flight_cancelled`` …) and ``rev`` is current (``conflict`` naming what changed).

    :func:`schedule.flights.hold_flight` locks it first, so of two concurrent or replayed requests with one
    ``rev`` the second sees what the first did and is refused.
    """
    flight = hold_flight(session, flight_id)
    if flight.status not in statuses:
        require_status(flight, statuses[0])
    stale = stale_rev(session, flight, rev)
    if stale:
        raise Conflict("the flight or a station's schedule changed since you read it; look at the flight again",
                       code="conflict", details=stale)
    return flight


def extend_flight(session: Session, flight_id: str, weeks: int, rev: str,
                  user: User | None = None) -> tuple[Flight, list[dict[str, Any]], list[str]]:
    """Plan and book ``weeks`` more weeks of an accepted flight: (flight, the added airings, their bookings).

    The same creatives, stations and windows, against every booking now on the stations (the flight's own
    included), rotating on from how often each creative has aired on each station so far.
    """
    if not 1 <= weeks <= MAX_EXTEND_WEEKS:
        raise _field(f"weeks must be between 1 and {MAX_EXTEND_WEEKS}", "weeks")
    flight = _hold(session, flight_id, rev, ("accepted",))
    date_from, date_to = flight.date_to + dt.timedelta(days=1), flight.date_to + dt.timedelta(weeks=weeks)
    if (date_to - flight.date_from).days >= MAX_DAYS:
        raise _field(f"a flight lasts at most {MAX_DAYS} days", "weeks")
    if len(flight.broadcast_ids) + flight.per_week * weeks * len(flight.stations) > MAX_AIRINGS:
        raise _field(f"a flight books at most {MAX_AIRINGS} airings", "weeks", code="too_many_airings")
    stations = _stations(session, flight)
    valid = [e for e in flight.episodes
             if (ep := episode_to_book(session, e)).valid_until is None or ep.valid_until >= date_from]
    if not valid:
        raise Conflict("none of the flight's creatives is valid after its last day", code="no_valid_creative",
                       details={"field": "weeks"})
    creatives = flight_creatives(session, valid, date_from)
    plans = station_plans(session, [stations[s] for s in flight.stations if s in stations], flight.windows,
                          date_from, date_to)
    for plan in plans:
        plan.aired = dict(Counter(a["episode_id"] for a in flight.proposed if a["station"] == plan.slug))
    proposal = propose_flight(plans, creatives, flight.per_week, date_from, date_to)
    added = proposed_airings(proposal)
    ids = [book_broadcast(session, {"station": a["station"], "episode_id": a["episode_id"], "start": a["start"],
                                    "notes": f"flight {flight.id}"}, user).id for a in added]
    flight.proposed = [*flight.proposed, *added]
    flight.unplaced = [*flight.unplaced, *proposal.unplaced]
    flight.broadcast_ids = [*flight.broadcast_ids, *ids]
    flight.date_to = date_to
    session.flush()
    return flight, added, ids


def cancel_flight(session: Session, flight_id: str, rev: str,
                  now: dt.datetime | None = None) -> tuple[Flight, list[str], list[str]]:
    """Cancel a flight as a whole: (flight, bookings cancelled, bookings kept because they had begun).

    Its bookings still to come are cancelled (STATUS:CANCELLED in the stations' calendars); one that has
    begun is history and stays. A proposal not yet accepted is simply cancelled.
    """
    now = now or utcnow()
    flight = _hold(session, flight_id, rev, ("accepted", "proposed"))
    cancelled: list[str] = []
    kept: list[str] = []
    for broadcast in session.scalars(select(Broadcast).where(Broadcast.id.in_(flight.broadcast_ids))
                                     .order_by(Broadcast.starts_at)):
        if broadcast.status != BroadcastStatus.CONFIRMED:
            continue
        if broadcast.starts_at > now:
            cancel_broadcast(session, broadcast, now)
            cancelled.append(broadcast.id)
        else:
            kept.append(broadcast.id)
    flight.status = "cancelled"
    session.flush()
    return flight, cancelled, kept
