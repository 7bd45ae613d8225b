"""Researchers' pages: search with filters and highlighted snippets, segment correction and history, coding."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.ui_helpers import HTML, add_episode, login, page, post_form
from transcripts.models import Segment


def test_bangla_search_highlights_and_links_to_the_moment(client, runtime) -> None:
    ep = add_episode(runtime, "ফোন-ইন ৩", ["আমি ঢাকায় গিয়েছিলাম", "দালাল আমার পাসপোর্ট নিয়ে নেয় <b>", "ধন্যবাদ"])
    add_episode(runtime, "English drama", ["the broker promised a job"], language="en", kind="drama")
    login(client, runtime, "researcher")
    html = page(client, "/search?q=পাসপোর্ট")
    assert "১টি ফলাফল" not in html and "1 hit" in html
    link = f'href="/episodes/{ep["id"]}?t=5"'
    assert link in html
    assert "<mark>পাসপোর্ট</mark>" in html and "&lt;b&gt;" in html  # highlight kept, the rest escaped
    assert "১টি ফলাফল" in page(client, "/search?q=পাসপোর্ট", lang="bn")
    assert "English drama" not in html
    assert "English drama" in page(client, "/search?q=broker&language=en")
    assert "English drama" not in page(client, "/search?q=broker&language=bn")
    assert "/api/v1/evidence?format=csv" in html


def test_bad_queries_get_a_message_not_an_error(client, runtime) -> None:
    login(client, runtime, "researcher")
    r = client.get('/search?q="unbalanced', headers=HTML)
    assert r.status_code in (200, 400)
    r = client.get("/search?q=x&from=31-12-2024", headers=HTML)
    assert r.status_code == 200 and 'id="from-error"' in r.get_data(as_text=True)
    r = client.get("/search?q=" + "ক" * 10000, headers=HTML)
    assert r.status_code in (200, 400)


def test_phone_numbers_are_masked_in_snippets_and_transcripts(client, runtime) -> None:
    ep = add_episode(runtime, "Call", ["call me on 01712345678 about the job"], language="en")
    login(client, runtime, "researcher")
    html = page(client, "/search?q=job")
    assert "01712345678" not in html and "[phone redacted]" in html
    assert "01712345678" not in page(client, f"/episodes/{ep['id']}")


def test_correction_keeps_history_with_who_and_when(client, runtime) -> None:
    ep = add_episode(runtime, "Call", ["machine txt", "second"], language="en")
    seg = ep["segments"][0]
    login(client, runtime, "researcher")
    html = page(client, f"/segments/{seg}")
    assert "machine txt" in html and 'for="text"' in html
    r = post_form(client, f"/segments/{seg}", {"text": "machine text", "note": "typo"})
    assert r.status_code == 302
    html = page(client, f"/segments/{seg}")
    assert "Revision 1" in html and "Machine transcript" in html and "ui-researcher-x@example.org" in html
    assert html.index("machine text") < html.index("machine txt")  # newest first
    assert "machine text" in page(client, f"/episodes/{ep['id']}")
    r = post_form(client, f"/segments/{seg}", {"text": "x" * 6000})
    assert r.status_code == 400 and 'id="text-error"' in r.get_data(as_text=True)
    with runtime.session() as session:
        assert session.get(Segment, seg).text == "machine text"


def test_producers_read_but_do_not_correct(client, runtime) -> None:
    ep = add_episode(runtime, "Call", ["words"], language="en")
    login(client, runtime, "producer")
    html = page(client, f"/segments/{ep['segments'][0]}")
    assert 'name="text"' not in html
    assert post_form(client, f"/segments/{ep['segments'][0]}", {"text": "changed"}).status_code == 403


def test_codebook_and_coding_a_segment(client, runtime) -> None:
    ep = add_episode(runtime, "Call", ["he took our passports", "second"], language="en")
    seg = ep["segments"][0]
    login(client, runtime, "researcher")
    assert post_form(client, "/codes", {"name": "", "description": "x"}).status_code == 400
    r = post_form(client, "/codes", {"name": "document confiscation", "description": "passports taken",
                                     "colour": "#c0392b"})
    assert r.status_code == 302
    r = post_form(client, "/codes", {"name": "Document Confiscation"})
    assert r.status_code == 409 and 'id="name-error"' in r.get_data(as_text=True)
    html = page(client, f"/segments/{seg}")
    code_id = re.search(r'<option value="(\w+)">document confiscation</option>', html).group(1)  # type: ignore
    assert post_form(client, f"/segments/{seg}/codes", {"code_id": code_id, "memo": "clear case"}).status_code == 302
    html = page(client, f"/segments/{seg}")
    assert "document confiscation" in html and "clear case" in html
    codes = page(client, "/codes")
    assert "/api/v1/codes/export.qdc" in codes and "/api/v1/coded-segments.csv" in codes
    detail = page(client, f"/codes/{code_id}")
    assert "he took our passports" in detail and f"/episodes/{ep['id']}?t=0.0" in detail
    csv = client.get("/api/v1/coded-segments.csv")
    assert csv.status_code == 200 and "he took our passports" in csv.get_data(as_text=True)
    assert post_form(client, f"/segments/{seg}/codes/{code_id}/remove", {}).status_code == 302
    assert "clear case" not in page(client, f"/segments/{seg}")


def test_evidence_export_link_works_with_the_session(client, runtime) -> None:
    add_episode(runtime, "Call", ["evidence words"], language="en")
    login(client, runtime, "researcher")
    r = client.get("/api/v1/evidence?format=csv&language=en")
    assert r.status_code == 200 and "evidence words" in r.get_data(as_text=True)


def test_stations_cannot_search(client, runtime, make_station) -> None:
    make_station("radio-padma")
    login(client, runtime, "station", station="radio-padma")
    assert client.get("/search?q=x", headers=HTML).status_code == 403
    assert client.get("/codes", headers=HTML).status_code == 403
    with runtime.session() as session:
        assert session.scalars(select(Segment)).all() == []
