"""A masked reader's word expansion cannot depend on hidden content (issue 12, the vocabulary side channel).

A plain Bangla query word is expanded into its indexed forms, taken from the index's vocabulary with a range scan
cut at ``VOCABULARY_LIMIT`` words in term order. Every reader but an admin must expand from the masked texts'
words only: a word that only an original text holds (inside a masked e-mail address or phone number) must never
be a candidate, nor push real masked forms out of the cut. SQLite has kept a vocabulary per variant from the
start; PostgreSQL keeps ``search_terms_masked`` (transcripts_0005) and ``search_messages_terms_masked``
(schedule_0010).

Restricted episodes' words stay in the vocabulary (researchers and admins search them), so for a producer or a
station the vocabulary only proposes candidates: whether a base is a word, a stem's forms, what survives the
``MAX_FORMS`` cut and the forms of a stem whose range was cut are decided on words a text the reader may search
holds (``attested``). Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from search_corpus import add_episode
from sqlalchemy import select

import transcripts.query
from transcripts.search import reindex
from transcripts.search_backends import backend_for

STEM = "ঠিকাদার"  # "contractor"; a stem no other test indexes
VISIBLE = f"{STEM}ের সাথে কথা হয়েছিল"  # ঠিকাদারের: the form a masked reader must keep finding
# Spoken e-mail addresses whose local parts are continuations of the stem sorting before ঠিকাদারের (ক … ঠ < ে):
# the whole address is masked, so these words exist in the original texts only.
HIDDEN = [f"{STEM}{a}{b}" for a in "কখগ" for b in "কখগঘচ"]
LIMIT = 8  # below len(HIDDEN): the hidden words alone fill a cut list
NUMBER = "01711223344"


def _hidden_texts() -> list[str]:
    return [f"লিখুন {word} অ্যাট জিমেইল ডট কম" for word in HIDDEN]


def _assert_masked(session: Any, model: Any) -> None:
    """The test's premise: the masked copies hold none of the hidden words (the redaction masks the addresses)."""
    copies = session.scalars(select(model.redacted_text).where(model.text.like("লিখুন %"))).all()
    assert len(copies) == len(HIDDEN) and all(copy and STEM not in copy for copy in copies), copies


def test_a_masked_vocabulary_holds_no_word_of_the_original_texts_only(runtime) -> None:
    from transcripts.models import Segment

    with runtime.session() as session:
        add_episode(session, f"হেল্পলাইন {NUMBER}", [VISIBLE, f"please call {NUMBER} tonight", *_hidden_texts()],
                    language="bn")
        _assert_masked(session, Segment)
    for step in ("written", "corrected", "reindexed"):
        with runtime.session() as session:
            if step == "corrected":  # a correction that adds a number and a hidden address
                segment = session.scalars(select(Segment).where(Segment.text.like("please call%"))).one()
                segment.text = f"ring 01999887766 or {_hidden_texts()[0]}"
            elif step == "reindexed":
                reindex(session)
            backend = backend_for(session)
            masked = backend.vocabulary(session, STEM, masked=True)
            assert masked == [f"{STEM}ের"], (step, masked)
            for prefix in ("0171", "0199", "017", "01"):
                assert backend.vocabulary(session, prefix, masked=True) == [], (step, prefix)
            # Admins search the text as written: the full list of its words.
            assert set(HIDDEN) <= set(backend.vocabulary(session, STEM, masked=False)), step
            assert NUMBER in backend.vocabulary(session, "0171", masked=False), step


def _search(api_as: Callable[..., Any], role: str, q: str) -> tuple[int, list[str]]:
    body = api_as(role).get("/api/v1/search", query_string={"q": q, "limit": 50}).get_json()
    return body["total"], sorted(hit["segment_id"] or f"episode {hit['episode_id']}" for hit in body["hits"])


@pytest.mark.parametrize("role", ["producer", "researcher"])
def test_hidden_words_do_not_change_a_masked_readers_expansion(runtime, api_as, monkeypatch, role) -> None:
    """The side channel: with more original-only continuations of a stem than the cut, a masked reader's answer
    for the word is the one it gets when those hidden words are absent (on PostgreSQL before transcripts_0005 the
    hidden words filled the cut list and the answer dropped to nothing)."""
    from transcripts.models import Segment

    monkeypatch.setattr(transcripts.query, "VOCABULARY_LIMIT", LIMIT)
    with runtime.session() as session:
        _, (visible,) = add_episode(session, "গল্প", [VISIBLE], language="bn")
        visible_id = visible.id
    absent = _search(api_as, role, STEM)
    assert absent == (1, [visible_id])  # found through its inflected form
    with runtime.session() as session:
        add_episode(session, "ঠিকানা", _hidden_texts(), language="bn")
        _assert_masked(session, Segment)
        backend = backend_for(session)
        # The premise holds: the hidden words alone fill the cut list of the text as written …
        full = backend.vocabulary(session, STEM, masked=False)
        assert len(full) == LIMIT and set(full) <= set(HIDDEN)
    assert _search(api_as, role, STEM) == absent  # … and change nothing for a masked reader
    assert _search(api_as, role, f"{STEM}ের") == absent


def test_hidden_words_do_not_change_a_researchers_message_expansion(runtime, make_station, monkeypatch) -> None:
    from schedule.message_search import MESSAGES, message_matches
    from schedule.models import InboundMessage

    monkeypatch.setattr(transcripts.query, "VOCABULARY_LIMIT", LIMIT)
    station = make_station("radio-padma")
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

    def send(session: Any, texts: list[str]) -> list[str]:
        rows = [InboundMessage(station_id=station.id, provider="json", provider_id=f"m-{i}-{t[:4]}", kind="sms",
                               sender_hash="0" * 64, text=t, at=now, local_day="2026-12-01", purpose="feedback")
                for i, t in enumerate(texts)]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]

    def found(session: Any, q: str, *, masked: bool) -> list[str]:
        return sorted(session.execute(message_matches(session, q, masked=masked)).scalars())

    with runtime.session() as session:
        visible = send(session, [VISIBLE, f"ফোন {NUMBER}"])
        absent = found(session, STEM, masked=True)
        assert absent == visible[:1]
    with runtime.session() as session:
        send(session, _hidden_texts())
        _assert_masked(session, InboundMessage)
        assert found(session, STEM, masked=True) == absent
        assert STEM + "ের" in MESSAGES.vocabulary(session, STEM, masked=True)
        assert not set(HIDDEN) & set(MESSAGES.vocabulary(session, STEM, masked=True))
        assert MESSAGES.vocabulary(session, "0171", masked=True) == []
        full = MESSAGES.vocabulary(session, STEM, masked=False)
        assert len(full) == LIMIT and set(full) <= set(HIDDEN)  # the premise: the cut list is full of hidden words
        assert NUMBER in MESSAGES.vocabulary(session, "0171", masked=False)


# Restricted episodes: their words are in the vocabulary (researchers and admins search them), but a producer's
# or a station's expansion must be the one it gets when they are absent.
BOOK_SEEN = "বইগুলো টেবিলের উপর রাখা ছিল"  # বইগুলো: a form of বই ("book"), never বই itself
BOOK_HIDDEN = "বই পড়ার কথা বলেছিল"  # the bare base, only in a restricted episode


def test_a_base_attested_only_in_restricted_episodes_does_not_expand_a_producers_word(runtime, api_as) -> None:
    """বইয়ের's base বই (two letters: too short to be taken as a base unless it occurs as a word) is a word to
    whoever may read the restricted episode that holds it, and not to a producer: a producer's answer must not
    tell whether a restricted transcript says বই."""
    with runtime.session() as session:
        _, (seen,) = add_episode(session, "তাক", [BOOK_SEEN], language="bn")
        seen_id = seen.id
    before = {role: _search(api_as, role, "বইয়ের") for role in ("producer", "researcher")}
    assert before["producer"] == before["researcher"] == (0, [])
    with runtime.session() as session:
        _, (hidden,) = add_episode(session, "সাক্ষাৎকার", [BOOK_HIDDEN], language="bn", restricted=True)
        hidden_id = hidden.id
    assert _search(api_as, "producer", "বইয়ের") == before["producer"]
    assert _search(api_as, "researcher", "বইয়ের") == (2, sorted([seen_id, hidden_id]))  # it can: বই is a word


def test_restricted_forms_do_not_push_a_producers_forms_out_of_the_cuts(runtime, api_as, monkeypatch) -> None:
    """Forms held only by restricted episodes fill both cuts — the vocabulary range (``VOCABULARY_LIMIT``) and the
    forms one word stands for (``MAX_FORMS``, shortest first) — without dropping the form a producer can find."""
    monkeypatch.setattr(transcripts.query, "VOCABULARY_LIMIT", 3)
    monkeypatch.setattr(transcripts.query, "MAX_FORMS", 2)
    with runtime.session() as session:
        _, (seen,) = add_episode(session, "গল্প", [f"{STEM}ের সাথে দেখা"], language="bn")
        seen_id = seen.id
    absent = _search(api_as, "producer", STEM)
    assert absent == (1, [seen_id])
    with runtime.session() as session:
        # ও, কে, গুলো, রা sort before ের, and three of them are shorter
        add_episode(session, "সাক্ষাৎকার", [f"{STEM}ও", f"{STEM}কে", f"{STEM}গুলো", f"{STEM}রা"], language="bn",
                    restricted=True)
        full = backend_for(session).vocabulary(session, STEM, masked=True)
        assert len(full) == 3 and f"{STEM}ের" not in full  # the premise: the cut list holds restricted forms only
    assert _search(api_as, "producer", STEM) == absent
    total, _ = _search(api_as, "researcher", STEM)
    assert total == 1  # the researcher's two shortest forms: ঠিকাদার (no text) and the restricted ঠিকাদারও


def test_a_stations_library_query_ignores_restricted_titles(runtime, api_as) -> None:
    """The library's ``q`` as a station lists it: a restricted episode's title shapes nothing (it is never listed)."""
    from episodes.metadata import refresh_search_keys

    with runtime.session() as session:
        seen, _ = add_episode(session, "বইগুলো ফেরত দাও", [], language="bn")
        refresh_search_keys(seen)
        seen_id = seen.id
    station = api_as("station")

    def listed(q: str) -> list[str]:
        answer = station.get("/api/v1/episodes", query_string={"q": q})
        assert answer.status_code == 200, answer.get_json()
        return sorted(item["id"] for item in answer.get_json()["items"])

    assert listed("বইয়ের") == []
    with runtime.session() as session:
        hidden, _ = add_episode(session, "বই", [], language="bn", restricted=True)
        refresh_search_keys(hidden)
        hidden_id = hidden.id
    assert listed("বইয়ের") == []
    producer = api_as("producer").get("/api/v1/episodes", query_string={"q": "বইয়ের"}).get_json()
    assert sorted(item["id"] for item in producer["items"]) == sorted([seen_id, hidden_id])  # a producer lists both
