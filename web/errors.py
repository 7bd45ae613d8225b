"""Every error answered as ``{"error": {"code", "message"}}``; domain errors mapped in one place."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from radio.errors import DomainError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media", 422: "invalid", 429: "too_many_requests",
    507: "storage_full",
}


def error_response(status: int, code: str, message: str, **details: Any) -> Response:
    """A JSON error body with ``status``."""
    body: dict[str, Any] = {"code": code, "message": message}
    body.update({k: v for k, v in details.items() if v is not None})
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _wants_html() -> bool:
    if request.path.startswith(("/api/", "/calendars/", "/feeds/", "/healthz", "/metrics")):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes[best] > request.accept_mimetypes["application/json"]


def _render(status: int, code: str, message: str, **details: Any) -> Response:
    if _wants_html():
        try:
            html = render_template("error.html", status=status, code=code, message=message)
            return Response(html, status=status, mimetype="text/html")
        except Exception:  # noqa: BLE001 - fall back to JSON if the template layer itself fails
            log.exception("error page failed")
    return error_response(status, code, message, **details)


def init_app(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> Response:
        return _render(exc.status, exc.code, exc.message, **exc.details)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = exc.description or exc.name
        if status == 413:
            message = "the request is larger than the upload limit"
        response = _render(status, _HTTP_CODES.get(status, "error"), message)
        if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _render(500, "internal_error", "something went wrong on our side; it has been logged")
