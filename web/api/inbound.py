"""API for a station's SMS gateway: its webhook secret (shown once) and the messages it delivered."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from radio.access import policy
from radio.models import Role, User
from schedule.inbound import recent_messages, shown_text
from schedule.models import InboundMessage
from schedule.stations import get_station, rotate_webhook_secret
from web.auth import current_user, require_role
from web.context import db, runtime
from web.contract import answers, validated
from web.schemas import answers as out
from web.schemas.schedule import MessagesQuery

bp = Blueprint("api_inbound", __name__, url_prefix="/api/v1")


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


def message_dict(user: User, message: InboundMessage) -> dict[str, Any]:
    """A message as ``user`` may see it (the sender only as a short prefix of its keyed hash)."""
    data: dict[str, Any] = {
        "id": message.id, "provider": message.provider, "kind": message.kind, "at": message.at.isoformat(),
        "local_day": message.local_day, "purpose": message.purpose, "broadcast_id": message.broadcast_id,
        "occurrence": message.occurrence_key, "episode_id": message.episode_id,
        "sender": message.sender_hash[:12], "received_at": message.created_at.isoformat(),
    }
    text = shown_text(user, message)
    if text is not None:
        data["text"] = text
    return data


@bp.post("/stations/<slug>/webhook-secret")
@policy("admin")
@require_role(Role.ADMIN)
@validated(resp=answers(201, out.WebhookSecret, errors=(401, 403, 404)))
def new_webhook_secret(slug: str) -> Response:
    """A new webhook secret for the station's SMS gateway (shown once; the previous one stops working)."""
    station = get_station(db(), slug)
    secret = rotate_webhook_secret(db(), station, runtime().secret_key)
    url = runtime().settings.public_url.rstrip("/") + f"/hooks/sms/{station.slug}"
    response = jsonify({"secret": secret, "webhook_url": url, "gateway": station.gateway})
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/stations/<slug>/messages")
@policy("inbound.read")
@require_role(Role.RESEARCHER)
@validated(query=MessagesQuery, resp=answers(200, out.InboundMessageList, errors=(400, 401, 403, 404)))
def messages(slug: str, query: MessagesQuery) -> Response:
    """The station's latest SMS and missed calls, newest first (text redacted for all but admins); ``q`` searches
    the text as the reader reads it, with the rules of transcript search."""
    user = _user()
    station = get_station(db(), slug, user)
    found = recent_messages(db(), station, query.limit, q=query.q, reader=user)
    return jsonify({"items": [message_dict(user, m) for m in found]})
