"""The rundown editor: a producer builds a programme for a slot from the library, orders it, trims each item on
its waveform, watches the running time against the slot, renders it and listens to the result.

Every change is a plain form (post/redirect/get, so it works without JavaScript) that computes the new item list
and hands it to :func:`episodes.rundown_editor.edit_rundown` with the ``rev`` the page was drawn from; the
script only adds dragging (of rows, and of the in/out handles) on top of the same forms.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from episodes.models import Episode
from episodes.programme_models import Programme
from episodes.programmes import get_programme, programme_dict, rerender
from episodes.rundown_editor import create_draft, edit_rundown, moved, rundown_timing
from episodes.services import list_episodes
from radio.access import policy
from radio.errors import DomainError
from radio.models import Role
from web.context import db
from web.contract import validate_model
from web.schemas.production import ProgrammeDraftBody, RundownItemBody
from web.ui.base import done, field_errors, page, page_user
from web.ui.labels import error_message
from web.ui.widgets import trim_waveform_svg, waveform_svg

bp = Blueprint("ui_programmes", __name__)

ITEM_FIELDS = ("in_s", "out_s", "role", "fade_in_s", "fade_out_s", "bed")
NEW_FIELDS = ("title", "slot_min", "crossfade_s", "language", "kind", "campaign")
PICK_PER_PAGE = 10


def _number(value: str | None) -> float | str | None:
    """A form number as a float (a bad one is passed on as text, so the schema names the field)."""
    text = (value or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


@bp.get("/programmes")
@policy("programme.write")
@page(Role.PRODUCER)
def programmes() -> tuple[str, int]:
    """The programmes, newest first, and the form for a new one."""
    listed = db().scalars(select(Programme).order_by(Programme.created_at.desc()).limit(100)).all()
    return render_template("programmes/list.html", programmes=listed, form={"slot_min": "30"}, errors={}), 200


@bp.post("/programmes")
@policy("programme.write")
@page(Role.PRODUCER)
def programme_new() -> Response | tuple[str, int]:
    """Create a programme for a slot (minutes) and open it in the editor."""
    form = request.form
    slot_min = _number(form.get("slot_min"))
    data = {"title": form.get("title", ""), "slot_s": slot_min * 60 if isinstance(slot_min, float) else slot_min,
            "crossfade_s": _number(form.get("crossfade_s")) or 0.0}
    data.update({k: form[k] for k in ("language", "kind", "campaign") if form.get(k)})
    try:
        programme = create_draft(db(), validate_model(ProgrammeDraftBody, data).model_dump(),
                                 created_by=page_user().id)
    except DomainError as exc:
        errors = field_errors(exc, (*NEW_FIELDS, "slot_s"))
        if "slot_s" in errors:
            errors["slot_min"] = errors.pop("slot_s")
        listed = db().scalars(select(Programme).order_by(Programme.created_at.desc()).limit(100)).all()
        return render_template("programmes/list.html", programmes=listed, form=form, errors=errors), exc.status
    return done(_("The programme was created: add items from the library."), "ui_programmes.editor",
                programme_id=programme.id)


def _library_picks(q: str) -> list[Episode]:
    """Ready, broadcastable episodes matching ``q`` (the editor's search-and-pick list)."""
    found = list_episodes(db(), q=q, restricted=False, status="ready", per_page=PICK_PER_PAGE * 3,
                          viewer_role=page_user().role)
    programme_episodes = set(db().scalars(select(Programme.episode_id).where(Programme.episode_id.is_not(None))))
    return [e for e in found.items if e.consent == "broadcast" and e.id not in programme_episodes][:PICK_PER_PAGE]


@bp.get("/programmes/<programme_id>")
@policy("programme.write")
@page(Role.PRODUCER)
def editor(programme_id: str) -> tuple[str, int]:
    """The rundown editor: items with waveforms and in/out points, running time, library picker, render, play."""
    session = db()
    programme = get_programme(session, programme_id)
    ids = {i["episode_id"] for i in programme.items}
    sources = {e.id: e for e in session.scalars(select(Episode).where(Episode.id.in_(ids)))} if ids else {}
    rows = []
    for n, item in enumerate(programme.items):
        source = sources.get(item["episode_id"])
        duration = float(source.duration_s or 0.0) if source else 0.0
        out_s = item.get("out_s") if item.get("out_s") is not None else duration
        rows.append({"n": n, "item": item, "episode": source, "out_s": out_s, "duration_s": duration,
                     "waveform": trim_waveform_svg(source.peaks if source else None, duration, item.get("in_s") or 0,
                                                   out_s, _("Waveform: drag the in and out points"))})
    q = request.args.get("q", "").strip()[:200]
    episode = session.get(Episode, programme.episode_id) if programme.episode_id else None
    return render_template(
        "programmes/editor.html", programme=programme, info=programme_dict(session, programme), rows=rows,
        timing=rundown_timing(session, programme), q=q, picks=_library_picks(q), episode=episode,
        result_waveform=waveform_svg(episode.peaks, _("Waveform: click to play from that point")) if episode
        else ""), 200


def _save(programme_id: str, items: list[dict[str, Any]], message: str, anchor: str = "rundown",
          **changes: Any) -> Response:
    """Hand the new rundown to the service; on a refusal say why (naming the item's field) and go back."""
    try:
        edit_rundown(db(), programme_id, {"items": items, **changes}, rev=request.form.get("rev") or None)
    except DomainError as exc:
        return done(error_message(exc.code, exc.message), "ui_programmes.editor", category="error",
                    programme_id=programme_id, _anchor=anchor)
    return done(message, "ui_programmes.editor", programme_id=programme_id, _anchor=anchor)


def _items(programme_id: str) -> list[dict[str, Any]]:
    return [dict(i) for i in get_programme(db(), programme_id).items]


@bp.post("/programmes/<programme_id>/items")
@policy("programme.write")
@page(Role.PRODUCER)
def item_add(programme_id: str) -> Response:
    """Add an episode from the library at the end of the rundown."""
    role = request.form.get("role") or "speech"
    try:
        item = validate_model(RundownItemBody, {"episode_id": request.form.get("episode_id", ""), "role": role})
    except DomainError as exc:
        return done(error_message(exc.code, exc.message), "ui_programmes.editor", category="error",
                    programme_id=programme_id)
    items = [*_items(programme_id), item.model_dump()]
    return _save(programme_id, items, _("The item was added."), anchor=f"item-{len(items) - 1}")


def _index(programme_id: str, n: int) -> list[dict[str, Any]]:
    items = _items(programme_id)
    if not 0 <= n < len(items):
        raise DomainError("no such item in the rundown", code="invalid_field", details={"field": "index"})
    return items


@bp.post("/programmes/<programme_id>/items/<int:n>/move")
@policy("programme.write")
@page(Role.PRODUCER)
def item_move(programme_id: str, n: int) -> Response:
    """Move item ``n`` to position ``to`` (the up and down buttons, and the script's drag and drop)."""
    try:
        to = int(request.form.get("to", ""))
        items = moved(_index(programme_id, n), n, to)
    except (ValueError, DomainError):
        return done(_("That item cannot be moved there."), "ui_programmes.editor", category="error",
                    programme_id=programme_id)
    return _save(programme_id, items, _("The rundown was reordered."), anchor=f"item-{min(max(to, 0), len(items) - 1)}")


@bp.post("/programmes/<programme_id>/items/<int:n>")
@policy("programme.write")
@page(Role.PRODUCER)
def item_update(programme_id: str, n: int) -> Response:
    """Save item ``n``'s in and out points, role, fades and bed."""
    form = request.form
    try:
        items = _index(programme_id, n)
        data = {"episode_id": items[n]["episode_id"], "role": form.get("role") or "speech",
                "bed": form.get("bed") == "1"}
        data.update({k: v for k in ("in_s", "out_s", "fade_in_s", "fade_out_s")
                     if (v := _number(form.get(k))) is not None})
        data.setdefault("in_s", 0.0)
        items[n] = validate_model(RundownItemBody, data).model_dump()
    except DomainError as exc:
        field = str(exc.details.get("field", ""))
        return done(_("Item %(n)s: %(error)s", n=n + 1, error=(field + ": " if field else "")
                      + error_message(exc.code, exc.message)), "ui_programmes.editor", category="error",
                    programme_id=programme_id, _anchor=f"item-{n}")
    return _save(programme_id, items, _("The item was saved."), anchor=f"item-{n}")


@bp.post("/programmes/<programme_id>/items/<int:n>/remove")
@policy("programme.write")
@page(Role.PRODUCER)
def item_remove(programme_id: str, n: int) -> Response:
    """Take item ``n`` out of the rundown."""
    try:
        items = _index(programme_id, n)
    except DomainError:
        return done(_("That item is no longer in the rundown."), "ui_programmes.editor", category="error",
                    programme_id=programme_id)
    del items[n]
    return _save(programme_id, items, _("The item was removed."))


@bp.post("/programmes/<programme_id>/render")
@policy("programme.write")
@page(Role.PRODUCER)
def render(programme_id: str) -> Response:
    """Render the rundown to the slot (a job; the page shows its progress, then the result to listen to)."""
    try:
        rerender(db(), programme_id, created_by=page_user().id)
    except DomainError as exc:
        message = error_message(exc.code, exc.message)
        if exc.code == "does_not_fit" and "overrun_s" in exc.details:
            over = format(float(exc.details["overrun_s"]), ".1f")
            message = _("The speech alone is %(over)s s longer than the slot; shorten or remove speech.", over=over)
        return done(message, "ui_programmes.editor", category="error", programme_id=programme_id)
    return done(_("Rendering has started."), "ui_programmes.editor", programme_id=programme_id, _anchor="result")
