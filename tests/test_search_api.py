"""GET /api/v1/search: roles, response shape, bad input (never a 500), a Hypothesis fuzz, and `radio search`."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.search_corpus import build_corpus
from transcripts.query import QueryError, parse_query, to_fts5
from transcripts.search_schema import TOKENIZER


@pytest.fixture
def corpus(runtime):
    with runtime.session() as session:
        return build_corpus(session)


@pytest.fixture
def admin_client(api_as):
    return api_as("admin")


def test_search_response_shape(api_as, corpus) -> None:
    researcher = api_as("researcher")
    response = researcher.get("/api/v1/search", query_string={"q": "পাচার"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["total"] == 1
    hit = body["hits"][0]
    assert {"episode_id", "segment_id", "start", "end", "snippet", "score"} <= hit.keys()
    assert hit["segment_id"] == corpus.segments["trafficked"]
    assert hit["episode_id"] == corpus.episodes["callin"]
    assert (hit["start"], hit["end"]) == (5.0, 9.5)
    assert hit["snippet"] == "সে আমাকে <mark>পাচার</mark> করেছে, তারপর টাকা চেয়েছে।"
    assert hit["link"] == f"/episodes/{corpus.episodes['callin']}?t=5"


def test_roles(api_as, client, corpus) -> None:
    assert api_as("station").get("/api/v1/search?q=broker").status_code == 403
    assert client.get("/api/v1/search?q=broker").status_code == 401
    producer = api_as("producer").get("/api/v1/search?q=passport").get_json()
    assert producer["total"] == 0  # only in the restricted interview
    assert api_as("researcher").get("/api/v1/search?q=passport").get_json()["total"] == 1
    admin = api_as("admin").get("/api/v1/search?q=help").get_json()
    assert "01812345678" in admin["hits"][0]["snippet"]
    researcher = api_as("researcher").get("/api/v1/search?q=help").get_json()
    assert "01812345678" not in researcher["hits"][0]["snippet"]
    probe = api_as("researcher").get("/api/v1/search", query_string={"q": "০১৮১২৩৪৫৬৭৮"})
    assert probe.status_code == 200 and probe.get_json()["total"] == 0  # non-admins search the masked text


def test_filters_and_paging_parameters(api_as, corpus) -> None:
    researcher = api_as("researcher")
    body = researcher.get("/api/v1/search", query_string={
        "q": "broker*", "language": "en", "district": "Dhaka", "from": "2025-01-01", "to": "2025-12-31",
        "limit": 2}).get_json()
    assert body["total"] == 4 and len(body["hits"]) == 2
    page2 = researcher.get("/api/v1/search", query_string={
        "q": "broker*", "language": "en", "district": "Dhaka", "from": "2025-01-01", "to": "2025-12-31",
        "page": 2, "per_page": 2}).get_json()
    assert {h["segment_id"] for h in page2["hits"]}.isdisjoint({h["segment_id"] for h in body["hits"]})
    assert page2["total"] == 4


BAD = [
    ({"q": ""}, "empty_query"),
    ({}, "empty_query"),
    ({"q": "OR"}, "bad_query"),
    ({"q": "debt OR"}, "bad_query"),
    ({"q": "NOT debt"}, "bad_query"),
    ({"q": "AND"}, "bad_query"),
    ({"q": "x" * 10_000}, "query_too_long"),
    ({"q": "অ" * 100}, "term_too_long"),
    ({"q": "debt", "limit": "ten"}, "invalid_parameter"),
    ({"q": "debt", "limit": "0"}, "invalid_limit"),
    ({"q": "debt", "limit": "1000"}, "invalid_limit"),
    ({"q": "debt", "offset": "-1"}, "invalid_offset"),
    ({"q": "debt", "offset": "99999999999999999999999"}, "invalid_offset"),
    ({"q": "debt", "page": "99999999999999999999", "per_page": "20"}, "invalid_offset"),
    ({"q": "debt", "page": "0"}, "invalid_parameter"),
    ({"q": "debt", "from": "yesterday"}, "invalid_parameter"),
    ({"q": "debt", "from": "2026-02-01", "to": "2026-01-01"}, "invalid_date_range"),
    ({"q": "debt", "language": "fr"}, "invalid_language"),
    ({"q": "debt", "kind": "opera"}, "invalid_kind"),
    ({"q": "debt", "station": "nowhere"}, "unknown_station"),
    ({"q": "debt", "code": "no such code"}, "unknown_code"),
    ({"q": "debt", "district": "Dha\x00ka"}, "invalid_parameter"),
]


@pytest.mark.parametrize(("params", "code"), BAD, ids=[b[1] + str(i) for i, b in enumerate(BAD)])
def test_bad_input_is_a_clear_400(api_as, corpus, params, code) -> None:
    response = api_as("researcher").get("/api/v1/search", query_string=params)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]


@pytest.mark.parametrize("q", ['"debt bondage', "debt)", "((debt", 'debt" OR "', "debt:* ^ NEAR(a, b) {x}",
                               "'; DROP TABLE segments; --", "debt\x00", "\\", "*debt*", "- -debt"])
def test_odd_input_gets_a_sane_result(api_as, corpus, q) -> None:
    response = api_as("researcher").get("/api/v1/search", query_string={"q": q})
    assert response.status_code in (200, 400), response.get_json()
    if response.status_code == 200:
        assert isinstance(response.get_json()["total"], int)


ALPHABET = st.sampled_from(list('abc দালপাচরি০১৭ "()*-|:^{}+.,\'\\') + ["OR", "AND", "NOT", "NEAR", "ড়", "\u09bc"])


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=30).map("".join))
def test_fuzz_parser_compiles_to_valid_fts5(query) -> None:
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(body, tokenize=\"{TOKENIZER}\")")
    db.execute("INSERT INTO t VALUES ('দালাল পাচার abc ০১৭')")
    try:
        node = parse_query(query)
    except QueryError:
        return
    db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (to_fts5(node),)).fetchall()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=60) | st.lists(ALPHABET, max_size=20).map("".join),
       district=st.none() | st.text(max_size=10), limit=st.none() | st.text(max_size=4))
def test_fuzz_search_endpoint_never_fails(admin_client, corpus, query, district, limit) -> None:
    params = {"q": query, "district": district, "limit": limit}
    response = admin_client.get("/api/v1/search", query_string={k: v for k, v in params.items() if v is not None})
    assert response.status_code in (200, 400), (query, response.get_json())
    body = response.get_json()
    assert ("hits" in body) if response.status_code == 200 else body["error"]["code"]


def test_cli_search_and_reindex(runtime, corpus) -> None:
    from radio.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["search", "পাচার", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["total"] == 1 and body["hits"][0]["segment_id"] == corpus.segments["trafficked"]
    result = runner.invoke(main, ["search", "help"])
    assert result.exit_code == 0, result.output
    assert "«help»" in result.output and "[phone redacted]" in result.output and "1 hit(s)" in result.output
    result = runner.invoke(main, ["search", "--reindex"])
    assert result.exit_code == 0 and "15 documents" in result.output
    result = runner.invoke(main, ["search", "OR"])
    assert result.exit_code == 1 and "OR needs" in result.output


def test_a_correction_through_the_api_is_searchable_at_once(api_as, corpus) -> None:
    researcher = api_as("researcher")
    segment = corpus.segments["thief"]
    response = researcher.patch(f"/api/v1/segments/{segment}", json={"text": "দালাল পাসপোর্ট রেখে দিয়েছে"})
    assert response.status_code == 200, response.get_json()
    found = researcher.get("/api/v1/search", query_string={"q": "পাসপোর্ট"}).get_json()
    assert [h["segment_id"] for h in found["hits"]] == [segment]
    assert researcher.get("/api/v1/search", query_string={"q": "পোচোর"}).get_json()["total"] == 0
