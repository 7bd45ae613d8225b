"""Adjusting a flight's proposal through the API: move, swap, drop and add airings, each and the whole checked
again; clashes, bad items, stale or replayed revs and flights no longer proposed are refused and change nothing."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from schedule.models import Broadcast
from tests.audio import tone, write_wav
from tests.schedule_helpers import flight_setup
from tests.ui_helpers import HTML, login, page, post_form, timeline


@pytest.fixture(scope="module")
def spots(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("spots")
    return [write_wav(folder / f"spot{n}.wav", tone(2.0 + n, 300 + 100 * n)) for n in range(3)]


@pytest.fixture
def proposal(api_as: Any, make_station: Any, spots: list[Path]) -> dict[str, Any]:
    """A proposed (not accepted) one-week flight of two creatives, three a week on padma and thames; padma has a
    daily series at 19:00 and a third episode is not one of the flight's creatives."""
    producer, ids = flight_setup(api_as, make_station, spots)
    daily = producer.post("/api/v1/broadcasts", json={"station": "padma", "episode_id": ids[2],
                                                      "start": "2027-03-01T19:00", "rrule": "FREQ=DAILY"})
    assert daily.status_code == 201
    body = {"campaign": "safe-migration", "stations": ["padma", "thames"], "episodes": ids[:2], "per_week": 3,
            "from": "2027-03-01", "to": "2027-03-07",
            "windows": [{"days": "MO,TU,WE,TH,FR", "start": "19:00", "end": "20:00"}]}
    response = producer.post("/api/v1/flights", json=body)
    assert response.status_code == 201, response.get_json()
    flight = response.get_json()
    return {"producer": producer, "ids": ids, "id": flight["id"], "url": f"/api/v1/flights/{flight['id']}",
            "rev": flight["rev"], "proposed": [{k: a[k] for k in ("station", "episode_id", "start")}
                                               for a in flight["proposed"]], "daily": daily.get_json()["id"]}


def _count(runtime: Any) -> int:
    with runtime.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(Broadcast)) or 0)


def _shown(proposal: dict[str, Any]) -> dict[str, Any]:
    return dict(proposal["producer"].get(proposal["url"]).get_json())


def _adjust(proposal: dict[str, Any], airings: list[dict[str, Any]], rev: str | None = None) -> Any:
    return proposal["producer"].put(f"{proposal['url']}/proposal",
                                    json={"proposed": airings, "rev": rev or proposal["rev"]})


def test_moving_swapping_dropping_and_adding_airings_replaces_the_proposal(proposal: Any, runtime: Any) -> None:
    ids, airings = proposal["ids"], [dict(a) for a in proposal["proposed"]]
    assert len(airings) == 6
    airings[0]["start"] = "2027-03-05T21:15:00"  # moved outside the windows: the producer may
    airings[1]["episode_id"] = ids[1] if airings[1]["episode_id"] == ids[0] else ids[0]
    dropped = airings.pop(2)
    airings.append({"station": "thames", "episode_id": ids[0], "start": "2027-03-07T08:00:00"})
    response = _adjust(proposal, airings)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert [{k: a[k] for k in ("station", "episode_id", "start")} for a in answer["proposed"]] == airings
    assert answer["rev"] != proposal["rev"] and dropped not in answer["proposed"]
    utc = {"padma": "2027-03-05T15:15:00+00:00", "thames": "2027-03-05T21:15:00+00:00"}  # Dhaka +6, London +0
    assert answer["proposed"][0]["start_utc"] == utc[airings[0]["station"]]
    assert _shown(proposal)["proposed"] == answer["proposed"]
    before = _count(runtime)
    accepted = proposal["producer"].post(f"{proposal['url']}/accept")
    assert accepted.status_code == 201, accepted.get_json()
    assert _count(runtime) == before + 6
    with runtime.read_session() as session:
        starts = sorted(b.starts_at.isoformat() for b in session.scalars(
            select(Broadcast).where(Broadcast.id.in_(accepted.get_json()["broadcast_ids"]))))
    assert starts == sorted(a["start_utc"] for a in answer["proposed"])


def test_a_clash_with_a_booking_or_within_the_proposal_is_a_409_naming_it_and_saves_nothing(proposal: Any) -> None:
    airings = [dict(a) for a in proposal["proposed"]]
    n = next(i for i, a in enumerate(airings) if a["station"] == "padma")
    onto_series = [dict(a) for a in airings]
    onto_series[n]["start"] = "2027-03-03T19:00:01"  # inside the daily series' airing
    response = _adjust(proposal, onto_series)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict"
    assert error["clashes"] == [{"index": n, "station": "padma", "start": "2027-03-03T19:00:01",
                                 "broadcast_id": proposal["daily"]}]
    twice = [*airings, dict(airings[n])]  # the same airing twice overlaps itself
    response = _adjust(proposal, twice)
    assert response.status_code == 409
    clash = response.get_json()["error"]["clashes"]
    assert len(clash) == 1 and {clash[0]["index"], clash[0]["overlaps_index"]} == {n, len(airings)}
    shown = _shown(proposal)
    assert shown["rev"] == proposal["rev"]
    assert [{k: a[k] for k in ("station", "episode_id", "start")} for a in shown["proposed"]] == airings


def test_bad_items_get_a_400_naming_the_field(proposal: Any, api_as: Any) -> None:
    good = proposal["proposed"]
    first = good[0]

    def one(**changes: Any) -> list[dict[str, Any]]:
        return [{**first, **changes}, *good[1:]]

    cases: list[tuple[Any, str]] = [
        ({"proposed": one(station="nowhere"), "rev": proposal["rev"]}, "proposed.0.station"),
        ({"proposed": one(episode_id=proposal["ids"][2]), "rev": proposal["rev"]}, "proposed.0.episode_id"),
        ({"proposed": one(start="next tuesday"), "rev": proposal["rev"]}, "proposed.0.start"),
        ({"proposed": one(start="2027-03-01"), "rev": proposal["rev"]}, "proposed.0.start"),
        ({"proposed": one(start="9999-12-31T23:00"), "rev": proposal["rev"]}, "proposed.0.start"),
        ({"proposed": one(start="2027-04-01T19:00"), "rev": proposal["rev"]}, "proposed.0.start"),  # after 'to'
        ({"proposed": one(start="2027-03-01T19:00\x00"), "rev": proposal["rev"]}, "proposed.0.start"),
        ({"proposed": one(start="2" * 5000), "rev": proposal["rev"]}, "proposed.0.start"),
        ({"proposed": one(station="padma\x07"), "rev": proposal["rev"]}, "proposed.0.station"),
        ({"proposed": one(extra=1), "rev": proposal["rev"]}, "proposed.0.extra"),
        ({"proposed": [{k: v for k, v in first.items() if k != "start"}], "rev": proposal["rev"]},
         "proposed.0.start"),
        ({"proposed": [], "rev": proposal["rev"]}, "proposed"),
        ({"proposed": [first] * 10_001, "rev": proposal["rev"]}, "proposed"),
        ({"proposed": "all", "rev": proposal["rev"]}, "proposed"),
        ({"proposed": good}, "rev"), ({"proposed": good, "rev": ""}, "rev"),
        ({"proposed": good, "rev": "x" * 5000}, "rev"),
    ]
    for body, field in cases:
        response = proposal["producer"].put(f"{proposal['url']}/proposal", json=body)
        assert response.status_code == 400, (field, response.get_json())
        assert response.get_json()["error"]["field"] == field, (field, response.get_json())
    assert _shown(proposal)["rev"] == proposal["rev"]
    assert proposal["producer"].put("/api/v1/flights/nope/proposal",
                                    json={"proposed": good, "rev": proposal["rev"]}).status_code == 404
    assert api_as("station").put(f"{proposal['url']}/proposal",
                                 json={"proposed": good, "rev": proposal["rev"]}).status_code == 403


def test_a_stale_or_replayed_adjustment_is_a_409_naming_what_changed(proposal: Any) -> None:
    producer, airings = proposal["producer"], [dict(a) for a in proposal["proposed"]]
    moved = [{**airings[0], "start": airings[0]["start"][:11] + "19:45:00"}, *airings[1:]]
    first = _adjust(proposal, moved)
    assert first.status_code == 200, first.get_json()
    replay = _adjust(proposal, moved)  # the same request again, with the rev it was sent with
    assert replay.status_code == 409
    error = replay.get_json()["error"]
    assert error["code"] == "conflict" and error["field"] == "rev" and error["changed"] == ["proposal"]
    assert error["rev"] == first.get_json()["rev"]
    rev = first.get_json()["rev"]
    booked = producer.post("/api/v1/broadcasts", json={"station": "thames", "episode_id": proposal["ids"][2],
                                                       "start": "2027-03-06T10:00"})
    assert booked.status_code == 201
    stale = _adjust(proposal, airings, rev)
    assert stale.status_code == 409 and stale.get_json()["error"]["changed"] == ["thames"]
    assert _shown(proposal)["proposed"] == first.get_json()["proposed"]


def test_only_a_proposed_flight_can_be_adjusted(proposal: Any) -> None:
    producer = proposal["producer"]
    assert producer.post(f"{proposal['url']}/accept").status_code == 201
    accepted = _shown(proposal)
    response = _adjust(proposal, proposal["proposed"], accepted["rev"])
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "already_accepted"
    assert producer.post(f"{proposal['url']}/cancel", json={"rev": accepted["rev"]}).status_code == 200
    cancelled = _shown(proposal)
    response = _adjust(proposal, proposal["proposed"], cancelled["rev"])
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "flight_cancelled"
    assert _shown(proposal)["proposed"] == accepted["proposed"]


def test_adjustments_sent_at_once_with_one_rev_admit_exactly_one(proposal: Any) -> None:
    producer, airings = proposal["producer"], proposal["proposed"]
    clients = [type(producer)(producer.client.application.test_client(), producer.token, producer.user_id,
                              "producer") for _n in range(6)]
    bodies = [[{**airings[0], "start": f"{airings[0]['start'][:11]}19:{40 + n}:00"}, *airings[1:]]
              for n in range(len(clients))]
    barrier = threading.Barrier(len(clients))
    answers: list[Any] = [None] * len(clients)

    def send(n: int) -> None:
        barrier.wait(timeout=30)
        answers[n] = clients[n].put(f"{proposal['url']}/proposal", json={"proposed": bodies[n],
                                                                         "rev": proposal["rev"]})

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = [a.status_code for a in answers]
    assert sorted(statuses) == [200] + [409] * (len(clients) - 1), statuses
    winner = statuses.index(200)
    shown = _shown(proposal)
    assert [{k: a[k] for k in ("station", "episode_id", "start")} for a in shown["proposed"]] == bodies[winner]
    assert all(a.get_json()["error"]["changed"] == ["proposal"] for a in answers if a.status_code == 409)


def _accept(proposal: dict[str, Any], body: Any = None) -> Any:
    return proposal["producer"].post(f"{proposal['url']}/accept", json=body) if body is not None else \
        proposal["producer"].post(f"{proposal['url']}/accept")


def test_accept_takes_the_rev_it_was_read_at_and_a_stale_one_is_a_409_naming_the_current(proposal: Any,
                                                                                          runtime: Any) -> None:
    airings = [dict(a) for a in proposal["proposed"]]
    moved = _adjust(proposal, [{**airings[0], "start": airings[0]["start"][:11] + "19:45:00"}, *airings[1:]])
    assert moved.status_code == 200, moved.get_json()
    current = moved.get_json()["rev"]
    before = _count(runtime)
    stale = _accept(proposal, {"rev": proposal["rev"]})
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "conflict" and error["field"] == "rev" and error["rev"] == current
    assert error["changed"] == ["proposal"] and _count(runtime) == before
    accepted = _accept(proposal, {"rev": current})
    assert accepted.status_code == 201, accepted.get_json()
    booked = accepted.get_json()["broadcast_ids"]
    assert len(booked) == 6 and _count(runtime) == before + 6
    for replay in ({"rev": current}, None):  # the same request again, or without a rev: the answer it had
        again = _accept(proposal, replay)
        assert again.status_code == 409, again.get_json()
        assert again.get_json()["error"]["code"] == "already_accepted"
        assert again.get_json()["error"]["broadcast_ids"] == booked
    assert _count(runtime) == before + 6 and _shown(proposal)["status"] == "accepted"


def test_accept_with_a_rev_after_a_station_changed_names_the_station_and_the_current_rev(proposal: Any) -> None:
    producer = proposal["producer"]
    booked = producer.post("/api/v1/broadcasts", json={"station": "thames", "episode_id": proposal["ids"][2],
                                                       "start": "2027-03-06T10:00"})
    assert booked.status_code == 201
    response = _accept(proposal, {"rev": proposal["rev"]})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["changed_stations"] == ["thames"] and error["changed"] == ["thames"]
    assert error["rev"] == _shown(proposal)["rev"] != proposal["rev"] and error["field"] == "rev"
    assert _shown(proposal)["status"] == "proposed"


def test_accept_without_a_rev_books_as_before_and_a_bad_rev_is_a_400_naming_it(proposal: Any) -> None:
    for body, field in [({"rev": ""}, "rev"), ({"rev": "x" * 5000}, "rev"), ({"rev": 12}, "rev"),
                        ({"rev": "2027-03-07.proposed"}, "rev"), ({"rev": proposal["rev"] + "\x00"}, "rev"),
                        ({"rev": proposal["rev"], "force": True}, "force"), ({"rev": [proposal["rev"]]}, "rev")]:
        response = _accept(proposal, body)
        assert response.status_code == 400, (body, response.get_json())
        assert response.get_json()["error"]["field"] == field, (body, response.get_json())
    assert _shown(proposal)["status"] == "proposed"
    not_json = proposal["producer"].post(f"{proposal['url']}/accept", data="rev=1",
                                         headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 400 and _shown(proposal)["status"] == "proposed"
    assert _accept(proposal, {}).status_code == 201  # an empty body (or none) accepts the proposal as it is now


def test_accepts_sent_at_once_with_one_rev_book_once(proposal: Any, runtime: Any) -> None:
    producer = proposal["producer"]
    clients = [type(producer)(producer.client.application.test_client(), producer.token, producer.user_id,
                              "producer") for _n in range(4)]
    barrier = threading.Barrier(len(clients))
    answers: list[Any] = [None] * len(clients)
    before = _count(runtime)

    def send(n: int) -> None:
        barrier.wait(timeout=30)
        answers[n] = clients[n].post(f"{proposal['url']}/accept", json={"rev": proposal["rev"]})

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = [a.status_code for a in answers]
    assert sorted(statuses) == [201] + [409] * (len(clients) - 1), statuses
    assert all(a.get_json()["error"]["code"] == "already_accepted" for a in answers if a.status_code == 409)
    assert _count(runtime) == before + 6


def test_the_week_view_has_a_time_axis_with_each_airing_in_the_row_it_starts_in(proposal: Any, client: Any,
                                                                                runtime: Any) -> None:
    airings = [dict(a) for a in proposal["proposed"]]
    n = next(i for i, a in enumerate(airings) if a["station"] == "padma")
    day = airings[n]["start"][:10]
    airings[n]["start"] = f"{day}T14:30:00"
    moved = _adjust(proposal, airings)
    assert moved.status_code == 200, moved.get_json()
    login(client, runtime, "producer")
    html = page(client, f"/flights/{proposal['id']}")
    hours, cells = timeline(html, "padma")
    assert hours == [f"{h:02d}:00" for h in range(14, 20)]  # from 14:30 to the window's 19:00–20:00
    at = next(c for c in cells if c["id"] == f"week-row-{n}")
    title = f"spot{proposal['ids'].index(airings[n]['episode_id'])}"
    assert at["slot"] == "14:30" and at["day"] == day and at["rows"] == 1 and "proposed" in at["classes"]
    assert at["text"].startswith("14:30–14:30") and title in at["text"]
    series = [c for c in cells if "booked" in c["classes"]]
    assert {c["day"] for c in series} == {f"2027-03-0{d}" for d in range(1, 8)}  # greyed, every day
    assert all(c["slot"] == "19:00" and "already booked" in c["text"] for c in series)
    for i, a in enumerate(airings):  # every other proposed airing of padma in its own start row and day
        if a["station"] == "padma" and i != n:
            cell = next(c for c in cells if c["id"] == f"week-row-{i}")
            assert (cell["day"], cell["slot"][:2]) == (a["start"][:10], a["start"][11:13])
    thames_hours, thames = timeline(html, "thames")
    assert thames_hours == ["19:00"] and all("proposed" in c["classes"] for c in thames)
    assert len(thames) == sum(a["station"] == "thames" for a in airings)


def test_the_week_view_narrows_to_one_station_and_refuses_one_not_of_the_flight(proposal: Any, client: Any,
                                                                               runtime: Any, make_station: Any) -> None:
    make_station("meghna", timezone="Asia/Dhaka")
    login(client, runtime, "producer")
    url = f"/flights/{proposal['id']}"
    both = page(client, url)
    assert 'data-station="padma"' in both and 'data-station="thames"' in both
    only = page(client, f"{url}?station=thames&week=2027-03-01")
    week = only.split('id="proposal-week"')[1]
    assert 'data-station="thames"' in week and 'data-station="padma"' not in week
    assert '<option value="thames" selected>' in week
    assert 'href="?week=2027-03-08&amp;station=thames#proposal-week"' in week  # the pager keeps the filter
    assert f'action="/flights/{proposal["id"]}/proposal?station=thames"' in only  # and so do the forms
    assert only.count('class="proposed-row') == 6  # the list is not narrowed
    for bad in ("meghna", "nowhere", "padma\x07", "x" * 5000, "../padma", "পদ্মা"):
        response = client.get(url, query_string={"station": bad}, headers={**HTML, "Accept-Language": "en"})
        text = response.get_data(as_text=True)
        assert response.status_code == 400, bad
        assert 'id="station-error"' in text and "not one of this flight" in text
        assert 'data-station="padma"' in text and 'data-station="thames"' in text  # the whole week instead
    assert page(client, f"{url}?station=").count('class="timeline"') == 2  # "Every station"
    bangla = client.get(url, query_string={"station": "nowhere"}, headers={**HTML, "Accept-Language": "bn"})
    assert bangla.status_code == 400 and "not one of this flight" not in bangla.get_data(as_text=True)


def test_moving_an_airing_from_a_narrowed_week_keeps_the_filter(proposal: Any, client: Any, runtime: Any) -> None:
    login(client, runtime, "producer")
    html = page(client, f"/flights/{proposal['id']}?station=thames")
    _hours, cells = timeline(html, "thames")
    n = int(cells[0]["id"].rsplit("-", 1)[1])
    start = proposal["proposed"][n]["start"][:11] + "19:40"
    response = post_form(client, f"/flights/{proposal['id']}/proposal?station=thames",
                         {"rev": proposal["rev"], "index": str(n), "week": "2027-03-01", "page": "1",
                          "episode_id": proposal["proposed"][n]["episode_id"], "from_week": "1", "start": start,
                          "action": "change"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert "station=thames" in response.headers["Location"]
    _hours, cells = timeline(page(client, response.headers["Location"]), "thames")
    assert next(c for c in cells if c["id"] == f"week-row-{n}")["slot"] == "19:30"
