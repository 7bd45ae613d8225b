"""How a search's matches become a page: the order (``sort``), the relevance window and a capped total.

One algorithm for both databases; each backend only answers two questions about its matches — "these
matches in time order" (with their scores) and "how many, up to a cap" — so SQLite and PostgreSQL order,
window and count alike.

Time order is the order episodes were added to the library (then their own title and description, then
their segments from the first second on): ``oldest`` is that order, ``newest`` its exact reverse. On
SQLite it is the index's document order (see :mod:`transcripts.search_schema`), which a scan can follow
without sorting.

``relevance`` ranks every match when there are at most :data:`RANK_WINDOW`. A query that matches more
(a common word over a million segments) is ranked within its newest :data:`RANK_WINDOW` matches only, and
the answer says so (``ranked``/``of``): scoring every one of 100,000 matches to show twenty costs a
hundred times more than scoring a thousand, and for evidence work the recent matches are the ones that
are read first. The matches past the window follow it, newest first, so every match stays reachable.
Totals are exact up to :data:`COUNT_CAP`; beyond that the total is a lower bound (``total_exact`` false).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

RANK_WINDOW = 1000  # matches ranked by relevance, the newest ones, when a query matches more
COUNT_CAP = 10_000  # totals are counted exactly up to this many matches
SORTS = ("relevance", "newest", "oldest")

Row = tuple[str | None, str, float]  # (segment_id or None for an episode's own text, episode_id, score)
Key = TypeVar("Key")


class Matches(Protocol[Key]):
    """The matches of one search on one database; ``Key`` is whatever the backend finds a match by."""

    def in_time_order(self, *, newest: bool, limit: int, offset: int) -> Sequence[Key]:
        """``limit`` matches from ``offset`` on, newest or oldest first."""
        ...

    def scored(self, keys: Sequence[Key]) -> list[tuple[Key, float]]:
        """``keys`` (matches) with their relevance scores, in the same order."""
        ...

    def count(self, cap: int) -> int:
        """The number of matches, or ``cap`` when there are at least that many."""
        ...

    def rows(self, page: Sequence[tuple[Key, float]]) -> list[Row]:
        """The hits' rows of a page of (key, score), in page order."""
        ...


@dataclass(frozen=True)
class Page:
    """One page of a search's hits and what is known about their number and order."""

    rows: list[Row]
    total: int
    total_exact: bool = True
    ranked: int | None = None  # relevance ranked only the newest ``ranked`` matches (None: all of them)


def _by_score(matches: Sequence[tuple[Key, float]], first: int) -> list[tuple[Key, float]]:
    """The ``first`` best-scoring matches, best first; equal scores keep their order (newest first)."""
    return [m for _, m in heapq.nsmallest(first, enumerate(matches), key=lambda item: (-item[1][1], item[0]))]


def _total(matches: Matches[Key], offset: int, limit: int, shown: int) -> tuple[int, bool]:
    """The total and whether it is exact, counting only when the page itself does not tell."""
    if (0 < shown < limit) or (shown == 0 and offset == 0):  # the last page: nothing follows it
        return offset + shown, True
    counted = matches.count(COUNT_CAP + 1)
    if counted <= COUNT_CAP:
        return counted, True
    return (max(COUNT_CAP, offset + shown) if shown else COUNT_CAP), False  # past the end: only the cap is known


def page_of(matches: Matches[Key], *, sort: str, limit: int, offset: int) -> Page:
    """The page of ``matches`` from ``offset`` in ``sort`` order, with its total (see the module's rules)."""
    if sort != "relevance":
        page = matches.scored(matches.in_time_order(newest=sort == "newest", limit=limit, offset=offset))
        total, exact = _total(matches, offset, limit, len(page))
        return Page(matches.rows(page), total, exact)
    newest = matches.in_time_order(newest=True, limit=RANK_WINDOW + 1, offset=0)
    if len(newest) <= RANK_WINDOW:  # every match ranked
        return Page(matches.rows(_by_score(matches.scored(newest), offset + limit)[offset:]), len(newest))
    page = _by_score(matches.scored(newest[:RANK_WINDOW]), offset + limit)[offset:]
    if offset + limit > RANK_WINDOW:  # past the window: the older matches, newest first
        start = max(offset, RANK_WINDOW)
        page += matches.scored(matches.in_time_order(newest=True, limit=offset + limit - start, offset=start))
    total, exact = _total(matches, offset, limit, len(page))
    return Page(matches.rows(page), total, exact, ranked=RANK_WINDOW)
