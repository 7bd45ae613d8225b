"""Admin API for operations: workers, queue, job counts and failures (the admin page reads these)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from radio import monitor
from radio.access import policy
from radio.models import Role
from web.auth import require_role
from web.context import db, runtime
from web.contract import answers, validated
from web.schemas import answers as out

bp = Blueprint("api_ops", __name__, url_prefix="/api/v1/admin")


@bp.get("/workers")
@policy("admin")
@require_role(Role.ADMIN)
@validated(resp=answers(200, out.Items, errors=(401, 403)))
def workers() -> Response:
    """Worker processes with their state and current jobs, plus queue depth and job totals."""
    session = db()
    return jsonify({
        "items": monitor.list_workers(session),
        "queue": {"backend": monitor.queue_backend(runtime()), "pending": monitor.queue_depth(runtime())},
        "jobs": monitor.job_totals(session),
    })


@bp.get("/jobs")
@policy("admin")
@require_role(Role.ADMIN)
@validated(resp=answers(200, errors=(401, 403)))
def jobs() -> Response:
    """Job counts by kind and status, the latest failures and the transcription speed."""
    session = db()
    return jsonify({
        "totals": monitor.job_totals(session),
        "by_kind": monitor.job_counts(session),
        "failed": monitor.recent_failed_jobs(session),
        "transcription": monitor.transcription_stats(session),
    })


@bp.post("/jobs/<job_id>/retry")
@policy("admin")
@require_role(Role.ADMIN)
@validated(resp=answers(202, out.Job, errors=(401, 403, 404, 409)))
def retry(job_id: str) -> Response:
    """Queue a failed job again; 409 unless it failed."""
    job = monitor.retry_job(runtime(), db(), job_id)
    response = jsonify(job.to_dict())
    response.status_code = 202
    return response

