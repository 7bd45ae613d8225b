"""API for evidence search and coding (see SPEC.md: ``GET /api/v1/search``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, jsonify, request

from radio.errors import InvalidInput
from radio.models import Role, User
from transcripts import coding
from transcripts.coding_export import codebook_qdc, coded_segments_csv, coding_to_dict
from transcripts.coding_models import Code
from transcripts.search import SearchFilters, Viewer, search
from web.api.core import json_body
from web.auth import current_user, require_role
from web.context import db, runtime

bp = Blueprint("api_search", __name__, url_prefix="/api/v1")
CODERS = (Role.RESEARCHER,)  # admins always pass


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a whole number", code="invalid_parameter",
                           details={"parameter": name}) from None


def _date_arg(name: str) -> dt.date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise InvalidInput(f"'{name}' must be a date like 2026-03-31", code="invalid_parameter",
                           details={"parameter": name}) from None


def _text_arg(name: str) -> str | None:
    value = request.args.get(name)
    return value.strip() if value and value.strip() else None


@bp.get("/search")
@require_role(Role.PRODUCER, Role.RESEARCHER)
def search_transcripts() -> Response:
    """Ranked hits with highlighted, redacted snippets; ``limit``/``offset`` or ``page``/``per_page``."""
    filters = SearchFilters(
        language=_text_arg("language"), kind=_text_arg("kind"), district=_text_arg("district"),
        campaign=_text_arg("campaign"), station=_text_arg("station"), date_from=_date_arg("from"),
        date_to=_date_arg("to"), code=_text_arg("code"), episode_id=_text_arg("episode_id"),
        scope=_text_arg("scope") or "all",
    )
    if "page" in request.args or "per_page" in request.args:
        limit = _int_arg("per_page", 20)
        page = _int_arg("page", 1)
        if page < 1:
            raise InvalidInput("'page' starts at 1", code="invalid_parameter", details={"parameter": "page"})
        offset = (page - 1) * limit
    else:
        limit, offset = _int_arg("limit", 20), _int_arg("offset", 0)
    viewer = Viewer.for_user(_user())
    db().commit()  # end the request's transaction (sign-in bookkeeping): the search holds no write lock
    with runtime().read_session() as session:
        result = search(session, request.args.get("q", ""), filters, viewer, limit=limit, offset=offset)
    return jsonify(result.to_dict())


def code_dict(code: Code, segments: int | None = None) -> dict[str, Any]:
    """A code as the API shows it."""
    out: dict[str, Any] = {"id": code.id, "guid": code.guid, "name": code.name, "description": code.description,
           "colour": code.colour, "parent_id": code.parent_id, "created_at": code.created_at.isoformat(),
           "updated_at": code.updated_at.isoformat()}
    if segments is not None:
        out["segments"] = segments
    return out


def _created(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.status_code = 201
    return response


@bp.get("/codes")
@require_role(*CODERS)
def list_codes() -> Response:
    """The codebook with how many segments carry each code."""
    return jsonify({"items": [code_dict(c, n) for c, n in coding.list_codes(db())]})


@bp.post("/codes")
@require_role(*CODERS)
def create_code() -> Response:
    """Define a code: ``{"name", "description", "colour", "parent_id"}``."""
    session = db()
    code = coding.create_code(session, json_body(), user_id=_user().id)
    session.commit()
    return _created(code_dict(code, 0))


@bp.get("/codes/export.qdc")
@require_role(*CODERS)
def export_codebook() -> Response:
    """The codebook as a REFI-QDA ``.qdc`` file."""
    return Response(codebook_qdc(db()), mimetype="application/xml",
                    headers={"Content-Disposition": 'attachment; filename="codebook.qdc"'})


@bp.get("/codes/<code_id>")
@require_role(*CODERS)
def get_code(code_id: str) -> Response:
    """One code."""
    return jsonify(code_dict(coding.find_code(db(), code_id)))


@bp.patch("/codes/<code_id>")
@require_role(*CODERS)
def update_code(code_id: str) -> Response:
    """Change a code's name, description, colour or parent."""
    session = db()
    code = coding.update_code(session, code_id, json_body())
    session.commit()
    return jsonify(code_dict(code))


@bp.delete("/codes/<code_id>")
@require_role(*CODERS)
def delete_code(code_id: str) -> Response:
    """Remove a code (409 while in use, unless ``?force=true``)."""
    session = db()
    coding.delete_code(session, code_id, force=request.args.get("force", "").lower() in ("1", "true", "yes"))
    session.commit()
    return jsonify({"id": code_id, "deleted": True})


def _redact() -> bool:
    return _user().role != Role.ADMIN


@bp.get("/segments/<segment_id>/codes")
@require_role(*CODERS)
def segment_codes(segment_id: str) -> Response:
    """The codes on a segment with their memos."""
    items = coding.codings(db(), segment_id=segment_id)
    return jsonify({"items": [coding_to_dict(c, redact=_redact()) for c in items]})


@bp.post("/segments/<segment_id>/codes")
@require_role(*CODERS)
def apply_code(segment_id: str) -> Response:
    """Attach a code: ``{"code_id" | "code", "memo"}``."""
    session = db()
    item = coding.apply_code(session, segment_id, json_body(), user_id=_user().id)
    session.commit()
    return _created(coding_to_dict(item, redact=_redact()))


@bp.patch("/segments/<segment_id>/codes/<code_id>")
@require_role(*CODERS)
def update_memo(segment_id: str, code_id: str) -> Response:
    """Change the memo: ``{"memo"}``."""
    session = db()
    item = coding.update_memo(session, segment_id, code_id, json_body().get("memo"))
    session.commit()
    return jsonify(coding_to_dict(item, redact=_redact()))


@bp.delete("/segments/<segment_id>/codes/<code_id>")
@require_role(*CODERS)
def remove_code(segment_id: str, code_id: str) -> Response:
    """Detach a code from a segment."""
    session = db()
    coding.remove_code(session, segment_id, code_id)
    session.commit()
    return jsonify({"segment_id": segment_id, "code_id": code_id, "deleted": True})


@bp.get("/coded-segments")
@require_role(*CODERS)
def coded_segments() -> Response:
    """Coded segments, filtered by ``code`` (id or name) and ``episode_id``."""
    items = coding.codings(db(), code=_text_arg("code"), episode_id=_text_arg("episode_id"))
    return jsonify({"items": [coding_to_dict(c, redact=_redact()) for c in items], "total": len(items)})


@bp.get("/coded-segments.csv")
@require_role(*CODERS)
def coded_segments_export() -> Response:
    """Coded segments as CSV (phone numbers masked for all but admins)."""
    session = db()
    items = coding.codings(session, code=_text_arg("code"), episode_id=_text_arg("episode_id"))
    return Response(coded_segments_csv(session, items, redact=_redact()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="coded-segments.csv"'})
