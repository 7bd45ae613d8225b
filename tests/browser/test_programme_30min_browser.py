"""Issue 17 walked end to end in Chromium: a producer builds a 30-minute programme from the library (more than 30
minutes of 48 kHz stereo sources, uploaded compressed), renders it to the slot at the loudness target — measured
with ffmpeg's ebur128 — and books it with a flight on two stations around bookings already there."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select

from episodes.models import Episode
from episodes.programme_models import Programme
from radio.auth import issue_token
from radio.models import User
from schedule.bookings import book_broadcast
from schedule.flight_models import Flight
from schedule.models import Broadcast, Station
from tests.audio import FFMPEG, ffmpeg_duration, ffmpeg_loudness
from tests.browser.conftest import LiveServer, screenshot

SLOT_S = 1800.0
CROSSFADE_S = 1.0
RATE = 48000


class Source(NamedTuple):
    """One source of the rundown: episode kind, rundown role, length, what it sounds like, codec, tone peak."""

    kind: str
    role: str
    seconds: int
    sound: str
    codec: str
    peak: float  # of its tone (full scale 1): the sources lie between about -20 and -31 LUFS


SOURCES = {  # 31:25 of audio in all
    "tune": Source("jingle", "jingle", 20, "jingle", "flac", 0.4),
    "talk": Source("talk", "speech", 720, "speech", "opus", 0.2),
    "psa1": Source("psa", "speech", 45, "speech", "flac", 0.45),
    "drama": Source("drama", "speech", 540, "drama", "mp3", 0.06),
    "callin": Source("call_in", "speech", 200, "speech", "opus", 0.12),
    "psa2": Source("psa", "speech", 60, "speech", "vorbis", 0.35),
    "outro": Source("song", "music", 300, "music", "mp3", 0.5),
}
CALLIN_EXCERPT = (30.0, 180.0)  # the part of the call-in that plays
CODECS = {"flac": (".flac", ["-c:a", "flac"], "audio/flac"),
          "opus": (".opus", ["-c:a", "libopus", "-b:a", "40k", "-f", "ogg"], "audio/ogg"),
          "vorbis": (".ogg", ["-c:a", "libvorbis", "-q:a", "3"], "audio/ogg"),
          "mp3": (".mp3", ["-c:a", "libmp3lame", "-b:a", "64k"], "audio/mpeg")}


def make_source(folder: Path, n: int, source: Source) -> Path:
    """A 48 kHz stereo file: a modulated tone over pink noise (speech), the same with a full-scale 4 ms door slam
    every 37 s (drama: peaks far above its loudness, which the true-peak limiter must catch), a chord (music), a
    beeping tone (jingle); each at its own level, so the render has to bring every part to the target."""
    freq, seconds = 180 + 60 * n, source.seconds
    gain = 8 * source.peak  # ffmpeg's sine source plays at 1/8 of full scale
    speech = (f"sine=f={freq}:r={RATE}:d={seconds},tremolo=f=3:d=0.8,volume={gain:.3f}[a];"
              f"anoisesrc=r={RATE}:d={seconds}:a={source.peak / 6:.4f}:c=pink:s={n + 1}[b];")
    graph = {
        "speech": speech + "[a][b]amix=inputs=2:normalize=0",
        "drama": speech + f"aevalsrc=exprs=0.99*lt(mod(t\\,37)\\,0.004):s={RATE}:d={seconds}[c];"
                          "[a][b][c]amix=inputs=3:normalize=0",
        "music": f"sine=f={freq}:r={RATE}:d={seconds}[a];sine=f={freq * 1.5}:r={RATE}:d={seconds}[b];"
                 f"[a][b]amix=inputs=2:normalize=0,volume={gain / 2:.3f}",
        "jingle": f"sine=f={freq * 2}:r={RATE}:d={seconds}:beep_factor=4,volume={gain:.3f}",
    }[source.sound]
    suffix, options, _mime = CODECS[source.codec]
    path = folder / f"{n:02d}-{source.sound}{suffix}"
    subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-y", "-filter_complex",
                    graph + ",aformat=channel_layouts=stereo", "-ar", str(RATE), *options, str(path)], check=True)
    return path


def _token(live: LiveServer, role: str) -> str:
    with live.runtime.session() as session:
        user = session.scalars(select(User).where(User.email == live.users[role])).one()
        return issue_token(session, user, f"browser 30-minute programme ({role})")


def _wait_ready(live: LiveServer, request: Any, token: str, ids: list[str], timeout_s: float = 600) -> None:
    """Poll the API until every episode's analysis and broadcast copy are done (inline here; a worker elsewhere)."""
    deadline = time.monotonic() + timeout_s
    pending = set(ids)
    while pending:
        for episode_id in sorted(pending):
            answer = request.get(f"{live.url}/api/v1/episodes/{episode_id}",
                                 headers={"Authorization": f"Bearer {token}"})
            assert answer.status == 200, answer.text()
            status = answer.json()["status"]
            assert status != "failed", answer.json()
            if status == "ready":
                pending.discard(episode_id)
        assert time.monotonic() < deadline, f"still analysing: {pending}"
        if pending:
            time.sleep(1.0)


def _filler(live: LiveServer, tag: str, minutes: int) -> str:
    """An episode already in the schedule (an hour-long show and the like), as a row: its audio is not needed."""
    sha = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    with live.runtime.session() as session:
        episode = Episode(title=f"চলতি অনুষ্ঠান {tag} {minutes}", language="bn", kind="talk", consent="broadcast",
                          status="ready", sha256=sha, duration_s=minutes * 60.0, broadcast_duration_s=minutes * 60.0,
                          broadcast_sha256=sha, mime_type="audio/mpeg")
        session.add(episode)
        session.flush()
        return episode.id


def _intervals(live: LiveServer, station_ids: list[str]) -> dict[str, list[tuple[dt.datetime, dt.datetime, str]]]:
    """Every confirmed one-off booking on the stations: (start, end, id), sorted, per station."""
    with live.runtime.read_session() as session:
        rows = session.scalars(select(Broadcast).where(Broadcast.station_id.in_(station_ids),
                                                       Broadcast.status == "confirmed")).all()
        by_station: dict[str, list[tuple[dt.datetime, dt.datetime, str]]] = {s: [] for s in station_ids}
        for b in rows:
            assert b.rrule is None  # every booking here is a single airing
            by_station[b.station_id].append((b.starts_at, b.starts_at + dt.timedelta(seconds=b.duration_s), b.id))
    return {s: sorted(v) for s, v in by_station.items()}


def test_a_producer_builds_a_30_minute_programme_renders_it_to_the_target_and_books_a_flight(
        live: LiveServer, page_as: Any, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    producer_token, admin_token = _token(live, "producer"), _token(live, "admin")
    page = page_as("producer", viewport={"width": 1280, "height": 1000})
    api = page.request

    # 1. The sources, uploaded compressed through the API, then analysed and normalised.
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:  # one ffmpeg per core
        futures = {name: pool.submit(make_source, tmp_path, n, source)
                   for n, (name, source) in enumerate(SOURCES.items())}
        files = {name: future.result() for name, future in futures.items()}
    made = time.perf_counter()
    ids: dict[str, str] = {}
    for name, source in SOURCES.items():
        path = files[name]
        upload = {"name": path.name, "mimeType": CODECS[source.codec][2], "buffer": path.read_bytes()}
        answer = api.post(f"{live.url}/api/v1/episodes", headers={"Authorization": f"Bearer {producer_token}"},
                          timeout=600_000, multipart={"title": f"আধঘণ্টা {tag} {name}", "kind": source.kind,
                                                      "language": "bn", "campaign": "safe-migration", "file": upload})
        assert answer.status == 201, answer.text()
        ids[name] = str(answer.json()["id"])
    _wait_ready(live, api, producer_token, list(ids.values()))
    ingested = time.perf_counter()
    # The caller agreed to be aired: only an admin may grant a call-in (restricted until then) broadcast consent.
    granted = api.patch(f"{live.url}/api/v1/episodes/{ids['callin']}",
                        headers={"Authorization": f"Bearer {admin_token}"},
                        data={"consent": "broadcast", "restricted": False,
                              "reason": "the caller agreed on the phone to be aired"})
    assert granted.status == 200, granted.text()
    with live.runtime.read_session() as session:
        episodes = {name: session.get(Episode, episode_id) for name, episode_id in ids.items()}
        durations = {name: float(e.duration_s or 0) for name, e in episodes.items() if e is not None}
        peaks = {name: e.true_peak_dbtp for name, e in episodes.items() if e is not None}
        loudness = {name: e.loudness_lufs for name, e in episodes.items() if e is not None}
        channels = {e.channels for e in episodes.values() if e is not None}
        rates = {e.sample_rate for e in episodes.values() if e is not None}
    assert channels == {2} and rates == {RATE}
    assert sum(durations.values()) > SLOT_S
    levels = [v for v in loudness.values() if v is not None]
    assert len(levels) == len(SOURCES) and max(levels) - min(levels) > 10  # far apart: each must be brought level
    sizes = sum(p.stat().st_size for p in files.values())
    print(f"\n[30-min programme] sources: {sum(durations.values()) / 60:.1f} min in {sizes / 1e6:.1f} MB, made in "
          f"{made - started:.1f} s; upload + analysis + broadcast copies {ingested - made:.1f} s")

    # 2. The programme on /programmes: items from the library picker with their roles, the call-in excerpted.
    page.goto(f"{live.url}/programmes")
    assert page.input_value("#slot_min") == "30"
    page.fill("#title", f"নিরাপদ অভিবাসন — আধঘণ্টা {tag}")
    page.fill("#crossfade_s", str(CROSSFADE_S))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/programmes/*")
    programme_id = page.url.split("#")[0].rsplit("/", 1)[1]
    for name, source in SOURCES.items():
        page.fill("#q", f"আধঘণ্টা {tag} {name}")
        with page.expect_navigation():
            page.click("#pick form[role=search] button[type=submit]")
        row = page.locator("#pick li", has_text=f"{tag} {name}")
        row.locator("select").select_option(source.role)
        with page.expect_navigation():
            row.locator("button[type=submit]").click()
    callin = list(SOURCES).index("callin")
    page.fill(f"#in-{callin}", str(CALLIN_EXCERPT[0]))
    page.fill(f"#out-{callin}", str(CALLIN_EXCERPT[1]))
    with page.expect_navigation():
        page.locator(f"#item-{callin} form[data-item-form] button[type=submit]").click()
    with live.runtime.read_session() as session:
        programme = session.get(Programme, programme_id)
        assert programme is not None
        items = [dict(i) for i in programme.items]
    assert [i["episode_id"] for i in items] == [ids[name] for name in SOURCES]
    assert [i["role"] for i in items] == [source.role for source in SOURCES.values()]
    assert (items[callin]["in_s"], items[callin]["out_s"]) == CALLIN_EXCERPT
    # The running time against 30:00: every item as long as asked, less a crossfade at each junction.
    lengths = [durations[name] for name in SOURCES]
    lengths[callin] = CALLIN_EXCERPT[1] - CALLIN_EXCERPT[0]
    total = sum(lengths) - CROSSFADE_S * (len(lengths) - 1)
    over = total - SLOT_S
    running = page.inner_text("[data-running-time]")
    minutes, seconds = divmod(round(total), 60)
    assert f"{minutes}:{seconds:02d} of a 30:00 slot" in running, running
    assert f"shortened by {over:.1f} s" in running, running
    assert not page.locator("#timing [data-problem]").count()

    # Render in the UI; the live server runs jobs inline (a worker would leave the page polling the job).
    clicked = time.perf_counter()
    with page.expect_navigation(timeout=900_000):
        page.click("#result button[type=submit]", timeout=900_000)
    page.locator("audio[data-programme-audio]").wait_for(timeout=900_000)
    rendered = time.perf_counter()
    print(f"[30-min programme] render (plan, per-part loudness, mix, master, measure, waveform) "
          f"{rendered - clicked:.1f} s wall")
    with live.runtime.read_session() as session:
        programme = session.get(Programme, programme_id)
        assert programme is not None and programme.status == "ready" and programme.episode_id, programme
        result = session.get(Episode, programme.episode_id)
        assert result is not None
        path = live.runtime.store.path_for(result.sha256, ".mp3")
        cues = sorted(programme.cues, key=lambda c: c["start"])
        parts = list(programme.parts)
        result_id, result_lufs = result.id, result.loudness_lufs
    assert [c["episode_id"] for c in cues] == [ids[name] for name in SOURCES]
    assert abs(cues[-1]["end"] - SLOT_S) < 0.01
    given_up = {name: durations[name] - next(p["out_s"] for p in parts if p["episode_id"] == ids[name])
                for name in ("tune", "outro")}
    assert all(s > 0.5 for s in given_up.values()) and abs(sum(given_up.values()) - over) < 0.1, given_up
    # The music and the jingle gave up the time; speech is never shortened, the call-in plays its excerpt.
    for name in ("talk", "drama", "psa1", "psa2"):
        part = next(p for p in parts if p["episode_id"] == ids[name])
        assert part["in_s"] == 0.0 and abs(part["out_s"] - durations[name]) < 0.01
    excerpt = next(p for p in parts if p["episode_id"] == ids["callin"])
    assert (excerpt["in_s"], excerpt["out_s"]) == CALLIN_EXCERPT

    # 3. The reference meter on the file the station gets.
    settings = live.runtime.settings
    length = ffmpeg_duration(path)
    measured = ffmpeg_loudness(path)
    print(f"[30-min programme] rendered: {length:.2f} s, {measured['I']} LUFS (target {settings.target_lufs}), "
          f"true peak {measured['TP']} dBTP (ceiling {settings.true_peak_dbtp}), {path.stat().st_size / 1e6:.1f} MB")
    assert abs(length - SLOT_S) <= 0.5
    assert abs(measured["I"] - settings.target_lufs) <= 0.5
    assert measured["TP"] <= settings.true_peak_dbtp
    drama = next(p for p in parts if p["episode_id"] == ids["drama"])
    assert peaks["drama"] is not None and peaks["drama"] + drama["gain_db"] > settings.true_peak_dbtp + 3  # limited
    assert f"Loudness {result_lufs:.1f} LUFS" in page.inner_text("#result")
    duration = page.evaluate("""async () => {
        const a = document.querySelector('audio[data-programme-audio]');
        if (a.readyState < 1) await new Promise(r => a.addEventListener('loadedmetadata', r, {once: true}));
        return a.duration;
    }""")
    assert abs(duration - SLOT_S) < 1.0
    screenshot(page, "producer-rundown-30min")

    # 4. A flight on two stations, around bookings already there: the Monday-to-Friday evenings 19:00-21:00 (the
    # form's first window) are taken from 19:00 on one station and from 19:20 on the other, on every weekday.
    today = dt.date.today()
    monday = dt.date(today.year + 3, 6, 1)
    monday += dt.timedelta(days=-monday.weekday())
    stations = [(f"s17a-{tag}", "Asia/Dhaka"), (f"s17b-{tag}", "Asia/Kathmandu")]
    hour, half = _filler(live, tag, 40), _filler(live, tag, 30)
    with live.runtime.session() as session:
        for slug, zone in stations:
            session.add(Station(slug=slug, name=f"Station {slug}", timezone=zone))
        session.flush()
        station_ids = [session.scalars(select(Station.id).where(Station.slug == slug)).one() for slug, _ in stations]
        for k in range(5):
            day = (monday + dt.timedelta(days=k)).isoformat()
            book_broadcast(session, {"station": stations[0][0], "episode_id": hour, "start": f"{day}T19:00"})
            book_broadcast(session, {"station": stations[1][0], "episode_id": half, "start": f"{day}T19:20"})
    before = _intervals(live, station_ids)
    assert [len(v) for v in before.values()] == [5, 5]

    proposed_at = time.perf_counter()
    page.goto(f"{live.url}/flights/new")
    page.fill("#campaign", f"আধঘণ্টা {tag}")
    for slug, _zone in stations:
        page.check(f"input[name=stations][value='{slug}']")
    page.check(f"input[name=episodes][value='{result_id}']")
    page.fill("#per_week", "3")
    page.fill("#from", monday.isoformat())
    page.fill("#to", (monday + dt.timedelta(days=13)).isoformat())
    page.click("#new-flight button[type=submit]")
    page.wait_for_url("**/flights/*")
    flight_id = page.url.split("#")[0].split("?")[0].rsplit("/", 1)[1]
    assert page.locator("#proposal-list tbody tr").count() == 12  # 3 a week × 2 weeks × 2 stations
    with page.expect_navigation():
        page.click("#accept")
    assert "12 airings were booked" in page.inner_text("main")
    print(f"[30-min programme] flight proposed and accepted in the UI in {time.perf_counter() - proposed_at:.1f} s")

    with live.runtime.read_session() as session:
        flight = session.get(Flight, flight_id)
        assert flight is not None and flight.status == "accepted" and len(flight.broadcast_ids) == 12
        booked = session.scalars(select(Broadcast).where(Broadcast.id.in_(flight.broadcast_ids))).all()
        assert {b.episode_id for b in booked} == {result_id}
        assert all(abs(b.duration_s - SLOT_S) < 1.0 for b in booked)
        walls = {(b.station_id, b.local_start) for b in booked}
    after = _intervals(live, station_ids)
    for station_id, (slug, zone) in zip(station_ids, stations, strict=True):
        spans = after[station_id]
        assert len(spans) == 5 + 6, slug
        assert {s[2] for s in before[station_id]} <= {s[2] for s in spans}  # the old bookings are untouched
        for (_s1, end, first), (start, _e2, second) in zip(spans, spans[1:], strict=False):
            assert start >= end, f"{slug}: {first} overlaps {second}"
        mine = sorted(local for sid, local in walls if sid == station_id)
        assert len(mine) == 6
        for local in mine:
            day, clock = local[:10], local[11:16]
            ends = (dt.datetime.fromisoformat(local) + dt.timedelta(minutes=30)).time()
            assert clock >= "19:00" and ends <= dt.time(21, 0), (slug, local)  # inside the window
            if dt.date.fromisoformat(day) < monday + dt.timedelta(days=5):  # a weekday with an old booking
                assert clock == ("19:40" if zone == "Asia/Dhaka" else "19:50"), (slug, local)  # right after it
