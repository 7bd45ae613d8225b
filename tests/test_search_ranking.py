"""Order, relevance window and totals of a search (transcripts.search_ranking): the pure algorithm over a fake
set of matches, then the real search on SQLite and PostgreSQL (the same pages on both), the API and the page."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import pytest

from radio.errors import InvalidInput
from tests.search_corpus import add_episode
from tests.ui_helpers import login, page
from transcripts import search_ranking
from transcripts.search import SearchFilters, Viewer, search
from transcripts.search_ranking import page_of

ADMIN = Viewer(restricted=True, unredacted=True)


class FakeMatches:
    """Matches 0..n-1 in time order (n-1 newest) with given scores; counts how often each question is asked."""

    def __init__(self, scores: Sequence[float]) -> None:
        self.scores = list(scores)
        self.counted: list[int] = []
        self.fetched: list[tuple[bool, int, int]] = []

    def in_time_order(self, *, newest: bool, limit: int, offset: int) -> list[int]:
        self.fetched.append((newest, limit, offset))
        keys = list(range(len(self.scores)))[::-1 if newest else 1]
        return keys[offset:offset + limit]

    def scored(self, keys: Sequence[int]) -> list[tuple[int, float]]:
        return [(k, self.scores[k]) for k in keys]

    def count(self, cap: int) -> int:
        self.counted.append(cap)
        return min(cap, len(self.scores))

    def rows(self, page: Sequence[tuple[int, float]]) -> list[tuple[str | None, str, float]]:
        return [(str(k), "e", s) for k, s in page]


@pytest.fixture
def small_window(monkeypatch):
    monkeypatch.setattr(search_ranking, "RANK_WINDOW", 4)
    monkeypatch.setattr(search_ranking, "COUNT_CAP", 7)


def keys(page) -> list[int]:
    return [int(r[0]) for r in page.rows]


def test_few_matches_are_all_ranked_and_counted_exactly(small_window) -> None:
    matches = FakeMatches([0.1, 0.9, 0.5, 0.9])
    page = page_of(matches, sort="relevance", limit=10, offset=0)
    assert keys(page) == [3, 1, 2, 0]  # equal scores: the newer first
    assert (page.total, page.total_exact, page.ranked) == (4, True, None)
    assert matches.counted == []  # the window fetch told the total


def test_many_matches_rank_the_newest_window_then_follow_newest_first(small_window) -> None:
    scores = [0.9, 0.8, 0.1, 0.2, 0.3, 0.4]  # the oldest two score best but lie outside the newest four
    matches = FakeMatches(scores)
    first = page_of(matches, sort="relevance", limit=3, offset=0)
    assert keys(first) == [5, 4, 3] and first.ranked == 4 and (first.total, first.total_exact) == (6, True)
    second = page_of(matches, sort="relevance", limit=3, offset=3)
    assert keys(second) == [2, 1, 0]  # the window's last, then the older matches newest first
    every = [k for offset in range(0, 6, 2) for k in keys(page_of(matches, sort="relevance", limit=2, offset=offset))]
    assert sorted(every) == list(range(6)) and len(every) == 6  # every match once, across pages


def test_totals_beyond_the_cap_are_a_marked_lower_bound(small_window) -> None:
    matches = FakeMatches([0.5] * 20)
    page = page_of(matches, sort="relevance", limit=2, offset=0)
    assert (page.total, page.total_exact, page.ranked) == (7, False, 4)
    assert matches.counted == [8]  # counting stops one past the cap
    deep = page_of(matches, sort="newest", limit=5, offset=10)
    assert (deep.total, deep.total_exact) == (15, False)  # at least what was paged through
    last = page_of(matches, sort="newest", limit=5, offset=18)
    assert keys(last) == [1, 0] and (last.total, last.total_exact) == (20, True)  # a short page tells the total
    assert page_of(matches, sort="oldest", limit=5, offset=30).total == 7


def test_time_orders_are_each_others_reverse(small_window) -> None:
    matches = FakeMatches([0.3, 0.1, 0.2])
    newest = page_of(matches, sort="newest", limit=10, offset=0)
    oldest = page_of(matches, sort="oldest", limit=10, offset=0)
    assert keys(newest) == [2, 1, 0] and keys(oldest) == [0, 1, 2]
    assert newest.ranked is None and oldest.ranked is None and matches.counted == []


# The real search on both databases: episodes added in a known order, the word in every segment.
WORD = "দালাল"


@pytest.fixture
def added(runtime) -> list[str]:
    """Segment ids in time order: 3 episodes added a day apart, 3 segments each, plus one without the word."""
    order: list[str] = []
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with runtime.session() as session:
        for n in range(3):
            texts = [f"{WORD}{ending} কথা {n}{i}" for i, ending in enumerate(("", "ের", "রা"))] + ["অন্য কথা"]
            _, segments = add_episode(session, f"episode {n}", texts, language="bn",
                                      created_at=start + dt.timedelta(days=n))
            order += [s.id for s in segments[:3]]
    return order


def all_pages(session, sort: str, per_page: int = 2) -> list[str | None]:
    found: list[str | None] = []
    for offset in range(0, 40, per_page):
        result = search(session, WORD, SearchFilters(scope="segments"), ADMIN, limit=per_page, offset=offset,
                        sort=sort)
        found += [h.segment_id for h in result.hits]
        if len(result.hits) < per_page:
            break
    return found


def test_sort_orders_and_window_on_the_database(runtime, added, small_window) -> None:
    with runtime.session() as session:
        assert all_pages(session, "oldest") == added
        assert all_pages(session, "newest") == added[::-1]
        first = search(session, WORD, SearchFilters(scope="segments"), ADMIN, limit=4, sort="relevance")
        everything = all_pages(session, "relevance")
        episodes = search(session, "episode", SearchFilters(scope="episodes"), ADMIN, sort="oldest")
    assert set(h.segment_id for h in first.hits) == set(added[-4:])  # the newest four, ranked
    assert (first.ranked, first.total, first.total_exact) == (4, 7, False)
    assert first.to_dict()["ranking"] == {"ranked": 4, "of": 7} and first.to_dict()["total_exact"] is False
    assert everything[4:] == added[:5][::-1] and sorted(everything) == sorted(added)
    assert [h.episode_title for h in episodes.hits] == ["episode 0", "episode 1", "episode 2"]


def test_exact_totals_and_no_ranking_note_below_the_window(runtime, added) -> None:
    with runtime.session() as session:
        result = search(session, WORD, SearchFilters(scope="segments"), ADMIN, limit=3)
        filtered = search(session, f"{WORD} 11", SearchFilters(scope="segments"), ADMIN, sort="newest")
    assert (result.total, result.total_exact, result.ranked) == (9, True, None)
    assert "ranking" not in result.to_dict() and result.to_dict()["sort"] == "relevance"
    assert [h.segment_id for h in filtered.hits] == [added[4]]


def test_sort_in_the_api_and_its_errors(api_as, added) -> None:
    researcher = api_as("researcher")
    body = researcher.get("/api/v1/search", query_string={"q": WORD, "sort": "oldest", "scope": "segments"}).get_json()
    assert [h["segment_id"] for h in body["hits"]] == added and body["sort"] == "oldest"
    assert body["total"] == 9 and body["total_exact"] is True and "ranking" not in body
    empty = researcher.get("/api/v1/search", query_string={"q": WORD, "sort": ""}).get_json()
    assert empty["sort"] == "relevance"  # an empty form field is the default, as for every filter
    for bad in ("best", "NEWEST", "newest\x00", " newest x", "x" * 5000):
        response = researcher.get("/api/v1/search", query_string={"q": WORD, "sort": bad})
        assert response.status_code == 400, (bad, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] in ("invalid_sort", "invalid_parameter") and error["field"] == "sort", error
    with pytest.raises(InvalidInput, match="sort must be one of"):  # the service refuses it too (the CLI's way in)
        search(None, WORD, SearchFilters(), ADMIN, sort="best")  # type: ignore[arg-type]


@pytest.mark.parametrize(("q", "outcome"), [
    ("=", "400 empty_query"), ("==", "400 empty_query"), ("=*", "400 empty_query"), ("= =", "400 empty_query"),
    ("==দালাল", "exact"), ('="দালাল কথা"', "phrase"), ("=দালাল*", "prefix"), ("=দালালের", "exact_form"),
    ("দালাল =", "plain"), ("=\x00দালাল", "plain"),  # NUL is a space: "=" alone, then a word
])
def test_odd_exact_shapes_are_a_400_or_a_sane_result(api_as, added, q, outcome) -> None:
    response = api_as("researcher").get("/api/v1/search", query_string={"q": q, "scope": "segments",
                                                                       "sort": "oldest", "limit": 50})
    if outcome.startswith("400 "):
        assert response.status_code == 400 and response.get_json()["error"]["code"] == outcome[4:]
        return
    assert response.status_code == 200, response.get_json()
    found = [h["segment_id"] for h in response.get_json()["hits"]]
    expected = {"exact": added[0::3], "phrase": added[0::3], "prefix": added, "exact_form": added[1::3],
                "plain": added}[outcome]
    assert found == expected


def test_the_page_has_the_order_selector_help_and_ranking_note(client, runtime, added, small_window,
                                                               monkeypatch) -> None:
    login(client, runtime, "researcher")
    html = page(client, f"/search?q={WORD}")
    assert 'name="sort"' in html and "How search works" in html and "=word finds only that exact form" in html
    assert "Ranked by relevance among the newest 4 of 9 matches" in html and "9 hits" in html
    monkeypatch.setattr("web.ui.research.PER_PAGE", 2)  # a full page: the total is counted, up to the cap
    html = page(client, f"/search?q={WORD}")
    assert "Ranked by relevance among the newest 4 of at least 7 matches" in html and "At least 7 hits" in html
    oldest = page(client, f"/search?q={WORD}&sort=oldest")
    assert '<option value="oldest" selected>' in oldest and "Ranked by relevance" not in oldest
    bad = page(client, f"/search?q={WORD}&sort=best")
    assert 'id="sort-error"' in bad and "hits</h2>" not in bad
    bangla = page(client, f"/search?q={WORD}", lang="bn")
    assert "খোঁজ কীভাবে কাজ করে" in bangla and "সবচেয়ে নতুন ৪টি প্রাসঙ্গিকতা অনুযায়ী" in bangla


def test_cli_sort(runtime, added) -> None:
    from click.testing import CliRunner

    from radio.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["search", WORD, "--sort", "oldest", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [h["segment_id"] for h in body["hits"]] == added and body["sort"] == "oldest"
    refused = runner.invoke(main, ["search", WORD, "--sort", "best"])
    assert refused.exit_code == 2 and "best" in refused.output


def test_common_words_are_scored_without_fts5s_full_count(runtime, monkeypatch) -> None:
    """Past the threshold the SQLite backend computes bm25 itself; a word once per segment ranks as bm25 ranks."""
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's scoring")
    from transcripts import search_sqlite

    texts = [" ".join(["ঋণ"] + ["কথা"] * n) for n in (9, 2, 5, 0, 7)]
    with runtime.session() as session:
        _, segments = add_episode(session, "lengths", texts, language="bn")
        exact = search(session, "ঋণ", SearchFilters(scope="segments"), ADMIN)
        monkeypatch.setattr(search_sqlite, "EXACT_BM25_BELOW", 2)
        estimated = search(session, "ঋণ", SearchFilters(scope="segments"), ADMIN)
        negated = search(session, "ঋণ NOT কথা", SearchFilters(scope="segments"), ADMIN)
    shortest_first = [segments[i].id for i in (3, 1, 2, 4, 0)]
    assert [h.segment_id for h in exact.hits] == shortest_first
    assert [h.segment_id for h in estimated.hits] == shortest_first
    assert all(h.score > 0 for h in estimated.hits)
    assert [h.segment_id for h in negated.hits] == [segments[3].id] and negated.hits[0].score > 0


def test_a_new_inflected_form_is_found_at_once(runtime) -> None:
    """The remembered vocabulary of a prefix is dropped when the index changes."""
    with runtime.session() as session:
        add_episode(session, "first", ["দালাল এসেছিল"], language="bn")
    with runtime.session() as session:
        assert search(session, "দালাল", SearchFilters(scope="segments"), ADMIN).total == 1
    with runtime.session() as session:
        add_episode(session, "second", ["দালালদেরকে ধরা হয়েছে"], language="bn")
    with runtime.session() as session:
        assert search(session, "দালাল", SearchFilters(scope="segments"), ADMIN).total == 2


@pytest.fixture
def walked(runtime) -> list[str | None]:
    """Hits of WORD in time order over 7 episodes a day apart: some with WORD in their title (their own text
    comes before their segments), some without a match, one in English (filtered out by language=bn), one
    with many matches; (segment id, or the title for an episode's own text) each."""
    order: list[str | None] = []
    start = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    counts = (2, 0, 5, 1, 0, 3, 2)
    with runtime.session() as session:
        for n, many in enumerate(counts):
            title = f"{WORD} পর্ব {n}" if n % 3 == 0 else f"পর্ব {n}"
            texts = [f"{WORD} কথা {n} {i}" for i in range(many)] + ["অন্য কথা"]
            _, segments = add_episode(session, title, texts, language="en" if n == 5 else "bn",
                                      created_at=start + dt.timedelta(days=n))
            if n != 5:
                order += ([title] if n % 3 == 0 else []) + [s.id for s in segments[:many]]
    return order


def _hit_names(result) -> list[str | None]:
    return [h.segment_id or h.episode_title for h in result.hits]


@pytest.mark.parametrize("first_window, max_window", [(1, 1000), (1, 0), (2, 3), (100, 1000)])
def test_the_walk_over_episodes_keeps_the_time_order(runtime, walked, monkeypatch, first_window,
                                                     max_window) -> None:
    """PostgreSQL walks the episodes newest first in windows (small ones here, then one query for the rest):
    every window size gives the whole time order, both ways, in pages, under a filter (SQLite: the same).
    And a query the planner expects to match little is sorted in one go, in the same order."""
    from transcripts import search_postgres

    monkeypatch.setattr(search_postgres, "FIRST_WINDOW", first_window)
    monkeypatch.setattr(search_postgres, "MAX_WINDOW", max_window)
    monkeypatch.setattr(search_postgres, "SORT_ALL_BELOW", 0)  # walk even these few matches
    monkeypatch.setattr(search_postgres.PostgresMatches, "_estimate",  # many matches per episode: FIRST_WINDOW
                        lambda self, sql: 1.0 if sql.startswith("SELECT 1 FROM episodes") else 1e9)
    bangla = SearchFilters(language="bn")
    with runtime.session() as session:
        pages = {sort: [name for offset in range(0, len(walked) + 3, 3) for name in _hit_names(search(
            session, WORD, bangla, ADMIN, limit=3, offset=offset, sort=sort))] for sort in ("oldest", "newest")}
        whole = _hit_names(search(session, WORD, bangla, ADMIN, limit=100, sort="newest"))
        monkeypatch.undo()
        at_once = _hit_names(search(session, WORD, bangla, ADMIN, limit=100, sort="newest"))
    assert pages["oldest"] == walked
    assert pages["newest"] == whole == at_once == walked[::-1]


def test_phrases_are_scored_without_fts5s_bm25(runtime) -> None:
    """FTS5's bm25() rereads every match of a phrase with its positions (15-40 ms for a rare phrase of two
    common words in a million segments): a phrase is scored from the document lengths, as bm25 ranks it."""
    from sqlalchemy import event

    texts = ([" ".join(["ঋণ শোধ"] + ["কথা"] * n) for n in (6, 1, 3)] + ["ঋণ শোধ মামলা কথা", "মামলা কথা শোধ"]
             + ["অন্য কথা"] * 20)  # rarer than half the documents: a positive idf
    statements: list[str] = []
    with runtime.session() as session:
        _, segments = add_episode(session, "phrases", texts, language="bn")
        def seen(conn, cursor, statement, *rest) -> None:
            statements.append(statement)

        event.listen(runtime.engine, "before_cursor_execute", seen)
        try:
            phrase = search(session, '"ঋণ শোধ"', SearchFilters(scope="segments"), ADMIN)
            either = search(session, '"ঋণ শোধ" OR মামলা', SearchFilters(scope="segments"), ADMIN)
        finally:
            event.remove(runtime.engine, "before_cursor_execute", seen)
    assert {h.segment_id for h in phrase.hits} == {segments[i].id for i in range(4)}
    assert {h.segment_id for h in either.hits} == {segments[i].id for i in range(5)}
    assert all(h.score > 0 for h in phrase.hits + either.hits)
    if runtime.engine.dialect.name == "sqlite":  # bm25's order: the shortest first; both leaves beat one
        assert [h.segment_id for h in phrase.hits] == [segments[i].id for i in (1, 3, 2, 0)]
        assert either.hits[0].segment_id == segments[3].id
        assert not [s for s in statements if "bm25(" in s]
