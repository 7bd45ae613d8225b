"""``GET /healthz``: ok or degraded for anyone; database, queue, media store, Whisper model and workers for admins."""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import text

from radio import monitor
from radio.access import policy
from radio.models import Role
from transcripts.whisper_models import model_status
from web.auth import current_user
from web.context import runtime

bp = Blueprint("health", __name__)


def _check(func: Any) -> dict[str, Any]:
    try:
        return {"ok": True, **(func() or {})}
    except Exception as exc:  # noqa: BLE001 - a health check reports every failure
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


def _admin_asking() -> bool:
    if not request.headers.get("Authorization"):
        return False
    user = current_user()  # a wrong token is 401, as everywhere
    return user is not None and user.role == Role.ADMIN


@bp.get("/healthz")
@policy("public")
def healthz() -> Response:
    """Component states; 200 when the database, queue and media store work, else 503."""
    rt = runtime()

    def database() -> dict[str, Any]:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"backend": rt.engine.dialect.name}

    def queue() -> dict[str, Any]:
        huey = rt.huey
        backend = "immediate" if rt.settings.queue_immediate else ("redis" if rt.settings.redis_url else "sqlite")
        with rt.read_session() as session:
            totals = monitor.job_totals(session)
        return {"backend": backend, "pending": huey.pending_count(), "queued_jobs": totals["queued"],
                "running_jobs": totals["running"], "failed_jobs": totals["failed"]}

    def workers() -> dict[str, Any]:
        with rt.read_session() as session:
            items = monitor.list_workers(session)
        alive = [w for w in items if w["state"] in ("running", "stopping")]
        return {"alive": len(alive), "lost": sum(1 for w in items if w["state"] == "lost"), "items": alive}

    def media() -> dict[str, Any]:
        root = rt.store.root
        if not os.access(root, os.W_OK):
            raise OSError(f"{root} is not writable")
        stat = os.statvfs(root)
        return {"path": str(root), "free_bytes": stat.f_bavail * stat.f_frsize}

    checks = {
        "database": _check(database),
        "queue": _check(queue),
        "media_store": _check(media),
        "whisper_model": _check(lambda: model_status(rt.settings)),
    }
    if checks["whisper_model"]["ok"] and not checks["whisper_model"].get("available", False):
        checks["whisper_model"]["ok"] = False
    essential_ok = all(checks[name]["ok"] for name in ("database", "queue", "media_store"))
    # Workers are reported, not required: a web-only machine may run while the GPU worker is down.
    status = "ok" if essential_ok else "degraded"
    # Hosts, pids, paths and job ids are for admins: anyone else (a load balancer) learns the status only.
    body: dict[str, Any] = {"status": status}
    if _admin_asking():
        body.update(checks=checks, workers=_check(workers))
    response = jsonify(body)
    response.status_code = 200 if essential_ok else 503
    return response
