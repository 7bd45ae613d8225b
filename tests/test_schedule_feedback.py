"""Listener feedback: who may report, which occurrences, corrections kept as history, summaries and CSV."""

from __future__ import annotations

import csv
import io

import pytest
from schedule_helpers import create_station, local_dhaka, make_episode
from sqlalchemy import func, select

from schedule.models import FeedbackReport


@pytest.fixture
def setup(runtime, api_as):
    admin = api_as("admin")
    create_station(admin, "radio-padma", name_bn="রেডিও পদ্মা")
    create_station(admin, "radio-jamuna")
    producer = api_as("producer")
    episode = make_episode(runtime, title="সতর্ক থাকুন", campaign="safe-migration")
    series = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                       "start": local_dhaka(-21), "rrule": "FREQ=WEEKLY;COUNT=6"})
    assert series.status_code == 201
    return {"producer": producer, "padma": api_as("station", station="radio-padma"),
            "jamuna": api_as("station", station="radio-jamuna"), "episode": episode, "series": series.json,
            "url": f"/api/v1/broadcasts/{series.json['id']}/feedback"}


def _reports(runtime) -> int:
    with runtime.session() as session:
        return session.scalar(select(func.count()).select_from(FeedbackReport))


def test_station_reports_feedback_for_a_past_occurrence(setup) -> None:
    day = local_dhaka(-14)[:10]
    r = setup["padma"].post(setup["url"], json={"occurrence": day, "calls": 12, "sms": 4, "missed_calls": 57,
                                                "letters": 1, "in_person": 30, "notes": "উঠান বৈঠকে আলোচনা"})
    assert r.status_code == 201, r.json
    assert r.json["occurrence"] == f"{day}T20:00:00" and r.json["total"] == 104 and r.json["current"]
    by_time = setup["producer"].post(setup["url"], json={"occurrence": local_dhaka(-21), "calls": 2})
    assert by_time.status_code == 201 and by_time.json["sms"] == 0


@pytest.mark.parametrize(("body", "code"), [
    ({"occurrence": "DAY+7", "calls": 1}, "occurrence_in_future"),
    ({"occurrence": "DAY-15", "calls": 1}, "no_such_occurrence"),
    ({"occurrence": "DAY-14T21:00", "calls": 1}, "no_such_occurrence"),
    ({"occurrence": "yesterday", "calls": 1}, "invalid_occurrence"),
    ({"calls": 1}, "occurrence_required"),
    ({"occurrence": "DAY-14", "calls": -1}, "invalid_count"),
    ({"occurrence": "DAY-14", "sms": "5"}, "invalid_count"),
    ({"occurrence": "DAY-14", "letters": 2.5}, "invalid_count"),
    ({"occurrence": "DAY-14", "in_person": True}, "invalid_count"),
    ({"occurrence": "DAY-14", "missed_calls": 10**9}, "invalid_count"),
    ({"occurrence": "DAY-14", "notes": 5}, "invalid_field"),
])
def test_bad_feedback_is_a_clear_400_and_nothing_is_stored(runtime, setup, body, code) -> None:
    if "occurrence" in body and body["occurrence"].startswith("DAY"):
        days, _, time = body["occurrence"][3:].partition("T")
        body = {**body, "occurrence": local_dhaka(int(days))[:10] + (f"T{time}" if time else "")}
    r = setup["padma"].post(setup["url"], json=body)
    assert r.status_code == 400 and r.json["error"]["code"] == code, r.json
    assert _reports(runtime) == 0


def test_only_the_station_of_the_broadcast_producers_and_admins_report(runtime, setup, api_as) -> None:
    body = {"occurrence": local_dhaka(-14)[:10], "calls": 1}
    assert setup["jamuna"].post(setup["url"], json=body).status_code == 404  # reveals nothing
    assert api_as("researcher").post(setup["url"], json=body).status_code == 403
    assert api_as("admin").post(setup["url"], json=body).status_code == 201
    assert setup["padma"].post("/api/v1/broadcasts/" + "0" * 32 + "/feedback", json=body).status_code == 404
    setup["producer"].delete(setup["url"].removesuffix("/feedback"))
    cancelled = setup["padma"].post(setup["url"], json=body)
    assert cancelled.status_code == 409 and cancelled.json["error"]["code"] == "broadcast_cancelled"
    assert _reports(runtime) == 1


def test_a_correction_keeps_the_earlier_figures(setup) -> None:
    day = local_dhaka(-7)[:10]
    first = setup["padma"].post(setup["url"], json={"occurrence": day, "calls": 10, "sms": 2})
    second = setup["padma"].post(setup["url"], json={"occurrence": day, "calls": 12, "sms": 2})
    assert first.status_code == second.status_code == 201
    history = setup["padma"].get(setup["url"]).json["items"]
    assert [(h["calls"], h["current"]) for h in history] == [(12, True), (10, False)]
    summary = setup["producer"].get("/api/v1/feedback/summary?group_by=episode").json["items"]
    assert summary[0]["calls"] == 12 and summary[0]["occurrences"] == 1
    seq = setup["producer"].get(setup["url"].removesuffix("/feedback")).json["sequence"]
    assert seq == setup["series"]["sequence"] + 2  # every report changes the calendar event


def test_skipped_occurrences_take_no_feedback(setup) -> None:
    day = local_dhaka(-14)[:10]
    setup["producer"].delete(setup["url"].removesuffix("/feedback") + f"?occurrence={day}")
    r = setup["padma"].post(setup["url"], json={"occurrence": day, "calls": 1})
    assert r.status_code == 400 and r.json["error"]["code"] == "no_such_occurrence"


def test_summaries_by_station_episode_and_month_with_csv(runtime, setup, api_as) -> None:
    producer = setup["producer"]
    other = make_episode(runtime, title="অন্য প্রচারণা", campaign="other")
    one_off = producer.post("/api/v1/broadcasts", json={"station": "radio-jamuna", "episode_id": other,
                                                        "start": local_dhaka(-10, 9)}).json
    setup["padma"].post(setup["url"], json={"occurrence": local_dhaka(-21)[:10], "calls": 3, "sms": 1})
    setup["padma"].post(setup["url"], json={"occurrence": local_dhaka(-14)[:10], "calls": 5, "letters": 2})
    r = setup["jamuna"].post(f"/api/v1/broadcasts/{one_off['id']}/feedback", json={"in_person": 40})
    assert r.status_code == 201  # a one-off needs no occurrence
    by_station = producer.get("/api/v1/feedback/summary?group_by=station").json["items"]
    assert [(s["key"], s["occurrences"], s["calls"], s["in_person"], s["total"]) for s in by_station] == [
        ("radio-jamuna", 1, 0, 40, 40), ("radio-padma", 2, 8, 0, 11)]
    campaign = producer.get("/api/v1/feedback/summary?group_by=episode&campaign=safe-migration").json["items"]
    assert [(s["key"], s["label"], s["calls"]) for s in campaign] == [(setup["episode"], "সতর্ক থাকুন", 8)]
    months = producer.get("/api/v1/feedback/summary?group_by=month").json["items"]
    assert sum(m["total"] for m in months) == 51 and all(len(m["key"]) == 7 for m in months)
    narrow = producer.get(f"/api/v1/feedback/summary?from={local_dhaka(-14)[:10]}&to={local_dhaka(-1)[:10]}")
    assert sum(s["total"] for s in narrow.json["items"]) == 47
    own = setup["padma"].get("/api/v1/feedback/summary").json["items"]
    assert [s["key"] for s in own] == ["radio-padma"]
    assert setup["padma"].get("/api/v1/feedback/summary?station=radio-jamuna").status_code == 404
    exported = producer.get("/api/v1/feedback/summary?group_by=episode&format=csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["episode", "label", "occurrences", "calls", "sms", "missed_calls", "letters", "in_person",
                       "total"]
    assert {r[1] for r in rows[1:]} == {"সতর্ক থাকুন", "অন্য প্রচারণা"}
    for bad in ("group_by=weekday", "from=last-week"):
        r = producer.get(f"/api/v1/feedback/summary?{bad}")
        assert r.status_code == 400
