"""API for transcripts, corrections and evidence logs (see SPEC.md, Transcripts and evidence)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from radio.access import policy
from radio.models import Role, User
from transcripts.evidence import evidence_log, parse_evidence_filters
from transcripts.exports import MEDIA_TYPES, evidence_csv, evidence_json, render_transcript
from transcripts.services import correct_segment, request_transcription, segment_history, transcript_document
from transcripts.whisper_models import model_status
from web.auth import current_user, require_role, require_user
from web.context import db, runtime, writes
from web.contract import answers, validated
from web.schemas import answers as out
from web.schemas.transcripts import EvidenceQuery, RevisionQuery, SegmentPatch, TranscribeBody

bp = Blueprint("api_transcripts", __name__, url_prefix="/api/v1")


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


@bp.post("/episodes/<episode_id>/transcribe")
@policy("transcript.queue")
@require_role(Role.PRODUCER, Role.RESEARCHER)
@validated(json=TranscribeBody, resp=answers(202, out.Queued, errors=(400, 401, 403, 404, 409)))
def transcribe(episode_id: str, body: TranscribeBody) -> tuple[Response, int]:
    """Queue a transcription: 202 with the job to poll at /api/v1/jobs/<id>."""
    status = model_status(runtime().settings)
    session = db()
    job = request_transcription(session, episode_id, body.language, _user(), replace=body.replace,
                                multilingual_model=status.get("multilingual") if status["available"] else None)
    return jsonify({"job": {"id": job.id, "status": job.status, "progress": job.progress,
                            "url": f"/api/v1/jobs/{job.id}"}}), 202


@bp.get("/episodes/<episode_id>/transcript")
@policy("transcript.read")
@require_user
@validated(query=RevisionQuery, resp=answers(200, errors=(400, 401, 403, 404)))
@writes  # audits reads of restricted episodes
def transcript(episode_id: str, query: RevisionQuery) -> Response:
    """The transcript with segments and provenance (``?revision=machine|n`` for earlier texts)."""
    return jsonify(transcript_document(db(), episode_id, _user(), query.revision))


@bp.get("/episodes/<episode_id>/transcript.<any(txt, srt, vtt, json):fmt>")
@policy("transcript.read")
@require_user
@validated(query=RevisionQuery, resp=answers(200, media="text/plain, application/x-subrip, text/vtt or JSON",
                                             errors=(400, 401, 403, 404)))
@writes  # audits reads of restricted episodes
def transcript_export(episode_id: str, fmt: str, query: RevisionQuery) -> Response:
    """The transcript as a .txt, .srt, .vtt or .json download."""
    doc = transcript_document(db(), episode_id, _user(), query.revision)
    response = Response(render_transcript(doc, fmt), content_type=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{episode_id}.{fmt}"'
    return response


@bp.patch("/segments/<segment_id>")
@policy("transcript.correct")
@require_role(Role.RESEARCHER)
@validated(json=SegmentPatch, resp=answers(200, errors=(400, 401, 403, 404)))
def patch_segment(segment_id: str, body: SegmentPatch) -> Response:
    """Correct a segment's text; the earlier texts stay in its history."""
    session = db()
    segment = correct_segment(session, segment_id, body.text, _user(), note=body.note or "")
    return jsonify(segment)


@bp.get("/segments/<segment_id>/revisions")
@policy("transcript.read")
@require_user
@validated(resp=answers(200, errors=(401, 403, 404)))
@writes  # audits reads of restricted episodes
def segment_revisions(segment_id: str) -> Response:
    """A segment's machine text and every correction with who and when."""
    return jsonify(segment_history(db(), segment_id, _user()))


@bp.get("/evidence")
@policy("evidence.export")
@require_role(Role.RESEARCHER)
@validated(query=EvidenceQuery, resp=answers(200, media="text/csv or application/json", errors=(400, 401, 403)))
@writes  # audits reads of restricted episodes
def evidence(query: EvidenceQuery) -> Response:
    """The evidence log of the filtered episodes as CSV or JSON (``format=csv|json``)."""
    fmt = query.format
    log = evidence_log(db(), _user(), parse_evidence_filters(query.params()))
    if fmt == "csv":
        body = evidence_csv(log.rows)
    else:
        body = evidence_json(log.rows, filters=log.filters, generated_at=log.generated_at,
                             transcripts=log.transcripts)
    response = Response(body, content_type=MEDIA_TYPES[fmt])
    stamp = log.generated_at[:19].replace(":", "").replace("-", "")
    response.headers["Content-Disposition"] = f'attachment; filename="evidence-{stamp}.{fmt}"'
    return response
