"""API for programmes (SPEC.md "Production"): rundowns rendered to a slot, re-render, cue sheets."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from episodes.programmes import create_programme, cue_sheet_csv, get_programme, programme_dict, rerender
from episodes.rundown_editor import create_draft, edit_rundown, rundown_timing
from radio.access import policy
from radio.models import Role
from web.auth import current_user, require_role, require_user
from web.context import db
from web.contract import answers, validated
from web.schemas.production import Programme, ProgrammeBody, ProgrammeDraftBody, ProgrammeQueued, RundownEditBody

bp = Blueprint("api_programmes", __name__, url_prefix="/api/v1")


def _user_id() -> str | None:
    user = current_user()
    return user.id if user is not None else None


def _accepted(body: dict[str, object]) -> Response:
    response = jsonify(body)
    response.status_code = 202
    return response


@bp.post("/programmes")
@policy("programme.write")
@require_role(Role.PRODUCER)
@validated(json=ProgrammeBody, resp=answers(202, ProgrammeQueued, errors=(400, 401, 403, 404, 409)))
def programme_create(body: ProgrammeBody) -> Response:
    """Check a rundown and queue its render (409 ``does_not_fit`` when speech alone overruns the slot)."""
    programme = create_programme(db(), body.model_dump(), created_by=_user_id())
    return _accepted({"programme": {"id": programme.id, "episode_id": programme.episode_id},
                      "job": {"id": programme.render_job_id, "status": "queued"}})


def _programme_answer(programme_id: str, status: int = 200) -> Response:
    session = db()
    programme = get_programme(session, programme_id)
    response = jsonify({**programme_dict(session, programme), "timing": rundown_timing(session, programme)})
    response.status_code = status
    return response


@bp.post("/programmes/drafts")
@policy("programme.write")
@require_role(Role.PRODUCER)
@validated(json=ProgrammeDraftBody, resp=answers(201, Programme, errors=(400, 401, 403, 404, 409)))
def programme_draft(body: ProgrammeDraftBody) -> Response:
    """A programme for a slot to build in the rundown editor, not rendered yet."""
    return _programme_answer(create_draft(db(), body.model_dump(), created_by=_user_id()).id, 201)


@bp.get("/programmes/<programme_id>")
@policy("programme.write")
@require_role(Role.PRODUCER)
@validated(resp=answers(200, Programme, errors=(401, 403, 404)))
def programme_detail(programme_id: str) -> Response:
    """A programme: status, staleness, rundown, its running time against the slot, and once rendered its
    episode, parts and cues."""
    return _programme_answer(programme_id)


@bp.put("/programmes/<programme_id>/rundown")
@policy("programme.write")
@require_role(Role.PRODUCER)
@validated(json=RundownEditBody, resp=answers(200, Programme, errors=(400, 401, 403, 404, 409)))
def programme_edit(programme_id: str, body: RundownEditBody) -> Response:
    """Replace the rundown (409 ``rundown_changed`` when ``rev`` is not the current one); it becomes a draft."""
    changes = body.model_dump(exclude_unset=True, exclude={"rev"})
    edit_rundown(db(), programme_id, changes, rev=body.rev)
    return _programme_answer(programme_id)


@bp.post("/programmes/<programme_id>/render")
@policy("programme.write")
@require_role(Role.PRODUCER)
@validated(resp=answers(202, ProgrammeQueued, errors=(401, 403, 404, 409)))
def programme_render(programme_id: str) -> Response:
    """Render again (after a part changed: the one action a stale programme needs)."""
    programme, job = rerender(db(), programme_id, created_by=_user_id())
    return _accepted({"programme": {"id": programme.id, "episode_id": programme.episode_id},
                      "job": {"id": job.id, "status": job.status}})


@bp.get("/episodes/<episode_id>/cue-sheet.csv")
@policy("episode.read")
@require_user
@validated(resp=answers(200, media="text/csv", errors=(401, 404)))
def episode_cue_sheet(episode_id: str) -> Response:
    """``start,end,title_bn,title_en,role,episode_id`` of a programme episode's parts."""
    user = current_user()
    text = cue_sheet_csv(db(), episode_id, viewer_role=user.role if user else None)
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="cue-sheet-{episode_id[:32]}.csv"'})

