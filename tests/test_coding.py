"""Coding: the codebook, codes on segments with memos, filtering search by code, CSV and REFI-QDA exports."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from lxml import etree

from tests.search_corpus import build_corpus
from transcripts.coding import codes_for_segments

XSD = Path(__file__).parent / "data" / "refi_qda_codebook.xsd"
GUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


@pytest.fixture
def corpus(runtime):
    with runtime.session() as session:
        return build_corpus(session)


@pytest.fixture
def researcher(api_as):
    return api_as("researcher")


def make_code(client, name, **fields):
    response = client.post("/api/v1/codes", json={"name": name, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def code_segment(client, segment_id, code, memo=""):
    response = client.post(f"/api/v1/segments/{segment_id}/codes", json={"code_id": code["id"], "memo": memo})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_codebook_crud(researcher) -> None:
    code = make_code(researcher, "broker recruitment", description="দালালের মাধ্যমে নিয়োগ", colour="#c0392b")
    assert code["colour"] == "#C0392B" and GUID.match(code["guid"])
    assert make_code(researcher, "extortion", colour="#abc")["colour"] == "#AABBCC"
    duplicate = researcher.post("/api/v1/codes", json={"name": "Broker Recruitment"})
    assert duplicate.status_code == 409 and duplicate.get_json()["error"]["id"] == code["id"]
    for bad in ({"name": ""}, {"name": "x", "colour": "red"}, {"name": "x" * 201}, {"name": 5}, {}):
        response = researcher.post("/api/v1/codes", json=bad)
        assert response.status_code == 400, bad
    assert researcher.post("/api/v1/codes", data="not json", content_type="text/plain").status_code == 400
    renamed = researcher.patch(f"/api/v1/codes/{code['id']}", json={"name": "recruitment by broker"}).get_json()
    assert renamed["name"] == "recruitment by broker" and renamed["guid"] == code["guid"]
    names = [c["name"] for c in researcher.get("/api/v1/codes").get_json()["items"]]
    assert names == ["extortion", "recruitment by broker"]
    assert researcher.patch(f"/api/v1/codes/{code['id']}", json={"parent_id": code["id"]}).status_code == 400
    assert researcher.get("/api/v1/codes/nope").status_code == 404


def test_roles(api_as, researcher) -> None:
    assert api_as("producer").get("/api/v1/codes").status_code == 403
    assert api_as("station").post("/api/v1/codes", json={"name": "x"}).status_code == 403
    assert api_as("admin").post("/api/v1/codes", json={"name": "x"}).status_code == 201


def test_code_segments_with_memos(runtime, researcher, corpus) -> None:
    broker = make_code(researcher, "broker recruitment")
    debt = make_code(researcher, "debt bondage")
    segment = corpus.segments["broker_job"]
    coded = code_segment(researcher, segment, broker, memo="promise of a job abroad")
    assert coded["memo"] == "promise of a job abroad" and coded["quote"].startswith("দালাল")
    again = researcher.post(f"/api/v1/segments/{segment}/codes", json={"code": "Broker Recruitment"})
    assert again.status_code == 409
    code_segment(researcher, corpus.segments["bondage"], debt)
    code_segment(researcher, corpus.segments["bondage"], broker, memo="call 01712345678 back")
    assert researcher.post("/api/v1/segments/nope/codes", json={"code_id": broker["id"]}).status_code == 404
    assert researcher.post(f"/api/v1/segments/{segment}/codes", json={"code_id": "nope"}).status_code == 404
    assert researcher.post(f"/api/v1/segments/{segment}/codes", json={}).status_code == 400

    items = researcher.get(f"/api/v1/segments/{corpus.segments['bondage']}/codes").get_json()["items"]
    assert {i["code"] for i in items} == {"broker recruitment", "debt bondage"}
    assert any(i["memo"] == "call [phone redacted] back" for i in items)  # memos are redacted too
    patched = researcher.patch(f"/api/v1/segments/{segment}/codes/{broker['id']}", json={"memo": "updated"})
    assert patched.get_json()["memo"] == "updated"

    listed = researcher.get("/api/v1/coded-segments", query_string={"code": "broker recruitment"}).get_json()
    assert listed["total"] == 2
    counts = {c["name"]: c["segments"] for c in researcher.get("/api/v1/codes").get_json()["items"]}
    assert counts == {"broker recruitment": 2, "debt bondage": 1}

    with runtime.session() as session:
        assert codes_for_segments(session, [segment, corpus.segments["bondage"], corpus.segments["thief"]]) == {
            segment: ["broker recruitment"], corpus.segments["bondage"]: ["broker recruitment", "debt bondage"]}

    # search narrowed to a code
    found = researcher.get("/api/v1/search", query_string={"q": "debt OR দালাল", "code": "debt bondage"}).get_json()
    assert [h["segment_id"] for h in found["hits"]] == [corpus.segments["bondage"]]

    assert researcher.delete(f"/api/v1/segments/{segment}/codes/{broker['id']}").status_code == 200
    assert researcher.delete(f"/api/v1/segments/{segment}/codes/{broker['id']}").status_code == 404
    in_use = researcher.delete(f"/api/v1/codes/{debt['id']}")
    assert in_use.status_code == 409 and in_use.get_json()["error"]["segments"] == 1
    assert researcher.delete(f"/api/v1/codes/{debt['id']}?force=true").status_code == 200
    assert researcher.get("/api/v1/coded-segments", query_string={"code": broker["id"]}).get_json()["total"] == 1


def test_coded_segments_csv(api_as, researcher, corpus) -> None:
    code = make_code(researcher, "=HYPERLINK(evil)")
    code_segment(researcher, corpus.segments["phone_bn"], code, memo="- a memo starting with a dash")
    response = researcher.get("/api/v1/coded-segments.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body[1:])))
    assert len(rows) == 1
    row = rows[0]
    assert row["code"] == "'=HYPERLINK(evil)"  # no formula in a spreadsheet
    assert row["memo"] == "'- a memo starting with a dash"
    assert row["text"] == "আমার নম্বর [phone redacted] এ ফোন দিন"
    assert row["episode_title"] == "শ্রোতার ফোন: বিদেশে চাকরির প্রলোভন"
    assert (row["start"], row["end"]) == ("10.000", "14.500")
    admin_rows = list(csv.DictReader(io.StringIO(api_as("admin").get("/api/v1/coded-segments.csv").data.decode()[1:])))
    assert admin_rows[0]["text"] == "আমার নম্বর ০১৭১২-৩৪৫৬৭৮ এ ফোন দিন"


def test_codebook_qdc_is_valid_refi_qda(researcher) -> None:
    parent = make_code(researcher, "exploitation", description="শোষণ <all kinds> & more", colour="#112233")
    make_code(researcher, "debt bondage", parent_id=parent["id"], colour="#445566")
    make_code(researcher, "document confiscation")
    response = researcher.get("/api/v1/codes/export.qdc")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert 'filename="codebook.qdc"' in response.headers["Content-Disposition"]
    document = etree.fromstring(response.data)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(document), schema.error_log
    ns = {"q": "urn:QDA-XML:codebook:1.0"}
    top = document.findall("q:Codes/q:Code", ns)
    assert [c.get("name") for c in top] == ["document confiscation", "exploitation"]
    exploitation = top[1]
    assert exploitation.get("guid") == parent["guid"] and exploitation.get("color") == "#112233"
    assert exploitation.find("q:Description", ns).text == "শোষণ <all kinds> & more"
    assert [c.get("name") for c in exploitation.findall("q:Code", ns)] == ["debt bondage"]
    assert all(GUID.match(c.get("guid")) for c in document.iter("{urn:QDA-XML:codebook:1.0}Code"))


def test_codings_go_with_their_segments(runtime, researcher, corpus) -> None:
    from sqlalchemy import select

    from transcripts.models import Transcript

    code = make_code(researcher, "extortion")
    code_segment(researcher, corpus.segments["trafficked"], code)
    with runtime.session() as session:
        session.delete(session.scalar(select(Transcript).where(Transcript.episode_id == corpus.episodes["callin"])))
    assert researcher.get("/api/v1/coded-segments").get_json()["total"] == 0
