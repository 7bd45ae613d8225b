"""Editing a programme's rundown before it is rendered: drafts, item edits, and the running time against the slot.

A draft is a programme whose rundown has not been rendered since it was last edited (``status == "draft"``); it
may be empty and may overrun its slot while the producer works on it. Every edit replaces the whole item list
through :func:`edit_rundown`, which checks each item as a render would (the part exists, may be broadcast, is
analysed, its in/out points lie inside it) and refuses an edit made against an older rundown (``rev``), so a
replayed or concurrent form cannot undo someone else's change. Rendering is :func:`episodes.programmes.rerender`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from episodes.models import Episode
from episodes.programme_models import Programme
from episodes.programmes import MAX_ITEMS, get_programme, load_parts, new_programme, rundown_items, rundown_rev
from episodes.rundown import plan_rundown, running_time, validate_items
from radio.errors import Conflict, DomainError, InvalidInput, PreconditionFailed
from radio.models import Job
from radio.versions import claim_for_edit

ITEM_DEFAULTS: dict[str, Any] = {"in_s": 0.0, "out_s": None, "role": "speech", "fade_in_s": 0.0,
                                 "fade_out_s": 0.0, "bed": False}


def check_items(session: Session, items: Sequence[Mapping[str, Any]]) -> list[Episode]:
    """Each item's episode, checked as a render would check it (an empty rundown is allowed in a draft)."""
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"a rundown has at most {MAX_ITEMS} items", code="invalid_field",
                           details={"field": "items"})
    if not items:
        return []
    parts = load_parts(session, items)
    planned = rundown_items(items, parts)
    if all(item.bed for item in planned):
        return parts  # a draft may hold only a bed for a moment; rendering it is refused by the planner
    validate_items(planned)
    return parts


def create_draft(session: Session, data: Mapping[str, Any], *, created_by: str | None = None) -> Programme:
    """A new programme for a slot, not rendered yet (its items may be empty)."""
    items = [{**ITEM_DEFAULTS, **i} for i in data.get("items") or []]
    check_items(session, items)
    return new_programme(session, data, items, status="draft", created_by=created_by)


def _refuse_while_rendering(session: Session, programme: Programme) -> None:
    job = session.get(Job, programme.render_job_id) if programme.render_job_id else None
    if job is not None and job.status in ("queued", "running"):
        raise Conflict("this programme is being rendered; edit it when the render has finished",
                       code="render_in_progress", details={"job": {"id": job.id, "status": job.status}})


def edit_rundown(session: Session, programme_id: str, changes: Mapping[str, Any], *,
                 rev: str | None = None) -> Programme:
    """Replace the rundown's items (and title, slot or crossfade when given); the programme becomes a draft."""
    programme = get_programme(session, programme_id)
    try:  # locked and read again first, so two edits made against the same rev cannot both pass
        claim_for_edit(session, programme, None if rev is None else {rev}, what="the rundown")
    except PreconditionFailed:
        raise Conflict("the rundown was changed by someone else since this page was loaded; look at it again",
                       code="rundown_changed", details={"field": "rev", "rev": rundown_rev(programme)}) from None
    _refuse_while_rendering(session, programme)
    if "items" in changes:
        items = [{**ITEM_DEFAULTS, **i} for i in changes["items"]]
        check_items(session, items)
        programme.items = items
    for name in ("title", "slot_s", "crossfade_s"):
        if changes.get(name) is not None:
            setattr(programme, name, changes[name])
    programme.status, programme.error = "draft", None
    session.flush()
    return programme


def moved(items: Sequence[Mapping[str, Any]], index: int, to: int) -> list[dict[str, Any]]:
    """The items with item ``index`` moved to position ``to`` (clamped to the list)."""
    result = [dict(i) for i in items]
    if not 0 <= index < len(result):
        raise InvalidInput("no such item in the rundown", code="invalid_field", details={"field": "index"})
    item = result.pop(index)
    result.insert(min(max(to, 0), len(result)), item)
    return result


def rundown_timing(session: Session, programme: Programme) -> dict[str, Any]:
    """The running time against the slot: total and speech as asked, whether it fits, each item's place once
    fitted, and (when it does not fit) the problem with its overrun or field."""
    timing: dict[str, Any] = {"slot_s": programme.slot_s, "total_s": 0.0, "speech_s": 0.0, "fits": False,
                              "difference_s": -programme.slot_s, "problem": None, "items": []}
    if not programme.items:
        timing["problem"] = {"code": "empty", "message": "the rundown has no items yet"}
        return timing
    try:
        planned = rundown_items(programme.items, load_parts(session, programme.items))
        total, speech = running_time(planned, programme.crossfade_s)
        timing.update(total_s=round(total, 3), speech_s=round(speech, 3),
                      difference_s=round(total - programme.slot_s, 3))
        plan = plan_rundown(planned, programme.slot_s, programme.crossfade_s)
    except DomainError as exc:
        timing["problem"] = {"code": exc.code, "message": exc.message, **exc.details}
        return timing
    timing.update(fits=True, trimmed_s=plan.trimmed_s, extended_s=plan.extended_s, padded_s=plan.padded_s,
                  items=[{"index": p.index, "start_s": round(p.start_s, 3), "end_s": round(p.end_s, 3),
                          "length_s": round(p.length_s, 3), "bed": p.bed} for p in plan.placements])
    return timing
