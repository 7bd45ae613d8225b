"""API for transcripts, corrections and evidence logs (see SPEC.md, Transcripts and evidence)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from radio.errors import InvalidInput
from radio.models import Role, User
from transcripts.evidence import evidence_log, parse_evidence_filters
from transcripts.exports import MEDIA_TYPES, evidence_csv, evidence_json, render_transcript
from transcripts.services import correct_segment, request_transcription, segment_history, transcript_document
from transcripts.whisper_models import model_status
from web.api.core import json_body
from web.auth import current_user, require_role, require_user
from web.context import db, runtime

bp = Blueprint("api_transcripts", __name__, url_prefix="/api/v1")


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


@bp.post("/episodes/<episode_id>/transcribe")
@require_role(Role.PRODUCER, Role.RESEARCHER)
def transcribe(episode_id: str) -> tuple[Response, int]:
    """Queue a transcription: 202 with the job to poll at /api/v1/jobs/<id>."""
    data = json_body()
    replace = data.get("replace", False)
    if not isinstance(replace, bool):
        raise InvalidInput("'replace' must be true or false", code="invalid_replace")
    status = model_status(runtime().settings)
    session = db()
    job = request_transcription(session, episode_id, data.get("language"), _user(), replace=replace,
                                multilingual_model=status.get("multilingual") if status["available"] else None)
    return jsonify({"job": {"id": job.id, "status": job.status, "progress": job.progress,
                            "url": f"/api/v1/jobs/{job.id}"}}), 202


@bp.get("/episodes/<episode_id>/transcript")
@require_user
def transcript(episode_id: str) -> Response:
    """The transcript with segments and provenance (``?revision=machine|n`` for earlier texts)."""
    return jsonify(transcript_document(db(), episode_id, _user(), request.args.get("revision")))


@bp.get("/episodes/<episode_id>/transcript.<any(txt, srt, vtt, json):fmt>")
@require_user
def transcript_export(episode_id: str, fmt: str) -> Response:
    """The transcript as a .txt, .srt, .vtt or .json download."""
    doc = transcript_document(db(), episode_id, _user(), request.args.get("revision"))
    response = Response(render_transcript(doc, fmt), content_type=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{episode_id}.{fmt}"'
    return response


@bp.patch("/segments/<segment_id>")
@require_role(Role.RESEARCHER)
def patch_segment(segment_id: str) -> Response:
    """Correct a segment's text; the earlier texts stay in its history."""
    data = json_body()
    if "text" not in data:
        raise InvalidInput("'text' is required", code="missing_field")
    session = db()
    segment = correct_segment(session, segment_id, data["text"], _user(), note=data.get("note", ""))
    return jsonify(segment)


@bp.get("/segments/<segment_id>/revisions")
@require_user
def segment_revisions(segment_id: str) -> Response:
    """A segment's machine text and every correction with who and when."""
    return jsonify(segment_history(db(), segment_id, _user()))


@bp.get("/evidence")
@require_role(Role.RESEARCHER)
def evidence() -> Response:
    """The evidence log of the filtered episodes as CSV or JSON (``format=csv|json``)."""
    fmt = request.args.get("format", "json")
    if fmt not in ("csv", "json"):
        raise InvalidInput("format must be csv or json", code="invalid_format")
    log = evidence_log(db(), _user(), parse_evidence_filters(request.args))
    if fmt == "csv":
        body = evidence_csv(log.rows)
    else:
        body = evidence_json(log.rows, filters=log.filters, generated_at=log.generated_at,
                             transcripts=log.transcripts)
    response = Response(body, content_type=MEDIA_TYPES[fmt])
    stamp = log.generated_at[:19].replace(":", "").replace("-", "")
    response.headers["Content-Disposition"] = f'attachment; filename="evidence-{stamp}.{fmt}"'
    return response
