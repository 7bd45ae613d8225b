"""Every 500 issue 13 found with ordinary bad input is now a 400 naming the field (regression tests)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from schedule_helpers import create_station, local_dhaka, make_episode, parse_strict
from sqlalchemy import func, select

from schedule.models import Broadcast


@pytest.fixture
def setup(runtime: Any, api_as: Any) -> dict[str, Any]:
    admin = api_as("admin")
    create_station(admin, "radio-padma")
    producer = api_as("producer")
    episode = make_episode(runtime)
    series = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                       "start": local_dhaka(-14), "rrule": "FREQ=WEEKLY;COUNT=4"})
    assert series.status_code == 201, series.json
    return {"admin": admin, "producer": producer, "episode": episode, "series": series.json,
            "station": api_as("station", station="radio-padma")}


def _error(response: Any, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert isinstance(body, dict) and "error" in body, body
    return body["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("start", ["0001-01-01T20:00", "9999-12-31T20:00", "1899-12-31T23:00", "2201-01-01T00:00"])
def test_booking_dates_outside_1900_2200_are_400_start(setup: dict[str, Any], start: str) -> None:
    r = setup["producer"].post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": setup["episode"],
                                                           "start": start})
    assert _error(r)["field"] == "start"


def test_far_future_bookings_beyond_the_horizon_are_refused(setup: dict[str, Any]) -> None:
    r = setup["producer"].post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": setup["episode"],
                                                           "start": "2199-06-01T20:00"})
    error = _error(r)
    assert error["field"] == "start" and error["code"] == "invalid_start"


@pytest.mark.parametrize("occurrence", ["0001-01-01", "9999-12-31", "10000-01-01"])
def test_occurrence_moves_feedback_and_skips_with_absurd_dates_are_400(setup: dict[str, Any], occurrence: str) -> None:
    url = f"/api/v1/broadcasts/{setup['series']['id']}"
    error = _error(setup["producer"].patch(url, json={"occurrence": occurrence, "start": local_dhaka(3)}))
    assert error["field"] == "occurrence"
    error = _error(setup["producer"].post(url + "/feedback", json={"occurrence": occurrence, "calls": 1}))
    assert error["field"] == "occurrence"
    error = _error(setup["producer"].delete(url + f"?occurrence={occurrence}"))
    assert error["field"] == "occurrence"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_summaries_and_week_pages_with_absurd_dates_are_400(setup: dict[str, Any], day: str) -> None:
    error = _error(setup["producer"].get(f"/api/v1/feedback/summary?from={day}"))
    assert error["field"] == "from"
    error = _error(setup["producer"].get(f"/api/v1/broadcasts?from={day}"))
    assert error["field"] == "from"
    for path in ("/schedule/radio-padma", "/station", "/feedback"):  # UI pages: a page saying so, not a 500
        assert setup["station" if path != "/schedule/radio-padma" else "producer"].get(
            f"{path}?week={day}").status_code in (200, 400, 403)


@pytest.mark.parametrize("query", ["page=100000000000000000000", "page=-1", "per_page=" + "9" * 5000,
                                   "page=1e3", "page=" + "1" * 5000])
def test_huge_and_malformed_page_numbers_are_400_page(setup: dict[str, Any], query: str) -> None:
    error = _error(setup["producer"].get(f"/api/v1/episodes?{query}"))
    assert error["field"] in ("page", "per_page")


def test_5000_digit_integers_and_nested_json_are_400(setup: dict[str, Any]) -> None:
    url = f"/api/v1/broadcasts/{setup['series']['id']}/feedback"
    huge = '{"occurrence": "' + local_dhaka(-14)[:10] + '", "calls": ' + "9" * 5000 + "}"
    error = _error(setup["producer"].post(url, data=huge, content_type="application/json"))
    assert error["code"] in ("malformed_json", "invalid_count")
    deep = "[" * 100_000 + "]" * 100_000
    error = _error(setup["producer"].post("/api/v1/broadcasts", data=deep, content_type="application/json"))
    assert error["code"] == "too_deep"
    nested = json.dumps({"station": "radio-padma", "notes": json.loads("[" * 40 + "]" * 40)})
    assert _error(setup["producer"].post("/api/v1/broadcasts", data=nested,
                                         content_type="application/json"))["code"] == "too_deep"


def test_json_bodies_over_the_size_limit_are_413(setup: dict[str, Any]) -> None:
    big = json.dumps({"name": "x", "description": "y" * (2 * 1024 * 1024)})
    error = _error(setup["admin"].post("/api/v1/codes", data=big, content_type="application/json"), 413)
    assert error["code"] == "too_large"


@pytest.mark.parametrize(("body", "field"), [
    ({"station": 5}, "station"), ({"station": "radio-padma", "episode_id": 7}, "episode_id"),
    ({"station": ["radio-padma"]}, "station"), ({"station": "radio-padma", "notes": 1.5}, "notes"),
])
def test_a_number_where_a_string_belongs_is_400_with_the_field(setup: dict[str, Any], body: dict[str, Any],
                                                               field: str) -> None:
    full = {"station": "radio-padma", "episode_id": setup["episode"], "start": local_dhaka(5), **body}
    assert _error(setup["producer"].post("/api/v1/broadcasts", json=full))["field"] == field


def test_render_only_no_is_not_true(setup: dict[str, Any]) -> None:
    r = setup["producer"].post(f"/api/v1/episodes/{setup['episode']}/analyse", json={"render_only": "no"})
    assert _error(r)["field"] == "render_only"


@pytest.mark.parametrize("bad", ["\x0c", "\x00", "\x1b[31m", "\x7f", "a\u2028b"])
def test_control_characters_in_notes_and_names_are_refused(setup: dict[str, Any], runtime: Any, bad: str) -> None:
    before = _count(runtime)
    r = setup["producer"].post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": setup["episode"],
                                                           "start": local_dhaka(9), "notes": f"call {bad} us"})
    assert _error(r)["field"] == "notes"
    assert _count(runtime) == before
    assert _error(setup["admin"].patch("/api/v1/stations/radio-padma", json={"name": f"Pad{bad}ma"}))["field"] == "name"


def test_multi_line_notes_keep_tabs_and_newlines_and_the_calendar_stays_strict(setup: dict[str, Any],
                                                                              client: Any) -> None:
    notes = "line one\n\tline two; with, commas\\ and a backslash\r\nline three"
    r = setup["producer"].post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": setup["episode"],
                                                           "start": local_dhaka(11), "notes": notes})
    assert r.status_code == 201, r.json
    station = setup["admin"].get("/api/v1/stations/radio-padma").json
    body = client.get("/" + station["calendar_url"].split("://", 1)[1].split("/", 1)[1]).data
    calendar = parse_strict(body)  # the strict parser accepts the whole calendar
    described = [e.description for e in calendar.events if e.description and "line two" in e.description]
    assert described and "line one" in described[0] and "line three" in described[0]


@pytest.mark.parametrize("title", ["\u200b\u200b", "\u200c\u200d\ufeff", " \u2060 ", "\u00ad"])
def test_text_made_only_of_invisible_characters_counts_as_empty(setup: dict[str, Any], title: str) -> None:
    r = setup["producer"].patch(f"/api/v1/episodes/{setup['episode']}", json={"title": title})
    error = _error(r)
    assert error["field"] == "title" and error["code"] == "missing_field"
    r = setup["admin"].post("/api/v1/stations", json={"slug": "radio-x", "name": title})
    assert _error(r)["field"] == "name"


def test_bangla_joiners_inside_words_are_kept(setup: dict[str, Any]) -> None:
    title = "র\u200dযাব"  # ZWJ between letters is meaningful in Bangla: kept, and the title is not empty
    r = setup["producer"].patch(f"/api/v1/episodes/{setup['episode']}", json={"title": title})
    assert r.status_code == 200 and r.json["title"] == title


def _count(runtime: Any) -> int:
    with runtime.session() as session:
        return int(session.scalar(select(func.count()).select_from(Broadcast)) or 0)


@pytest.mark.parametrize(("rrule", "code", "words"), [
    ("RRULE:FREQ=DAILY;UNTIL=99991231", "invalid_rrule", "years ahead"),
    ("FREQ=HOURLY", "invalid_rrule", "finer than daily"),
    ("FREQ=MINUTELY;COUNT=3", "invalid_rrule", "finer than daily"),
    ("FREQ=DAILY;UNTIL=20200101", "until_before_start", "before the start"),
    ("FREQ=DAILY;BYHOUR=1,2,3,4,5,6,7,8;BYMINUTE=0,10,20,30,40,50", "too_many_occurrences", "more than 5000"),
])
def test_rrule_limits_are_checked_before_expanding(setup: dict[str, Any], rrule: str, code: str,
                                                   words: str) -> None:
    import threading
    import time

    threads = threading.active_count()
    started = time.monotonic()
    r = setup["producer"].post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": setup["episode"],
                                                           "start": local_dhaka(3), "rrule": rrule})
    error = _error(r)
    assert error["code"] == code and words in error["message"] and error["field"] == "rrule"
    assert time.monotonic() - started < 1.5  # refused from the rule's parts, not after a 2 s search
    assert threading.active_count() == threads  # and nothing keeps computing in the background


def test_a_rule_that_never_matches_stops_within_its_budget_in_the_request_thread(setup: dict[str, Any]) -> None:
    import threading

    threads = threading.active_count()
    monday = local_dhaka(3)  # FREQ=DAILY;INTERVAL=7 from any day only ever lands on that weekday
    import datetime as dt
    other = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][(dt.date.fromisoformat(monday[:10]).weekday() + 1) % 7]
    body = {"station": "radio-padma", "episode_id": setup["episode"], "start": monday,
            "rrule": f"FREQ=DAILY;INTERVAL=7;BYDAY={other}"}
    r = setup["producer"].post("/api/v1/broadcasts", json=body)
    assert _error(r)["code"] == "invalid_rrule"
    assert threading.active_count() == threads



def test_a_control_character_in_the_library_query_is_a_400_naming_q(setup: dict[str, Any]) -> None:
    """Found by the API fuzz on PostgreSQL: a NUL in ``q`` reached the database inside a LIKE pattern (500)."""
    error = _error(setup["producer"].get("/api/v1/episodes?q=ab%00c"))
    assert "q" in str(error), error
