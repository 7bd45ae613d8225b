"""Programmes: rundowns planned to the slot, rendered with ffmpeg, measured with ffmpeg's ebur128 as the reference."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from episodes.programme_render import parse_ebur128
from episodes.rundown import BED_DUCK_DB, RundownItem, plan_rundown
from radio.errors import Conflict, InvalidInput
from tests.audio import FFMPEG, ffmpeg_duration, ffmpeg_loudness, noise, tone, write_wav
from tests.ui_helpers import login, page

RATE = 48000
CLICK_S = 0.004


def clicks(seconds: float, at: list[float], *, floor: float = 0.01, seed: int = 1) -> np.ndarray:
    """Stereo low noise with full-scale clicks (4 ms bursts) at the given seconds: peaky, quiet on average."""
    samples = noise(seconds, amplitude=floor, channels=2, seed=seed)
    for t in at:
        start = round(t * RATE)
        samples[start:start + round(CLICK_S * RATE)] = 0.99
    return samples


def click_times(path: Path) -> list[float]:
    """Where the clicks are in a rendered file (decoded by ffmpeg; onsets of bursts above half the maximum)."""
    import subprocess

    raw = subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(RATE), "-f",
                          "f32le", "-"], capture_output=True, check=True).stdout
    signal = np.abs(np.frombuffer(raw, dtype="<f4"))
    above = np.flatnonzero(signal > 0.5 * signal.max())
    onsets = [above[0]] + [b for a, b in zip(above, above[1:], strict=False) if b - a > RATE * 0.2]
    return [i / RATE for i in onsets]


def upload(api: Any, path: Path, **fields: Any) -> dict[str, Any]:
    data = {"title": path.stem, **fields, "file": (io.BytesIO(path.read_bytes()), path.name)}
    response = api.post("/api/v1/episodes", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """48 kHz stereo sources: a jingle, two speech parts, music, a bed (each with clicks where noted)."""
    folder = tmp_path_factory.mktemp("programme-audio")
    return {
        "jingle": write_wav(folder / "jingle.wav", clicks(4.0, [0.5], seed=2)),
        "talk": write_wav(folder / "talk.wav", clicks(20.0, [3.0, 12.0], seed=3)),
        "drama": write_wav(folder / "drama.wav", clicks(15.0, [2.0], floor=0.05, seed=4)),
        "music": write_wav(folder / "music.wav", clicks(30.0, [1.5], floor=0.1, seed=5)),
        "bed": write_wav(folder / "bed.wav", tone(10.0, 220, amplitude=0.3, channels=2)),
        "speech_tone": write_wav(folder / "speech_tone.wav", tone(12.0, 440, amplitude=0.2, channels=2)
                                 + noise(12.0, amplitude=0.02, channels=2, seed=6)),
    }


@pytest.fixture
def library(api_as: Any, sources: dict[str, Path]) -> tuple[Any, dict[str, dict[str, Any]]]:
    """A producer and the sources uploaded (analysed inline: the queue runs immediately)."""
    producer = api_as("producer")
    titles = {"talk": {"title_bn": "আলোচনা", "title_en": "Talk"}, "drama": {"title_en": "Drama", "language": "en"}}
    episodes = {name: upload(producer, path, kind="talk", campaign="safe-migration", districts="Dhaka",
                             **titles.get(name, {})) for name, path in sources.items()}
    return producer, episodes


# --- planning (pure) ----------------------------------------------------------------------------------------

def test_music_is_trimmed_and_speech_kept_whole_to_fill_the_slot() -> None:
    items = [RundownItem("j", 5.0, role="jingle"), RundownItem("s", 40.0, role="speech"),
             RundownItem("m", 60.0, role="music")]
    plan = plan_rundown(items, 80.0, crossfade_s=1.0)
    speech = next(p for p in plan.placements if p.role == "speech")
    assert speech.length_s == pytest.approx(40.0)
    assert plan.placements[-1].end_s == pytest.approx(80.0, abs=0.01)
    assert plan.trimmed_s == pytest.approx(5 + 40 + 60 - 2 - 80, abs=0.02)
    for a, b in zip(plan.placements, plan.placements[1:], strict=False):
        assert b.start_s == pytest.approx(a.end_s - 1.0)  # each junction is a 1 s crossfade
        assert a.fade_out_s >= 1.0 and b.fade_in_s >= 1.0
    assert plan.placements[-1].fade_out_s >= 2.0  # a shortened item ends with a fade


def test_speech_longer_than_the_slot_does_not_fit_and_names_the_overrun() -> None:
    items = [RundownItem("a", 50.0), RundownItem("b", 30.0, in_s=5.0), RundownItem("m", 20.0, role="music")]
    with pytest.raises(Conflict) as caught:
        plan_rundown(items, 60.0)
    assert caught.value.code == "does_not_fit" and caught.value.details["overrun_s"] == pytest.approx(15.0)


def test_a_short_rundown_extends_its_last_music_and_a_bed_loops_under_its_speech() -> None:
    items = [RundownItem("bed", 10.0, role="music", bed=True), RundownItem("s1", 12.0), RundownItem("s2", 12.0),
             RundownItem("m", 8.0, role="music"), RundownItem("s3", 5.0)]
    plan = plan_rundown(items, 60.0, crossfade_s=0.5)
    bed = next(p for p in plan.placements if p.bed)
    s1, s2 = (p for p in plan.placements if p.episode_id in ("s1", "s2"))
    assert (bed.start_s, bed.end_s) == (pytest.approx(s1.start_s), pytest.approx(s2.end_s))
    assert bed.repeats == 3 and bed.extra_gain_db == BED_DUCK_DB
    music = next(p for p in plan.placements if p.episode_id == "m")
    assert music.length_s > 8.0 and music.repeats >= 2 and plan.extended_s == pytest.approx(music.length_s - 8.0)
    assert max(p.end_s for p in plan.placements) == pytest.approx(60.0, abs=0.01)


def test_speech_only_rundowns_end_in_silence_and_bad_points_name_their_field() -> None:
    plan = plan_rundown([RundownItem("s", 20.0)], 30.0)
    assert plan.padded_s == pytest.approx(10.0)
    for item, field in ((RundownItem("s", 20.0, in_s=25.0), "items.0.in_s"),
                        (RundownItem("s", 20.0, in_s=2.0, out_s=21.0), "items.0.out_s"),
                        (RundownItem("s", 20.0, bed=True), "items.0.bed")):
        with pytest.raises(InvalidInput) as caught:
            plan_rundown([item], 30.0)
        assert caught.value.details["field"] == field


def test_the_ebur128_summary_is_parsed() -> None:
    text = ("[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -23.1 LUFS\n"
            "    Threshold: -33.4 LUFS\n\n  Loudness range:\n    LRA:         4.0 LU\n\n"
            "  True peak:\n    Peak:       -1.2 dBFS\n")
    assert parse_ebur128(text) == (-23.1, -1.2)
    assert parse_ebur128("Summary:\n I: -inf LUFS\n True peak:\n Peak: -inf dBFS") == (None, None)


# --- rendering through the API ------------------------------------------------------------------------------

def _programme(api: Any, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    response = api.post("/api/v1/programmes", json=body)
    assert response.status_code == 202, response.get_json()
    created = response.get_json()
    programme = api.get(f"/api/v1/programmes/{created['programme']['id']}").get_json()
    return created, programme


@pytest.mark.slow
def test_a_rundown_renders_to_the_slot_at_the_target_and_clicks_land_where_the_cue_sheet_says(
        library: Any, runtime: Any) -> None:
    producer, eps = library
    body = {"title": "সচেতনতা অনুষ্ঠান", "slot_s": 45.0, "crossfade_s": 0.5, "items": [
        {"episode_id": eps["jingle"]["id"], "role": "jingle"},
        {"episode_id": eps["talk"]["id"], "in_s": 2.0, "out_s": 16.0},
        {"episode_id": eps["drama"]["id"]},
        {"episode_id": eps["music"]["id"], "role": "music"},
    ]}
    created, programme = _programme(producer, body)
    assert programme["status"] == "ready" and programme["stale"] is False, programme
    episode = producer.get(f"/api/v1/episodes/{programme['episode_id']}").get_json()
    assert episode["status"] == "ready" and episode["campaign"] == "safe-migration"
    assert episode["districts"] == ["Dhaka"] and episode["language"] == "bn"
    path = runtime.store.path_for(episode["broadcast"]["sha256"], ".mp3")
    assert episode["sha256"] == episode["broadcast"]["sha256"]
    # The reference meter on the output file.
    assert abs(ffmpeg_duration(path) - 45.0) <= 0.5
    measured = ffmpeg_loudness(path)
    assert measured["I"] == pytest.approx(runtime.settings.target_lufs, abs=0.5)
    assert measured["TP"] <= runtime.settings.true_peak_dbtp
    # Provenance: every part with its audio's hash, points and gain.
    parts = programme["parts"]
    assert [p["episode_id"] for p in parts] == [i["episode_id"] for i in body["items"]]
    assert [p["sha256"] for p in parts] == [eps[n]["sha256"] for n in ("jingle", "talk", "drama", "music")]
    assert parts[1]["in_s"] == 2.0 and parts[1]["out_s"] == 16.0
    assert parts[3]["out_s"] < 30.0  # the music was shortened to fit
    assert all(math.isfinite(p["gain_db"]) for p in parts)
    # The cue sheet, and the clicks where it says they are.
    sheet = producer.get(f"/api/v1/episodes/{programme['episode_id']}/cue-sheet.csv")
    assert sheet.status_code == 200 and sheet.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(sheet.get_data(as_text=True))))
    assert list(rows[0]) == ["start", "end", "title_bn", "title_en", "role", "episode_id"]
    assert [r["role"] for r in rows] == ["jingle", "speech", "speech", "music"]
    assert rows[1]["title_bn"] == "আলোচনা" and rows[1]["title_en"] == "Talk" and rows[2]["title_en"] == "Drama"
    assert float(rows[-1]["end"]) == pytest.approx(45.0, abs=0.01)
    starts = [float(r["start"]) for r in rows]
    expected = [starts[0] + 0.5, starts[1] + 1.0, starts[1] + 10.0, starts[2] + 2.0, starts[3] + 1.5]
    found = click_times(path)
    assert len(found) == len(expected), (found, expected)
    for got, want in zip(found, expected, strict=True):
        assert got == pytest.approx(want, abs=0.015)


@pytest.mark.slow
def test_a_bed_under_speech_and_an_extended_tune_fill_a_longer_slot(library: Any, runtime: Any) -> None:
    producer, eps = library
    body = {"title": "Bed and tune", "language": "en", "slot_s": 40.0, "crossfade_s": 1.0, "items": [
        {"episode_id": eps["bed"]["id"], "role": "music", "bed": True},
        {"episode_id": eps["speech_tone"]["id"]},
        {"episode_id": eps["speech_tone"]["id"], "in_s": 1.0, "out_s": 11.0, "fade_in_s": 0.2},
        {"episode_id": eps["jingle"]["id"], "role": "music"},
    ]}
    _, programme = _programme(producer, body)
    assert programme["status"] == "ready", programme
    episode = producer.get(f"/api/v1/episodes/{programme['episode_id']}").get_json()
    path = runtime.store.path_for(episode["sha256"], ".mp3")
    assert abs(ffmpeg_duration(path) - 40.0) <= 0.5
    measured = ffmpeg_loudness(path)
    assert measured["I"] == pytest.approx(-23.0, abs=0.5) and measured["TP"] <= -1.0
    bed = next(p for p in programme["parts"] if p["bed"])
    tone_gain = programme["parts"][1]["gain_db"]
    assert bed["gain_db"] < tone_gain - 5  # ducked under the speech
    cues = {c["index"]: c for c in programme["cues"]}
    assert cues[0]["start"] == cues[1]["start"] and cues[0]["end"] == cues[2]["end"]
    assert cues[3]["end"] == pytest.approx(40.0, abs=0.01)  # the tune was repeated up to the end of the slot


def test_overrunning_speech_and_unbroadcastable_parts_are_refused(library: Any, api_as: Any,
                                                                  sources: dict[str, Path]) -> None:
    producer, eps = library
    body = {"title": "Too long", "slot_s": 25.0,
            "items": [{"episode_id": eps["talk"]["id"]}, {"episode_id": eps["drama"]["id"]}]}
    response = producer.post("/api/v1/programmes", json=body)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "does_not_fit" and error["overrun_s"] == pytest.approx(10.0, abs=0.05)
    assert "10.0 s longer" in error["message"]
    secret = upload(producer, write_wav(sources["talk"].parent / "interview.wav", tone(5.0, 300, channels=2)),
                    kind="interview")
    assert secret["restricted"] is True
    response = producer.post("/api/v1/programmes", json={"title": "x", "slot_s": 30, "items": [
        {"episode_id": eps["talk"]["id"]}, {"episode_id": secret["id"]}]})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "part_not_broadcastable"
    assert response.get_json()["error"]["field"] == "items.1.episode_id"
    station = api_as("station")
    assert station.post("/api/v1/programmes", json=body).status_code == 403


BAD_RUNDOWNS: list[tuple[dict[str, Any], str]] = [
    ({"slot_s": 0}, "slot_s"), ({"slot_s": "1e400"}, "slot_s"), ({"slot_s": 10 ** 9}, "slot_s"),
    ({"items": []}, "items"), ({"title": "  "}, "title"), ({"title": "a\x00b"}, "title"),
    ({"items": [{"episode_id": "E", "in_s": 5, "out_s": 2}]}, "items.0.out_s"),
    ({"items": [{"episode_id": "E", "in_s": -1}]}, "items.0.in_s"),
    ({"items": [{"episode_id": "E", "role": "speech", "bed": True}]}, "items.0.bed"),
    ({"items": [{"episode_id": "E", "bed": "yes"}]}, "items.0.bed"),
    ({"items": [{"episode_id": "E", "role": "sermon"}]}, "items.0.role"),
    ({"items": [{"episode_id": "E", "out_s": 999}]}, "items.0.out_s"),
    ({"items": [{"episode_id": "E", "in_s": 13}]}, "items.0.in_s"),
    ({"items": [{"episode_id": "E"}] * 201}, "items"),
    ({"colour": "red"}, "colour"),
]


def test_bad_rundowns_get_a_400_naming_the_field_and_leave_nothing(api_as: Any, runtime: Any,
                                                                   sources: dict[str, Path]) -> None:
    from sqlalchemy import func, select

    from episodes.programme_models import Programme

    producer = api_as("producer")
    episode = upload(producer, sources["speech_tone"])  # 12 s
    for change, field in BAD_RUNDOWNS:
        body: dict[str, Any] = {"title": "P", "slot_s": 60, "items": [{"episode_id": "E"}], **change}
        body["items"] = [{**i, "episode_id": episode["id"]} if i.get("episode_id") == "E" else i
                         for i in body["items"]]
        response = producer.post("/api/v1/programmes", json=body)
        assert response.status_code == 400, (change, response.get_json())
        assert response.get_json()["error"]["field"] == field, change
    missing = producer.post("/api/v1/programmes", json={"title": "P", "slot_s": 60,
                                                        "items": [{"episode_id": "0" * 32}]})
    assert missing.status_code == 404 and missing.get_json()["error"]["field"] == "items.0.episode_id"
    assert producer.post("/api/v1/programmes", data="{", content_type="application/json").status_code == 400
    with runtime.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Programme)) == 0


@pytest.mark.slow
def test_a_part_that_becomes_restricted_makes_the_programme_stale_and_rerendering_is_one_action(
        library: Any, runtime: Any) -> None:
    producer, eps = library
    _, programme = _programme(producer, {"title": "Stale", "slot_s": 20, "items": [
        {"episode_id": eps["jingle"]["id"], "role": "jingle"}, {"episode_id": eps["speech_tone"]["id"]}]})
    assert programme["status"] == "ready" and not programme["stale"]
    url = f"/api/v1/programmes/{programme['id']}"
    again = producer.post(f"{url}/render")  # one action renders it again, into the same episode
    assert again.status_code == 202
    after = producer.get(url).get_json()
    assert after["status"] == "ready" and after["episode_id"] == programme["episode_id"]
    assert after["job"]["id"] == again.get_json()["job"]["id"] != programme["job"]["id"]
    assert producer.delete(f"/api/v1/episodes/{eps['jingle']['id']}").status_code == 409  # part of a programme
    patched = producer.patch(f"/api/v1/episodes/{eps['speech_tone']['id']}", json={"restricted": True})
    assert patched.status_code == 200
    now = producer.get(url).get_json()
    assert now["stale"] is True and any("broadcastable" in r for r in now["stale_reasons"])
    refused = producer.post(f"{url}/render")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "part_not_broadcastable"
    assert producer.get(url).get_json()["job"]["id"] == again.get_json()["job"]["id"]  # nothing was queued
    from radio.models import Job

    with runtime.session() as session:  # a render still running: a second one is refused
        job = session.get(Job, again.get_json()["job"]["id"])
        assert job is not None
        job.status = "running"
    busy = producer.post(f"{url}/render")
    assert busy.status_code == 409 and busy.get_json()["error"]["code"] == "render_in_progress"
    assert producer.get("/api/v1/programmes/nope").status_code == 404
    not_programme = producer.get(f"/api/v1/episodes/{eps['talk']['id']}/cue-sheet.csv")
    assert not_programme.status_code == 404


@pytest.mark.slow
def test_a_stale_programme_flags_its_airings_to_come_until_it_is_rendered_again(
        library: Any, runtime: Any, make_station: Any, client: Any) -> None:
    import datetime as dt

    from radio.db import utcnow
    from tests.ui_helpers import login, page

    producer, eps = library
    make_station("radio-padma")
    _, programme = _programme(producer, {"title": "Airing soon", "slot_s": 20, "items": [
        {"episode_id": eps["jingle"]["id"], "role": "jingle"}, {"episode_id": eps["speech_tone"]["id"]},
        {"episode_id": eps["talk"]["id"], "in_s": 0, "out_s": 3}]})
    first = (utcnow() - dt.timedelta(days=2)).date()
    booked = producer.post("/api/v1/broadcasts", json={
        "station": "radio-padma", "episode_id": programme["episode_id"], "start": f"{first.isoformat()}T20:00",
        "rrule": "FREQ=DAILY;COUNT=5"})
    assert booked.status_code == 201, booked.get_json()
    window = f"from={(first - dt.timedelta(days=1)).isoformat()}&to={(first + dt.timedelta(days=7)).isoformat()}"

    def listing() -> dict[str, Any]:
        answer = producer.get(f"/api/v1/broadcasts?station=radio-padma&{window}").get_json()
        return dict(next(b for b in answer["items"] if b["id"] == booked.get_json()["id"]))

    fresh = listing()
    assert fresh["stale_programme"] is None and not any(o["stale"] for o in fresh["occurrences"])
    assert producer.patch(f"/api/v1/episodes/{eps['talk']['id']}", json={"restricted": True}).status_code == 200
    flagged = listing()
    assert flagged["stale_programme"]["programme_id"] == programme["id"]
    assert any("broadcastable" in r for r in flagged["stale_programme"]["reasons"])
    now = utcnow()
    for occurrence in flagged["occurrences"]:  # only the airings still to come are flagged; the past are kept
        assert occurrence["stale"] is (dt.datetime.fromisoformat(occurrence["start"]) > now), occurrence
    assert any(o["stale"] for o in flagged["occurrences"]) and not all(o["stale"] for o in flagged["occurrences"])
    login(client, runtime, "producer", email="week-viewer@example.org")
    week_url = f"/schedule/radio-padma?week={(now + dt.timedelta(days=1)).date().isoformat()}"
    week = page(client, week_url)
    assert "data-stale-airing" in week and f"/programmes/{programme['id']}#result" in week
    # The restricted part cannot be rendered again: take it out of the rundown, and one render clears the flags.
    url = f"/api/v1/programmes/{programme['id']}"
    assert producer.post(f"{url}/render").get_json()["error"]["code"] == "part_not_broadcastable"
    items = producer.get(url).get_json()["items"][:2]
    assert producer.put(f"{url}/rundown", json={"items": items}).status_code == 200
    assert producer.post(f"{url}/render").status_code == 202
    cleared = listing()
    assert cleared["stale_programme"] is None and not any(o["stale"] for o in cleared["occurrences"])
    assert "data-stale-airing" not in page(client, week_url)


@pytest.fixture(scope="module")
def uneven(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A show quiet for 10 s then loud for 10 s (its integrated loudness is the loud part's), and a steady talk."""
    folder = tmp_path_factory.mktemp("uneven-audio")
    show = np.concatenate([tone(10.0, 330, amplitude=0.01, channels=2), tone(10.0, 330, amplitude=0.5, channels=2)])
    return {"show": write_wav(folder / "show.wav", show),
            "steady": write_wav(folder / "steady.wav", tone(10.0, 550, amplitude=0.1, channels=2))}


def _range_loudness(path: Path, start: float, length: float, folder: Path) -> float:
    import subprocess

    cut = folder / f"cut-{start}.wav"
    subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-y", "-ss", str(start), "-t", str(length), "-i", str(path),
                    str(cut)], check=True)
    return ffmpeg_loudness(cut)["I"]


@pytest.mark.slow
def test_each_item_is_loudness_matched_over_its_own_in_out_range(api_as: Any, runtime: Any, uneven: dict[str, Path],
                                                                  tmp_path: Path, client: Any) -> None:
    producer = api_as("producer")
    show, steady = (upload(producer, uneven[n], kind="talk") for n in ("show", "steady"))
    body = {"title": "Quiet excerpt", "language": "en", "slot_s": 20.0, "items": [
        {"episode_id": show["id"], "in_s": 0.0, "out_s": 10.0},  # only the quiet part of a loud show
        {"episode_id": steady["id"]},
    ]}
    _, programme = _programme(producer, body)
    assert programme["status"] == "ready", programme
    # Against the whole show's loudness the excerpt would be turned down ~14 dB; over its range it goes up ~23.
    assert programme["parts"][0]["gain_db"] > 15.0, programme["parts"]
    episode = producer.get(f"/api/v1/episodes/{programme['episode_id']}").get_json()
    path = runtime.store.path_for(episode["sha256"], ".mp3")
    excerpt, talk = (_range_loudness(path, start, 9.0, tmp_path) for start in (0.5, 10.5))
    assert excerpt == pytest.approx(talk, abs=1.5), (excerpt, talk)
    assert ffmpeg_loudness(path)["I"] == pytest.approx(runtime.settings.target_lufs, abs=0.5)
    # The programme has a waveform like any episode (one peak per 100 ms), showing both halves at one level.
    peaks = episode["peaks"]
    assert len(peaks) == pytest.approx(200, abs=2) and max(peaks) > 0.05
    first, second = float(np.median(peaks[10:90])), float(np.median(peaks[110:190]))
    assert 0.5 < first / second < 2.0, (first, second)
    login(client, runtime, "producer", email="editor@example.org")
    editor = page(client, f"/programmes/{programme['id']}")
    assert '<svg class="waveform" ' in editor and "data-player" in editor
