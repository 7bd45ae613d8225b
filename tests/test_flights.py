"""Flights through the API: proposals against real bookings, acceptance in one transaction, 409 on a change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from schedule.models import Broadcast
from tests.audio import tone, write_wav
from tests.schedule_helpers import flight_setup


@pytest.fixture(scope="module")
def spots(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("spots")
    return [write_wav(folder / f"spot{n}.wav", tone(2.0 + n, 300 + 100 * n, channels=2)) for n in range(2)]


@pytest.fixture
def setup(api_as: Any, make_station: Any, spots: list[Path]) -> tuple[Any, list[str]]:
    return flight_setup(api_as, make_station, spots)


def _count(runtime: Any) -> int:
    with runtime.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(Broadcast)) or 0)


def _body(ids: list[str], **changes: Any) -> dict[str, Any]:
    return {"campaign": "safe-migration", "stations": ["padma", "thames"], "episodes": ids, "per_week": 3,
            "from": "2027-03-01", "to": "2027-03-14",
            "windows": [{"days": "MO,TU,WE,TH,FR", "start": "19:00", "end": "20:00"},
                        {"station": "thames", "days": "sa,su", "start": "08:00", "end": "09:00"}], **changes}


def test_a_flight_proposes_free_spread_rotated_bookings_and_accepting_books_them_all(setup: Any,
                                                                                    runtime: Any) -> None:
    producer, ids = setup
    daily = producer.post("/api/v1/broadcasts", json={"station": "padma", "episode_id": ids[0],
                                                      "start": "2027-03-01T19:00", "rrule": "FREQ=DAILY"})
    assert daily.status_code == 201
    response = producer.post("/api/v1/flights", json=_body(ids))
    assert response.status_code == 201, response.get_json()
    flight = response.get_json()
    proposed = flight["proposed"]
    assert len(proposed) == 12 and flight["unplaced"] == []
    padma = [p for p in proposed if p["station"] == "padma"]
    thames = [p for p in proposed if p["station"] == "thames"]
    assert all("19:00" < p["start"][11:16] < "20:00" for p in padma)  # 19:00 is taken every day
    assert all(dt.date.fromisoformat(p["start"][:10]).weekday() >= 5 and p["start"][11:13] == "08" for p in thames)
    for airings in (padma, thames):
        counts = [sum(p["episode_id"] == i for p in airings) for i in ids]
        assert abs(counts[0] - counts[1]) <= 1  # creatives rotate evenly
    first_week = sorted(p["start"][:10] for p in padma if p["start"] < "2027-03-08")
    assert len(set(first_week)) == 3  # spread over three different days
    before = _count(runtime)
    accepted = producer.post(f"/api/v1/flights/{flight['id']}/accept")
    assert accepted.status_code == 201, accepted.get_json()
    assert len(accepted.get_json()["broadcast_ids"]) == 12 and _count(runtime) == before + 12
    again = producer.post(f"/api/v1/flights/{flight['id']}/accept")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_accepted"
    assert _count(runtime) == before + 12
    shown = producer.get(f"/api/v1/flights/{flight['id']}").get_json()
    assert shown["status"] == "accepted" and shown["broadcast_ids"] == accepted.get_json()["broadcast_ids"]


def test_accepting_after_a_station_schedule_changed_is_a_409_naming_what_changed(setup: Any, runtime: Any) -> None:
    producer, ids = setup
    flight = producer.post("/api/v1/flights", json=_body(ids)).get_json()
    target = next(p for p in flight["proposed"] if p["station"] == "padma")
    booked = producer.post("/api/v1/broadcasts", json={"station": "padma", "episode_id": ids[1],
                                                       "start": target["start"]})
    assert booked.status_code == 201
    before = _count(runtime)
    response = producer.post(f"/api/v1/flights/{flight['id']}/accept")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict" and error["changed_stations"] == ["padma"]
    assert {"station": "padma", "start": target["start"], "broadcast_id": booked.get_json()["id"]} in error["clashes"]
    assert _count(runtime) == before  # nothing booked: one transaction
    fresh = producer.post("/api/v1/flights", json=_body(ids)).get_json()
    assert target["start"] not in [p["start"] for p in fresh["proposed"] if p["station"] == "padma"]
    assert producer.post(f"/api/v1/flights/{fresh['id']}/accept").status_code == 201


def test_bad_flights_get_a_clear_error_naming_the_field(setup: Any, api_as: Any) -> None:
    producer, ids = setup
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"windows": [{"days": "XX", "start": "19:00", "end": "20:00"}]}, 400, "windows.0.days"),
        ({"windows": [{"days": "MO", "start": "25:00", "end": "20:00"}]}, 400, "windows.0.start"),
        ({"windows": [{"days": "MO", "start": "20:00", "end": "19:00"}]}, 400, "windows.0.end"),
        ({"windows": [{"station": "nowhere", "days": "MO", "start": "19:00", "end": "20:00"}]}, 400,
         "windows.0.station"),
        ({"windows": [{"station": "padma", "days": "MO", "start": "19:00", "end": "20:00"}]}, 400, "windows"),
        ({"to": "2027-02-01"}, 400, "to"), ({"to": "2029-01-01"}, 400, "to"), ({"from": "2027-02-30"}, 400, "from"),
        ({"per_week": 0}, 400, "per_week"), ({"per_week": 10 ** 6}, 400, "per_week"),
        ({"stations": []}, 400, "stations"),
        ({"stations": ["nowhere"]}, 404, "stations.0"), ({"episodes": ["0" * 32]}, 404, "episodes.0"),
        ({"extra": 1}, 400, "extra"),
        ({"per_week": 50, "to": "2028-02-27", "stations": ["padma", "thames", "a", "b"]}, 400, "per_week"),
    ]
    for change, status, field in cases:
        response = producer.post("/api/v1/flights", json=_body(ids, **change))
        assert response.status_code == status, (change, response.get_json())
        assert response.get_json()["error"]["field"] == field, change
    assert api_as("station").post("/api/v1/flights", json=_body(ids)).status_code == 403
    assert producer.post("/api/v1/flights/nope/accept").status_code == 404
