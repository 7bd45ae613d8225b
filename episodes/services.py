"""Episode library operations: ingest, query, edit, delete. Services flush; callers commit."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from episodes.audio import decode_check, probe_audio
from episodes.metadata import apply_metadata, clean_filename, nfc, search_key, validate_metadata
from episodes.models import Episode, EpisodeStatus
from radio import access, audit
from radio.db import retry_busy, short_read_session
from radio.errors import Conflict, Duplicate, Forbidden, InvalidInput, NotFound, UnsupportedMedia
from radio.features import hook
from radio.jobs import create_job
from radio.models import User
from radio.storage import MediaStore
from radio.transactions import on_commit, on_rollback
from radio.versions import claim_for_edit

ANALYSE_JOB = "episode.analyse"
RENDER_JOB = "episode.render"
MAX_PER_PAGE = 100
RENDITION_TAG_FIELDS = ("title", "producer", "language", "campaign")  # what the broadcast copy's ID3 tag says

@dataclass
class EpisodePage:
    """One page of a library query."""

    items: list[Episode]
    total: int
    page: int
    per_page: int


def _hidden_from(viewer_role: str | None) -> bool:
    return access.hides_restricted(viewer_role)


def ingest(
    session: Session, store: MediaStore, source: BinaryIO | Iterable[bytes], metadata: Mapping[str, Any], *,
    max_bytes: int, created_by: str | None = None,
) -> Episode:
    """Stage, hash, decode-check and store an upload as a new episode with its analysis job queued.

    ``metadata`` is read only after ``source`` is exhausted (multipart fields may follow the file). The
    caller must not hold a write transaction while this streams; the analysis job is queued when the
    caller's unit of work commits. Any failure leaves no temporary file, no stored object and no row.

    No write transaction spans the slow work: hashing (while staging), the duplicate check (a separate
    read-only session), probing and decoding all happen before ``session`` is first used, so on SQLite
    the write lock is taken only for the few statements of the insert, and a busy database is retried.
    """
    staged = store.stage(source, max_bytes=max_bytes)
    try:
        if staged.size == 0:
            raise UnsupportedMedia("the file is empty", code="empty_file")
        values = validate_metadata({k: v for k, v in metadata.items() if k != "filename"}, partial=False)
        # Same bytes as a stored episode: answer before spending a full decode on it (a read session:
        # the write session's transaction, and on SQLite the write lock, must not begin yet).
        with short_read_session(session) as read:
            existing = read.scalar(select(Episode.id).where(Episode.sha256 == staged.sha256))
        if existing is not None:
            raise Duplicate("this audio is already in the library", details={"id": existing})
        info = probe_audio(staged.path)
        info.duration_s = decode_check(staged.path, info)
        episode = Episode(
            sha256=staged.sha256, size_bytes=staged.size, filename=clean_filename(metadata.get("filename") or ""),
            media_suffix=info.suffix, mime_type=info.mime_type, format=info.format, codec=info.codec,
            duration_s=info.duration_s, sample_rate=info.sample_rate, channels=info.channels, bitrate=info.bitrate,
            tags=info.tags, status=EpisodeStatus.UPLOADED, created_by=created_by, title="",
            topics=[], districts=[], contributors=[],
        )
        apply_metadata(episode, values)
        if session.in_transaction():  # the caller's transaction holds other work: no rollback-and-retry here
            _insert_episode(session, episode)
        else:  # the write transaction starts here and is ours: a busy database is waited out and retried
            retry_busy(lambda: _insert_episode(session, episode), before_retry=session.rollback)
        target = store.path_for(staged.sha256, info.suffix)
        created = not target.exists()
        store.commit(staged, info.suffix)
        if created:  # placed by this transaction: a rollback takes it away again
            on_rollback(session, lambda: target.unlink(missing_ok=True))
        job = create_job(session, ANALYSE_JOB, {"episode_id": episode.id}, subject_id=episode.id,
                         created_by=created_by)
        episode.analysis_job_id = job.id
        session.flush()
        return episode
    finally:
        staged.discard()


def _insert_episode(session: Session, episode: Episode) -> None:
    """Insert the new row; two identical uploads at once meet at the unique sha256 and one gets 409."""
    try:
        with session.begin_nested():
            session.add(episode)
            session.flush()
    except IntegrityError as exc:
        winner = session.scalar(select(Episode.id).where(Episode.sha256 == episode.sha256))
        if winner is None:
            raise
        raise Duplicate("this audio is already in the library", details={"id": winner}) from exc


def media_referenced(session: Session, sha256: str, *, except_episode: str | None = None) -> bool:
    """True when any episode uses this object as its original or broadcast rendition."""
    query = select(Episode.id).where(or_(Episode.sha256 == sha256, Episode.broadcast_sha256 == sha256))
    if except_episode is not None:
        query = query.where(Episode.id != except_episode)
    return session.scalar(query.limit(1)) is not None


def get_episode(session: Session, episode_id: str, *, viewer_role: str | None = None) -> Episode:
    """An episode by id; 404 when missing or hidden from the viewer (stations never see restricted ones)."""
    episode = session.get(Episode, episode_id) if isinstance(episode_id, str) and len(episode_id) <= 64 else None
    if episode is None or (_hidden_from(viewer_role) and episode.restricted):
        raise NotFound("no such episode", code="episode_not_found")
    return episode


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_matches(session: Session, q: str, *, hide_restricted: bool) -> Any:
    """Ids of the episodes whose text matches ``q``, asked of the feature that owns search (same words, query
    language and Bangla inflection as transcript search)."""
    providers = hook("library_matches")
    if not providers:
        raise InvalidInput("text search is not available", code="search_unavailable", details={"field": "q"})
    return providers[0](session, q, hide_restricted=hide_restricted)


def list_episodes(
    session: Session, *, q: str = "", language: str | None = None, kind: str | None = None,
    campaign: str | None = None, district: str | None = None, restricted: bool | None = None,
    status: str | None = None, page: int = 1, per_page: int = 20, viewer_role: str | None = None,
) -> EpisodePage:
    """Filter and search the library, newest first; ``q`` is a search query (words, "phrases", =word, prefix*,
    OR, NOT; a Bangla word finds its inflected forms) over titles, descriptions, contributors, topics …"""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"page must be ≥ 1 and per_page between 1 and {MAX_PER_PAGE}", code="invalid_page")
    query = select(Episode)
    for column, value in ((Episode.language, language), (Episode.kind, kind), (Episode.status, status)):
        if value:
            query = query.where(column == value)
    if campaign:
        query = query.where(Episode.campaign == nfc(campaign))
    if district:
        query = query.where(Episode.district_keys.like(f"%|{_escape_like(search_key(district))}|%", escape="\\"))
    if restricted is not None:
        query = query.where(Episode.restricted.is_(restricted))
    if _hidden_from(viewer_role):
        query = query.where(Episode.restricted.is_(False))
    if q.strip():
        query = query.where(Episode.id.in_(_text_matches(session, q, hide_restricted=_hidden_from(viewer_role))))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = session.scalars(
        query.order_by(Episode.created_at.desc(), Episode.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return EpisodePage(items=list(items), total=int(total), page=page, per_page=per_page)


PROTECTION_FIELDS = ("restricted", "consent", "valid_until")
CONSENT_GUARDED_KINDS = ("interview", "call_in")  # survivors speak in these: broadcast consent is the admin's call


def loosened_protection(episode: Episode, values: Mapping[str, Any]) -> list[str]:
    """The fields of a change that lift protection: ``restricted`` true→false, or broadcast consent granted to an
    interview or call-in (before or after the change of kind)."""
    loosened = []
    if episode.restricted and values.get("restricted") is False:
        loosened.append("restricted")
    kinds = {episode.kind, values.get("kind", episode.kind)}
    if (values.get("consent") == "broadcast" and episode.consent != "broadcast"
            and kinds & set(CONSENT_GUARDED_KINDS)):
        loosened.append("consent")
    return loosened


def update_episode(session: Session, episode_id: str, data: Mapping[str, Any], *, actor: User | None = None,
                   reason: str | None = None, expected: Collection[str] | None = None) -> Episode:
    """Change editorial metadata (PATCH semantics); 400 on unknown fields or bad values.

    Anyone who may edit may restrict, shorten validity or withdraw consent; only admins (and the operator's
    shell, ``actor`` None) may lift a restriction or grant broadcast consent to an interview or call-in, and
    only with a ``reason`` (403 ``forbidden`` for anyone else). Every change of protection is written to the
    audit trail; a new restriction or withdrawn consent tells the features (hook ``episode_protected``). When
    a field the broadcast copy's ID3 tag carries changes, a new rendition is queued (on commit). The row is
    locked and read again first; 412 when ``expected`` (the client's If-Match) is not its current version.
    """
    episode = get_episode(session, episode_id)
    claim_for_edit(session, episode, expected, what="the episode")
    values = validate_metadata(data, partial=True)
    if "filename" in data:
        raise InvalidInput("the file name of an upload cannot be changed", code="unknown_field",
                           details={"fields": ["filename"]})
    loosened = loosened_protection(episode, values)
    if loosened and actor is not None and not access.may_loosen_protection(actor):
        raise Forbidden("only an admin may lift a restriction or grant broadcast consent to an interview or "
                        "call-in", details={"field": loosened[0]})
    if loosened and not (reason or "").strip():
        raise InvalidInput("lifting protection needs a 'reason'", code="missing_field", details={"field": "reason"})
    before = {name: getattr(episode, name) for name in PROTECTION_FIELDS}
    tagged_before = [getattr(episode, name) for name in RENDITION_TAG_FIELDS]
    apply_metadata(episode, values)
    session.flush()
    after = {name: getattr(episode, name) for name in PROTECTION_FIELDS}
    if after != before:
        changed = {name: {"from": _jsonable(before[name]), "to": _jsonable(after[name])}
                   for name in PROTECTION_FIELDS if before[name] != after[name]}
        audit.record(session, actor, "episode.protection_loosened" if loosened else "episode.protection",
                     "episode", episode.id, {"changes": changed, **({"reason": reason.strip()} if reason else {})})
        newly_hidden = ((after["restricted"] and not before["restricted"])
                        or (before["consent"] == "broadcast" and after["consent"] != "broadcast"))
        if newly_hidden:
            for protected in hook("episode_protected"):  # e.g. schedule: cancel its future airings
                protected(session, episode.id)
    if episode.broadcast_sha256 and tagged_before != [getattr(episode, name) for name in RENDITION_TAG_FIELDS]:
        queue_analysis(session, episode.id, render_only=True)  # queued when the caller commits
    return episode


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def delete_episode(session: Session, store: MediaStore, episode_id: str) -> None:
    """Delete an episode unless something (a broadcast) still references it; its files go after the commit."""
    episode = get_episode(session, episode_id)
    for episode_in_use in hook("episode_in_use"):  # e.g. schedule: "it is in 2 broadcast plans"
        reason = episode_in_use(session, episode.id)
        if reason:
            raise Conflict(f"the episode cannot be deleted: {reason}", code="episode_in_use")
    objects = [(episode.sha256, episode.media_suffix)]
    if episode.broadcast_sha256:
        objects.append((episode.broadcast_sha256, ".mp3"))
    try:
        with session.begin_nested():
            session.delete(episode)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("the episode cannot be deleted: it is still scheduled or has logged feedback",
                       code="episode_in_use") from exc
    for sha, suffix in objects:
        if not media_referenced(session, sha):
            on_commit(session, functools.partial(store.path_for(sha, suffix).unlink, missing_ok=True))


def queue_analysis(
    session: Session, episode_id: str, *, created_by: str | None = None, render_only: bool = False,
) -> str:
    """Queue (re-)analysis or only a new broadcast rendition (dispatched on commit); returns the job id."""
    episode = get_episode(session, episode_id)
    job = create_job(session, RENDER_JOB if render_only else ANALYSE_JOB, {"episode_id": episode.id},
                     subject_id=episode.id, created_by=created_by)
    episode.analysis_job_id = job.id
    session.flush()
    return job.id


def is_expired(episode: Episode, today: dt.date | None = None) -> bool:
    """True when the episode's valid-until date has passed (it cannot be newly scheduled)."""
    today = today or dt.datetime.now(dt.UTC).date()
    return episode.valid_until is not None and episode.valid_until < today


def record_audio_read(session: Session, episode: Episode, reader: User | None, rendition: str | None, *,
                      continued: bool = False) -> None:
    """Audit a read of a restricted episode's audio (a Range request continuing a playback is not a new read)."""
    if episode.restricted and not continued:
        audit.record(session, reader, "audio.read_restricted", "episode", episode.id,
                     {"rendition": rendition or "original"})


def media_file(store: MediaStore, episode: Episode, rendition: str | None = None) -> tuple[Path, str, str]:
    """(path, content type, download name) of the original or the ``broadcast`` rendition; 404 when absent."""
    stem = Path(episode.filename.replace("\\", "/")).stem or "episode"
    if rendition in (None, "", "original"):
        path = store.path_for(episode.sha256, episode.media_suffix)
        name = f"{stem}{episode.media_suffix}"
        mime = episode.mime_type
    elif rendition == "broadcast":
        if not episode.broadcast_sha256:
            raise NotFound("the broadcast rendition is not ready yet", code="rendition_not_ready")
        path, name, mime = store.path_for(episode.broadcast_sha256, ".mp3"), f"{stem}.broadcast.mp3", "audio/mpeg"
    else:
        raise InvalidInput("rendition must be 'broadcast' or omitted", code="invalid_rendition")
    if not path.exists():
        raise NotFound("the audio file is missing from the media store", code="media_missing")
    return path, mime, name
