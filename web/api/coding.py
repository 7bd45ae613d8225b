"""API for coding (tagging) transcript segments: the codebook, codes on segments, coded-segment exports."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from radio.access import policy
from radio.models import Role, User
from transcripts import coding
from transcripts.access import masks_contact_details
from transcripts.coding_export import codebook_qdc, coded_segments_csv, coding_to_dict
from transcripts.coding_models import Code
from web.auth import current_user, require_role
from web.context import db, writes
from web.contract import answers, validated
from web.schemas import answers as out
from web.schemas.coding import ApplyCode, CodeCreate, CodeDeleteQuery, CodedSegmentsQuery, CodePatch, MemoPatch

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
@policy("coding")
@require_role(*CODERS)
@validated(resp=answers(200, out.Items, errors=(401, 403)))
def list_codes() -> Response:
    """The codebook with how many segments carry each code."""
    return jsonify({"items": [code_dict(c, n) for c, n in coding.list_codes(db())]})


@bp.post("/codes")
@policy("coding")
@require_role(*CODERS)
@validated(json=CodeCreate, resp=answers(201, out.Code, errors=(400, 401, 403, 404, 409)))
def create_code(body: CodeCreate) -> Response:
    """Define a code: ``{"name", "description", "colour", "parent_id"}``."""
    session = db()
    code = coding.create_code(session, body.changes(), user_id=_user().id)
    return _created(code_dict(code, 0))


@bp.get("/codes/export.qdc")
@policy("coding")
@require_role(*CODERS)
@validated(resp=answers(200, media="application/xml (REFI-QDA codebook)", errors=(401, 403)))
def export_codebook() -> Response:
    """The codebook as a REFI-QDA ``.qdc`` file."""
    return Response(codebook_qdc(db()), mimetype="application/xml",
                    headers={"Content-Disposition": 'attachment; filename="codebook.qdc"'})


@bp.get("/codes/<code_id>")
@policy("coding")
@require_role(*CODERS)
@validated(resp=answers(200, out.Code, errors=(401, 403, 404)))
def get_code(code_id: str) -> Response:
    """One code."""
    return jsonify(code_dict(coding.find_code(db(), code_id)))


@bp.patch("/codes/<code_id>")
@policy("coding")
@require_role(*CODERS)
@validated(json=CodePatch, resp=answers(200, out.Code, errors=(400, 401, 403, 404, 409)))
def update_code(code_id: str, body: CodePatch) -> Response:
    """Change a code's name, description, colour or parent."""
    session = db()
    code = coding.update_code(session, code_id, body.changes())
    return jsonify(code_dict(code))


@bp.delete("/codes/<code_id>")
@policy("coding")
@require_role(*CODERS)
@validated(query=CodeDeleteQuery, resp=answers(200, out.Deleted, errors=(400, 401, 403, 404, 409)))
def delete_code(code_id: str, query: CodeDeleteQuery) -> Response:
    """Remove a code (409 while in use, unless ``?force=true``)."""
    session = db()
    coding.delete_code(session, code_id, force=query.force)
    return jsonify({"id": code_id, "deleted": True})


def _redact() -> bool:
    return masks_contact_details(_user())


@bp.get("/segments/<segment_id>/codes")
@policy("coding")
@require_role(*CODERS)
@validated(resp=answers(200, out.Items, errors=(401, 403, 404)))
@writes  # audits listings of restricted episodes' coded segments
def segment_codes(segment_id: str) -> Response:
    """The codes on a segment with their memos."""
    items = coding.listed_codings(db(), _user(), "segment", segment_id=segment_id)
    return jsonify({"items": [coding_to_dict(c, redact=_redact()) for c in items]})


@bp.post("/segments/<segment_id>/codes")
@policy("coding")
@require_role(*CODERS)
@validated(json=ApplyCode, resp=answers(201, errors=(400, 401, 403, 404, 409)))
def apply_code(segment_id: str, body: ApplyCode) -> Response:
    """Attach a code: ``{"code_id" | "code", "memo"}``."""
    session = db()
    item = coding.apply_code(session, segment_id, body.changes(), user_id=_user().id)
    return _created(coding_to_dict(item, redact=_redact()))


@bp.patch("/segments/<segment_id>/codes/<code_id>")
@policy("coding")
@require_role(*CODERS)
@validated(json=MemoPatch, resp=answers(200, errors=(400, 401, 403, 404)))
def update_memo(segment_id: str, code_id: str, body: MemoPatch) -> Response:
    """Change the memo: ``{"memo"}``."""
    session = db()
    item = coding.update_memo(session, segment_id, code_id, body.memo)
    return jsonify(coding_to_dict(item, redact=_redact()))


@bp.delete("/segments/<segment_id>/codes/<code_id>")
@policy("coding")
@require_role(*CODERS)
@validated(resp=answers(200, out.Deleted, errors=(401, 403, 404)))
def remove_code(segment_id: str, code_id: str) -> Response:
    """Detach a code from a segment."""
    session = db()
    coding.remove_code(session, segment_id, code_id)
    return jsonify({"segment_id": segment_id, "code_id": code_id, "deleted": True})


@bp.get("/coded-segments")
@policy("coding")
@require_role(*CODERS)
@validated(query=CodedSegmentsQuery, resp=answers(200, out.Items, errors=(400, 401, 403, 404)))
@writes  # audits listings of restricted episodes' coded segments
def coded_segments(query: CodedSegmentsQuery) -> Response:
    """Coded segments, filtered by ``code`` (id or name) and ``episode_id``."""
    items = coding.listed_codings(db(), _user(), "coded-segments", code=query.code, episode_id=query.episode_id)
    return jsonify({"items": [coding_to_dict(c, redact=_redact()) for c in items], "total": len(items)})


@bp.get("/coded-segments.csv")
@policy("coding")
@require_role(*CODERS)
@validated(query=CodedSegmentsQuery, resp=answers(200, media="text/csv", errors=(400, 401, 403, 404)))
@writes  # audits listings of restricted episodes' coded segments
def coded_segments_export(query: CodedSegmentsQuery) -> Response:
    """Coded segments as CSV (phone numbers masked for all but admins)."""
    session = db()
    items = coding.listed_codings(session, _user(), "coded-segments.csv", code=query.code,
                                  episode_id=query.episode_id)
    return Response(coded_segments_csv(session, items, redact=_redact()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="coded-segments.csv"'})
