"""Producers' library: episode list with filters and search, upload, the episode page with player and transcript."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from episodes.models import Episode
from episodes.services import get_episode, ingest, list_episodes, update_episode
from radio.errors import Conflict, DomainError, Duplicate
from radio.jobs import dispatch
from radio.models import Job, Role, User
from schedule.services import list_broadcasts
from transcripts.services import check_access, request_transcription, transcript_document
from transcripts.whisper_models import model_status
from web.context import db, runtime
from web.ui.base import done, field_errors, int_arg, page, page_user
from web.ui.widgets import waveform_svg

bp = Blueprint("ui_library", __name__)


EDIT_FIELDS = ("title", "title_bn", "title_en", "description", "language", "kind", "campaign", "districts",
               "topics", "audience", "producer", "contributors", "rights", "consent", "recorded_on", "valid_until")
UPLOAD_FIELDS = ("file", *EDIT_FIELDS, "restricted")
LIST_FILTERS = ("q", "language", "kind", "campaign", "district", "restricted", "status")
PER_PAGE = 20


def visible_episode(episode_id: str, user: User) -> Episode:
    """The episode if ``user`` may see it (a station never sees a restricted one)."""
    return get_episode(db(), episode_id, viewer_role=user.role)


@bp.get("/library")
@page(Role.PRODUCER, Role.RESEARCHER)
def library() -> tuple[str, int]:
    """The episode library with filters, text search and pages."""
    args = {k: request.args.get(k, "").strip() for k in LIST_FILTERS}
    restricted = {"1": True, "0": False}.get(args["restricted"])
    try:
        result = list_episodes(
            db(), q=args["q"], language=args["language"] or None, kind=args["kind"] or None,
            campaign=args["campaign"] or None, district=args["district"] or None, restricted=restricted,
            status=args["status"] or None, page=int_arg("page", 1), per_page=PER_PAGE, viewer_role=page_user().role)
    except DomainError as exc:
        return render_template("library/list.html", result=None, args=args, error=exc.message), exc.status
    return render_template("library/list.html", result=result, args={k: v for k, v in args.items() if v},
                           error=None), 200


def _metadata(form: Any, *, editing: bool) -> dict[str, Any]:
    """The form's metadata as the episode service takes it (empty optional fields left out)."""
    data = {k: form.get(k, "") for k in EDIT_FIELDS if form.get(k, "") != "" or (editing and k in form)}
    if editing:
        data["restricted"] = "true" if form.get("restricted") else "false"
    elif form.get("restricted"):
        data["restricted"] = "true"
    return data


def _upload_page(form: Any, errors: dict[str, str], status: int, duplicate: str | None = None) -> tuple[str, int]:
    return render_template("library/upload.html", form=form, errors=errors, duplicate=duplicate,
                           max_mb=runtime().settings.max_upload_mb), status


@bp.get("/library/upload")
@page(Role.PRODUCER)
def upload() -> tuple[str, int]:
    """The upload form."""
    return _upload_page({"language": "bn", "kind": ""}, {}, 200)


@bp.post("/library/upload")
@page(Role.PRODUCER)
def upload_post() -> Response | tuple[str, int]:
    """Store an uploaded file as a new episode and open it (analysis runs as a job)."""
    user_id = page_user().id
    session = db()
    session.commit()  # end the sign-in lookup's transaction: decoding the upload must not hold a write lock
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(request.form, {"file": _("Choose an audio file.")}, 400)
    metadata = {**_metadata(request.form, editing=False), "filename": upload.filename}
    try:
        episode = ingest(session, runtime().store, upload.stream, metadata,
                         max_bytes=runtime().settings.max_upload_bytes, created_by=user_id)
    except DomainError as exc:
        session.rollback()
        duplicate = exc.details.get("id") if isinstance(exc, Duplicate) else None
        errors = field_errors(exc, UPLOAD_FIELDS)
        if "" in errors and exc.status in (409, 413, 415):
            errors = {"file": errors.pop("")}
        return _upload_page(request.form, errors, exc.status, duplicate)
    session.commit()
    if episode.analysis_job_id:
        dispatch(runtime(), episode.analysis_job_id)
    return done(_("The episode was uploaded; its analysis has started."), "ui_library.episode",
                episode_id=episode.id)


def episode_form(episode: Episode) -> dict[str, str]:
    """An episode's editorial fields as form values."""
    form: dict[str, str] = {}
    for name in EDIT_FIELDS:
        value = getattr(episode, name)
        form[name] = ", ".join(value) if isinstance(value, list) else value.isoformat() if hasattr(
            value, "isoformat") else "" if value is None else str(value)
    form["restricted"] = "1" if episode.restricted else ""
    return form


@bp.route("/episodes/<episode_id>/edit", methods=["GET", "POST"])
@page(Role.PRODUCER)
def edit(episode_id: str) -> Response | tuple[str, int]:
    """Edit an episode's editorial metadata."""
    session = db()
    episode = visible_episode(episode_id, page_user())
    if request.method == "GET":
        return render_template("library/edit.html", episode=episode, form=episode_form(episode), errors={}), 200
    try:
        update_episode(session, episode_id, _metadata(request.form, editing=True))
    except DomainError as exc:
        session.rollback()
        episode = visible_episode(episode_id, page_user())
        return render_template("library/edit.html", episode=episode, form=request.form,
                               errors=field_errors(exc, (*EDIT_FIELDS, "restricted"))), exc.status
    session.commit()
    return done(_("Saved."), "ui_library.episode", episode_id=episode_id)


def transcript_for(episode: Episode, user: User) -> dict[str, Any] | None:
    """The transcript document when the user may read it and it exists."""
    try:
        check_access(user, episode, "view")
        return transcript_document(db(), episode.id, user)
    except DomainError:
        return None


def episode_jobs(episode: Episode) -> list[Job]:
    """The latest job of each kind about this episode (analysis, rendition, transcription)."""
    rows = db().scalars(select(Job).where(Job.subject_id == episode.id).order_by(Job.created_at.desc()).limit(20))
    latest: dict[str, Job] = {}
    for job in rows:
        latest.setdefault(job.kind, job)
    return list(latest.values())


def start_time() -> float | None:
    """The ``?t=`` moment to play from (a search hit), in seconds."""
    try:
        value = float(request.args.get("t", ""))
    except ValueError:
        return None
    return value if 0 <= value < 86_400 else None


@bp.get("/episodes/<episode_id>")
@page(Role.PRODUCER, Role.RESEARCHER)
def episode(episode_id: str) -> str:
    """The episode: player, waveform, metadata, loudness, jobs, bookings and the transcript synced to playback."""
    user = page_user()
    item = visible_episode(episode_id, user)
    transcript = transcript_for(item, user)
    can_transcribe = user.has_role(Role.PRODUCER, Role.RESEARCHER)
    return render_template(
        "library/episode.html", episode=item, transcript=transcript, jobs=episode_jobs(item),
        waveform=waveform_svg(item.peaks, _("Waveform: click to play from that point")),
        audio_url=f"/api/v1/episodes/{item.id}/audio", start=start_time(), can_transcribe=can_transcribe,
        can_correct=user.has_role(Role.RESEARCHER), can_edit=user.has_role(Role.PRODUCER),
        bookings=list_broadcasts(db(), user, episode_id=item.id) if user.has_role(Role.PRODUCER) else [],
        model=model_status(runtime().settings) if can_transcribe else {},
    )


@bp.post("/episodes/<episode_id>/transcribe")
@page(Role.PRODUCER, Role.RESEARCHER)
def transcribe(episode_id: str) -> Response:
    """Queue a transcription (in the chosen language) and come back to the episode, which shows its progress."""
    session = db()
    status = model_status(runtime().settings)
    try:
        job = request_transcription(session, episode_id, request.form.get("language") or "auto", page_user(),
                                    replace=request.form.get("replace") == "1",
                                    multilingual_model=status.get("multilingual") if status.get("available") else None)
    except DomainError as exc:
        session.rollback()
        message = (_("This transcript has human corrections; tick “replace” to transcribe again anyway.")
                   if isinstance(exc, Conflict) and exc.code == "has_corrections" else exc.message)
        return done(message, "ui_library.episode", episode_id=episode_id, category="error")
    session.commit()
    dispatch(runtime(), job.id)
    return done(_("Transcription was started."), "ui_library.episode", episode_id=episode_id)

