"""Crash safety in one process: atomic claims, lease renewal, requeue after a lost worker, admin API, /metrics."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import fault_jobs  # noqa: F401 - registers test.sleep
import pytest
from sqlalchemy import update

from radio.dead_worker_retry import MAX_ATTEMPTS, requeue_stale_jobs
from radio.jobs import (
    JobContext,
    _claim,
    create_job,
    job_handler,
    run_job,
)
from radio.metrics import LATENCY, REQUESTS
from radio.models import Job, WorkerProcess
from radio.runtime import Runtime
from radio.worker import ProcessBeat, process_beat


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """A real (SQLite) queue so that dispatch enqueues instead of running inline; a short lease."""
    return {"RADIO_QUEUE_IMMEDIATE": False, "RADIO_JOB_LEASE_S": 1}


def _job(runtime: Runtime, kind: str = "test.sleep", **payload: Any) -> str:
    with runtime.session() as session:
        return create_job(session, kind, payload).id


def _get(runtime: Runtime, job_id: str) -> Job:
    with runtime.read_session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_concurrent_claims_give_each_job_to_exactly_one_claimant(runtime) -> None:
    jobs = [_job(runtime, seconds=0) for _ in range(6)]
    for job_id in jobs:
        barrier = threading.Barrier(6)
        winners: list[Any] = []

        def claim(job_id: str = job_id, barrier: threading.Barrier = barrier, winners: list = winners) -> None:
            barrier.wait()
            winners.append(_claim(runtime, job_id))

        threads = [threading.Thread(target=claim) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        claimed = [w for w in winners if w is not None]
        assert len(claimed) == 1 and claimed[0].attempts == 1
    # A stale job is claimed again, once, by one of several racing workers.
    with runtime.session() as session:
        session.execute(update(Job).where(Job.id == jobs[0]).values(
            heartbeat_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)))
    results = []
    threads = [threading.Thread(target=lambda: results.append(_claim(runtime, jobs[0]))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1 and _get(runtime, jobs[0]).attempts == 2


def test_lease_is_renewed_while_a_silent_handler_works(runtime) -> None:
    job_id = _job(runtime, seconds=2.5)  # much longer than the 1 s lease; the handler never reports progress
    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(run_job(runtime, job_id)))
    worker.start()
    requeued = []
    while worker.is_alive():
        requeued += requeue_stale_jobs(runtime)
        time.sleep(0.2)
    worker.join()
    assert requeued == [] and outcome == ["done"]
    job = _get(runtime, job_id)
    assert job.status == "done" and job.attempts == 1
    process_beat(runtime).stop()


def test_a_dead_workers_job_is_requeued_then_failed_after_max_attempts(runtime) -> None:
    job_id = _job(runtime, seconds=0)
    assert _claim(runtime, job_id) is not None  # claimed by a "worker" that then dies: nobody renews the lease
    assert requeue_stale_jobs(runtime) == []  # the lease has not run out yet
    time.sleep(1.3)
    pending = runtime.huey.pending_count()
    assert requeue_stale_jobs(runtime) == [job_id]
    assert _get(runtime, job_id).status == "queued" and runtime.huey.pending_count() == pending + 1
    assert run_job(runtime, job_id) == "done" and _get(runtime, job_id).attempts == 2

    crashy = _job(runtime, seconds=0)
    with runtime.session() as session:
        session.execute(update(Job).where(Job.id == crashy).values(
            status="running", attempts=MAX_ATTEMPTS, heartbeat_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)))
    assert requeue_stale_jobs(runtime) == []
    job = _get(runtime, crashy)
    assert job.status == "failed" and "stopped answering" in (job.error or "")


@job_handler("test.overtaken")
def _overtaken(ctx: JobContext) -> dict:
    # Another worker takes the job over while this one is still busy (its lease had run out).
    with ctx.runtime.session() as session:
        session.execute(update(Job).where(Job.id == ctx.job_id).values(attempts=Job.attempts + 1))
    time.sleep(0.6)  # the heartbeat thread notices the job is no longer ours
    ctx.progress(0.9, force=True)
    return {"never": "recorded"}


def test_a_job_taken_over_by_another_worker_is_not_finished_by_the_old_one(runtime) -> None:
    job_id = _job(runtime, "test.overtaken")
    assert run_job(runtime, job_id) == "cancelled"
    job = _get(runtime, job_id)
    assert job.status == "running" and job.result == {}
    process_beat(runtime).stop()


def test_release_hands_running_jobs_back_and_marks_the_worker_stopped(runtime) -> None:
    beat = ProcessBeat(runtime, mode="worker", threads=2)
    beat.register()
    job_id = _job(runtime, seconds=0)
    claimed = _claim(runtime, job_id)
    assert claimed is not None
    beat.job_started(job_id, claimed.attempts)
    beat.beat()
    with runtime.read_session() as session:
        row = session.get(WorkerProcess, beat.worker_id)
        assert row is not None and row.current_jobs == [job_id] and row.state == "running"
    assert beat.release_jobs() == [job_id]
    beat.stop()
    job = _get(runtime, job_id)
    assert job.status == "queued" and job.worker is None
    with runtime.read_session() as session:
        row = session.get(WorkerProcess, beat.worker_id)
        assert row is not None and row.state == "stopped" and row.current_jobs == []
    assert run_job(runtime, job_id) == "done"


def test_admin_workers_api_and_healthz(runtime, api_as, client) -> None:
    beat = ProcessBeat(runtime, mode="worker", threads=3)
    beat.register()
    lost = ProcessBeat(runtime, mode="worker")
    lost.register()
    with runtime.session() as session:
        session.execute(update(WorkerProcess).where(WorkerProcess.id == lost.worker_id).values(
            heartbeat_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)))
    failed = _job(runtime, seconds=0)
    with runtime.session() as session:
        session.execute(update(Job).where(Job.id == failed).values(status="failed", error="boom"))
    _job(runtime, seconds=0)

    assert api_as("producer").get("/api/v1/admin/workers").status_code == 403
    admin = api_as("admin")
    body = admin.get("/api/v1/admin/workers").json
    states = {w["id"]: w["state"] for w in body["items"]}
    assert states == {beat.worker_id: "running", lost.worker_id: "lost"}
    assert body["jobs"]["failed"] == 1 and body["jobs"]["queued"] == 1 and body["queue"]["backend"] == "sqlite"
    jobs = admin.get("/api/v1/admin/jobs").json
    assert jobs["failed"][0]["id"] == failed and jobs["failed"][0]["error"] == "boom"
    assert admin.post(f"/api/v1/admin/jobs/{failed}/retry").status_code == 202
    assert admin.post(f"/api/v1/admin/jobs/{failed}/retry").json["error"]["code"] == "not_failed"

    assert client.get("/healthz").json == {"status": "ok"}
    health = admin.get("/healthz").json
    assert health["workers"]["alive"] == 1 and health["workers"]["lost"] == 1
    assert health["checks"]["queue"]["queued_jobs"] == 2 and health["checks"]["queue"]["failed_jobs"] == 0
    beat.stop()


def test_metrics_are_protected_and_labelled_by_route(runtime, api_as, client) -> None:
    _job(runtime, seconds=0)
    REQUESTS.clear()
    LATENCY.clear()
    client.get("/api/v1/jobs/abc")
    client.get("/api/v1/jobs/def")
    client.get("/no/such/page")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'route="/api/v1/jobs/<job_id>",status="401"' in text
    assert "/api/v1/jobs/abc" not in text and 'route="<unmatched>"' in text
    assert 'radio_http_request_duration_seconds_count{method="GET",route="/api/v1/jobs/<job_id>"} 2.0' in text
    assert 'radio_http_requests_total{method="GET",route="/api/v1/jobs/<job_id>",status="401"} 2.0' in text
    assert 'radio_jobs{kind="test.sleep",status="queued"} 1.0' in text
    # The job went on the queue when its row was committed.
    assert 'radio_queue_depth{backend="sqlite"} 1.0' in text and "radio_transcription_realtime_factor" in text
    assert "radio_database_up 1.0" in text

    proxied = {"X-Forwarded-For": "203.0.113.9"}
    assert client.get("/metrics", headers=proxied).status_code == 401
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 401
    assert api_as("researcher").get("/metrics", headers=proxied).status_code == 403
    ok = api_as("admin").get("/metrics", headers=proxied)
    assert ok.status_code == 200 and ok.headers["Content-Type"].startswith("text/plain")


def test_transcription_real_time_factor_from_job_results(runtime, client) -> None:
    from radio.monitor import transcription_stats

    with runtime.session() as session:
        for audio, rtf in ((10.0, 0.5), (30.0, 0.25)):
            session.add(Job(kind="transcribe", status="done", progress=1.0, payload={},
                            result={"duration_s": audio, "real_time_factor": rtf}))
        session.add(Job(kind="transcribe", status="failed", progress=0.0, payload={}, result={}))
    with runtime.read_session() as session:
        stats = transcription_stats(session)
    assert stats["jobs"] == 2 and stats["audio_s"] == 40.0 and stats["rtf"] == (5 + 7.5) / 40
    text = client.get("/metrics").get_data(as_text=True)
    assert f"radio_transcription_realtime_factor {(5 + 7.5) / 40}" in text
    assert 'radio_jobs{kind="transcribe",status="failed"} 1.0' in text
