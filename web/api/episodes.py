"""API for episodes (see SPEC.md): upload, library queries, edit, delete and audio with HTTP Range."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file

from episodes.models import Episode
from episodes.services import (
    delete_episode,
    get_episode,
    ingest,
    is_expired,
    list_episodes,
    media_file,
    queue_analysis,
    record_audio_read,
    update_episode,
)
from radio.access import policy
from radio.models import Job, Role, User
from web.auth import current_user, require_role, require_user
from web.context import db, runtime, writes
from web.contract import answers, if_match, tagged, validated
from web.schemas import answers as out
from web.schemas.episodes import AnalyseBody, AudioQuery, EpisodeListQuery, EpisodePatch, UploadForm, UploadRequest
from web.uploads import StreamedForm, StreamingUpload

bp = Blueprint("api_episodes", __name__, url_prefix="/api/v1")

_FIELDS = ("id", "title", "title_bn", "title_en", "description", "description_bn", "description_en", "language",
           "kind", "campaign", "topics", "districts", "audience", "producer", "contributors", "rights", "restricted",
           "consent", "sha256", "filename", "format", "codec", "duration_s", "sample_rate", "channels", "bitrate",
           "size_bytes", "mime_type", "tags", "loudness_lufs", "loudness_range_lu", "true_peak_dbtp", "cue_in_s",
           "cue_out_s", "status", "analysis_error", "analysis_job_id", "created_by")


def episode_dict(episode: Episode, *, detail: bool = False) -> dict[str, Any]:
    """An episode as the API shows it (waveform peaks only in ``detail``)."""
    data: dict[str, Any] = {name: getattr(episode, name) for name in _FIELDS}
    data.update(
        recorded_on=episode.recorded_on.isoformat() if episode.recorded_on else None,
        valid_until=episode.valid_until.isoformat() if episode.valid_until else None,
        expired=is_expired(episode),
        created_at=episode.created_at.isoformat(), updated_at=episode.updated_at.isoformat(),
        audio_url=f"/api/v1/episodes/{episode.id}/audio",
        broadcast={
            "ready": episode.broadcast_sha256 is not None, "sha256": episode.broadcast_sha256,
            "url": f"/api/v1/episodes/{episode.id}/audio?rendition=broadcast" if episode.broadcast_sha256 else None,
            "duration_s": episode.broadcast_duration_s, "size_bytes": episode.broadcast_size_bytes,
            "loudness_lufs": episode.broadcast_lufs, "true_peak_dbtp": episode.broadcast_true_peak_dbtp,
            "gain_db": episode.broadcast_gain_db,
        },
    )
    if detail:
        data["peaks"] = episode.peaks
        job = db().get(Job, episode.analysis_job_id) if episode.analysis_job_id else None
        data["analysis_job"] = {"id": job.id, "kind": job.kind, "status": job.status, "progress": job.progress,
                                "error": job.error} if job else None
    return data


def _me() -> User:
    user = current_user()
    assert user is not None
    return user


def _created(body: dict[str, Any], status: int = 201) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


@bp.post("/episodes")
@policy("episode.write")
@require_role(Role.PRODUCER)
@validated(form=UploadRequest, resp=answers(201, out.Episode, errors=(400, 401, 403, 409, 413, 415, 507)))
def upload_episode() -> Response:
    """Upload audio (multipart ``file`` plus metadata fields); 201 with the episode, its analysis queued.

    The file part streams to the media store; the metadata fields (which may follow it) are validated with
    ``UploadForm`` once they have arrived.
    """
    user = _me()
    session = db()  # the sign-in lookup used the read session: no write lock is held while the file streams
    upload = StreamingUpload(request)
    episode = ingest(session, runtime().store, upload, StreamedForm(upload.fields, UploadForm),
                     max_bytes=runtime().settings.max_upload_bytes, created_by=user.id)
    return tagged(_created(episode_dict(episode, detail=True)), episode)


@bp.get("/episodes")
@policy("episode.list")
@require_user
@validated(query=EpisodeListQuery, resp=answers(200, out.EpisodeList, errors=(400, 401)))
def episodes_index(query: EpisodeListQuery) -> Response:
    """The library: filters, text search (Bangla too) and pagination with the total."""
    page = list_episodes(
        db(), q=query.q, language=query.language, kind=query.kind, campaign=query.campaign,
        district=query.district, restricted=query.restricted, status=query.status, page=query.page,
        per_page=query.per_page, viewer_role=_me().role,
    )
    return jsonify({"items": [episode_dict(e) for e in page.items], "total": page.total, "page": page.page,
                    "per_page": page.per_page})


@bp.get("/episodes/<episode_id>")
@policy("episode.read")
@require_user
@validated(resp=answers(200, out.Episode, errors=(401, 404)))
def episode_detail(episode_id: str) -> Response:
    """One episode with its waveform peaks and analysis job (its ETag: an edit's ``If-Match``)."""
    episode = get_episode(db(), episode_id, viewer_role=_me().role)
    return tagged(jsonify(episode_dict(episode, detail=True)), episode)


@bp.patch("/episodes/<episode_id>")
@policy("episode.write")
@require_role(Role.PRODUCER)
@validated(json=EpisodePatch, resp=answers(200, out.Episode, errors=(400, 401, 403, 404)), edits=True)
def episode_update(episode_id: str, body: EpisodePatch) -> Response:
    """Change editorial metadata (``If-Match``: the ETag the change is based on)."""
    episode = update_episode(db(), episode_id, body.changes(), actor=_me(), reason=body.reason, expected=if_match())
    return tagged(jsonify(episode_dict(episode, detail=True)), episode)


@bp.delete("/episodes/<episode_id>")
@policy("episode.write")
@require_role(Role.PRODUCER)
@validated(resp=answers(200, out.Deleted, errors=(401, 403, 404, 409)))
def episode_delete(episode_id: str) -> Response:
    """Delete an episode (409 while it is scheduled); its files go when nothing else references them."""
    delete_episode(db(), runtime().store, episode_id)
    return jsonify({"id": episode_id, "deleted": True})


@bp.post("/episodes/<episode_id>/analyse")
@policy("episode.write")
@require_role(Role.PRODUCER)
@validated(json=AnalyseBody, resp=answers(202, out.Queued, errors=(400, 401, 403, 404)))
def episode_analyse(episode_id: str, body: AnalyseBody) -> Response:
    """Queue analysis again (or, with ``{"render_only": true}``, only a new broadcast rendition)."""
    job_id = queue_analysis(db(), episode_id, created_by=_me().id, render_only=body.render_only)
    return _created({"job": {"id": job_id, "status": "queued"}}, 202)


@bp.get("/episodes/<episode_id>/audio")
@policy("episode.read")
@require_user
@validated(query=AudioQuery, resp=answers(200, media="audio/*; 206 for a Range", errors=(400, 401, 404)))
@writes  # audits reads of restricted episodes
def episode_audio(episode_id: str, query: AudioQuery) -> Response:
    """The original audio, or ``?rendition=broadcast`` the normalised MP3; HTTP Range and conditional GET."""
    episode = get_episode(db(), episode_id, viewer_role=_me().role)
    path, mimetype, name = media_file(runtime().store, episode, query.rendition)
    first = request.range.ranges[0][0] if request.range and request.range.ranges else 0
    record_audio_read(db(), episode, _me(), query.rendition, continued=first > 0)
    response = send_file(path, mimetype=mimetype, conditional=True, download_name=name,
                         as_attachment=query.download, etag=True)
    response.headers["Accept-Ranges"] = "bytes"
    response.cache_control.private = True  # authenticated content: no shared caches
    return response
