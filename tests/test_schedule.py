"""Stations and bookings through the API: feed tokens, recurrence, local times, overlaps and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from schedule_helpers import create_station, expand, feed_path, local_dhaka, make_episode, parse_strict
from sqlalchemy import func, select

from schedule.models import Broadcast, BroadcastOverride


@pytest.fixture
def admin(api_as):
    return api_as("admin")


@pytest.fixture
def producer(api_as):
    return api_as("producer")


@pytest.fixture
def padma(admin):
    return create_station(admin, "radio-padma", name_bn="রেডিও পদ্মা", district="Narsingdi", frequency="99.2 FM")


def _count(runtime, model=Broadcast) -> int:
    with runtime.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_station_is_created_with_a_secret_calendar_url(admin, producer, client) -> None:
    created = create_station(admin, "radio-meghna", name_bn="রেডিও মেঘনা", timezone="Asia/Dhaka")
    assert created["timezone"] == "Asia/Dhaka" and created["name_bn"] == "রেডিও মেঘনা"
    assert "/calendars/radio-meghna.ics?token=" in created["calendar_url"]
    assert created["webcal_url"].startswith("webcal://") and created["podcast_url"].endswith(
        created["calendar_url"].split("token=")[1])
    assert client.get(feed_path(created["calendar_url"])).status_code == 200
    r = producer.post("/api/v1/stations", json={"slug": "x-fm", "name": "X"})
    assert r.status_code == 403
    r = admin.post("/api/v1/stations", json={"slug": "radio-meghna", "name": "Again"})
    assert r.status_code == 409 and r.json["error"]["code"] == "station_exists"
    for bad, code in [({"slug": "Bad Slug", "name": "x"}, "invalid_slug"), ({"slug": "ok"}, "missing_field"),
                      ({"slug": "ok", "name": "x", "timezone": "Mars/Olympus"}, "invalid_timezone"),
                      ({"slug": "ok", "name": "x", "district": 5}, "invalid_field")]:
        r = admin.post("/api/v1/stations", json=bad)
        assert r.status_code == 400 and r.json["error"]["code"] == code, bad


def test_station_users_see_only_their_own_station(admin, api_as, padma) -> None:
    create_station(admin, "radio-jamuna")
    station_user = api_as("station", station="radio-jamuna")
    listed = station_user.get("/api/v1/stations").json["items"]
    assert [s["slug"] for s in listed] == ["radio-jamuna"]
    assert station_user.get("/api/v1/stations/radio-jamuna").status_code == 200
    r = station_user.get("/api/v1/stations/radio-padma")
    assert r.status_code == 404 and "token" not in r.get_data(as_text=True)
    assert len(api_as("producer").get("/api/v1/stations").json["items"]) == 2


def test_patch_station_and_rotate_token(admin, producer, client, padma) -> None:
    r = admin.patch("/api/v1/stations/radio-padma", json={"frequency": "99.4 FM", "timezone": "Asia/Kolkata"})
    assert r.status_code == 200 and r.json["frequency"] == "99.4 FM" and r.json["timezone"] == "Asia/Kolkata"
    assert admin.patch("/api/v1/stations/radio-padma", json={"slug": "new"}).status_code == 400
    old = feed_path(padma["calendar_url"])
    assert producer.post("/api/v1/stations/radio-padma/rotate-token").status_code == 403
    rotated = admin.post("/api/v1/stations/radio-padma/rotate-token")
    assert rotated.status_code == 200 and rotated.json["calendar_url"] != padma["calendar_url"]
    assert client.get(old).status_code == 404
    assert client.get(feed_path(padma["podcast_url"])).status_code == 404
    assert client.get(feed_path(rotated.json["calendar_url"])).status_code == 200


def test_one_off_in_station_local_time_ends_after_the_broadcast_duration(runtime, producer, padma) -> None:
    episode = make_episode(runtime, broadcast_duration_s=899.4)
    r = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                  "start": "2026-03-06T20:00", "notes": "প্রাইম টাইম"})
    assert r.status_code == 201, r.json
    assert r.json["start"] == "2026-03-06T14:00:00+00:00"  # Dhaka is UTC+6 all year
    assert r.json["local_start"] == "2026-03-06T20:00:00" and r.json["timezone"] == "Asia/Dhaka"
    assert r.json["end"] == "2026-03-06T14:15:00+00:00" and r.json["duration_s"] == 900
    with_offset = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                            "start": "2026-03-07T09:00:00Z"})
    assert with_offset.json["local_start"] == "2026-03-07T15:00:00"
    fallback = make_episode(runtime, broadcast_duration_s=None, duration_s=61.2)
    r = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": fallback,
                                                  "start": "2026-03-08T20:00"})
    assert r.json["duration_s"] == 62  # no broadcast rendition yet: the original's duration


def test_overlaps_on_one_station_are_refused_with_the_clashing_ids(runtime, admin, producer, padma) -> None:
    create_station(admin, "radio-jamuna")
    episode = make_episode(runtime)
    one_off = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                        "start": local_dhaka(30, 20, 10)}).json
    series = {"station": "radio-padma", "episode_id": episode, "start": local_dhaka(2), "rrule": "FREQ=WEEKLY"}
    r = producer.post("/api/v1/broadcasts", json=series)  # its fifth occurrence is 20:00-20:15 on day 30
    assert r.status_code == 409 and r.json["error"]["code"] == "conflict"
    assert r.json["error"]["conflicts"] == [one_off["id"]]
    assert r.json["error"]["clashes"][0]["broadcast_id"] == one_off["id"]
    assert producer.post("/api/v1/broadcasts", json={**series, "station": "radio-jamuna"}).status_code == 201
    back_to_back = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                             "start": local_dhaka(30, 20, 25)})
    assert back_to_back.status_code == 201  # 20:10-20:25 then 20:25: touching is not overlapping


def test_overlap_across_series_within_the_horizon(runtime, producer, padma) -> None:
    episode = make_episode(runtime)
    first = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                      "start": local_dhaka(1, 9), "rrule": "FREQ=DAILY;INTERVAL=5"})
    assert first.status_code == 201
    # A monthly series meets the every-5-days series only now and then; the clash is found months ahead.
    clash = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                      "start": local_dhaka(3, 9, 5), "rrule": "FREQ=WEEKLY"})
    assert clash.status_code == 409 and clash.json["error"]["conflicts"] == [first.json["id"]]
    far = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                    "start": local_dhaka(1 + 5 * 160, 9, 10)})
    assert far.status_code == 409  # 800 days ahead: an open-ended series is expanded wherever a booking lands
    fine = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                     "start": local_dhaka(2 + 5 * 160, 9, 10)})
    assert fine.status_code == 201
    assert _count(runtime) == 2


@pytest.mark.parametrize(("patch", "status", "code"), [
    ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, 400, "invalid_rrule"),
    ({"rrule": "FREQ=FORTNIGHTLY"}, 400, "invalid_rrule"),
    ({"rrule": "not a rule"}, 400, "invalid_rrule"),
    ({"rrule": "FREQ=WEEKLY;COUNT=3;UNTIL=20300101T000000Z"}, 400, "invalid_rrule"),
    ({"rrule": "FREQ=WEEKLY;INTERVAL=-1"}, 400, "invalid_rrule"),
    ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, 400, "invalid_rrule"),
    ({"rrule": "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=7"}, 400, "invalid_rrule"),
    ({"rrule": "FREQ=MINUTELY"}, 400, "invalid_rrule"),
    ({"rrule": "FREQ=HOURLY"}, 400, "invalid_rrule"),  # finer than daily
    ({"rrule": "FREQ=WEEKLY;BYDAY=MO", "start": "2026-03-06T20:00"}, 400, "start_not_in_rrule"),
    ({"rrule": 7}, 400, "invalid_rrule"),
    ({"start": "2026-03-06"}, 400, "invalid_start"),
    ({"start": "next friday"}, 400, "invalid_start"),
    ({"start": None}, 400, "invalid_start"),
    ({"station": "no-such-station"}, 404, "station_not_found"),
    ({"station": None}, 400, "missing_field"),
    ({"episode_id": "0" * 32}, 404, "episode_not_found"),
    ({"notes": ["x"]}, 400, "invalid_field"),
])
def test_bad_bookings_are_clear_4xx_and_write_nothing(runtime, producer, padma, patch, status, code) -> None:
    body = {"station": "radio-padma", "episode_id": make_episode(runtime), "start": "2026-03-06T20:00", **patch}
    r = producer.post("/api/v1/broadcasts", json=body)
    assert r.status_code == status and r.json["error"]["code"] == code, r.json
    assert _count(runtime) == 0


@pytest.mark.parametrize(("fields", "status", "code"), [
    ({"restricted": True}, 403, "episode_restricted"),
    ({"consent": "research_only"}, 403, "no_broadcast_consent"),
    ({"kind": "interview", "consent": "none"}, 403, "no_broadcast_consent"),
    ({"valid_until": dt.date(2026, 3, 1)}, 400, "episode_expired"),
    ({"status": "failed"}, 400, "episode_not_ready"),
    ({"duration_s": None, "broadcast_duration_s": None}, 400, "episode_not_ready"),
])
def test_episodes_that_may_not_air_cannot_be_booked(runtime, producer, padma, fields, status, code) -> None:
    episode = make_episode(runtime, **fields)
    r = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                  "start": "2026-03-06T20:00"})
    assert r.status_code == status and r.json["error"]["code"] == code
    assert _count(runtime) == 0


def test_validity_limits_series(runtime, producer, padma) -> None:
    episode = make_episode(runtime, valid_until=dt.date(2026, 4, 30))
    body = {"station": "radio-padma", "episode_id": episode, "start": "2026-03-06T20:00"}
    r = producer.post("/api/v1/broadcasts", json={**body, "rrule": "FREQ=WEEKLY"})
    assert r.status_code == 400 and r.json["error"]["code"] == "episode_expired"  # never-ending series
    r = producer.post("/api/v1/broadcasts", json={**body, "rrule": "FREQ=WEEKLY;COUNT=10"})
    assert r.status_code == 400 and "2026-04-30" in r.json["error"]["message"]
    r = producer.post("/api/v1/broadcasts", json={**body, "rrule": "FREQ=WEEKLY;UNTIL=20260430"})
    assert r.status_code == 201 and r.json["rrule"] == "FREQ=WEEKLY;UNTIL=20260430T175959Z"


def test_local_times_that_do_not_exist_or_happen_twice(runtime, admin, producer) -> None:
    create_station(admin, "wnyc-partner", timezone="America/New_York")
    episode = make_episode(runtime)
    body = {"station": "wnyc-partner", "episode_id": episode}
    gap = producer.post("/api/v1/broadcasts", json={**body, "start": "2026-03-08T02:30"})
    assert gap.status_code == 400 and gap.json["error"]["code"] == "nonexistent_local_time"
    twice = producer.post("/api/v1/broadcasts", json={**body, "start": "2026-11-01T01:30"})
    assert twice.status_code == 400 and twice.json["error"]["code"] == "ambiguous_local_time"
    explicit = producer.post("/api/v1/broadcasts", json={**body, "start": "2026-11-01T01:30-05:00"})
    assert explicit.status_code == 201 and explicit.json["start"] == "2026-11-01T06:30:00+00:00"
    assert _count(runtime) == 1


def test_weekly_series_keeps_its_local_hour_across_dst(runtime, admin, producer, client) -> None:
    station = create_station(admin, "wnyc-partner", timezone="America/New_York")
    episode = make_episode(runtime)
    r = producer.post("/api/v1/broadcasts", json={"station": "wnyc-partner", "episode_id": episode,
                                                  "start": "2026-02-27T20:00", "rrule": "FREQ=WEEKLY;COUNT=4"})
    assert r.status_code == 201
    occ = producer.get(f"/api/v1/broadcasts/{r.json['id']}?from=2026-02-20&to=2026-04-01").json["occurrences"]
    assert [o["local_start"][11:16] for o in occ] == ["20:00"] * 4
    assert [o["start"][11:13] for o in occ] == ["01", "01", "00", "00"]  # EST then EDT
    body = client.get(feed_path(station["calendar_url"])).data
    parse_strict(body)
    starts = [e["DTSTART"].dt for e in expand(body, dt.date(2026, 2, 1), dt.date(2026, 4, 1))]
    assert [(s.hour, s.utcoffset()) for s in starts] == [(20, dt.timedelta(hours=-5))] * 2 + [
        (20, dt.timedelta(hours=-4))] * 2


def test_change_move_skip_and_cancel(runtime, producer, padma, client) -> None:
    episode, other = make_episode(runtime), make_episode(runtime, title="অন্য পর্ব", kind="psa")
    b = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                  "start": "2026-03-06T20:00", "rrule": "FREQ=WEEKLY;COUNT=6"}).json
    url = f"/api/v1/broadcasts/{b['id']}"
    r = producer.patch(url, json={"notes": "নতুন নোট"})
    assert r.status_code == 200 and r.json["sequence"] == b["sequence"] + 1
    moved = producer.patch(url, json={"occurrence": "2026-03-13", "start": "2026-03-14T18:00", "episode_id": other})
    assert moved.status_code == 200, moved.json
    assert moved.json["overrides"][0]["occurrence"] == "2026-03-13T20:00:00"
    assert producer.delete(f"{url}?occurrence=2026-03-20").json["exdates"] == ["2026-03-20T20:00:00"]
    bad = producer.patch(url, json={"occurrence": "2026-03-21", "notes": "x"})
    assert bad.status_code == 400 and bad.json["error"]["code"] == "no_such_occurrence"
    body = client.get(feed_path(padma["calendar_url"])).data
    parse_strict(body)
    seen = [(e["DTSTART"].dt.strftime("%m-%d %H:%M"), str(e["SUMMARY"]))
            for e in expand(body, dt.date(2026, 3, 1), dt.date(2026, 5, 1))]
    assert seen == [("03-06 20:00", "ঘরে ফেরা — পর্ব ১"), ("03-14 18:00", "অন্য পর্ব"),
                    ("03-27 20:00", "ঘরে ফেরা — পর্ব ১"), ("04-03 20:00", "ঘরে ফেরা — পর্ব ১"),
                    ("04-10 20:00", "ঘরে ফেরা — পর্ব ১")]
    before = producer.get(url).json["sequence"]
    cancelled = producer.delete(url)
    assert cancelled.json["status"] == "cancelled" and cancelled.json["sequence"] > before
    assert producer.patch(url, json={"notes": "x"}).status_code == 409
    cal = parse_strict(client.get(feed_path(padma["calendar_url"])).data)
    assert {e.status.value for e in cal.events} == {"CANCELLED"}
    assert all(e.sequence == cancelled.json["sequence"] for e in cal.events)


def test_patch_rechecks_overlaps_and_prunes_stale_overrides(runtime, producer, padma) -> None:
    episode = make_episode(runtime)
    a = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                  "start": "2026-03-06T20:00", "rrule": "FREQ=WEEKLY"}).json
    b = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                  "start": "2026-03-07T20:00"}).json
    r = producer.patch(f"/api/v1/broadcasts/{b['id']}", json={"start": "2026-03-13T20:05"})
    assert r.status_code == 409 and r.json["error"]["conflicts"] == [a["id"]]
    assert producer.patch(f"/api/v1/broadcasts/{a['id']}", json={"occurrence": "2026-03-13",
                                                                 "start": "2026-03-13T21:00"}).status_code == 200
    clash = producer.patch(f"/api/v1/broadcasts/{a['id']}", json={"occurrence": "2026-03-20",
                                                                  "start": "2026-03-07T20:05"})
    assert clash.status_code == 409 and clash.json["error"]["conflicts"] == [b["id"]]
    r = producer.patch(f"/api/v1/broadcasts/{a['id']}", json={"rrule": "FREQ=WEEKLY;BYDAY=FR,SA"})
    assert r.status_code == 409  # Saturday 7 March now meets the one-off
    r = producer.patch(f"/api/v1/broadcasts/{a['id']}", json={"rrule": "FREQ=DAILY;INTERVAL=2;COUNT=5"})
    assert r.status_code == 200 and r.json["overrides"] == []  # 13 March is no longer an occurrence
    assert _count(runtime, BroadcastOverride) == 0


def test_past_bookings_are_allowed_and_station_users_cannot_book(runtime, producer, api_as, padma) -> None:
    episode = make_episode(runtime)
    r = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                  "start": "2024-01-05T20:00", "rrule": "FREQ=WEEKLY;COUNT=3"})
    assert r.status_code == 201
    station = api_as("station", station="radio-padma")
    assert station.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                    "start": "2024-02-05T20:00"}).status_code == 403
    assert station.get("/api/v1/broadcasts").json["total"] == 1


def test_listing_hides_other_stations_and_restricted_episodes(runtime, admin, producer, api_as, padma) -> None:
    create_station(admin, "radio-jamuna")
    shown, hidden = make_episode(runtime), make_episode(runtime)
    mine = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": shown,
                                                     "start": "2026-03-06T20:00"}).json
    later = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": hidden,
                                                      "start": "2026-03-07T20:00"}).json
    theirs = producer.post("/api/v1/broadcasts", json={"station": "radio-jamuna", "episode_id": shown,
                                                       "start": "2026-03-06T20:00"}).json
    with runtime.session() as session:
        from episodes.models import Episode

        session.get(Episode, hidden).restricted = True
    station = api_as("station", station="radio-padma")
    assert [b["id"] for b in station.get("/api/v1/broadcasts").json["items"]] == [mine["id"]]
    assert station.get(f"/api/v1/broadcasts/{theirs['id']}").status_code == 404
    assert station.get(f"/api/v1/broadcasts/{later['id']}").status_code == 404
    assert station.get("/api/v1/broadcasts?station=radio-jamuna").status_code == 404
    assert producer.get("/api/v1/broadcasts").json["total"] == 3


def test_cli_adds_stations_and_writes_calendars(runtime, tmp_path) -> None:
    from radio.cli import main

    runner = CliRunner()
    added = runner.invoke(main, ["stations", "add", "radio-sagor", "--name", "Radio Sagor",
                                 "--name-bn", "রেডিও সাগর"])
    assert added.exit_code == 0 and "/calendars/radio-sagor.ics?token=" in added.output
    episode = make_episode(runtime)
    from schedule.bookings import book_broadcast

    with runtime.session() as session:
        book_broadcast(session, {"station": "radio-sagor", "episode_id": episode, "start": "2026-03-06T20:00"})
    out = tmp_path / "sagor.ics"
    written = runner.invoke(main, ["calendar", "radio-sagor", "-o", str(out)])
    assert written.exit_code == 0, written.output
    cal = parse_strict(out.read_bytes())
    assert [e.summary for e in cal.events] == ["ঘরে ফেরা — পর্ব ১"]
    assert runner.invoke(main, ["calendar", "radio-sagor"]).output.startswith("BEGIN:VCALENDAR")
    missing = runner.invoke(main, ["calendar", "nowhere"])
    assert missing.exit_code == 1 and "no station" in missing.output
