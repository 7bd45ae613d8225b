"""The reports page in a real browser: a producer's Bangla reach report with its charts and a PDF download."""

from __future__ import annotations

from typing import Any

from schedule.bookings import book_broadcast
from schedule.feedback import record_feedback
from tests.browser.conftest import LiveServer, screenshot
from tests.schedule_helpers import make_episode


def test_producer_sees_the_reach_report_in_bangla_and_downloads_the_pdf(live: LiveServer, page_as: Any) -> None:
    episode_id = make_episode(live.runtime, title="ঘরে ফেরা — প্রতিরোধের গল্প", campaign="report-demo")
    with live.runtime.session() as session:
        broadcast = book_broadcast(session, {"station": "radio-padma", "episode_id": episode_id,
                                             "start": "2026-01-06T20:00", "rrule": "FREQ=WEEKLY;COUNT=10"})
        record_feedback(session, broadcast, {"occurrence": "2026-01-13", "calls": 12, "sms": 30, "missed_calls": 55})
        record_feedback(session, broadcast, {"occurrence": "2026-02-10", "calls": 4, "letters": 2, "in_person": 9})
    page = page_as("producer", locale="bn-BD")
    page.goto(f"{live.url}/reports?campaign=report-demo&from=2026-01-01&to=2026-03-31&lang=bn")
    main = page.inner_text("main")
    assert "রেডিও পদ্মা" in main and "১০" in main, main[:1000]
    assert page.locator("main svg.chart").count() >= 2
    page.wait_for_function("() => [...document.fonts].some(f => f.family.includes('Noto Sans Bengali')"
                           " && f.status === 'loaded')")
    path = screenshot(page, "reports-reach-bn")
    assert path.stat().st_size > 20_000
    with page.expect_download() as download:
        page.locator("a[download]", has_text="PDF").first.click()
    assert download.value.suggested_filename.endswith("-bn.pdf")
