"""The flights pages: a flight's bookings, extending it and cancelling it as a whole through plain forms."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from schedule.models import Broadcast
from tests.ui_helpers import HTML, add_episode, login, page, post_form


def _flight(runtime: Any, api_as: Any, make_station: Any) -> tuple[Any, str]:
    make_station("padma", timezone="Asia/Dhaka")
    producer = api_as("producer")
    ids = [add_episode(runtime, f"প্রচার {n}", [], seconds=30.0, kind="psa")["id"] for n in range(2)]
    body = {"campaign": "নিরাপদ অভিবাসন", "stations": ["padma"], "episodes": ids, "per_week": 3,
            "from": "2027-03-01", "to": "2027-03-07",
            "windows": [{"days": "MO,WE,FR", "start": "19:00", "end": "20:00"}]}
    proposed = producer.post("/api/v1/flights", json=body)
    assert proposed.status_code == 201, proposed.get_json()
    flight_id = proposed.get_json()["id"]
    assert producer.post(f"/api/v1/flights/{flight_id}/accept").status_code == 201
    return producer, flight_id


def _count(runtime: Any, status: str = "confirmed") -> int:
    with runtime.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(Broadcast)
                                  .where(Broadcast.status == status)) or 0)


def _rev(html: str) -> str:
    match = re.search(r'name="rev" value="([^"]+)"', html)
    assert match, "no rev on the flight page"
    return match.group(1)


def test_a_producer_extends_and_cancels_a_flight_from_its_page(client: Any, runtime: Any, api_as: Any,
                                                               make_station: Any) -> None:
    producer, flight_id = _flight(runtime, api_as, make_station)
    login(client, runtime, "producer")
    listing = page(client, "/flights")
    assert f"/flights/{flight_id}" in listing and "নিরাপদ অভিবাসন" in listing
    html = page(client, f"/flights/{flight_id}")
    assert html.count('class="booking-confirmed"') == 3 and "Accepted (booked)" in html
    rev = _rev(html)

    bad = post_form(client, f"/flights/{flight_id}/extend", {"weeks": "many", "rev": rev})
    assert bad.status_code == 400 and 'id="weeks-error"' in bad.get_data(as_text=True)
    too_long = post_form(client, f"/flights/{flight_id}/extend", {"weeks": "99", "rev": rev})
    assert too_long.status_code == 400 and 'id="weeks-error"' in too_long.get_data(as_text=True)
    assert _count(runtime) == 3

    done = post_form(client, f"/flights/{flight_id}/extend", {"weeks": "2", "rev": rev})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    html = page(client, f"/flights/{flight_id}")
    assert html.count('class="booking-confirmed"') == 9 and "6 more airings were booked" in html
    assert _count(runtime) == 9

    # The page's rev is stale once a station's schedule changes (or the form is sent twice).
    replay = post_form(client, f"/flights/{flight_id}/extend", {"weeks": "2", "rev": rev})
    assert replay.status_code == 409 and 'id="flight-error"' in replay.get_data(as_text=True)
    assert _count(runtime) == 9
    fresh = _rev(html)
    episode = add_episode(runtime, "অন্য", [], seconds=30.0)["id"]
    assert producer.post("/api/v1/broadcasts", json={"station": "padma", "episode_id": episode,
                                                     "start": "2027-03-30T10:00"}).status_code == 201
    stale = post_form(client, f"/flights/{flight_id}/cancel", {"rev": fresh})
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "padma" in text.split('id="flight-error"')[1][:400]
    assert _count(runtime, "cancelled") == 0

    cancelled = post_form(client, f"/flights/{flight_id}/cancel", {"rev": _rev(text)})
    assert cancelled.status_code == 302
    html = page(client, f"/flights/{flight_id}")
    assert html.count('class="booking-cancelled"') == 9 and "9 airings to come were cancelled" in html
    assert 'name="rev"' not in html  # a cancelled flight offers no change
    assert _count(runtime, "cancelled") == 9 and _count(runtime) == 1


def test_the_flight_pages_speak_bangla(client: Any, runtime: Any, api_as: Any, make_station: Any) -> None:
    _producer, flight_id = _flight(runtime, api_as, make_station)
    login(client, runtime, "producer", lang="bn")
    html = page(client, f"/flights/{flight_id}", lang="bn")
    assert "ফ্লাইট" in html and "Extend the flight" not in html
    assert client.get("/flights/nope", headers=HTML).status_code == 404
