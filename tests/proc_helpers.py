"""Real processes for tests: an isolated environment, `radio` subprocesses, waiting for conditions."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fault_jobs  # noqa: F401 - the test job kinds, also known to the worker processes
import pytest
from backends import REDIS_URL, needs_pg, needs_redis
from backends import truncate_all as _truncate_all
from fault_jobs import marker_events

from radio.config import load_settings
from radio.jobs import create_job, dispatch
from radio.models import Job
from radio.runtime import Runtime

LEASE_S = 2

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
VENV_BIN = Path(sys.executable).parent


def clean_env(**radio: str) -> dict[str, str]:
    """This process's environment without any RADIO_* setting, plus ``radio`` (tests/ importable)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(ROOT)])
    env["PYTHONUNBUFFERED"] = "1"
    env.update(radio)
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a process with stdout and stderr going to ``log``."""
    out = open(log, "ab")  # noqa: SIM115 - the child owns it for its lifetime
    return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)


def radio_worker(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    """A real ``radio worker`` that also knows the test job kinds of ``fault_jobs``."""
    code = "import fault_jobs; from radio.cli import main; main()"
    return spawn([sys.executable, "-c", code, "worker", *args], env, log)


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll until ``predicate()`` is truthy; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 20) -> int:
    """Send ``sig`` and wait; kill -9 if it does not exit in time. Returns the exit code."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    return proc.returncode


def http_get(port: int, path: str, timeout: float = 5, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET from 127.0.0.1:port; (status, body), or (0, b"") when nothing answers."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""
    finally:
        conn.close()


@dataclass
class Stack:
    """A home shared by the test and its worker processes."""

    env: dict[str, str]
    runtime: Runtime
    dir: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def worker(self, *args: str) -> subprocess.Popen[bytes]:
        """Start a `radio worker` with its own log file."""
        proc = radio_worker(self.env, self.dir / f"worker{len(self.procs)}.log", *args)
        self.procs.append(proc)
        return proc

    def job(self, **payload: Any) -> str:
        """Queue a test.sleep job; returns its id."""
        with self.runtime.session() as session:
            job_id = create_job(session, "test.sleep", {"marker": str(self.dir / "marker-pending"), **payload}).id
        marker = self.dir / f"marker-{job_id}"
        with self.runtime.session() as session:
            job = session.get(Job, job_id)
            assert job is not None
            job.payload = {**job.payload, "marker": str(marker)}
        dispatch(self.runtime, job_id)
        return job_id

    def create(self, kind: str, payload: dict[str, Any], subject_id: str | None = None) -> str:
        """Queue a job of any kind; returns its id."""
        with self.runtime.session() as session:
            job_id = create_job(session, kind, payload, subject_id=subject_id).id
        dispatch(self.runtime, job_id)
        return job_id

    def admin_headers(self) -> dict[str, str]:
        """An Authorization header of a new admin (``/healthz`` details are for admins)."""
        from radio.auth import create_user, issue_token

        with self.runtime.session() as session:
            admin = create_user(session, f"admin-{uuid.uuid4().hex[:8]}@example.org", "admin")
            return {"Authorization": f"Bearer {issue_token(session, admin)}"}

    def server(self, port: int, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start `radio serve` on ``port``."""
        code = "import fault_jobs; from radio.cli import main; main()"
        proc = spawn([sys.executable, "-c", code, "serve", "--port", str(port), *args], env or self.env,
                     self.dir / f"worker-serve{len(self.procs)}.log")
        self.procs.append(proc)
        return proc

    def events(self, job_id: str) -> list[tuple[str, int, int]]:
        """(event, pid, attempt) lines written by the job's runs."""
        return marker_events(self.dir / f"marker-{job_id}")

    def status(self, job_id: str) -> Job:
        """The job row as it is now."""
        with self.runtime.read_session() as session:
            job = session.get(Job, job_id)
            assert job is not None
            return job

    def logs(self) -> str:
        """Every worker log (for failure messages)."""
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.dir.glob("worker*.log")))


STACK_PARAMS = ["sqlite", pytest.param("postgresql+redis", marks=[needs_pg, needs_redis, pytest.mark.postgres,
                                                                 pytest.mark.redis])]


def make_stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    """An initialised home and the settings for worker processes using it."""
    radio = {"RADIO_HOME": str(tmp_path / "home"), "RADIO_JOB_LEASE_S": str(LEASE_S),
             "RADIO_SECRET_KEY": "process-test-key", "RADIO_WHISPER_MODEL": "tiny.en", "RADIO_LOG_LEVEL": "INFO"}
    if request.param == "sqlite":
        (tmp_path / "home").mkdir()
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "home" / "radio.db")
    else:
        radio["RADIO_DATABASE_URL"] = request.getfixturevalue("pg_database")
        radio["RADIO_REDIS_URL"] = REDIS_URL
    env = clean_env(**radio)
    runtime = Runtime.from_settings(load_settings(environ=radio))
    runtime.huey.flush()
    s = Stack(env=env, runtime=runtime, dir=tmp_path)
    yield s
    for proc in s.procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    runtime.huey.flush()
    runtime.close()
    if request.param != "sqlite":
        _truncate_all(radio["RADIO_DATABASE_URL"])
