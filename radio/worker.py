"""Worker processes: heartbeats for the process and the leases of its jobs, and graceful shutdown."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta
from typing import Any

from huey.consumer import Consumer
from sqlalchemy import delete, update

from radio.db import utcnow
from radio.models import Job, JobStatus, WorkerProcess
from radio.runtime import Runtime

log = logging.getLogger(__name__)

PRUNE_AFTER = timedelta(days=7)


def beat_interval(lease_s: float) -> float:
    """Seconds between heartbeats: several per lease, never slower than every 5 s."""
    return max(0.2, min(5.0, lease_s / 4))


class ProcessBeat:
    """One thread per process that renews the leases of the jobs it runs and its ``workers`` row.

    A handler may report progress rarely (a long decode, a model load): its job's lease is renewed here,
    from a thread of its own, as long as the process is alive. A killed process stops beating, so its jobs
    are retried once ``RADIO_JOB_LEASE_S`` has passed.
    """

    def __init__(self, runtime: Runtime, *, mode: str | None = None, threads: int = 1) -> None:
        self.runtime = runtime
        self.mode = mode  # None: not a registered worker (a web process running a job inline)
        self.threads = threads
        self.interval = beat_interval(runtime.settings.job_lease_s)
        self.worker_id: str | None = None
        self.jobs_done = 0
        self.jobs_failed = 0
        self._held: dict[str, int] = {}  # job id -> attempt this process holds
        self._lost: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_requeue = 0.0
        self.state = "running"

    def register(self) -> str:
        """Add this process to the ``workers`` table (and forget rows stopped long ago)."""
        settings = self.runtime.settings
        queue = "immediate" if settings.queue_immediate else ("redis" if settings.redis_url else "sqlite")
        now = utcnow()
        with self.runtime.session() as session:
            session.execute(delete(WorkerProcess).where(WorkerProcess.heartbeat_at < now - PRUNE_AFTER))
            row = WorkerProcess(host=socket.gethostname(), pid=os.getpid(), mode=self.mode or "worker",
                                threads=self.threads, queue=queue, whisper_model=settings.whisper_model[:300],
                                state="running", interval_s=self.interval, current_jobs=[], heartbeat_at=now)
            session.add(row)
            session.flush()
            self.worker_id = row.id
        return row.id

    def start(self) -> None:
        """Start the heartbeat thread (once)."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="radio-heartbeat", daemon=True)
            self._thread.start()

    def job_started(self, job_id: str, attempt: int) -> None:
        """This process now holds ``job_id``; its lease is renewed until ``job_finished``."""
        with self._lock:
            self._held[job_id] = attempt
            self._lost.discard(job_id)
        if self.runtime.settings.queue_immediate:
            return
        self.start()
        if self.worker_id is not None:
            self._safe(self._beat_worker)

    def job_finished(self, job_id: str, status: str) -> None:
        """The handler of ``job_id`` returned (``status``: done, failed, cancelled, ...)."""
        with self._lock:
            self._held.pop(job_id, None)
            self._lost.discard(job_id)
            if status == JobStatus.DONE:
                self.jobs_done += 1
            elif status == JobStatus.FAILED:
                self.jobs_failed += 1
        if self.worker_id is not None and not self.runtime.settings.queue_immediate:
            self._safe(self._beat_worker)

    def is_lost(self, job_id: str) -> bool:
        """True when another worker took this job over (its lease had expired)."""
        with self._lock:
            return job_id in self._lost

    def held(self) -> dict[str, int]:
        """The jobs this process runs now (id -> attempt)."""
        with self._lock:
            return dict(self._held)

    def beat(self) -> None:
        """Renew the leases of held jobs and this process's row; every half lease, retry abandoned jobs."""
        self._renew_leases()
        if self.worker_id is not None:
            self._beat_worker()
            if time.monotonic() - self._last_requeue >= max(self.interval, self.runtime.settings.job_lease_s / 2):
                from radio.dead_worker_retry import requeue_stale_jobs

                self._last_requeue = time.monotonic()
                requeue_stale_jobs(self.runtime)

    def _renew_leases(self) -> None:
        now = utcnow()
        for job_id, attempt in self.held().items():
            with self.runtime.session() as session:
                renewed = session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.attempts == attempt, Job.status == JobStatus.RUNNING)
                    .values(heartbeat_at=now)
                ).rowcount  # type: ignore[attr-defined]
            if not renewed:
                log.warning("job %s is no longer held by this process", job_id)
                with self._lock:
                    if job_id in self._held:
                        self._lost.add(job_id)

    def _beat_worker(self) -> None:
        with self._lock:
            current = sorted(self._held)
            done, failed = self.jobs_done, self.jobs_failed
        with self.runtime.session() as session:
            session.execute(
                update(WorkerProcess).where(WorkerProcess.id == self.worker_id).values(
                    heartbeat_at=utcnow(), current_jobs=current, jobs_done=done, jobs_failed=failed,
                    state=self.state)
            )

    def _safe(self, func: Any) -> None:
        try:
            func()
        except Exception:  # noqa: BLE001 - a database hiccup must not kill the heartbeat thread
            log.exception("heartbeat failed")

    def _run(self) -> None:
        while not self._stop.is_set():
            self._safe(self.beat)
            self._stop.wait(self.interval)

    def release_jobs(self) -> list[str]:
        """Give the jobs still running here back to the queue (shutdown without waiting for them)."""
        released = []
        for job_id, attempt in self.held().items():
            with self.runtime.session() as session:
                count = session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.attempts == attempt, Job.status == JobStatus.RUNNING)
                    .values(status=JobStatus.QUEUED, worker=None, heartbeat_at=None, progress=0.0)
                ).rowcount  # type: ignore[attr-defined]
            if count:
                from radio.jobs import dispatch

                dispatch(self.runtime, job_id)
                released.append(job_id)
                log.warning("released job %s back to the queue", job_id)
        return released

    def stop(self, state: str = "stopped") -> None:
        """Stop beating and record the final state of this process's row."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self.state = state
        if self.worker_id is not None:
            with self.runtime.session() as session:
                session.execute(
                    update(WorkerProcess).where(WorkerProcess.id == self.worker_id).values(
                        state=state, stopped_at=utcnow(), heartbeat_at=utcnow(), current_jobs=[],
                        jobs_done=self.jobs_done, jobs_failed=self.jobs_failed)
                )


_beats_lock = threading.Lock()


def process_beat(runtime: Runtime) -> ProcessBeat:
    """This process's heartbeat for ``runtime`` (an unregistered one unless a worker set it up)."""
    with _beats_lock:
        beat = runtime.extras.get("beat")
        if beat is None:
            beat = runtime.extras["beat"] = ProcessBeat(runtime)
        return beat  # type: ignore[no-any-return]


class WorkerConsumer(Consumer):  # type: ignore[misc]
    """huey's consumer with threads; SIGTERM stops taking jobs and waits for running ones (bounded)."""

    def __init__(self, runtime: Runtime, beat: ProcessBeat, *, threads: int, grace_s: float,
                 embedded: bool = False) -> None:
        super().__init__(runtime.huey, workers=threads, worker_type="thread", periodic=True,
                         check_worker_health=not embedded, graceful_signal="TERM", shutdown_timeout=grace_s)
        self.beat = beat
        self.embedded = embedded

    def _set_signal_handlers(self) -> None:
        if not self.embedded:  # inside `radio serve` the server owns the signals
            super()._set_signal_handlers()

    def _handle_signal(self, signum: int, frame: Any) -> None:
        super()._handle_signal(signum, frame)
        self.beat.state = "stopping"
        self._restart = False  # SIGHUP stops too: re-exec would skip releasing the jobs


def start_worker(runtime: Runtime, *, threads: int, grace_s: float, mode: str) -> tuple[WorkerConsumer, ProcessBeat]:
    """Register this process, start its heartbeat and a consumer with ``threads`` job threads."""
    from radio.dead_worker_retry import requeue_stale_jobs
    from radio.features import features
    from radio.integrity import clean_abandoned_temp_files

    features()  # every feature's models and job handlers, before the first job arrives
    beat = ProcessBeat(runtime, mode=mode, threads=threads)
    runtime.extras["beat"] = beat
    beat.register()
    beat.start()
    requeue_stale_jobs(runtime)  # a restarted machine takes over what a dead worker left behind
    clean_abandoned_temp_files(runtime.store)
    consumer = WorkerConsumer(runtime, beat, threads=threads, grace_s=grace_s, embedded=mode == "serve")
    return consumer, beat


def finish_worker(consumer: WorkerConsumer, beat: ProcessBeat, *, stopped: bool) -> list[str]:
    """After the consumer stopped: release jobs that outlived the grace period, mark the row stopped."""
    if not stopped:
        beat.state = "stopping"
        consumer.stop(graceful=True)  # waits for running jobs, at most the grace period
    released = beat.release_jobs()
    beat.stop("stopped")
    return released


def run_worker(runtime: Runtime, *, threads: int, grace_s: float) -> list[str]:
    """Run a worker process until SIGTERM/SIGINT; returns the ids of jobs handed back to the queue."""
    consumer, beat = start_worker(runtime, threads=threads, grace_s=grace_s, mode="worker")
    try:
        consumer.run()
    finally:
        released = finish_worker(consumer, beat, stopped=True)
    return released
