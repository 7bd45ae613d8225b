"""Jobs: analyse an uploaded episode (loudness, peaks, cues), then render its broadcast copy."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from episodes.analysis import Analysis, analyse_audio
from episodes.audio import AudioInfo
from episodes.models import Episode, EpisodeStatus
from episodes.render import RenditionTags, render_broadcast
from episodes.services import ANALYSE_JOB, RENDER_JOB, media_referenced
from radio.jobs import JobContext
from radio.transactions import on_commit

log = logging.getLogger(__name__)


def _info(episode: Episode) -> AudioInfo:
    return AudioInfo(format=episode.format, codec=episode.codec, duration_s=episode.duration_s,
                     sample_rate=episode.sample_rate, channels=episode.channels)


def _stored_analysis(episode: Episode) -> Analysis:
    return Analysis(duration_s=episode.duration_s or 0.0, integrated_lufs=episode.loudness_lufs,
                    loudness_range_lu=episode.loudness_range_lu, true_peak_dbtp=episode.true_peak_dbtp,
                    sample_peak_dbfs=None, cue_in_s=episode.cue_in_s or 0.0,
                    cue_out_s=episode.cue_out_s if episode.cue_out_s is not None else episode.duration_s or 0.0)


def _mark_failed(episode_id: str) -> Callable[[Session, str], None]:
    def mark(session: Session, message: str) -> None:
        episode = session.get(Episode, episode_id)
        if episode is not None:
            episode.status = EpisodeStatus.FAILED
            episode.analysis_error = message

    return mark


def _render(ctx: JobContext, episode_id: str, analysis: Analysis | None, start: float) -> dict[str, Any]:
    runtime, settings = ctx.runtime, ctx.runtime.settings
    with ctx.read() as session:
        episode = session.get(Episode, episode_id)
        if episode is None:
            return {"skipped": "episode deleted"}
        source = runtime.store.path_for(episode.sha256, episode.media_suffix)
        info = _info(episode)
        analysis = analysis or _stored_analysis(episode)
        tags = RenditionTags(title=episode.title, producer=episode.producer, language=episode.language,
                             campaign=episode.campaign, episode_id=episode.id)
    ctx.progress(start, force=True)
    rendered, measured = render_broadcast(source, info, analysis, tags, target_lufs=settings.target_lufs,
                                          ceiling_dbtp=settings.true_peak_dbtp, workdir=runtime.store.tmp_dir)
    try:
        size = rendered.stat().st_size
        sha, _ = runtime.store.put_file(rendered, ".mp3")
    finally:
        rendered.unlink(missing_ok=True)
    ctx.progress(1.0, force=True)  # still ours? (the job's writes follow; no progress report after them)
    session = ctx.session
    episode = session.get(Episode, episode_id)
    old = episode.broadcast_sha256 if episode is not None else None
    if episode is not None:
        episode.broadcast_sha256, episode.broadcast_size_bytes = sha, size
        episode.broadcast_duration_s, episode.broadcast_lufs = measured.duration_s, measured.integrated_lufs
        episode.broadcast_true_peak_dbtp = measured.true_peak_dbtp
        episode.broadcast_gain_db = round((measured.integrated_lufs or 0) - (analysis.integrated_lufs or 0), 2)
        episode.status, episode.analysis_error = EpisodeStatus.READY, None
        session.flush()
    for stale in {old, sha if episode is None else None} - {None}:
        if stale and not media_referenced(session, stale):
            on_commit(session, functools.partial(runtime.store.path_for(stale, ".mp3").unlink, missing_ok=True))
    return {"broadcast_sha256": sha, "broadcast_lufs": measured.integrated_lufs,
            "broadcast_true_peak_dbtp": measured.true_peak_dbtp}


def analyse_episode(ctx: JobContext) -> dict[str, Any]:
    """Measure loudness, true peak, cues and waveform, then render the broadcast copy (one commit at the end)."""
    episode_id = str(ctx.payload["episode_id"])
    ctx.on_failure(_mark_failed(episode_id))
    with ctx.read() as session:
        episode = session.get(Episode, episode_id)
        if episode is None:
            return {"skipped": "episode deleted"}
        source = ctx.runtime.store.path_for(episode.sha256, episode.media_suffix)
        info = _info(episode)
    analysis = analyse_audio(source, info, progress=lambda f: ctx.progress(0.05 + 0.65 * f))
    result = _render(ctx, episode_id, analysis, 0.7)
    episode = ctx.session.get(Episode, episode_id)
    if episode is not None:
        episode.loudness_lufs, episode.loudness_range_lu = analysis.integrated_lufs, analysis.loudness_range_lu
        episode.true_peak_dbtp, episode.peaks = analysis.true_peak_dbtp, analysis.peaks
        episode.cue_in_s, episode.cue_out_s = analysis.cue_in_s, analysis.cue_out_s
    return {"integrated_lufs": analysis.integrated_lufs, "true_peak_dbtp": analysis.true_peak_dbtp,
            "cue_in_s": analysis.cue_in_s, "cue_out_s": analysis.cue_out_s, **result}


def render_episode(ctx: JobContext) -> dict[str, Any]:
    """Render the broadcast copy again from the stored analysis (e.g. after the loudness target changed)."""
    episode_id = str(ctx.payload["episode_id"])
    ctx.on_failure(_mark_failed(episode_id))
    return _render(ctx, episode_id, None, 0.05)


JOB_HANDLERS = {ANALYSE_JOB: analyse_episode, RENDER_JOB: render_episode}
