"""What operators look at: worker processes, job counts, queue depth, transcription speed."""

from __future__ import annotations

import datetime as dt
import statistics
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from radio.db import utcnow
from radio.errors import Conflict
from radio.jobs import dispatch, get_job
from radio.models import Job, JobStatus, WorkerProcess
from radio.runtime import Runtime
from radio.transactions import on_commit

# Job kinds whose results carry the audio duration and the processing time of a transcription.
TRANSCRIPTION_KINDS = ("transcribe", "transcription", "transcripts.transcribe")
SHOWN_FOR = timedelta(days=1)  # stopped or lost workers stay listed this long


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def worker_state(row: WorkerProcess, now: dt.datetime) -> str:
    """``running``/``stopping`` while beating, ``lost`` when the beats stopped without a clean exit."""
    if row.state == "stopped":
        return "stopped"
    if (now - row.heartbeat_at).total_seconds() > 3 * row.interval_s + 2:
        return "lost"
    return row.state


def list_workers(session: Session, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Worker processes seen lately, newest first, with their derived state."""
    now = now or utcnow()
    rows = session.scalars(
        select(WorkerProcess).where(WorkerProcess.heartbeat_at >= now - SHOWN_FOR)
        .order_by(WorkerProcess.started_at.desc())
    )
    return [{
        "id": row.id, "host": row.host, "pid": row.pid, "mode": row.mode, "threads": row.threads,
        "queue": row.queue, "whisper_model": row.whisper_model, "state": worker_state(row, now),
        "current_jobs": list(row.current_jobs), "jobs_done": row.jobs_done, "jobs_failed": row.jobs_failed,
        "started_at": _iso(row.started_at), "heartbeat_at": _iso(row.heartbeat_at),
        "heartbeat_age_s": round((now - row.heartbeat_at).total_seconds(), 1), "stopped_at": _iso(row.stopped_at),
    } for row in rows]


def job_counts(session: Session) -> dict[str, dict[str, int]]:
    """Number of jobs by kind and status."""
    counts: dict[str, dict[str, int]] = {}
    for kind, status, n in session.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)):
        counts.setdefault(kind, {})[status] = n
    return counts


def job_totals(session: Session) -> dict[str, int]:
    """Number of jobs by status (every status present, zero when none)."""
    totals = {status.value: 0 for status in JobStatus}
    for status, n in session.execute(select(Job.status, func.count()).group_by(Job.status)):
        totals[status] = n
    return totals


def recent_failed_jobs(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    """The latest failed jobs with their errors."""
    rows = session.scalars(select(Job).where(Job.status == JobStatus.FAILED)
                           .order_by(Job.finished_at.desc()).limit(limit))
    return [row.to_dict() for row in rows]


def queue_depth(runtime: Runtime) -> int | None:
    """Messages waiting in the queue (None when the queue cannot be read)."""
    try:
        return int(runtime.huey.pending_count())
    except Exception:  # noqa: BLE001 - reported as unknown; /healthz shows the error itself
        return None


def retry_job(runtime: Runtime, session: Session, job_id: str) -> Job:
    """Queue a failed job again (dispatched when the caller commits)."""
    job = get_job(session, job_id)
    if job.status != JobStatus.FAILED:
        raise Conflict(f"only failed jobs can be retried; this one is {job.status}", code="not_failed")
    job.status, job.error, job.progress, job.worker, job.finished_at = JobStatus.QUEUED, None, 0.0, None, None
    job_id = job.id
    on_commit(session, lambda: dispatch(runtime, job_id))  # queued once the caller's unit of work commits
    return job


def _rtf(result: dict[str, Any]) -> tuple[float, float] | None:
    """(audio seconds, processing seconds) of one transcription result, if it says."""
    audio = result.get("audio_duration_s", result.get("duration_s"))
    elapsed = result.get("elapsed_s", result.get("processing_s"))
    if isinstance(audio, int | float) and isinstance(elapsed, int | float) and audio > 0:
        return float(audio), float(elapsed)
    rtf = result.get("real_time_factor", result.get("rtf"))
    if isinstance(rtf, int | float) and isinstance(audio, int | float) and audio > 0:
        return float(audio), float(rtf) * float(audio)
    return None


def transcription_stats(session: Session, limit: int = 200) -> dict[str, Any]:
    """Real-time factor (processing time / audio time) of the latest finished transcriptions."""
    results = session.scalars(
        select(Job.result).where(Job.kind.in_(TRANSCRIPTION_KINDS), Job.status == JobStatus.DONE)
        .order_by(Job.finished_at.desc()).limit(limit)
    )
    pairs = [p for p in (_rtf(r or {}) for r in results) if p is not None]
    audio = sum(a for a, _ in pairs)
    elapsed = sum(e for _, e in pairs)
    return {
        "jobs": len(pairs), "audio_s": round(audio, 3), "elapsed_s": round(elapsed, 3),
        "rtf": round(elapsed / audio, 4) if audio else None,
        "rtf_median": round(statistics.median(e / a for a, e in pairs), 4) if pairs else None,
    }


def overview(runtime: Runtime, session: Session) -> dict[str, Any]:
    """Workers, queue depth, job counts and recent failures in one answer (admin page, CLI)."""
    return {
        "workers": list_workers(session),
        "queue": {"backend": queue_backend(runtime), "pending": queue_depth(runtime)},
        "jobs": job_totals(session),
        "jobs_by_kind": job_counts(session),
        "failed_jobs": recent_failed_jobs(session),
        "transcription": transcription_stats(session),
    }


def queue_backend(runtime: Runtime) -> str:
    """``immediate``, ``redis`` or ``sqlite``."""
    settings = runtime.settings
    return "immediate" if settings.queue_immediate else ("redis" if settings.redis_url else "sqlite")
