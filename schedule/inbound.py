"""Inbound SMS and missed calls from a station's gateway: checked, counted once, attributed to what was on air."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from radio.db import utcnow
from radio.errors import Forbidden, InvalidInput
from radio.models import Role, User
from radio.redaction import redact_contact_details
from schedule.airings import confirm_airing, current_report, find_airing_by_code
from schedule.message_search import message_matches
from schedule.models import Broadcast, BroadcastStatus, InboundMessage, Station
from schedule.occurrences import series_of
from schedule.recurrence import Occurrence, expand, zone

MAX_TEXT = 1600  # ten concatenated SMS parts
MAX_ID = 100
MAX_NUMBER = 40
PROVIDER_CLOCK_TRUST = dt.timedelta(hours=24)  # a provider's time further from the arrival is not believed
LONGEST_AIRING = dt.timedelta(hours=6)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_AIRED = re.compile(r"^\s*AIRED\s+([A-Za-z0-9][A-Za-z0-9 -]{0,20})\s*$", re.IGNORECASE)
_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


@dataclass(frozen=True)
class GatewayMessage:
    """A message as a gateway delivered it, before it is stored."""

    provider: str
    provider_id: str
    kind: str  # sms | missed_call
    sender: str
    text: str
    received_at: dt.datetime | None


def may_read_message_text(user: User) -> bool:
    """Message text is evidence: researchers and admins only (one rule, for the policy module)."""
    return user.has_role(Role.RESEARCHER)


def shown_text(user: User, message: InboundMessage) -> str | None:
    """The text ``user`` may see: None for other roles, redacted like transcripts for all but admins."""
    if not may_read_message_text(user):
        return None
    return message.text if user.role == Role.ADMIN else redact_contact_details(message.text)


def clean_text(text: str) -> str:
    """NFC, control and direction-override characters removed, at most ``MAX_TEXT`` characters."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()[:MAX_TEXT]


def sender_hash(secret_key: str, number: str) -> str:
    """A keyed hash of the sender's number (digits and a leading +): unique listeners, nobody to call back."""
    digits = number.translate(_DIGITS)
    canonical = ("+" if digits.strip().startswith("+") else "") + "".join(ch for ch in digits if ch.isdigit())
    return hmac.new(secret_key.encode(), f"sender:{canonical}".encode(), hashlib.sha256).hexdigest()


def _text_field(data: Mapping[str, Any], name: str, limit: int, *, required: bool) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise InvalidInput(f"'{name}' is required", code="missing_field", details={"field": name})
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInput(f"'{name}' must be text of at most {limit} characters", code="invalid_field",
                           details={"field": name})
    return value


def parse_json_message(data: Any) -> GatewayMessage:
    """A generic gateway's JSON ``{"id", "from", "to", "kind", "text", "received_at"}``; 400 naming the field."""
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", code="invalid_body")
    provider_id = clean_text(_text_field(data, "id", MAX_ID, required=True))
    if not provider_id:
        raise InvalidInput("'id' is required", code="missing_field", details={"field": "id"})
    kind = data.get("kind", "sms")
    if kind not in ("sms", "missed_call"):
        raise InvalidInput("'kind' must be sms or missed_call", code="invalid_field", details={"field": "kind"})
    sender = _text_field(data, "from", MAX_NUMBER, required=True)
    _text_field(data, "to", MAX_NUMBER, required=False)
    text = _text_field(data, "text", MAX_TEXT * 4, required=False)
    received = data.get("received_at")
    at: dt.datetime | None = None
    if received not in (None, ""):
        try:
            at = dt.datetime.fromisoformat(received) if isinstance(received, str) and len(received) <= 40 else None
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise InvalidInput("'received_at' must be an ISO 8601 time with an offset", code="invalid_field",
                               details={"field": "received_at"})
    return GatewayMessage("json", provider_id, kind, sender, text, at)


def parse_twilio_message(form: Mapping[str, str]) -> GatewayMessage:
    """Twilio's webhook: an SMS (``MessageSid``, ``Body``) or a call (``CallSid``, counted as a missed call)."""
    sid = form.get("MessageSid") or form.get("SmsSid")
    kind = "sms"
    if not sid:
        sid, kind = form.get("CallSid"), "missed_call"
    if not sid or len(sid) > MAX_ID:
        raise InvalidInput("a MessageSid or CallSid is required", code="missing_field", details={"field": "MessageSid"})
    sender = form.get("From", "")
    if not sender or len(sender) > MAX_NUMBER:
        raise InvalidInput("'From' is required", code="missing_field", details={"field": "From"})
    return GatewayMessage("twilio", clean_text(sid), kind, sender, form.get("Body", "") if kind == "sms" else "", None)


def message_time(received_at: dt.datetime | None, arrived: dt.datetime) -> dt.datetime:
    """The provider's time when it is within 24 hours of the arrival, else the arrival (UTC, whole seconds)."""
    if received_at is not None and abs(received_at - arrived) <= PROVIDER_CLOCK_TRUST:
        return received_at.astimezone(dt.UTC).replace(microsecond=0)
    return arrived.replace(microsecond=0)


def on_air_at(session: Session, station: Station, at: dt.datetime,
              window: dt.timedelta) -> tuple[Broadcast, Occurrence] | None:
    """The occurrence on air at ``at`` or ended at most ``window`` before it (the latest-starting one), or None.

    An occurrence the station has reported as missed was not on air: a reply then counts for the one before it,
    or for the station's day.
    """
    lo = at - window - LONGEST_AIRING
    query = select(Broadcast).where(Broadcast.station_id == station.id,
                                    Broadcast.status == BroadcastStatus.CONFIRMED, Broadcast.starts_at <= at)
    found = [(broadcast, occ) for broadcast in session.scalars(query)
             for occ in expand(series_of(broadcast), lo, at + dt.timedelta(seconds=1))
             if occ.start <= at <= occ.end + window]
    for broadcast, occ in sorted(found, key=lambda pair: (pair[1].start, pair[0].id), reverse=True):
        report = current_report(session, broadcast.id, occ.key)
        if report is None or report.status != "missed":
            return broadcast, occ
    return None


def receive_message(session: Session, station: Station, message: GatewayMessage, secret_key: str, *,
                    window_h: float, now: dt.datetime | None = None) -> tuple[InboundMessage, bool]:
    """Store a gateway message once (``(row, False)`` for a replay); ``AIRED <code>`` confirms that airing."""
    now = now or utcnow()
    existing = session.scalar(select(InboundMessage).where(
        InboundMessage.station_id == station.id, InboundMessage.provider == message.provider,
        InboundMessage.provider_id == message.provider_id))
    if existing is not None:
        return existing, False
    text = clean_text(message.text)
    at = message_time(message.received_at, now)
    row = InboundMessage(station_id=station.id, provider=message.provider, provider_id=message.provider_id,
                         kind=message.kind, sender_hash=sender_hash(secret_key, message.sender), text=text, at=at,
                         local_day=at.astimezone(zone(station.timezone)).date().isoformat(), purpose="feedback")
    try:
        with session.begin_nested():  # a concurrent copy of the same message wins the unique key: a replay
            _attribute(session, station, row, secret_key, window_h, now)
            session.add(row)
            session.flush()
    except IntegrityError:
        again = session.scalar(select(InboundMessage).where(
            InboundMessage.station_id == station.id, InboundMessage.provider == message.provider,
            InboundMessage.provider_id == message.provider_id))
        if again is None:
            raise
        return again, False
    return row, True


def _attribute(session: Session, station: Station, row: InboundMessage, secret_key: str, window_h: float,
               now: dt.datetime) -> None:
    code = _AIRED.match(row.text) if row.kind == "sms" else None
    if code is not None:
        found = find_airing_by_code(session, station, code.group(1), secret_key, now)
        if found is None:
            row.purpose = "unknown_code"
        else:
            broadcast, occ = found
            confirm_airing(session, broadcast, {"occurrence": occ.key, "status": "aired"}, None, via="sms", now=now)
            row.purpose, row.broadcast_id, row.occurrence_key = "confirmation", broadcast.id, occ.key
        return
    aired = on_air_at(session, station, row.at, dt.timedelta(hours=window_h))
    if aired is not None:
        broadcast, occ = aired
        override = next((o for o in broadcast.overrides if o.recurrence_key == occ.key), None)
        row.broadcast_id, row.occurrence_key = broadcast.id, occ.key
        row.episode_id = override.episode_id if override is not None and override.episode_id else broadcast.episode_id


def recent_messages(session: Session, station: Station, limit: int = 50, *, q: str = "",
                    reader: User | None = None) -> list[InboundMessage]:
    """The station's latest messages, newest first; with ``q`` only those whose text matches it (the search
    language of transcripts), searched as ``reader`` may read the text: researchers the redacted text, admins
    the original."""
    query = select(InboundMessage).where(InboundMessage.station_id == station.id)
    if q.strip():
        if reader is None or not may_read_message_text(reader):
            raise Forbidden("message text is for researchers and admins", details={"field": "q"})
        query = query.where(InboundMessage.id.in_(message_matches(session, q, masked=reader.role != Role.ADMIN)))
    return list(session.scalars(query.order_by(InboundMessage.created_at.desc(), InboundMessage.id).limit(limit)))


def gateway_counts_query(scope: Any) -> Select[*tuple[Any, ...]]:
    """``(broadcast_id, occurrence_key, sms, missed_calls)`` of the gateway's feedback for the broadcasts in scope."""
    return (select(InboundMessage.broadcast_id, InboundMessage.occurrence_key,
                   func.sum(case((InboundMessage.kind == "sms", 1), else_=0)),
                   func.sum(case((InboundMessage.kind == "missed_call", 1), else_=0)))
            .where(InboundMessage.purpose == "feedback", InboundMessage.broadcast_id.in_(scope))
            .group_by(InboundMessage.broadcast_id, InboundMessage.occurrence_key))
