"""The Bangla evaluation set through the real search (parser, vocabulary expansion, FTS5 / tsvector index), on
SQLite and PostgreSQL: the same hits as the pure expansion on both backends, the floor, and above Lucene."""

from __future__ import annotations

import pytest
from search_corpus import add_episode

from tests.bangla_search_eval import CASES, SENTENCES
from tests.test_bangla_inflection import inflecting, lucene_searcher
from tests.test_bangla_inflection import search as pure_search
from transcripts.search import SearchFilters, Viewer, search

RESEARCHER = Viewer(restricted=True, unredacted=False)  # the masked index: what researchers search


def score(found: dict[str, set[str]]) -> dict[str, float]:
    tp = fp = fn = passed = 0
    for query, must, must_not in CASES:
        hits = found[query]
        tp += len(hits & set(must))
        fn += len(set(must) - hits)
        fp += len(hits & set(must_not))
        passed += set(must) <= hits and not hits & set(must_not)
    return {"precision": round(tp / (tp + fp), 3), "recall": round(tp / (tp + fn), 3),
            "passed": round(passed / len(CASES), 3)}


def run_set(runtime) -> dict[str, set[str]]:
    """Every query of the set through ``transcripts.search.search``, as sentence ids."""
    ids = list(SENTENCES)
    with runtime.session() as session:
        _, segments = add_episode(session, "evaluation", [SENTENCES[i] for i in ids], language="bn")
        sid = {s.id: i for s, i in zip(segments, ids, strict=True)}
    found = {}
    with runtime.session() as session:
        for query, _must, _must_not in CASES:
            result = search(session, query, SearchFilters(scope="segments"), RESEARCHER, limit=100)
            assert result.total == len(result.hits), query
            found[query] = {sid[h.segment_id] for h in result.hits}
    return found


def test_the_evaluation_set_through_the_search_api(runtime) -> None:
    found = run_set(runtime)
    # One set of rules: the index answers exactly what the pure expansion answers (so both backends agree).
    differ = [f"{q}: api {sorted(found[q])} pure {sorted(pure_search(q, inflecting))}"
              for q, _, _ in CASES if found[q] != pure_search(q, inflecting)]
    assert differ == []
    ours = score(found)
    print(f"\nBangla evaluation set through the search API ({runtime.engine.dialect.name}, {len(CASES)} cases): {ours}")
    assert ours["precision"] >= 0.98 and ours["recall"] >= 0.95 and ours["passed"] >= 0.90
    run = lucene_searcher()
    if run is None:
        pytest.skip("Lucene is not available to compare with")
    lucene = score({q: run(q) for q, _, _ in CASES})
    print(f"Lucene BengaliAnalyzer on the same set: {lucene}")
    assert ours["precision"] > lucene["precision"] and ours["recall"] > lucene["recall"]


def test_snippets_mark_the_inflected_forms_that_matched(runtime) -> None:
    with runtime.session() as session:
        add_episode(session, "marks", ["পাচারের শিকার নারীরা পাচারকারী চক্রের কথা বলেন, ফোন ০১৭১১২২৩৩৪৪"], language="bn")
    with runtime.session() as session:
        hit = search(session, "পাচার নারী", SearchFilters(scope="segments"), RESEARCHER).hits[0]
        exact = search(session, "=পাচারের", SearchFilters(scope="segments"), RESEARCHER).hits[0]
    assert hit.snippet.startswith("<mark>পাচারের</mark> শিকার <mark>নারীরা</mark> পাচারকারী")  # not পাচারকারী
    assert "[phone redacted]" in hit.snippet and "০১৭" not in hit.snippet  # on the masked text
    assert exact.snippet.startswith("<mark>পাচারের</mark>")
