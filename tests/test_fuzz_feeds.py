"""The routes outside the API document, fuzzed with credentials that pass their gates: feeds with the station's
feed token in the query, and the SMS webhook with bodies signed by the station's secret (JSON and Twilio).

Each gets ``RADIO_API_FUZZ_EXAMPLES`` × 5 generated requests (default 50): no 5xx, and ``radio verify`` clean.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schedule_helpers import create_station, local_dhaka, make_episode
from twilio.request_validator import RequestValidator

from radio.integrity import verify_home
from tests.audio import make_audio, tone
from web import sms_hooks

EXAMPLES = int(os.environ.get("RADIO_API_FUZZ_EXAMPLES", "10")) * 5
PUBLIC = "https://radio.example.org"
TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
JUNK = st.one_of(TEXT, st.integers(min_value=-10**30, max_value=10**30).map(str), st.sampled_from(
    ["", "0", "-1", "9" * 400, "2026-W01", "2026-W53", "9999-W99", "0001-W01", "../../etc/passwd", "%00", "\x00",
     "srt", "vtt", "txt", "json", "1e309", "NaN"]))


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"RADIO_PUBLIC_URL": PUBLIC, "RADIO_QUEUE_IMMEDIATE": False}


def _hypothesis(**kwargs: Any) -> Any:
    return settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck), **kwargs)


@pytest.mark.slow
def test_feeds_with_their_token_and_the_signed_webhook_answer_without_5xx(app: Any, client: Any, runtime: Any,
                                                                            api_as: Any, tmp_path: Any,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sms_hooks, "RATE_LIMIT", 10**9)  # the flood limit is tested in test_sms_hooks
    admin = api_as("admin")
    station = create_station(admin, "radio-padma")
    audio = make_audio(tmp_path, "mp3", samples=tone(2.0, 440, rate=16000), rate=16000, name="seed")
    sha, _ = runtime.store.put_file(audio, ".mp3")
    episode = make_episode(runtime, sha256=sha, broadcast_sha256=sha, media_suffix=".mp3")
    booked = api_as("producer").post("/api/v1/broadcasts", json={
        "station": "radio-padma", "episode_id": episode, "start": local_dhaka(-7), "rrule": "FREQ=WEEKLY;COUNT=4"})
    assert booked.status_code == 201, booked.json
    token = parse_qs(urlsplit(station["calendar_url"]).query)["token"][0]
    secret = admin.post("/api/v1/stations/radio-padma/webhook-secret").json["secret"]
    statuses: dict[str, Counter[int]] = {}
    started = time.monotonic()

    def record(route: str, response: Any) -> None:
        statuses.setdefault(route, Counter())[response.status_code] += 1
        assert response.status_code < 500, (route, response.status_code, response.data[:300])

    @_hypothesis()
    @given(route=st.sampled_from(["calendar", "podcast", "audio", "transcript", "bundle"]),
           extra=st.dictionaries(st.sampled_from(["week", "rendition", "revision", "x", "token2"]), JUNK, max_size=3),
           value=JUNK, known=st.booleans(), conditional=st.sampled_from([None, "*", '"x"', "W/\"y\""]),
           range_=st.sampled_from([None, "bytes=0-10", "bytes=-5", "bytes=99999999-", "bytes=5-1", "bytes=x"]))
    def feeds(route: str, extra: dict[str, str], value: str, known: bool, conditional: str | None,
              range_: str | None) -> None:
        ident = episode if known else value
        path = {"calendar": "/calendars/radio-padma.ics", "podcast": "/feeds/radio-padma/podcast.xml",
                "audio": f"/feeds/radio-padma/audio/{ident}.mp3",
                "transcript": f"/feeds/radio-padma/transcripts/{ident}.{value if not known else 'vtt'}",
                "bundle": "/feeds/radio-padma/bundle.zip"}[route]
        query = {"token": token, **extra}
        if route == "bundle":
            query.setdefault("week", value)
        headers = {"Accept-Encoding": "identity"}
        if conditional:
            headers["If-None-Match"] = conditional
        if range_:
            headers["Range"] = range_
        record(route, client.get(path + "?" + urlencode(query), headers=headers))

    json_body = st.one_of(
        st.fixed_dictionaries({"id": TEXT, "from": TEXT, "to": TEXT, "text": TEXT,
                               "kind": st.sampled_from(["sms", "missed_call", "x"])},
                              optional={"received_at": st.one_of(JUNK, st.datetimes().map(lambda d: d.isoformat()))}),
        st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                     max_leaves=8))

    @_hypothesis()
    @given(body=json_body, raw=st.one_of(st.none(), st.binary(max_size=200)))
    def hook_json(body: Any, raw: bytes | None) -> None:
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        signature = "sha256=" + hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()
        record("hook-json", client.post("/hooks/sms/radio-padma", data=data, content_type="application/json",
                                        headers={"X-Radio-Signature": signature}))

    hook_json()
    feeds()
    assert admin.patch("/api/v1/stations/radio-padma", json={"gateway": "twilio"}).status_code == 200

    @_hypothesis()
    @given(form=st.fixed_dictionaries({"From": TEXT, "To": TEXT}, optional={
        "MessageSid": TEXT, "Body": TEXT, "CallSid": TEXT, "CallStatus": JUNK, "X": JUNK}))
    def hook_twilio(form: dict[str, str]) -> None:
        form = {k: v.replace("\x00", "") for k, v in form.items()}
        url = f"{PUBLIC}/hooks/sms/radio-padma"
        signature = RequestValidator(secret).compute_signature(url, form)
        record("hook-twilio", client.post("/hooks/sms/radio-padma", data=form,
                                          headers={"X-Twilio-Signature": signature}))

    hook_twilio()
    elapsed = time.monotonic() - started
    server_errors = sum(n for c in statuses.values() for s, n in c.items() if s >= 500)
    sent = sum(sum(c.values()) for c in statuses.values())
    print(f"\nfeeds and webhook fuzz on {runtime.settings.database_url.partition(':')[0]}: 3 fuzzers x "
          f"{EXAMPLES} examples over {len(statuses)} routes: {sent} requests in {elapsed:.0f} s; 5xx: {server_errors}")
    for route, counts in sorted(statuses.items()):
        print(f"  {route:12} {' '.join(f'{k}:{v}' for k, v in sorted(counts.items()))}")
    for route in ("calendar", "podcast", "audio", "bundle", "hook-json", "hook-twilio"):
        assert any(200 <= status < 300 for status in statuses[route]), (route, statuses[route])  # gate passed
    assert all(403 not in statuses[route] for route in ("hook-json", "hook-twilio")), statuses  # signed: never 403
    report = verify_home(runtime)
    assert report.ok and report.problems == [], [p.line() for p in report.problems]
