"""Search index upkeep: filters follow episode edits, moved segments, document ids by episode, transcripts_0003.

SQLite checks filters against ``search_episode_facets`` (kept by triggers) and numbers documents by episode;
PostgreSQL reads the episode row itself. The tests that take ``runtime`` run on both and expect the same.
"""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from episodes.models import Episode
from radio.db import utcnow
from radio.errors import InvalidInput
from radio.migrate import alembic_config, upgrade
from tests.search_corpus import build_corpus
from transcripts.models import Segment
from transcripts.search import SearchFilters, Viewer, reindex, search
from transcripts.search_schema import DOC_BITS, DOC_MASK, sqlite_create

ADMIN = Viewer(restricted=True, unredacted=True)
PRODUCER = Viewer(restricted=False, unredacted=False)
PSA = {"helpline", "trafficking_en", "ep:psa"}


@pytest.fixture
def corpus(runtime):
    with runtime.session() as session:
        return build_corpus(session)


def hits(runtime, corpus, query, viewer=ADMIN, **filters):
    with runtime.read_session() as session:
        result = search(session, query, SearchFilters(**filters), viewer, limit=100)
    assert result.total == len(result.hits)
    names = corpus.names([h.segment_id for h in result.hits])
    episodes = {k for k, v in corpus.episodes.items() for h in result.hits if h.segment_id is None
                and h.episode_id == v}
    return names | {f"ep:{e}" for e in episodes}


def sqlite_only(runtime) -> None:
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's index only")


def test_filters_follow_episode_edits(runtime, corpus) -> None:
    assert hits(runtime, corpus, "broker*", language="bn") == set()
    with runtime.session() as session:
        psa = session.get(Episode, corpus.episodes["psa"])
        psa.language, psa.kind, psa.campaign = "bn", "talk", "safe-migration"
        psa.districts, psa.recorded_on = ["Sylhet", "Dhaka"], dt.date(2026, 2, 1)
    assert hits(runtime, corpus, "broker*", language="bn") == PSA
    assert hits(runtime, corpus, "broker*", kind="talk") == PSA
    assert hits(runtime, corpus, "broker*", district="SYLHET") == PSA
    assert hits(runtime, corpus, "broker*", district="Manikganj") == set()
    assert hits(runtime, corpus, "broker*", district="dhaka") == PSA | {"passport"}
    assert hits(runtime, corpus, "broker*", campaign="safe-migration") == PSA | {"passport"}
    assert hits(runtime, corpus, "broker*", date_from=dt.date(2026, 1, 15)) == PSA
    assert hits(runtime, corpus, "broker*", PRODUCER) == PSA
    with runtime.session() as session:
        psa = session.get(Episode, corpus.episodes["psa"])
        psa.restricted, psa.districts, psa.recorded_on = True, [], None  # no date: the upload date counts
    assert hits(runtime, corpus, "broker*", PRODUCER) == set()
    assert hits(runtime, corpus, "broker*", district="dhaka") == {"passport"}
    today = utcnow().date()
    assert hits(runtime, corpus, "broker*", date_from=today - dt.timedelta(days=1)) == PSA


def test_a_segment_moved_to_another_episode_is_found_there(runtime, corpus) -> None:
    with runtime.session() as session:
        segment = session.get(Segment, corpus.segments["helpline"])
        segment.episode_id, segment.text = corpus.episodes["callin"], "Call the helpline now."
    assert hits(runtime, corpus, "helpline", episode_id=corpus.episodes["callin"]) == {"helpline"}
    assert hits(runtime, corpus, "helpline", episode_id=corpus.episodes["psa"]) == set()
    assert hits(runtime, corpus, "helpline", language="bn") == {"helpline"}
    assert hits(runtime, corpus, "01812345678") == set()
    assert hits(runtime, corpus, "broker*", episode_id=corpus.episodes["psa"]) == {"trafficking_en", "ep:psa"}
    with runtime.read_session() as session:
        assert search(session, "helpline", SearchFilters(), ADMIN).hits[0].episode_id == corpus.episodes["callin"]


def test_control_characters_in_filters_are_refused(runtime, corpus) -> None:
    with pytest.raises(InvalidInput) as err, runtime.read_session() as session:
        search(session, "broker", SearchFilters(district="Dhaka\x1fManikganj"), ADMIN)
    assert err.value.details == {"parameter": "district"}


def test_a_page_past_the_end_still_counts(runtime, corpus) -> None:
    with runtime.read_session() as session:
        for query in ('"report brokers"', "broker*", "brokers"):
            past = search(session, query, SearchFilters(language="en"), ADMIN, offset=50)
            first = search(session, query, SearchFilters(language="en"), ADMIN)
            assert past.hits == [] and past.total == first.total == len(first.hits) > 0


def _documents(runtime) -> list[tuple[int, str | None, str]]:
    with runtime.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT r.doc_id, r.segment_id, f.episode_id FROM search_rows r"
            f" JOIN search_episode_facets f ON f.ep_no = r.doc_id >> {DOC_BITS} ORDER BY r.doc_id"))]


def test_documents_are_numbered_within_their_episode(runtime, corpus) -> None:
    sqlite_only(runtime)
    with runtime.engine.connect() as conn:
        segments = dict(conn.execute(text("SELECT id, episode_id FROM segments")).all())
    for rows in (_documents(runtime), None):
        if rows is None:
            with runtime.session() as session:
                assert reindex(session) == len(segments) + len(corpus.episodes)
            rows = _documents(runtime)
        assert len(rows) == len(segments) + len(corpus.episodes)
        assert {(seg, ep) for _, seg, ep in rows if seg} == set(segments.items())
        assert all((doc & DOC_MASK == 0) == (seg is None) for doc, seg, _ in rows)  # n = 0: the episode's own text


def test_an_episode_without_room_refuses_another_segment(runtime, corpus) -> None:
    sqlite_only(runtime)
    with runtime.session() as session:
        ep_no = session.execute(text("SELECT ep_no FROM search_episode_facets WHERE episode_id = :id"),
                                {"id": corpus.episodes["psa"]}).scalar_one()
        session.execute(text("INSERT INTO search_rows (doc_id, segment_id) VALUES (:d, NULL)"),
                        {"d": (ep_no << DOC_BITS) | DOC_MASK})
    with pytest.raises(DatabaseError, match="no document id"), runtime.session() as session:
        transcript_id = session.get(Segment, corpus.segments["helpline"]).transcript_id
        session.add(Segment(transcript_id=transcript_id, episode_id=corpus.episodes["psa"], idx=9, start=50.0,
                            end=55.0, text="one too many", machine_text="one too many", confidence=0.9))
        session.flush()
    assert hits(runtime, corpus, "many") == set()


def test_migration_0003_converts_an_existing_index(runtime, corpus) -> None:
    sqlite_only(runtime)
    before = {q: hits(runtime, corpus, q) for q in ("broker*", "পাচার", '"debt bondage"', "about")}
    config = alembic_config(runtime.engine)
    command.downgrade(config, "transcripts_0002")
    with runtime.engine.connect() as conn:  # the first index: dense document ids, episode ids in search_rows
        assert conn.execute(text("SELECT count(*) FROM search_rows WHERE episode_id IS NOT NULL")).scalar_one() == 15
        assert conn.execute(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'পাচার'")).scalar_one() == 1
        assert conn.execute(text("SELECT max(doc_id) FROM search_rows")).scalar_one() == 15
    upgrade(runtime.engine)
    assert {q: hits(runtime, corpus, q) for q in before} == before
    # transcripts_0004 cannot run the redaction rules: a segment that may hold a number (the helpline's) gets an
    # empty masked copy, so non-admins do not find it until the reindex computes the real copy.
    assert hits(runtime, corpus, "broker*", PRODUCER, district="dhaka") == PSA - {"helpline"}
    with runtime.session() as session:
        reindex(session)
    assert hits(runtime, corpus, "broker*", PRODUCER, district="dhaka") == PSA
    assert len(_documents(runtime)) == 15


def test_migration_0006_stores_the_vectors_of_an_existing_index(runtime, corpus) -> None:
    # PostgreSQL's index of transcripts_0002/0004 was over radio_search_document(...) expressions; transcripts_0006
    # adds the stored (generated) vector columns to the rows already there and indexes those: the same answers.
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's index only")
    queries = ("broker*", "পাচার", '"debt bondage"', "about", '"ঢাকায় দালাল"')
    before = {(q, v.unredacted): hits(runtime, corpus, q, v) for q in queries for v in (ADMIN, PRODUCER)}
    config = alembic_config(runtime.engine)
    columns = ("SELECT count(*) FROM information_schema.columns"
               " WHERE table_name IN ('segments', 'episodes') AND column_name LIKE 'search_vector%'")
    try:
        command.downgrade(config, "transcripts_0005")
        with runtime.engine.connect() as conn:
            assert conn.execute(text(columns)).scalar_one() == 0
            indexdef = conn.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'search_segments_masked_gin'")).scalar_one()
            assert "radio_search_document" in indexdef
        with runtime.session() as session:  # written under the old triggers: in the vocabulary, found after
            transcript_id = session.get(Segment, corpus.segments["helpline"]).transcript_id
            session.add(Segment(transcript_id=transcript_id, episode_id=corpus.episodes["psa"], idx=7, start=40.0,
                                end=45.0, text="ঢাকায় দালাল এলো", machine_text="ঢাকায় দালাল এলো", confidence=0.9))
    finally:
        upgrade(runtime.engine)
    with runtime.engine.connect() as conn:
        assert conn.execute(text(columns)).scalar_one() == 4
        assert conn.execute(text("SELECT count(*) FROM segments WHERE search_vector IS NULL"
                                 " OR search_vector_masked IS NULL")).scalar_one() == 0
    after = {(q, v.unredacted): hits(runtime, corpus, q, v) for q in queries for v in (ADMIN, PRODUCER)}
    added = {key: found for key, found in after.items() if found != before[key]}
    assert set(added) == {('"ঢাকায় দালাল"', True), ('"ঢাকায় দালাল"', False)}  # the new segment, no other change
    assert all(len(found - before[key]) == 1 for key, found in added.items())
    with runtime.session() as session:  # the stored vectors follow an edit of the text (generated columns)
        segment = session.get(Segment, corpus.segments["helpline"])
        segment.text = "zebra crossing"
        segment.redacted_text = "zebra crossing"
    assert hits(runtime, corpus, '"zebra crossing"') == {"helpline"}
    assert hits(runtime, corpus, '"zebra crossing"', PRODUCER, district="dhaka") == {"helpline"}


def test_reindex_recomputes_the_stored_vectors_after_the_function_changed(runtime, corpus) -> None:
    # A generated column keeps the value it was written with: when radio_search_document is replaced without
    # rewriting the rows (as transcripts_0002's function once was), `radio search --reindex` recomputes them.
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's index only")
    before = hits(runtime, corpus, "broker*")
    with runtime.engine.begin() as conn:
        today = conn.execute(text("SELECT pg_get_functiondef('radio_search_document(text)'::regprocedure)")).scalar()
        conn.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION radio_search_document(doc text) RETURNS tsvector LANGUAGE sql IMMUTABLE"
            " STRICT PARALLEL SAFE AS $fn$ SELECT to_tsvector('simple'::regconfig, 'replaced ' || doc) $fn$")
    try:
        assert hits(runtime, corpus, "replaced") == set()  # the stored vectors are those of the old function
        with runtime.session() as session:
            reindex(session)
        assert len(hits(runtime, corpus, "replaced")) == len(_documents_of(runtime))
    finally:
        with runtime.engine.begin() as conn:
            conn.exec_driver_sql(today)
        with runtime.session() as session:
            reindex(session)
    assert hits(runtime, corpus, "replaced") == set() and hits(runtime, corpus, "broker*") == before


def _documents_of(runtime) -> list[str]:
    with runtime.engine.connect() as conn:
        return list(conn.execute(text("SELECT id FROM segments UNION ALL SELECT id FROM episodes")).scalars())


def test_every_trigger_of_the_index_exists_after_all_migrations(runtime) -> None:
    # A later SQLite batch migration that copies `episodes` or `segments` drops their triggers: it must
    # create them again (their SQL written out in that migration, as transcripts_0003 does), or the index
    # silently stops following the rows.
    sqlite_only(runtime)
    with runtime.engine.connect() as conn:
        found = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    expected = {s.split()[2] for s in sqlite_create() if s.startswith("CREATE TRIGGER")}
    assert len(expected) == 10 and expected <= found  # transcripts 7, the library 3
