"""Search: Bangla words kept whole, NFC and digits, the query language, filters, ranking, index upkeep.

Every test that takes ``runtime`` runs on SQLite and on PostgreSQL with the same expectations, which is
how "the same queries give the same hits on both backends" is checked.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from radio.errors import Forbidden, InvalidInput
from tests.search_corpus import DD_DECOMPOSED, DD_PRECOMPOSED, add_episode, build_corpus
from transcripts.models import Segment, Transcript
from transcripts.query import QueryError, expand, parse_query, to_fts5, to_tsquery
from transcripts.search import SearchFilters, Viewer, reindex, search
from transcripts.search_schema import TOKENIZER
from transcripts.search_text import BANGLA_DIGITS, SQL_REPLACEMENTS, index_terms, normalise

ADMIN = Viewer(restricted=True, unredacted=True)
RESEARCHER = Viewer(restricted=True, unredacted=False)
PRODUCER = Viewer(restricted=False, unredacted=False)


@pytest.fixture
def corpus(runtime):
    with runtime.session() as session:
        return build_corpus(session)


def hits(runtime, corpus, query, viewer=ADMIN, **filters):
    with runtime.session() as session:
        result = search(session, query, SearchFilters(**filters), viewer, limit=100)
    assert result.total == len(result.hits)
    names = corpus.names([h.segment_id for h in result.hits])
    episodes = {k for k, v in corpus.episodes.items() for h in result.hits if h.segment_id is None
                and h.episode_id == v}
    return names | {f"ep:{e}" for e in episodes}


# --- the tokenizer --------------------------------------------------------------------------------------------

def _fts_matches(tokenizer: str | None, rows: list[str], query: str) -> list[str]:
    db = sqlite3.connect(":memory:")
    options = f", tokenize=\"{tokenizer}\"" if tokenizer else ""
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(body{options})")
    db.executemany("INSERT INTO t(body) VALUES (?)", [(r,) for r in rows])
    return [r[0] for r in db.execute("SELECT body FROM t WHERE t MATCH ? ORDER BY rowid", (f'"{query}"',))]


@pytest.mark.parametrize(("query", "word", "lookalike"), [("পাচার", "পাচার", "পোচোর"), ("চাকরি", "চাকরি", "চাকর")])
def test_default_unicode61_breaks_bangla_words_and_ours_does_not(query, word, lookalike) -> None:
    rows = [word, lookalike]
    # Default unicode61 drops vowel signs (Mc/Mn) as separators: পাচার → প চ র, the same letters as পোচোর.
    assert _fts_matches(None, rows, query) == [word, lookalike]
    assert _fts_matches(TOKENIZER, rows, query) == [word]


def test_sql_normalisation_equals_nfc_on_the_bengali_block() -> None:
    def sql_like(s: str) -> str:
        for old, new in SQL_REPLACEMENTS:
            s = s.replace(old, new)
        return s

    samples = [chr(c) for c in range(0x0980, 0x0A00)]
    samples += [a + b for a in ("\u09c7", "\u09a1", "\u09a2", "\u09af") for b in ("\u09be", "\u09d7", "\u09bc")]
    for sample in samples:
        assert sql_like(sample) == normalise(sample), sample
        assert unicodedata.is_normalized("NFC", normalise(sample))


def test_python_terms_equal_the_fts5_tokens() -> None:
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(body, tokenize=\"{TOKENIZER}\")")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    sample = normalise("সন্ত্রাস চাকরি। পাচার-কারী foo@bar.com ৫০০ টাকা বা\u09dcি Don't ÉTÉ র\u200d্যাব 3.5kg")
    db.execute("INSERT INTO t(body) VALUES (?)", (sample,))
    fts_terms = [r[0] for r in db.execute("SELECT term FROM v ORDER BY offset")]
    assert fts_terms == index_terms(sample)


def test_postgres_document_terms_equal_python_terms(runtime) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    sample = "সন্ত্রাস চাকরি। পাচার-কারী foo@bar.com ৫০০ টাকা বা\u09dcি Don't ÉTÉ র\u200d্যাব 3.5kg"
    with runtime.engine.connect() as conn:
        normalised = conn.execute(text("SELECT radio_search_text(:t)"), {"t": sample}).scalar_one()
    assert normalised.split() == index_terms(sample)


# --- the same hits on both databases -----------------------------------------------------------------------------

CASES = [
    ("পাচার", {"trafficked"}),  # not পোচোর
    ("চাকরি", {"broker_job", "ep:callin"}),  # চাকরির in the call-in's title; not চাকর
    ("=চাকরি", {"broker_job"}),  # the exact form only
    ('"চাকরি"', {"broker_job"}),  # a quoted word is an exact form too
    ("চাকরির", {"broker_job", "ep:callin"}),  # an inflected word finds its base's forms
    ("চাকর", {"servant"}),
    (f"বা{DD_DECOMPOSED}ি", {"home_pre", "home_dec"}),  # ড় stored as U+09DC and as U+09A1 U+09BC
    (f"বা{DD_PRECOMPOSED}ি", {"home_pre", "home_dec"}),
    ("2023", {"year"}),  # stored in Bangla digits
    ("০১৮১২৩৪৫৬৭৮", {"helpline"}),  # stored in Latin digits
    ("০১৭১২-৩৪৫৬৭৮", {"phone_bn"}),
    ('"debt bondage"', {"bondage"}),
    ('"bondage debt"', set()),
    ('"বিদেশে ভালো চাকরি"', {"broker_job"}),
    ("broker*", {"passport", "helpline", "trafficking_en", "ep:psa"}),
    ("বিদেশ*", {"broker_job", "ep:callin"}),
    ("debt OR passport", {"bondage", "passport"}),
    ("trafficking NOT crime", {"ep:psa"}),
    ("trafficking -crime", {"ep:psa"}),
    ("(debt OR passport) broker", {"passport"}),
    ("DEBT", {"bondage"}),
    ("safe migration", {"ep:psa"}),
    ('"unclosed phrase', set()),
    ("brick:kiln", {"bondage"}),  # FTS column syntax is just punctuation
    ('pass^port NEAR("x")', set()),
    ("টাকা", {"trafficked"}),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[c[0] for c in CASES])
def test_same_hits_on_both_databases(runtime, corpus, query, expected) -> None:
    assert hits(runtime, corpus, query) == expected


def test_ranking_prefers_more_occurrences(runtime) -> None:
    with runtime.session() as session:
        _, segments = add_episode(session, "ranking", [
            "debt once in a longer sentence about other things entirely",
            "debt debt debt",
        ], language="en", kind="talk")
        result = search(session, "debt", SearchFilters(), ADMIN)
    assert [h.segment_id for h in result.hits] == [segments[1].id, segments[0].id]
    assert result.hits[0].score > result.hits[1].score


def test_pagination_and_total(runtime) -> None:
    with runtime.session() as session:
        add_episode(session, "many", [f"kiln worker number {i}" for i in range(25)], language="en", kind="talk")
        first = search(session, "kiln", SearchFilters(), ADMIN, limit=10)
        third = search(session, "kiln", SearchFilters(), ADMIN, limit=10, offset=20)
        everything = search(session, "kiln", SearchFilters(), ADMIN, limit=100)
    assert first.total == third.total == 25
    assert len(first.hits) == 10 and len(third.hits) == 5
    assert [h.segment_id for h in first.hits + third.hits] == [
        h.segment_id for h in everything.hits[:10] + everything.hits[20:]]


# --- filters -----------------------------------------------------------------------------------------------------

def test_filters(runtime, corpus) -> None:
    assert hits(runtime, corpus, "broker*", language="en", scope="segments") == {
        "passport", "helpline", "trafficking_en"}
    assert hits(runtime, corpus, "broker*", kind="interview") == {"passport"}
    assert hits(runtime, corpus, "broker*", district="dhaka") == {"passport", "helpline", "trafficking_en", "ep:psa"}
    assert hits(runtime, corpus, "broker*", district="Manikganj", scope="episodes") == {"ep:psa"}
    assert hits(runtime, corpus, "broker*", campaign="safe-migration") == {"passport"}
    assert hits(runtime, corpus, "broker*", date_from=dt.date(2025, 10, 1)) == {"passport"}
    assert hits(runtime, corpus, "broker*", date_to=dt.date(2025, 10, 1)) == {"helpline", "trafficking_en", "ep:psa"}
    assert hits(runtime, corpus, "broker*", episode_id=corpus.episodes["psa"]) == {
        "helpline", "trafficking_en", "ep:psa"}


def test_station_filter(runtime, corpus, make_station) -> None:
    from schedule.models import Broadcast

    make_station("radio-meghna")
    with runtime.session() as session:
        from schedule.models import Station

        station = session.scalar(select(Station).where(Station.slug == "radio-meghna"))
        session.add(Broadcast(station_id=station.id, episode_id=corpus.episodes["psa"], tzid="Asia/Dhaka",
                              local_start="2026-03-01T20:00:00", starts_at=dt.datetime(2026, 3, 1, 14, tzinfo=dt.UTC),
                              duration_s=60.0))
    assert hits(runtime, corpus, "broker*", station="radio-meghna") == {"helpline", "trafficking_en", "ep:psa"}
    with pytest.raises(InvalidInput) as err, runtime.session() as session:
        search(session, "broker", SearchFilters(station="nowhere"), ADMIN)
    assert err.value.code == "unknown_station"


def test_bad_filters_are_invalid_input(runtime, corpus) -> None:
    for filters in (SearchFilters(language="fr"), SearchFilters(kind="opera"), SearchFilters(scope="x"),
                    SearchFilters(date_from=dt.date(2026, 1, 2), date_to=dt.date(2026, 1, 1))):
        with pytest.raises(InvalidInput), runtime.session() as session:
            search(session, "broker", filters, ADMIN)


# --- who sees what -----------------------------------------------------------------------------------------------

def test_restricted_episodes_only_for_researchers_and_admins(runtime, corpus) -> None:
    assert "passport" in hits(runtime, corpus, "passport", RESEARCHER)
    assert hits(runtime, corpus, "passport", PRODUCER) == set()
    assert hits(runtime, corpus, "broker*", PRODUCER) == {"helpline", "trafficking_en", "ep:psa"}


def test_snippets_are_redacted_escaped_and_marked(runtime, corpus) -> None:
    with runtime.session() as session:
        researcher = search(session, "help", SearchFilters(), RESEARCHER).hits[0]
        admin = search(session, "help", SearchFilters(), ADMIN).hits[0]
        title_hit = search(session, "about", SearchFilters(), RESEARCHER).hits[0]
    assert researcher.snippet == "Call [phone redacted] for <mark>help</mark> with brokers."
    assert admin.snippet == "Call 01812345678 for <mark>help</mark> with brokers."
    assert researcher.link == f"/episodes/{researcher.episode_id}?t=0"
    assert "&lt;script&gt;" in title_hit.snippet and "<script>" not in title_hit.snippet
    assert "&amp; brokers" in title_hit.snippet and "01912345678" not in title_hit.snippet
    assert title_hit.segment_id is None


def test_phone_numbers_are_found_only_by_admins_and_other_numbers_by_everyone(runtime, corpus) -> None:
    for query in ("01812345678", "০১৭১২-৩৪৫৬৭৮", "018*", '"017 1234 5678"'):
        assert hits(runtime, corpus, query, RESEARCHER) == set(), query  # the masked text holds no number
        assert bool(hits(runtime, corpus, query, ADMIN)) is (query != '"017 1234 5678"'), query
    # A number that is no phone number (a year) is in the masked text too: no need to refuse digits any more.
    assert hits(runtime, corpus, "2023", RESEARCHER) == hits(runtime, corpus, "2023", ADMIN) == {"year"}


def test_station_role_may_not_search() -> None:
    from radio.models import User

    with pytest.raises(Forbidden):
        Viewer.for_user(User(email="s@example.org", role="station"))


# --- index upkeep ------------------------------------------------------------------------------------------------

def test_index_follows_writes_in_the_same_transaction(runtime, corpus) -> None:
    with runtime.session() as session:
        segment = session.get(Segment, corpus.segments["passport"])
        segment.text = "The agent kept my documents."
        session.flush()
        assert hits_in(session, "passport") == 0  # the correction is searchable before commit
        assert hits_in(session, "documents") == 1
        session.rollback()
        assert hits_in(session, "passport") == 1  # and a rollback takes it back
        assert hits_in(session, "documents") == 0
    with runtime.session() as session:
        session.get(Segment, corpus.segments["passport"]).text = "The agent kept my documents."
    assert hits(runtime, corpus, "documents") == {"passport"}
    assert hits(runtime, corpus, "passport") == set()


def hits_in(session, query) -> int:
    return search(session, query, SearchFilters(), ADMIN).total


def test_deleting_a_transcript_or_episode_removes_its_hits(runtime, corpus) -> None:
    from episodes.models import Episode

    with runtime.session() as session:
        transcript = session.scalar(select(Transcript).where(Transcript.episode_id == corpus.episodes["interview"]))
        session.delete(transcript)
    assert hits(runtime, corpus, "passport") == set()
    with runtime.session() as session:
        episode = session.get(Episode, corpus.episodes["psa"])
        episode.title = "Renamed kiln bulletin"
    assert hits(runtime, corpus, "bulletin") == {"ep:psa"}
    assert hits(runtime, corpus, "script") == set()
    with runtime.session() as session:
        session.delete(session.get(Episode, corpus.episodes["psa"]))
    assert hits(runtime, corpus, "broker*") == set()


def test_reindex_rebuilds(runtime, corpus) -> None:
    if runtime.engine.dialect.name == "sqlite":
        with runtime.session() as session:  # lose the index
            session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('delete-all')"))
            session.execute(text("DELETE FROM search_rows"))
        assert hits(runtime, corpus, "পাচার") == set()
    with runtime.session() as session:
        assert reindex(session) == 12 + 3  # segments + episodes
    assert hits(runtime, corpus, "পাচার") == {"trafficked"}
    assert hits(runtime, corpus, "broker*") == {"passport", "helpline", "trafficking_en", "ep:psa"}


def test_postgres_uses_the_gin_index(runtime, corpus) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with runtime.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(r[0] for r in conn.execute(text(
            "EXPLAIN SELECT id FROM segments WHERE search_vector @@ to_tsquery('simple', 'x')")))
    assert "search_segments_gin" in plan


@pytest.mark.parametrize("viewer", [ADMIN, PRODUCER], ids=["admin", "masked"])
def test_postgres_phrase_recheck_reads_the_stored_vectors(runtime, corpus, viewer) -> None:
    # A GIN match of a phrase is lossy: each candidate row is rechecked. The recheck (and the rank) must read
    # the stored vector of the reader's text, never recompute radio_search_document() of the row (issue 14).
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    from transcripts.search_backends import PostgresSearch

    with runtime.read_session() as session:
        node = parse_query('"debt bondage"')
        matches = PostgresSearch().matches(session, node, SearchFilters(), restricted=viewer.restricted,
                                           masked=not viewer.unredacted)
        session.execute(text("SET LOCAL enable_seqscan = off"))
        union = " UNION ALL ".join(f"{part.sql} AND TRUE" for part in matches.parts)
        plan = "\n".join(session.execute(text(f"EXPLAIN (VERBOSE) {union}"), matches.params).scalars())
        column = "search_vector_masked" if not viewer.unredacted else "search_vector @@"
        assert "radio_search_document" not in plan and column in plan and "_gin" in plan, plan
        assert "radio_search_document" not in matches.score
        # Planned for its own words, never with a generic plan of a prepared statement (a common word's is 3-4x).
        assert session.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"


def test_bangla_digits_all_map(runtime) -> None:
    assert normalise(BANGLA_DIGITS) == "0123456789"


PARITY_DOCS = [
    "দালাল বলেছিল বিদেশে ভালো চাকরি আছে।", "সে আমাকে পাচার করেছে, তারপর টাকা চেয়েছে।", "পোচোর কথা",
    "চাকর হিসেবে কাজ", f"বা{DD_PRECOMPOSED}ি ফিরতে চাই", f"বা{DD_DECOMPOSED}ি যাব", "২০২৩ সালে ঢাকায়",
    "The broker took my passport.", "Debt bondage in the brick-kiln; DEBT grew.", "call 017-1234 now",
    "e-mail: a.b@c.org (urgent!)", "র\u200d্যাব এসেছিল", "ঘুষ-দালাল চক্র", "don't go abroad", "50% টাকা ফেরত",
]
PARITY_DOCS += ["দালালের হাতে পাসপোর্ট", "দালালরা চাকরির কথা বলে", "ঢাকার পথে", "চাকরিতে যাওয়ার আগে"]
PARITY_VOCABULARY = sorted({w for d in PARITY_DOCS for w in index_terms(d)})
PARITY_WORDS = PARITY_VOCABULARY + ["দাল", "bro", "missing", "=দালাল", "=চাকরি", "চাকরিটা", "ঢাকা"]


def parity_vocabulary(prefix: str) -> list[str]:
    return [w for w in PARITY_VOCABULARY if w.startswith(prefix)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(PARITY_WORDS) | st.sampled_from(['"', "*", " OR ", " NOT ", "(", ")", "-"]),
                      min_size=1, max_size=8))
def test_fuzz_sqlite_and_postgres_agree(runtime, parts) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("compares against PostgreSQL")
    query = " ".join(parts)
    try:
        node = expand(parse_query(query), parity_vocabulary)  # inflected forms as the search expands them
    except QueryError:
        return
    lite = sqlite3.connect(":memory:")
    lite.execute(f"CREATE VIRTUAL TABLE t USING fts5(body, tokenize=\"{TOKENIZER}\")")
    lite.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)",
                     [(i, normalise(d)) for i, d in enumerate(PARITY_DOCS, 1)])
    in_sqlite = {r[0] for r in lite.execute("SELECT rowid FROM t WHERE t MATCH ?", (to_fts5(node),))}
    with runtime.engine.connect() as conn:
        in_postgres = set(conn.execute(text(
            "SELECT i FROM unnest(CAST(:docs AS text[])) WITH ORDINALITY AS d(doc, i)"
            " WHERE radio_search_document(doc) @@ to_tsquery('simple', :q)"),
            {"docs": PARITY_DOCS, "q": to_tsquery(node)}).scalars())
    assert in_sqlite == in_postgres, (query, to_fts5(node), to_tsquery(node))
