"""The flights pages: a flight's bookings, extending it and cancelling it as a whole through plain forms."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import func, select

from schedule.models import Broadcast
from tests.ui_helpers import HTML, add_episode, csrf_token, login, page, post_form, timeline


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


def _world(runtime: Any, api_as: Any, make_station: Any) -> tuple[Any, list[str], str]:
    """Two stations, two spots and a booking on padma at 19:00 on 2027-03-03 (the middle of a window)."""
    make_station("padma", timezone="Asia/Dhaka")
    make_station("thames", timezone="Europe/London")
    producer = api_as("producer")
    ids = [add_episode(runtime, f"স্পট {n}", [], seconds=30.0, kind="psa")["id"] for n in range(2)]
    other = add_episode(runtime, "অন্য অনুষ্ঠান", [], seconds=600.0)["id"]
    booked = producer.post("/api/v1/broadcasts", json={"station": "padma", "episode_id": other,
                                                       "start": "2027-03-03T19:00"})
    assert booked.status_code == 201
    return producer, ids, other


def _form(ids: list[str], **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {"form_id": uuid.uuid4().hex, "campaign": "নিরাপদ অভিবাসন",
                            "stations": ["padma", "thames"], "episodes": ids,
                            "per_week": "3", "from": "2027-03-01", "to": "2027-03-14",
                            "windows.0.station": "", "windows.0.days": ["MO", "WE", "FR"],
                            "windows.0.start": "19:00", "windows.0.end": "20:00",
                            "windows.1.station": "", "windows.1.start": "", "windows.1.end": ""}
    form.update(changes)
    return form


def _proposed(runtime: Any, flight_id: str) -> list[dict[str, Any]]:
    from schedule.flight_models import Flight

    with runtime.read_session() as session:
        flight = session.get(Flight, flight_id)
        assert flight is not None
        return [dict(a) for a in flight.proposed]


def _propose_from_the_form(client: Any, runtime: Any, ids: list[str]) -> str:
    response = post_form(client, "/flights/new", _form(ids))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return str(response.headers["Location"].rsplit("/", 1)[1])


def test_the_new_flight_form_proposes_and_refuses_bad_fields_on_their_control(client: Any, runtime: Any,
                                                                           api_as: Any, make_station: Any) -> None:
    _producer, ids, _other = _world(runtime, api_as, make_station)
    login(client, runtime, "producer")
    assert 'id="new-flight-link"' in page(client, "/flights")
    html = page(client, "/flights/new")
    assert all(f'value="{i}"' in html for i in ids) and 'name="stations" value="padma"' in html
    cases = [({"stations": []}, "stations"), ({"episodes": []}, "episodes"), ({"per_week": "many"}, "per_week"),
             ({"per_week": "0"}, "per_week"), ({"to": "2027-02-01"}, "to"), ({"from": "later"}, "from"),
             ({"to": "9999-12-31"}, "to"), ({"campaign": "x\x00y"}, "campaign"),
             ({"windows.0.start": "25:00"}, "windows.0.start"), ({"windows.0.days": []}, "windows.0.days"),
             ({"windows.0.end": "18:00"}, "windows.0.end"), ({"stations": ["padma", "nowhere"]}, "stations"),
             ({"windows.0.station": "nowhere"}, "windows.0.station")]
    for changes, field in cases:
        response = post_form(client, "/flights/new", _form(ids, **changes))
        text = response.get_data(as_text=True)
        assert response.status_code in (400, 404), (field, response.status_code)
        assert f'id="{field}-error"' in text, (field, text[text.find('class="field-error"') - 200:][:600])
    # Only the second window row filled in: its error is on that row.
    response = post_form(client, "/flights/new", _form(ids, **{"windows.0.days": [], "windows.0.start": "",
                                                                "windows.0.end": "", "windows.1.days": ["SA"],
                                                                "windows.1.start": "09:00",
                                                                "windows.1.end": "08:00"}))
    assert response.status_code == 400 and 'id="windows.1.end-error"' in response.get_data(as_text=True)
    from schedule.flight_models import Flight

    with runtime.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Flight)) == 0  # nothing half-written
    form = _form(ids)
    assert 'name="form_id" value="' in html  # the form carries the id its flight will have
    sent = post_form(client, "/flights/new", form)
    assert sent.status_code == 302
    flight_id = sent.headers["Location"].rsplit("/", 1)[1]
    assert flight_id == form["form_id"] and len(_proposed(runtime, flight_id)) == 12
    replay = post_form(client, "/flights/new", form)  # the same form sent again: no second proposal
    text = replay.get_data(as_text=True)
    assert replay.status_code == 409 and 'id="form_id-error"' in text and f"/flights/{flight_id}" in text
    for bad in ("", "x" * 32, "../" * 11, "A" * 32):
        assert post_form(client, "/flights/new", {**form, "form_id": bad}).status_code == 400, bad
    with runtime.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Flight)) == 1


def test_the_proposal_shows_as_a_list_and_a_week_in_station_time(client: Any, runtime: Any, api_as: Any,
                                                                 make_station: Any) -> None:
    _producer, ids, _other = _world(runtime, api_as, make_station)
    login(client, runtime, "producer")
    flight_id = _propose_from_the_form(client, runtime, ids)
    proposed = _proposed(runtime, flight_id)
    html = page(client, f"/flights/{flight_id}")
    assert html.count('class="proposed-row') == 12 and "স্পট 0" in html
    assert "Accept and book all 12 airings" in html and 'name="rev"' in html
    # The week of the first day: three proposed airings on each station, and padma's booking beside them, each
    # in the row of the time axis it starts in (station time) and on its station-local day.
    week = html.split('id="proposal-week"')[1]
    first = [n for n, a in enumerate(proposed) if a["start"] < "2027-03-08"]
    assert len(first) == 6 and all(f'id="week-row-{n}"' in week for n in first)
    assert 'id="week-row-' not in week.split('data-station="padma"')[0]
    hours, padma = timeline(week, "padma")
    assert hours == ["19:00"]
    booked = [c for c in padma if "booked" in c["classes"]]
    assert len(booked) == 1 and "already booked" in booked[0]["text"] and "অন্য অনুষ্ঠান" in booked[0]["text"]
    assert booked[0]["day"] == "2027-03-03" and booked[0]["slot"] == "19:00" and booked[0]["rows"] == 1
    assert "19:00–19:10" in booked[0]["text"]  # the booking, in Dhaka time
    cells = {c["id"]: c for station in ("padma", "thames") for c in timeline(week, station)[1]}
    for n in first:  # each proposed airing on its station-local day, its time shown in station time
        a, cell = proposed[n], cells[f"week-row-{n}"]
        assert f'data-station="{a["station"]}"' in week.split(f'id="week-row-{n}"')[0].rsplit("<table", 1)[1]
        assert cell["day"] == a["start"][:10] and cell["slot"][:2] == a["start"][11:13]
        assert cell["text"].startswith(a["start"][11:16] + "–")
    following = page(client, f"/flights/{flight_id}?week=2027-03-08")
    assert all(f'id="week-row-{n}"' in following for n, a in enumerate(proposed) if a["start"] >= "2027-03-08")
    assert 'href="?week=2027-03-01#proposal-week"' in following and 'href="?week=2027-03-15#proposal-week"' in following
    before = page(client, f"/flights/{flight_id}?week=2027-02-22")
    assert 'id="week-row-' not in before


def test_adjusting_a_row_saves_it_and_a_clash_redraws_the_page_with_the_error_on_that_row(
        client: Any, runtime: Any, api_as: Any, make_station: Any) -> None:
    _producer, ids, _other = _world(runtime, api_as, make_station)
    login(client, runtime, "producer")
    flight_id = _propose_from_the_form(client, runtime, ids)
    url = f"/flights/{flight_id}/proposal"
    html = page(client, f"/flights/{flight_id}")
    proposed = _proposed(runtime, flight_id)
    n = next(i for i, a in enumerate(proposed) if a["station"] == "padma")
    # Onto padma's booking: 409, the error on that row, nothing saved.
    clash = post_form(client, url, {"action": "change", "index": str(n), "start": "2027-03-03T19:05",
                                    "episode_id": proposed[n]["episode_id"], "rev": _rev(html)})
    text = clash.get_data(as_text=True)
    assert clash.status_code == 409 and f'id="row-{n}-error"' in text and 'id="clashes"' in text
    assert f'<tr id="row-{n}" class="proposed-row clash">' in text
    assert _proposed(runtime, flight_id) == proposed
    bad = post_form(client, url, {"action": "change", "index": str(n), "start": "2027-05-01T19:05",
                                  "episode_id": proposed[n]["episode_id"], "rev": _rev(html)})
    assert bad.status_code == 400 and f'id="row-{n}-error"' in bad.get_data(as_text=True)
    # Moved and its spot changed: saved.
    other_spot = ids[1] if proposed[n]["episode_id"] == ids[0] else ids[0]
    moved = post_form(client, url, {"action": "change", "index": str(n), "start": "2027-03-03T19:30",
                                    "episode_id": other_spot, "rev": _rev(html)})
    assert moved.status_code == 302, moved.get_data(as_text=True)[:2000]
    now = _proposed(runtime, flight_id)
    assert now[n]["start"] == "2027-03-03T19:30:00" and now[n]["episode_id"] == other_spot
    # The old page's rev is stale now (a replay of the same form too): 409, nothing changed.
    replay = post_form(client, url, {"action": "change", "index": str(n), "start": "2027-03-03T19:30",
                                     "episode_id": other_spot, "rev": _rev(html)})
    assert replay.status_code == 409 and "the proposal" in replay.get_data(as_text=True).split('id="flight-error"')[1]
    html = page(client, f"/flights/{flight_id}")
    last = len(now) - 1
    assert last != n
    removed = post_form(client, url, {"action": "remove", "index": str(last), "rev": _rev(html)})
    assert removed.status_code == 302 and _proposed(runtime, flight_id) == now[:-1]
    html = page(client, f"/flights/{flight_id}")
    overlap = post_form(client, url, {"action": "add", "station": "padma", "episode_id": ids[0],
                                      "start": "2027-03-03T19:30:10", "rev": _rev(html)})
    text = overlap.get_data(as_text=True)
    assert overlap.status_code == 409 and 'id="start-error"' in text and len(_proposed(runtime, flight_id)) == 11
    assert 'value="2027-03-03T19:30:10"' in text  # the add form keeps what was typed
    added = post_form(client, url, {"action": "add", "station": "thames", "episode_id": ids[0],
                                    "start": "2027-03-06T10:00", "rev": _rev(html)})
    assert added.status_code == 302 and _proposed(runtime, flight_id)[-1]["start"] == "2027-03-06T10:00:00"
    for form in ({"action": "explode", "index": "0"}, {"action": "change", "index": "999"},
                 {"action": "remove", "index": "-1"}, {"action": "change", "index": "0", "start": "x" * 500},
                 {"action": "change", "index": "0", "start": "2027-03-01T19:30\x00"},
                 {"action": "add", "station": "padma", "episode_id": ids[0], "start": ""},
                 {"action": "add", "station": "", "episode_id": ids[0], "start": "2027-03-01T19:30"}):
        refused = post_form(client, url, {**form, "rev": _rev(page(client, f"/flights/{flight_id}"))})
        assert refused.status_code == 400, form
    assert len(_proposed(runtime, flight_id)) == 12


def test_accepting_books_all_and_a_changed_station_redraws_the_409_with_the_clashes(
        client: Any, runtime: Any, api_as: Any, make_station: Any) -> None:
    producer, ids, other = _world(runtime, api_as, make_station)
    login(client, runtime, "producer")
    flight_id = _propose_from_the_form(client, runtime, ids)
    proposed = _proposed(runtime, flight_id)
    html = page(client, f"/flights/{flight_id}")
    # Another producer adjusts the proposal after this page was drawn: accepting it is refused, nothing booked.
    api_rev = producer.get(f"/api/v1/flights/{flight_id}").get_json()["rev"]
    moved = [{**{k: a[k] for k in ("station", "episode_id", "start")}} for a in proposed]
    moved[-1]["start"] = moved[-1]["start"][:11] + "19:50:00"
    assert producer.put(f"/api/v1/flights/{flight_id}/proposal",
                        json={"proposed": moved, "rev": api_rev}).status_code == 200
    before = _count(runtime)
    stale = post_form(client, f"/flights/{flight_id}/accept", {"rev": _rev(html)})
    assert stale.status_code == 409 and _count(runtime) == before
    assert "the proposal" in stale.get_data(as_text=True).split('id="flight-error"')[1][:400]
    html = stale.get_data(as_text=True)
    proposed = _proposed(runtime, flight_id)
    n = next(i for i, a in enumerate(proposed) if a["station"] == "thames")
    # Meanwhile thames books something over one of the proposed airings.
    assert producer.post("/api/v1/broadcasts", json={"station": "thames", "episode_id": other,
                                                     "start": proposed[n]["start"]}).status_code == 201
    before = _count(runtime)
    refused = post_form(client, f"/flights/{flight_id}/accept", {"rev": _rev(html)})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and _count(runtime) == before
    assert "The schedule of thames changed" in text and 'id="clashes"' in text
    assert f'<tr id="row-{n}" class="proposed-row clash">' in text
    fresh = _rev(text)
    assert post_form(client, f"/flights/{flight_id}/proposal",
                     {"action": "remove", "index": str(n), "rev": fresh}).status_code == 302
    html = page(client, f"/flights/{flight_id}")
    accepted = post_form(client, f"/flights/{flight_id}/accept", {"rev": _rev(html)})
    assert accepted.status_code == 302 and _count(runtime) == before + 11
    html = page(client, f"/flights/{flight_id}")
    assert html.count('class="booking-confirmed"') == 11 and "11 airings were booked" in html
    again = post_form(client, f"/flights/{flight_id}/accept", {"rev": _rev(html)})
    assert again.status_code == 409 and _count(runtime) == before + 11


def test_the_new_flight_and_proposal_pages_speak_bangla(client: Any, runtime: Any, api_as: Any,
                                                        make_station: Any) -> None:
    _producer, ids, _other = _world(runtime, api_as, make_station)
    login(client, runtime, "producer", lang="bn")
    html = page(client, "/flights/new", lang="bn")
    assert "নতুন ফ্লাইট" in html and "Propose the flight" not in html and "Spots to rotate" not in html
    flight_id = _propose_from_the_form(client, runtime, ids)
    html = page(client, f"/flights/{flight_id}", lang="bn")
    for english in ("The airings, as a list", "The airings, as a week", "Add an airing", "Accept and book",
                    "already booked", "Move"):
        assert english not in html, english


def test_the_list_comes_a_page_at_a_time_and_a_refused_row_opens_its_page(client: Any, runtime: Any, api_as: Any,
                                                                          make_station: Any, monkeypatch: Any) -> None:
    import web.ui.flights

    monkeypatch.setattr(web.ui.flights, "LIST_PAGE", 5)
    _producer, ids, _other = _world(runtime, api_as, make_station)
    login(client, runtime, "producer")
    flight_id = _propose_from_the_form(client, runtime, ids)
    first = page(client, f"/flights/{flight_id}")
    assert [f'id="row-{n}"' in first for n in range(12)] == [True] * 5 + [False] * 7
    third = page(client, f"/flights/{flight_id}?page=3")
    assert [f'id="row-{n}"' in third for n in range(12)] == [False] * 10 + [True] * 2
    assert page(client, f"/flights/{flight_id}?page=99").count('class="proposed-row') == 2  # the last page
    proposed = _proposed(runtime, flight_id)
    n = next(i for i, a in enumerate(proposed) if i >= 5 and a["station"] == "padma")
    refused = post_form(client, f"/flights/{flight_id}/proposal", {
        "action": "change", "index": str(n), "start": "2027-03-03T19:05", "episode_id": proposed[n]["episode_id"],
        "rev": _rev(first), "page": "1"})
    assert refused.status_code == 409 and f'id="row-{n}-error"' in refused.get_data(as_text=True)


def test_the_same_new_flight_form_sent_twice_at_once_proposes_one_flight(app: Any, runtime: Any, api_as: Any,
                                                                         make_station: Any) -> None:
    import threading

    from schedule.flight_models import Flight

    _producer, ids, _other = _world(runtime, api_as, make_station)
    clients = [app.test_client() for _n in range(4)]
    for n, one in enumerate(clients):
        login(one, runtime, "producer", email=f"twice-{n}@example.org")
    form = _form(ids)
    barrier = threading.Barrier(len(clients))
    statuses = [0] * len(clients)

    def send(n: int) -> None:
        token = csrf_token(clients[n])
        barrier.wait(timeout=30)
        statuses[n] = clients[n].post("/flights/new", data={"csrf_token": token, **form}, headers=HTML).status_code

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [302] + [409] * (len(clients) - 1), statuses
    with runtime.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Flight)) == 1
