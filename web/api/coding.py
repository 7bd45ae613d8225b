"""API for coding (tagging) transcript segments: the codebook, codes on segments, coded-segment exports."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from radio.models import Role, User
from transcripts import coding
from transcripts.coding_export import codebook_qdc, coded_segments_csv, coding_to_dict
from transcripts.coding_models import Code
from web.api.core import json_body
from web.api.search import text_arg
from web.auth import current_user, require_role
from web.context import db

bp = Blueprint("api_coding", __name__, url_prefix="/api/v1")
CODERS = (Role.RESEARCHER,)  # admins always pass


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


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
    return jsonify(code_dict(code))


@bp.delete("/codes/<code_id>")
@require_role(*CODERS)
def delete_code(code_id: str) -> Response:
    """Remove a code (409 while in use, unless ``?force=true``)."""
    session = db()
    coding.delete_code(session, code_id, force=request.args.get("force", "").lower() in ("1", "true", "yes"))
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
    return _created(coding_to_dict(item, redact=_redact()))


@bp.patch("/segments/<segment_id>/codes/<code_id>")
@require_role(*CODERS)
def update_memo(segment_id: str, code_id: str) -> Response:
    """Change the memo: ``{"memo"}``."""
    session = db()
    item = coding.update_memo(session, segment_id, code_id, json_body().get("memo"))
    return jsonify(coding_to_dict(item, redact=_redact()))


@bp.delete("/segments/<segment_id>/codes/<code_id>")
@require_role(*CODERS)
def remove_code(segment_id: str, code_id: str) -> Response:
    """Detach a code from a segment."""
    session = db()
    coding.remove_code(session, segment_id, code_id)
    return jsonify({"segment_id": segment_id, "code_id": code_id, "deleted": True})


@bp.get("/coded-segments")
@require_role(*CODERS)
def coded_segments() -> Response:
    """Coded segments, filtered by ``code`` (id or name) and ``episode_id``."""
    items = coding.codings(db(), code=text_arg("code"), episode_id=text_arg("episode_id"))
    return jsonify({"items": [coding_to_dict(c, redact=_redact()) for c in items], "total": len(items)})


@bp.get("/coded-segments.csv")
@require_role(*CODERS)
def coded_segments_export() -> Response:
    """Coded segments as CSV (phone numbers masked for all but admins)."""
    session = db()
    items = coding.codings(session, code=text_arg("code"), episode_id=text_arg("episode_id"))
    return Response(coded_segments_csv(session, items, redact=_redact()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="coded-segments.csv"'})
