"""Inbound SMS and missed calls: signed as each provider signs, counted once, attributed to what was on air."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import uuid
import zipfile

import icalendar
import pytest
from schedule_helpers import create_station, feed_path, make_episode
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from radio.models import AuditEntry
from schedule.airings import confirm_airing
from schedule.inbound import GatewayMessage, receive_message
from schedule.models import AiringReport, Broadcast, FeedbackReport, InboundMessage, Station
from web import sms_hooks

PUBLIC = "https://radio.example.org"
DHAKA = dt.timezone(dt.timedelta(hours=6))


@pytest.fixture
def settings_overrides():
    return {"RADIO_PUBLIC_URL": PUBLIC}


@pytest.fixture
def gw(runtime, api_as, client):
    admin = api_as("admin")
    create_station(admin, "radio-padma")
    create_station(admin, "radio-jamuna")
    secret = admin.post("/api/v1/stations/radio-padma/webhook-secret")
    assert secret.status_code == 201, secret.json
    assert secret.json["webhook_url"] == f"{PUBLIC}/hooks/sms/radio-padma"
    return {"admin": admin, "producer": api_as("producer"), "secret": secret.json["secret"], "client": client}


def send_json(client, secret: str, body: dict | bytes, slug: str = "radio-padma", signature: str | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    sig = signature if signature is not None else "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(f"/hooks/sms/{slug}", data=raw, content_type="application/json",
                       headers={"X-Radio-Signature": sig})


def message(text: str = "খুব ভালো অনুষ্ঠান", at: dt.datetime | None = None, **extra) -> dict:
    body = {"id": uuid.uuid4().hex, "from": "+8801711000000", "to": "+8809600000000", "kind": "sms", "text": text}
    if at is not None:
        body["received_at"] = at.isoformat()
    return {**body, **extra}


def _messages(runtime) -> list[InboundMessage]:
    with runtime.session() as session:
        rows = list(session.scalars(select(InboundMessage).order_by(InboundMessage.at)))
        session.expunge_all()
        return rows


def _book(gw, runtime, start: str, **extra) -> str:
    episode = make_episode(runtime)
    r = gw["producer"].post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                        "start": start, **extra})
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_a_signed_json_message_is_stored_once_and_a_bad_signature_stores_nothing(runtime, gw) -> None:
    c, secret = gw["client"], gw["secret"]
    body = message()
    first = send_json(c, secret, body)
    assert first.status_code == 200 and first.json["status"] == "accepted", first.json
    replay = send_json(c, secret, body)
    assert replay.status_code == 200 and replay.json["status"] == "replay" and replay.json["id"] == first.json["id"]
    assert send_json(c, secret, message(), signature="sha256=" + "0" * 64).status_code == 403
    assert send_json(c, secret, message(), signature="").status_code == 403
    assert send_json(c, "another-secret", message()).status_code == 403
    assert send_json(c, secret, message(), slug="radio-jamuna").status_code == 403  # no secret issued there
    assert send_json(c, secret, message(), slug="no-such-station").status_code == 403
    tampered = json.dumps(message()).encode()
    sig = "sha256=" + hmac.new(secret.encode(), tampered, hashlib.sha256).hexdigest()
    assert send_json(c, secret, tampered.replace(b"+880", b"+881"), signature=sig).status_code == 403
    assert len(_messages(runtime)) == 1
    rotated = gw["admin"].post("/api/v1/stations/radio-padma/webhook-secret").json["secret"]
    assert send_json(c, secret, message()).status_code == 403  # the old secret stops at once
    assert send_json(c, rotated, message()).status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({"from": "+8801711000000", "text": "x"}, "id"),
    ({"id": "a", "text": "x"}, "from"),
    ({"id": "a", "from": "1", "kind": "fax"}, "kind"),
    ({"id": "a", "from": "1", "received_at": "yesterday"}, "received_at"),
    ({"id": "a", "from": "1", "received_at": "2026-03-01T10:00"}, "received_at"),  # no offset
    ({"id": "x" * 101, "from": "1"}, "id"),
    ({"id": "a", "from": "1", "text": 5}, "text"),
])
def test_malformed_signed_json_is_400_naming_the_field(runtime, gw, body, field) -> None:
    r = send_json(gw["client"], gw["secret"], body)
    assert r.status_code == 400 and r.json["error"]["field"] == field, r.json
    assert send_json(gw["client"], gw["secret"], b"[1, 2").status_code == 400
    assert _messages(runtime) == []


def test_twilio_sms_and_calls_verified_with_twilio_s_validator(runtime, gw) -> None:
    assert gw["admin"].patch("/api/v1/stations/radio-padma", json={"gateway": "twilio"}).json["gateway"] == "twilio"
    bad = gw["admin"].patch("/api/v1/stations/radio-padma", json={"gateway": "carrier-pigeon"})
    assert bad.status_code == 400 and bad.json["error"]["field"] == "gateway"
    url = f"{PUBLIC}/hooks/sms/radio-padma"
    validator = RequestValidator(gw["secret"])
    sms = {"MessageSid": "SM" + "a" * 32, "AccountSid": "AC" + "b" * 32, "From": "+8801711000001",
           "To": "+8809600000000", "Body": "ভালো লেগেছে", "NumMedia": "0"}
    call = {"CallSid": "CA" + "c" * 32, "AccountSid": "AC" + "b" * 32, "From": "+8801711000002",
            "To": "+8809600000000", "CallStatus": "no-answer", "Direction": "inbound"}
    c = gw["client"]
    for params in (sms, call, sms):
        r = c.post("/hooks/sms/radio-padma", data=params,
                   headers={"X-Twilio-Signature": validator.compute_signature(url, params)})
        assert r.status_code == 200 and r.mimetype == "text/xml" and b"<Response>" in r.data
    wrong_url = validator.compute_signature("http://127.0.0.1:5000/hooks/sms/radio-padma", sms)
    assert c.post("/hooks/sms/radio-padma", data={**sms, "MessageSid": "SM2"},
                  headers={"X-Twilio-Signature": wrong_url}).status_code == 403
    changed = {**sms, "Body": "changed"}
    assert c.post("/hooks/sms/radio-padma", data=changed,
                  headers={"X-Twilio-Signature": validator.compute_signature(url, sms)}).status_code == 403
    json_signed = send_json(c, gw["secret"], message())  # the station expects Twilio now
    assert json_signed.status_code == 403
    kinds = sorted((m.provider, m.kind, m.text) for m in _messages(runtime))
    assert kinds == [("twilio", "missed_call", ""), ("twilio", "sms", "ভালো লেগেছে")]


def test_aired_code_confirms_only_the_station_s_own_past_airing(runtime, gw) -> None:
    now = dt.datetime.now(DHAKA)
    past = _book(gw, runtime, (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    future = _book(gw, runtime, (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    ep = make_episode(runtime)
    other = gw["producer"].post("/api/v1/broadcasts", json={"station": "radio-jamuna", "episode_id": ep,
                                                            "start": (now - dt.timedelta(days=1)).isoformat()})
    codes = {i["broadcast_id"]: i["code"] for i in gw["producer"].get("/api/v1/airings").json["items"]}
    c, secret = gw["client"], gw["secret"]
    code = codes[past]
    r = send_json(c, secret, message(f"  aired {code[:3].lower()}-{code[3:]} "))
    assert r.status_code == 200 and r.json["purpose"] == "confirmation"
    for text in (f"AIRED {codes[future]}", f"AIRED {codes[other.json['id']]}", "AIRED XXXXXX"):
        assert send_json(c, secret, message(text)).json["purpose"] == "unknown_code"
    with runtime.session() as session:
        reports = [(a.broadcast_id, a.status, a.via, a.confirmed_by) for a in session.scalars(select(AiringReport))]
    assert reports == [(past, "aired", "sms", None)]
    with runtime.session() as session:  # in the audit trail, named by the station's gateway; a replay adds nothing
        send_json(c, secret, message(f"AIRED {code}"))
        trail = [(e.action, e.actor, e.subject_id.split("/")[0], json.loads(e.details)["via"])
                 for e in session.scalars(select(AuditEntry).where(AuditEntry.action.startswith("airing.")))]
    assert trail == [("airing.confirmed", "sms:radio-padma", past, "sms")]
    listed = {i["broadcast_id"]: i for i in gw["producer"].get("/api/v1/airings").json["items"]}
    assert listed[past]["status"] == "aired" and listed[past]["via"] == "sms"
    assert listed[future]["status"] == "unconfirmed"


def _receive(runtime, text: str, at: dt.datetime, arrival_delay: dt.timedelta = dt.timedelta(minutes=1)):
    """A message through the service at a fixed arrival time (the HTTP path is covered above)."""
    with runtime.session() as session:
        station = session.scalar(select(Station).where(Station.slug == "radio-padma"))
        row, _new = receive_message(session, station, GatewayMessage("json", uuid.uuid4().hex, "sms", "+880171", text,
                                                                     at), runtime.secret_key,
                                    window_h=runtime.settings.feedback_window_h, now=at + arrival_delay)
        return row.broadcast_id, row.local_day


def test_feedback_goes_to_the_airing_on_air_or_within_the_window_across_midnight(runtime, gw) -> None:
    day = dt.date(2026, 3, 2)
    late = _book(gw, runtime, f"{day}T23:30")  # 15 minutes, ends 23:45 Dhaka (17:45 UTC)
    end = dt.datetime.combine(day, dt.time(23, 45), DHAKA)
    next_day = (day + dt.timedelta(days=1)).isoformat()
    assert _receive(runtime, "during", end - dt.timedelta(minutes=5)) == (late, day.isoformat())
    assert _receive(runtime, "after midnight", end + dt.timedelta(hours=1, minutes=59)) == (late, next_day)
    # Nothing aired: the station's day in its own time zone (01:46 in Dhaka is still the previous day in UTC).
    past = end + dt.timedelta(hours=2, minutes=1)
    assert _receive(runtime, "past the window", past) == (None, next_day)
    assert past.astimezone(dt.UTC).date() == day
    assert _receive(runtime, "before it", dt.datetime.combine(day, dt.time(23, 29), DHAKA)) == (None, day.isoformat())
    # Via the provider's clock, not the arrival: a message delivered 20 hours late still counts for the airing.
    assert _receive(runtime, "delivered late", end, dt.timedelta(hours=20)) == (late, day.isoformat())
    # Two airings an hour apart: a reply after the second counts for the second.
    second = _book(gw, runtime, f"{day}T23:50")
    assert _receive(runtime, "after both", end + dt.timedelta(minutes=30)) == (second, next_day)


@pytest.mark.parametrize("settings_overrides", [{"RADIO_PUBLIC_URL": PUBLIC, "RADIO_FEEDBACK_WINDOW_H": "0.5"}])
def test_the_window_is_a_setting(runtime, gw) -> None:
    booked = _book(gw, runtime, "2026-03-02T20:00")
    end = dt.datetime(2026, 3, 2, 20, 15, tzinfo=DHAKA)
    assert _receive(runtime, "in", end + dt.timedelta(minutes=29))[0] == booked
    assert _receive(runtime, "out", end + dt.timedelta(minutes=31))[0] is None


def test_provider_time_is_trusted_only_within_a_day_of_arrival(runtime, gw) -> None:
    now = dt.datetime.now(dt.UTC)
    send_json(gw["client"], gw["secret"], message("recent", at=now - dt.timedelta(hours=23)))
    send_json(gw["client"], gw["secret"], message("stale", at=now - dt.timedelta(days=3)))
    send_json(gw["client"], gw["secret"], message("future", at=now + dt.timedelta(days=3)))
    rows = {m.text: m.at for m in _messages(runtime)}
    assert abs(rows["recent"] - (now - dt.timedelta(hours=23))) < dt.timedelta(seconds=2)
    assert abs(rows["stale"] - now) < dt.timedelta(minutes=1) and abs(rows["future"] - now) < dt.timedelta(minutes=1)


def test_senders_are_only_hashed_and_text_is_evidence(runtime, gw, api_as) -> None:
    c, secret = gw["client"], gw["secret"]
    send_json(c, secret, message("আমার নম্বর ০১৭১১২২২৩৩৩, ফোন দিন\x00\x1b[31m\u202e", **{"from": "+8801711222333"}))
    send_json(c, secret, message("আবার", **{"from": "+880 1711-222333"}))
    send_json(c, secret, message("অন্য", **{"from": "+8801999888777"}))
    rows = _messages(runtime)
    assert len({m.sender_hash for m in rows}) == 2
    assert all("1711222333" not in m.sender_hash and len(m.sender_hash) == 64 for m in rows)
    first = next(m for m in rows if m.text.startswith("আমার"))
    assert "\x00" not in first.text and "\x1b" not in first.text and "\u202e" not in first.text
    url = "/api/v1/stations/radio-padma/messages"
    researcher = api_as("researcher").get(url).json["items"]
    admin = gw["admin"].get(url).json["items"]
    assert "০১৭১১২২২৩৩৩" not in json.dumps(researcher, ensure_ascii=False)
    assert any("০১৭১১২২২৩৩৩" in i["text"] for i in admin)
    assert gw["producer"].get(url).status_code == 403
    assert api_as("station", station="radio-padma").get(url).status_code == 403


def test_floods_and_oversized_bodies_are_refused(runtime, gw, monkeypatch) -> None:
    c, secret = gw["client"], gw["secret"]
    big = message("x" * (70 * 1024))
    assert send_json(c, secret, big).status_code == 413
    monkeypatch.setattr(sms_hooks, "RATE_LIMIT", 4)  # the refused big body counted too
    answers = [send_json(c, secret, message()).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    flooded = send_json(c, secret, message())
    assert 55 <= int(flooded.headers["Retry-After"]) <= 60
    assert len(_messages(runtime)) == 3


def test_two_web_processes_share_one_station_limit(runtime, gw, monkeypatch, tmp_path) -> None:
    from tests.ui_helpers import second_runtime
    from web import create_app

    other = second_runtime(runtime, tmp_path / "home-b", RADIO_PUBLIC_URL=PUBLIC)
    try:
        second = create_app({"TESTING": True}, runtime=other).test_client()
        monkeypatch.setattr(sms_hooks, "RATE_LIMIT", 3)
        first, secret = gw["client"], gw["secret"]
        answers = [send_json(c, secret, message()).status_code for c in (first, second, first, second)]
        assert answers == [200, 200, 200, 429]  # the 4th message in a minute, whichever process takes it
        assert send_json(first, secret, message(), slug="radio-jamuna").status_code == 403  # another station's count
    finally:
        other.close()
    assert len(_messages(runtime)) == 3


def test_gateway_counts_flow_into_summaries_and_the_calendar_apart_from_entered_ones(runtime, gw) -> None:
    now = dt.datetime.now(DHAKA)
    start = (now - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    booked = _book(gw, runtime, start.strftime("%Y-%m-%dT%H:%M"))
    assert gw["producer"].post(f"/api/v1/broadcasts/{booked}/feedback", json={"sms": 2, "calls": 1}).status_code == 201
    calendar = feed_path(gw["producer"].get("/api/v1/stations/radio-padma").json["calendar_url"])
    before = gw["client"].get(calendar)
    assert b"X-RADIO-FEEDBACK-SMS:2" in before.data
    c, secret = gw["client"], gw["secret"]
    for _ in range(3):
        send_json(c, secret, message(at=start + dt.timedelta(minutes=10)))
    send_json(c, secret, message(kind="missed_call", at=start + dt.timedelta(minutes=12)))
    send_json(c, secret, message("আগে", at=start - dt.timedelta(hours=3)))  # nothing on air: station and day
    after = gw["client"].get(calendar, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert b"X-RADIO-FEEDBACK-SMS:5" in after.data and b"X-RADIO-FEEDBACK-MISSED-CALLS:1" in after.data
    summary = gw["producer"].get("/api/v1/feedback/summary", query_string={"group_by": "station"}).json["items"]
    assert len(summary) == 1
    row = summary[0]
    assert row["feedback"]["sms"] == 6 and row["sms"] == 6 and row["missed_calls"] == 1 and row["calls"] == 1
    assert row["feedback_by_source"]["entered"] == {"calls": 1, "sms": 2, "missed_calls": 0, "letters": 0,
                                                    "in_person": 0}
    gateway = row["feedback_by_source"]["gateway"]
    assert gateway["sms"] == 4 and gateway["missed_calls"] == 1
    by_episode = gw["producer"].get("/api/v1/feedback/summary", query_string={"group_by": "episode"}).json["items"]
    assert {r["key"]: r["feedback_by_source"]["gateway"]["sms"] for r in by_episode}[""] == 1
    jamuna = gw["producer"].get("/api/v1/feedback/summary", query_string={"station": "radio-jamuna"}).json["items"]
    assert jamuna == []


def _receive_at(runtime, slug: str, at: dt.datetime, kind: str = "sms") -> tuple[str | None, str]:
    with runtime.session() as session:
        station = session.scalar(select(Station).where(Station.slug == slug))
        row, _new = receive_message(session, station, GatewayMessage("json", uuid.uuid4().hex, kind, "+4479", "",
                                                                     at), runtime.secret_key,
                                    window_h=runtime.settings.feedback_window_h, now=at + dt.timedelta(minutes=1))
        return row.broadcast_id, row.local_day


def test_attribution_follows_the_station_s_own_time_zone_across_a_dst_change(runtime, gw) -> None:
    create_station(gw["admin"], "betar-london", timezone="Europe/London")
    episode = make_episode(runtime)
    series = gw["producer"].post("/api/v1/broadcasts", json={
        "station": "betar-london", "episode_id": episode, "start": "2026-03-21T23:30",
        "rrule": "FREQ=WEEKLY;COUNT=3"})  # Saturdays 23:30 London: GMT, GMT (the night clocks go forward), BST
    assert series.status_code == 201, series.json
    sid = series.json["id"]
    utc = dt.UTC
    # 28 March 23:30 GMT airing ends 23:45 UTC; clocks jump 01:00 → 02:00 that night. 01:40 UTC is 02:40 BST on
    # the 29th: 1 h 55 min after the end, within the 2-hour window, and on the station's next day.
    assert _receive_at(runtime, "betar-london", dt.datetime(2026, 3, 29, 1, 40, tzinfo=utc)) == (sid, "2026-03-29")
    assert _receive_at(runtime, "betar-london", dt.datetime(2026, 3, 29, 1, 50, tzinfo=utc)) == (None, "2026-03-29")
    # After the change the same wall time is an hour earlier in UTC: 4 April 23:30 BST = 22:30 UTC.
    assert _receive_at(runtime, "betar-london", dt.datetime(2026, 4, 4, 22, 35, tzinfo=utc), "missed_call") == (
        sid, "2026-04-04")
    assert _receive_at(runtime, "betar-london", dt.datetime(2026, 4, 5, 0, 44, tzinfo=utc)) == (sid, "2026-04-05")
    assert _receive_at(runtime, "betar-london", dt.datetime(2026, 4, 5, 0, 46, tzinfo=utc)) == (None, "2026-04-05")
    # Nothing aired: the station's day, which is not the UTC day (23:30 UTC is 00:30 BST the next day) ...
    assert _receive_at(runtime, "betar-london", dt.datetime(2026, 4, 6, 23, 30, tzinfo=utc)) == (None, "2026-04-07")
    # ... and at a Dhaka station the day turns at 18:00 UTC.
    assert _receive_at(runtime, "radio-padma", dt.datetime(2026, 4, 6, 17, 30, tzinfo=utc)) == (None, "2026-04-06")
    assert _receive_at(runtime, "radio-padma", dt.datetime(2026, 4, 6, 18, 30, tzinfo=utc)) == (None, "2026-04-07")


def test_a_reply_during_an_airing_reported_missed_counts_for_the_station_s_day(runtime, gw) -> None:
    booked = _book(gw, runtime, "2026-03-02T20:00")
    during = dt.datetime(2026, 3, 2, 20, 10, tzinfo=DHAKA)
    assert _receive(runtime, "before the report", during) == (booked, "2026-03-02")
    with runtime.session() as session:
        broadcast = session.get(Broadcast, booked)
        confirm_airing(session, broadcast, {"status": "missed", "reason": "power_cut"}, None, via="api")
    assert _receive(runtime, "after the report", during + dt.timedelta(minutes=1)) == (None, "2026-03-02")
    earlier = _book(gw, runtime, "2026-03-02T19:00")  # an airing before it that did go out takes the reply
    assert _receive(runtime, "after both", during + dt.timedelta(minutes=2)) == (earlier, "2026-03-02")


def _twilio(c, secret: str, slug: str, params: dict):
    signature = RequestValidator(secret).compute_signature(f"{PUBLIC}/hooks/sms/{slug}", params)
    return c.post(f"/hooks/sms/{slug}", data=params, headers={"X-Twilio-Signature": signature})


def _feedback_of(body: bytes, broadcast_id: str) -> dict[str, str]:
    event = next(e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
                 if str(e["UID"]) == f"{broadcast_id}@ashshash-radio")
    return {k.removeprefix("X-RADIO-FEEDBACK-"): str(v) for k, v in event.items() if k.startswith("X-RADIO-FEEDBACK-")}


def test_listener_sms_and_missed_calls_reach_the_feeds_and_summaries_with_no_count_typed(runtime, gw) -> None:
    """Done when: messages from both gateway shapes, and nothing else, are the counts every output shows."""
    admin, producer, c = gw["admin"], gw["producer"], gw["client"]
    twilio_secret = admin.post("/api/v1/stations/radio-jamuna/webhook-secret").json["secret"]
    assert admin.patch("/api/v1/stations/radio-jamuna", json={"gateway": "twilio"}).status_code == 200
    start = (dt.datetime.now(DHAKA) - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    booked = {}
    for slug in ("radio-padma", "radio-jamuna"):
        r = producer.post("/api/v1/broadcasts", json={"station": slug, "episode_id": make_episode(runtime),
                                                      "start": start.strftime("%Y-%m-%dT%H:%M")})
        assert r.status_code == 201, r.json
        booked[slug] = r.json["id"]
    code = next(i["code"] for i in producer.get("/api/v1/airings").json["items"]
                if i["broadcast_id"] == booked["radio-padma"])
    # Radio Padma's Android gateway (signed JSON): two SMS from one listener (one delivered twice), a missed call,
    # a confirmation by code and a forged message.
    again = message("অনুষ্ঠানটা খুব ভালো লাগল", **{"from": "+8801711000001"})
    for body in (again, again, message("আবার শুনতে চাই", **{"from": "+8801711000001"}),
                 message(kind="missed_call", **{"from": "+8801711000002"}), message(f"AIRED {code}")):
        assert send_json(c, gw["secret"], body).status_code == 200
    assert send_json(c, gw["secret"], message(), signature="sha256=" + "0" * 64).status_code == 403
    # Radio Jamuna's Twilio number: an SMS (delivered twice) and a call nobody picks up.
    sms = {"MessageSid": "SM" + "d" * 32, "From": "+8801811000003", "To": "+8809600000001", "Body": "ধন্যবাদ"}
    call = {"CallSid": "CA" + "e" * 32, "From": "+8801811000004", "To": "+8809600000001", "CallStatus": "no-answer"}
    for params in (sms, sms, call):
        assert _twilio(c, twilio_secret, "radio-jamuna", params).status_code == 200
    with runtime.session() as session:
        assert session.scalar(select(func.count()).select_from(FeedbackReport)) == 0  # nobody typed a count
    zero = {"CALLS": "0", "LETTERS": "0", "IN-PERSON": "0"}
    stations = {s["slug"]: s for s in producer.get("/api/v1/stations").json["items"]}
    padma_feed = c.get(feed_path(stations["radio-padma"]["calendar_url"])).data
    jamuna_feed = c.get(feed_path(stations["radio-jamuna"]["calendar_url"])).data
    assert _feedback_of(padma_feed, booked["radio-padma"]) == {**zero, "SMS": "2", "MISSED-CALLS": "1"}
    assert _feedback_of(jamuna_feed, booked["radio-jamuna"]) == {**zero, "SMS": "1", "MISSED-CALLS": "1"}
    # The week's bundle carries the same counts in its calendar.
    year, week, _ = start.date().isocalendar()
    token = stations["radio-padma"]["calendar_url"].split("token=")[1]
    bundle = c.get(f"/feeds/radio-padma/bundle.zip?token={token}&week={year}-W{week:02d}")
    assert bundle.status_code == 200
    week_ics = zipfile.ZipFile(io.BytesIO(bundle.data)).read("schedule.ics")
    assert _feedback_of(week_ics, booked["radio-padma"]) == _feedback_of(padma_feed, booked["radio-padma"])
    # The summaries and the reach report: the gateway's counts, apart from the (empty) entered ones.
    summary = {r["key"]: r for r in producer.get("/api/v1/feedback/summary").json["items"]}
    nothing = dict.fromkeys(("calls", "sms", "missed_calls", "letters", "in_person"), 0)
    for slug, sms_count in (("radio-padma", 2), ("radio-jamuna", 1)):
        row = next(r for r in summary.values() if slug in (r["key"], r.get("label"), r.get("station")))
        assert row["feedback_by_source"]["entered"] == nothing
        assert row["feedback_by_source"]["gateway"] == {**nothing, "sms": sms_count, "missed_calls": 1}
        assert row["feedback"] == {**nothing, "sms": sms_count, "missed_calls": 1}
    days = {"from": (start - dt.timedelta(days=1)).date().isoformat(),
            "to": (start + dt.timedelta(days=1)).date().isoformat()}
    reach = producer.get("/api/v1/reports/reach", query_string={"station": "radio-padma", **days})
    assert reach.status_code == 200, reach.json
    totals = reach.json["totals"]
    assert totals["feedback_by_source"]["gateway"] == {**nothing, "sms": 2, "missed_calls": 1}
    assert totals["feedback_by_source"]["entered"] == nothing
    assert totals["unique_senders"] == 1 and totals["aired"] == 1  # one listener; confirmed by SMS
    airing = next(i for i in producer.get("/api/v1/airings").json["items"]
                  if i["broadcast_id"] == booked["radio-padma"])
    assert (airing["status"], airing["via"]) == ("aired", "sms")


def test_a_twilio_message_is_cleaned_of_control_characters_and_a_big_form_is_413(runtime, gw) -> None:
    """The Twilio shape gets the JSON shape's rules: text and ids cleaned, an oversized body stores nothing."""
    assert gw["admin"].patch("/api/v1/stations/radio-padma", json={"gateway": "twilio"}).status_code == 200
    c, secret = gw["client"], gw["secret"]
    dirty = {"MessageSid": "SM\x00" + "f" * 32, "From": "+8801711000009", "To": "+8809600000000",
             "Body": "\u202eভালো\x00 লাগল\x1b[31m\u200b"}
    assert _twilio(c, secret, "radio-padma", dirty).status_code == 200
    big = {"MessageSid": "SM" + "0" * 32, "From": "+8801711000009", "Body": "x" * (70 * 1024)}
    refused = _twilio(c, secret, "radio-padma", big)
    assert refused.status_code == 413 and refused.json["error"]["code"] == "too_large"
    missing = _twilio(c, secret, "radio-padma", {"From": "+8801711000009", "Body": "no sid"})
    assert missing.status_code == 400 and missing.json["error"]["field"] == "MessageSid"
    rows = _messages(runtime)
    assert [(m.provider_id, m.text) for m in rows] == [("SM" + "f" * 32, "ভালো লাগল[31m")]
