"""The week's bundle: unzipped and checked against its manifest and the calendar; resumable with Range."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import zipfile

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from schedule_helpers import create_station, expand, feed_path, make_episode, parse_strict
from test_reports_pdf import render_png

from episodes.models import Episode
from radio.cli import main
from reports.cue_sheet import CODE_COLUMN, COLUMNS, CueSheetPDF, code_size
from schedule.airings import CODE_ALPHABET

WEEK = "2026-W10"  # Monday 2026-03-02 .. Sunday 2026-03-08 (Dhaka)


def _audio(runtime, tmp_path, name: str, size: int) -> tuple[str, int]:
    source = tmp_path / name
    source.write_bytes(os.urandom(size))
    sha, _path = runtime.store.put_file(source, ".mp3")
    return sha, size


@pytest.fixture
def week(runtime, api_as, tmp_path):
    admin = api_as("admin")
    padma = create_station(admin, "radio-padma")
    create_station(admin, "radio-jamuna")
    producer = api_as("producer")
    drama = make_episode(runtime, title="ঘরে ফেরা", title_en="Coming home", title_bn="ঘরে ফেরা")
    psa = make_episode(runtime, title="=Safe jobs", language="en", kind="psa")
    secret = make_episode(runtime, title="hidden")
    for episode, name, size in ((drama, "drama.mp3", 300_000), (psa, "psa.mp3", 120_000), (secret, "s.mp3", 1000)):
        sha, _ = _audio(runtime, tmp_path, name, size)
        with runtime.session() as session:
            row = session.get(Episode, episode)
            row.broadcast_sha256, row.broadcast_size_bytes = sha, size
    bookings = [
        {"episode_id": drama, "start": "2026-03-02T20:00", "rrule": "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4"},
        {"episode_id": psa, "start": "2026-03-08T23:50"},  # Sunday night in Dhaka: Sunday 17:50 UTC
        {"episode_id": psa, "start": "2026-03-09T00:10"},  # Monday in Dhaka, Sunday in UTC: next week
        {"episode_id": secret, "start": "2026-03-04T09:00"},
    ]
    ids = []
    for body in bookings:
        r = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", **body})
        assert r.status_code == 201, r.json
        ids.append(r.json["id"])
    producer.post("/api/v1/broadcasts", json={"station": "radio-jamuna", "episode_id": psa,
                                              "start": "2026-03-03T10:00"})
    with runtime.session() as session:
        session.get(Episode, secret).restricted = True
    token = padma["calendar_url"].split("token=")[1]
    return {"producer": producer, "token": token, "ids": ids, "drama": drama, "psa": psa, "secret": secret,
            "calendar": feed_path(padma["calendar_url"]), "url": f"/feeds/radio-padma/bundle.zip?token={token}"}


def _get(client, week, name: str = WEEK, **headers):
    return client.get(week["url"] + f"&week={name}", headers=headers)


def test_the_bundle_matches_its_manifest_and_the_calendar(client, runtime, week) -> None:
    r = _get(client, week)
    assert r.status_code == 200 and r.mimetype == "application/zip", r.data[:300]
    assert int(r.headers["Content-Length"]) == len(r.data)
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["station"] == "radio-padma" and manifest["week"] == WEEK
    names = sorted(archive.namelist())
    assert names == sorted([*(f["name"] for f in manifest["files"]), "manifest.json"])
    assert {"schedule.ics", "cue-sheet.csv", "cue-sheet.pdf"} <= set(names)
    for entry in manifest["files"]:
        data = archive.read(entry["name"])
        assert len(data) == entry["size"] and hashlib.sha256(data).hexdigest() == entry["sha256"]
    audio = [n for n in names if n.startswith("audio/")]
    assert len(audio) == 2 and not any(week["secret"][:8] in n for n in audio)  # restricted: never sent
    airings = manifest["airings"]
    assert [(a["broadcast_id"], a["local_start"]) for a in airings] == [
        (week["ids"][0], "2026-03-02T20:00:00"), (week["ids"][0], "2026-03-05T20:00:00"),
        (week["ids"][1], "2026-03-08T23:50:00")]
    # The calendar in the bundle is that week only: expanded over a whole year it gives exactly the week's airings,
    # each the same event (UID, RECURRENCE-ID of a series) as in the live feed, which goes on past the week.
    ics = archive.read("schedule.ics")
    parse_strict(ics)
    assert ics != client.get(week["calendar"]).data
    events = expand(ics, dt.date(2025, 1, 1), dt.date(2028, 1, 1))
    assert sorted((str(e["UID"]).split("@")[0], e["DTSTART"].dt.astimezone(dt.UTC).isoformat()) for e in events) \
        == sorted((a["broadcast_id"], a["start"]) for a in airings)
    live = {(str(e["UID"]), e["DTSTART"].dt.astimezone(dt.UTC)) for e in
            expand(client.get(week["calendar"]).data, dt.date(2026, 2, 1), dt.date(2026, 5, 1))}
    assert {(str(e["UID"]), e["DTSTART"].dt.astimezone(dt.UTC)) for e in events} <= live
    assert len(live) > len(events)  # the live feed also has the next week's psa airing and a series' later airings
    assert ics.count(b"RECURRENCE-ID") == 2 and b"RRULE" not in ics and b"W10" in ics  # the series airings
    # The cue sheet: one row per airing with the same codes as the airings API.
    rows = list(csv.DictReader(io.StringIO(archive.read("cue-sheet.csv").decode("utf-8-sig"))))
    assert [(r["date"], r["time"], r["code"]) for r in rows] == [
        (a["local_start"][:10], a["local_start"][11:16], a["code"]) for a in airings]
    assert rows[0]["title_bn"] == "ঘরে ফেরা" and rows[0]["title_en"] == "Coming home" and rows[0]["length"] == "15:00"
    assert rows[2]["title_en"] == "'=Safe jobs"  # a formula stays text in a spreadsheet
    # The printable cue sheet: the same airings, Bangla titles and codes copy out of the PDF as their Unicode.
    pdf = PdfReader(io.BytesIO(archive.read("cue-sheet.pdf")))
    text = " ".join((page.extract_text() or "") for page in pdf.pages)
    assert pdf.pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4 portrait
    assert pdf.pages[0].mediabox.height == pytest.approx(841.89, abs=0.1)
    for needle in ("ঘরে ফেরা", "Coming home", "=Safe jobs", "radio-padma", WEEK, "Mon 2 Mar", "20:00", "23:50",
                   "15:00", "পৃষ্ঠা ১ / ১", "Page 1 of 1", "Asia/Dhaka", *(a["code"] for a in airings)):
        assert needle in text, needle
    for airing in airings:  # a long file name wraps inside its column
        assert airing["file"].removeprefix("audio/") in "".join(text.split())
    assert text.count("ঘরে ফেরা") == 2 and week["secret"][:8] not in text and "hidden" not in text
    render_png(archive.read("cue-sheet.pdf"), "cue-sheet-bn")
    api = week["producer"].get("/api/v1/airings", query_string={"station": "radio-padma", "from": "2026-03-02",
                                                                "to": "2026-03-08"}).json["items"]
    assert {i["code"] for i in api} >= {a["code"] for a in airings}


def test_a_broken_download_resumes_with_range_to_the_same_bytes(client, week) -> None:
    full = _get(client, week)
    etag = full.headers["ETag"]
    assert _get(client, week).headers["ETag"] == etag and _get(client, week).data == full.data  # deterministic
    cut = 123_457
    rest = _get(client, week, Range=f"bytes={cut}-", **{"If-Range": etag})
    assert rest.status_code == 206 and rest.headers["Content-Range"] == f"bytes {cut}-{len(full.data) - 1}/" \
        f"{len(full.data)}"
    assert full.data[:cut] + rest.data == full.data
    middle = _get(client, week, Range="bytes=10-19")
    assert middle.status_code == 206 and middle.data == full.data[10:20]
    stale = _get(client, week, Range=f"bytes={cut}-", **{"If-Range": '"something-else"'})
    assert stale.status_code == 200 and stale.data == full.data
    beyond = _get(client, week, Range=f"bytes={len(full.data) + 5}-")
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{len(full.data)}"
    assert _get(client, week, **{"If-None-Match": etag}).status_code == 304


def test_an_empty_week_is_a_valid_empty_bundle_and_bad_requests_reveal_nothing(client, week) -> None:
    r = _get(client, week, "2026-W30")
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    assert r.status_code == 200 and archive.testzip() is None
    assert sorted(archive.namelist()) == ["cue-sheet.csv", "cue-sheet.pdf", "manifest.json", "schedule.ics"]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["airings"] == [] and len(manifest["files"]) == 3
    empty = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read("cue-sheet.pdf"))).pages)
    assert "No airings this week" in empty and "2026-W30" in empty
    assert b"BEGIN:VEVENT" not in archive.read("schedule.ics") and parse_strict(archive.read("schedule.ics"))
    assert archive.read("cue-sheet.csv").decode("utf-8-sig").splitlines() == [
        "date,time,title_bn,title_en,length,file,code"]
    assert client.get(f"/feeds/radio-padma/bundle.zip?token=wrong&week={WEEK}").status_code == 404
    assert client.get(f"/feeds/no-such/bundle.zip?token={week['token']}&week={WEEK}").status_code == 404
    assert client.get(f"/feeds/radio-jamuna/bundle.zip?token={week['token']}&week={WEEK}").status_code == 404
    for bad in ("", "2026-W54", "2026-13", "yesterday", "1999-W01", "2026-W1"):
        answer = _get(client, week, bad)
        assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_week", (bad, answer.json)


def test_the_cli_writes_the_same_bundle(client, runtime, week, tmp_path) -> None:
    out = tmp_path / "week.zip"
    result = CliRunner().invoke(main, ["bundle", "radio-padma", "--week", WEEK, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == _get(client, week).data
    bad = CliRunner().invoke(main, ["bundle", "radio-padma", "--week", "soon", "-o", str(tmp_path / "x.zip")])
    assert bad.exit_code != 0 and "ISO week" in bad.output and not (tmp_path / "x.zip").exists()
    assert not (tmp_path / "x.zip.tmp").exists()


def test_the_cue_sheet_pdf_is_the_same_bytes_for_the_same_week_and_spans_pages() -> None:
    from reports.cue_sheet import cue_sheet_pdf
    from schedule.cue_sheet import CueLine, CueSheet

    tz = dt.timezone(dt.timedelta(hours=6))
    lines = tuple(CueLine(dt.datetime(2026, 3, 2, 6, tzinfo=tz) + dt.timedelta(hours=4 * i), "মানব পাচার প্রতিরোধ নাটক",
                          f"Stop trafficking {i}", 1800.0, f"audio/{i:08d}-stop-trafficking.mp3", f"K{i:05d}")
                  for i in range(42))
    sheet = CueSheet("radio-padma", "Radio Padma", "রেডিও পদ্মা", "99.2 FM", "Asia/Dhaka", WEEK, dt.date(2026, 3, 2),
                     lines, dt.datetime(2026, 2, 27, 9, 30, tzinfo=dt.UTC))
    first = cue_sheet_pdf.__wrapped__(sheet)  # not the cache: drawn afresh, a moment later
    assert cue_sheet_pdf.__wrapped__(sheet) == first
    assert b"D:20260227093000" in first  # the creation date is the week's data, not the clock
    later = cue_sheet_pdf.__wrapped__(dataclasses.replace(sheet, as_of=dt.datetime(2026, 2, 28, tzinfo=dt.UTC)))
    assert later != first
    reader = PdfReader(io.BytesIO(first))
    assert len(reader.pages) >= 2
    last = reader.pages[-1].extract_text()
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in last and "রেডিও পদ্মা" in reader.pages[0].extract_text()
    text = " ".join(p.extract_text() for p in reader.pages)
    assert all(line.code in text for line in lines) and text.count("মানব পাচার প্রতিরোধ নাটক") == 42


def test_an_episode_past_its_valid_until_date_leaves_the_bundle_as_it_leaves_the_calendar(client, runtime, week):
    with runtime.session() as session:
        session.get(Episode, week["drama"]).valid_until = dt.date(2026, 1, 1)
    archive = zipfile.ZipFile(io.BytesIO(_get(client, week).data))
    manifest = json.loads(archive.read("manifest.json"))
    assert [a["episode_id"] for a in manifest["airings"]] == [week["psa"]]
    assert not any(week["drama"][:8] in name for name in archive.namelist())
    assert week["drama"].encode() not in archive.read("schedule.ics")
    assert week["drama"].encode() not in client.get(week["calendar"]).data


@pytest.mark.parametrize("letter", sorted(set(CODE_ALPHABET)))
def test_every_confirmation_code_prints_on_one_line(letter: str) -> None:
    """A code is read off the printed sheet and typed into an SMS: the widest letters of the alphabet (W, M) six
    times over still fit the code column on one line (a wrapped "NUUQG / W" failed to copy out of the PDF)."""
    pdf = CueSheetPDF("bn", "t")
    pdf.add_page()
    code = letter * 6
    size = code_size(pdf, code)
    pdf.set_font("sans", "B", size)
    width = COLUMNS[CODE_COLUMN][1] - 1.5
    assert pdf.multi_cell(width, 4.2, code, dry_run=True, output="LINES") == [code]
    assert size >= 8.5  # still readable
