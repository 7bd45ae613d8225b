"""Producers' library: episode list with filters and search, upload, the episode page with player and transcript."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from episodes.models import Episode
from episodes.queries import latest_jobs
from episodes.services import get_episode, ingest, list_episodes, update_episode
from radio import access
from radio.access import policy
from radio.errors import Conflict, DomainError, Duplicate, TooLarge
from radio.models import Role, User
from radio.versions import version_tag
from schedule.bookings import list_broadcasts
from transcripts.services import check_access, request_transcription, transcript_document
from transcripts.whisper_models import model_status
from web.context import db, runtime, writes
from web.contract import validate_model
from web.schemas.episodes import EpisodeListQuery, EpisodePatch, UploadForm
from web.schemas.transcripts import TranscribeBody
from web.ui.base import check_csrf, csrf_header, done, field_errors, int_arg, page, page_user
from web.ui.labels import error_message
from web.ui.widgets import waveform_svg
from web.uploads import StreamedForm, StreamingUpload

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
@policy("library.page")
@page(Role.PRODUCER, Role.RESEARCHER)
def library() -> tuple[str, int]:
    """The episode library with filters, text search and pages."""
    args = {k: request.args.get(k, "").strip() for k in LIST_FILTERS}
    try:
        query = validate_model(EpisodeListQuery, {**args, "page": int_arg("page", 1), "per_page": PER_PAGE})
        result = list_episodes(
            db(), q=query.q, language=query.language, kind=query.kind, campaign=query.campaign,
            district=query.district, restricted=query.restricted, status=query.status, page=query.page,
            per_page=query.per_page, viewer_role=page_user().role)
    except DomainError as exc:
        return render_template("library/list.html", result=None, args=args,
                               error=error_message(exc.code, exc.message)), exc.status
    return render_template("library/list.html", result=result, args={k: v for k, v in args.items() if v},
                           error=None), 200


def _metadata(form: Any, *, editing: bool) -> dict[str, Any]:
    """The form's metadata as the episode schemas take it (empty optional fields left out; the checkbox a bool)."""
    data = {k: form.get(k, "") for k in EDIT_FIELDS if form.get(k, "") != "" or (editing and k in form)}
    if editing or form.get("restricted"):
        data["restricted"] = bool(form.get("restricted"))
    return data


def _upload_metadata(fields: dict[str, Any]) -> dict[str, Any]:
    return {**_metadata(fields, editing=False), "filename": fields.get("filename", "")}


def _upload_page(form: Any, errors: dict[str, str], status: int, duplicate: str | None = None) -> tuple[str, int]:
    settings = runtime().settings
    return render_template("library/upload.html", form=form, errors=errors, duplicate=duplicate,
                           max_mb=settings.max_upload_mb, max_bytes=settings.max_upload_bytes), status


@bp.get("/library/upload")
@policy("episode.write")
@page(Role.PRODUCER)
def upload() -> tuple[str, int]:
    """The upload form."""
    return _upload_page({"language": "bn", "kind": ""}, {}, 200)


@bp.post("/library/upload")
@policy("episode.write")
@page(Role.PRODUCER)
def upload_post() -> Response | tuple[str, int]:
    """Stream an uploaded file into the media store as a new episode and open it (analysis runs as a job).

    The body is read as it arrives (never parsed whole first): the CSRF token, sent by the script as a header
    or by the plain form as its first field, is checked before a byte of the file is accepted, and a file over
    the limit is refused with 413 as soon as it passes it (``web/__init__.py`` leaves this route's CSRF check
    to this view).
    """
    user_id = page_user().id
    session = db()  # sign-in was looked up in the read session: no write lock is held while the file streams
    header_token = csrf_header()
    if header_token is not None:
        check_csrf(header_token)
    fields: dict[str, Any] = {}
    verified = header_token is not None
    try:
        upload = StreamingUpload(request)
        fields = upload.fields
        has_file = upload.start_file()
        if not verified:
            check_csrf(fields.get("csrf_token"))
            verified = True
        if not has_file or not fields.get("filename"):
            upload.drain()  # a browser sends an empty, nameless file part when no file was chosen
            return _upload_page(fields, {"file": _("Choose an audio file.")}, 400)
        episode = ingest(session, runtime().store, upload, StreamedForm(fields, UploadForm, _upload_metadata),
                         max_bytes=runtime().settings.max_upload_bytes, created_by=user_id)
    except (DomainError, RequestEntityTooLarge) as raised:
        if not verified and isinstance(raised, DomainError):
            check_csrf(None)  # a body that is not a form with a token first is refused as a forged form
        exc = raised if isinstance(raised, DomainError) else TooLarge(
            f"the upload is larger than the limit of {runtime().settings.max_upload_mb} MiB")
        duplicate = exc.details.get("id") if isinstance(exc, Duplicate) else None
        errors = field_errors(exc, UPLOAD_FIELDS)
        if "" in errors and exc.status in (409, 413, 415):
            errors = {"file": errors.pop("")}
        return _upload_page(fields, errors, exc.status, duplicate)
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
@policy("episode.write")
@page(Role.PRODUCER)
def edit(episode_id: str) -> Response | tuple[str, int]:
    """Edit an episode's editorial metadata."""
    session = db()
    user = page_user()
    episode = visible_episode(episode_id, user)
    may_loosen = access.may_loosen_protection(user)  # admins: the form asks why protection is lifted
    if request.method == "GET":  # the page carries the version it shows: saving over someone else's change is 412
        return render_template("library/edit.html", episode=episode, form=episode_form(episode), errors={},
                               may_loosen=may_loosen, version=version_tag(episode)), 200
    version = request.form.get("version", "")
    try:
        data = _metadata(request.form, editing=True)
        if may_loosen and request.form.get("reason", "").strip():
            data["reason"] = request.form["reason"]
        patch = validate_model(EpisodePatch, data)
        update_episode(session, episode_id, patch.changes(), actor=user, reason=patch.reason,
                       expected={version} if version else None)
    except DomainError as exc:
        episode = visible_episode(episode_id, user)
        if exc.code == "precondition_failed":  # warned once: saving again replaces the other change
            version = str(exc.details.get("etag", ""))
        return render_template("library/edit.html", episode=episode, form=request.form, may_loosen=may_loosen,
                               errors=field_errors(exc, (*EDIT_FIELDS, "restricted", "reason")),
                               version=version), exc.status
    return done(_("Saved."), "ui_library.episode", episode_id=episode_id)


def transcript_for(episode: Episode, user: User) -> dict[str, Any] | None:
    """The transcript document when the user may read it and it exists."""
    try:
        check_access(user, episode, "view")
        return transcript_document(db(), episode.id, user)
    except DomainError:
        return None


def start_time() -> float | None:
    """The ``?t=`` moment to play from (a search hit), in seconds."""
    try:
        value = float(request.args.get("t", ""))
    except ValueError:
        return None
    return value if 0 <= value < 86_400 else None


@bp.get("/episodes/<episode_id>")
@policy("library.page")
@page(Role.PRODUCER, Role.RESEARCHER)
@writes  # audits reads of restricted episodes
def episode(episode_id: str) -> str:
    """The episode: player, waveform, metadata, loudness, jobs, bookings and the transcript synced to playback."""
    user = page_user()
    item = visible_episode(episode_id, user)
    transcript = transcript_for(item, user)
    can_transcribe = user.has_role(Role.PRODUCER, Role.RESEARCHER)
    return render_template(
        "library/episode.html", episode=item, transcript=transcript, jobs=latest_jobs(db(), item.id),
        waveform=waveform_svg(item.peaks, _("Waveform: click to play from that point")),
        audio_url=f"/api/v1/episodes/{item.id}/audio", start=start_time(), can_transcribe=can_transcribe,
        can_correct=user.has_role(Role.RESEARCHER), can_edit=user.has_role(Role.PRODUCER),
        bookings=list_broadcasts(db(), user, episode_id=item.id) if user.has_role(Role.PRODUCER) else [],
        model=model_status(runtime().settings) if can_transcribe else {},
    )


@bp.post("/episodes/<episode_id>/transcribe")
@policy("transcript.queue")
@page(Role.PRODUCER, Role.RESEARCHER)
def transcribe(episode_id: str) -> Response:
    """Queue a transcription (in the chosen language) and come back to the episode, which shows its progress."""
    session = db()
    status = model_status(runtime().settings)
    try:
        wanted = validate_model(TranscribeBody, {"language": request.form.get("language") or "auto",
                                                 "replace": request.form.get("replace") == "1"})
        request_transcription(session, episode_id, wanted.language, page_user(), replace=wanted.replace,
                              multilingual_model=status.get("multilingual") if status.get("available") else None)
    except DomainError as exc:
        message = (_("This transcript has human corrections; tick “replace” to transcribe again anyway.")
                   if isinstance(exc, Conflict) and exc.code == "has_corrections"
                   else error_message(exc.code, exc.message))
        return done(message, "ui_library.episode", episode_id=episode_id, category="error")
    return done(_("Transcription was started."), "ui_library.episode", episode_id=episode_id)

