"""Evidence logs: every transcribed segment of a filtered set of episodes, with provenance and codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Select, select, text
from sqlalchemy import column as sql_column
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from episodes.models import KINDS, LANGUAGES, Episode
from radio import audit
from radio.db import utcnow
from radio.errors import Forbidden, InvalidInput, NotFound
from radio.features import hook
from radio.models import Role, User
from transcripts.access import text_for
from transcripts.models import Segment, Transcript
from transcripts.services import provenance, segment_codes

MAX_EPISODE_IDS = 500


@dataclass(frozen=True)
class EvidenceFilters:
    """Which episodes an evidence log covers (the filters of search, plus explicit episode ids)."""

    language: str | None = None
    kind: str | None = None
    district: str | None = None
    campaign: str | None = None
    date_from: dt.date | None = None  # on the recorded date (upload date when unknown)
    date_to: dt.date | None = None
    station: str | None = None  # a station's slug: episodes booked (not cancelled) on it
    code: str | None = None  # a code's id or name: only segments coded with it
    episode_ids: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """The filters as shown in the JSON log."""
        return {k: (v.isoformat() if isinstance(v, dt.date) else list(v) if isinstance(v, tuple) else v)
                for k, v in asdict(self).items() if v not in (None, ())}


def _date(args: Mapping[str, str], key: str) -> dt.date | None:
    value = (args.get(key) or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise InvalidInput(f"'{key}' must be a date like 2024-05-31", code="invalid_date") from exc


def parse_evidence_filters(args: Mapping[str, str]) -> EvidenceFilters:
    """Filters from query arguments (``language kind district campaign from to station code episode_id``)."""
    language = (args.get("language") or "").strip() or None
    if language is not None and language not in LANGUAGES:
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}", code="invalid_language")
    kind = (args.get("kind") or "").strip() or None
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", code="invalid_kind")
    raw_ids = args.get("episode_id") or args.get("episode_ids") or ""
    ids = tuple(dict.fromkeys(i.strip() for i in raw_ids.split(",") if i.strip()))
    if len(ids) > MAX_EPISODE_IDS:
        raise InvalidInput(f"at most {MAX_EPISODE_IDS} episode ids", code="too_many_ids")
    filters = EvidenceFilters(language=language, kind=kind, district=(args.get("district") or "").strip() or None,
                              campaign=(args.get("campaign") or "").strip() or None,
                              date_from=_date(args, "from"), date_to=_date(args, "to"),
                              station=(args.get("station") or "").strip() or None,
                              code=(args.get("code") or "").strip() or None, episode_ids=ids)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidInput("'from' is after 'to'", code="invalid_range")
    return filters


def _station_episodes(session: Session, slug: str) -> TextualSelect:
    """Ids of the episodes booked on station ``slug``, asked of the feature that keeps bookings."""
    providers = hook("station_episodes_sql")
    if not providers:
        raise InvalidInput("filtering by station is not available", code="station_filter_unavailable")
    return text(providers[0](session, slug)).bindparams(station=slug).columns(sql_column("episode_id"))


def _coded_segments(session: Session, ref: str) -> Select[Any]:
    from transcripts.coding import find_code
    from transcripts.coding_models import SegmentCode

    try:
        code_id = find_code(session, ref).id
    except NotFound as exc:
        raise InvalidInput(exc.message, code="unknown_code") from None
    return select(SegmentCode.segment_id).where(SegmentCode.code_id == code_id)


def _episode_date(episode: Episode) -> dt.date:
    return episode.recorded_on or episode.created_at.date()


def _matches(episode: Episode, filters: EvidenceFilters) -> bool:
    if filters.district and filters.district.casefold() not in {str(d).casefold() for d in episode.districts}:
        return False
    if filters.date_from and _episode_date(episode) < filters.date_from:
        return False
    return not (filters.date_to and _episode_date(episode) > filters.date_to)


@dataclass
class EvidenceLog:
    """The rows of an evidence log and the provenance of each transcript they come from."""

    rows: list[dict[str, Any]]
    transcripts: list[dict[str, Any]]
    filters: dict[str, Any]
    generated_at: str


def evidence_log(session: Session, user: User, filters: EvidenceFilters) -> EvidenceLog:
    """Every segment of the matching transcribed episodes (researchers and admins; redacted unless admin)."""
    if not user.has_role(Role.RESEARCHER):
        raise Forbidden("evidence logs are for researchers and admins")
    query = select(Episode, Transcript).join(Transcript, Transcript.episode_id == Episode.id)
    for column, value in ((Episode.language, filters.language), (Episode.kind, filters.kind),
                          (Episode.campaign, filters.campaign)):
        if value is not None:
            query = query.where(column == value)
    if filters.episode_ids:
        query = query.where(Episode.id.in_(filters.episode_ids))
    if filters.station is not None:
        query = query.where(Episode.id.in_(_station_episodes(session, filters.station)))
    pairs = [(e, t) for e, t in session.execute(query) if _matches(e, filters)]
    pairs.sort(key=lambda pair: (_episode_date(pair[0]), pair[0].title, pair[0].id))
    by_transcript = {t.id: (e, t) for e, t in pairs}
    segment_query = select(Segment).where(Segment.transcript_id.in_(list(by_transcript)))
    if filters.code is not None:
        segment_query = segment_query.where(Segment.id.in_(_coded_segments(session, filters.code)))
    segments = list(session.scalars(segment_query)) if by_transcript else []
    codes = segment_codes(session, [s.id for s in segments])
    order = {t.id: n for n, (_, t) in enumerate(pairs)}
    segments.sort(key=lambda s: (order[s.transcript_id], s.idx))
    clean = text_for(user)
    rows = []
    for seg in segments:
        episode, transcript = by_transcript[seg.transcript_id]
        rows.append({
            "episode_id": episode.id, "title": clean(episode.title), "districts": list(episode.districts),
            "campaign": episode.campaign, "recorded_on": _episode_date(episode).isoformat(),
            "segment_id": seg.id, "start": seg.start, "end": seg.end, "text": clean(seg.text),
            "codes": codes.get(seg.id, []), "language": transcript.language, "confidence": seg.confidence,
            "needs_review": seg.needs_review, "revision": seg.revision, "audio_sha256": transcript.audio_sha256,
            "model": transcript.model, "model_sha256": transcript.model_sha256,
            "decoder": f"{transcript.backend} {transcript.faster_whisper_version} / "
                       f"ctranslate2 {transcript.ctranslate2_version}",
            "transcribed_at": transcript.finished_at.isoformat(),
        })
    transcripts = [{"episode_id": e.id, "transcript_id": t.id, "language": t.language,
                    "revision": t.revision, **provenance(t)} for e, t in pairs]
    restricted = sorted({e.id for e, _ in pairs if e.restricted})
    audit.record(session, user, "evidence.exported", "evidence", "log",
                 {"filters": filters.as_dict(), "segments": len(rows), "episodes": len(pairs),
                  "restricted_episodes": restricted})
    return EvidenceLog(rows=rows, transcripts=transcripts, filters=filters.as_dict(),
                       generated_at=utcnow().isoformat())
