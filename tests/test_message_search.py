"""Inbound SMS text searched with transcript search's rules: researchers on the redacted text, admins on the original.

Every test runs on SQLite and on PostgreSQL (``runtime``) with the same expectations.
"""

from __future__ import annotations

from sqlalchemy import select

from schedule.models import InboundMessage
from tests.test_sms_hooks import gw, message, send_json, settings_overrides  # noqa: F401  (fixtures)
from transcripts.search import reindex

URL = "/api/v1/stations/radio-padma/messages"
TEXTS = {
    "brokers": "দালালরা টাকা নিয়েছে, আমার ভাইকে বিদেশে চাকরির কথা বলে",
    "number": "পাচার হওয়া মেয়েটিকে ফিরিয়ে আনুন, ফোন 01711223344",
    "servant": "চাকর রাখার বিজ্ঞাপন দেখে ভয় লাগে",
    "praise": "খুব ভালো অনুষ্ঠান",
}


def _send_all(gw) -> None:  # noqa: F811
    for name, text in TEXTS.items():
        assert send_json(gw["client"], gw["secret"], message(text, id=name)).status_code == 200


def _found(client, q: str) -> list[str]:
    response = client.get(URL, query_string={"q": q})
    assert response.status_code == 200, response.get_json()
    by_text = {text: name for name, text in TEXTS.items()}
    return sorted(by_text.get(item["text"], item["text"]) for item in response.get_json()["items"])


def test_researchers_and_admins_search_message_text_with_the_bangla_rules(gw, api_as) -> None:  # noqa: F811
    _send_all(gw)
    researcher, admin = api_as("researcher"), gw["admin"]
    for client in (researcher, admin):
        assert _found(client, "দালাল") == ["brokers"]  # দালালরা
        assert _found(client, "চাকরি") == ["brokers"]  # চাকরির, not চাকর
        assert _found(client, "চাকর") == ["servant"]
        assert _found(client, "=চাকরি") == []
        assert _found(client, '"ভালো অনুষ্ঠান"') == ["praise"]
        assert _found(client, "অনুষ্ঠান OR বিজ্ঞাপন") == ["praise", "servant"]
        assert _found(client, "টাকা NOT চাকরি") == []
    # Researchers search (and read) the redacted text: the number is found by admins only.
    assert _found(admin, "01711223344") == ["number"]
    assert _found(admin, "০১৭১১২২৩৩৪৪") == ["number"]  # Bangla digits
    assert _found(researcher, "01711223344") == []
    hits = researcher.get(URL, query_string={"q": "পাচার"}).get_json()["items"]
    assert len(hits) == 1 and "01711223344" not in hits[0]["text"]
    assert len(researcher.get(URL).get_json()["items"]) == 4  # no q: the latest messages, as before


def test_stations_and_producers_are_refused_and_bad_queries_name_q(gw, api_as) -> None:  # noqa: F811
    _send_all(gw)
    for client in (gw["producer"], api_as("station", "radio-padma")):
        assert client.get(URL, query_string={"q": "দালাল"}).status_code == 403
        assert client.get(URL).status_code == 403
    researcher = api_as("researcher")
    for q in ("NOT দালাল", "()", "দালাল OR", "x" * 501, "দালাল\x00"):
        response = researcher.get(URL, query_string={"q": q})
        assert response.status_code == 400, (q, response.get_json())
        assert response.get_json()["error"]["field"] == "q", q


def test_the_masked_copy_is_kept_and_reindex_rebuilds_the_message_index(gw, api_as, runtime) -> None:  # noqa: F811
    _send_all(gw)
    with runtime.session() as session:
        copies = dict(session.execute(select(InboundMessage.provider_id, InboundMessage.redacted_text)).all())
        assert copies["praise"] is None and "01711223344" not in copies["number"]
        message_row = session.scalar(select(InboundMessage).where(InboundMessage.provider_id == "praise"))
        message_row.text = "দালালের ফোন 01999888777"  # an ORM update keeps the copy and the index in step
    researcher, admin = api_as("researcher"), gw["admin"]
    edited = researcher.get(URL, query_string={"q": "দালাল"}).get_json()["items"]
    assert len(edited) == 2 and not any("01999888777" in item["text"] for item in edited)
    assert _found(researcher, "01999888777") == [] and len(_found(admin, "01999888777")) == 1
    with runtime.session() as session:
        assert reindex(session) >= 4
    assert len(_found(researcher, "দালাল")) == 2 and _found(researcher, "01999888777") == []
