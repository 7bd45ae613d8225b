"""A flight in Chromium: a producer proposes one through the New flight form, moves one airing in the proposal's
week view, and accepts it (every airing booked at once); a screenshot of the week view is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from sqlalchemy import select

from episodes.models import Episode
from schedule.flight_models import Flight
from schedule.models import Broadcast
from tests.browser.conftest import LiveServer, screenshot


def _flight(live: LiveServer, flight_id: str) -> Flight:
    with live.runtime.read_session() as session:
        flight = session.get(Flight, flight_id)
        assert flight is not None
        session.expunge(flight)
        return flight


def test_a_producer_proposes_a_flight_moves_an_airing_in_the_week_view_and_accepts(live: LiveServer,
                                                                                 page_as: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    with live.runtime.session() as session:
        sha = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
        spot = Episode(title=f"নিরাপদ অভিবাসন স্পট {tag}", language="bn", kind="psa", consent="broadcast",
                       status="ready", sha256=sha, duration_s=60.0, broadcast_duration_s=60.0,
                       mime_type="audio/mpeg")
        session.add(spot)
        session.flush()
        spot_id = spot.id
    # Years ahead, so the other browser tests' bookings on the shared station are nowhere near.
    today = dt.date.today()
    monday = dt.date(today.year + 4, 3, 1)
    monday -= dt.timedelta(days=monday.weekday())
    page = page_as("producer", viewport={"width": 1400, "height": 1000})
    page.goto(f"{live.url}/flights")
    page.click("#new-flight-link")
    page.wait_for_url("**/flights/new")
    page.fill("#campaign", f"ফ্লাইট {tag}")
    page.check("input[name=stations][value=radio-padma]")
    page.check(f"input[name=episodes][value='{spot_id}']")
    page.fill("#per_week", "3")
    page.fill("#from", monday.isoformat())
    page.fill("#to", (monday + dt.timedelta(days=13)).isoformat())
    page.click("#new-flight button[type=submit]")
    page.wait_for_url("**/flights/*")
    flight_id = page.url.split("#")[0].split("?")[0].rsplit("/", 1)[1]
    flight = _flight(live, flight_id)
    assert flight.status == "proposed" and len(flight.proposed) == 6
    assert page.locator("#proposal-list tbody tr").count() == 6

    # The week view opens at the flight's first week: three proposed airings, placed on their days.
    week = page.locator("#proposal-week")
    proposed = week.locator(".event.proposed")
    assert proposed.count() == 3
    first = proposed.nth(0)
    index = int(first.get_attribute("data-airing") or "-1")
    old = flight.proposed[index]["start"]
    new = f"{old[:10]}T20:40"
    assert old[11:16] != "20:40"
    first.locator("summary").click()  # the move form opens from the airing's cell
    first.locator("input[type=datetime-local]").fill(new)
    with page.expect_navigation():
        first.locator("button[value=change]").click()
    assert "The airing was changed." in page.inner_text("main")
    moved = _flight(live, flight_id).proposed[index]
    assert moved["start"] == f"{new}:00" and moved["episode_id"] == spot_id
    cell = page.locator(f"#week-row-{index}")
    assert "20:40–20:41" in cell.inner_text()  # drawn again at its new time, in station time, in its day and row
    assert cell.get_attribute("data-day") == old[:10]
    assert cell.locator("xpath=ancestor::tr").get_attribute("data-slot") == "20:30"
    assert page.locator("#proposal-week th[data-hour='20']").is_visible()
    box, hour = cell.bounding_box(), page.locator("#proposal-week th[data-hour='20']").bounding_box()
    assert box and hour and hour["y"] <= box["y"] < hour["y"] + hour["height"]  # level with its hour on the axis
    screenshot(page, "flight-proposal-week")

    with page.expect_navigation():
        page.click("#accept")
    assert "6 airings were booked" in page.inner_text("main")
    accepted = _flight(live, flight_id)
    assert accepted.status == "accepted" and len(accepted.broadcast_ids) == 6
    with live.runtime.read_session() as session:
        starts = sorted(b.starts_at for b in session.scalars(
            select(Broadcast).where(Broadcast.id.in_(accepted.broadcast_ids))))
    assert len(starts) == 6
    assert any(s.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=6))).strftime("%H:%M")
               == "20:40" for s in starts)
