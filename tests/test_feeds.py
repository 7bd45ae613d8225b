"""Calendar and podcast feeds read by real clients: strict iCalendar parsing, expansion, feedparser, HTTP caching."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from schedule_helpers import (
    create_station,
    expand,
    feed_path,
    local_dhaka,
    make_episode,
    parse_strict,
    physical_lines,
)

from episodes.models import Episode
from radio.db import utcnow
from schedule.models import Broadcast


@pytest.fixture
def world(runtime, api_as):
    admin = api_as("admin")
    padma = create_station(admin, "radio-padma", name_bn="রেডিও পদ্মা", frequency="99.2 FM")
    jamuna = create_station(admin, "radio-jamuna", name_bn="রেডিও যমুনা", timezone="Asia/Kolkata")
    return {"admin": admin, "producer": api_as("producer"), "padma": padma, "jamuna": jamuna}


def _book(producer, station: str, episode: str, start: str, rrule: str | None = None) -> dict:
    body = {"station": station, "episode_id": episode, "start": start, **({"rrule": rrule} if rrule else {})}
    r = producer.post("/api/v1/broadcasts", json=body)
    assert r.status_code == 201, r.json
    return r.json


def test_calendar_headers_etag_and_304_without_rendering(runtime, world, client, monkeypatch) -> None:
    _book(world["producer"], "radio-padma", make_episode(runtime), local_dhaka(3))
    url = feed_path(world["padma"]["calendar_url"])
    r = client.get(url)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    etag = r.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/") and r.headers["Last-Modified"].endswith("GMT")
    assert "private" in r.headers["Cache-Control"]

    import web.feeds

    def boom(*args, **kwargs):
        raise AssertionError("the 304 path rendered the calendar")

    monkeypatch.setattr(web.feeds, "render_for_station", boom)
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304
    since = client.get(url, headers={"If-Modified-Since": r.headers["Last-Modified"]})
    assert since.status_code == 304
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 500  # it did render


def test_etag_follows_bookings_feedback_episode_edits_and_ageing(runtime, world, client, api_as) -> None:
    url = feed_path(world["padma"]["calendar_url"])
    tags = [client.get(url).headers["ETag"]]
    episode = make_episode(runtime)
    series = _book(world["producer"], "radio-padma", episode, local_dhaka(-14), "FREQ=WEEKLY;COUNT=4")
    tags.append(client.get(url).headers["ETag"])
    api_as("station", station="radio-padma").post(f"/api/v1/broadcasts/{series['id']}/feedback",
                                                   json={"occurrence": local_dhaka(-7)[:10], "calls": 3})
    tags.append(client.get(url).headers["ETag"])
    with runtime.session() as session:
        session.get(Episode, episode).title = "নতুন শিরোনাম"
    tags.append(client.get(url).headers["ETag"])
    assert "নতুন শিরোনাম" in client.get(url).get_data(as_text=True)
    _book(world["producer"], "radio-jamuna", episode, "2026-03-06T20:00")  # another station: no change here
    tags.append(client.get(url).headers["ETag"])
    world["producer"].delete(f"/api/v1/broadcasts/{series['id']}")
    tags.append(client.get(url).headers["ETag"])
    with runtime.session() as session:
        session.get(Broadcast, series["id"]).cancelled_at = utcnow() - dt.timedelta(days=31)
    tags.append(client.get(url).headers["ETag"])
    assert tags[4] == tags[3]
    assert len(set(tags)) == len(tags) - 1


def test_wrong_or_missing_tokens_get_the_same_404(world, client) -> None:
    good = feed_path(world["padma"]["calendar_url"])
    other_token = world["jamuna"]["calendar_url"].split("token=")[1]
    answers = [client.get(u) for u in (
        good.split("?")[0], good + "x", good.split("?")[0] + "?token=" + other_token,
        "/calendars/no-such-station.ics?token=" + other_token, "/calendars/radio-padma.ics?token=",
        feed_path(world["padma"]["podcast_url"]).replace("token=", "token=x"))]
    assert {a.status_code for a in answers} == {404}
    assert len({a.data for a in answers}) == 1 and b"padma" not in answers[0].data


def test_calendar_is_strict_rfc5545_with_timezones_and_safe_folding(runtime, world, client) -> None:
    long_title = "মানব পাচার প্রতিরোধে সচেতনতা: ঘরে ফেরার গল্প — ক্ষমা, দুঃখ আর স্বপ্ন (পর্ব ১২)"
    episode = make_episode(runtime, title=long_title, kind="drama")
    b = _book(world["producer"], "radio-padma", episode, "2026-03-06T20:00", "FREQ=WEEKLY;BYDAY=FR;COUNT=8")
    world["producer"].delete(f"/api/v1/broadcasts/{b['id']}?occurrence=2026-03-13")
    body = client.get(feed_path(world["padma"]["calendar_url"])).data
    cal = parse_strict(body)
    assert cal.prodid and [tz.tz_id for tz in cal.timezones] == ["Asia/Dhaka"]
    event = cal.events[0]
    assert event.summary == long_title and event.uid == b["uid"] and event.sequence == 1
    assert event.dtstamp == event.last_modified
    assert event.rrule is not None and len(event.exdate) == 1
    assert "ধরন / Kind: নাটক / drama" in event.description and "দৈর্ঘ্য / Duration: 15:00" in event.description
    assert "/feeds/radio-padma/audio/" in event.description and "token=" in event.url
    text = body.decode()
    for needle in ("NAME:রেডিও পদ্মা", "X-WR-CALNAME:রেডিও পদ্মা", "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
                   "X-PUBLISHED-TTL:PT1H", "DTSTART;TZID=Asia/Dhaka:20260306T200000", "X-RADIO-KIND:drama"):
        assert needle in text.replace("\r\n ", ""), needle
    for line in physical_lines(body):
        assert len(line) <= 75
        line.decode("utf-8")  # no UTF-8 character split across lines
        first = line[1:].decode()[:1] if line.startswith(b" ") else ""
        assert not first or first not in "ািীুূৃেৈোৌ্ঁংঃ়", line  # a sign never starts a continuation line
    occurrences = expand(body, dt.date(2026, 3, 1), dt.date(2026, 6, 1))
    assert [o["DTSTART"].dt.day for o in occurrences][:3] == [6, 20, 27] and len(occurrences) == 7


def test_restricted_episodes_never_appear_anywhere(runtime, world, client, api_as) -> None:
    shown, secret = make_episode(runtime, title="প্রকাশ্য"), make_episode(runtime, title="গোপন সাক্ষাৎকার")
    _book(world["producer"], "radio-padma", shown, "2026-03-06T20:00")
    series = _book(world["producer"], "radio-padma", shown, "2026-03-07T20:00", "FREQ=WEEKLY;COUNT=3")
    _book(world["producer"], "radio-padma", secret, "2026-03-08T20:00")
    world["producer"].patch(f"/api/v1/broadcasts/{series['id']}",
                            json={"occurrence": "2026-03-14", "episode_id": secret})
    with runtime.session() as session:
        session.get(Episode, secret).restricted = True
    urls = [feed_path(world["padma"]["calendar_url"]), feed_path(world["padma"]["podcast_url"])]
    for body in [client.get(u).data for u in urls] + [world["producer"].get("/api/v1/calendar.ics").data]:
        assert "গোপন".encode() not in body and secret.encode() not in body
    occurrences = expand(client.get(urls[0]).data, dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    assert [o["DTSTART"].dt.day for o in occurrences] == [6, 7, 21]  # the override became a gap
    token = urls[0].split("token=")[1]
    assert client.get(f"/feeds/radio-padma/audio/{secret}.mp3?token={token}").status_code == 404
    r = world["producer"].post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": secret,
                                                           "start": "2026-04-01T20:00"})
    assert r.status_code == 403


def test_cancelled_events_stay_thirty_days_then_drop(runtime, world, client) -> None:
    b = _book(world["producer"], "radio-padma", make_episode(runtime), "2026-03-06T20:00")
    world["producer"].delete(f"/api/v1/broadcasts/{b['id']}")
    url = feed_path(world["padma"]["calendar_url"])
    events = parse_strict(client.get(url).data).events
    assert [(e.status.value, e.sequence) for e in events] == [("CANCELLED", 1)]
    with runtime.session() as session:
        session.get(Broadcast, b["id"]).cancelled_at = utcnow() - dt.timedelta(days=31)
    assert parse_strict(client.get(url).data).events == []


def test_podcast_feed_with_enclosures_and_transcript_links(runtime, world, client, tmp_path) -> None:
    from transcripts.models import Segment, Transcript

    audio = tmp_path / "rendition.mp3"
    audio.write_bytes(b"ID3" + bytes(range(256)) * 40)
    sha, _ = runtime.store.put_file(audio, ".mp3")
    with_text = make_episode(runtime, title="ফোন নম্বর সহ", broadcast_sha256=sha, broadcast_size_bytes=10243)
    plain = make_episode(runtime, title="শুধু অডিও", language="en")
    _book(world["producer"], "radio-padma", with_text, local_dhaka(2))
    _book(world["producer"], "radio-padma", plain, local_dhaka(3), "FREQ=WEEKLY")
    _book(world["producer"], "radio-jamuna", make_episode(runtime, title="অন্য স্টেশন"), local_dhaka(2))
    with runtime.session() as session:
        t = Transcript(episode_id=with_text, audio_sha256=sha, model="tiny", model_sha256="0" * 64, params={},
                       language="bn", started_at=utcnow(), finished_at=utcnow())
        t.segments.append(Segment(episode_id=with_text, idx=0, start=0.0, end=2.5,
                                  text="যোগাযোগ করুন ০১৭১১-২৩৪৫৬৭ নম্বরে", machine_text="x"))
        session.add(t)
    r = client.get(feed_path(world["padma"]["podcast_url"]))
    assert r.status_code == 200 and r.mimetype == "application/rss+xml" and r.headers["ETag"]
    feed = feedparser.parse(r.data)
    assert not feed.bozo, feed.bozo_exception
    assert sorted(e.title for e in feed.entries) == ["ফোন নম্বর সহ", "শুধু অডিও"]
    item = next(e for e in feed.entries if e.title == "ফোন নম্বর সহ")
    enclosure = item.enclosures[0]
    assert enclosure.type == "audio/mpeg" and enclosure.length == "10243"
    assert client.get(feed_path(enclosure.href)).data == audio.read_bytes()
    assert item.podcast_transcript["type"] in ("text/vtt", "application/x-subrip")
    assert feed.feed.link == "http://127.0.0.1:5000"
    assert r.data.count(b"<podcast:transcript ") == 2 and b'xmlns:podcast="https://podcastindex.org/' in r.data
    vtt_url = next(p for p in r.data.decode().split('"') if ".vtt?token=" in p)
    vtt = client.get(feed_path(vtt_url.replace("&amp;", "&")))
    assert vtt.status_code == 200 and vtt.mimetype == "text/vtt" and vtt.data.startswith(b"WEBVTT")
    text = vtt.get_data(as_text=True)
    assert "যোগাযোগ করুন" in text and "২৩৪৫৬৭" not in text  # phone numbers redacted for stations
    srt = client.get(feed_path(vtt_url.replace(".vtt", ".srt")))
    assert srt.status_code == 200 and "-->" in srt.get_data(as_text=True)
    token = vtt_url.split("token=")[1]
    assert client.get(f"/feeds/radio-padma/transcripts/{plain}.vtt?token={token}").status_code == 404
    assert client.get(f"/feeds/radio-padma/transcripts/{with_text}.json?token={token}").status_code == 404


def test_audio_route_serves_ranges_only_for_booked_episodes(runtime, world, client, tmp_path) -> None:
    audio = tmp_path / "a.mp3"
    audio.write_bytes(bytes(range(200)))
    sha, _ = runtime.store.put_file(audio, ".mp3")
    booked, unbooked = make_episode(runtime, broadcast_sha256=sha), make_episode(runtime, broadcast_sha256=sha)
    _book(world["producer"], "radio-padma", booked, local_dhaka(1))
    token = world["padma"]["calendar_url"].split("token=")[1]
    r = client.get(f"/feeds/radio-padma/audio/{booked}.mp3?token={token}", headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.data == bytes(range(10, 20)) and r.mimetype == "audio/mpeg"
    assert client.get(f"/feeds/radio-padma/audio/{unbooked}.mp3?token={token}").status_code == 404
    assert client.get(f"/feeds/radio-jamuna/audio/{booked}.mp3?token={token}").status_code == 404
    jamuna_token = world["jamuna"]["calendar_url"].split("token=")[1]
    assert client.get(f"/feeds/radio-jamuna/audio/{booked}.mp3?token={jamuna_token}").status_code == 404


def test_campaign_calendar_is_for_producers(runtime, world, api_as) -> None:
    a = make_episode(runtime, campaign="safe-migration")
    b = make_episode(runtime, campaign="other", title="অন্য")
    _book(world["producer"], "radio-padma", a, "2026-03-06T20:00")
    _book(world["producer"], "radio-jamuna", a, "2026-03-06T20:00")
    _book(world["producer"], "radio-jamuna", b, "2026-03-07T20:00")
    r = world["producer"].get("/api/v1/calendar.ics?campaign=safe-migration")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    cal = parse_strict(r.data)
    assert sorted(tz.tz_id for tz in cal.timezones) == ["Asia/Dhaka", "Asia/Kolkata"]
    assert sorted(e.location for e in cal.events) == ["Radio Jamuna", "Radio Padma 99.2 FM"]
    assert api_as("station", station="radio-padma").get("/api/v1/calendar.ics").status_code == 403


def test_booked_episodes_cannot_be_deleted(runtime, world) -> None:
    episode = make_episode(runtime)
    b = _book(world["producer"], "radio-padma", episode, "2026-03-06T20:00")
    r = world["admin"].delete(f"/api/v1/episodes/{episode}")
    assert r.status_code == 409 and b["id"] in r.json["error"]["message"]
    with runtime.session() as session:
        assert session.get(Episode, episode) is not None


def test_done_when_two_stations_weekly_series_feedback_in_feeds_and_summaries(runtime, world, client,
                                                                               api_as) -> None:
    producer = world["producer"]
    episode = make_episode(runtime, title="নিরাপদ অভিবাসন — সাপ্তাহিক নাটক")
    padma = _book(producer, "radio-padma", episode, local_dhaka(-14), "FREQ=WEEKLY")
    jamuna = _book(producer, "radio-jamuna", episode, local_dhaka(-14, 19, 30), "FREQ=WEEKLY")
    padma_user, jamuna_user = api_as("station", station="radio-padma"), api_as("station", station="radio-jamuna")
    # Each station subscribes (the URL it sees in its own station record) and sees only its own series.
    padma_url = feed_path(padma_user.get("/api/v1/stations/radio-padma").json["calendar_url"])
    jamuna_url = feed_path(jamuna_user.get("/api/v1/stations/radio-jamuna").json["calendar_url"])
    padma_cal, jamuna_cal = parse_strict(client.get(padma_url).data), parse_strict(client.get(jamuna_url).data)
    assert [e.uid for e in padma_cal.events] == [padma["uid"]]
    assert [e.uid for e in jamuna_cal.events] == [jamuna["uid"]]
    # They report listener feedback for last week's airing.
    last_week = local_dhaka(-7)[:10]
    assert padma_user.post(f"/api/v1/broadcasts/{padma['id']}/feedback",
                           json={"occurrence": last_week, "calls": 14, "sms": 6, "missed_calls": 80,
                                 "letters": 2, "in_person": 35}).status_code == 201
    assert jamuna_user.post(f"/api/v1/broadcasts/{jamuna['id']}/feedback",
                            json={"occurrence": last_week, "calls": 3}).status_code == 201
    assert jamuna_user.post(f"/api/v1/broadcasts/{padma['id']}/feedback",
                            json={"occurrence": last_week, "calls": 999}).status_code == 404
    body = client.get(padma_url).data
    parse_strict(body)
    today = dt.date.today()
    aired = {o["DTSTART"].dt.date().isoformat(): o for o in expand(body, today - dt.timedelta(days=20), today)}
    reported = aired[last_week]
    assert str(reported["X-RADIO-FEEDBACK-CALLS"]) == "14" and str(reported["X-RADIO-FEEDBACK-MISSED-CALLS"]) == "80"
    assert str(reported["X-RADIO-FEEDBACK-IN-PERSON"]) == "35"
    assert "ফোন কল / Calls: 14" in str(reported["DESCRIPTION"])
    assert "X-RADIO-FEEDBACK-CALLS" not in aired[local_dhaka(-14)[:10]]
    summary = producer.get("/api/v1/feedback/summary?group_by=station").json["items"]
    assert [(s["key"], s["calls"], s["total"]) for s in summary] == [("radio-jamuna", 3, 3), ("radio-padma", 14, 137)]
    assert [s["key"] for s in padma_user.get("/api/v1/feedback/summary").json["items"]] == ["radio-padma"]


def test_etag_ignores_episodes_not_booked_on_the_station(runtime, world, client) -> None:
    booked, moved_to = make_episode(runtime, title="বুক করা"), make_episode(runtime, title="বদলি পর্ব")
    elsewhere = make_episode(runtime, title="অন্য স্টেশনে")
    series = _book(world["producer"], "radio-padma", booked, "2026-03-06T20:00", "FREQ=WEEKLY;COUNT=4")
    assert world["producer"].patch(f"/api/v1/broadcasts/{series['id']}",
                                   json={"occurrence": "2026-03-13", "episode_id": moved_to}).status_code == 200
    _book(world["producer"], "radio-jamuna", elsewhere, "2026-03-06T20:00")
    url = feed_path(world["padma"]["calendar_url"])
    tag = client.get(url).headers["ETag"]
    # Uploads, analysis progress and edits of episodes this station does not air: still a 304.
    unbooked = make_episode(runtime, title="নতুন আপলোড")
    with runtime.session() as session:
        session.get(Episode, unbooked).status = "analysing"
        session.get(Episode, elsewhere).title = "অন্য স্টেশনের নতুন নাম"
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    # A booked episode's title, or the episode an occurrence switched to: a new ETag and the new text.
    for episode, title in ((booked, "বুক করা — নতুন নাম"), (moved_to, "বদলি পর্ব — নতুন নাম")):
        with runtime.session() as session:
            session.get(Episode, episode).title = title
        r = client.get(url, headers={"If-None-Match": tag})
        assert r.status_code == 200 and r.headers["ETag"] != tag and title in r.get_data(as_text=True)
        tag = r.headers["ETag"]


def test_stored_event_blocks_are_reused_and_only_stale_ones_rendered(runtime, world, client, monkeypatch) -> None:
    import schedule.calendar_feed
    from schedule.models import CalendarFragment

    rendered: list[str] = []
    real = schedule.calendar_feed.render_event

    def counting(ev):
        rendered.append(ev.uid.split("@")[0])
        return real(ev)

    monkeypatch.setattr(schedule.calendar_feed, "render_event", counting)
    episode = make_episode(runtime, title="সংরক্ষিত অংশ")
    ids = [_book(world["producer"], "radio-padma", episode, f"2026-03-0{d}T20:00")["id"] for d in (6, 7, 8)]
    series = _book(world["producer"], "radio-padma", make_episode(runtime), "2026-03-09T08:00", "FREQ=DAILY;COUNT=3")
    url = feed_path(world["padma"]["calendar_url"])

    def render() -> bytes:
        rendered.clear()
        with client.get(url) as response:  # the server stores new blocks when it closes the response
            return response.data

    first = render()
    assert sorted(set(rendered)) == sorted([*ids, series["id"]])
    with runtime.session() as session:
        assert session.query(CalendarFragment).count() == 4
    assert render() == first and rendered == []  # a query and a concatenation: nothing rendered
    world["producer"].patch(f"/api/v1/broadcasts/{ids[1]}", json={"notes": "স্টুডিও বদল"})
    assert "স্টুডিও বদল" in render().decode().replace("\r\n ", "") and rendered == [ids[1]]
    # The fingerprint covers what a block shows, not only timestamps: a silent edit is still picked up.
    with runtime.engine.begin() as conn:
        conn.execute(Episode.__table__.update().where(Episode.id == episode).values(title="চুপচাপ বদল"))
    body = render().decode().replace("\r\n ", "")
    assert sorted(rendered) == sorted(ids) and "চুপচাপ বদল" in body and "সংরক্ষিত অংশ" not in body
    # The producers' calendar shares the blocks (same links); a rotated token renders every block anew.
    rendered.clear()
    assert world["producer"].get("/api/v1/calendar.ics?station=radio-padma").status_code == 200 and rendered == []
    assert world["admin"].post("/api/v1/stations/radio-padma/rotate-token").status_code == 200
    with runtime.session() as session:
        from schedule.models import Station
        from schedule.stations import feed_urls

        url = feed_path(feed_urls("http://x", runtime.secret_key,
                                  session.query(Station).filter_by(slug="radio-padma").one())["calendar_url"])
    body = render()
    assert len(set(rendered)) == 4 and parse_strict(body).events
    assert url.split("token=")[1].encode() in body and world["padma"]["calendar_url"].split("token=")[1].encode() \
        not in body


def test_podcast_etag_turns_with_transcripts_of_booked_episodes_only(runtime, world, client) -> None:
    from transcripts.models import Transcript

    booked, unbooked = make_episode(runtime), make_episode(runtime)
    _book(world["producer"], "radio-padma", booked, local_dhaka(2))
    url = feed_path(world["padma"]["podcast_url"])
    tag = client.get(url).headers["ETag"]

    def transcribe(episode: str) -> None:
        with runtime.session() as session:
            session.add(Transcript(episode_id=episode, audio_sha256="0" * 64, model="tiny", model_sha256="0" * 64,
                                   params={}, language="bn", started_at=utcnow(), finished_at=utcnow()))

    transcribe(unbooked)
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    transcribe(booked)
    r = client.get(url, headers={"If-None-Match": tag})
    assert r.status_code == 200 and r.headers["ETag"] != tag and b"<podcast:transcript " in r.data


def test_etag_catches_a_change_committed_after_a_later_stamped_one(runtime, world, client) -> None:
    episode = make_episode(runtime)
    early = _book(world["producer"], "radio-padma", episode, "2026-03-06T20:00")
    _book(world["producer"], "radio-padma", episode, "2026-03-07T20:00")  # the newest updated_at
    url = feed_path(world["padma"]["calendar_url"])
    tag = client.get(url).headers["ETag"]
    # Concurrent writers on PostgreSQL: a change stamped before the newest one, but committed after it.
    table = Broadcast.__table__
    with runtime.engine.begin() as conn:
        conn.execute(table.update().where(table.c.id == early["id"]).values(
            sequence=table.c.sequence + 1, notes="später", updated_at=utcnow() - dt.timedelta(hours=1)))
    r = client.get(url, headers={"If-None-Match": tag})
    assert r.status_code == 200 and "später" in r.get_data(as_text=True)


def test_every_change_of_a_stations_bookings_bumps_its_calendar_version(runtime, world, api_as) -> None:
    from schedule.models import Station

    def versions() -> tuple[int, int]:
        with runtime.session() as session:
            rows = dict(session.query(Station.slug, Station.calendar_version))
        return rows["radio-padma"], rows["radio-jamuna"]

    seen = [versions()]
    series = _book(world["producer"], "radio-padma", make_episode(runtime), local_dhaka(-14), "FREQ=WEEKLY;COUNT=4")
    seen.append(versions())
    world["producer"].patch(f"/api/v1/broadcasts/{series['id']}", json={"occurrence": local_dhaka(7)[:10],
                                                                         "notes": "অন্য সময়"})
    seen.append(versions())
    api_as("station", station="radio-padma").post(f"/api/v1/broadcasts/{series['id']}/feedback",
                                                   json={"occurrence": local_dhaka(-7)[:10], "calls": 2})
    seen.append(versions())
    world["producer"].delete(f"/api/v1/broadcasts/{series['id']}")
    seen.append(versions())
    padma = [p for p, _ in seen]
    assert padma == sorted(padma) and len(set(padma)) == len(padma)  # each step moved it
    assert {j for _, j in seen} == {0}  # the other station's calendar version never moved
