"""Background jobs: huey moves job ids, the ``jobs`` table holds their state on every backend."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from radio.config import Settings
from radio.db import BUSY_RETRIES, is_busy, retry_busy, utcnow
from radio.errors import DomainError, NotFound
from radio.models import Job, JobStatus
from radio.runtime import Runtime, get_runtime
from radio.transactions import on_commit

log = logging.getLogger(__name__)



class JobCancelled(Exception):
    """Raised inside a handler when its job lost its lease to another worker."""


FailureHook = Callable[[Session, str], None]


@dataclass
class JobContext:
    """What a running handler gets: its job id, payload, the runtime, its unit of work and a progress reporter.

    A handler reads through :meth:`read` while it does slow work and writes through :attr:`session` at the
    end: the runner commits that session once, together with the job's final status, when the handler
    returns (and rolls it back when the handler raises or the job was taken over meanwhile).
    """

    runtime: Runtime
    job_id: str
    kind: str
    payload: dict[str, Any]
    attempt: int
    _last_report: float = 0.0
    _session: Session | None = field(default=None, repr=False)
    _failure_hooks: list[FailureHook] = field(default_factory=list, repr=False)

    @property
    def session(self) -> Session:
        """The job's unit of work (committed by the runner; write to it only after the slow work is done)."""
        if self._session is None:
            raise RuntimeError("a job's session exists only while the runner runs it")
        return self._session

    def read(self) -> AbstractContextManager[Session]:
        """A short read-only session (never holds SQLite's write lock)."""
        return self.runtime.read_session()

    def on_failure(self, hook: FailureHook) -> None:
        """Run ``hook(session, message)`` in the transaction that marks this job failed."""
        self._failure_hooks.append(hook)

    def progress(self, fraction: float, *, force: bool = False) -> None:
        """Record progress (0..1) and a heartbeat, at most twice a second unless forced."""
        from radio.worker import process_beat

        if process_beat(self.runtime).is_lost(self.job_id):
            raise JobCancelled(f"job {self.job_id} is no longer held by this worker")
        now = time.monotonic()
        if not force and now - self._last_report < 0.5:
            return
        self._last_report = now
        fraction = min(max(float(fraction), 0.0), 1.0)
        with self.runtime.session() as session:
            updated = session.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.status == JobStatus.RUNNING, Job.attempts == self.attempt)
                .values(progress=fraction, heartbeat_at=utcnow())
            ).rowcount  # type: ignore[attr-defined]
        if not updated:
            raise JobCancelled(f"job {self.job_id} is no longer held by this worker")


JobHandler = Callable[[JobContext], dict[str, Any] | None]
# Handlers added at run time (tests, experiments); features declare theirs in their ``feature.py``.
_EXTRA_HANDLERS: dict[str, JobHandler] = {}


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register an extra handler for ``kind`` (features declare theirs in ``FEATURE.jobs`` instead)."""

    def register(func: JobHandler) -> JobHandler:
        _EXTRA_HANDLERS[kind] = func
        return func

    return register


def handler_for(kind: str) -> JobHandler:
    """The handler of a job kind, from the features' declarations (KeyError when none runs it)."""
    from radio.features import job_handlers

    return {**job_handlers(), **_EXTRA_HANDLERS}[kind]


def worker_name() -> str:
    """This process's name in job rows and heartbeats."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def make_huey(settings: Settings) -> Huey:
    """RedisHuey when RADIO_REDIS_URL is set, else SqliteHuey in RADIO_HOME; tasks registered."""
    huey: Huey
    if settings.queue_immediate:
        huey = Huey("radio", immediate=True)
    elif settings.redis_url:
        huey = RedisHuey("radio", url=settings.redis_url, blocking=True, read_timeout=1)
    else:
        settings.home.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("radio", filename=str(settings.home / "queue.db"), timeout=15)
    huey.radio_run_job = huey.task(name="radio.run_job")(_run_job_task)  # type: ignore[attr-defined]
    huey.periodic_task(_every_minute(), name="radio.requeue_stale_jobs")(_requeue_stale_task)
    return huey


def _every_minute() -> Callable[[Any], bool]:
    return lambda timestamp: True


def _run_job_task(job_id: str) -> None:
    run_job(get_runtime(), job_id)


def _requeue_stale_task() -> None:
    from radio.dead_worker_retry import requeue_stale_jobs

    requeue_stale_jobs(get_runtime())


def create_job(
    session: Session, kind: str, payload: dict[str, Any] | None = None, *,
    subject_id: str | None = None, created_by: str | None = None,
) -> Job:
    """Add a queued job row (flushed); it goes on the queue when the caller's unit of work commits."""
    try:
        handler_for(kind)
    except KeyError:
        raise ValueError(f"no handler for job kind {kind!r}") from None
    job = Job(kind=kind, payload=payload or {}, subject_id=subject_id, created_by=created_by,
              status=JobStatus.QUEUED, progress=0.0)
    session.add(job)
    session.flush()
    job_id = job.id
    on_commit(session, lambda: dispatch(get_runtime(), job_id))  # queued only once the row is committed
    return job


def dispatch(runtime: Runtime, job_id: str) -> None:
    """Put a committed job on the queue (in immediate mode it runs now)."""
    runtime.huey.radio_run_job(job_id)  # type: ignore[attr-defined]


def get_job(session: Session, job_id: str) -> Job:
    """A job by id."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("no such job")
    return job


def _claim(runtime: Runtime, job_id: str) -> Job | None:
    """Atomically take a queued (or stale running) job; None when another worker holds it."""
    lease = timedelta(seconds=runtime.settings.job_lease_s)
    now = utcnow()
    with runtime.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            return None
        claimed = session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                Job.attempts == job.attempts,
                or_(
                    Job.status == JobStatus.QUEUED,
                    (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < now - lease),
                ),
            )
            .values(status=JobStatus.RUNNING, attempts=Job.attempts + 1, worker=worker_name(),
                    heartbeat_at=now, started_at=now, progress=0.0, error=None)
        ).rowcount  # type: ignore[attr-defined]
        if not claimed:
            return None
        session.expire_all()
        return session.get(Job, job_id)


def run_job(runtime: Runtime, job_id: str) -> str:
    """Run one job to completion in this process; returns its final status."""
    job = retry_busy(lambda: _claim(runtime, job_id))
    if job is None:
        return "skipped"
    from radio.worker import process_beat

    ctx = JobContext(runtime=runtime, job_id=job.id, kind=job.kind, payload=dict(job.payload),
                     attempt=job.attempts)
    beat = process_beat(runtime)
    beat.job_started(job.id, job.attempts)  # a thread renews the lease however rarely the handler reports
    status = "cancelled"
    try:
        status = _execute(runtime, job, ctx)
    finally:
        beat.job_finished(job.id, status)
    return status


def _execute(runtime: Runtime, job: Job, ctx: JobContext) -> str:
    """Run the handler; a busy database (SQLite locked past its timeout, a PostgreSQL deadlock or
    serialization failure) runs it again from the start, a few times, instead of failing the job: the
    handler's writes were rolled back with its session, and its files are content-addressed."""
    delay = 0.25
    for attempt in range(BUSY_RETRIES + 1):
        try:
            return _execute_once(runtime, job, ctx, last_try=attempt == BUSY_RETRIES)
        except _Busy as busy:
            log.warning("job %s (%s): database busy (%s); running it again in %.2f s", job.id, job.kind,
                        busy.__cause__, delay)
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


class _Busy(Exception):
    """The handler (or its commit) met a busy database: run it again."""


def _execute_once(runtime: Runtime, job: Job, ctx: JobContext, *, last_try: bool) -> str:
    session = runtime.sessions()
    ctx._session = session
    ctx._failure_hooks.clear()  # registered again by this run of the handler
    try:
        try:
            result = handler_for(job.kind)(ctx) or {}
            # The job's one commit point: what the handler wrote and its final status, together.
            finished = _finish(session, job.id, ctx.attempt, JobStatus.DONE, result=result)
            if finished:
                session.commit()
        except JobCancelled:
            session.rollback()
            log.warning("job %s lost its lease; leaving it to its new holder", job.id)
            return "cancelled"
        except Exception as exc:
            session.rollback()
            if is_busy(exc) and not last_try:
                raise _Busy() from exc
            message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
            log.error("job %s (%s) failed: %s\n%s", job.id, job.kind, message, traceback.format_exc())
            _fail(runtime, ctx, message[:2000])
            return JobStatus.FAILED
        if not finished:
            session.rollback()
            log.warning("job %s finished after it was released or taken over; its writes dropped", job.id)
            return "cancelled"
        return JobStatus.DONE
    finally:
        ctx._session = None
        session.close()


def _fail(runtime: Runtime, ctx: JobContext, message: str) -> None:
    def mark_failed() -> None:
        with runtime.session() as session:
            if _finish(session, ctx.job_id, ctx.attempt, JobStatus.FAILED, error=message):
                for hook in ctx._failure_hooks:
                    hook(session, message)

    retry_busy(mark_failed)


def _finish(session: Session, job_id: str, attempt: int, status: str, *, error: str | None = None,
            result: dict[str, Any] | None = None) -> bool:
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "error": error}
    if status == JobStatus.DONE:
        values["progress"] = 1.0
    if result is not None:
        values["result"] = result
    # Only the current holder finishes a job: not after a release or a takeover by another worker.
    return bool(session.execute(
        update(Job).where(Job.id == job_id, Job.attempts == attempt, Job.status == JobStatus.RUNNING)
        .values(**values)
    ).rowcount)  # type: ignore[attr-defined]
