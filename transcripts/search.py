"""Evidence search over segments' current text and episodes' titles and descriptions.

The query language is in :mod:`transcripts.query`, the index in :mod:`transcripts.search_schema`, the
SQL per database in :mod:`transcripts.search_backends` (SQLite's matches and scoring in
:mod:`transcripts.search_sqlite`), the order of the hits (``sort``, the relevance window) and their total
in :mod:`transcripts.search_ranking`. Results are ranked (bm25 / ts_rank), paged, counted, filtered by
who is asking (restricted episodes only for researchers and admins) and their snippets are redacted
(phone numbers masked for all but admins) and HTML-safe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from episodes.models import KINDS, LANGUAGES, Episode
from radio import access
from radio.errors import Forbidden, InvalidInput
from radio.features import hook
from radio.models import User
from radio.text_index import MaskedCopy, masked_copy_drift
from transcripts.access import masked
from transcripts.models import Segment
from transcripts.query import expand, parse_query
from transcripts.search_backends import any_restricted, backend_for
from transcripts.search_ranking import SORTS, page_of
from transcripts.snippets import Highlighter, make_snippet

MAX_LIMIT = 100
MAX_OFFSET = 100_000
SCOPES = ("all", "segments", "episodes")


@dataclass(frozen=True)
class Viewer:
    """What the searcher may see: restricted episodes, and phone numbers unmasked."""

    restricted: bool
    unredacted: bool

    @classmethod
    def for_user(cls, user: User) -> Viewer:
        """Admins see everything; researchers restricted episodes (numbers masked); producers neither."""
        if not access.passes(access.RULES["search"], user):
            raise Forbidden("search is for producers, researchers and admins")
        return cls(restricted=access.sees_restricted(user), unredacted=access.sees_unmasked(user))


@dataclass
class SearchFilters:
    """Narrowing of a search; every field is optional."""

    language: str | None = None
    kind: str | None = None
    district: str | None = None
    campaign: str | None = None
    station: str | None = None  # a station's slug: episodes booked on it
    date_from: dt.date | None = None  # recorded date (or upload date when unknown), inclusive
    date_to: dt.date | None = None
    code: str | None = None  # a code's id or name: only segments coded with it
    episode_id: str | None = None
    scope: str = "all"  # all | segments | episodes

    def check(self) -> None:
        """Raise InvalidInput naming the first bad value."""
        for name in ("language", "kind", "district", "campaign", "station", "code", "episode_id", "scope"):
            value = getattr(self, name)
            # Control characters never name anything (and the index separates districts with one).
            if isinstance(value, str) and (len(value) > 300 or any(ord(ch) < 32 for ch in value)):
                raise InvalidInput(f"'{name}' is not a valid value", code="invalid_parameter",
                                   details={"parameter": name})
        if self.language is not None and self.language not in LANGUAGES:
            raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}", code="invalid_language")
        if self.kind is not None and self.kind not in KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", code="invalid_kind")
        if self.scope not in SCOPES:
            raise InvalidInput(f"scope must be one of {', '.join(SCOPES)}", code="invalid_scope")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInput("'from' is after 'to'", code="invalid_date_range")


@dataclass
class SearchHit:
    """One matching segment (or an episode's title/description when ``segment_id`` is None)."""

    episode_id: str
    segment_id: str | None
    start: float
    end: float
    snippet: str
    score: float
    episode_title: str
    language: str
    kind: str
    link: str  # where the UI plays the audio from this moment


@dataclass
class SearchResult:
    """A page of hits and the total number of hits (a lower bound when ``total_exact`` is False)."""

    hits: list[SearchHit]
    total: int
    limit: int
    offset: int
    query: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
    sort: str = "relevance"
    total_exact: bool = True
    ranked: int | None = None  # relevance ranked only the newest ``ranked`` matches (None: all)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form the API returns."""
        answer = {"hits": [asdict(h) for h in self.hits], "total": self.total, "total_exact": self.total_exact,
                  "limit": self.limit, "offset": self.offset, "query": self.query, "sort": self.sort}
        if self.ranked is not None:
            answer["ranking"] = {"ranked": self.ranked, "of": self.total}
        return answer


def search(
    session: Session, query: str, filters: SearchFilters, viewer: Viewer, *, limit: int = 20, offset: int = 0,
    sort: str = "relevance",
) -> SearchResult:
    """Paged hits of ``query`` that ``viewer`` may see in ``sort`` order, with redacted highlighted snippets."""
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", code="invalid_sort",
                           details={"parameter": "sort"})
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", code="invalid_limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"offset must be between 0 and {MAX_OFFSET:,}; narrow the search instead",
                           code="invalid_offset")
    filters.check()
    masked_text = not viewer.unredacted  # everyone but admins searches the text with contact details masked
    backend = backend_for(session)
    sees_all = viewer.restricted or not any_restricted(session)  # whose words may shape the expansion
    node = expand(parse_query(query), lambda prefix: backend.vocabulary(session, prefix, masked=masked_text),
                  lambda words: backend.attested(session, words, restricted=sees_all, masked=masked_text))
    matches = backend.matches(session, node, filters, restricted=viewer.restricted, masked=masked_text)
    page = page_of(matches, sort=sort, limit=limit, offset=offset)
    rows = page.rows
    highlighter = Highlighter.for_query(node)
    # Only the columns a hit shows (not the waveform peaks or word timings).
    episodes = {e.id: e for e in session.execute(
        select(Episode.id, Episode.title, Episode.description, Episode.language, Episode.kind, Episode.duration_s)
        .where(Episode.id.in_({r[1] for r in rows})))}
    segment_ids = {r[0] for r in rows if r[0]}
    segments = {s.id: s for s in session.execute(
        select(Segment.id, Segment.start, Segment.end, Segment.text).where(Segment.id.in_(segment_ids)))}
    hits = []
    for segment_id, episode_id, score in rows:
        episode = episodes.get(episode_id)
        if episode is None or (segment_id and segment_id not in segments):
            continue  # deleted by another transaction between the queries
        title = episode.title if viewer.unredacted else masked(episode.title)
        if segment_id:
            segment = segments[segment_id]
            text, start, end = segment.text, segment.start, segment.end
            link = f"/episodes/{episode_id}?t={start:g}"
        else:
            text = " — ".join(t for t in (episode.title, episode.description) if t)
            start, end, link = 0.0, float(episode.duration_s or 0.0), f"/episodes/{episode_id}"
        hits.append(SearchHit(
            episode_id=episode_id, segment_id=segment_id, start=start, end=end,
            snippet=make_snippet(text, highlighter, redact=not viewer.unredacted), score=round(float(score), 6),
            episode_title=title, language=episode.language,
            kind=episode.kind, link=link,
        ))
    return SearchResult(hits=hits, total=page.total, limit=limit, offset=offset, query=query, sort=sort,
                        total_exact=page.total_exact, ranked=page.ranked)


REFRESH_BATCH = 5000


def refresh_masked_copies(session: Session) -> int:
    """Recompute every row's masked copy with today's redaction rules; returns the rows whose copy changed."""
    pending: dict[MaskedCopy, list[dict[str, Any]]] = {}

    def write(kept: MaskedCopy) -> None:
        table = cast(Table, kept.model.__table__)
        session.execute(update(table).where(table.c.id == bindparam("row_id"))
                        .values({kept.copy: bindparam("copy")}), pending.pop(kept))

    changed = 0
    for kept, row_id, fresh in masked_copy_drift(session, batch=REFRESH_BATCH):
        pending.setdefault(kept, []).append({"row_id": row_id, "copy": fresh})
        changed += 1
        if len(pending[kept]) >= REFRESH_BATCH:
            write(kept)
    for kept in list(pending):
        write(kept)
    return changed


def masked_index_leaks(session: Session) -> list[str]:
    """Rows whose masked search index holds a word their masked copy hides (``radio verify``; fixed by a reindex)."""
    return backend_for(session).masked_index_leaks(session)


def reindex(session: Session) -> int:
    """Recompute the masked copies, then rebuild the whole index from the rows (in the caller's transaction);
    returns the documents indexed."""
    refresh_masked_copies(session)
    indexed = backend_for(session).rebuild(session)
    return indexed + sum(rebuild(session) for rebuild in hook("search_reindex"))  # e.g. schedule: SMS text
