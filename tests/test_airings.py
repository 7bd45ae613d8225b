"""Airings confirmed: statuses per occurrence, who may confirm, late entries and corrections, codes, make-goods."""

from __future__ import annotations

import datetime as dt

import pytest
from schedule_helpers import DHAKA, create_station, local_dhaka, make_episode
from sqlalchemy import func, select

from radio.audit import verify_chain
from radio.models import User
from schedule.airings import CODE_ALPHABET, CODE_LENGTH, airing_code, find_airing_by_code
from schedule.models import AiringReport, Broadcast, Station


@pytest.fixture
def setup(runtime, api_as):
    admin = api_as("admin")
    create_station(admin, "radio-padma", name_bn="রেডিও পদ্মা")
    create_station(admin, "radio-jamuna")
    producer = api_as("producer")
    episode = make_episode(runtime, title="সতর্ক থাকুন", campaign="safe-migration")
    series = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                       "start": local_dhaka(-21), "rrule": "FREQ=WEEKLY;COUNT=6"})
    assert series.status_code == 201, series.json
    return {"admin": admin, "producer": producer, "padma": api_as("station", station="radio-padma"),
            "jamuna": api_as("station", station="radio-jamuna"), "episode": episode, "series": series.json,
            "url": f"/api/v1/broadcasts/{series.json['id']}/airings"}


def _reports(runtime) -> int:
    with runtime.session() as session:
        return session.scalar(select(func.count()).select_from(AiringReport))


def _listing(client, **params):
    r = client.get("/api/v1/airings", query_string=params)
    assert r.status_code == 200, r.json
    return r.json


def test_every_planned_occurrence_has_a_status_and_a_confirmation_shows_who_and_how(setup) -> None:
    first = local_dhaka(-21)[:10]
    listing = _listing(setup["producer"], station="radio-padma", **{"from": first, "to": local_dhaka(14)[:10]})
    assert listing["total"] == 6 and {i["status"] for i in listing["items"]} == {"unconfirmed"}
    assert all(len(i["code"]) == CODE_LENGTH and set(i["code"]) <= set(CODE_ALPHABET) for i in listing["items"])
    assert len({i["code"] for i in listing["items"]}) == 6
    r = setup["padma"].post(setup["url"], json={"occurrence": first, "status": "aired",
                                                "aired_at": f"{first}T20:03"})
    assert r.status_code == 201, r.json
    assert r.json["via"] == "api" and r.json["current"]
    item = _listing(setup["padma"], **{"from": first, "to": first})["items"][0]
    assert item["status"] == "aired" and item["via"] == "api"
    assert item["aired_at"] == f"{first}T14:03:00+00:00"  # 20:03 in Dhaka
    assert item["confirmed_by"] == setup["padma"].user_id
    assert item["episode_id"] == setup["episode"] and item["broadcast_id"] == setup["series"]["id"]


def test_a_missed_airing_needs_a_reason_and_the_status_filter_finds_it(setup) -> None:
    day = local_dhaka(-14)[:10]
    no_reason = setup["padma"].post(setup["url"], json={"occurrence": day, "status": "missed"})
    assert no_reason.status_code == 400 and no_reason.json["error"]["field"] == "reason"
    r = setup["padma"].post(setup["url"], json={"occurrence": day, "status": "missed", "reason": "power_cut",
                                                "notes": "লোডশেডিং"})
    assert r.status_code == 201
    missed = _listing(setup["producer"], status="missed", **{"from": local_dhaka(-30)[:10]})
    assert [(i["occurrence"][:10], i["reason"], i["notes"]) for i in missed["items"]] == [
        (day, "power_cut", "লোডশেডিং")]
    assert _listing(setup["producer"], status="unconfirmed", **{"from": local_dhaka(-30)[:10],
                                                                 "to": local_dhaka(-1)[:10]})["total"] == 2


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"occurrence": "DAY+7", "status": "aired"}, "occurrence_in_future", "occurrence"),
    ({"occurrence": "DAY-15", "status": "aired"}, "no_such_occurrence", None),
    ({"status": "aired"}, "occurrence_required", None),
    ({"occurrence": "DAY-14", "status": "maybe"}, "invalid_field", "status"),
    ({"occurrence": "DAY-14"}, "invalid_field", "status"),
    ({"occurrence": "DAY-14", "status": "missed", "reason": "aliens"}, "invalid_field", "reason"),
    ({"occurrence": "DAY-14", "status": "aired", "reason": "technical"}, "invalid_field", "reason"),
    ({"occurrence": "DAY-14", "status": "missed", "reason": "other", "aired_at": "DAY-14T20:00"},
     "invalid_field", "aired_at"),
    ({"occurrence": "DAY-14", "status": "aired", "aired_at": "DAY-12T20:00"}, "invalid_field", "aired_at"),
    ({"occurrence": "DAY-14", "status": "aired", "aired_at": "DAY-14T25:00"}, "invalid_field", "aired_at"),
    ({"occurrence": "DAY-14", "status": "aired", "aired_at": "9999-01-01T20:00"}, "invalid_field", "aired_at"),
    ({"occurrence": "DAY-14", "status": "aired", "notes": "x\x00y"}, "invalid_field", "notes"),
    ({"occurrence": "DAY-14", "status": "aired", "via": "sms"}, "unknown_field", "via"),
])
def test_bad_confirmations_are_a_clear_400_and_nothing_is_stored(runtime, setup, body, code, field) -> None:
    def fill(value: str) -> str:
        days, _, time = value[3:].partition("T")
        return local_dhaka(int(days))[:10] + (f"T{time}" if time else "")
    body = {k: fill(v) if isinstance(v, str) and v.startswith("DAY") else v for k, v in body.items()}
    r = setup["padma"].post(setup["url"], json=body)
    assert r.status_code == 400 and r.json["error"]["code"] == code, r.json
    if field:
        assert r.json["error"].get("field") == field, r.json
    assert _reports(runtime) == 0


def test_only_that_station_producers_and_admins_confirm(runtime, setup, api_as) -> None:
    body = {"occurrence": local_dhaka(-14)[:10], "status": "aired"}
    assert setup["jamuna"].post(setup["url"], json=body).status_code == 404  # reveals nothing
    assert api_as("researcher").post(setup["url"], json=body).status_code == 403
    assert setup["producer"].post(setup["url"], json=body).status_code == 201
    assert setup["admin"].post(setup["url"], json={**body, "status": "partial"}).status_code == 201
    assert setup["jamuna"].get("/api/v1/airings", query_string={"station": "radio-padma"}).status_code == 404
    assert _listing(setup["jamuna"])["total"] == 0
    setup["producer"].delete(f"/api/v1/broadcasts/{setup['series']['id']}")
    cancelled = setup["padma"].post(setup["url"], json=body)
    assert cancelled.status_code == 409 and cancelled.json["error"]["code"] == "broadcast_cancelled"
    assert _reports(runtime) == 2


def test_a_restricted_episode_s_airings_stay_hidden_from_stations(runtime, setup) -> None:
    hidden = make_episode(runtime, title="hidden", consent="broadcast")
    booked = setup["producer"].post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": hidden,
                                                                "start": local_dhaka(-3, 9)})
    assert booked.status_code == 201
    with runtime.session() as session:
        from episodes.models import Episode
        session.get(Episode, hidden).restricted = True
    url = f"/api/v1/broadcasts/{booked.json['id']}/airings"
    assert setup["padma"].post(url, json={"status": "aired"}).status_code == 404
    assert booked.json["id"] not in {i["broadcast_id"] for i in _listing(setup["padma"])["items"]}
    assert booked.json["id"] in {i["broadcast_id"] for i in _listing(setup["producer"])["items"]}


def test_late_entries_and_corrections_keep_the_history(runtime, setup) -> None:
    day = local_dhaka(-21)[:10]  # three weeks late: a station that was offline
    assert setup["padma"].post(setup["url"], json={"occurrence": day, "status": "aired"}).status_code == 201
    again = setup["padma"].post(setup["url"], json={"occurrence": day, "status": "aired"})
    assert again.status_code == 201 and _reports(runtime) == 1  # a double tap adds nothing
    fix = setup["producer"].post(setup["url"], json={"occurrence": day, "status": "missed", "reason": "preempted"})
    assert fix.status_code == 201
    history = setup["padma"].get(setup["url"]).json["items"]
    assert [(h["status"], h["current"]) for h in history] == [("missed", True), ("aired", False)]
    assert _listing(setup["padma"], **{"from": day, "to": day})["items"][0]["status"] == "missed"


def test_listing_dates_are_station_local_days(runtime, setup, api_as) -> None:
    create_station(setup["admin"], "radio-lima", timezone="America/Lima")
    episode = make_episode(runtime)
    # 23:30 in Lima is 04:30 UTC the next day: it belongs to the Lima day it was planned on.
    lima = setup["producer"].post("/api/v1/broadcasts", json={"station": "radio-lima", "episode_id": episode,
                                                              "start": "2026-03-02T23:30"})
    assert lima.status_code == 201, lima.json
    on_day = _listing(setup["producer"], station="radio-lima", **{"from": "2026-03-02", "to": "2026-03-02"})
    assert [i["broadcast_id"] for i in on_day["items"]] == [lima.json["id"]]
    assert _listing(setup["producer"], station="radio-lima", **{"from": "2026-03-03", "to": "2026-03-03"})["total"] == 0


@pytest.mark.parametrize(("params", "code"), [
    ({"from": "2026-02-30"}, "invalid_date"),
    ({"from": "2026-03-01", "to": "2025-01-01"}, "invalid_window"),
    ({"from": "2020-01-01", "to": "2026-01-01"}, "invalid_window"),
    ({"status": "lost"}, "invalid_parameter"),
])
def test_bad_listing_queries_are_400(setup, params, code) -> None:
    r = setup["producer"].get("/api/v1/airings", query_string=params)
    assert r.status_code == 400 and r.json["error"]["code"] == code, r.json


def test_codes_are_stable_per_occurrence_and_found_only_on_their_own_station(runtime, setup) -> None:
    items = _listing(setup["producer"], station="radio-padma", **{"from": local_dhaka(-21)[:10]})["items"]
    again = _listing(setup["producer"], station="radio-padma", **{"from": local_dhaka(-21)[:10]})["items"]
    assert [i["code"] for i in items] == [i["code"] for i in again]
    past = [i for i in items if i["start"] < dt.datetime.now(dt.UTC).isoformat()]
    future = [i for i in items if i not in past]
    with runtime.session() as session:
        padma = session.scalar(select(Station).where(Station.slug == "radio-padma"))
        jamuna = session.scalar(select(Station).where(Station.slug == "radio-jamuna"))
        code = past[1]["code"]
        broadcast, occ = find_airing_by_code(session, padma, code.lower()[:3] + "-" + code.lower()[3:],
                                             runtime.secret_key)
        assert (broadcast.id, occ.key) == (past[1]["broadcast_id"], past[1]["occurrence"])
        assert find_airing_by_code(session, jamuna, code, runtime.secret_key) is None
        assert find_airing_by_code(session, padma, future[0]["code"], runtime.secret_key) is None
        assert find_airing_by_code(session, padma, "AAAAAA", runtime.secret_key) is None
        assert find_airing_by_code(session, padma, "", runtime.secret_key) is None
    assert airing_code("other-key", past[1]["broadcast_id"], past[1]["occurrence"]) != code


def test_a_missed_airing_gets_a_make_good_in_the_next_free_slot(runtime, setup) -> None:
    series = setup["series"]["id"]
    day = local_dhaka(-7)[:10]
    make_good = f"/api/v1/broadcasts/{series}/make-good"
    not_missed = setup["producer"].post(make_good, json={"occurrence": day})
    assert not_missed.status_code == 409 and not_missed.json["error"]["code"] == "not_missed"
    setup["padma"].post(setup["url"], json={"occurrence": day, "status": "missed", "reason": "technical"})
    other = make_episode(runtime)
    taken = setup["producer"].post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": other,
                                                               "start": local_dhaka(1, 19, 50)})
    assert taken.status_code == 201
    proposal = setup["producer"].get(make_good, query_string={"occurrence": day})
    assert proposal.status_code == 200
    # Today at 20:00 is the series' own next airing, tomorrow is taken: the make-good goes to the day after.
    expected = dt.datetime.fromisoformat(local_dhaka(2)).replace(tzinfo=DHAKA)
    assert dt.datetime.fromisoformat(proposal.json["start"]) == expected
    booked = setup["producer"].post(make_good, json={"occurrence": day})
    assert booked.status_code == 201, booked.json
    assert dt.datetime.fromisoformat(booked.json["start"]) == expected
    assert booked.json["episode_id"] == setup["episode"] and booked.json["notes"].startswith("make-good:")
    twice = setup["producer"].post(make_good, json={"occurrence": day})
    assert twice.status_code == 409 and twice.json["error"]["code"] == "make_good_exists"
    assert setup["padma"].post(make_good, json={"occurrence": day}).status_code == 403
    with runtime.session() as session:
        assert session.scalar(select(func.count()).select_from(Broadcast)) == 3


def _trail(admin, subject: str) -> list[dict]:
    r = admin.get("/api/v1/audit", query_string={"subject_type": "airing", "subject_id": subject})
    assert r.status_code == 200, r.json
    return list(reversed(r.json["items"]))  # oldest first


def test_confirmations_corrections_and_make_goods_are_in_the_audit_trail(runtime, setup) -> None:
    series = setup["series"]["id"]
    day = local_dhaka(-7)[:10]
    subject = f"{series}/{day}T{local_dhaka(-7)[11:16]}:00"
    assert setup["padma"].post(setup["url"], json={"occurrence": day, "status": "aired"}).status_code == 201
    assert setup["padma"].post(setup["url"], json={"occurrence": day, "status": "aired"}).status_code == 201  # twice
    fix = setup["producer"].post(setup["url"], json={"occurrence": day, "status": "missed", "reason": "power_cut"})
    assert fix.status_code == 201
    bad = setup["producer"].post(setup["url"], json={"occurrence": day, "status": "maybe"})
    assert bad.status_code == 400
    booked = setup["producer"].post(f"/api/v1/broadcasts/{series}/make-good", json={"occurrence": day})
    assert booked.status_code == 201, booked.json
    trail = _trail(setup["admin"], subject)
    assert [e["action"] for e in trail] == ["airing.confirmed", "airing.confirmed", "airing.make_good_booked"]
    with runtime.session() as session:
        emails = {u.id: u.email for u in session.scalars(select(User))}
    station_email, producer_email = emails[setup["padma"].user_id], emails[setup["producer"].user_id]
    assert [e["actor"] for e in trail] == [station_email, producer_email, producer_email]
    first, correction, make_good = (e["details"] for e in trail)
    assert first["status"] == "aired" and first["via"] == "api" and first["previous"] is None
    assert correction["status"] == "missed" and correction["reason"] == "power_cut"
    assert correction["previous"]["status"] == "aired" and correction["previous"]["via"] == "api"
    assert make_good["make_good"] == booked.json["id"] and make_good["status"] == "missed"
    with runtime.session() as session:
        assert verify_chain(session).broken_id is None
