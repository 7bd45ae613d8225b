"""SQLite FTS5 matches of one search: document ids in time order, counts, and bm25 that stays cheap on common words.

Used by :class:`transcripts.search_backends.SqliteSearch`; the rules of ordering and counting are in
:mod:`transcripts.search_ranking`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session

from transcripts import search_ranking, search_schema
from transcripts.search_ranking import Row


@dataclass(frozen=True)
class _NoMatches:
    """A search that cannot match anything (an episode filter naming no indexed episode)."""

    def in_time_order(self, *, newest: bool, limit: int, offset: int) -> list[int]:
        return []

    def scored(self, keys: Sequence[int]) -> list[tuple[int, float]]:
        return []

    def count(self, cap: int) -> int:
        return 0

    def rows(self, page: Sequence[tuple[int, float]]) -> list[Row]:
        return []


NO_MATCHES = _NoMatches()


BM25_K1, BM25_B = 1.2, 0.75  # FTS5's bm25() constants
EXACT_BM25_BELOW = 2000  # FTS5's own bm25() when every phrase of the query is in fewer documents than this


def _varint(blob: bytes, at: int = 0) -> tuple[int, int]:
    """An SQLite varint (as FTS5 stores sizes) at ``at``: (value, the position after it)."""
    value = 0
    for i in range(8):
        byte = blob[at + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    return (value << 8) | blob[at + 8], at + 9


class Leaf(NamedTuple):
    """One term or phrase of a query as :class:`SqliteMatches` scores it."""

    match: str  # its FTS5 MATCH string
    negated: bool
    words: int  # words in a row (1 for a term or a prefix)
    required: bool  # every match of the query holds it (the query is it, or an AND of it and others)


@dataclass(frozen=True)
class SqliteMatches:
    """FTS5 matches found by document id; time order is document order, which FTS5 walks without sorting.

    Scores are bm25. FTS5's bm25() first counts every document of every phrase of the query (measured: 14 ms
    for a word in 100,000 segments, whatever the LIMIT), so it is used only when every phrase is rarer than
    :data:`EXACT_BM25_BELOW`; otherwise the same formula is computed here from what FTS5 stores cheaply:
    each document's length (``docsize``), the averages record, which phrases a document holds (one MATCH per
    phrase over the documents' rowid range) and the phrases' document counts up to that threshold. A phrase
    counts once per document (short segments rarely repeat a word), and the phrases past the threshold weigh
    alike (idf ≈ log(rows / 2,000)).

    A phrase of several words is always scored here: bm25() reads every match of it with the words'
    positions, twice (measured: 15-40 ms for a phrase of two common words with 20 matches in a million
    segments; the whole phrase query takes 3 ms without it). A leaf every match holds (the query itself, or
    one side of an AND) needs no MATCH to tell which documents hold it, and when the query is one leaf with
    no filter its document count is the page's total, counted once.
    """

    session: Session
    fts: str
    source: str
    where: str
    params: dict[str, Any]
    phrases: tuple[Leaf, ...]
    unfiltered: bool = False  # the MATCH alone decides (no facet, range or code condition)
    counts: dict[str, int] = field(default_factory=dict)  # documents per leaf, up to EXACT_BM25_BELOW
    totals: dict[int, int] = field(default_factory=dict)  # matches counted up to a cap, per cap

    def in_time_order(self, *, newest: bool, limit: int, offset: int) -> list[int]:
        """Matches by document id, newest (highest) or oldest first."""
        if limit <= 0:
            return []
        fts = self.fts
        found = [int(doc_id) for doc_id, in self._sql(
            f"SELECT {fts}.rowid FROM {self.source} WHERE {self.where}"
            f" ORDER BY {fts}.rowid {'DESC' if newest else 'ASC'} LIMIT :limit OFFSET :offset",
            {**self.params, "limit": limit, "offset": offset})]
        if offset == 0 and len(found) < limit and self.unfiltered and len(self.phrases) == 1:
            self.counts[self.phrases[0].match] = len(found)  # every match of the one leaf: its document count
        return found

    def count(self, cap: int) -> int:
        """Matches counted in FTS5 (and the facets), stopping at ``cap`` (remembered for this search)."""
        if cap not in self.totals:
            self.totals[cap] = int(self.session.execute(text(
                f"SELECT count(*) FROM (SELECT 1 FROM {self.source} WHERE {self.where} LIMIT :cap)"),
                {**self.params, "cap": cap}).scalar_one())
        return self.totals[cap]

    def _sql(self, sql: str, params: dict[str, Any]) -> list[Any]:
        """Rows of a statement on the session's connection, through the driver (thousands of small rows)."""
        cursor = self.session.connection().connection.driver_connection.execute(sql, params)  # type: ignore[union-attr]
        return cursor.fetchall()

    def _documents(self, match: str) -> int:
        """Documents holding one phrase, counted up to :data:`EXACT_BM25_BELOW` (remembered for this search)."""
        if match not in self.counts and self.unfiltered and len(self.phrases) == 1:
            # The query is this leaf: the total the page needs anyway (one scan, not two) says how many hold it.
            self.counts[match] = min(self.count(search_ranking.COUNT_CAP + 1), EXACT_BM25_BELOW)
        if match not in self.counts:
            self.counts[match] = int(self._sql(
                f"SELECT count(*) FROM (SELECT 1 FROM {self.fts} WHERE {self.fts} MATCH :m LIMIT :cap)",
                {"m": match, "cap": EXACT_BM25_BELOW})[0][0])
        return self.counts[match]

    def scored(self, keys: Sequence[int]) -> list[tuple[int, float]]:
        """bm25 of each match (higher is better), in the order of ``keys``."""
        if not keys:
            return []
        ids = json.dumps(list(keys))
        if all(leaf.words == 1 and self._documents(leaf.match) < EXACT_BM25_BELOW for leaf in self.phrases):
            found: dict[int, float] = dict(self.session.execute(text(
                f"SELECT {self.fts}.rowid, -bm25({self.fts}) FROM {self.fts} WHERE {self.fts} MATCH :match"
                f" AND +{self.fts}.rowid IN (SELECT value FROM json_each(:ids))"),
                {"match": self.params["match"], "ids": ids}).all())
            return [(k, float(found.get(k, 0.0))) for k in keys]
        return self._estimated(keys, ids)

    def _estimated(self, keys: Sequence[int], ids: str) -> list[tuple[int, float]]:
        fts = self.fts
        averages = self.session.execute(text(f"SELECT block FROM {fts}_data WHERE id = 1")).scalar() or b"\x00\x00"
        rows, at = _varint(averages)
        average_length = max(1.0, _varint(averages, at)[0] / max(rows, 1))
        # A phrase's weight in a document of each length: idf * (k1 + 1) / (1 + k1 * (1 - b + b * length / avg)).
        shape = {doc_id: (BM25_K1 + 1) / (1 + BM25_K1 * (1 - BM25_B + BM25_B * _varint(size)[0] / average_length))
                 for doc_id, size in self._sql(
                     f"SELECT id, sz FROM {fts}_docsize WHERE id IN (SELECT value FROM json_each(:ids))", {"ids": ids})}
        scores = dict.fromkeys(keys, 0.0)
        low, high = min(keys), max(keys)
        for leaf in self.phrases:
            if leaf.negated:
                continue
            hits = self._documents(leaf.match)
            idf = max(math.log((rows - hits + 0.5) / (hits + 0.5)), 1e-6)
            holders = keys if leaf.required else [doc_id for doc_id, in self._sql(
                f"SELECT rowid FROM {fts} WHERE {fts} MATCH :m AND rowid BETWEEN :low AND :high",
                {"m": leaf.match, "low": low, "high": high})]
            for doc_id in holders:
                if doc_id in scores:
                    scores[doc_id] += idf * shape.get(doc_id, 1.0)
        return [(k, scores[k]) for k in keys]

    def rows(self, page: Sequence[tuple[int, float]]) -> list[Row]:
        """(segment_id, episode_id, score) of a page of (doc_id, score), in page order."""
        return rows_of(self.session, page)


def rows_of(session: Session, page: Sequence[tuple[int, float]]) -> list[Row]:
    """(segment_id, episode_id, score) of a page of (doc_id, score), in page order."""
    if not page:
        return []
    found = {doc_id: (segment_id, episode_id) for doc_id, segment_id, episode_id in session.execute(text(
        "SELECT r.doc_id, r.segment_id, f.episode_id FROM search_rows r JOIN search_episode_facets f"
        f" ON f.ep_no = (r.doc_id >> {search_schema.DOC_BITS})"
        " WHERE r.doc_id IN (SELECT value FROM json_each(:ids))"), {"ids": json.dumps([d for d, _ in page])})}
    return [(*found[doc_id], float(score)) for doc_id, score in page if doc_id in found]
