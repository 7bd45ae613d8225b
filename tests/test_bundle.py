"""The week's bundle: unzipped and checked against its manifest and the calendar; resumable with Range."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import logging
import os
import tracemalloc
import uuid
import zipfile

import icalendar
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from schedule_helpers import create_station, expand, feed_path, make_episode, parse_strict
from sqlalchemy import select
from test_reports_pdf import render_png

from episodes.models import Episode
from radio.cli import main
from reports.cue_sheet import CODE_COLUMN, COLUMNS, CueSheetPDF, code_size
from schedule.airings import CODE_ALPHABET
from schedule.calendar_feed import WITHDRAWN_TITLE
from schedule.inbound import GatewayMessage, receive_message
from schedule.models import Station

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
    # A client that takes gzip gets the same archive (never re-encoded: Range offsets are offsets in the ZIP).
    gzip_client = _get(client, week, **{"Accept-Encoding": "gzip", "Range": f"bytes={cut}-", "If-Range": etag})
    assert "Content-Encoding" not in gzip_client.headers and gzip_client.headers["ETag"] == etag
    assert gzip_client.status_code == 206 and gzip_client.data == rest.data
    assert _get(client, week, **{"Accept-Encoding": "gzip", "If-None-Match": etag}).status_code == 304


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


def test_drawing_a_cue_sheet_leaves_the_log_alone(app, caplog) -> None:
    """fontTools lists every subset font's glyphs at INFO: the app keeps that out of its log."""
    from reports.cue_sheet import cue_sheet_pdf
    from schedule.cue_sheet import CueSheet

    sheet = CueSheet("radio-padma", "Radio Padma", "রেডিও পদ্মা", "", "Asia/Dhaka", WEEK, dt.date(2026, 3, 2), (),
                     dt.datetime(2026, 2, 27, tzinfo=dt.UTC))
    with caplog.at_level(logging.INFO):
        assert cue_sheet_pdf.__wrapped__(sheet).startswith(b"%PDF")
    assert not [r for r in caplog.records if r.name.startswith("fontTools")]


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


def _events_by_instance(body: bytes) -> dict[tuple[str, dt.datetime | None], icalendar.Event]:
    """The VEVENTs of a calendar by (UID, RECURRENCE-ID in UTC, None for a booking itself)."""
    return {(str(e["UID"]), e["RECURRENCE-ID"].dt.astimezone(dt.UTC) if "RECURRENCE-ID" in e else None): e
            for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def _shown(event: icalendar.Event) -> dict[str, str]:
    return {k: str(v) for k, v in event.items() if k == "STATUS" or k.startswith("X-RADIO-FEEDBACK-")
            or k in ("SUMMARY", "X-RADIO-EPISODE-ID")}


def test_the_week_calendar_says_what_the_live_feed_says_of_cancellations_and_feedback(client, runtime, week) -> None:
    producer, ids = week["producer"], week["ids"]
    one_off = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": week["psa"],
                                                        "start": "2026-03-04T12:00"}).json["id"]
    series = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": week["drama"],
                                                       "start": "2026-03-04T18:00",
                                                       "rrule": "FREQ=WEEKLY;BYDAY=WE,FR;COUNT=4"}).json["id"]
    for cancelled in (one_off, series, ids[3]):  # ids[3]: the restricted episode's booking, named by neither
        assert producer.delete(f"/api/v1/broadcasts/{cancelled}").status_code == 200
    assert producer.post(f"/api/v1/broadcasts/{ids[0]}/feedback",
                         json={"occurrence": "2026-03-05", "sms": 3, "calls": 2}).status_code == 201
    assert producer.post(f"/api/v1/broadcasts/{ids[1]}/feedback", json={"letters": 1}).status_code == 201
    dhaka = dt.timezone(dt.timedelta(hours=6))
    with runtime.session() as session:  # the SMS gateway's, during the Sunday psa and the Monday drama
        station = session.scalar(select(Station).where(Station.slug == "radio-padma"))
        for kind, at in (("sms", dt.datetime(2026, 3, 8, 23, 55, tzinfo=dhaka)),
                         ("missed_call", dt.datetime(2026, 3, 9, 0, 7, tzinfo=dhaka)),  # after it, before the next one
                         ("sms", dt.datetime(2026, 3, 2, 20, 5, tzinfo=dhaka))):
            receive_message(session, station, GatewayMessage("json", uuid.uuid4().hex, kind, "+8801711000000", "ok",
                                                             at), runtime.secret_key, window_h=2, now=at)
    archive = zipfile.ZipFile(io.BytesIO(_get(client, week).data))
    ics = archive.read("schedule.ics")
    parse_strict(ics)
    live_body = client.get(week["calendar"]).data
    bundle, live = _events_by_instance(ics), _events_by_instance(live_body)
    for (uid, rid), event in bundle.items():  # each airing as the live feed shows it: its own event or the series'
        assert _shown(event) == _shown(live.get((uid, rid)) or live[(uid, None)]), (uid, rid)
    # Every airing of the week the live feed shows, cancelled ones too, is in the week's calendar, and no other.
    lo, hi = dt.datetime(2026, 3, 1, 18, tzinfo=dt.UTC), dt.datetime(2026, 3, 8, 18, tzinfo=dt.UTC)
    in_week = {(str(e["UID"]), e["DTSTART"].dt.astimezone(dt.UTC), str(e["STATUS"]))
               for e in expand(live_body, dt.date(2026, 2, 28), dt.date(2026, 3, 10))
               if lo <= e["DTSTART"].dt.astimezone(dt.UTC) < hi}
    assert {(str(e["UID"]), e["DTSTART"].dt.astimezone(dt.UTC), str(e["STATUS"])) for e in bundle.values()} == in_week
    status = {(uid.split("@")[0], rid and rid.isoformat()): str(e["STATUS"]) for (uid, rid), e in bundle.items()}
    assert status == {
        (ids[0], "2026-03-02T14:00:00+00:00"): "CONFIRMED", (ids[0], "2026-03-05T14:00:00+00:00"): "CONFIRMED",
        (ids[1], None): "CONFIRMED", (one_off, None): "CANCELLED", (ids[3], None): "CANCELLED",
        (series, "2026-03-04T12:00:00+00:00"): "CANCELLED", (series, "2026-03-06T12:00:00+00:00"): "CANCELLED"}
    feedback = {(uid.split("@")[0], rid and rid.isoformat()): {k.removeprefix("X-RADIO-FEEDBACK-"): str(v)
                for k, v in e.items() if k.startswith("X-RADIO-FEEDBACK-") and str(v) != "0"}
                for (uid, rid), e in bundle.items()}
    assert feedback[(ids[0], "2026-03-05T14:00:00+00:00")] == {"SMS": "3", "CALLS": "2"}  # entered
    assert feedback[(ids[0], "2026-03-02T14:00:00+00:00")] == {"SMS": "1"}  # the gateway's
    assert feedback[(ids[1], None)] == {"SMS": "1", "MISSED-CALLS": "1", "LETTERS": "1"}  # both, added up
    withdrawn = bundle[(f"{ids[3]}@ashshash-radio", None)]
    assert str(withdrawn["SUMMARY"]) == WITHDRAWN_TITLE and str(withdrawn["X-RADIO-EPISODE-ID"]) == ""
    assert week["secret"].encode() not in ics and b"hidden" not in ics
    # Only what is to air goes into the cue sheet and the manifest's airings.
    manifest = json.loads(archive.read("manifest.json"))
    assert [a["broadcast_id"] for a in manifest["airings"]] == [ids[0], ids[0], ids[1]]
    assert len(archive.read("cue-sheet.csv").decode("utf-8-sig").splitlines()) == 4


@pytest.mark.slow
def test_a_2_gb_week_streams_through_the_view_in_bounded_memory(client, runtime, api_as) -> None:
    """Four 512 MiB renditions (sparse files: nothing big on disk) through the real view: the archive is laid out
    and streamed in chunks, so what Python holds stays a few MB however big the week is."""
    admin = api_as("admin")
    padma = create_station(admin, "radio-padma")
    producer = api_as("producer")
    size = 512 << 20
    for i in range(4):
        sha = hashlib.sha256(f"big-{i}".encode()).hexdigest()
        path = runtime.store.path_for(sha, ".mp3")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            handle.truncate(size)
        episode = make_episode(runtime, title=f"বড় পর্ব {i}", broadcast_sha256=sha, broadcast_size_bytes=size)
        assert producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                         "start": f"2026-03-0{2 + i}T20:00"}).status_code == 201
    url = f"/feeds/radio-padma/bundle.zip?token={padma['calendar_url'].split('token=')[1]}&week={WEEK}"
    tracemalloc.start()
    try:
        response = client.get(url, buffered=False)
        assert response.status_code == 200
        total, largest, tail = 0, 0, b""
        for chunk in response.response:
            total += len(chunk)
            largest = max(largest, len(chunk))
            tail = (tail + chunk)[-2_000_000:]
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == int(response.headers["Content-Length"]) > 4 * size
    print(f"\n{WEEK} of {total:,} bytes streamed: peak traced memory {peak / 1e6:.1f} MB, chunks <= {largest:,} B")
    assert largest <= 1 << 20 and peak < 32 << 20, (largest, peak)  # chunks, never the whole archive
    resumed = client.get(url, headers={"Range": f"bytes={total - len(tail)}-"})
    assert resumed.status_code == 206 and resumed.data == tail  # the same bytes, resumed near the end
    sparse = runtime.store.root / "tail.zip"  # the tail where it belongs in a sparse file: the central directory
    with sparse.open("wb") as handle:
        handle.seek(total - len(tail))
        handle.write(tail)
    with zipfile.ZipFile(sparse) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        sizes = {i.filename: i.file_size for i in archive.infolist()}
    assert len(manifest["airings"]) == 4 and sum(f["size"] for f in manifest["files"] if
                                                 f["name"].startswith("audio/")) == 4 * size
    assert {f["name"]: f["size"] for f in manifest["files"]}.items() <= sizes.items()


@pytest.mark.parametrize("change", [{"restricted": True}, {"consent": "research_only"}, {"consent": "none"}])
def test_a_new_restriction_or_withdrawn_consent_takes_the_episode_out_of_next_weeks_bundle(
        client, runtime, api_as, tmp_path, change) -> None:
    admin, producer = api_as("admin"), api_as("producer")
    padma = create_station(admin, "radio-padma")
    day = dt.date.today() + dt.timedelta(days=8)
    iso = day.isocalendar()
    week_name = f"{iso.year}-W{iso.week:02d}"
    episodes = {}
    for name in ("survivor", "drama"):
        episodes[name] = make_episode(runtime, title=f"{name} story")
        sha, size = _audio(runtime, tmp_path, f"{name}.mp3", 2000)
        with runtime.session() as session:
            row = session.get(Episode, episodes[name])
            row.broadcast_sha256, row.broadcast_size_bytes = sha, size
        r = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episodes[name],
                                                      "start": f"{day}T{'20' if name == 'drama' else '09'}:00"})
        assert r.status_code == 201, r.json
    token = padma["calendar_url"].split("token=")[1]
    url = f"/feeds/radio-padma/bundle.zip?token={token}&week={week_name}"
    survivor = episodes["survivor"]

    def bundle() -> tuple[zipfile.ZipFile, dict]:
        r = client.get(url)
        assert r.status_code == 200, r.data[:300]
        archive = zipfile.ZipFile(io.BytesIO(r.data))
        return archive, json.loads(archive.read("manifest.json"))

    archive, manifest = bundle()
    assert {a["episode_id"] for a in manifest["airings"]} == {survivor, episodes["drama"]}
    before = client.get(url).headers["ETag"]

    r = producer.patch(f"/api/v1/episodes/{survivor}", json=change)  # tightening: a producer may
    assert r.status_code == 200, r.json
    archive, manifest = bundle()
    assert [a["episode_id"] for a in manifest["airings"]] == [episodes["drama"]]
    assert not any(survivor[:8] in f["name"] for f in manifest["files"])
    assert not any(survivor[:8] in name for name in archive.namelist())
    for name in archive.namelist():
        assert survivor.encode() not in archive.read(name) and b"survivor story" not in archive.read(name)
    assert "X-RADIO-EPISODE-ID:" + episodes["drama"] in archive.read("schedule.ics").decode()
    assert client.get(url).headers["ETag"] != before  # a station that fetched the week sees it changed
    assert survivor.encode() not in client.get(feed_path(padma["podcast_url"])).data
    calendar = client.get(feed_path(padma["calendar_url"])).data.decode()
    assert "STATUS:CANCELLED" in calendar and survivor not in calendar
