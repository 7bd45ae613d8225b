"""The programme render job: plan the rundown, render it with ffmpeg, store it as the programme's episode."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from episodes.analysis import analyse_audio
from episodes.audio import AudioInfo
from episodes.metadata import apply_metadata, validate_metadata
from episodes.models import Episode, EpisodeStatus
from episodes.programme_models import Programme
from episodes.programme_render import PlacedSource, measure_range, render_rundown
from episodes.programmes import PROGRAMME_RENDER_JOB, derived_metadata, plan_programme
from episodes.render import RenditionTags, write_id3
from episodes.rundown import Placement
from episodes.services import media_referenced
from radio.errors import Conflict
from radio.jobs import JobContext
from radio.transactions import on_commit


def _mark_failed(programme_id: str) -> Callable[[Session, str], None]:
    def mark(session: Session, message: str) -> None:
        programme = session.get(Programme, programme_id)
        if programme is not None:
            programme.status, programme.error = "failed", message

    return mark


WHOLE_TOLERANCE_S = 0.05  # an item this close to its source's ends plays the whole source


def part_gain_db(loudness_lufs: float | None, target_lufs: float) -> float:
    """The gain that brings a part to the loudness target (its measured integrated loudness; 0 if unknown)."""
    if loudness_lufs is None:
        return 0.0
    return round(target_lufs - loudness_lufs, 2)


@dataclass(frozen=True)
class PartAudio:
    """What the render needs of a part, read in the job's read transaction (ffmpeg runs after it ends)."""

    sha256: str
    path: Path
    duration_s: float
    loudness_lufs: float | None
    consent: str


def part_loudness(placement: Placement, part: PartAudio,
                  measured: dict[tuple[str, float, float], float | None]) -> float | None:
    """The loudness of what the item plays: its in/out range of the source, not the whole source.

    An item playing the whole source takes the analysis's figure; any other range is measured with ebur128
    (once per source and range, ``measured`` caches it): a call-in excerpt from a quiet stretch of a loud
    show is brought to the target itself instead of staying as quiet as the show's loud part is loud.
    """
    if placement.in_s <= WHOLE_TOLERANCE_S and placement.out_s >= part.duration_s - WHOLE_TOLERANCE_S:
        return part.loudness_lufs
    key = (part.sha256, round(placement.in_s, 3), round(placement.out_s, 3))
    if key not in measured:
        measured[key] = measure_range(part.path, placement.in_s, placement.out_s)
    return measured[key]


def render_programme(ctx: JobContext) -> dict[str, Any]:
    """Render a programme to its slot at the loudness target; the result becomes (or replaces) its episode."""
    programme_id = str(ctx.payload["programme_id"])
    ctx.on_failure(_mark_failed(programme_id))
    runtime, settings = ctx.runtime, ctx.runtime.settings
    with ctx.read() as session:
        programme = session.get(Programme, programme_id)
        if programme is None:
            return {"skipped": "programme deleted"}
        parts, plan = plan_programme(session, programme.items, programme.slot_s, programme.crossfade_s)
        by_id = {e.id: PartAudio(e.sha256, runtime.store.path_for(e.sha256, e.media_suffix),
                                 float(e.duration_s or 0.0), e.loudness_lufs, e.consent) for e in parts}
        cues = [{"index": p.index, "start": round(p.start_s, 3), "end": round(min(p.end_s, plan.slot_s), 3),
                 "role": p.role, "bed": p.bed, "episode_id": p.episode_id} for p in plan.placements]
        metadata = derived_metadata(programme, parts)
    ranges: dict[tuple[str, float, float], float | None] = {}
    sources = [PlacedSource(p, by_id[p.episode_id].path,
                            part_gain_db(part_loudness(p, by_id[p.episode_id], ranges), settings.target_lufs))
               for p in plan.placements]
    recorded = [{"episode_id": p.episode_id, "sha256": by_id[p.episode_id].sha256, "in_s": round(p.in_s, 3),
                 "out_s": round(p.out_s, 3), "role": p.role, "bed": p.bed,
                 "gain_db": round(s.gain_db + p.extra_gain_db, 2), "consent": by_id[p.episode_id].consent}
                for p, s in zip(plan.placements, sources, strict=True)]
    ctx.progress(0.02, force=True)
    out, measured = render_rundown(sources, plan.slot_s, target_lufs=settings.target_lufs,
                                   ceiling_dbtp=settings.true_peak_dbtp, workdir=runtime.store.tmp_dir,
                                   progress=lambda f: ctx.progress(0.02 + 0.9 * f))
    try:
        # The waveform (and loudness range) by the same streaming analysis as every uploaded episode, so the
        # editor and the player draw the programme like any other; loudness and true peak stay ebur128's.
        analysis = analyse_audio(out, AudioInfo(format="mp3", codec="mp3", duration_s=measured.duration_s,
                                                sample_rate=48000, channels=2),
                                 progress=lambda f: ctx.progress(0.92 + 0.06 * f))
        write_id3(out, RenditionTags(title=metadata["title"], producer="", language=metadata["language"],
                                     campaign=metadata["campaign"], episode_id=programme_id))
        size = out.stat().st_size
        sha, _ = runtime.store.put_file(out, ".mp3")
    finally:
        out.unlink(missing_ok=True)
    ctx.progress(1.0, force=True)
    session = ctx.session
    programme = session.get(Programme, programme_id)
    if programme is None:
        _drop_if_unreferenced(ctx, session, sha)
        return {"skipped": "programme deleted"}
    clash = session.scalar(select(Episode.id).where(Episode.sha256 == sha, Episode.id != programme.episode_id))
    if clash is not None:
        if not media_referenced(session, sha):
            runtime.store.path_for(sha, ".mp3").unlink(missing_ok=True)
        raise Conflict(f"the rendered audio is identical to episode {clash}", code="duplicate")
    episode = session.get(Episode, programme.episode_id) if programme.episode_id else None
    old: list[str] = []
    if episode is None:
        episode = Episode(title="", topics=[], districts=[], contributors=[], created_by=programme.created_by,
                          filename="", tags={}, peaks=[])
        values = validate_metadata(metadata, partial=False)
        session.add(episode)
    else:
        old = [s for s in {episode.sha256, episode.broadcast_sha256} if s and s != sha]
        values = validate_metadata({k: metadata[k] for k in ("title", "consent", "restricted")}, partial=True)
    apply_metadata(episode, values)
    episode.sha256, episode.media_suffix, episode.mime_type, episode.size_bytes = sha, ".mp3", "audio/mpeg", size
    episode.format, episode.codec, episode.duration_s = "mp3", "mp3", measured.duration_s
    episode.sample_rate, episode.channels, episode.bitrate = 48000, 2, 192000
    episode.status, episode.analysis_error = EpisodeStatus.READY, None
    episode.loudness_lufs, episode.true_peak_dbtp = measured.integrated_lufs, measured.true_peak_dbtp
    episode.cue_in_s, episode.cue_out_s = 0.0, measured.duration_s
    episode.peaks, episode.loudness_range_lu = analysis.peaks, analysis.loudness_range_lu
    episode.broadcast_sha256, episode.broadcast_size_bytes = sha, size
    episode.broadcast_duration_s, episode.broadcast_lufs = measured.duration_s, measured.integrated_lufs
    episode.broadcast_true_peak_dbtp, episode.broadcast_gain_db = measured.true_peak_dbtp, 0.0
    session.flush()
    programme.episode_id, programme.status, programme.error = episode.id, "ready", None
    programme.parts, programme.cues = recorded, cues
    session.flush()
    for stale in old:
        _drop_if_unreferenced(ctx, session, stale)
    return {"episode_id": episode.id, "sha256": sha, "duration_s": measured.duration_s,
            "integrated_lufs": measured.integrated_lufs, "true_peak_dbtp": measured.true_peak_dbtp,
            "trimmed_s": plan.trimmed_s, "extended_s": plan.extended_s, "padded_s": plan.padded_s}


def _drop_if_unreferenced(ctx: JobContext, session: Session, sha: str) -> None:
    if not media_referenced(session, sha):
        on_commit(session, functools.partial(ctx.runtime.store.path_for(sha, ".mp3").unlink, missing_ok=True))


JOB_HANDLERS = {PROGRAMME_RENDER_JOB: render_programme}
