"""Retry after a dead worker: running jobs whose lease ran out are queued again, crash loops are failed.

A worker renews the lease of each job it runs from a heartbeat thread. One that dies (kill -9, power
loss, out of memory) stops renewing; once ``RADIO_JOB_LEASE_S`` has passed, any worker's periodic check
queues the job again, and the retry replaces what the dead attempt may have written. A job whose worker
died :data:`MAX_ATTEMPTS` times is marked failed instead.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from radio.db import utcnow
from radio.jobs import dispatch
from radio.models import Job, JobStatus
from radio.runtime import Runtime

log = logging.getLogger(__name__)
# A job whose worker died this many times (e.g. killed for memory) is failed instead of retried again.
MAX_ATTEMPTS = 4


def requeue_stale_jobs(runtime: Runtime) -> list[str]:
    """Queue again the running jobs whose worker stopped beating (crashed or killed); fail crash loops."""
    cutoff = utcnow() - timedelta(seconds=runtime.settings.job_lease_s)
    with runtime.read_session() as session:
        stale = list(session.execute(
            select(Job.id, Job.attempts).where(Job.status == JobStatus.RUNNING, Job.heartbeat_at < cutoff)
        ))
    requeued = []
    for job_id, attempts in stale:
        gave_up = attempts >= MAX_ATTEMPTS
        values: dict[str, Any] = (
            {"status": JobStatus.FAILED, "finished_at": utcnow(),
             "error": f"the worker running this job stopped answering {attempts} times; not retried"}
            if gave_up else {"status": JobStatus.QUEUED, "worker": None, "progress": 0.0})
        with runtime.session() as session:
            changed = session.execute(
                update(Job).where(Job.id == job_id, Job.attempts == attempts, Job.status == JobStatus.RUNNING,
                                  Job.heartbeat_at < cutoff).values(**values)
            ).rowcount  # type: ignore[attr-defined]
        if changed and not gave_up:
            log.warning("job %s has had no heartbeat since %s; queueing it again", job_id, cutoff)
            dispatch(runtime, job_id)
            requeued.append(job_id)
        elif changed:
            log.error("job %s failed: its worker died %d times", job_id, attempts)
    return requeued
