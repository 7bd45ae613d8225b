"""``GET /metrics`` (Prometheus text format) and the hooks that time every request.

Who may read it: requests from the loopback interface that did not pass a proxy (no ``X-Forwarded-For``),
or any request with an admin's Bearer token (Prometheus: ``authorization: {credentials: <token>}``).
"""

from __future__ import annotations

import ipaddress
import time

from flask import Blueprint, Flask, Response, g, request

from radio.access import policy
from radio.errors import Forbidden, Unauthorized
from radio.metrics import observe_request, render_metrics
from radio.models import Role
from web.auth import current_user
from web.context import runtime

bp = Blueprint("metrics", __name__)


def _from_loopback() -> bool:
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
@policy("metrics")
def metrics() -> Response:
    """Request, job, queue, worker and transcription metrics."""
    if not _from_loopback() or request.headers.get("Authorization"):
        user = current_user()
        if user is None:
            raise Unauthorized("metrics need an admin token (or a request from this machine)")
        if user.role != Role.ADMIN:
            raise Forbidden("metrics are for admins")
    body, content_type = render_metrics(runtime())
    return Response(body, status=200, content_type=content_type, headers={"Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    """Time every request (first before-request hook, so refusals by other hooks are counted too)."""

    def start_timer() -> None:
        g.metrics_t0 = time.perf_counter()

    def record(response: Response) -> Response:
        started = g.pop("metrics_t0", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
            observe_request(route, request.method, response.status_code, time.perf_counter() - started)
        return response

    app.before_request_funcs.setdefault(None, []).insert(0, start_timer)
    app.after_request(record)
