"""Schedule pages: week view, booking with conflicts, subscription link and QR code, station page, feedback."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from radio.db import utcnow
from schedule.models import Broadcast, FeedbackReport
from tests.ui_helpers import HTML, add_episode, login, page, post_form


def _week_of(day: dt.date) -> str:
    return (day - dt.timedelta(days=day.weekday())).isoformat()


def test_week_view_shows_the_subscription_link_and_qr(client, runtime, make_station) -> None:
    make_station("radio-padma", name_bn="রেডিও পদ্মা")
    login(client, runtime, "producer")
    html = page(client, "/schedule/radio-padma")
    webcal = re.search(r'href="(webcal://[^"]+)"', html).group(1)  # type: ignore[union-attr]
    assert "/calendars/radio-padma.ics?token=" in webcal
    assert '<svg role="img"' in html and "qrcode" in html and "<path" in html
    calendar = re.search(r'id="calendar-link"[^>]*>|href="(http[^"]+\.ics\?token=[^"]+)"', html)
    assert calendar
    assert "রেডিও পদ্মা" in page(client, "/schedule/radio-padma", lang="bn")
    assert html.count('class="day') == 7


def test_booking_appears_in_the_week_and_a_clash_lists_the_conflict(client, runtime, make_station) -> None:
    make_station("radio-padma")
    ep = add_episode(runtime, "Safe migration drama", ["x"], kind="drama", seconds=600)
    other = add_episode(runtime, "Jingle", ["y"], kind="jingle", seconds=60)
    login(client, runtime, "producer")
    day = (utcnow() + dt.timedelta(days=2)).date()
    start = f"{day.isoformat()}T20:00"
    r = post_form(client, "/schedule/radio-padma/book", {"episode_id": ep["id"], "start": start})
    assert r.status_code == 302, r.get_data(as_text=True)[:1000]
    html = page(client, f"/schedule/radio-padma?week={_week_of(day)}")
    assert "Safe migration drama" in html and "20:00–20:10" in html
    r = post_form(client, "/schedule/radio-padma/book", {"episode_id": other["id"], "start": f"{day}T20:05"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and 'id="conflicts"' in html and "Safe migration drama" in html
    assert 'value="' + f"{day}T20:05" + '"' in html  # the form keeps what was typed
    r = post_form(client, "/schedule/radio-padma/book", {"episode_id": other["id"], "start": f"{day}T20:05"},
                  lang="bn")
    assert "এই সময়টি এই স্টেশনের অন্য সম্প্রচারের সঙ্গে মিলে যাচ্ছে" in r.get_data(as_text=True)
    with runtime.session() as session:
        assert len(session.scalars(select(Broadcast)).all()) == 1


def test_booking_errors_name_their_field_and_series_repeat(client, runtime, make_station) -> None:
    make_station("radio-padma")
    ep = add_episode(runtime, "Talk", ["x"], kind="talk", seconds=300)
    secret = add_episode(runtime, "Survivor interview", ["x"], kind="interview", restricted=True, consent="none")
    login(client, runtime, "producer")
    r = post_form(client, "/schedule/radio-padma/book", {"episode_id": ep["id"], "start": "tomorrow"})
    assert r.status_code == 400 and 'id="start-error"' in r.get_data(as_text=True)
    r = post_form(client, "/schedule/radio-padma/book", {"episode_id": secret["id"], "start": "2030-01-01T10:00"})
    assert r.status_code == 403 and 'id="episode_id-error"' in r.get_data(as_text=True)
    html = page(client, "/schedule/radio-padma")
    assert "Survivor interview" not in html  # restricted episodes are not offered for booking
    r = post_form(client, "/schedule/radio-padma/book", {"episode_id": ep["id"], "start": "2030-01-07T09:00",
                                                         "repeat": "WEEKLY", "count": "4"})
    assert r.status_code == 302
    with runtime.session() as session:
        assert session.scalars(select(Broadcast)).one().rrule == "FREQ=WEEKLY;COUNT=4"
    assert page(client, "/schedule/radio-padma?week=2030-01-21").count("Talk") >= 1


def test_station_page_downloads_and_feedback(client, runtime, make_station, api_as) -> None:
    make_station("radio-padma")
    make_station("radio-meghna")
    ep = add_episode(runtime, "Awareness drama", ["x"], kind="drama", seconds=300)
    secret = add_episode(runtime, "Secret interview", ["x"], kind="interview", restricted=True, consent="none")
    producer = api_as("producer")
    yesterday = (utcnow() - dt.timedelta(days=1)).date()
    r = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": ep["id"],
                                                   "start": f"{yesterday}T10:00"})
    assert r.status_code == 201, r.json
    broadcast_id = r.json["id"]
    producer.post("/api/v1/broadcasts", json={"station": "radio-meghna", "episode_id": ep["id"],
                                              "start": f"{yesterday}T12:00"})
    login(client, runtime, "station", station="radio-padma")
    assert client.get("/", headers=HTML).headers["Location"].endswith("/station")
    html = page(client, f"/station?week={_week_of(yesterday)}")
    assert "Awareness drama" in html and "Secret interview" not in html
    assert f'/api/v1/episodes/{ep["id"]}/audio" download' in html and "webcal://" in html  # no rendition yet
    assert "12:00" not in html  # the other station's airing is not shown
    feedback_url = re.search(r'href="(/broadcasts/[^"]+/feedback\?occurrence=[^"]+)"', html).group(1)  # type: ignore
    form = page(client, feedback_url.replace("&amp;", "&"))
    assert 'for="calls"' in form and 'for="missed_calls"' in form
    r = post_form(client, f"/broadcasts/{broadcast_id}/feedback", {"occurrence": yesterday.isoformat(),
                                                                    "calls": "১২", "sms": "3", "missed_calls": "x"})
    assert r.status_code == 400 and 'id="missed_calls-error"' in r.get_data(as_text=True)
    r = post_form(client, f"/broadcasts/{broadcast_id}/feedback", {"occurrence": yesterday.isoformat(),
                                                                    "calls": "১২", "sms": "3", "missed_calls": "40"})
    assert r.status_code == 302
    with runtime.session() as session:
        report = session.scalars(select(FeedbackReport)).one()
        assert (report.calls, report.sms, report.missed_calls, report.letters) == (12, 3, 40, 0)
    assert "১২" in page(client, f"/broadcasts/{broadcast_id}/feedback", lang="bn")
    summary = page(client, "/feedback?group_by=episode")
    assert '<svg class="chart"' in summary and "Awareness drama" in summary and "<td>55</td>" in summary
    assert "/api/v1/feedback/summary?" in summary and "format=csv" in summary
    assert "<td>৫৫</td>" in page(client, "/feedback?group_by=month", lang="bn")
    assert client.get("/feedback?group_by=nonsense", headers=HTML).status_code == 400
    assert client.get("/schedule/radio-padma", headers=HTML).status_code == 403
    assert client.get(f"/episodes/{secret['id']}", headers=HTML).status_code == 403


def test_admin_adds_a_station_and_rotates_its_feed_links(client, runtime) -> None:
    login(client, runtime, "admin")
    r = post_form(client, "/admin/stations", {"slug": "Bad Slug", "name": "x"})
    assert r.status_code == 400 and 'id="slug-error"' in r.get_data(as_text=True)
    r = post_form(client, "/admin/stations", {"slug": "radio-sagor", "name": "Radio Sagor", "name_bn": "রেডিও সাগর",
                                              "district": "Manikganj", "timezone": "Asia/Dhaka"})
    assert r.status_code == 302
    html = page(client, "/admin/stations")
    old = re.search(r'href="webcal://[^"]*?(/calendars/radio-sagor\.ics\?token=[^"]+)"', html).group(1)  # type: ignore
    assert client.get(old.replace("&amp;", "&")).status_code == 200
    assert post_form(client, "/admin/stations/radio-sagor/rotate", {}).status_code == 302
    html = page(client, "/admin/stations")
    new = re.search(r'href="webcal://[^"]*?(/calendars/radio-sagor\.ics\?token=[^"]+)"', html).group(1)  # type: ignore
    assert new != old
    assert client.get(old.replace("&amp;", "&")).status_code == 404
    assert client.get(new.replace("&amp;", "&")).status_code == 200
