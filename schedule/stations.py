"""Stations: creation and edits, who may see which, and the secret feed token in calendar and podcast URLs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio import audit
from radio.db import utcnow
from radio.errors import Conflict, InvalidInput, NotFound
from radio.models import Role, User
from radio.versions import claim_for_edit
from schedule.models import Broadcast, Station, StationMember
from schedule.recurrence import zone

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"  # the API schema uses it too
_SLUG = re.compile(SLUG_PATTERN)
_TEXT_FIELDS = {"name": 200, "name_bn": 200, "district": 100, "frequency": 40, "contact": 300}


def feed_token(secret_key: str, station: Station) -> str:
    """The station's current feed token: an HMAC of its id and token version (rotating the version revokes it)."""
    return feed_token_for(secret_key, station.id, station.feed_token_version)


def feed_token_for(secret_key: str, station_id: str, version: int) -> str:
    """The feed token of station ``station_id`` at token ``version``."""
    message = f"station-feed:{station_id}:{version}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


GATEWAYS = ("twilio", "json")


def webhook_secret(secret_key: str, station: Station) -> str | None:
    """The station's current webhook secret (the SMS gateway's signing key), or None before one is issued."""
    if station.webhook_secret_version <= 0:
        return None
    message = f"station-webhook:{station.id}:{station.webhook_secret_version}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def rotate_webhook_secret(session: Session, station: Station, secret_key: str) -> str:
    """Issue a new webhook secret (the old one stops verifying at once) and return it, to be shown once."""
    station.webhook_secret_version += 1
    station.updated_at = utcnow()
    session.flush()
    secret = webhook_secret(secret_key, station)
    assert secret is not None
    return secret


def station_for_feed(session: Session, slug: str, token: str | None, secret_key: str) -> Station:
    """The station whose feed ``token`` this is; NotFound for a wrong, old or missing token (and unknown slugs)."""
    station = session.scalar(select(Station).where(Station.slug == slug)) if _SLUG.match(slug or "") else None
    expected = feed_token(secret_key, station) if station is not None else "x" * 32
    if not hmac.compare_digest(expected.encode(), (token or "").encode()[:200]) or station is None:
        raise NotFound("no such calendar")
    return station


def feed_urls(base_url: str, secret_key: str, station: Station) -> dict[str, str]:
    """Calendar (https and webcal) and podcast URLs with the station's feed token."""
    token = feed_token(secret_key, station)
    base = base_url.rstrip("/")
    calendar = f"{base}/calendars/{quote(station.slug)}.ics?token={token}"
    return {
        "calendar_url": calendar,
        "webcal_url": "webcal://" + calendar.split("://", 1)[1],
        "podcast_url": f"{base}/feeds/{quote(station.slug)}/podcast.xml?token={token}",
    }


def _clean_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, limit in _TEXT_FIELDS.items():
        if key in data:
            value = data[key]
            if not isinstance(value, str):
                raise InvalidInput(f"'{key}' must be text", code="invalid_field")
            value = unicodedata.normalize("NFC", value.strip())
            if len(value) > limit:
                raise InvalidInput(f"'{key}' is longer than {limit} characters", code="invalid_field")
            out[key] = value
    if "timezone" in data:
        if not isinstance(data["timezone"], str):
            raise InvalidInput("'timezone' must be an IANA name such as Asia/Dhaka", code="invalid_timezone")
        out["timezone"] = zone(data["timezone"].strip()).key
    if "name" in out and not out["name"]:
        raise InvalidInput("'name' cannot be empty", code="invalid_field")
    return out


def create_station(session: Session, data: Mapping[str, Any]) -> Station:
    """Add a station from ``slug``, ``name`` and optional fields; 409 when the slug is taken."""
    slug = data.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise InvalidInput("'slug' must be 1-64 lowercase letters, digits and inner hyphens", code="invalid_slug")
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise InvalidInput("'name' is required", code="missing_field")
    fields = _clean_fields(data)
    if session.scalar(select(Station.id).where(Station.slug == slug)) is not None:
        raise Conflict(f"a station {slug!r} exists already", code="station_exists")
    station = Station(slug=slug, **fields)
    session.add(station)
    session.flush()
    return station


def update_station(session: Session, station: Station, data: Mapping[str, Any], *,
                   expected: Collection[str] | None = None) -> Station:
    """Change a station's names, time zone, district, frequency or contact (the slug stays); 412 when
    ``expected`` (the client's If-Match) is not the station's current version."""
    unknown = set(data) - set(_TEXT_FIELDS) - {"timezone", "gateway"}
    if unknown:
        raise InvalidInput(f"cannot change: {', '.join(sorted(unknown))}", code="invalid_field")
    claim_for_edit(session, station, expected, what="the station")
    if "gateway" in data:
        if data["gateway"] not in GATEWAYS:
            raise InvalidInput("'gateway' must be twilio or json", code="invalid_field", details={"field": "gateway"})
        station.gateway = data["gateway"]
    for key, value in _clean_fields(data).items():
        setattr(station, key, value)
    station.updated_at = utcnow()
    session.flush()
    return station


def rotate_feed_token(session: Session, station: Station, *, actor: User | None = None) -> Station:
    """Give the station a new feed token; calendar and podcast URLs with the old one stop working (audited)."""
    station.feed_token_version += 1
    station.feed_rotated_at = station.updated_at = utcnow()
    session.flush()
    audit.record(session, actor, "station.feed_token_rotated", "station", station.id,
                 {"slug": station.slug, "version": station.feed_token_version})
    return station


def get_station(session: Session, slug: str, user: User | None = None) -> Station:
    """The station ``slug``; a station user asking for another station gets NotFound."""
    station = session.scalar(select(Station).where(Station.slug == slug))
    if station is None or (user is not None and not can_see_station(user, station.id)):
        raise NotFound(f"no station {slug!r}", code="station_not_found")
    return station


def station_id_of(user: User) -> str | None:
    """The station a user is bound to (station users only), or None."""
    member: StationMember | None = getattr(user, "station_member", None)
    return member.station_id if member is not None else None


def assign_station(session: Session, user: User, slug: str | None) -> None:
    """Bind ``user`` to the station ``slug`` (404 when there is none), or unbind it when ``slug`` is None."""
    member = session.get(StationMember, user.id)
    if slug is None:
        if member is not None:
            session.delete(member)
            session.flush()
        return
    station = session.scalar(select(Station).where(Station.slug == slug))
    if station is None:
        raise NotFound(f"no station {slug!r}")
    if member is None:
        session.add(StationMember(user_id=user.id, station_id=station.id))
    else:
        member.station_id = station.id
    session.flush()
    session.expire(user, ["station_member"])


def can_see_station(user: User, station_id: str) -> bool:
    """Station users see only their own station; every other role sees all."""
    return user.role != Role.STATION or station_id_of(user) == station_id


def visible_stations(session: Session, user: User) -> list[Station]:
    """The stations ``user`` may see, by slug."""
    query = select(Station).order_by(Station.slug)
    if user.role == Role.STATION:
        query = query.where(Station.id == station_id_of(user))
    return list(session.scalars(query))


def station_episodes_sql(session: Session, slug: str) -> str:
    """SQL selecting the ids of episodes booked (not cancelled) on station ``:station``; 400 for an unknown slug."""
    if session.scalar(select(Station.id).where(Station.slug == slug)) is None:
        raise InvalidInput(f"no station {slug!r}", code="unknown_station")
    return (f"SELECT b.episode_id FROM {Broadcast.__tablename__} b JOIN {Station.__tablename__} st"
            " ON st.id = b.station_id WHERE st.slug = :station AND b.status <> 'cancelled'")
