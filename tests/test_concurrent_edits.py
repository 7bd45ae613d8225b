"""Lost updates: editors racing on one broadcast, episode or station (optimistic concurrency, radio.versions).

Each editable resource answers with a strong ``ETag``; a PATCH (or a broadcast's DELETE) that sends it back in
``If-Match`` is refused with 412 ``precondition_failed`` when someone changed the resource since. Without a
precondition the last change wins, as before — but no change is lost inside the database (SEQUENCE counts each).
Real threads through the real app, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from schedule_helpers import create_station, local_dhaka, make_episode
from sqlalchemy import select, update
from test_concurrency import THREADS, race

from episodes.models import Episode

ROUNDS = 4


def _clients(first: Any) -> list[Any]:
    """One client per racing thread (own connection), all the same user."""
    return [first] + [type(first)(first.client.application.test_client(), first.token, first.user_id, first.role)
                      for _ in range(THREADS - 1)]


@pytest.fixture
def resources(runtime: Any, api_as: Any) -> dict[str, Any]:
    """A station, an episode and a weekly series on them; the admin (stations) and a producer (the rest)."""
    admin = api_as("admin")
    create_station(admin, "radio-padma")
    episode = make_episode(runtime)
    producer = api_as("producer")
    booked = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                       "start": local_dhaka(3), "rrule": "FREQ=WEEKLY;COUNT=6"})
    assert booked.status_code == 201, booked.json
    return {"admin": admin, "producer": producer, "episode": episode, "broadcast": booked.json["id"],
            "urls": {"broadcast": f"/api/v1/broadcasts/{booked.json['id']}",
                     "episode": f"/api/v1/episodes/{episode}", "station": "/api/v1/stations/radio-padma"},
            "fields": {"broadcast": "notes", "episode": "title", "station": "name"}}


def _editor(resources: dict[str, Any], kind: str) -> Any:
    return resources["admin"] if kind == "station" else resources["producer"]


@pytest.mark.parametrize("kind", ["broadcast", "episode", "station"])
def test_racing_edits_based_on_the_same_etag_admit_exactly_one(resources: dict[str, Any], kind: str) -> None:
    url, field = resources["urls"][kind], resources["fields"][kind]
    clients = _clients(_editor(resources, kind))
    for round_ in range(ROUNDS):
        read = clients[0].get(url)
        etag = read.headers["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/"), etag

        def edit(client: Any, i: int, etag: str = etag, round_: int = round_) -> Any:
            return client.patch(url, json={field: f"edit {round_}.{i}"}, headers={"If-Match": etag})

        statuses = race(clients, edit)
        assert Counter(statuses) == Counter({200: 1, 412: THREADS - 1}), statuses
        winner = statuses.index(200)
        after = clients[0].get(url)
        assert after.json[field] == f"edit {round_}.{winner}"  # the one that passed is the one stored
        assert after.headers["ETag"] != etag


def test_racing_edits_without_a_precondition_all_land_and_each_counts_in_sequence(resources: dict[str, Any],
                                                                                  runtime: Any) -> None:
    """Last writer wins without If-Match, but each change is counted: SEQUENCE grows by one per edit (two
    writers that read the same SEQUENCE must not both write the same next value — calendars would miss one)."""
    url = resources["urls"]["broadcast"]
    clients = _clients(resources["producer"])
    before = clients[0].get(url).json["sequence"]
    for round_ in range(ROUNDS):
        statuses = race(clients, lambda c, i, r=round_: c.patch(url, json={"notes": f"n{r}.{i}"}))
        assert statuses == [200] * THREADS
    after = clients[0].get(url).json
    assert after["sequence"] == before + ROUNDS * THREADS
    assert after["notes"] in {f"n{ROUNDS - 1}.{i}" for i in range(THREADS)}


def test_a_stale_etag_is_412_naming_the_current_one_and_changes_nothing(resources: dict[str, Any]) -> None:
    for kind in ("broadcast", "episode", "station"):
        url, field = resources["urls"][kind], resources["fields"][kind]
        editor = _editor(resources, kind)
        stale = editor.get(url).headers["ETag"]
        first = editor.patch(url, json={field: "first"}, headers={"If-Match": stale})
        assert first.status_code == 200, first.json
        assert first.headers["ETag"] == editor.get(url).headers["ETag"] != stale  # the answer carries the new one
        second = editor.patch(url, json={field: "second"}, headers={"If-Match": stale})
        assert second.status_code == 412, second.json
        error = second.json["error"]
        assert error["code"] == "precondition_failed" and error["field"] == "If-Match"
        assert f'"{error["etag"]}"' == first.headers["ETag"]
        assert editor.get(url).json[field] == "first"
        retried = editor.patch(url, json={field: "second"}, headers={"If-Match": first.headers["ETag"]})
        assert retried.status_code == 200 and retried.json[field] == "second"


@pytest.mark.parametrize("header", ['"0"', 'W/"x"', "garbage", '"' + "9" * 5000 + '"', '"\u09e6\u09e7"', '""'])
def test_any_if_match_that_is_not_the_current_etag_is_412_not_5xx(resources: dict[str, Any], header: str) -> None:
    url = resources["urls"]["broadcast"]
    producer = resources["producer"]
    current = producer.get(url)
    weak = "W/" + current.headers["ETag"]
    for value in (header, weak):
        answer = producer.patch(url, json={"notes": "x"}, headers={"If-Match": value.encode().decode("latin-1")})
        assert answer.status_code == 412, (value[:40], answer.status_code, answer.data[:200])
    assert producer.get(url).json["sequence"] == current.json["sequence"]


def test_star_a_list_of_tags_and_the_gzip_tag_each_match(resources: dict[str, Any]) -> None:
    url = resources["urls"]["episode"]
    producer = resources["producer"]
    assert producer.patch(url, json={"title": "any"}, headers={"If-Match": "*"}).status_code == 200
    etag = producer.get(url).headers["ETag"]
    listed = producer.patch(url, json={"title": "listed"}, headers={"If-Match": f'"old", {etag}'})
    assert listed.status_code == 200
    zipped = producer.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers.get("Content-Encoding") == "gzip" and zipped.headers["ETag"].endswith('-gzip"')
    answer = producer.patch(url, json={"title": "from gzip"}, headers={"If-Match": zipped.headers["ETag"]})
    assert answer.status_code == 200, answer.json


def test_a_cancel_based_on_a_stale_etag_is_412_and_the_booking_stays(resources: dict[str, Any]) -> None:
    url = resources["urls"]["broadcast"]
    producer = resources["producer"]
    stale = producer.get(url).headers["ETag"]
    assert producer.patch(url, json={"notes": "moved on"}).status_code == 200
    assert producer.delete(url, headers={"If-Match": stale}).status_code == 412
    assert producer.get(url).json["status"] == "confirmed"
    fresh = producer.get(url).headers["ETag"]
    assert producer.delete(url, headers={"If-Match": fresh}).json["status"] == "cancelled"


def test_feedback_and_an_edit_at_once_both_count_in_sequence(resources: dict[str, Any]) -> None:
    """Feedback logging also moves SEQUENCE (the event's DESCRIPTION changes): racing an edit, neither is lost."""
    producer = resources["producer"]
    past = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": resources["episode"],
                                                     "start": local_dhaka(-14), "rrule": "FREQ=WEEKLY;COUNT=2"})
    assert past.status_code == 201, past.json
    url = f"/api/v1/broadcasts/{past.json['id']}"
    start = producer.get(url).json["sequence"]
    clients = _clients(producer)[:2]

    def send(client: Any, i: int, round_: int) -> Any:
        if i == 0:
            return client.post(f"{url}/feedback", json={"occurrence": local_dhaka(-14)[:10], "calls": round_})
        return client.patch(url, json={"notes": str(round_)})

    for round_ in range(ROUNDS):
        statuses = race(clients, lambda c, i, r=round_: send(c, i, r))
        assert statuses == [201, 200], statuses
    assert producer.get(url).json["sequence"] == start + 2 * ROUNDS


def test_the_episode_etag_ignores_what_analysis_writes(resources: dict[str, Any], runtime: Any) -> None:
    """A producer's edit based on a page read before the analysis finished still goes through."""
    url = resources["urls"]["episode"]
    producer = resources["producer"]
    etag = producer.get(url).headers["ETag"]
    with runtime.session() as session:
        session.execute(update(Episode).where(Episode.id == resources["episode"])
                        .values(loudness_lufs=-16.0, status="ready", peaks=[1, 2, 3]))
        session.commit()
    assert producer.get(url).headers["ETag"] == etag
    assert producer.patch(url, json={"title": "after analysis"}, headers={"If-Match": etag}).status_code == 200
    with runtime.session() as session:
        assert session.scalar(select(Episode.title).where(Episode.id == resources["episode"])) == "after analysis"


def test_racing_rundown_edits_against_the_same_rev_admit_exactly_one(api_as: Any) -> None:
    """The rundown's ``rev`` is the same version mechanism (409 ``rundown_changed``, its own contract)."""
    producer = api_as("producer")
    draft = producer.post("/api/v1/programmes/drafts", json={"title": "Draft", "slot_s": 30}).get_json()
    url = f"/api/v1/programmes/{draft['id']}/rundown"
    clients = _clients(producer)
    rev = draft["rev"]
    for round_ in range(ROUNDS):
        statuses = race(clients, lambda c, i, rev=rev, r=round_: c.put(url, json={"rev": rev,
                                                                                 "title": f"Draft {r}.{i}"}))
        assert Counter(statuses) == Counter({200: 1, 409: THREADS - 1}), statuses
        after = producer.get(f"/api/v1/programmes/{draft['id']}").get_json()
        assert after["title"] == f"Draft {round_}.{statuses.index(200)}" and after["rev"] != rev
        rev = after["rev"]
