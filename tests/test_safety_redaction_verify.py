"""`radio verify` checks redaction consistency: every stored masked copy (segments, episodes) is what today's
redaction gives for its text, and the masked search index hides what the copy hides (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from click.testing import CliRunner
from search_corpus import add_episode
from sqlalchemy import text

from radio.cli import main
from radio.integrity import verify_home
from radio.redaction import PHONE_MASK, redacted_or_none
from transcripts.search import refresh_masked_copies

NUMBER = "01711223344"
OTHER = "০১৮১২৩৪৫৬৭৮"


@pytest.fixture
def corpus(runtime) -> dict[str, str]:
    staged = runtime.store.stage(io.BytesIO(b"RIFF audio of the episode"))  # its media, so the rest verifies
    runtime.store.commit(staged)
    with runtime.session() as session:
        episode, segments = add_episode(session, f"হেল্পলাইন {NUMBER}", [
            f"please call me on {NUMBER} tonight", "the broker took my passport", f"আমার নম্বর {OTHER} ভাই",
            "write to rahima.begum@gmail.com soon"], language="en")
        episode.sha256 = staged.sha256
        return {"episode": episode.id, **{f"s{i}": s.id for i, s in enumerate(segments)}}


def _verify() -> tuple[int, str]:
    result = CliRunner().invoke(main, ["verify"], catch_exceptions=False)
    return result.exit_code, result.output


def test_a_clean_home_verifies_and_counts_the_masked_copies(runtime, corpus) -> None:
    with runtime.read_session() as session:
        stored = session.execute(text("SELECT redacted_text FROM segments WHERE id = :id"),
                                 {"id": corpus["s0"]}).scalar_one()
    assert stored == redacted_or_none(f"please call me on {NUMBER} tonight") and PHONE_MASK in stored
    code, output = _verify()
    assert code == 0, output
    assert "5 masked copies" in output  # four segments and the episode
    assert verify_home(runtime).redaction_rows_checked == 5


def test_a_tampered_masked_copy_is_named_by_verify(runtime, corpus) -> None:
    # Someone writes the segments' masked copies around the ORM (a raw UPDATE, a restored old dump …).
    with runtime.engine.begin() as conn:
        conn.execute(text("UPDATE segments SET redacted_text = text WHERE id IN (:a, :b)"),
                     {"a": corpus["s0"], "b": corpus["s2"]})
    code, output = _verify()
    first = min(corpus["s0"], corpus["s2"])
    assert code == 1
    assert f"ERROR redaction: segments row {first} — redacted_text differs" in output
    assert "(and 1 more rows of segments)" in output
    assert NUMBER not in output and OTHER not in output  # the report never shows the text it protects

    with runtime.session() as session:
        assert refresh_masked_copies(session) == 2
    code, output = _verify()
    if runtime.engine.dialect.name == "postgresql":  # the tampered copies' words reached the masked vocabulary
        assert code == 1 and f"segments row {first} — the masked search index holds a word" in output
        CliRunner().invoke(main, ["search", "--reindex"], catch_exceptions=False)
        code, output = _verify()
    assert code == 0, output


def test_a_copy_that_is_missing_or_stale_is_found(runtime, corpus) -> None:
    with runtime.engine.begin() as conn:  # a number added by raw SQL without its copy; an episode copy dropped
        conn.execute(text("UPDATE segments SET text = :t WHERE id = :id"),
                     {"t": f"the broker's number is {NUMBER}", "id": corpus["s1"]})
        conn.execute(text("UPDATE episodes SET redacted_document = NULL WHERE id = :id"), {"id": corpus["episode"]})
    code, output = _verify()
    assert code == 1
    assert f"segments row {corpus['s1']} — redacted_text differs" in output
    assert f"episodes row {corpus['episode']} — redacted_document differs" in output


def test_a_masked_index_that_holds_a_masked_number_is_found(runtime, corpus) -> None:
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's masked vectors are generated from the masked copy: they cannot hold anything else")
    # The masked FTS5 document of a segment gets the original text (columns untouched): a probe would find it.
    with runtime.engine.begin() as conn:
        doc = conn.execute(text("SELECT doc_id FROM search_rows WHERE segment_id = :id"),
                           {"id": corpus["s0"]}).scalar_one()
        conn.execute(text("INSERT INTO search_fts_masked(rowid, body) VALUES (:doc, :body)"),
                     {"doc": doc, "body": f"call me on {NUMBER}"})
    code, output = _verify()
    assert code == 1
    assert f"ERROR redaction: segments row {corpus['s0']} — the masked search index holds a word" in output
    assert NUMBER not in output
    CliRunner().invoke(main, ["search", "--reindex"], catch_exceptions=False)
    code, output = _verify()
    assert code == 0, output


def test_a_masked_vocabulary_that_holds_a_hidden_word_is_found(runtime, corpus, make_station) -> None:
    """PostgreSQL's masked vocabularies are kept by triggers: a word there that only an original text holds (here
    written around the triggers) would be a masked reader's candidate, so verify names the row that hides it."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's vocabularies are fts5vocab views of the masked FTS5 tables (the test above)")
    from schedule.models import InboundMessage

    station = make_station("radio-padma")
    with runtime.session() as session:
        message = InboundMessage(station_id=station.id, provider="json", provider_id="m-1", kind="sms",
                                 sender_hash="0" * 64, text="write to rahima.begum@gmail.com", local_day="2026-12-01",
                                 at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC), purpose="feedback")
        session.add(message)
        session.flush()
        message_id = message.id
    assert _verify()[0] == 0  # "rahima" is hidden in a segment and a message, and in no masked vocabulary
    with runtime.engine.begin() as conn:
        conn.execute(text("INSERT INTO search_terms_masked (term) VALUES (:n), ('rahima')"), {"n": NUMBER})
        conn.execute(text("INSERT INTO search_messages_terms_masked (term) VALUES ('begum')"))
    code, output = _verify()
    assert code == 1
    first = min(corpus["s0"], corpus["s3"])  # the number's segment and rahima's, then the episode, the message
    assert (f"ERROR redaction: segments row {first} — the masked search index holds a word this row's "
            "masked copy hides (and 3 more rows)") in output
    assert NUMBER not in output and "rahima" not in output
    with runtime.read_session() as session:
        from schedule.message_search import message_index_leaks

        assert message_index_leaks(session) == [f"inbound_messages row {message_id}"]
    CliRunner().invoke(main, ["search", "--reindex"], catch_exceptions=False)
    code, output = _verify()
    assert code == 0, output
