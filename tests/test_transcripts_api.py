"""Transcripts through the API with a scripted backend: jobs, access, redaction, corrections, exports, evidence."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
import wave
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from episodes.models import Episode
from radio.config import Settings
from radio.models import Job
from radio.redaction import PHONE_MASK
from radio.runtime import Runtime
from transcripts.engine import (
    DecodeOptions,
    SegmentResult,
    TranscriptionResult,
    WordResult,
    confidence_from_logprob,
    register_backend,
)
from transcripts.models import Segment, SegmentRevision, Transcript
from transcripts.whisper_models import ResolvedModel

DATA = Path(__file__).parent / "data"
PHONE = "01711-123456"
FIRST = f"Please call me on {PHONE} tonight."
SECOND = "The river is high near the village."


class ScriptedTranscriber:
    """Returns two fixed segments (one with a phone number, one of low confidence) and reports progress."""

    name = "scripted"

    def __init__(self, settings: Settings, model: ResolvedModel) -> None:
        self.model = model

    def transcribe(self, audio: np.ndarray, options: DecodeOptions, progress: Any = None) -> TranscriptionResult:
        for fraction in (0.25, 0.5, 1.0):
            if progress is not None:
                progress(fraction)
        words = [WordResult(0.0, 0.4, " Please", 0.9), WordResult(0.4, 0.6, " call", 0.9),
                 WordResult(0.6, 0.7, " me", 0.9), WordResult(0.7, 0.8, " on", 0.9),
                 WordResult(0.8, 1.1, " 01711-", 0.8), WordResult(1.1, 1.3, "123456", 0.8),
                 WordResult(1.3, 1.5, " tonight.", 0.9)]
        segments = [
            SegmentResult(0.0, 1.5, FIRST, -0.2, 0.05, 1.0, confidence_from_logprob(-0.2), False, words),
            SegmentResult(2.0, 3.5, SECOND, -1.5, 0.1, 1.0, confidence_from_logprob(-1.5), True, []),
        ]
        auto = options.language == "auto"
        return TranscriptionResult(language="en" if auto else options.language,
                                   language_probability=0.97 if auto else 1.0, duration_s=len(audio) / 16000,
                                   segments=segments, params=asdict(options), backend=self.name,
                                   versions={"faster_whisper": "0-test", "ctranslate2": "0-test"})


register_backend("scripted")(ScriptedTranscriber)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"RADIO_WHISPER_BACKEND": "scripted"}


def _noise_wav(path: Path, seed: int) -> Path:
    samples = (np.random.default_rng(seed).standard_normal(16000) * 3000).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(samples.tobytes())
    return path


@pytest.fixture
def make_episode(runtime: Runtime, tmp_path: Path) -> Any:
    """Store audio in the media store and add an Episode row directly; returns its id."""
    counter = {"n": 0}

    def make(title: str = "Listener call-in", audio: Path | None = None, **fields: Any) -> str:
        counter["n"] += 1
        if audio is None:
            audio = _noise_wav(tmp_path / f"noise{counter['n']}.wav", counter["n"])
        suffix = audio.suffix
        sha, _ = runtime.store.put_file(audio, suffix)
        with runtime.session() as session:
            episode = Episode(title=title, sha256=sha, media_suffix=suffix, language=fields.pop("language", "en"),
                              kind=fields.pop("kind", "call_in"), **fields)
            session.add(episode)
        return episode.id

    return make


def transcribe(api: Any, episode_id: str, **body: Any) -> Any:
    return api.post(f"/api/v1/episodes/{episode_id}/transcribe", json=body or {"language": "auto"})


def transcribed(api: Any, episode_id: str) -> dict[str, Any]:
    response = transcribe(api, episode_id)
    assert response.status_code == 202, response.get_json()
    doc = api.get(f"/api/v1/episodes/{episode_id}/transcript").get_json()
    return doc


def test_transcribe_queues_a_job_and_shows_the_transcript_with_provenance(api_as: Any, make_episode: Any,
                                                                          runtime: Runtime) -> None:
    producer, researcher = api_as("producer"), api_as("researcher")
    episode_id = make_episode()
    response = transcribe(producer, episode_id, language="auto")
    assert response.status_code == 202
    job = response.get_json()["job"]
    assert set(job) >= {"id", "status"}
    status = producer.get(f"/api/v1/jobs/{job['id']}").get_json()
    assert status["status"] == "done" and status["progress"] == 1.0 and status["error"] is None
    assert status["result"]["segments"] == 2

    doc = researcher.get(f"/api/v1/episodes/{episode_id}/transcript").get_json()
    assert doc["episode_id"] == episode_id and doc["language"] == "en" and doc["language_probability"] == 0.97
    assert doc["revision"] == 0
    seg = doc["segments"][1]
    assert {"id", "start", "end", "text", "confidence", "words"} <= set(seg)
    assert (seg["start"], seg["end"], seg["text"]) == (2.0, 3.5, SECOND)
    assert 0 <= seg["confidence"] <= 1 and seg["needs_review"] is True
    assert doc["segments"][0]["words"][1] == {"start": 0.4, "end": 0.6, "word": " call", "probability": 0.9}
    prov = doc["provenance"]
    with runtime.read_session() as session:
        episode = session.get(Episode, episode_id)
        assert episode is not None
        assert prov["audio_sha256"] == episode.sha256
    assert prov["model"] == "tiny.en" and len(prov["model_sha256"]) == 64
    assert prov["params"]["language"] == "auto" and prov["params"]["beam_size"] == 5
    assert prov["backend"] == "scripted" and prov["faster_whisper_version"] == "0-test"
    assert prov["worker_host"] and prov["started_at"] <= prov["finished_at"] and prov["created_at"]
    assert prov["job_id"] == job["id"]


def test_progress_is_recorded_while_the_job_runs(api_as: Any, make_episode: Any, runtime: Runtime,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, float]] = []
    original = ScriptedTranscriber.transcribe

    def slow(self: ScriptedTranscriber, audio: np.ndarray, options: DecodeOptions, progress: Any = None) -> Any:
        for fraction in (0.4, 0.8):
            time.sleep(0.55)  # progress is written at most twice a second
            progress(fraction)
            with runtime.read_session() as session:
                job = session.scalars(select(Job)).one()
                seen.append((job.status, job.progress))
        return original(self, audio, options, None)

    monkeypatch.setattr(ScriptedTranscriber, "transcribe", slow)
    producer = api_as("producer")
    queued = transcribe(producer, make_episode()).get_json()["job"]
    job = producer.get(f"/api/v1/jobs/{queued['id']}").get_json()  # it ran after the request committed
    assert seen == [("running", 0.4), ("running", 0.8)]
    assert job["status"] == "done" and job["progress"] == 1.0


def test_access_rules(api_as: Any, make_episode: Any, client: Any) -> None:
    admin, researcher, producer, station = api_as("admin"), api_as("researcher"), api_as("producer"), api_as("station")
    open_id, secret_id = make_episode("Drama"), make_episode("Survivor interview", restricted=True, kind="interview")
    for episode_id in (open_id, secret_id):
        assert transcribe(admin, episode_id).status_code == 202
    assert client.get(f"/api/v1/episodes/{open_id}/transcript").status_code == 401
    assert station.get(f"/api/v1/episodes/{open_id}/transcript").status_code == 403
    assert transcribe(station, open_id).status_code == 403
    assert producer.get(f"/api/v1/episodes/{open_id}/transcript").status_code == 200
    for api in (station, producer):  # a restricted episode does not exist for them
        for url in (f"/api/v1/episodes/{secret_id}/transcript", f"/api/v1/episodes/{secret_id}/transcript.srt"):
            response = api.get(url)
            assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert researcher.get(f"/api/v1/episodes/{secret_id}/transcript").status_code == 200
    secret_segment = researcher.get(f"/api/v1/episodes/{secret_id}/transcript").get_json()["segments"][0]["id"]
    assert producer.get(f"/api/v1/segments/{secret_segment}/revisions").status_code == 404
    # Producers may not correct at all: the same 403 for any segment id, so nothing leaks.
    assert producer.patch(f"/api/v1/segments/{secret_segment}", json={"text": "x"}).status_code == 403
    assert producer.patch("/api/v1/segments/nope", json={"text": "x"}).status_code == 403
    open_segment = producer.get(f"/api/v1/episodes/{open_id}/transcript").get_json()["segments"][0]["id"]
    assert producer.patch(f"/api/v1/segments/{open_segment}", json={"text": "x"}).status_code == 403
    assert transcribe(producer, secret_id).status_code == 202  # producers may start it, not read it


def test_phone_numbers_are_redacted_for_everyone_but_admins(api_as: Any, make_episode: Any,
                                                            runtime: Runtime) -> None:
    admin, researcher = api_as("admin"), api_as("researcher")
    episode_id = make_episode(f"Call-in from {PHONE}")
    seen = transcribed(researcher, episode_id)
    assert seen["redacted"] is True and seen["title"] == f"Call-in from {PHONE_MASK}"
    first = seen["segments"][0]
    assert first["text"] == f"Please call me on {PHONE_MASK} tonight." and PHONE not in json.dumps(seen)
    assert "".join(w["word"] for w in first["words"]) == f" Please call me on {PHONE_MASK} tonight."
    for fmt in ("txt", "srt", "vtt", "json"):
        body = researcher.get(f"/api/v1/episodes/{episode_id}/transcript.{fmt}").get_data(as_text=True)
        assert PHONE_MASK in body and "01711" not in body
    evidence = researcher.get("/api/v1/evidence?format=csv").get_data(as_text=True)
    assert PHONE_MASK in evidence and "01711" not in evidence
    history = researcher.get(f"/api/v1/segments/{first['id']}/revisions").get_json()
    assert "01711" not in json.dumps(history)
    assert admin.get(f"/api/v1/episodes/{episode_id}/transcript").get_json()["segments"][0]["text"] == FIRST
    with runtime.read_session() as session:  # stored unredacted
        assert session.get(Segment, first["id"]).text == FIRST  # type: ignore[union-attr]


def test_corrections_keep_the_machine_text_and_every_revision(api_as: Any, make_episode: Any,
                                                              runtime: Runtime) -> None:
    researcher, admin = api_as("researcher"), api_as("admin")
    episode_id = make_episode()
    seg_id = transcribed(researcher, episode_id)["segments"][1]["id"]
    first = researcher.patch(f"/api/v1/segments/{seg_id}", json={"text": "The river is high near the villages."})
    assert first.status_code == 200 and first.get_json()["revision"] == 1
    assert first.get_json()["machine_text"] == SECOND
    same = researcher.patch(f"/api/v1/segments/{seg_id}", json={"text": " The river is high near the villages. "})
    assert same.get_json()["revision"] == 1  # unchanged text: no new revision
    second = admin.patch(f"/api/v1/segments/{seg_id}", json={"text": "নদী উঁচু।", "note": "Bangla original"})
    assert second.get_json()["revision"] == 2

    doc = researcher.get(f"/api/v1/episodes/{episode_id}/transcript").get_json()
    assert doc["revision"] == 2 and doc["segments"][1]["text"] == "নদী উঁচু।"
    history = researcher.get(f"/api/v1/segments/{seg_id}/revisions").get_json()
    items = history["items"]
    assert [i["revision"] for i in items] == [0, 1, 2] and items[0]["text"] == SECOND
    assert items[0]["author"] is None and items[0]["source"] == "scripted tiny.en"
    assert items[1]["author"]["id"] == researcher.user_id and items[2]["author"]["id"] == admin.user_id
    assert items[2]["note"] == "Bangla original" and items[1]["created_at"] <= items[2]["created_at"]

    machine = researcher.get(f"/api/v1/episodes/{episode_id}/transcript?revision=machine").get_json()
    assert machine["revision"] == 0 and machine["segments"][1]["text"] == SECOND
    at_one = researcher.get(f"/api/v1/episodes/{episode_id}/transcript.txt?revision=1").get_data(as_text=True)
    assert "near the villages." in at_one and "# revision: 1" in at_one
    current_srt = researcher.get(f"/api/v1/episodes/{episode_id}/transcript.srt").get_data(as_text=True)
    assert "নদী উঁচু।" in current_srt
    for bad, code in (("7", 404), ("latest", 400), ("-1", 400)):
        assert researcher.get(f"/api/v1/episodes/{episode_id}/transcript?revision={bad}").status_code == code
    with runtime.read_session() as session:
        assert session.scalar(select(func.count()).select_from(SegmentRevision)) == 2


def test_bad_corrections_are_rejected_and_change_nothing(api_as: Any, make_episode: Any, runtime: Runtime) -> None:
    researcher = api_as("researcher")
    seg_id = transcribed(researcher, make_episode())["segments"][0]["id"]
    cases = [({"text": 5}, 400), ({}, 400), ({"text": "x" * 5001}, 400), ({"text": "ok", "note": ["x"]}, 400)]
    for body, status in cases:
        response = researcher.patch(f"/api/v1/segments/{seg_id}", json=body)
        assert response.status_code == status and "message" in response.get_json()["error"]
    assert researcher.patch(f"/api/v1/segments/{seg_id}", data="text=1",
                            headers={"Content-Type": "text/plain"}).status_code == 400
    assert researcher.patch("/api/v1/segments/nope", json={"text": "x"}).status_code == 404
    assert researcher.get("/api/v1/segments/nope/revisions").status_code == 404
    with runtime.read_session() as session:
        assert session.scalar(select(func.count()).select_from(SegmentRevision)) == 0
        assert session.get(Segment, seg_id).revision == 0  # type: ignore[union-attr]


def _counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.read_session() as session:
        return (session.scalar(select(func.count()).select_from(Transcript)) or 0,
                session.scalar(select(func.count()).select_from(Segment)) or 0)


def test_rerun_replaces_the_transcript_and_respects_corrections(api_as: Any, make_episode: Any,
                                                                runtime: Runtime) -> None:
    researcher = api_as("researcher")
    episode_id = make_episode()
    first = transcribed(researcher, episode_id)
    again = transcribed(researcher, episode_id)
    assert _counts(runtime) == (1, 2) and again["transcript_id"] != first["transcript_id"]
    researcher.patch(f"/api/v1/segments/{again['segments'][0]['id']}", json={"text": "corrected"})
    refused = transcribe(researcher, episode_id)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "has_corrections"
    assert transcribe(researcher, episode_id, language="en", replace=True).status_code == 202
    assert _counts(runtime) == (1, 2)
    doc = researcher.get(f"/api/v1/episodes/{episode_id}/transcript").get_json()
    assert doc["revision"] == 0 and doc["language"] == "en"


def test_codes_show_in_evidence_and_protect_the_transcript(api_as: Any, make_episode: Any,
                                                           runtime: Runtime) -> None:
    from radio.jobs import run_job
    from transcripts.coding import apply_code, create_code
    from transcripts.services import request_transcription

    researcher = api_as("researcher")
    episode_id = make_episode()
    seg_id = transcribed(researcher, episode_id)["segments"][1]["id"]
    with runtime.session() as session:
        request_transcription(session, episode_id, "en", None)  # queued before anyone coded
        job_id = session.scalar(select(Job.id).where(Job.status == "queued"))
        create_code(session, {"name": "Recruitment"})
        create_code(session, {"name": "Debt bondage"})
        apply_code(session, seg_id, {"code": "recruitment"})
        apply_code(session, seg_id, {"code": "Debt bondage"})
    items = researcher.get("/api/v1/evidence?format=json").get_json()["items"]
    assert [i["codes"] for i in items] == [[], ["Debt bondage", "Recruitment"]]
    coded = researcher.get("/api/v1/evidence?format=json&code=recruitment").get_json()["items"]
    assert [i["segment_id"] for i in coded] == [seg_id]
    refused = transcribe(researcher, episode_id)
    assert refused.status_code == 409 and refused.get_json()["error"]["coded_segments"] == 1
    assert job_id is not None  # it ran once that unit of work committed (immediate mode) and refused to wipe them
    assert run_job(runtime, job_id) == "skipped"
    with runtime.read_session() as session:
        assert session.get(Job, job_id).status == "failed"
    with runtime.read_session() as session:
        assert "coded segments" in (session.get(Job, job_id).error or "")  # type: ignore[union-attr]
    assert researcher.get(f"/api/v1/segments/{seg_id}/revisions").status_code == 200


def test_a_crashed_run_leaves_the_previous_transcript_and_a_rerun_recovers(
        api_as: Any, make_episode: Any, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    from radio.jobs import run_job

    researcher = api_as("researcher")
    episode_id = make_episode()
    before = transcribed(researcher, episode_id)
    calls = {"n": 0}

    def crash_on_second(self: SegmentResult) -> list[dict[str, Any]]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed while writing")
        return [asdict(w) for w in self.words]

    monkeypatch.setattr(SegmentResult, "words_json", crash_on_second)
    job_id = transcribe(researcher, episode_id).get_json()["job"]["id"]
    job = researcher.get(f"/api/v1/jobs/{job_id}").get_json()
    assert job["status"] == "failed" and "worker killed" in job["error"]
    after = researcher.get(f"/api/v1/episodes/{episode_id}/transcript").get_json()
    assert after["transcript_id"] == before["transcript_id"] and _counts(runtime) == (1, 2)

    monkeypatch.undo()
    # A worker that died mid-job: its row stays "running" without heartbeats until the lease runs out.
    with runtime.session() as session:
        session.execute(update(Job).where(Job.id == job_id).values(
            status="running", error=None, heartbeat_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    assert run_job(runtime, job_id) == "done"
    assert _counts(runtime) == (1, 2)


def test_failures_are_recorded_readably(api_as: Any, make_episode: Any, runtime: Runtime) -> None:
    researcher = api_as("researcher")
    episode_id = make_episode()
    with runtime.read_session() as session:
        episode = session.get(Episode, episode_id)
        assert episode is not None
        runtime.store.remove(episode.sha256, episode.media_suffix)
    job_id = transcribe(researcher, episode_id).get_json()["job"]["id"]
    job = researcher.get(f"/api/v1/jobs/{job_id}").get_json()
    assert job["status"] == "failed" and "missing from the media store" in job["error"]
    assert researcher.get(f"/api/v1/episodes/{episode_id}/transcript").get_json()["error"]["code"] == "no_transcript"


@pytest.mark.parametrize("body, status, code", [
    ({"language": "fr"}, 400, "invalid_language"),
    ({"language": "bn"}, 400, "model_language"),  # the test model tiny.en is English-only
    ({"language": "en", "replace": "yes"}, 400, "invalid_replace"),
])
def test_bad_transcribe_requests(api_as: Any, make_episode: Any, runtime: Runtime, body: dict[str, Any],
                                 status: int, code: str) -> None:
    producer = api_as("producer")
    response = producer.post(f"/api/v1/episodes/{make_episode()}/transcribe", json=body)
    assert response.status_code == status and response.get_json()["error"]["code"] == code
    with runtime.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0
    assert producer.post("/api/v1/episodes/nope/transcribe", json={}).status_code == 404
    assert producer.post(f"/api/v1/episodes/{make_episode()}/transcribe", data="{",
                         content_type="application/json").status_code == 400


def test_export_formats(api_as: Any, make_episode: Any) -> None:
    researcher = api_as("researcher")
    episode_id = make_episode()
    transcribed(researcher, episode_id)
    expected = {"txt": "text/plain", "srt": "application/x-subrip", "vtt": "text/vtt", "json": "application/json"}
    for fmt, mime in expected.items():
        response = researcher.get(f"/api/v1/episodes/{episode_id}/transcript.{fmt}")
        assert response.status_code == 200 and response.mimetype == mime
        assert response.headers["Content-Disposition"] == f'attachment; filename="{episode_id}.{fmt}"'
    srt = researcher.get(f"/api/v1/episodes/{episode_id}/transcript.srt").get_data(as_text=True)
    assert "2\n00:00:02,000 --> 00:00:03,500\nThe river is high near the village." in srt
    vtt = researcher.get(f"/api/v1/episodes/{episode_id}/transcript.vtt").get_data(as_text=True)
    assert vtt.startswith("WEBVTT") and "NOTE provenance" in vtt and "00:00:02.000 --> 00:00:03.500" in vtt
    data = researcher.get(f"/api/v1/episodes/{episode_id}/transcript.json").get_json()
    assert data["provenance"]["model"] == "tiny.en" and len(data["segments"]) == 2
    assert researcher.get(f"/api/v1/episodes/{episode_id}/transcript.doc").status_code == 404


def test_evidence_log_with_filters(api_as: Any, make_episode: Any, make_station: Any, runtime: Runtime) -> None:
    from schedule.models import Broadcast

    researcher, producer = api_as("researcher"), api_as("producer")
    a = make_episode("Call-in Dhaka", districts=["Dhaka"], campaign="safe-migration",
                     recorded_on=dt.date(2024, 3, 1))
    b = make_episode("Interview Narsingdi", districts=["Narsingdi"], campaign="safe-migration", kind="interview",
                     recorded_on=dt.date(2024, 5, 1), restricted=True)
    c = make_episode("Drama", districts=["Manikganj"], campaign="other", kind="drama", language="bn")
    make_episode("Not transcribed", districts=["Dhaka"])
    for episode_id in (a, b, c):
        transcribed(researcher, episode_id)

    def log(query: str) -> dict[str, Any]:
        response = researcher.get(f"/api/v1/evidence?format=json&{query}")
        assert response.status_code == 200, response.get_json()
        return json.loads(response.get_data(as_text=True))

    everything = log("")
    assert everything["count"] == 6 and len(everything["transcripts"]) == 3
    assert [i["episode_id"] for i in everything["items"][:4]] == [a, a, b, b]  # by recorded date
    item = everything["items"][0]
    assert item["title"] == "Call-in Dhaka" and item["districts"] == ["Dhaka"] and item["codes"] == []
    assert item["recorded_on"] == "2024-03-01" and item["start"] == 0.0 and item["end"] == 1.5
    assert item["model"] == "tiny.en" and len(item["audio_sha256"]) == 64 and item["revision"] == 0
    assert {i["episode_id"] for i in log("district=narsingdi")["items"]} == {b}
    assert {i["episode_id"] for i in log("campaign=safe-migration&kind=call_in")["items"]} == {a}
    assert {i["episode_id"] for i in log("from=2024-04-01&to=2024-06-30")["items"]} == {b}
    assert {i["episode_id"] for i in log("language=bn")["items"]} == {c}
    assert {i["episode_id"] for i in log(f"episode_id={a},{c}")["items"]} == {a, c}
    assert log("from=2024-04-01")["filters"] == {"date_from": "2024-04-01"}
    station = make_station("radio-padma")
    with runtime.session() as session:
        session.add(Broadcast(station_id=station.id, episode_id=c, tzid="Asia/Dhaka", local_start="2024-06-01T20:00:00",
                              starts_at=dt.datetime(2024, 6, 1, 14, tzinfo=dt.UTC), duration_s=600.0))
    assert {i["episode_id"] for i in log("station=radio-padma")["items"]} == {c}

    response = researcher.get(f"/api/v1/evidence?format=csv&episode_id={a}")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2 and rows[1]["text"] == SECOND and rows[1]["episode_id"] == a
    assert rows[0]["campaign"] == "safe-migration" and rows[0]["codes"] == ""

    for query, code in (("format=xml", "invalid_format"), ("kind=poem", "invalid_kind"),
                        ("from=yesterday", "invalid_date"), ("from=2024-05-01&to=2024-01-01", "invalid_range"),
                        ("language=fr", "invalid_language"), ("station=nowhere", "unknown_station"),
                        ("code=nothing", "unknown_code")):
        bad = researcher.get(f"/api/v1/evidence?{query}")
        assert bad.status_code == 400 and bad.get_json()["error"]["code"] == code
    assert producer.get("/api/v1/evidence").status_code == 403


def test_cli_transcribe_queues_and_waits(make_episode: Any, runtime: Runtime) -> None:
    from radio.cli import main

    runner = CliRunner()
    first, second = make_episode(), make_episode()
    queued = runner.invoke(main, ["transcribe", first, "--language", "en"])
    assert queued.exit_code == 0, queued.output
    assert queued.output.startswith("queued job ") and first in queued.output
    waited = runner.invoke(main, ["transcribe", second, "--wait"])
    assert waited.exit_code == 0, waited.output
    assert f"episode {second}: 2 segments, language en" in waited.output
    assert _counts(runtime) == (2, 4)
    bad = runner.invoke(main, ["transcribe", "nope"])
    assert bad.exit_code == 1 and "no such episode" in bad.output
    wrong = runner.invoke(main, ["transcribe", first, "--language", "fr"])
    assert wrong.exit_code == 2


def test_a_researchers_correction_of_masked_text_keeps_the_real_number(api_as: Any, make_episode: Any,
                                                                       runtime: Runtime) -> None:
    researcher, admin = api_as("researcher"), api_as("admin")
    episode_id = make_episode()
    shown = transcribed(researcher, episode_id)["segments"][0]
    assert shown["text"] == f"Please call me on {PHONE_MASK} tonight."
    edited = shown["text"].replace("tonight", "tomorrow")
    r = researcher.patch(f"/api/v1/segments/{shown['id']}", json={"text": edited})
    assert r.status_code == 200 and r.get_json()["text"] == edited  # still masked for the researcher
    with runtime.read_session() as session:
        assert session.get(Segment, shown["id"]).text == f"Please call me on {PHONE} tomorrow."  # type: ignore
    assert admin.get(f"/api/v1/episodes/{episode_id}/transcript").get_json()["segments"][0]["text"] == (
        f"Please call me on {PHONE} tomorrow.")
    # Resubmitting what was shown is no change at all.
    again = researcher.patch(f"/api/v1/segments/{shown['id']}", json={"text": edited})
    assert again.get_json()["revision"] == 1
