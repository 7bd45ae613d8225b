"""``POST /hooks/sms/<slug>``: listener SMS and missed calls from a station's gateway (Twilio or signed JSON)."""

from __future__ import annotations

import hashlib
import hmac
import json

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from radio import rate_limit
from radio.access import policy
from radio.errors import DomainError
from schedule.inbound import GatewayMessage, parse_json_message, parse_twilio_message, receive_message
from schedule.models import Station
from schedule.stations import webhook_secret
from web.context import db, runtime
from web.errors import error_response

bp = Blueprint("sms_hooks", __name__)

MAX_BODY = 64 * 1024
RATE_LIMIT = 120  # requests per station per minute, across every web process: a flood, not a programme's replies
RATE_WINDOW_S = 60.0
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _flood_wait(slug: str) -> int:
    """Seconds a flooding caller must wait (0: counted and let through), shared by every web process."""
    limits = {rate_limit.limit_key("sms_hook", slug): rate_limit.Limit(RATE_LIMIT, RATE_WINDOW_S)}
    return rate_limit.hit(runtime().sessions, limits).retry_after


def _forbidden() -> Response:
    return error_response(403, "bad_signature", "the request is not signed with this station's webhook secret")


def _public_url() -> str:
    """The URL as the gateway was configured with it (RADIO_PUBLIC_URL + path + query): Twilio signs that."""
    query = request.query_string.decode("latin-1")
    return runtime().settings.public_url.rstrip("/") + request.path + (f"?{query}" if query else "")


def _verified_message(station: Station, secret: str, raw: bytes) -> GatewayMessage | None:
    if station.gateway == "twilio":
        signature = request.headers.get("X-Twilio-Signature", "")
        params = request.form.to_dict()
        if not signature or not RequestValidator(secret).validate(_public_url(), params, signature):
            return None
        return parse_twilio_message(params)
    header = request.headers.get("X-Radio-Signature", "")
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), header.strip().lower().encode()[:100]):
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return parse_json_message(None)
    return parse_json_message(data)


@bp.post("/hooks/sms/<slug>")
@policy("sms.hook")
def receive(slug: str) -> Response:
    """One SMS or missed call: 200 when stored (or a replay), 403 unsigned, 413 too big, 429 flooding."""
    wait = _flood_wait(slug)  # before any use of the request's session (SQLite: its write lock)
    if wait:
        response = error_response(429, "too_many_requests", "too many messages for this station; retry later")
        response.headers["Retry-After"] = str(wait)
        return response
    request.max_content_length = MAX_BODY  # also caps a chunked body: reading past it is a 413
    if (request.content_length or 0) > MAX_BODY:
        return error_response(413, "too_large", f"a gateway message is at most {MAX_BODY} bytes")
    raw = request.get_data(cache=True)
    session = db()
    station = session.scalar(select(Station).where(Station.slug == slug)) if len(slug) <= 64 else None
    secret = webhook_secret(runtime().secret_key, station) if station is not None else None
    if station is None or secret is None:
        return _forbidden()  # an unknown station looks like a wrong signature: nothing is revealed
    try:
        message = _verified_message(station, secret, raw)
    except DomainError as exc:
        return error_response(exc.status, exc.code, exc.message, **exc.details)
    if message is None:
        return _forbidden()
    row, new = receive_message(session, station, message, runtime().secret_key,
                               window_h=runtime().settings.feedback_window_h)
    if station.gateway == "twilio":
        return Response(TWIML_EMPTY, mimetype="text/xml")
    return jsonify({"status": "accepted" if new else "replay", "id": row.id, "purpose": row.purpose})
