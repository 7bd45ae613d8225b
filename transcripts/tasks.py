"""The ``transcribe`` job: decode the episode's audio, run the engine, store all segments in one transaction."""

from __future__ import annotations

import hashlib
import logging
import socket
import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from episodes.models import Episode
from radio.db import new_id, utcnow
from radio.errors import InvalidInput, NotFound
from radio.jobs import JobContext
from transcripts.engine import DecodeOptions, TranscriptionResult, get_transcriber, load_audio
from transcripts.models import Segment, Transcript
from transcripts.services import TRANSCRIBE_JOB, refuse_to_discard_work

log = logging.getLogger(__name__)
HASH_CHUNK = 4 * 1024 * 1024


def audio_file(ctx: JobContext, episode_id: str) -> tuple[Path, str]:
    """The stored original of an episode and its SHA-256 as recorded at upload."""
    with ctx.runtime.read_session() as session:
        episode = session.get(Episode, episode_id)
        if episode is None:
            raise NotFound(f"episode {episode_id} no longer exists")
        sha, suffix = episode.sha256, episode.media_suffix
    path = ctx.runtime.store.path_for(sha, suffix)
    if not path.exists():
        raise NotFound(f"the audio of episode {episode_id} is missing from the media store ({path.name})")
    return path, sha


def verify_sha256(path: Path, expected: str) -> str:
    """Hash the file about to be transcribed; evidence must come from exactly the stored audio."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(HASH_CHUNK), b""):
            digest.update(chunk)
    actual = digest.hexdigest()
    if actual != expected:
        raise InvalidInput(f"the stored audio {path.name} is damaged: its SHA-256 is {actual}", code="damaged_audio")
    return actual


def store_transcription(session: Session, episode_id: str, result: TranscriptionResult, *, audio_sha256: str,
                        model: str, model_sha256: str, job_id: str | None, started_at: Any,
                        worker_host: str, replace: bool = False) -> Transcript:
    """Replace the episode's transcript with ``result``; the caller's transaction makes it all-or-nothing."""
    # Lock the episode row (PostgreSQL) so two runs for one episode replace each other in turn.
    episode = session.scalars(select(Episode).where(Episode.id == episode_id).with_for_update()).one_or_none()
    if episode is None:
        raise NotFound(f"episode {episode_id} no longer exists")
    # People may have corrected or coded the transcript since the job was queued.
    refuse_to_discard_work(session, episode, replace)
    session.execute(delete(Transcript).where(Transcript.episode_id == episode_id))
    transcript = Transcript(
        episode_id=episode_id, job_id=job_id, language=result.language,
        language_probability=result.language_probability, duration_s=result.duration_s,
        audio_sha256=audio_sha256, model=model, model_sha256=model_sha256, params=result.params,
        backend=result.backend, faster_whisper_version=result.versions.get("faster_whisper", ""),
        ctranslate2_version=result.versions.get("ctranslate2", ""), worker_host=worker_host,
        started_at=started_at, finished_at=utcnow(), revision=0,
    )
    session.add(transcript)
    session.flush()
    rows = [{
        "id": new_id(), "transcript_id": transcript.id, "episode_id": episode_id, "idx": idx,
        "start": seg.start, "end": seg.end, "text": seg.text, "machine_text": seg.text,
        "confidence": seg.confidence, "avg_logprob": seg.avg_logprob, "no_speech_prob": seg.no_speech_prob,
        "words": seg.words_json(), "needs_review": seg.needs_review, "revision": 0,
    } for idx, seg in enumerate(result.segments)]
    if rows:
        session.execute(insert(Segment), rows)
    return transcript


def transcribe_episode(ctx: JobContext) -> dict[str, Any]:
    """Transcribe one episode (payload: episode_id, language) and store the result with provenance."""
    episode_id = str(ctx.payload.get("episode_id", ""))
    options = DecodeOptions(language=str(ctx.payload.get("language") or "auto"))
    started_at = utcnow()
    clock = time.monotonic()
    path, expected_sha = audio_file(ctx, episode_id)
    audio_sha = verify_sha256(path, expected_sha)
    transcriber = get_transcriber(ctx.runtime.settings)
    ctx.progress(0.0, force=True)
    result = transcriber.transcribe(load_audio(path), options, progress=ctx.progress)
    # Still ours? (raises JobCancelled when another worker took the job over meanwhile)
    ctx.progress(1.0, force=True)
    transcript = store_transcription(  # committed by the runner with the job's status: all or nothing
        ctx.session, episode_id, result, audio_sha256=audio_sha, model=transcriber.model.name,
        model_sha256=transcriber.model.sha256, job_id=ctx.job_id, started_at=started_at,
        worker_host=socket.gethostname(), replace=bool(ctx.payload.get("replace", False)))
    transcript_id = transcript.id
    elapsed = time.monotonic() - clock
    log.info("transcribed episode %s: %d segments, %.1f s of audio in %.1f s", episode_id, len(result.segments),
             result.duration_s, elapsed)
    return {"episode_id": episode_id, "transcript_id": transcript_id, "segments": len(result.segments),
            "language": result.language, "duration_s": result.duration_s,
            "real_time_factor": round(elapsed / result.duration_s, 4) if result.duration_s else None}


JOB_HANDLERS = {TRANSCRIBE_JOB: transcribe_episode}
