"""Users, roles, API tokens and passwords."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from radio import audit
from radio.db import utcnow
from radio.errors import Conflict, InvalidInput, NotFound
from radio.features import hook
from radio.models import ApiToken, Role, User

TOKEN_PREFIX = "rad_"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(
    session: Session, email: str, role: str, *, station_slug: str | None = None, name: str = "",
    password: str | None = None, actor: User | None = None,
) -> User:
    """Add a user; a station user is bound to exactly one existing station (recorded in the audit trail)."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput(f"not an e-mail address: {email!r}", code="invalid_email")
    if role not in {r.value for r in Role}:
        raise InvalidInput(f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}", code="invalid_role")
    _check_station_rule(role, station_slug)
    if session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(f"a user {email} already exists", code="user_exists")
    user = User(email=email, role=role, name=name)
    if password:
        user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    _assign_station(session, user, station_slug if role == Role.STATION else None)
    audit.record(session, actor, "user.created", "user", user.id,
                 {"email": user.email, "role": role, **({"station": station_slug} if station_slug else {})})
    return user


def _check_station_rule(role: str, station_slug: str | None) -> None:
    if role == Role.STATION and not station_slug:
        raise InvalidInput("a station user needs --station SLUG", code="station_required")
    if role != Role.STATION and station_slug:
        raise InvalidInput("only station users are bound to a station", code="station_not_allowed")


def _assign_station(session: Session, user: User, station_slug: str | None) -> None:
    # Stations belong to the schedule feature; it binds the user (404 for an unknown slug).
    assigners = hook("assign_station")
    if station_slug and not assigners:
        raise InvalidInput("no feature here keeps stations", code="station_not_allowed")
    for assign in assigners:
        assign(session, user, station_slug)


def issue_token(session: Session, user: User, name: str = "", *, actor: User | None = None) -> str:
    """Create a new API token for ``user`` and return it; only its hash is kept (the trail records who made it)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=hash_token(token), prefix=token[:12])
    session.add(row)
    session.flush()
    audit.record(session, actor, "token.created", "token", row.id, {"user": user.email, "name": name})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a token belongs to, or None."""
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    # The lookup is by hash (an attacker cannot steer it); compare again in constant time anyway.
    if row is None or not hmac.compare_digest(row.token_hash, digest) or row.revoked_at is not None:
        return None
    if not row.user.active:
        return None
    return row.user


def revoke_token(session: Session, token_id: str, *, actor: User | None = None) -> ApiToken:
    """Revoke a token by id; later requests with it get 401."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("no such token")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor, "token.revoked", "token", row.id, {"user": row.user.email, "name": row.name})
    session.flush()
    return row


def hash_password(password: str) -> str:
    """An Argon2id hash of a password."""
    if len(password) < 8:
        raise InvalidInput("a password needs at least 8 characters", code="weak_password")
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    """True when ``password`` is the user's password."""
    if not user.password_hash or not user.active:
        _hasher.hash("timing-equaliser")  # same cost whether or not the user exists
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate_password(session: Session, email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _hasher.hash("timing-equaliser")
        return None
    return user if check_password(user, password) else None


def update_user(
    session: Session, user_id: str, *, role: str | None = None, station_slug: str | None = None,
    active: bool | None = None, password: str | None = None, actor: User | None = None,
) -> User:
    """Change a user's role (a station user is bound to one station), active flag or password (audited)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    before = {"role": user.role, "active": user.active}
    if role is not None:
        if role not in {r.value for r in Role}:
            raise InvalidInput(f"unknown role {role!r}", code="invalid_role")
        if role == Role.STATION and not station_slug:
            raise InvalidInput("a station user needs a station", code="station_required")
        _assign_station(session, user, station_slug if role == Role.STATION else None)
        user.role = role
    if active is not None:
        user.active = active
    if password:
        user.password_hash = hash_password(password)
        user.session_version += 1  # a new password ends every web session
    session.flush()
    if role is not None and (role != before["role"] or role == Role.STATION):
        audit.record(session, actor, "user.station" if role == before["role"] else "user.role", "user", user.id,
                     {"email": user.email, "from": before["role"], "to": role,
                      **({"station": station_slug} if role == Role.STATION else {})})
    if active is not None and active != before["active"]:
        audit.record(session, actor, "user.active", "user", user.id, {"email": user.email, "active": active})
    return user
