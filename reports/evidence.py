"""The evidence summary: how often each code was applied, by district, station, kind and month, with quotes.

Quotes come only from episodes the reader may see (restricted ones for researchers and admins only) and are
always redacted (phone numbers and e-mail addresses masked, for admins too: a summary travels to partners).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from episodes.models import Episode
from radio.db import utcnow
from radio.errors import Forbidden
from radio.gc_pause import collection_paused
from radio.models import Role, User
from radio.redaction import redact_contact_details
from reports.scope import ReportScope
from schedule.models import Broadcast, BroadcastStatus, Station
from schedule.stations import get_station
from transcripts.coding_models import Code, SegmentCode
from transcripts.models import Segment, Transcript

BREAKDOWNS = ("by_district", "by_station", "by_kind", "by_month")
READERS = (Role.RESEARCHER, Role.PRODUCER)  # admins always pass


@dataclass
class EvidenceSummary:
    """Code counts per breakdown and the selected quotes."""

    scope: ReportScope
    generated_at: dt.datetime
    codes: list[dict[str, Any]]
    breakdowns: dict[str, list[dict[str, Any]]]
    quotes: list[dict[str, Any]]
    totals: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        """The summary as JSON."""
        return {"scope": self.scope.as_dict(), "generated_at": self.generated_at.isoformat(), "totals": self.totals,
                "codes": self.codes, **self.breakdowns, "quotes": self.quotes}


def episode_date(episode: Episode) -> dt.date:
    """The date evidence from an episode counts under: when it was recorded, else when it was stored."""
    return episode.recorded_on or episode.created_at.date()


def _booked_stations(session: Session, episode_ids: set[str]) -> dict[str, set[str]]:
    booked: dict[str, set[str]] = defaultdict(set)
    ids = sorted(episode_ids)
    for i in range(0, len(ids), 500):
        rows = session.execute(select(Broadcast.episode_id, Station.slug)
                               .join(Station, Station.id == Broadcast.station_id)
                               .where(Broadcast.episode_id.in_(ids[i:i + 500]),
                                      Broadcast.status == BroadcastStatus.CONFIRMED))
        for episode_id, slug in rows:
            booked[episode_id].add(slug)
    return booked


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


@collection_paused()
def evidence_summary(session: Session, user: User, scope: ReportScope, *, kind: str | None = None,
                     max_quotes: int = 50, now: dt.datetime | None = None) -> EvidenceSummary:
    """Code applications within ``scope`` as ``user`` may see them, counted per breakdown, and quotes."""
    if not user.has_role(*READERS):
        raise Forbidden("the evidence summary is for researchers, producers and admins")
    for slug in scope.stations:
        get_station(session, slug, user)  # 404 for an unknown station
    query = (select(SegmentCode, Code, Segment, Episode, Transcript)
             .join(Code, Code.id == SegmentCode.code_id).join(Segment, Segment.id == SegmentCode.segment_id)
             .join(Episode, Episode.id == SegmentCode.episode_id)
             .join(Transcript, Transcript.id == Segment.transcript_id))
    if not user.has_role(Role.RESEARCHER):
        query = query.where(Episode.restricted.is_(False))
    if scope.campaign is not None:
        query = query.where(Episode.campaign == scope.campaign)
    if scope.episode_id is not None:
        query = query.where(Episode.id == scope.episode_id)
    if kind is not None:
        query = query.where(Episode.kind == kind)
    rows = [r for r in session.execute(query) if scope.date_from <= episode_date(r[3]) <= scope.date_to]
    booked = _booked_stations(session, {r[3].id for r in rows})
    districts = {d.casefold() for d in scope.districts}
    wanted_stations = set(scope.stations)
    kept = []
    for row in rows:
        episode = row[3]
        if districts and not districts & {str(d).casefold() for d in episode.districts}:
            continue
        if wanted_stations and not wanted_stations & booked.get(episode.id, set()):
            continue
        kept.append(row)
    counts: dict[str, dict[str, Counter[str]]] = {name: defaultdict(Counter) for name in BREAKDOWNS}
    per_code: Counter[str] = Counter()
    codes: dict[str, Code] = {}
    for _coding, code, _segment, episode, _transcript in kept:
        codes[code.id] = code
        per_code[code.id] += 1
        for district in episode.districts or ["—"]:
            counts["by_district"][str(district)][code.id] += 1
        for slug in sorted(booked.get(episode.id, set()) & (wanted_stations or booked.get(episode.id, set()))) or ["—"]:
            counts["by_station"][slug][code.id] += 1
        counts["by_kind"][episode.kind][code.id] += 1
        counts["by_month"][episode_date(episode).strftime("%Y-%m")][code.id] += 1
    key_name = {"by_district": "district", "by_station": "station", "by_kind": "kind", "by_month": "month"}
    breakdowns = {name: [{key_name[name]: key, "codes": dict(sorted(c.items())), "total": sum(c.values())}
                         for key, c in sorted(counts[name].items())] for name in BREAKDOWNS}
    code_rows = [{"id": cid, "name": codes[cid].name, "colour": codes[cid].colour, "count": n}
                 for cid, n in sorted(per_code.items(), key=lambda item: (-item[1], codes[item[0]].name))]
    return EvidenceSummary(scope, now or utcnow(), code_rows, breakdowns, _quotes(kept, max_quotes),
                           {"applications": len(kept), "segments": len({r[2].id for r in kept}),
                            "episodes": len({r[3].id for r in kept}), "codes": len(per_code)})


def _quotes(rows: list[Any], limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` quotes, taken in turn from each code (newest coding first) so every code is heard."""
    by_code: dict[str, list[Any]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r[0].created_at, r[0].id), reverse=True):
        by_code[row[1].id].append(row)
    picked: list[Any] = []
    queues = [by_code[c] for c in sorted(by_code, key=lambda c: by_code[c][0][1].name)]
    while len(picked) < limit and any(queues):
        for queue in queues:
            if queue and len(picked) < limit:
                picked.append(queue.pop(0))
    out = []
    for coding, code, segment, episode, transcript in picked:
        out.append({
            "code_id": code.id, "code": code.name, "episode_id": episode.id, "title": episode.title,
            "segment_id": segment.id, "start": segment.start, "end": segment.end,
            "at": f"{_clock(segment.start)}–{_clock(segment.end)}",
            "text": redact_contact_details(segment.text or coding.quote), "memo": redact_contact_details(coding.memo),
            "coded_at": coding.created_at.isoformat(), "episode_date": episode_date(episode).isoformat(),
            "provenance": {"audio_sha256": transcript.audio_sha256, "model": transcript.model,
                           "model_sha256": transcript.model_sha256, "segment_revision": segment.revision,
                           "transcribed_at": transcript.finished_at.isoformat()},
        })
    return out
