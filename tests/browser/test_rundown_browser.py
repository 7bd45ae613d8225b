"""The rundown editor in Chromium: build a programme from the library, reorder it by dragging and with the
buttons, set an item's out point on its waveform, render it to the slot and play the result."""

from __future__ import annotations

import io
import uuid
from typing import Any

from sqlalchemy import select

from episodes.programme_models import Programme
from radio.auth import issue_token
from radio.models import User
from tests.audio import noise, tone, write_wav
from tests.browser.conftest import LiveServer, screenshot


def _upload(live: LiveServer, request: Any, token: str, title: str, samples: Any, kind: str) -> str:
    buffer = io.BytesIO()
    path = write_wav(live.runtime.settings.home / f"{uuid.uuid4().hex}.wav", samples)
    buffer.write(path.read_bytes())
    path.unlink()
    answer = request.post(f"{live.url}/api/v1/episodes", headers={"Authorization": f"Bearer {token}"}, multipart={
        "title": title, "kind": kind, "language": "bn",
        "file": {"name": f"{kind}.wav", "mimeType": "audio/wav", "buffer": buffer.getvalue()}})
    assert answer.status == 201, answer.text()
    return str(answer.json()["id"])


def _order(live: LiveServer, programme_id: str) -> list[str]:
    with live.runtime.read_session() as session:
        programme = session.get(Programme, programme_id)
        assert programme is not None
        return [str(i["episode_id"]) for i in programme.items]


def test_a_producer_builds_renders_and_plays_a_programme(live: LiveServer, page_as: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    with live.runtime.session() as session:
        producer = session.scalars(select(User).where(User.email == live.users["producer"])).one()
        token = issue_token(session, producer, "browser rundown")
    page = page_as("producer", viewport={"width": 1280, "height": 1800})  # the whole rundown on screen
    sources = {"talk": (tone(17.0, 330, amplitude=0.2, channels=2) + noise(17.0, amplitude=0.02, channels=2), "talk"),
               "tune": (tone(12.0, 523, amplitude=0.3, channels=2), "song"),
               "sting": (tone(3.0, 880, amplitude=0.3, channels=2), "jingle")}
    ids = {name: _upload(live, page.request, token, f"রানডাউন {tag} {name}", samples, kind)
           for name, (samples, kind) in sources.items()}

    page.goto(f"{live.url}/programmes")
    page.fill("#title", f"সকালের অনুষ্ঠান {tag}")
    page.fill("#slot_min", "0.5")  # a 30-second slot
    page.fill("#crossfade_s", "0.5")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/programmes/*")
    programme_id = page.url.split("#")[0].rsplit("/", 1)[1]
    page.fill("#q", f"রানডাউন {tag}")
    page.click("#pick button[type=submit]")
    for name, role in (("talk", "speech"), ("tune", "music"), ("sting", "jingle")):
        row = page.locator("#pick li", has_text=f"{tag} {name}")
        row.locator("select").select_option(role)
        row.locator("button[type=submit]").click()
        page.wait_for_load_state()
    assert _order(live, programme_id) == [ids["talk"], ids["tune"], ids["sting"]]
    assert "0:31" in page.inner_text("[data-running-time]")  # 17 + 12 + 3 − 2 × 0.5 s against the 0:30 slot

    page.evaluate("window.scrollTo(0, document.querySelector('#rundown').offsetTop)")
    source = page.locator("#item-2 .item-head .item-title").bounding_box()
    target = page.locator("#item-0 .item-head .item-title").bounding_box()
    assert source is not None and target is not None and target["y"] > 0  # both rows on the screen
    page.mouse.move(source["x"] + 5, source["y"] + 5)
    page.mouse.down()
    page.mouse.move(source["x"] + 15, source["y"] - 10, steps=5)
    page.mouse.move(target["x"] + 5, target["y"] + 5, steps=10)
    with page.expect_navigation():
        page.mouse.up()  # dropped on the first row: the dragged row's move form is sent with "to"
    assert _order(live, programme_id) == [ids["sting"], ids["talk"], ids["tune"]]
    with page.expect_navigation():
        page.locator("#item-1 button[aria-label='Move down']").click()  # and with the button
    assert _order(live, programme_id) == [ids["sting"], ids["tune"], ids["talk"]]

    wave = page.locator("#item-1 svg[data-trim]")  # the tune: drag its out point from the end to ~75 %
    box = wave.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.85, box["y"] + box["height"] / 2, steps=4)
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2, steps=4)
    with page.expect_navigation():
        page.mouse.up()  # letting go saves the item
    with live.runtime.read_session() as session:
        programme = session.get(Programme, programme_id)
        assert programme is not None
        tune = programme.items[1]
    assert tune["in_s"] == 0.0 and 8.0 < tune["out_s"] < 10.0  # 75 % of 12 s
    assert abs(float(page.input_value("#out-1")) - tune["out_s"]) < 0.01
    assert "fill" in page.inner_text("[data-running-time]")  # now shorter than the slot: the tune is extended

    page.click("#result button[type=submit]")  # the live server runs jobs inline: done when the page is back
    page.wait_for_load_state()
    audio = page.locator("audio[data-programme-audio]")
    audio.wait_for()
    with live.runtime.read_session() as session:
        programme = session.get(Programme, programme_id)
        assert programme is not None and programme.status == "ready" and programme.episode_id
        assert [c["episode_id"] for c in sorted(programme.cues, key=lambda c: c["start"])] == [
            ids["sting"], ids["tune"], ids["talk"]]
    duration = page.evaluate("""async () => {
        const a = document.querySelector('audio[data-programme-audio]');
        if (a.readyState < 1) await new Promise(r => a.addEventListener('loadedmetadata', r, {once: true}));
        a.muted = true; await a.play();
        await new Promise(r => setTimeout(r, 1200));
        return [a.duration, a.currentTime, a.paused];
    }""")
    assert abs(duration[0] - 30.0) < 0.6 and duration[1] > 0.3 and duration[2] is False
    # The programme's own waveform (its peaks, like any episode's) under the player: clicking it seeks there.
    wave = page.locator("#result svg.waveform:not(.trim)")
    assert wave.is_visible()
    box = wave.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    page.wait_for_function("document.querySelector('audio[data-programme-audio]').currentTime > 20")
    screenshot(page, "producer-rundown-editor")
