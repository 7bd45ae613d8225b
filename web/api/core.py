"""Core API: who am I, jobs, users and tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import select

from radio import audit
from radio.access import policy
from radio.auth import create_user, issue_token, revoke_token
from radio.errors import Forbidden, NotFound
from radio.jobs import get_job
from radio.models import ApiToken, Role, User
from schedule.stations import station_id_of
from web.auth import current_user, require_role, require_user
from web.context import db
from web.contract import answers, validated
from web.schemas import answers as out
from web.schemas.audit import AuditQuery, moment
from web.schemas.core import TokenCreate, UserCreate

bp = Blueprint("api_core", __name__, url_prefix="/api/v1")


def user_dict(user: User) -> dict[str, Any]:
    """A user as the API shows it (never a hash)."""
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "station_id": station_id_of(user), "active": user.active, "created_at": user.created_at.isoformat()}


@bp.get("/me")
@policy("account")
@require_user
@validated(resp=answers(200, out.User, errors=(401,)))
def me() -> Response:
    """The authenticated user."""
    user = current_user()
    assert user is not None
    return jsonify(user_dict(user))


@bp.get("/jobs/<job_id>")
@policy("account")
@require_user
@validated(resp=answers(200, out.Job, errors=(401, 404)))
def job_status(job_id: str) -> Response:
    """A job's status and progress (only its creator, producers, researchers and admins see it)."""
    job = get_job(db(), job_id)
    user = current_user()
    assert user is not None
    if user.role == Role.STATION and job.created_by != user.id:
        raise NotFound("no such job")
    return jsonify(job.to_dict())


@bp.get("/users")
@policy("admin")
@require_role(Role.ADMIN)
@validated(resp=answers(200, out.UserList, errors=(401, 403)))
def list_users() -> Response:
    """All users."""
    users = db().scalars(select(User).order_by(User.email))
    return jsonify({"items": [user_dict(u) for u in users]})


@bp.post("/users")
@policy("admin")
@require_role(Role.ADMIN)
@validated(json=UserCreate, resp=answers(201, out.UserCreated, errors=(400, 401, 403, 404, 409)))
def add_user(body: UserCreate) -> Response:
    """Create a user and return its first API token once."""
    session = db()
    user = create_user(session, body.email, body.role, station_slug=body.station, name=body.name,
                       password=body.password, actor=current_user())
    token = issue_token(session, user, "api", actor=current_user())
    response = jsonify({"user": user_dict(user), "token": token})
    response.status_code = 201
    return response


@bp.post("/users/<user_id>/tokens")
@policy("account")
@require_user
@validated(json=TokenCreate, resp=answers(201, out.NewToken, errors=(400, 401, 403, 404)))
def new_token(user_id: str, body: TokenCreate) -> Response:
    """Issue another token for a user (admins for anyone, users for themselves)."""
    me_ = current_user()
    assert me_ is not None
    if me_.id != user_id and me_.role != Role.ADMIN:
        raise Forbidden("only admins issue tokens for other users")
    session = db()
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    token = issue_token(session, user, body.name, actor=me_)
    response = jsonify({"token": token})
    response.status_code = 201
    return response


@bp.get("/tokens")
@policy("account")
@require_user
@validated(resp=answers(200, out.Items, errors=(401,)))
def list_tokens() -> Response:
    """The caller's tokens (admins: everyone's), without secrets."""
    me_ = current_user()
    assert me_ is not None
    query = select(ApiToken).order_by(ApiToken.created_at)
    if me_.role != Role.ADMIN:
        query = query.where(ApiToken.user_id == me_.id)
    rows = db().scalars(query)
    return jsonify({"items": [
        {"id": t.id, "user_id": t.user_id, "name": t.name, "prefix": t.prefix,
         "created_at": t.created_at.isoformat(), "revoked": t.revoked_at is not None}
        for t in rows
    ]})


@bp.delete("/tokens/<token_id>")
@policy("account")
@require_user
@validated(resp=answers(200, errors=(401, 404)))
def delete_token(token_id: str) -> Response:
    """Revoke a token (your own, or any as admin)."""
    me_ = current_user()
    assert me_ is not None
    session = db()
    row = session.get(ApiToken, token_id)
    if row is None or (row.user_id != me_.id and me_.role != Role.ADMIN):
        raise NotFound("no such token")
    revoke_token(session, token_id, actor=me_)
    return jsonify({"id": token_id, "revoked": True})


@bp.get("/audit")
@policy("admin")
@require_role(Role.ADMIN)
@validated(query=AuditQuery, resp=answers(200, out.AuditList, errors=(400, 401, 403)))
def audit_trail(query: AuditQuery) -> Response:
    """The audit trail, newest first: who did what and when (with each row's hash chain link)."""
    page = audit.list_entries(db(), actor=query.actor, action=query.action, subject_type=query.subject_type,
                              subject_id=query.subject_id, date_from=moment(query.date_from),
                              date_to=moment(query.date_to, end=True), page=query.page, per_page=query.per_page)
    return jsonify({"items": [audit.entry_dict(e) for e in page.items], "total": page.total})
