"""PostgreSQL matches of one search: time order by walking the newest episodes first, ts_rank, capped counts.

Used by :class:`transcripts.search_backends.PostgresSearch`; the rules of ordering and counting are in
:mod:`transcripts.search_ranking`.

A GIN index answers "which rows hold these words" but in no useful order, so "the newest 1,000 matches" of
a common word used to fetch and sort every match (530,000 rows for the commonest word of a million
segments: 1.5 s). The newest matches of a common word lie in the newest few episodes, so the time-order
fetch walks the episodes (those the filters keep) newest first, a window of episodes at a time: each window
is one query the planner answers as it sees fit (a GIN bitmap ANDed with the segments' episode index, or, for
a word in most rows, the episode index alone with the words checked row by row, stopping at the LIMIT). The
first window is sized from the planner's estimates (matches per episode), the next ones from the matches
per episode seen so far; when that would be more than :data:`MAX_WINDOW` episodes one last query takes every
older episode at once. A query the planner expects to match fewer than :data:`SORT_ALL_BELOW` times the
page's end is not walked: its matches are fetched and sorted in one query, as the walk would cost more.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from transcripts.search_ranking import Row

SORT_ALL_BELOW = 10  # fewer estimated matches than this many times the page's end: sort them all at once
FIRST_WINDOW = 1  # episodes in the first window of the walk at least (it is sized from the planner's estimate)
MAX_WINDOW = 1000  # more episodes than this to walk: one query for all older ones instead
ORDER = ("added", "episode_id", "doc", "pos", "idx", "segment_id")  # the time order of matches

Key = tuple[str | None, str]  # (segment_id or None for an episode's own text, episode_id)


@dataclass(frozen=True)
class Part:
    """One SELECT of the matches (segments or episodes' own text): its SQL up to the end of its WHERE, and the
    columns naming the match's episode (a window of the walk is a condition on each, so that the planner can
    use the index of either)."""

    sql: str
    episode_columns: tuple[str, ...]


@dataclass(frozen=True)
class PostgresMatches:
    """Matches found by (segment_id, episode_id); ts_rank computed only for the rows a page asks for."""

    session: Session
    parts: tuple[Part, ...]
    episode_conditions: tuple[str, ...]  # on the episode row ``e``: which episodes the walk visits
    score: str
    params: dict[str, Any]

    def _union(self, condition: str) -> str:
        return " UNION ALL ".join(
            f"{part.sql} AND " + " AND ".join(condition.format(episode=column) for column in part.episode_columns)
            for part in self.parts)

    def _ordered(self, condition: str, params: dict[str, Any], *, newest: bool, limit: int,
                 offset: int = 0) -> list[Key]:
        way = "DESC" if newest else "ASC"
        keys = ", ".join(f"u.{key} {way}" for key in ORDER)
        return [(segment_id, episode_id) for segment_id, episode_id in self.session.execute(
            text(f"SELECT u.segment_id, u.episode_id FROM ({self._union(condition)}) u ORDER BY {keys}"
                 " LIMIT :limit OFFSET :offset"), {**self.params, **params, "limit": limit, "offset": offset})]

    def _estimate(self, sql: str) -> float:
        """The planner's estimate of the rows of ``sql`` (planning only: about a millisecond)."""
        plan = self.session.execute(text(f"EXPLAIN (FORMAT JSON) {sql}"), self.params).scalar_one()
        return float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])

    def _episodes(self, *, newest: bool, after: tuple[Any, str] | None, limit: int) -> list[tuple[Any, str]]:
        """(created_at, id) of the next ``limit`` episodes of the walk after ``after``."""
        way, before = ("DESC", "<") if newest else ("ASC", ">")
        conds = [*self.episode_conditions, *([f"(e.created_at, e.id) {before} (:after_added, :after_id)"]
                                             if after else [])]
        where = f" WHERE {' AND '.join(conds)}" if conds else ""
        return [(added, episode_id) for added, episode_id in self.session.execute(text(
            f"SELECT e.created_at, e.id FROM episodes e{where} ORDER BY e.created_at {way}, e.id {way} LIMIT :n"),
            {**self.params, "n": limit, "after_added": after[0] if after else None,
             "after_id": after[1] if after else None})]

    def in_time_order(self, *, newest: bool, limit: int, offset: int) -> list[Key]:
        """Matches in time order (episodes as added, then their documents), newest or oldest first."""
        if limit <= 0:
            return []
        need = offset + limit
        matches = self._estimate(f"SELECT 1 FROM ({self._union('TRUE')}) u")
        if matches < SORT_ALL_BELOW * need:  # few matches: sorting them all is one cheap query
            return self._ordered("TRUE", {}, newest=newest, limit=limit, offset=offset)
        episodes_in_walk = self._estimate("SELECT 1 FROM episodes e"
                                          + (f" WHERE {' AND '.join(self.episode_conditions)}"
                                             if self.episode_conditions else ""))
        found: list[Key] = []
        window = max(FIRST_WINDOW, math.ceil(1.5 * need * episodes_in_walk / matches))
        walked, after = 0, None
        while len(found) < need:
            if window > MAX_WINDOW:  # few matches per episode: every older episode in one query
                older = f"(e.created_at, e.id) {'<' if newest else '>'} (:after_added, :after_id)"
                found += self._ordered(older if after else "TRUE", {
                    "after_added": after[0] if after else None, "after_id": after[1] if after else None},
                    newest=newest, limit=need - len(found))
                break
            episodes = self._episodes(newest=newest, after=after, limit=window)
            if episodes:
                found += self._ordered("{episode} = ANY(:window)", {"window": [e for _, e in episodes]},
                                       newest=newest, limit=need - len(found))
                walked += len(episodes)
                after = episodes[-1]
            if len(episodes) < window:  # every episode walked
                break
            per_episode = len(found) / walked
            window = math.ceil(1.5 * (need - len(found)) / per_episode) if per_episode else MAX_WINDOW + 1
        return found[offset:need]

    def scored(self, keys: Sequence[Key]) -> list[tuple[Key, float]]:
        """ts_rank of each match (computed for these rows only)."""
        if not keys:
            return []
        found = {(segment_id, episode_id): float(score) for segment_id, episode_id, score in self.session.execute(
            text(f"SELECT h.segment_id, h.episode_id, {self.score} FROM json_to_recordset(CAST(:keys AS json))"
                 " AS h(segment_id varchar, episode_id varchar)"
                 " JOIN episodes e ON e.id = h.episode_id LEFT JOIN segments s ON s.id = h.segment_id"),
            {**self.params, "keys": json.dumps([{"segment_id": k[0], "episode_id": k[1]} for k in keys])})}
        return [(key, found.get(key, 0.0)) for key in keys]

    def count(self, cap: int) -> int:
        """Matches counted, stopping at ``cap``."""
        return int(self.session.execute(text(
            f"SELECT count(*) FROM (SELECT 1 FROM ({self._union('TRUE')}) u LIMIT :cap) c"),
            {**self.params, "cap": cap}).scalar_one())

    def rows(self, page: Sequence[tuple[Key, float]]) -> list[Row]:
        """(segment_id, episode_id, score) of a page, in page order."""
        return [(segment_id, episode_id, score) for (segment_id, episode_id), score in page]
