"""Real `radio worker` processes (SQLite + SqliteHuey always; PostgreSQL + Redis when configured) and gunicorn."""

from __future__ import annotations

import json
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from proc_helpers import STACK_PARAMS, VENV_BIN, Stack, free_port, http_get, make_stack, spawn, stop, wait_for

from radio import monitor

pytestmark = pytest.mark.slow


@pytest.fixture(params=STACK_PARAMS)
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    """A home shared with worker and server processes."""
    yield from make_stack(request, tmp_path)


def test_workers_share_the_queue_and_never_run_a_job_twice(stack: Stack) -> None:
    workers = [stack.worker("--threads", "2"), stack.worker("--threads", "2")]

    def both_registered() -> bool:
        with stack.runtime.read_session() as session:
            return len(monitor.list_workers(session)) == 2

    wait_for(both_registered, 60, "both workers to register\n" + stack.logs())
    jobs = [stack.job(seconds=0.4) for _ in range(10)]
    wait_for(lambda: all(stack.status(j).status == "done" for j in jobs), 60, "all jobs done\n" + stack.logs())
    for job_id in jobs:
        assert [e for e, _, _ in stack.events(job_id)] == ["start", "done"]
        assert stack.status(job_id).attempts == 1
    pids = {pid for job_id in jobs for _, pid, _ in stack.events(job_id)}
    assert pids <= {w.pid for w in workers} and len(pids) == 2, "both workers took jobs"
    with stack.runtime.read_session() as session:
        rows = monitor.list_workers(session)
    assert sorted(r["pid"] for r in rows) == sorted(w.pid for w in workers)
    assert sum(r["jobs_done"] for r in rows) >= 8  # the last beat may lag the last job
    assert {r["state"] for r in rows} == {"running"}
    for w in workers:
        assert stop(w) == 0
    with stack.runtime.read_session() as session:
        assert {r["state"] for r in monitor.list_workers(session)} == {"stopped"}


def test_kill_9_mid_job_then_a_new_worker_finishes_it(stack: Stack) -> None:
    first = stack.worker()
    job_id = stack.job(seconds=60, retry_seconds=0.3, report=True)
    wait_for(lambda: stack.events(job_id), 30, "the job to start\n" + stack.logs())
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert stack.status(job_id).status == "running"  # nobody knows yet
    second = stack.worker()
    wait_for(lambda: stack.status(job_id).status == "done", 30, "the retry\n" + stack.logs())
    events = stack.events(job_id)
    assert events == [("start", first.pid, 1), ("start", second.pid, 2), ("done", second.pid, 2)]
    job = stack.status(job_id)
    assert job.attempts == 2 and job.result["pid"] == second.pid

    def first_is_lost() -> bool:
        with stack.runtime.read_session() as session:
            states = {r["pid"]: r["state"] for r in monitor.list_workers(session)}
        return states.get(first.pid) == "lost" and states.get(second.pid) == "running"

    wait_for(first_is_lost, 15, "the killed worker to show as lost")
    assert stop(second) == 0


def test_sigterm_lets_the_running_job_finish(stack: Stack) -> None:
    worker = stack.worker("--grace", "20")
    job_id = stack.job(seconds=1.5)
    wait_for(lambda: stack.events(job_id), 30, "the job to start\n" + stack.logs())
    assert stop(worker, signal.SIGTERM, timeout=20) == 0
    job = stack.status(job_id)
    assert job.status == "done" and job.attempts == 1, stack.logs()


def test_sigterm_past_the_grace_period_releases_the_job(stack: Stack) -> None:
    worker = stack.worker("--grace", "0.5")
    job_id = stack.job(seconds=60, retry_seconds=0.2)
    wait_for(lambda: stack.events(job_id), 30, "the job to start\n" + stack.logs())
    assert stop(worker, signal.SIGTERM, timeout=10) == 0
    assert stack.status(job_id).status == "queued"
    assert "handed 1 unfinished job(s) back" in stack.logs()
    stack.worker()
    wait_for(lambda: stack.status(job_id).status == "done", 30, "the released job to run again\n" + stack.logs())
    assert stack.status(job_id).attempts == 2


def test_gunicorn_serves_healthz_and_sums_metrics_over_its_processes(stack: Stack) -> None:
    port = free_port()
    env = {**stack.env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}
    server = spawn([str(VENV_BIN / "gunicorn"), "-c", "python:web.gunicorn_conf", "web.wsgi:app"], env,
                   stack.dir / "gunicorn.log")
    stack.procs.append(server)
    wait_for(lambda: http_get(port, "/healthz")[0] == 200, 60,
             "gunicorn to answer\n" + (stack.dir / "gunicorn.log").read_text(errors="replace"))
    status, body = http_get(port, "/healthz", headers=stack.admin_headers())
    health = json.loads(body)
    assert health["status"] == "ok" and health["checks"]["database"]["ok"]
    for _ in range(30):
        assert http_get(port, "/api/v1/jobs/nope")[0] == 401
    status, body = http_get(port, "/metrics")
    assert status == 200
    text = body.decode()
    count = re.search(r'radio_http_requests_total\{method="GET",route="/api/v1/jobs/<job_id>",status="401"\} (\S+)',
                      text)
    assert count and float(count.group(1)) == 30  # summed over both worker processes
    assert http_get(port, "/metrics", headers={"X-Forwarded-For": "198.51.100.7"})[0] == 401
    assert stop(server) == 0


def test_radio_serve_runs_jobs_in_process_and_stops_on_sigterm(stack: Stack) -> None:
    port = free_port()
    code = "import fault_jobs; from radio.cli import main; main()"
    server = spawn([sys.executable, "-c", code, "serve", "--port", str(port)], stack.env, stack.dir / "worker-s.log")
    stack.procs.append(server)
    wait_for(lambda: http_get(port, "/healthz")[0] == 200, 30, "radio serve\n" + stack.logs())
    job_id = stack.job(seconds=0.2)
    wait_for(lambda: stack.status(job_id).status == "done", 30, "the in-process worker\n" + stack.logs())
    health = json.loads(http_get(port, "/healthz", headers=stack.admin_headers())[1])
    assert health["workers"]["alive"] == 1 and health["workers"]["items"][0]["mode"] == "serve"
    assert stop(server) == 0
    with stack.runtime.read_session() as session:
        assert [r["state"] for r in monitor.list_workers(session)] == ["stopped"]
