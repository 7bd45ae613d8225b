"""Search cannot reveal what is masked: a phrase-prefix probe gets the same answer for every prefix."""

from __future__ import annotations

import pytest
from search_corpus import add_episode

NUMBER = "01711223344"
PREFIXES = ['"on 0"*', '"on 01"*', '"on 017"*', '"on 018"*', '"on 0171"*', '"on 0199"*', '"on ০১৭"*',
            "on 0*", "0171*", '"me on 01711223344"', "017112*", "০১৭১১*"]


@pytest.fixture
def masked_number(runtime) -> str:
    with runtime.session() as session:
        episode, _ = add_episode(session, "হেল্পলাইন", [f"please call me on {NUMBER} tonight",
                                                       "the broker took my passport"], language="en")
        return episode.id


@pytest.mark.parametrize("role", ["producer", "researcher"])
def test_the_phrase_prefix_probe_gets_one_answer_for_every_prefix(api_as, masked_number, role) -> None:
    reader = api_as(role)
    answers = set()
    for q in PREFIXES:
        r = reader.get("/api/v1/search", query_string={"q": q})
        body = r.get_json()
        answers.add((r.status_code, body.get("total"), str(body.get("error", {}).get("code"))))
        assert NUMBER not in r.get_data(as_text=True)
    assert len(answers) == 1, answers
    words = reader.get("/api/v1/search", query_string={"q": '"call me on"'}).get_json()
    assert words["total"] == 1 and NUMBER not in words["hits"][0]["snippet"]
    assert "[phone redacted]" in words["hits"][0]["snippet"]


def test_admins_search_the_original_text(api_as, masked_number) -> None:
    admin = api_as("admin")
    assert admin.get("/api/v1/search", query_string={"q": '"on 0171"*'}).get_json()["total"] == 1
    assert admin.get("/api/v1/search", query_string={"q": '"on 0199"*'}).get_json()["total"] == 0
