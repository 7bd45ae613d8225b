"""Bangla inflection for search, scored on the evaluation set (tests/bangla_search_eval.py) against exact forms."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable

import pytest

from tests.bangla_search_eval import CASES, SENTENCES
from tests.lucene_bengali import lucene_analyse, why_unavailable
from transcripts.bangla_inflection import base_forms, endings, expand_word, fits, inflected_forms, split_ending
from transcripts.search_text import index_terms, token_key

TOKENS = {sid: index_terms(text) for sid, text in SENTENCES.items()}
VOCABULARY = sorted({t for terms in TOKENS.values() for t in terms})
WORDS = set(VOCABULARY)


def vocabulary_from(prefix: str) -> list[str]:
    """Indexed words starting with ``prefix`` (a range scan, as the index's vocabulary gives it)."""
    lo = bisect.bisect_left(VOCABULARY, prefix)
    hi = bisect.bisect_left(VOCABULARY, prefix + "\U0010ffff")
    return VOCABULARY[lo:hi]


Expander = Callable[[str], set[str]]


def inflecting(word: str) -> set[str]:
    return expand_word(word, vocabulary_from, WORDS.__contains__)


def exact(word: str) -> set[str]:
    return {token_key(word)}


def search(query: str, expand: Expander, tokens: dict[str, list[str]] = TOKENS,
           analyse: Callable[[str], list[str]] = index_terms) -> set[str]:
    """Sentence ids matching every part of ``query``: words (expanded), ``=word`` and "phrases" exactly."""
    parts = re.findall(r'"([^"]+)"|(\S+)', query)
    hits = set(SENTENCES)
    for phrase, word in parts:
        if phrase:
            terms = analyse(phrase)
            hits &= {sid for sid, toks in tokens.items()
                     if any(toks[i:i + len(terms)] == terms for i in range(len(toks)))}
        elif word.startswith("=") and analyse is index_terms:
            hits &= {sid for sid, toks in tokens.items() if token_key(word[1:]) in toks}
        else:
            forms = expand(word.lstrip("="))
            if forms:  # a word the analyser drops (a stopword) is left out of the query, as Lucene does
                hits &= {sid for sid, toks in tokens.items() if forms & set(toks)}
    return hits


def lucene_searcher() -> Callable[[str], set[str]] | None:
    """Search the set as Elasticsearch's ``bengali`` analyzer would (both sides analysed), or None."""
    ids = list(SENTENCES)
    analysed = lucene_analyse([SENTENCES[i] for i in ids])
    if analysed is None:
        return None
    tokens = dict(zip(ids, analysed, strict=True))
    words = sorted({w for q, _, _ in CASES for w in re.findall(r'[^\s"]+', q)})
    word_tokens = dict(zip(words, lucene_analyse([w.lstrip("=") for w in words]) or [], strict=True))
    phrases = sorted({p for q, _, _ in CASES for p in re.findall(r'"([^"]+)"', q)})
    phrase_tokens = dict(zip(phrases, lucene_analyse(phrases) or [], strict=True))

    def run(query: str) -> set[str]:
        if not any(word_tokens.get(w) for w in re.findall(r'[^\s"]+', re.sub(r'"[^"]+"', "", query))) and \
                not re.search(r'"[^"]+"', query):
            return set()  # only stopwords: no hits
        return search(query, lambda w: set(word_tokens.get(w, word_tokens.get("=" + w, []))), tokens,
                      lambda p: phrase_tokens[p])

    return run


def score(expand: Expander | None = None, run: Callable[[str], set[str]] | None = None) -> dict[str, float]:
    """Micro precision and recall over every case, and the share of cases passed whole."""
    tp = fp = fn = passed = 0
    for query, must, must_not in CASES:
        found = run(query) if run is not None else search(query, expand or exact)
        tp += len(found & set(must))
        fn += len(set(must) - found)
        fp += len(found & set(must_not))
        passed += set(must) <= found and not found & set(must_not)
    return {"precision": tp / (tp + fp), "recall": tp / (tp + fn), "passed": passed / len(CASES)}


def failures(expand: Expander) -> list[str]:
    out = []
    for query, must, must_not in CASES:
        found = search(query, expand)
        missing, wrong = set(must) - found, found & set(must_not)
        if missing or wrong:
            out.append(f"{query}: missing {sorted(missing)} wrong {sorted(wrong)}")
    return out


def test_the_evaluation_set_is_big_enough_and_consistent() -> None:
    assert len(CASES) >= 150
    for query, must, must_not in CASES:
        assert not set(must) & set(must_not), query
        assert set(must) | set(must_not) <= set(SENTENCES), query


def test_inflection_beats_exact_forms_on_the_evaluation_set() -> None:
    ours, baseline = score(inflecting), score(exact)
    print(f"\nBangla evaluation set ({len(CASES)} cases): inflection-aware {ours}; exact forms {baseline}")
    for line in failures(inflecting):
        print("  miss:", line)
    # Floors for this set (measured 2026-12-02: see the issue note); exact forms pass about a quarter.
    assert ours["precision"] >= 0.98 and ours["recall"] >= 0.95 and ours["passed"] >= 0.90
    assert ours["passed"] > baseline["passed"] + 0.4


def test_inflection_beats_lucene_bengali_analyzer() -> None:
    run = lucene_searcher()
    if run is None:
        pytest.skip(why_unavailable())
    ours, lucene = score(inflecting), score(run=run)
    print(f"\nBangla evaluation set: inflection-aware {ours}; Lucene BengaliAnalyzer {lucene}")
    assert ours["precision"] > lucene["precision"] and ours["recall"] > lucene["recall"]


@pytest.mark.parametrize(("stem", "form"), [
    ("দালাল", "দালালের"), ("দালাল", "দালালরা"), ("দালাল", "দালালেরা"), ("দালাল", "দালালদের"), ("দালাল", "দালালকে"),
    ("দালাল", "দালালকেই"), ("চাকরি", "চাকরির"), ("চাকরি", "চাকরিতে"), ("চাকরি", "চাকরিটা"), ("মানিকগঞ্জ", "মানিকগঞ্জে"),
    ("মানিকগঞ্জ", "মানিকগঞ্জের"), ("ঢাকা", "ঢাকায়"), ("ঢাকা", "ঢাকার"), ("পাচার", "পাচারের"), ("নারী", "নারীরা"),
    ("নারী", "নারীদের"), ("মা", "মায়ের"), ("মা", "মায়েরা"), ("ভাই", "ভাইয়ের"), ("গ্রাম", "গ্রামগুলোতে"),
    ("এজেন্সি", "এজেন্সিগুলোর"), ("শিশু", "শিশুটিকে"), ("কাজ", "কাজটা"), ("পাসপোর্ট", "পাসপোর্টটি"),
])
def test_forms_of_a_word(stem: str, form: str) -> None:
    assert split_ending(token_key(form), token_key(stem)) is not None


@pytest.mark.parametrize(("stem", "other"), [
    ("চাকর", "চাকরি"), ("চাকর", "চাকরির"), ("চাকা", "চাকর"), ("ভার", "ভারত"), ("ভার", "ভারতে"), ("ভার", "ভারী"),
    ("মা", "মাটি"), ("মা", "মাটির"), ("কাজ", "কাজী"), ("দালাল", "দালালি"), ("দেশ", "দেশি"), ("বিদেশ", "বিদেশি"),
    ("পাচার", "পাচারকারী"), ("চুক্তি", "চুক্তিপত্র"), ("ঢাক", "ঢাকা"), ("নার", "নারী"),
])
def test_different_words_sharing_a_beginning_stay_apart(stem: str, other: str) -> None:
    assert split_ending(token_key(other), token_key(stem)) is None


def test_an_inflected_query_word_goes_back_to_its_base() -> None:
    assert base_forms(token_key("দালালের"), WORDS.__contains__, vocabulary_from) == [token_key("দালাল")] or \
        token_key("দালাল") in base_forms(token_key("দালালের"), WORDS.__contains__, vocabulary_from)
    assert base_forms(token_key("ভারতে"), WORDS.__contains__, vocabulary_from)[0] == token_key("ভারত")
    assert base_forms(token_key("মাটির"), WORDS.__contains__, vocabulary_from) == [token_key("মাটি")]
    assert base_forms(token_key("চাকরি"), WORDS.__contains__, vocabulary_from) == []


def test_endings_and_their_rules() -> None:
    all_endings: Iterable[str] = endings()
    assert token_key("গুলোর") in all_endings and token_key("দেরকে") in all_endings
    assert not fits(token_key("ভার"), token_key("তে")) and fits(token_key("চাকরি"), token_key("তে"))
    assert inflected_forms(token_key("চাকর"), vocabulary_from(token_key("চাকর"))) == {
        token_key("চাকর"), token_key("চাকরগুলো")}
    assert expand_word("Broker", vocabulary_from, WORDS.__contains__) == {"broker"}
