"""Changing an accepted flight as a whole through the API: extend it (conflict-free, rotating on), cancel it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from schedule.booking_conflicts import confirmed_occurrences
from schedule.flight_changes import cancel_flight
from schedule.flights import flight_rev, get_flight
from schedule.models import Broadcast, BroadcastStatus, Station
from tests.audio import tone, write_wav
from tests.schedule_helpers import feed_path, flight_setup


@pytest.fixture(scope="module")
def spots(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("spots")
    return [write_wav(folder / f"spot{n}.wav", tone(2.0 + n, 300 + 100 * n)) for n in range(3)]


@pytest.fixture
def flight(api_as: Any, make_station: Any, spots: list[Path]) -> dict[str, Any]:
    """An accepted one-week flight of three creatives, five a week on two stations (one with a daily series)."""
    producer, ids = flight_setup(api_as, make_station, spots)
    daily = producer.post("/api/v1/broadcasts", json={"station": "padma", "episode_id": ids[0],
                                                      "start": "2027-03-01T19:00", "rrule": "FREQ=DAILY"})
    assert daily.status_code == 201
    body = {"campaign": "safe-migration", "stations": ["padma", "thames"], "episodes": ids, "per_week": 5,
            "from": "2027-03-01", "to": "2027-03-07",
            "windows": [{"days": "MO,TU,WE,TH,FR", "start": "19:00", "end": "20:00"}]}
    proposed = producer.post("/api/v1/flights", json=body).get_json()
    accepted = producer.post(f"/api/v1/flights/{proposed['id']}/accept")
    assert accepted.status_code == 201, accepted.get_json()
    return {"producer": producer, "ids": ids, "id": proposed["id"], "booked": accepted.get_json()["broadcast_ids"]}


def _count(runtime: Any, status: str | None = None) -> int:
    query = select(func.count()).select_from(Broadcast)
    if status is not None:
        query = query.where(Broadcast.status == status)
    with runtime.read_session() as session:
        return int(session.scalar(query) or 0)


def _rev(producer: Any, flight_id: str) -> str:
    return str(producer.get(f"/api/v1/flights/{flight_id}").get_json()["rev"])


def test_extending_books_more_weeks_without_a_conflict_and_rotates_on_evenly(flight: Any, runtime: Any) -> None:
    producer, ids = flight["producer"], flight["ids"]
    # In the weeks to come: a booking in the middle of the windows the extension would use.
    taken = producer.post("/api/v1/broadcasts", json={"station": "thames", "episode_id": ids[1],
                                                      "start": "2027-03-08T19:00"})
    assert taken.status_code == 201
    before = _count(runtime)
    response = producer.post(f"/api/v1/flights/{flight['id']}/extend",
                             json={"weeks": 2, "rev": _rev(producer, flight["id"])})
    assert response.status_code == 201, response.get_json()
    extended = response.get_json()
    assert extended["to"] == "2027-03-21" and len(extended["broadcast_ids"]) == 20 == len(extended["proposed"])
    assert _count(runtime) == before + 20
    assert all("2027-03-08" <= a["start"][:10] <= "2027-03-21" for a in extended["proposed"])
    shown = producer.get(f"/api/v1/flights/{flight['id']}").get_json()
    assert shown["to"] == "2027-03-21" and shown["broadcast_ids"] == flight["booked"] + extended["broadcast_ids"]
    assert shown["rev"] == extended["rev"]
    with runtime.read_session() as session:
        for station in session.scalars(select(Station)):
            lo, hi = dt.datetime(2027, 3, 1, tzinfo=dt.UTC), dt.datetime(2027, 3, 23, tzinfo=dt.UTC)
            occurrences = sorted((o for _id, o in confirmed_occurrences(session, station.id, lo, hi)),
                                 key=lambda o: o.start)
            assert all(a.end <= b.start for a, b in zip(occurrences, occurrences[1:], strict=False)), station.slug
    for slug in ("padma", "thames"):
        counts = Counter(a["episode_id"] for a in shown["proposed"] if a["station"] == slug)
        assert sum(counts.values()) == 15 and set(counts) == set(ids)
        # 15 airings of three creatives over the whole flight: 5 each (rotation carried on, not restarted).
        assert max(counts.values()) - min(counts.values()) <= 1, (slug, counts)
    assert not any(a["start"] == "2027-03-08T19:00" for a in shown["proposed"] if a["station"] == "thames")


def test_a_stale_or_replayed_change_is_a_409_naming_what_changed_and_books_nothing(flight: Any, runtime: Any) -> None:
    producer, ids = flight["producer"], flight["ids"]
    rev = _rev(producer, flight["id"])
    assert producer.post("/api/v1/broadcasts", json={"station": "thames", "episode_id": ids[2],
                                                     "start": "2027-03-09T19:30"}).status_code == 201
    before = _count(runtime)
    for action, body in (("extend", {"weeks": 1, "rev": rev}), ("cancel", {"rev": rev})):
        response = producer.post(f"/api/v1/flights/{flight['id']}/{action}", json=body)
        assert response.status_code == 409, response.get_json()
        error = response.get_json()["error"]
        assert error["code"] == "conflict" and error["changed"] == ["thames"] and error["field"] == "rev"
        assert error["rev"] == _rev(producer, flight["id"])
    assert _count(runtime) == before and _count(runtime, "cancelled") == 0
    fresh = {"weeks": 1, "rev": _rev(producer, flight["id"])}
    assert producer.post(f"/api/v1/flights/{flight['id']}/extend", json=fresh).status_code == 201
    after = _count(runtime)
    replay = producer.post(f"/api/v1/flights/{flight['id']}/extend", json=fresh)
    assert replay.status_code == 409 and set(replay.get_json()["error"]["changed"]) == {"to", "padma", "thames",
                                                                                     "proposal"}
    assert _count(runtime) == after


def test_cancelling_cancels_only_airings_to_come_and_calendars_show_them_cancelled(flight: Any, runtime: Any,
                                                                                   api_as: Any, client: Any) -> None:
    producer = flight["producer"]
    # The service with a clock inside the flight: what has begun stays, the rest is cancelled.
    with runtime.session() as session:
        chosen = get_flight(session, flight["id"])
        starts = sorted(b.starts_at for b in session.scalars(select(Broadcast)
                                                            .where(Broadcast.id.in_(chosen.broadcast_ids))))
        now = starts[4] + dt.timedelta(minutes=1)  # padma's and thames's earliest airings have begun
        _flight, cancelled, kept = cancel_flight(session, chosen.id, flight_rev(session, chosen), now=now)
        assert len(kept) == 5 and len(cancelled) == 5 and set(kept) | set(cancelled) == set(flight["booked"])
        for broadcast in session.scalars(select(Broadcast).where(Broadcast.id.in_(chosen.broadcast_ids))):
            assert (broadcast.status == BroadcastStatus.CANCELLED) is (broadcast.starts_at > now)
    shown = producer.get(f"/api/v1/flights/{flight['id']}").get_json()
    assert shown["status"] == "cancelled"
    again = producer.post(f"/api/v1/flights/{flight['id']}/cancel", json={"rev": shown["rev"]})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "flight_cancelled"
    extend = producer.post(f"/api/v1/flights/{flight['id']}/extend", json={"weeks": 1, "rev": shown["rev"]})
    assert extend.status_code == 409 and extend.get_json()["error"]["code"] == "flight_cancelled"
    padma = api_as("admin").get("/api/v1/stations/padma").get_json()
    calendar = client.get(feed_path(padma["calendar_url"])).data.decode().replace("\r\n ", "")
    padma_cancelled = [b for b in cancelled if b in calendar]
    assert padma_cancelled and calendar.count("STATUS:CANCELLED") == len(padma_cancelled)


def test_cancelling_through_the_api_cancels_every_booking_to_come(flight: Any, runtime: Any) -> None:
    producer = flight["producer"]
    response = producer.post(f"/api/v1/flights/{flight['id']}/cancel", json={"rev": _rev(producer, flight["id"])})
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "cancelled" and sorted(answer["cancelled"]) == sorted(flight["booked"])
    assert answer["kept"] == [] and _count(runtime, "cancelled") == 10


def test_bad_changes_get_a_clear_error_naming_the_field(flight: Any, api_as: Any, runtime: Any) -> None:
    producer = flight["producer"]
    rev = _rev(producer, flight["id"])
    url = f"/api/v1/flights/{flight['id']}"
    before = _count(runtime)
    cases: list[tuple[str, Any, int, str]] = [
        ("extend", {"weeks": 0, "rev": rev}, 400, "weeks"), ("extend", {"weeks": 53, "rev": rev}, 400, "weeks"),
        ("extend", {"weeks": 10 ** 12, "rev": rev}, 400, "weeks"),
        ("extend", {"weeks": 1.5, "rev": rev}, 400, "weeks"), ("extend", {"weeks": None, "rev": rev}, 400, "weeks"),
        ("extend", {"rev": rev}, 400, "weeks"), ("extend", {"weeks": 1}, 400, "rev"),
        ("extend", {"weeks": 1, "rev": ""}, 400, "rev"), ("extend", {"weeks": 1, "rev": "x" * 5000}, 400, "rev"),
        ("extend", {"weeks": 1, "rev": rev + "\x00"}, 400, "rev"),
        ("extend", {"weeks": 1, "rev": rev, "x": 1}, 400, "x"),
        ("extend", {"weeks": 52, "rev": rev}, 400, "weeks"),  # past a flight's longest (366 days)
        ("cancel", {}, 400, "rev"), ("cancel", {"rev": "2027-03-07.accepted"}, 400, "rev"),
        ("cancel", {"rev": "2027-03-07.accepted.1-2"}, 400, "rev"),
        ("cancel", {"rev": "2027-03-07.accepted.1-2.0123456789ab"}, 409, "rev"),
    ]
    for action, body, status, field in cases:
        response = producer.post(f"{url}/{action}", json=body)
        assert response.status_code == status, (action, body, response.get_json())
        assert response.get_json()["error"]["field"] == field, (action, body)
    assert producer.post("/api/v1/flights/nope/extend", json={"weeks": 1, "rev": rev}).status_code == 404
    assert producer.post("/api/v1/flights/nope/cancel", json={"rev": rev}).status_code == 404
    assert api_as("station").post(f"{url}/cancel", json={"rev": rev}).status_code == 403
    assert _count(runtime) == before and _count(runtime, "cancelled") == 0
