"""The library's ``q``: transcript search's words, query language and Bangla inflection, on SQLite and PostgreSQL.

Every test that takes ``runtime`` runs on both databases with the same expectations (the same hits).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from alembic import command
from sqlalchemy import delete, select

from episodes import services
from episodes.metadata import refresh_search_keys
from episodes.models import Episode
from radio.errors import InvalidInput
from radio.migrate import alembic_config

# name: (title, description, contributors, restricted)
LIBRARY = {
    "awareness": ("নারী পাচারের বিরুদ্ধে সচেতনতা", "গ্রামের মেয়েদের জন্য নাটক", ["রহিমা খাতুন"], False),
    "jobs": ("বিদেশে চাকরির প্রলোভন", "দালালরা মিথ্যা চাকরির কথা বলে টাকা নেয়", [], False),
    "servant": ("চাকর থেকে মালিক", "এক গৃহকর্মীর গল্প", [], False),
    "migration": ("মানিকগঞ্জে নিরাপদ অভিবাসন", "পাসপোর্ট ও ভিসা নিজে করুন", ["Karim Uddin"], False),
    "survivor": ("পাচার থেকে ফিরে আসা একজন নারীর কথা", "সাক্ষাৎকার", ["সালমা"], True),
    "border": ("ভারত সীমান্তে পাচার", "সীমান্তের গ্রামে দালালের ফাঁদ", [], False),
    "weight": ("ভার বহনের কাজ", "শ্রমিকদের অধিকার", [], False),
    "english": ("Safe migration talk", "Recruiters and fake visas, call 01711 223344", [], False),
}

# (query, the episodes an admin finds): inflected forms found, different words kept apart.
CASES = [
    ("পাচার", {"awareness", "survivor", "border"}),  # পাচারের in a title
    ("=পাচার", {"survivor", "border"}),  # the exact form only
    ("চাকরি", {"jobs"}),  # চাকরির
    ("চাকর", {"servant"}),  # not চাকরি
    ("=চাকর", {"servant"}),
    ("দালাল", {"jobs", "border"}),  # দালালরা, দালালের
    ("দালালের", {"jobs", "border"}),  # an inflected query word finds its base's forms
    ("মানিকগঞ্জ", {"migration"}),  # a place that only occurs inflected
    ("ভারত", {"border"}),
    ("ভার", {"weight"}),  # not ভারত
    ("নারী", {"awareness", "survivor"}),  # নারীর
    ('"নারী পাচারের"', {"awareness"}),
    ('"নারী পাচার"', set()),  # a phrase matches exact forms
    ("পাস*", {"migration"}),
    ("পাচার NOT ভারত", {"awareness", "survivor"}),
    ("পাচার -সীমান্তে", {"awareness", "survivor"}),
    ("চাকরি OR চাকর", {"jobs", "servant"}),
    ("রহিমা", {"awareness"}),  # a contributor
    ("সালমা", {"survivor"}),
    ("karim", {"migration"}),
    ("FAKE visas", {"english"}),
    ("০১৭১১", {"english"}),  # Bangla digits find Latin ones
    ("গ্রাম", {"awareness", "border"}),  # গ্রামের
    ("মিথ্যা চাকরি", {"jobs"}),
    ("100%", set()),
]


def _add(session: Any, name: str) -> Episode:
    title, description, contributors, restricted = LIBRARY[name]
    episode = Episode(title=title, description=description, contributors=contributors, restricted=restricted,
                      kind="interview" if restricted else "drama", consent="none" if restricted else "broadcast",
                      sha256=hashlib.sha256(name.encode()).hexdigest())
    refresh_search_keys(episode)
    session.add(episode)
    return episode


@pytest.fixture
def library(runtime: Any) -> dict[str, str]:
    with runtime.session() as session:
        episodes = {name: _add(session, name) for name in LIBRARY}
        session.flush()
        return {name: e.id for name, e in episodes.items()}


def found(runtime: Any, library: dict[str, str], q: str, role: str = "admin") -> set[str]:
    names = {v: k for k, v in library.items()}
    with runtime.session() as session:
        page = services.list_episodes(session, q=q, per_page=100, viewer_role=role)
    assert page.total == len(page.items)
    return {names[e.id] for e in page.items}


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_same_hits_on_both_databases(runtime, library, query, expected) -> None:
    assert found(runtime, library, query) == expected


def test_restricted_episodes_stay_as_visible_as_in_the_listing(runtime, library) -> None:
    # The listing hides restricted episodes from stations only (radio.access.hides_restricted); search too.
    for role in ("researcher", "producer"):
        assert found(runtime, library, "পাচার", role) == {"awareness", "survivor", "border"}
    assert found(runtime, library, "পাচার", "station") == {"awareness", "border"}
    assert found(runtime, library, "সালমা", "station") == set()  # a restricted episode's contributor
    assert found(runtime, library, "সাক্ষাৎকার", "station") == set()


@pytest.mark.parametrize(("query", "code"), [
    ("NOT পাচার", "bad_query"), ("()", "empty_query"), ("পাচার OR", "bad_query"),
    (" ".join(f"w{i}" for i in range(40)), "too_many_terms"), ("ক" * 80, "term_too_long"),
    ("(" * 20 + "পাচার", "query_too_deep"),
])
def test_bad_queries_are_invalid_input_naming_q(runtime, library, query, code) -> None:
    with runtime.session() as session, pytest.raises(InvalidInput) as caught:
        services.list_episodes(session, q=query, viewer_role="admin")
    assert caught.value.code == code and caught.value.details["field"] == "q"


def test_the_index_follows_create_update_and_delete(runtime, library) -> None:
    with runtime.session() as session:
        services.update_episode(session, library["weight"], {"title": "দালালদের হাত থেকে বাঁচুন"})
        assert found_in(session, "দালাল") == {library["jobs"], library["border"], library["weight"]}
        assert found_in(session, "ভার") == set()
        session.execute(delete(Episode).where(Episode.id == library["border"]))
        assert found_in(session, "দালাল") == {library["jobs"], library["weight"]}
        episode = _add(session, "border")
        session.flush()
        assert episode.id in found_in(session, "সীমান্ত")


def found_in(session: Any, q: str) -> set[str]:
    return {e.id for e in services.list_episodes(session, q=q, per_page=100, viewer_role="admin").items}


def test_the_migration_builds_the_index_for_existing_rows(runtime, library) -> None:
    config = alembic_config(runtime.engine)
    command.downgrade(config, "episodes_0004")
    with runtime.session() as session:
        assert session.scalar(select(Episode.id).where(Episode.id == library["jobs"]))
    command.upgrade(config, "heads")
    assert found(runtime, library, "চাকরি") == {"jobs"}
    assert found(runtime, library, "দালাল") == {"jobs", "border"}


def test_reindex_rebuilds_the_library_index(runtime, library) -> None:
    from transcripts.search import reindex

    with runtime.session() as session:
        reindex(session)
    assert found(runtime, library, "পাচার") == {"awareness", "survivor", "border"}


def test_the_api_answers_a_bad_query_with_a_400_naming_q(api_as, runtime, library) -> None:
    producer, station = api_as("producer"), api_as("station")
    assert producer.get("/api/v1/episodes", query_string={"q": "পাচার"}).get_json()["total"] == 3
    assert station.get("/api/v1/episodes", query_string={"q": "পাচার"}).get_json()["total"] == 2
    response = producer.get("/api/v1/episodes", query_string={"q": "NOT পাচার"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_query" and error["field"] == "q"


def test_postgres_answers_from_the_gin_indexes(runtime, library) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    from sqlalchemy import text

    from schedule.message_search import MESSAGES
    from transcripts.library_index import LIBRARY

    for index, masked, name in ((LIBRARY, False, "search_library_gin"), (MESSAGES, True, "search_messages_masked_gin"),
                                (MESSAGES, False, "search_messages_gin")):
        with runtime.session() as session:
            statement = index.matches(session, "পাচার OR দালাল", masked=masked)
            sql = str(statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {sql}")))
        assert name in plan, plan
