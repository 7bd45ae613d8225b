"""The station's phone-sized confirmation page in Chromium: one tap, several at once, and its weight."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import select

from episodes.models import Episode
from radio.db import utcnow
from schedule.bookings import book_broadcast
from schedule.models import AiringReport
from tests.browser.conftest import ARTIFACTS, LiveServer, screenshot
from tests.browser.test_ui_browser import _page_weight

PHONE = {"width": 360, "height": 740}


def test_station_confirms_airings_on_a_phone(live: LiveServer, page_as: Any) -> None:
    first = (utcnow() - dt.timedelta(days=3)).date()
    with live.runtime.session() as session:
        sha = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
        episode = Episode(title="নিশ্চিতকরণ পরীক্ষা — নাটক", language="bn", kind="drama", consent="broadcast",
                          status="ready",
                          sha256=sha, duration_s=600.0, broadcast_duration_s=600.0, mime_type="audio/mpeg")
        session.add(episode)
        session.flush()
        booked = book_broadcast(session, {"station": "radio-padma", "episode_id": episode.id,
                                          "start": f"{first.isoformat()}T06:00", "rrule": "FREQ=DAILY;COUNT=3"})
        broadcast_id = booked.id
    page = page_as("station", locale="bn-BD", viewport=PHONE)
    page.goto(f"{live.url}/station/airings")
    # The live server is shared with other browser tests: only this test's airings are looked at.
    mine = page.locator("li.airing", has_text="নিশ্চিতকরণ পরীক্ষা")
    assert mine.count() == 3
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    mine.nth(0).locator("button[name=aired]").click()  # one tap
    page.wait_for_load_state()
    assert "সংরক্ষিত" in page.inner_text("main")
    mine.nth(1).locator("input[name=pick]").check()
    mine.nth(2).locator("input[name=pick]").check()
    page.locator("button[name=bulk][value=missed]").click()
    page.wait_for_load_state()
    screenshot(page, "station-airings-phone")
    with live.runtime.session() as session:
        statuses = sorted(r.status for r in session.scalars(select(AiringReport).where(
            AiringReport.current, AiringReport.broadcast_id == broadcast_id)))
    assert statuses == ["aired", "missed", "missed"]
    weight = _page_weight(page, f"{live.url}/station/airings")
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / "station-airings-weight.json").write_text(json.dumps({"station-airings": weight}))
    print(f"\nstation airings page: {weight} bytes with its assets (Bangla UI, empty cache)")
    assert weight < 300_000
