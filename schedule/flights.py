"""Flight operations: propose a flight's bookings against each station's schedule, accept them all at once.

The proposal records each station's ``calendar_version`` (bumped by database triggers on every change of
its bookings); accepting refuses with 409 ``conflict`` when any of them moved since, naming the stations
and the bookings that now clash, so the producer proposes again. Otherwise every airing is booked with
``book_broadcast`` (which checks conflicts and eligibility once more) in the caller's one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from radio.errors import Conflict, DomainError, InvalidInput, NotFound
from radio.models import User
from schedule.booking_conflicts import confirmed_occurrences, lock_station_schedule
from schedule.bookings import book_broadcast
from schedule.eligibility import check_bookable, episode_duration, episode_to_book
from schedule.flight_models import Flight
from schedule.flight_planning import (
    DAY_CODES,
    UTC,
    Creative,
    FlightProposal,
    StationPlan,
    Window,
    propose_flight,
)
from schedule.models import Station
from schedule.recurrence import format_local, zone
from schedule.stations import get_station

MAX_DAYS = 366
MAX_AIRINGS = 10_000  # one flight books at most this many airings (in one transaction)


def _field(message: str, field: str, code: str = "invalid_field") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})


def parse_window(data: Mapping[str, Any], n: int) -> Window:
    """A window ``{"days": "MO,TU", "start": "HH:MM", "end": "HH:MM"}`` (end after start, same day)."""
    codes = [c.strip().upper() for c in str(data.get("days") or "").split(",") if c.strip()]
    if not codes or any(c not in DAY_CODES for c in codes):
        raise _field(f"windows.{n}.days must be day codes like MO,TU,WE", f"windows.{n}.days")
    times = []
    for key in ("start", "end"):
        try:
            times.append(dt.time.fromisoformat(str(data.get(key))))
        except ValueError:
            raise _field(f"windows.{n}.{key} must be a time like 19:30", f"windows.{n}.{key}") from None
    if times[1] <= times[0]:
        raise _field(f"windows.{n}.end must be after its start (a window lies within one day)", f"windows.{n}.end")
    return Window(frozenset(DAY_CODES.index(c) for c in codes), times[0], times[1])


def station_busy(session: Session, station: Station, lo: dt.datetime,
                 hi: dt.datetime) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """(broadcast id, start, end) of every confirmed occurrence on the station overlapping ``[lo, hi)``."""
    return [(i, o.start, o.end) for i, o in confirmed_occurrences(session, station.id, lo, hi)]


def flight_span(station: Station, date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = zone(station.timezone)
    lo = dt.datetime.combine(date_from, dt.time()).replace(tzinfo=tz).astimezone(UTC)
    hi = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()).replace(tzinfo=tz).astimezone(UTC)
    return lo, hi


def windows_for(slug: str, windows: Sequence[Mapping[str, Any]]) -> list[Window]:
    """The windows that apply to station ``slug``: its own ones, else the flight's general ones."""
    own = [parse_window(w, n) for n, w in enumerate(windows) if w.get("station") == slug]
    return own or [parse_window(w, n) for n, w in enumerate(windows) if not w.get("station")]


def flight_creatives(session: Session, episode_ids: Sequence[str], date_from: dt.date) -> list[Creative]:
    """The creatives to rotate, each checked bookable on ``date_from`` (errors name ``episodes.N``)."""
    creatives = []
    for n, episode_id in enumerate(episode_ids):
        try:
            episode = episode_to_book(session, episode_id)
            check_bookable(episode, dt.datetime.combine(date_from, dt.time()))
            creatives.append(Creative(episode.id, episode_duration(episode), episode.valid_until))
        except DomainError as exc:  # 404, 403 (restricted, no consent), 400 (expired, not analysed)
            exc.details.setdefault("field", f"episodes.{n}")
            raise
    return creatives


def station_plans(session: Session, stations: Sequence[Station], windows: Sequence[Mapping[str, Any]],
                  date_from: dt.date, date_to: dt.date) -> list[StationPlan]:
    """Each station's windows and existing bookings over the flight's days (the planner's input)."""
    plans = []
    for station in stations:
        station_windows = windows_for(station.slug, windows)
        if not station_windows:
            raise _field(f"no window applies to station {station.slug!r}", "windows")
        lo, hi = flight_span(station, date_from, date_to)
        busy = [(s, e) for _id, s, e in station_busy(session, station, lo, hi)]
        plans.append(StationPlan(station.slug, zone(station.timezone), station_windows, busy))
    return plans


def proposed_airings(proposal: FlightProposal) -> list[dict[str, Any]]:
    """The planner's airings as a flight stores them."""
    return [{"station": a.station, "episode_id": a.episode_id, "start": format_local(a.wall),
             "start_utc": a.start.isoformat(), "end_utc": a.end.isoformat()} for a in proposal.airings]


def propose(session: Session, data: Mapping[str, Any], user: User | None = None,
            flight_id: str | None = None) -> Flight:
    """Plan a flight (see the module docstring) and store the proposal; nothing is booked yet.

    ``flight_id`` (32 hex digits) is the id a form chose when it was drawn: sending that form again is a 409
    ``already_proposed`` naming the flight, not a second proposal.
    """
    if flight_id is not None:
        if not re.fullmatch(r"[0-9a-f]{32}", flight_id):
            raise _field("form_id must be 32 hexadecimal digits", "form_id")
        if session.get(Flight, flight_id) is not None:
            raise _already_proposed(flight_id)
    date_from, date_to = data["from"], data["to"]
    if date_to < date_from:
        raise _field("'to' must not be before 'from'", "to")
    if (date_to - date_from).days >= MAX_DAYS:
        raise _field(f"a flight lasts at most {MAX_DAYS} days", "to")
    slugs = list(dict.fromkeys(data["stations"]))
    weeks = (date_to - date_from).days // 7 + 1
    if int(data["per_week"]) * weeks * len(slugs) > MAX_AIRINGS:
        raise _field(f"a flight proposes at most {MAX_AIRINGS} airings ({data['per_week']} a week × {weeks} "
                     f"weeks × {len(slugs)} stations is more)", "per_week", code="too_many_airings")
    stations = []
    for n, slug in enumerate(slugs):
        try:
            stations.append(get_station(session, slug))
        except NotFound as exc:
            exc.details.setdefault("field", f"stations.{n}")
            raise
    windows = [dict(w) for w in data["windows"]]
    for n, w in enumerate(windows):
        if w.get("station") and w["station"] not in slugs:
            raise _field(f"windows.{n}.station is not one of the flight's stations", f"windows.{n}.station")
    creatives = flight_creatives(session, list(dict.fromkeys(data["episodes"])), date_from)
    plans = station_plans(session, stations, windows, date_from, date_to)
    proposal: FlightProposal = propose_flight(plans, creatives, int(data["per_week"]), date_from, date_to)
    flight = Flight(campaign=data.get("campaign") or "", stations=slugs, episodes=[c.episode_id for c in creatives],
                    per_week=int(data["per_week"]), date_from=date_from, date_to=date_to, windows=windows,
                    proposed=proposed_airings(proposal),
                    unplaced=proposal.unplaced, station_versions={s.slug: s.calendar_version for s in stations},
                    status="proposed", broadcast_ids=[], created_by=user.id if user else None)
    if flight_id is not None:
        flight.id = flight_id
    session.add(flight)
    try:
        session.flush()
    except IntegrityError:  # the same form sent twice at once: the other one stored it first
        if flight_id is None:
            raise
        raise _already_proposed(flight_id) from None
    return flight


def _already_proposed(flight_id: str) -> Conflict:
    return Conflict("this form was sent already: the flight is proposed", code="already_proposed",
                    details={"field": "form_id", "flight_id": flight_id})


def require_status(flight: Flight, status: str) -> None:
    """409 unless the flight is ``status`` (``already_accepted`` or ``flight_cancelled`` naming what it is)."""
    if flight.status == status:
        return
    code = {"accepted": "already_accepted", "cancelled": "flight_cancelled"}.get(flight.status, "not_accepted")
    raise Conflict(f"this flight is {flight.status}, not {status}", code=code,
                   details={"flight_status": flight.status, "broadcast_ids": flight.broadcast_ids})


def get_flight(session: Session, flight_id: str) -> Flight:
    """A flight by id (404 when missing)."""
    flight = session.get(Flight, flight_id) if len(flight_id) <= 64 else None
    if flight is None:
        raise NotFound("no such flight", code="flight_not_found")
    return flight


def hold_flight(session: Session, flight_id: str) -> Flight:
    """The flight with its stations' schedules locked for this transaction (404 when missing).

    The stations are locked in slug order (two changes of overlapping flights cannot deadlock), then the
    flight is read again, so of two concurrent or replayed changes the second sees what the first did.
    """
    flight = get_flight(session, flight_id)
    for station_id in session.scalars(select(Station.id).where(Station.slug.in_(flight.stations))
                                      .order_by(Station.slug)):
        lock_station_schedule(session, station_id)
    session.refresh(flight)
    return flight


def stale_rev(session: Session, flight: Flight, rev: str | None) -> dict[str, Any]:
    """The details of a 409 for a stale ``rev`` (``field``, the current ``rev``, what ``changed``); empty when
    ``rev`` is None or current."""
    current = flight_rev(session, flight)
    if rev is None or rev == current:
        return {}
    return {"field": "rev", "rev": current, "changed": rev_changes(flight, rev, current)}


def accept(session: Session, flight_id: str, user: User | None = None, rev: str | None = None) -> Flight:
    """Book every proposed airing at once; 409 ``conflict`` when a station's schedule changed since (naming the
    stations and the clashes), or — given the ``rev`` it was read at — when the proposal did (naming the
    current ``rev`` and what changed, as an adjustment does). Accepting again is 409 ``already_accepted``."""
    flight = hold_flight(session, flight_id)
    require_status(flight, "proposed")
    stale = stale_rev(session, flight, rev)
    stations = {s.slug: s for s in session.scalars(select(Station).where(Station.slug.in_(flight.stations)))}
    changed = sorted(slug for slug in flight.stations
                     if slug not in stations or stations[slug].calendar_version != flight.station_versions.get(slug))
    if changed:
        raise Conflict(f"the schedule of {', '.join(changed)} changed since the proposal; propose the flight again",
                       code="conflict", details={"changed_stations": changed, "rev": flight_rev(session, flight),
                                                 "clashes": _clashes(session, flight, stations, changed), **stale})
    if stale:
        raise Conflict("the proposal changed since you read it; look at it again", code="conflict", details=stale)
    ids = []
    for airing in flight.proposed:
        broadcast = book_broadcast(session, {"station": airing["station"], "episode_id": airing["episode_id"],
                                             "start": airing["start"], "notes": f"flight {flight.id}"}, user)
        ids.append(broadcast.id)
    flight.broadcast_ids, flight.status = ids, "accepted"
    session.flush()
    return flight


def _clashes(session: Session, flight: Flight, stations: Mapping[str, Station],
             changed: Sequence[str]) -> list[dict[str, str]]:
    """The proposed airings of the changed stations that now overlap a booking (at most 50)."""
    out: list[dict[str, str]] = []
    for slug in changed:
        station = stations.get(slug)
        if station is None:
            continue
        lo, hi = flight_span(station, flight.date_from, flight.date_to)
        busy = station_busy(session, station, lo, hi)
        for airing in (a for a in flight.proposed if a["station"] == slug):
            start, end = dt.datetime.fromisoformat(airing["start_utc"]), dt.datetime.fromisoformat(airing["end_utc"])
            for broadcast_id, s, e in busy:
                if s < end and start < e:
                    out.append({"station": slug, "start": airing["start"], "broadcast_id": broadcast_id})
    return out[:50]


def proposal_digest(flight: Flight) -> str:
    """Twelve hex digits of the proposed airings (station, creative, local start) in their stored order."""
    rows = [[a["station"], a["episode_id"], a["start"]] for a in flight.proposed]
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode()).hexdigest()[:12]


def flight_rev(session: Session, flight: Flight) -> str:
    """The flight as a producer saw it: last day, status, each station's ``calendar_version`` (in order) and
    a digest of the proposed airings.

    Readable rather than one digest so that a stale one names what changed; every booking, re-timing or
    cancellation on a station bumps its version, so extending or cancelling with a stale ``rev`` is refused,
    and a replayed extension (whose own bookings bumped the versions) books nothing twice. An adjustment of
    the proposal changes its digest, so a replayed or concurrent adjustment is refused the same way.
    """
    versions = {slug: version for slug, version in session.execute(
        select(Station.slug, Station.calendar_version).where(Station.slug.in_(flight.stations)))}
    return ".".join([flight.date_to.isoformat(), flight.status,
                     "-".join(str(versions.get(slug, "x")) for slug in flight.stations), proposal_digest(flight)])


def rev_changes(flight: Flight, seen: str, current: str) -> list[str]:
    """What differs between two revs: ``to``, ``status``, the slugs of the stations whose schedule changed and
    ``proposal`` when the proposed airings did."""
    old, new = seen.split("."), current.split(".")
    changed = [name for name, a, b in zip(("to", "status"), old, new, strict=False) if a != b]
    old_versions = old[2].split("-") if len(old) == 4 else []
    new_versions = new[2].split("-")
    changed += [slug for n, slug in enumerate(flight.stations)
                if n >= len(old_versions) or old_versions[n] != new_versions[n]]
    if len(old) != 4 or old[3] != new[3]:
        changed.append("proposal")
    return changed


def flight_dict(session: Session, flight: Flight) -> dict[str, Any]:
    """A flight as the API shows it."""
    return {"id": flight.id, "rev": flight_rev(session, flight), "campaign": flight.campaign,
            "status": flight.status, "stations": flight.stations,
            "episodes": flight.episodes, "per_week": flight.per_week, "from": flight.date_from.isoformat(),
            "to": flight.date_to.isoformat(), "windows": flight.windows,
            "proposed": [{k: a[k] for k in ("station", "episode_id", "start", "start_utc", "end_utc")}
                         for a in flight.proposed],
            "unplaced": flight.unplaced, "broadcast_ids": flight.broadcast_ids}
