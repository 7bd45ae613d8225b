"""The UI in a real browser (Debian Chromium, headless) against a live server: each role's whole job."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from episodes.services import ingest
from radio.db import utcnow
from radio.jobs import dispatch
from schedule.bookings import book_broadcast
from tests.browser.conftest import ARTIFACTS, LiveServer, screenshot
from tests.ui_helpers import wav_bytes
from transcripts.engine import SegmentResult, TranscriptionResult
from transcripts.tasks import store_transcription

BANGLA_LINES = ["আমি চাকরির খোঁজে ঢাকায় গিয়েছিলাম", "দালাল আমার পাসপোর্ট নিয়ে নেয়", "পরে আমি পালিয়ে আসি"]
# The player plays on from a moment, so checks allow for the time they take on a busy machine.
PLAYING_IN = "([lo, hi]) => { const t = document.querySelector('audio').currentTime; return t >= lo && t < hi; }"
CURRENT_SAYS = "(words) => { const li = document.querySelector('ol.transcript li.current');" \
    " return li !== null && li.textContent.includes(words); }"
PAGE_LIMIT = 300_000  # bytes of a page with all its assets (audio aside)


def _episode_with_transcript(live: LiveServer, title: str, freq: float, kind: str = "call_in") -> str:
    """Upload real audio through the episode service and give it a Bangla transcript (5 s per segment)."""
    runtime = live.runtime
    with runtime.session() as session:
        episode = ingest(session, runtime.store, io.BytesIO(wav_bytes(16.0, freq)),
                         {"title": title, "kind": kind, "language": "bn", "filename": "call.wav"},
                         max_bytes=10_000_000)
        episode_id, job_id = episode.id, episode.analysis_job_id
    dispatch(runtime, job_id)  # type: ignore[arg-type]
    result = TranscriptionResult(
        language="bn", language_probability=0.9, duration_s=16.0, params={}, backend="faster-whisper",
        versions={"faster_whisper": "test", "ctranslate2": "test"},
        segments=[SegmentResult(start=5.0 * i, end=5.0 * i + 4.5, text=text, avg_logprob=-0.2, no_speech_prob=0.0,
                                compression_ratio=1.1, confidence=0.9, needs_review=False)
                  for i, text in enumerate(BANGLA_LINES)])
    with runtime.session() as session:
        store_transcription(session, episode_id, result, audio_sha256="0" * 64, model="tiny.en",
                            model_sha256="0" * 64, job_id=None, started_at=utcnow(), worker_host="browser-test")
    return episode_id


def test_producer_uploads_books_and_subscribes(live: LiveServer, page_as: Any) -> None:
    page = page_as("producer")
    assert page.url.endswith("/library")
    page.goto(f"{live.url}/library/upload")
    page.set_input_files("#file", {"name": "প্রচার.wav", "mimeType": "audio/wav", "buffer": wav_bytes(4.0)})
    page.fill("#title", "পাচার প্রতিরোধ — জনসেবামূলক ঘোষণা")
    page.select_option("#kind", "psa")
    page.fill("#districts", "Narsingdi")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.resource_type) if r.method == "POST" else None)
    with page.expect_navigation(url="**/episodes/*"):
        page.click("form[data-upload] button[type=submit]")
    assert sent == ["xhr"]  # sent by the progress-bar script (the form also works without it)
    episode_id = page.url.rsplit("/", 1)[1].split("?")[0]
    assert page.inner_text("h1") == "পাচার প্রতিরোধ — জনসেবামূলক ঘোষণা"
    assert page.is_visible("svg.waveform") and page.is_visible("audio[data-player]")
    assert "LUFS" in page.inner_text("main")
    screenshot(page, "producer-episode")

    day = (utcnow() + dt.timedelta(days=3)).date()
    page.goto(f"{live.url}/schedule/radio-padma?week={day.isoformat()}")
    page.select_option("#episode_id", episode_id)
    page.fill("#start", f"{day.isoformat()}T20:00")
    page.click("form[action$='/book'] button[type=submit]")
    assert "The broadcast was booked." in page.inner_text(".flashes")
    assert "20:00" in page.inner_text(".week")
    page.select_option("#episode_id", episode_id)
    page.fill("#start", f"{day.isoformat()}T20:00")  # the same slot again
    page.click("form[action$='/book'] button[type=submit]")
    conflict = page.locator("#conflicts")
    assert conflict.is_visible() and "overlaps other broadcasts" in conflict.inner_text()
    screenshot(page, "producer-schedule-conflict")

    webcal = page.get_attribute("#webcal-link", "href")
    assert webcal and webcal.startswith("webcal://127.0.0.1")
    calendar = page.request.get(page.get_attribute("#calendar-link", "href"))
    assert calendar.status == 200 and calendar.headers["content-type"].startswith("text/calendar")
    body = calendar.text()
    assert "BEGIN:VCALENDAR" in body and "পাচার প্রতিরোধ" in body.replace("\r\n ", "")
    assert page.locator(".qr svg").count() == 1
    page.goto(f"{live.url}/library?q=পাচার")
    assert page.locator("table a", has_text="পাচার প্রতিরোধ").count() == 1
    screenshot(page, "producer-library")


def test_researcher_searches_in_bangla_and_jumps_to_the_moment(live: LiveServer, page_as: Any) -> None:
    episode_id = _episode_with_transcript(live, "শ্রোতার ফোন — নরসিংদী", 330.0)
    page = page_as("researcher", locale="bn-BD")
    assert page.url.endswith("/search")
    page.fill("#q", "পাসপোর্ট")
    page.click("form[role=search] button[type=submit]")
    hit = page.locator("a.hit-link").first
    assert page.locator("mark", has_text="পাসপোর্ট").count() >= 1
    assert "১টি ফলাফল" in page.inner_text("#results")
    screenshot(page, "researcher-search")
    hit.click()
    page.wait_for_url(f"**/episodes/{episode_id}?t=5*")
    # It plays on from the moment, so allow for the time the checks take on a busy machine.
    page.wait_for_function(PLAYING_IN, arg=[4.9, 9.5])
    page.wait_for_function(CURRENT_SAYS, arg="পাসপোর্ট")
    page.locator("ol.transcript li").nth(2).locator("a.seek").focus()
    page.keyboard.press("Enter")  # keyboard works as well as the mouse
    page.wait_for_function(PLAYING_IN, arg=[9.9, 14.5])
    page.wait_for_function(CURRENT_SAYS, arg="পালিয়ে")
    screenshot(page, "researcher-episode")
    # Correct a segment from the episode page's link, and see the revision.
    page.locator("ol.transcript li").nth(0).locator("a.edit").click()
    page.fill("#text", "আমি চাকরির খোঁজে ঢাকায় গিয়েছিলাম।")
    page.locator("form:has(#text) button[type=submit]").click()
    assert page.locator(".flashes").is_visible()
    assert "সংশোধন ১" in page.inner_text("main")


def test_station_reports_feedback_and_switches_language(live: LiveServer, page_as: Any) -> None:
    episode_id = _episode_with_transcript(live, "ঘরে ফেরা — নাটক", 550.0, kind="drama")
    yesterday = (utcnow() - dt.timedelta(days=1)).date()
    with live.runtime.session() as session:
        book_broadcast(session, {"station": "radio-padma", "episode_id": episode_id,
                                 "start": f"{yesterday.isoformat()}T09:00"})
    page = page_as("station", locale="en-US", viewport={"width": 390, "height": 844})  # a phone
    assert page.url.endswith("/station")
    page.goto(f"{live.url}/station?week={yesterday.isoformat()}")
    assert page.locator("a[download]", has_text="Download audio").count() >= 1
    screenshot(page, "station-home-phone")
    page.locator("a", has_text="Listener feedback").first.click()
    page.fill("#calls", "১২")
    page.fill("#sms", "4")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "feedback was saved" in page.inner_text("main"), page.inner_text("main")[:800]
    page.click("button[name=locale][value=bn]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "bn"
    assert "আমার স্টেশন" in page.inner_text("header nav")
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans Bengali\"')")
    page.wait_for_function("() => [...document.fonts].some(f => f.family.includes('Noto Sans Bengali')"
                           " && f.status === 'loaded')")
    screenshot(page, "station-home-bn")
    page.reload()
    assert page.get_attribute("html", "lang") == "bn"  # remembered


def test_admin_main_page_and_page_weights(live: LiveServer, page_as: Any, browser: Any) -> None:
    page = page_as("admin")
    assert page.url.endswith("/admin/users")
    screenshot(page, "admin-users")
    episode_id = _episode_with_transcript(live, "ওজন মাপার পর্ব", 660.0)
    pages = {
        "login": "/login", "library": "/library", "upload": "/library/upload", "episode": f"/episodes/{episode_id}",
        "schedule": "/schedule/radio-padma", "search": "/search?q=পাসপোর্ট", "codes": "/codes",
        "admin-users": "/admin/users", "admin-stations": "/admin/stations", "station": "/station",
    }
    weights: dict[str, int] = {}
    admin = page_as("admin", locale="bn-BD")
    station = page_as("station", locale="bn-BD")
    for name, path in pages.items():
        weights[name] = _page_weight(station if name == "station" else admin, live.url + path)
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    Path(ARTIFACTS.parent / "page-weights.json").write_text(json.dumps(weights, indent=2))
    print("\npage weights (bytes, page + assets, audio aside, Bangla UI):")
    for name, size in weights.items():
        print(f"  {name:15s} {size:8d}")
    heavy = {name: size for name, size in weights.items() if size >= PAGE_LIMIT}
    assert not heavy, f"pages over {PAGE_LIMIT} bytes: {heavy}"


def _page_weight(page: Any, url: str) -> int:
    """Bytes of the document and every asset it loads (media excluded), with an empty cache."""
    sizes: list[int] = []

    def count(response: Any) -> None:
        if response.request.resource_type == "media" or response.status in (301, 302, 303, 304):
            return
        try:
            sizes.append(len(response.body()))
        except Exception:  # noqa: BLE001 - a body that is gone (e.g. aborted) counts as nothing
            pass

    cdp = page.context.new_cdp_session(page)  # measure as a first visit: nothing from the cache
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.on("response", count)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready")
    page.remove_listener("response", count)
    cdp.detach()
    return sum(sizes)
