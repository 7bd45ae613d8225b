"""No write lock across slow work: a multi-hour upload beside other writers, and jobs that meet a busy database."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from episodes.audio import ffmpeg_exe
from radio.jobs import JobContext, create_job, get_job, job_handler, run_job

LONG_HOURS = 8
PIECE_S = 1800


@pytest.fixture(scope="session")
def long_mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 hours of low-bitrate mono MP3 (~29 MB): half an hour encoded once, its frames repeated."""
    folder = tmp_path_factory.mktemp("long")
    piece = folder / "piece.mp3"
    subprocess.run([ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                    f"sine=frequency=440:sample_rate=8000:duration={PIECE_S}", "-ac", "1", "-c:a", "libmp3lame",
                    "-b:a", "8k", "-write_xing", "0", "-id3v2_version", "0", str(piece)], check=True)
    frames = piece.read_bytes()
    path = folder / "eight-hours.mp3"
    with path.open("wb") as out:
        for _ in range(LONG_HOURS * 3600 // PIECE_S):
            out.write(frames)  # MPEG audio is a plain sequence of frames: concatenated pieces decode as one
    return path


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"RADIO_QUEUE_IMMEDIATE": False}  # the analysis job of 8 hours waits for a worker, not the test


@pytest.mark.slow
def test_a_multi_hour_upload_does_not_hold_the_write_lock(runtime: Any, api_as: Any, long_mp3: Path) -> None:
    if not runtime.settings.database_url.startswith("sqlite"):
        # PostgreSQL has no database-wide write lock to hold; measured there beside a full test run: worst
        # 1.3 s, median 92 ms (CPU contention on 2 shared cores, not waiting), so the bound would test the load.
        pytest.skip("SQLite's write lock is what an upload could hold")
    producer = api_as("producer")
    writer = api_as("researcher")
    result: dict[str, Any] = {}

    def upload() -> None:
        with long_mp3.open("rb") as fh:
            response = producer.post("/api/v1/episodes", content_type="multipart/form-data",
                                     data={"title": "আট ঘণ্টা", "language": "bn", "kind": "talk",
                                           "file": (fh, "eight-hours.mp3")})
        result["status"], result["json"] = response.status_code, response.get_json()

    thread = threading.Thread(target=upload)
    started = time.monotonic()
    thread.start()
    latencies: list[float] = []
    statuses: list[int] = []
    while thread.is_alive():  # a write request every 50 ms while the upload streams, hashes, probes and decodes
        t0 = time.monotonic()
        statuses.append(writer.post("/api/v1/codes", json={"name": f"code {len(statuses)}"}).status_code)
        latencies.append(time.monotonic() - t0)
        time.sleep(0.05)
    thread.join()
    upload_s = time.monotonic() - started
    worst = max(latencies)
    print(f"\n{LONG_HOURS} h MP3 ({long_mp3.stat().st_size / 1e6:.1f} MB) uploaded in {upload_s:.1f} s; "
          f"{len(latencies)} parallel writes, worst latency {worst * 1000:.0f} ms, "
          f"median {sorted(latencies)[len(latencies) // 2] * 1000:.0f} ms")
    assert result["status"] == 201, result
    assert result["json"]["duration_s"] == pytest.approx(LONG_HOURS * 3600, abs=5)
    assert set(statuses) == {201} and len(statuses) >= 10
    assert worst < 1.0  # a behaviour bound (the lock is not held across the decode), not a benchmark


_calls: dict[str, int] = {}


@job_handler("test.busy_then_ok")
def _busy_then_ok(ctx: JobContext) -> dict[str, Any]:
    """Meets a really locked SQLite database on its first two runs (another connection holds the write lock)."""
    _calls[ctx.job_id] = _calls.get(ctx.job_id, 0) + 1
    if _calls[ctx.job_id] <= ctx.payload["busy_runs"]:
        url = ctx.runtime.settings.database_url
        holder = create_engine(url)
        impatient = create_engine(url, connect_args={"timeout": 0})
        with holder.connect() as held:
            held.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                with impatient.connect() as conn:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")  # raises OperationalError: database is locked
            finally:
                held.exec_driver_sql("ROLLBACK")
                holder.dispose()
                impatient.dispose()
    return {"runs": _calls[ctx.job_id]}


def test_jobs_run_again_when_the_database_is_busy(runtime: Any) -> None:
    if not runtime.settings.database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    with runtime.session() as session:
        flaky = create_job(session, "test.busy_then_ok", {"busy_runs": 2})
        stuck = create_job(session, "test.busy_then_ok", {"busy_runs": 99})
    run_job(runtime, flaky.id)
    run_job(runtime, stuck.id)
    with runtime.session() as session:
        done = get_job(session, flaky.id)
        assert done.status == "done" and done.result == {"runs": 3} and done.attempts == 1
        failed = get_job(session, stuck.id)
        assert failed.status == "failed" and "database is locked" in (failed.error or "")
        assert _calls[stuck.id] == 5  # the first run and 4 more, then it gives up and says why
        assert session.scalar(select(func.count()).select_from(type(done))) == 2


def test_no_database_transaction_is_open_while_an_upload_streams_or_is_probed(
        runtime: Any, api_as: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the body is staged and hashed, probed and decoded, the request holds no connection and no open
    transaction: not the write session's (SQLite's write lock) and not the sign-in lookup's read snapshot
    (on SQLite it holds back WAL checkpoints; on PostgreSQL an hour-long idle transaction holds back VACUUM
    and a pooled connection)."""
    from episodes import services
    from tests.audio import make_audio, tone

    audio = make_audio(tmp_path, "mp3", samples=tone(3.0, 440, rate=16000), rate=16000, name="probe-me")
    seen: dict[str, list[int]] = {}
    pg = not runtime.settings.database_url.startswith("sqlite")
    watcher = create_engine(runtime.settings.sqlalchemy_url, poolclass=NullPool) if pg else None

    def open_transactions() -> int:
        if watcher is None:
            return 0
        with watcher.connect() as conn:  # sessions of this database idle inside a transaction
            return int(conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()").scalar_one())

    def record(stage: str) -> None:
        seen.setdefault(stage, []).append(runtime.engine.pool.checkedout() * 1000 + open_transactions())

    def watched(name: str, func: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            record(name)
            return func(*args, **kwargs)
        return call

    stage = runtime.store.stage

    def staging(source: Any, **kwargs: Any) -> Any:
        def chunks() -> Any:
            for chunk in source:  # the multipart file part, as it arrives
                record("stream")
                yield chunk
        return stage(chunks(), **kwargs)

    monkeypatch.setattr(runtime.store, "stage", staging)
    monkeypatch.setattr(services, "probe_audio", watched("probe", services.probe_audio))
    monkeypatch.setattr(services, "decode_check", watched("decode", services.decode_check))
    producer = api_as("producer")
    with audio.open("rb") as fh:
        response = producer.post("/api/v1/episodes", content_type="multipart/form-data",
                                 data={"title": "খোলা লেনদেন নেই", "file": (fh, "probe-me.mp3")})
    if watcher is not None:
        watcher.dispose()
    assert response.status_code == 201, response.get_json()
    assert set(seen) == {"stream", "probe", "decode"}, seen
    # 1000 × checked-out pool connections + PostgreSQL sessions idle in a transaction: both must be 0 throughout
    assert {stage: max(values) for stage, values in seen.items()} == {"stream": 0, "probe": 0, "decode": 0}
