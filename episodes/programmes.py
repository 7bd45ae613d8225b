"""Programme operations: create a rundown (checked, planned, its render queued), show it, re-render, cue sheet.

A programme's parts must be broadcastable (not restricted, broadcast consent) and analysed (their loudness
is what each part is matched by). A programme is stale when a part's audio, consent or restriction differs
from what its render recorded, or a part is gone; re-rendering is one call.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from episodes.models import Episode, EpisodeStatus
from episodes.programme_models import Programme
from episodes.rundown import RundownItem, RundownPlan, plan_rundown
from episodes.services import get_episode
from radio.errors import Conflict, InvalidInput, NotFound
from radio.jobs import create_job
from radio.models import Job
from radio.versions import version_tag

PROGRAMME_RENDER_JOB = "programme.render"
MAX_ITEMS = 200


def _field_error(error: type[Conflict] | type[NotFound] | type[InvalidInput], message: str, code: str,
                 field: str) -> Exception:
    return error(message, code=code, details={"field": field})


def check_part(episode: Episode | None, n: int, episode_id: str) -> Episode:
    """The episode of item ``n`` if it may be part of a programme (exists, broadcastable, analysed)."""
    field = f"items.{n}.episode_id"
    if episode is None:
        raise _field_error(NotFound, f"items.{n}: no such episode {episode_id}", "episode_not_found", field)
    if episode.restricted or episode.consent != "broadcast":
        raise _field_error(Conflict, f"items.{n}: the episode is restricted or has no broadcast consent; "
                           "it cannot be part of a programme", "part_not_broadcastable", field)
    if episode.status != EpisodeStatus.READY or not episode.duration_s:
        raise _field_error(Conflict, f"items.{n}: the episode is not analysed yet (status {episode.status})",
                           "part_not_ready", field)
    return episode


def rundown_items(items: Sequence[Mapping[str, Any]], episodes: Sequence[Episode]) -> list[RundownItem]:
    """The planner's items: the request's items with each source's duration."""
    return [RundownItem(episode_id=e.id, duration_s=float(e.duration_s or 0.0), in_s=float(i.get("in_s") or 0.0),
                        out_s=None if i.get("out_s") is None else float(i["out_s"]), role=str(i.get("role", "speech")),
                        fade_in_s=float(i.get("fade_in_s") or 0.0), fade_out_s=float(i.get("fade_out_s") or 0.0),
                        bed=bool(i.get("bed", False))) for i, e in zip(items, episodes, strict=True)]


def load_parts(session: Session, items: Sequence[Mapping[str, Any]]) -> list[Episode]:
    """Every item's episode, checked with :func:`check_part`."""
    ids = {str(i["episode_id"]) for i in items}
    found = {e.id: e for e in session.scalars(select(Episode).where(Episode.id.in_(ids)))}
    return [check_part(found.get(str(i["episode_id"])), n, str(i["episode_id"])) for n, i in enumerate(items)]


def plan_programme(session: Session, items: Sequence[Mapping[str, Any]], slot_s: float,
                   crossfade_s: float) -> tuple[list[Episode], RundownPlan]:
    """Check the parts and plan the rundown (409 ``does_not_fit`` when speech alone overruns the slot)."""
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"a rundown has at most {MAX_ITEMS} items", code="invalid_field",
                           details={"field": "items"})
    parts = load_parts(session, items)
    return parts, plan_rundown(rundown_items(items, parts), slot_s, crossfade_s)


def create_programme(session: Session, data: Mapping[str, Any], *, created_by: str | None = None) -> Programme:
    """A new programme from a checked rundown, its render queued (on commit)."""
    items = [dict(i) for i in data["items"]]
    plan_programme(session, items, float(data["slot_s"]), float(data.get("crossfade_s") or 0.0))
    programme = new_programme(session, data, items, status="queued", created_by=created_by)
    queue_render(session, programme, created_by=created_by)
    return programme


def new_programme(session: Session, data: Mapping[str, Any], items: list[dict[str, Any]], *, status: str,
                  created_by: str | None) -> Programme:
    """The programme row for ``data`` (title, slot, crossfade, metadata) with checked ``items``, flushed."""
    programme = Programme(title=str(data["title"]), language=data.get("language"), kind=data.get("kind"),
                          campaign=data.get("campaign"), slot_s=float(data["slot_s"]),
                          crossfade_s=float(data.get("crossfade_s") or 0.0), items=items, status=status,
                          parts=[], cues=[], created_by=created_by)
    session.add(programme)
    session.flush()
    return programme


def queue_render(session: Session, programme: Programme, *, created_by: str | None = None) -> Job:
    """Queue a (re-)render of ``programme`` (dispatched on commit)."""
    job = create_job(session, PROGRAMME_RENDER_JOB, {"programme_id": programme.id}, subject_id=programme.id,
                     created_by=created_by)
    programme.render_job_id, programme.status, programme.error = job.id, "queued", None
    session.flush()
    return job


def get_programme(session: Session, programme_id: str) -> Programme:
    """A programme by id (404 when missing)."""
    programme = session.get(Programme, programme_id) if len(programme_id) <= 64 else None
    if programme is None:
        raise NotFound("no such programme", code="programme_not_found")
    return programme


def rerender(session: Session, programme_id: str, *, created_by: str | None = None) -> tuple[Programme, Job]:
    """Check the rundown again (parts may have changed) and queue a new render."""
    programme = get_programme(session, programme_id)
    job = session.get(Job, programme.render_job_id) if programme.render_job_id else None
    if job is not None and job.status in ("queued", "running"):
        raise Conflict("this programme is being rendered already", code="render_in_progress",
                       details={"job": {"id": job.id, "status": job.status}})
    plan_programme(session, programme.items, programme.slot_s, programme.crossfade_s)
    return programme, queue_render(session, programme, created_by=created_by)


def _reasons(parts: Sequence[Mapping[str, Any]], current: Mapping[str, Episode]) -> list[str]:
    reasons = []
    for part in parts:
        episode = current.get(part["episode_id"])
        if episode is None:
            reasons.append(f"{part['episode_id']}: deleted")
        elif episode.sha256 != part["sha256"]:
            reasons.append(f"{episode.id}: audio changed")
        elif episode.restricted or episode.consent != "broadcast":
            reasons.append(f"{episode.id}: no longer broadcastable")
        elif episode.consent != part.get("consent", "broadcast"):
            reasons.append(f"{episode.id}: consent changed")
    return list(dict.fromkeys(reasons))


def stale_programmes(session: Session, programmes: Sequence[Programme]) -> dict[str, list[str]]:
    """Programme id → why its render no longer matches its parts, for the stale ones among ``programmes``
    (parts' audio changed, consent or restriction changed, or a part deleted; never-rendered ones are not stale)."""
    ids = {p["episode_id"] for programme in programmes for p in programme.parts or []}
    current = {e.id: e for e in session.scalars(select(Episode).where(Episode.id.in_(ids)))} if ids else {}
    found = {programme.id: _reasons(programme.parts or [], current) for programme in programmes}
    return {pid: reasons for pid, reasons in found.items() if reasons}


@dataclass(frozen=True)
class StaleRender:
    """A programme episode whose render no longer matches its parts: the programme to render again, and why."""

    programme_id: str
    reasons: list[str]


def stale_programme_episodes(session: Session, episode_ids: Iterable[str]) -> dict[str, StaleRender]:
    """Episode id → its stale programme, for those of ``episode_ids`` that are renders of a stale programme
    (what the schedule flags on their airings to come)."""
    ids = set(episode_ids)
    if not ids:
        return {}
    programmes = list(session.scalars(select(Programme).where(Programme.episode_id.in_(ids))))
    stale = stale_programmes(session, programmes)
    return {str(p.episode_id): StaleRender(p.id, stale[p.id]) for p in programmes if p.id in stale}


def stale_reasons(session: Session, programme: Programme) -> list[str]:
    """Why the rendered programme no longer matches its parts (empty when it does or was never rendered)."""
    return stale_programmes(session, [programme]).get(programme.id, [])


def rundown_rev(programme: Programme) -> str:
    """A short fingerprint of the rundown as it is now (what an edit must have been made against): the
    programme's version tag, the same mechanism as every other edited row's ETag."""
    return version_tag(programme)


def programme_status(session: Session, programme: Programme) -> str:
    """draft | queued | rendering | ready | failed (a queued render whose job runs is ``rendering``)."""
    if programme.status == "queued" and programme.render_job_id:
        job = session.get(Job, programme.render_job_id)
        if job is not None and job.status == "running":
            return "rendering"
    return programme.status


def programme_dict(session: Session, programme: Programme) -> dict[str, Any]:
    """A programme as the API shows it."""
    reasons = stale_reasons(session, programme)
    job = session.get(Job, programme.render_job_id) if programme.render_job_id else None
    return {
        "id": programme.id, "title": programme.title, "episode_id": programme.episode_id,
        "status": programme_status(session, programme), "stale": bool(reasons), "stale_reasons": reasons,
        "slot_s": programme.slot_s, "crossfade_s": programme.crossfade_s, "language": programme.language,
        "kind": programme.kind, "campaign": programme.campaign, "items": programme.items,
        "parts": programme.parts, "cues": programme.cues, "error": programme.error, "rev": rundown_rev(programme),
        "job": {"id": job.id, "status": job.status, "progress": job.progress} if job else None,
        "created_at": programme.created_at.isoformat(), "updated_at": programme.updated_at.isoformat(),
    }


def derived_metadata(programme: Programme, parts: Sequence[Episode]) -> dict[str, Any]:
    """The programme episode's metadata: what the programme sets, else derived from its parts."""
    speech = [e for e, i in zip(parts, programme.items, strict=True) if i.get("role", "speech") == "speech"] or parts
    language = programme.language or Counter(e.language for e in speech).most_common(1)[0][0]
    campaigns = [e.campaign for e in parts if e.campaign]
    campaign = programme.campaign if programme.campaign is not None else (
        Counter(campaigns).most_common(1)[0][0] if campaigns else "")
    districts = list(dict.fromkeys(d for e in parts for d in e.districts or []))
    return {"title": programme.title, "language": language, "kind": programme.kind or "other",
            "campaign": campaign, "districts": districts, "consent": "broadcast", "restricted": False,
            "description": "Programme: " + " · ".join(e.title for e in parts)[:2000]}


def programme_of_episode(session: Session, episode_id: str) -> Programme | None:
    """The programme an episode is the rendering of."""
    return session.scalars(select(Programme).where(Programme.episode_id == episode_id).limit(1)).first()


def cue_sheet_csv(session: Session, episode_id: str, *, viewer_role: str | None = None) -> str:
    """``start,end,title_bn,title_en,role,episode_id`` of a programme episode's parts, in playing order."""
    get_episode(session, episode_id, viewer_role=viewer_role)
    programme = programme_of_episode(session, episode_id)
    if programme is None or not programme.cues:
        raise NotFound("this episode is not a rendered programme", code="not_a_programme")
    ids = {c["episode_id"] for c in programme.cues}
    titles = {e.id: e for e in session.scalars(select(Episode).where(Episode.id.in_(ids)))}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["start", "end", "title_bn", "title_en", "role", "episode_id"])
    for cue in sorted(programme.cues, key=lambda c: (c["start"], c["index"])):
        episode = titles.get(cue["episode_id"])
        title_bn = (episode.title_bn or (episode.title if episode.language == "bn" else "")) if episode else ""
        title_en = (episode.title_en or (episode.title if episode.language == "en" else "")) if episode else ""
        role = "bed" if cue.get("bed") else cue["role"]
        writer.writerow([f"{cue['start']:.3f}", f"{cue['end']:.3f}", _safe_cell(title_bn), _safe_cell(title_en),
                         role, cue["episode_id"]])
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """No spreadsheet formulas from titles (a title starting with = + - @ is prefixed with ')."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def why_episode_is_in_use(session: Session, episode_id: str) -> str | None:
    """Hook ``episode_in_use``: an episode that is part of a programme may not be deleted."""
    names = [p.title for p in session.scalars(select(Programme))
             if any(i.get("episode_id") == episode_id for i in p.items or [])]
    if not names:
        return None
    return f"it is part of {len(names)} programme(s): {', '.join(names[:3])}"
