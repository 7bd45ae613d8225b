"""Admin pages: users and roles, API tokens, workers and the job queue, the audit trail."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from radio import audit, monitor
from radio.access import policy
from radio.auth import create_user, issue_token, revoke_token, update_user
from radio.errors import DomainError, NotFound
from radio.models import ApiToken, Role, User
from schedule.models import Station
from schedule.stations import create_station, feed_urls, get_station, rotate_feed_token, station_id_of
from web.context import db, runtime
from web.contract import validate_model
from web.schemas.audit import AuditQuery
from web.schemas.core import UserCreate
from web.schemas.schedule import StationCreate
from web.ui.base import done, field_errors, page, page_user
from web.ui.labels import error_message

bp = Blueprint("ui_admin", __name__, url_prefix="/admin")
USER_FIELDS = ("email", "name", "role", "station", "password")
AUDIT_PER_PAGE = 50
STATION_FIELDS = ("slug", "name", "name_bn", "timezone", "district", "frequency", "contact")


def _stations() -> list[Station]:
    return list(db().scalars(select(Station).order_by(Station.slug)))


def _users_page(form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                new_token: str | None = None, status: int = 200) -> tuple[str, int]:
    users = db().scalars(select(User).order_by(User.role, User.email)).all()
    stations = {s.id: s for s in _stations()}
    return render_template("admin/users.html", users=users, stations=stations, station_id_of=station_id_of,
                           roles=[r.value for r in Role], form=form or {}, errors=errors or {},
                           new_token=new_token), status


@bp.get("/users")
@policy("admin")
@page(Role.ADMIN)
def users() -> tuple[str, int]:
    """All users with a form to add one."""
    return _users_page()


@bp.post("/users")
@policy("admin")
@page(Role.ADMIN)
def add_user() -> tuple[str, int]:
    """Create a user; its first API token is shown once on the answer page."""
    form = {k: request.form.get(k, "").strip() for k in USER_FIELDS}
    session = db()
    try:
        wanted = validate_model(UserCreate, {"email": form["email"], "role": form["role"], "name": form["name"],
                                             "station": form["station"] or None,
                                             "password": form["password"] or None})
        user = create_user(session, wanted.email, wanted.role, station_slug=wanted.station, name=wanted.name,
                           password=wanted.password, actor=page_user())
        token = issue_token(session, user, "web", actor=page_user())
    except DomainError as exc:
        return _users_page(form, field_errors(exc, USER_FIELDS), status=exc.status)
    return _users_page(new_token=token, status=201)


def _user_or_404(user_id: str) -> User:
    user = db().get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def _user_page(user: User, errors: dict[str, str] | None = None, new_token: str | None = None,
               status: int = 200) -> tuple[str, int]:
    tokens = db().scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at)).all()
    return render_template("admin/user.html", subject=user, tokens=tokens, station_id_of=station_id_of,
                           stations=_stations(), roles=[r.value for r in Role], errors=errors or {},
                           new_token=new_token), status


@bp.get("/users/<user_id>")
@policy("admin")
@page(Role.ADMIN)
def user_detail(user_id: str) -> tuple[str, int]:
    """One user: role, station, active flag and tokens."""
    return _user_page(_user_or_404(user_id))


@bp.post("/users/<user_id>")
@policy("admin")
@page(Role.ADMIN)
def change_user(user_id: str) -> Response | tuple[str, int]:
    """Change a user's role, station, active flag or password."""
    user = _user_or_404(user_id)
    session = db()
    active = request.form.get("active")
    try:
        update_user(session, user.id, role=request.form.get("role") or None,
                    station_slug=request.form.get("station") or None,
                    active=None if active is None else active == "1",
                    password=request.form.get("password") or None, actor=page_user())
    except DomainError as exc:
        return _user_page(_user_or_404(user_id), field_errors(exc, USER_FIELDS), status=exc.status)
    return done(_("Saved."), "ui_admin.user_detail", user_id=user_id)


@bp.post("/users/<user_id>/tokens")
@policy("admin")
@page(Role.ADMIN)
def add_token(user_id: str) -> tuple[str, int]:
    """Issue a new API token for a user and show it once."""
    user = _user_or_404(user_id)
    token = issue_token(db(), user, request.form.get("name", "").strip()[:100], actor=page_user())
    return _user_page(user, new_token=token, status=201)


@bp.post("/tokens/<token_id>/revoke")
@policy("admin")
@page(Role.ADMIN)
def revoke(token_id: str) -> Response:
    """Revoke an API token."""
    row = revoke_token(db(), token_id, actor=page_user())
    return done(_("The token was revoked."), "ui_admin.user_detail", user_id=row.user_id)


@bp.get("/stations")
@policy("admin")
@page(Role.ADMIN)
def stations() -> tuple[str, int]:
    """Stations with their subscription links, a form to add one, and feed-token rotation."""
    return _stations_page()


def _stations_page(form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                   status: int = 200) -> tuple[str, int]:
    rt = runtime()
    rows = [(s, feed_urls(rt.settings.public_url, rt.secret_key, s)) for s in _stations()]
    return render_template("admin/stations.html", rows=rows, form=form or {"timezone": "Asia/Dhaka"},
                           errors=errors or {}), status


@bp.post("/stations")
@policy("admin")
@page(Role.ADMIN)
def add_station() -> Response | tuple[str, int]:
    """Create a station."""
    form = {k: request.form.get(k, "").strip() for k in STATION_FIELDS}
    session = db()
    try:
        station = validate_model(StationCreate, {k: v for k, v in form.items() if v or k in ("slug", "name")})
        create_station(session, station.changes())
    except DomainError as exc:
        message = error_message(exc.code, exc.message)
        errors = {"slug": message} if exc.code in ("invalid_slug", "station_exists") else \
            {"timezone": message} if "timezone" in exc.code else field_errors(exc, STATION_FIELDS)
        return _stations_page(form, errors, exc.status)
    return done(_("The station was added."), "ui_admin.stations")


@bp.post("/stations/<slug>/rotate")
@policy("admin")
@page(Role.ADMIN)
def rotate(slug: str) -> Response:
    """Give a station a new feed token (its old calendar and podcast links stop working)."""
    rotate_feed_token(db(), get_station(db(), slug), actor=page_user())
    return done(_("New feed links were made; give the station its new calendar link."), "ui_admin.stations")


@bp.get("/workers")
@policy("admin")
@page(Role.ADMIN)
def workers() -> str:
    """Worker processes, queue depth, job counts and recent failures."""
    return render_template("admin/workers.html", state=monitor.overview(runtime(), db()))


@bp.get("/audit")
@policy("admin")
@page(Role.ADMIN)
def audit_trail() -> tuple[str, int]:
    """The audit trail with filters (person, action, subject), newest first."""
    args = {k: request.args.get(k, "").strip() for k in ("actor", "action", "subject_id") if request.args.get(k)}
    try:
        query = validate_model(AuditQuery, {**args, "page": request.args.get("page", "1")})
        page_ = audit.list_entries(db(), actor=query.actor, action=query.action, subject_id=query.subject_id,
                                   page=query.page, per_page=AUDIT_PER_PAGE)
    except DomainError as exc:
        return render_template("admin/audit.html", page=None, args=args, actions=audit.ACTIONS, current=1,
                               per_page=AUDIT_PER_PAGE, error=error_message(exc.code, exc.message)), exc.status
    return render_template("admin/audit.html", page=page_, args=args, actions=audit.ACTIONS, current=query.page,
                           per_page=AUDIT_PER_PAGE, error=None), 200


@bp.post("/jobs/<job_id>/retry")
@policy("admin")
@page(Role.ADMIN)
def retry(job_id: str) -> Response:
    """Queue a failed job again."""
    monitor.retry_job(runtime(), db(), job_id)
    return done(_("The job was queued again."), "ui_admin.workers")

