"""Transcripts as people use them: access rules, documents redacted per role, corrections and history.

Access: researchers and admins see every transcript; producers see those of unrestricted episodes;
stations never read transcripts (403), and a restricted episode is 404 for everyone but researchers
and admins, so its existence does not leak. Only researchers and admins correct segments.
Producers may still queue a transcription of a restricted episode they produced: they cannot read it.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from episodes.models import Episode
from radio import access, audit
from radio.errors import Conflict, Forbidden, InvalidInput, NotFound
from radio.jobs import create_job
from radio.models import Job, JobStatus, Role, User
from radio.redaction import redact_contact_details, redact_words, restore_masked_numbers
from transcripts.access import masks_contact_details, text_for
from transcripts.engine import LANGUAGES
from transcripts.models import Segment, SegmentRevision, Transcript

TRANSCRIBE_JOB = "transcribe"
MAX_SEGMENT_TEXT = 5000
_RULES = {"view": "transcript.read", "correct": "transcript.correct", "transcribe": "transcript.queue"}


def check_access(user: User | None, episode: Episode, action: str) -> None:
    """404 when the user may not know a restricted episode exists, 403 when the role may not do ``action``.

    ``user`` None is the operator at the command line, who may do everything.
    """
    if user is None:
        return
    rule = access.RULES[_RULES[action]]
    # A producer may queue the transcription of a restricted episode (it produced it); nobody else but
    # researchers and admins may know a restricted episode's transcript exists.
    knows = access.sees_restricted(user) or (action == "transcribe" and access.passes(rule, user))
    if episode.restricted and not knows:
        raise NotFound("no such episode")
    if not access.passes(rule, user) or (action == "view" and not access.reads_transcripts(user)):
        raise Forbidden(f"the role {user.role} may not {action} transcripts")


def episode_for(session: Session, episode_id: str, user: User | None, action: str) -> Episode:
    """The episode, if ``user`` may do ``action`` on its transcript."""
    episode = session.get(Episode, episode_id)
    if episode is None:
        raise NotFound("no such episode")
    check_access(user, episode, action)
    return episode


def request_transcription(session: Session, episode_id: str, language: Any, user: User | None, *,
                          multilingual_model: bool | None = None, replace: bool = False) -> Job:
    """Queue a ``transcribe`` job (flushed; dispatch after commit); an active job for the episode is reused."""
    if language is None:
        language = "auto"
    if language not in LANGUAGES:
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}", code="invalid_language")
    episode = episode_for(session, episode_id, user, "transcribe")
    if multilingual_model is False and language not in ("en", "auto"):
        raise InvalidInput(f"the configured Whisper model is English-only and cannot transcribe {language!r}; "
                           "set RADIO_WHISPER_MODEL to a multilingual model (e.g. base)", code="model_language")
    refuse_to_discard_work(session, episode, replace)
    active = session.scalar(select(Job).where(
        Job.kind == TRANSCRIBE_JOB, Job.subject_id == episode.id,
        Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING))).order_by(Job.created_at.desc()).limit(1))
    if active is not None:
        return active
    return create_job(session, TRANSCRIBE_JOB, {"episode_id": episode.id, "language": language, "replace": replace},
                      subject_id=episode.id, created_by=user.id if user else None)


def segment_codes(session: Session, segment_ids: Iterable[str]) -> dict[str, list[str]]:
    """Code names per segment id from ``transcripts.coding.codes_for_segments`` when coding is installed."""
    try:
        coding = importlib.import_module("transcripts.coding")
    except ModuleNotFoundError as exc:
        if exc.name != "transcripts.coding":
            raise
        return {}
    provider = getattr(coding, "codes_for_segments", None)
    return dict(provider(session, list(segment_ids))) if provider is not None else {}


def refuse_to_discard_work(session: Session, episode: Episode, replace: bool) -> None:
    """A new run replaces the transcript, its corrections and the codes on its segments: only when asked."""
    transcript = session.scalar(select(Transcript).where(Transcript.episode_id == episode.id))
    if transcript is None or replace:
        return
    coded = len(segment_codes(session, session.scalars(select(Segment.id).where(
        Segment.transcript_id == transcript.id))))
    if transcript.revision or coded:
        raise Conflict(f"the transcript has {transcript.revision} human corrections and {coded} coded segments "
                       "that a new run would replace; send \"replace\": true to transcribe again anyway",
                       code="has_corrections", details={"corrections": transcript.revision, "coded_segments": coded})


def current_transcript(session: Session, episode: Episode) -> Transcript:
    """The episode's transcript, or 404."""
    transcript = session.scalar(select(Transcript).where(Transcript.episode_id == episode.id))
    if transcript is None:
        raise NotFound("this episode has no transcript yet", code="no_transcript")
    return transcript


def parse_revision(value: str | None) -> int | None:
    """``None``/empty → current text; ``machine`` or ``0`` → Whisper's output; ``n`` → after n corrections."""
    if value is None or value == "" or value == "current":
        return None
    if value == "machine":
        return 0
    if not value.isascii() or not value.isdigit():
        raise InvalidInput("revision must be 'machine', 'current' or a number", code="invalid_revision")
    return int(value)


def _texts_at(session: Session, transcript: Transcript, revision: int) -> dict[str, tuple[str, int]]:
    """Per segment id: its text and own revision as of transcript revision ``revision``."""
    latest = (select(SegmentRevision.segment_id, func.max(SegmentRevision.revision).label("rev"))
              .join(Segment, Segment.id == SegmentRevision.segment_id)
              .where(Segment.transcript_id == transcript.id, SegmentRevision.transcript_revision <= revision)
              .group_by(SegmentRevision.segment_id).subquery())
    rows = session.execute(select(SegmentRevision.segment_id, SegmentRevision.text, SegmentRevision.revision)
                           .join(latest, (latest.c.segment_id == SegmentRevision.segment_id)
                                 & (latest.c.rev == SegmentRevision.revision)))
    return {segment_id: (text, rev) for segment_id, text, rev in rows}


def provenance(transcript: Transcript) -> dict[str, Any]:
    """Where a transcript came from, as every view and export shows it."""
    return {
        "audio_sha256": transcript.audio_sha256, "model": transcript.model, "model_sha256": transcript.model_sha256,
        "params": transcript.params, "backend": transcript.backend,
        "faster_whisper_version": transcript.faster_whisper_version,
        "ctranslate2_version": transcript.ctranslate2_version, "worker_host": transcript.worker_host,
        "started_at": transcript.started_at.isoformat(), "finished_at": transcript.finished_at.isoformat(),
        "created_at": transcript.created_at.isoformat(), "job_id": transcript.job_id,
    }


def segment_dict(segment: Segment, *, redact: bool, text: str | None = None,
                 revision: int | None = None) -> dict[str, Any]:
    """A segment as the API shows it (``text``/``revision`` override the current ones for old revisions)."""
    clean = text_for(None if redact else Role.ADMIN.value)
    return {
        "id": segment.id, "idx": segment.idx, "start": segment.start, "end": segment.end,
        "text": clean(segment.text if text is None else text), "machine_text": clean(segment.machine_text),
        "confidence": segment.confidence, "avg_logprob": segment.avg_logprob,
        "no_speech_prob": segment.no_speech_prob, "needs_review": segment.needs_review,
        "revision": segment.revision if revision is None else revision,
        "words": redact_words(segment.words) if redact else segment.words,
    }


def transcript_document(session: Session, episode_id: str, user: User,
                        revision: str | None = None) -> dict[str, Any]:
    """The transcript of an episode for ``user``: current text or as of a revision, redacted unless admin."""
    episode = episode_for(session, episode_id, user, "view")
    transcript = current_transcript(session, episode)
    wanted = parse_revision(revision)
    redact = masks_contact_details(user)
    if wanted is not None and wanted > transcript.revision:
        raise NotFound(f"the transcript has no revision {wanted} (latest is {transcript.revision})",
                       code="no_such_revision")
    if episode.restricted:  # every read of a restricted transcript is in the audit trail
        audit.record(session, user, "transcript.read_restricted", "episode", episode.id,
                     {"revision": transcript.revision if wanted is None else wanted})
    at = _texts_at(session, transcript, wanted) if wanted else {}
    segments = []
    for seg in transcript.segments:
        if wanted is None:
            segments.append(segment_dict(seg, redact=redact))
        else:
            text, rev = at.get(seg.id, (seg.machine_text, 0))
            segments.append(segment_dict(seg, redact=redact, text=text, revision=rev))
    return {
        "episode_id": episode.id, "title": redact_contact_details(episode.title) if redact else episode.title,
        "transcript_id": transcript.id, "language": transcript.language,
        "language_probability": transcript.language_probability, "duration_s": transcript.duration_s,
        "revision": transcript.revision if wanted is None else wanted, "latest_revision": transcript.revision,
        "redacted": redact, "segments": segments, "provenance": provenance(transcript),
    }


def _clean_text(text: Any) -> str:
    if not isinstance(text, str):
        raise InvalidInput("'text' must be a string", code="invalid_text")
    text = unicodedata.normalize("NFC", text).replace("\x00", "").strip()
    if len(text) > MAX_SEGMENT_TEXT:
        raise InvalidInput(f"'text' is longer than {MAX_SEGMENT_TEXT} characters", code="text_too_long")
    return text


def correct_segment(session: Session, segment_id: str, text: Any, user: User, *, note: Any = "") -> dict[str, Any]:
    """Store a corrected text as a new revision (who, when) and make it the current text."""
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise NotFound("no such segment")
    episode = session.get(Episode, segment.episode_id)
    assert episode is not None
    check_access(user, episode, "correct")
    text = _clean_text(text)
    note = _clean_text(note or "")
    # Lock the transcript so concurrent corrections number their revisions one after another.
    transcript = session.scalars(select(Transcript).where(Transcript.id == segment.transcript_id)
                                 .with_for_update().execution_options(populate_existing=True)).one()
    session.refresh(segment)
    if masks_contact_details(user):  # they edited the masked text: keep the real numbers in the evidence
        text = restore_masked_numbers(segment.text, text)
    if text != segment.text:
        transcript.revision += 1
        segment.revision += 1
        segment.text = text
        session.add(SegmentRevision(segment_id=segment.id, revision=segment.revision,
                                    transcript_revision=transcript.revision, text=text, author_id=user.id,
                                    note=note))
        session.flush()
        audit.record(session, user, "transcript.corrected", "segment", segment.id,
                     {"episode": episode.id, "revision": segment.revision,
                      "transcript_revision": transcript.revision})
    return segment_dict(segment, redact=masks_contact_details(user))


def segment_history(session: Session, segment_id: str, user: User) -> dict[str, Any]:
    """Every text a segment has had: Whisper's (revision 0) and each correction with who and when."""
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise NotFound("no such segment")
    episode = session.get(Episode, segment.episode_id)
    assert episode is not None
    check_access(user, episode, "view")
    if episode.restricted:
        audit.record(session, user, "transcript.read_restricted", "segment", segment.id,
                     {"episode": episode.id, "history": True})
    clean = text_for(user)
    transcript = segment.transcript
    items: list[dict[str, Any]] = [{
        "revision": 0, "transcript_revision": 0, "text": clean(segment.machine_text), "author": None,
        "source": f"{transcript.backend} {transcript.model}", "created_at": transcript.created_at.isoformat(),
        "note": "",
    }]
    authors = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_([r.author_id for r in segment.revisions if r.author_id])))}
    for rev in segment.revisions:
        author = authors.get(rev.author_id or "")
        items.append({
            "revision": rev.revision, "transcript_revision": rev.transcript_revision, "text": clean(rev.text),
            "author": {"id": author.id, "email": author.email, "name": author.name} if author else None,
            "source": "correction", "created_at": rev.created_at.isoformat(), "note": clean(rev.note),
        })
    return {"segment_id": segment.id, "episode_id": segment.episode_id, "current_revision": segment.revision,
            "items": items}
