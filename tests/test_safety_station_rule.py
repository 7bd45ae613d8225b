"""The station rule is one rule: not restricted, broadcast consent, not expired, booked on that station."""

from __future__ import annotations

import datetime as dt

import pytest
from schedule_helpers import create_station, feed_path, local_dhaka, make_episode

from episodes.models import Episode


@pytest.fixture
def world(runtime, api_as):
    admin = api_as("admin")
    padma = create_station(admin, "radio-padma")
    return {"admin": admin, "producer": api_as("producer"), "padma": padma,
            "station": api_as("station", station="radio-padma")}


def _book(producer, episode: str, start: str, rrule: str | None = None) -> dict:
    body = {"station": "radio-padma", "episode_id": episode, "start": start, **({"rrule": rrule} if rrule else {})}
    r = producer.post("/api/v1/broadcasts", json=body)
    assert r.status_code == 201, r.json
    return r.json


def test_a_restricted_episode_never_shows_to_a_station_through_a_series_override(runtime, world) -> None:
    shown, secret = make_episode(runtime, title="প্রকাশ্য"), make_episode(runtime, title="গোপন")
    series = _book(world["producer"], shown, local_dhaka(1), "FREQ=DAILY;COUNT=5")
    occurrence = local_dhaka(2)[:10]
    r = world["producer"].patch(f"/api/v1/broadcasts/{series['id']}",
                                json={"occurrence": occurrence, "episode_id": secret})
    assert r.status_code == 200, r.json
    with runtime.session() as session:
        session.get(Episode, secret).restricted = True
    lo, hi = local_dhaka(0)[:10], local_dhaka(10)[:10]
    for answer in (world["station"].get(f"/api/v1/broadcasts?from={lo}&to={hi}"),
                   world["station"].get(f"/api/v1/broadcasts/{series['id']}?from={lo}&to={hi}")):
        assert answer.status_code == 200
        assert secret not in answer.get_data(as_text=True)
    one = world["station"].get(f"/api/v1/broadcasts/{series['id']}?from={lo}&to={hi}").json
    assert len(one["occurrences"]) == 4 and not any(o["occurrence"].startswith(occurrence)
                                                    for o in one["occurrences"])
    page = world["station"].get("/station").get_data(as_text=True)
    assert secret not in page
    producer_view = world["producer"].get(f"/api/v1/broadcasts/{series['id']}").json
    assert [o["episode_id"] for o in producer_view["overrides"]] == [secret]  # producers still see the plan


@pytest.mark.parametrize("change", [{"valid_until": dt.date(2020, 1, 1)},
                                    {"consent": "research_only", "restricted": True}, {"restricted": True}])
def test_every_station_view_applies_the_same_rule(runtime, world, client, change) -> None:
    episode = make_episode(runtime, title="একটি পর্ব")
    booking = _book(world["producer"], episode, local_dhaka(2))
    calendar, podcast = feed_path(world["padma"]["calendar_url"]), feed_path(world["padma"]["podcast_url"])
    token = calendar.split("token=")[1]
    assert episode.encode() in client.get(calendar).data and episode.encode() in client.get(podcast).data
    with runtime.session() as session:
        row = session.get(Episode, episode)
        for name, value in change.items():
            setattr(row, name, value)
    assert episode.encode() not in client.get(calendar).data
    assert episode.encode() not in client.get(podcast).data
    assert client.get(f"/feeds/radio-padma/audio/{episode}.mp3?token={token}").status_code == 404
    assert world["station"].get(f"/api/v1/broadcasts/{booking['id']}").status_code == 404
    assert booking["id"] not in world["station"].get("/api/v1/broadcasts").get_data(as_text=True)
