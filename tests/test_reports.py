"""Reach reports and the evidence summary: figures against an independent count, links to their rows, access,
CSV/XLSX read back, bad filters as clear 400s."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import openpyxl
import pytest
from schedule_helpers import create_station, make_episode
from sqlalchemy import select

from reports import sources
from schedule.models import FEEDBACK_COUNTS, FeedbackReport

PERIOD = {"from": "2026-01-01", "to": "2026-03-31"}
KINDS = FEEDBACK_COUNTS


def _ok(client, url, **params):
    response = client.get(url, query_string=params) if params else client.get(url)
    assert response.status_code == 200, response.get_json()
    return response


@pytest.fixture
def campaign(runtime, api_as):
    """Two stations in two districts, three bookings (one across the period's end), feedback on some airings."""
    admin = api_as("admin")
    create_station(admin, "radio-padma", name="Radio Padma", name_bn="রেডিও পদ্মা", district="Narsingdi")
    create_station(admin, "radio-jamuna", name="Radio Jamuna", name_bn="রেডিও যমুনা", district="Manikganj")
    create_station(admin, "radio-meghna", name="Radio Meghna", district="Dhaka")
    producer = api_as("producer")
    drama = make_episode(runtime, title="ঘরে ফেরা — পর্ব ১", title_en="Coming home, part 1", duration_s=900.0)
    psa = make_episode(runtime, title="সতর্ক থাকুন", title_en="Stay alert", kind="psa")
    other = make_episode(runtime, title="Other campaign", campaign="health")

    def book(station, episode, start, rrule=None):
        body = {"station": station, "episode_id": episode, "start": start}
        if rrule:
            body["rrule"] = rrule
        response = producer.post("/api/v1/broadcasts", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    weekly = book("radio-padma", drama, "2026-01-05T20:00", "FREQ=WEEKLY;COUNT=8")  # 8 airings Jan 5 – Feb 23
    daily = book("radio-jamuna", psa, "2026-03-29T08:00", "FREQ=DAILY;COUNT=5")  # 3 in March, 2 in April
    late = book("radio-padma", psa, "2026-03-31T23:30")  # 17:30 UTC: still 31 March in Dhaka
    after = book("radio-padma", psa, "2026-04-01T00:15")  # 31 March in UTC, 1 April in Dhaka: outside
    book("radio-meghna", other, "2026-02-01T10:00")  # another campaign
    feedback = [(weekly, "2026-01-05", {"calls": 3, "sms": 10, "missed_calls": 40}),
                (weekly, "2026-02-02", {"calls": 1, "letters": 2, "in_person": 7}),
                (daily, "2026-03-30", {"sms": 5, "missed_calls": 9}),
                (daily, "2026-04-01", {"calls": 100}),  # outside the period
                (late, None, {"in_person": 4})]
    for broadcast, occurrence, counts in feedback:
        body = {**counts, **({"occurrence": occurrence} if occurrence else {})}
        r = producer.post(f"/api/v1/broadcasts/{broadcast['id']}/feedback", json=body)
        assert r.status_code == 201, r.get_json()
    # A correction: only the current report counts.
    r = producer.post(f"/api/v1/broadcasts/{weekly['id']}/feedback",
                      json={"occurrence": "2026-01-05", "calls": 4, "sms": 10, "missed_calls": 40})
    assert r.status_code == 201
    return {"producer": producer, "admin": admin, "drama": drama, "psa": psa, "other": other,
            "weekly": weekly, "daily": daily, "late": late, "after": after}


def _independent_feedback(runtime, station_slugs, first, last):
    """Current feedback summed straight from the rows, by the local (UTC+6) date of the airing."""
    from schedule.models import Station
    with runtime.session() as session:
        rows = session.execute(select(FeedbackReport, Station.slug).join(Station)
                               .where(FeedbackReport.current.is_(True))).all()
        sums = Counter()
        for report, slug in rows:
            local = (report.occurrence_start + dt.timedelta(hours=6)).date()
            if slug in station_slugs and first <= local <= last:
                for kind in KINDS:
                    sums[kind] += getattr(report, kind)
        return {k: sums[k] for k in KINDS}


def test_reach_figures_match_an_independent_count(runtime, campaign) -> None:
    body = _ok(campaign["producer"], "/api/v1/reports/reach", campaign="safe-migration", **PERIOD).get_json()
    totals = body["totals"]
    # 8 weekly + 3 daily in March + the 23:30 one-off = 12 planned; the 00:15 one on 1 April is outside.
    assert totals["planned"] == 12 and totals["unconfirmed"] == 12
    assert totals["aired"] == totals["partial"] == totals["missed"] == 0
    assert totals["minutes_planned"] == pytest.approx(8 * 15 + 4 * 898 / 60, abs=0.2)
    assert totals["minutes_aired"] == 0 and totals["share_delivered"] == 0
    expected = _independent_feedback(runtime, {"radio-padma", "radio-jamuna"}, dt.date(2026, 1, 1),
                                     dt.date(2026, 3, 31))
    assert expected == {"calls": 5, "sms": 15, "missed_calls": 49, "letters": 2, "in_person": 11}
    assert totals["feedback"] == expected
    assert totals["feedback_by_source"]["entered"] == expected
    assert totals["feedback_by_source"]["gateway"] == dict.fromkeys(KINDS, 0)
    assert totals["unique_senders"] == 0
    stations = {r["station"]: r for r in body["by_station"]}
    assert set(stations) == {"radio-padma", "radio-jamuna"}  # radio-meghna aired only another campaign
    assert stations["radio-padma"]["planned"] == 9 and stations["radio-jamuna"]["planned"] == 3
    assert stations["radio-jamuna"]["feedback"]["missed_calls"] == 9
    assert {r["district"]: r["planned"] for r in body["by_district"]} == {"Narsingdi": 9, "Manikganj": 3}
    months = {r["month"]: r["planned"] for r in body["by_month"]}
    assert months == {"2026-01": 4, "2026-02": 4, "2026-03": 4}
    episodes = {r["episode_id"]: r for r in body["by_episode"]}
    assert episodes[campaign["drama"]]["planned"] == 8 and episodes[campaign["psa"]]["planned"] == 4
    assert episodes[campaign["drama"]]["feedback"]["calls"] == 5
    for name in ("by_station", "by_district", "by_month", "by_episode"):
        assert sum(r["planned"] for r in body[name]) == totals["planned"], name
        assert sum(r["feedback_total"] for r in body[name]) == totals["feedback_total"], name


def test_every_figure_links_to_the_rows_behind_it(campaign) -> None:
    producer = campaign["producer"]
    body = _ok(producer, "/api/v1/reports/reach", campaign="safe-migration", **PERIOD).get_json()
    for row in [body["totals"], *body["by_station"], *body["by_district"], *body["by_month"], *body["by_episode"]]:
        airings = _ok(producer, row["links"]["airings"]).get_json()
        assert airings["total"] == row["planned"]
        assert Counter(a["status"] for a in airings["items"])["unconfirmed"] == row["unconfirmed"]
        assert sum(a["minutes"] for a in airings["items"]) == pytest.approx(row["minutes_planned"], abs=0.2)
        feedback = _ok(producer, row["links"]["feedback"]).get_json()["items"]
        assert {k: sum(f[k] for f in feedback) for k in KINDS} == row["feedback"]
    late = [a for a in _ok(producer, body["totals"]["links"]["airings"]).get_json()["items"]
            if a["broadcast_id"] == campaign["late"]["id"]]
    assert late and late[0]["local_date"] == "2026-03-31"


def test_the_bangla_report_labels_rows_in_bangla(campaign) -> None:
    body = _ok(campaign["producer"], "/api/v1/reports/reach", lang="bn", **PERIOD).get_json()
    labels = {r["station"]: r["label"] for r in body["by_station"]}
    assert labels["radio-padma"] == "রেডিও পদ্মা" and labels["radio-meghna"] == "Radio Meghna"
    en = _ok(campaign["producer"], "/api/v1/reports/reach", lang="en", **PERIOD).get_json()
    assert {r["label"] for r in en["by_episode"]} >= {"Coming home, part 1", "Stay alert"}
    assert en["totals"]["planned"] == 13  # no campaign filter: radio-meghna's airing counts too


def test_filters_by_station_district_and_episode(campaign) -> None:
    producer = campaign["producer"]
    one = _ok(producer, "/api/v1/reports/reach", station="radio-jamuna", **PERIOD).get_json()
    assert one["totals"]["planned"] == 3 and [r["station"] for r in one["by_station"]] == ["radio-jamuna"]
    both = producer.get("/api/v1/reports/reach?station=radio-jamuna&station=radio-padma&from=2026-01-01&to=2026-03-31")
    assert both.get_json()["totals"]["planned"] == 12
    district = _ok(producer, "/api/v1/reports/reach", district="narsingdi", **PERIOD).get_json()
    assert district["totals"]["planned"] == 9
    episode = _ok(producer, "/api/v1/reports/reach", episode_id=campaign["psa"], **PERIOD).get_json()
    assert episode["totals"]["planned"] == 4
    march = _ok(producer, "/api/v1/reports/reach", **{"from": "2026-03-31", "to": "2026-03-31"}).get_json()
    assert march["totals"]["planned"] == 2  # the 08:00 daily airing and the 23:30 one-off, both local 31 March


def test_airing_status_comes_from_one_function(monkeypatch, campaign) -> None:
    def statuses(session, airings):
        out = {}
        for i, a in enumerate(airings):
            out[(a.broadcast_id, a.occurrence)] = [
                sources.AiringStatus("aired"), sources.AiringStatus("missed", "power_cut"),
                sources.AiringStatus("partial", aired_s=300.0), sources.AiringStatus()][i % 4]
        return out

    monkeypatch.setattr("reports.reach.airing_statuses", statuses)
    body = _ok(campaign["producer"], "/api/v1/reports/reach", campaign="safe-migration", **PERIOD).get_json()
    totals = body["totals"]
    assert (totals["aired"], totals["missed"], totals["partial"], totals["unconfirmed"]) == (3, 3, 3, 3)
    assert totals["missed_by_reason"] == {"power_cut": 3, "technical": 0, "preempted": 0, "other": 0}
    assert 0 < totals["share_delivered"] < 1
    # Every airing has the same length: aired ones count whole, a partial one the 300 s its confirmation gives.
    assert totals["minutes_aired"] == pytest.approx(3 * totals["minutes_planned"] / 12 + 3 * 5, abs=0.2)


def test_access_roles(api_as, campaign) -> None:
    padma = api_as("station", station="radio-padma")
    own = _ok(padma, "/api/v1/reports/reach", **PERIOD).get_json()
    assert [r["station"] for r in own["by_station"]] == ["radio-padma"] and own["totals"]["planned"] == 9
    assert padma.get("/api/v1/reports/reach", query_string={"station": "radio-jamuna", **PERIOD}).status_code == 404
    assert padma.get("/api/v1/reports/reach/airings", query_string={"station": "radio-jamuna"}).status_code == 404
    rows = _ok(padma, "/api/v1/reports/reach/airings", **PERIOD).get_json()
    assert {a["station"] for a in rows["items"]} == {"radio-padma"}
    researcher = api_as("researcher")
    assert researcher.get("/api/v1/reports/reach", query_string=PERIOD).status_code == 403
    assert _ok(researcher, "/api/v1/reports/evidence", **PERIOD).get_json()["totals"]["applications"] == 0
    assert padma.get("/api/v1/reports/evidence", query_string=PERIOD).status_code == 403
    anonymous = campaign["producer"].client
    assert anonymous.get("/api/v1/reports/reach").status_code == 401


@pytest.mark.parametrize(("params", "code", "field"), [
    ({"from": "2026-02-30"}, "invalid_date", "from"),
    ({"from": "yesterday"}, "invalid_date", "from"),
    ({"from": "2026-03-01", "to": "2026-01-01"}, "invalid_period", "to"),
    ({"from": "2024-01-01", "to": "2026-01-01"}, "invalid_period", "to"),
    ({"from": "9999-01-01", "to": "9999-01-02"}, "invalid_date", "from"),
    ({"lang": "fr"}, "invalid_lang", "lang"),
    ({"campaign": "x" * 101}, "invalid_parameter", "campaign"),
    ({"campaign": "a\x00b"}, "invalid_parameter", "campaign"),
    ({"station": "no-such-station"}, "station_not_found", None),
])
def test_bad_filters_are_clear_400s(campaign, params, code, field) -> None:
    response = campaign["producer"].get("/api/v1/reports/reach", query_string=params)
    assert response.status_code in (400, 404), response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code
    if field:
        assert error["field"] == field


def test_default_period_is_the_last_full_quarter(campaign) -> None:
    scope = _ok(campaign["producer"], "/api/v1/reports/reach").get_json()["scope"]
    first, last = dt.date.fromisoformat(scope["from"]), dt.date.fromisoformat(scope["to"])
    assert first.day == 1 and first.month in (1, 4, 7, 10) and (last + dt.timedelta(days=1)).month in (1, 4, 7, 10)
    assert 89 <= (last - first).days <= 92


def test_csv_export_has_every_breakdown(campaign) -> None:
    response = _ok(campaign["producer"], "/api/v1/reports/reach.csv", campaign="safe-migration", **PERIOD)
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    by = Counter(r["breakdown"] for r in rows)
    assert by == {"totals": 1, "by_station": 2, "by_district": 2, "by_month": 3, "by_episode": 2}
    total = next(r for r in rows if r["breakdown"] == "totals")
    assert total["planned"] == "12" and total["sms"] == "15" and total["airings_url"].startswith("/api/v1/reports")


def test_xlsx_reads_back_with_numbers_dates_and_frozen_headers(campaign) -> None:
    response = _ok(campaign["producer"], "/api/v1/reports/reach.xlsx", campaign="safe-migration", lang="en",
                   **PERIOD)
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["about", "totals", "by_station", "by_district", "by_month", "by_episode"]
    about = {row[0].value: row[1].value for row in book["about"].iter_rows()}
    assert about["from"] == dt.datetime(2026, 1, 1) and isinstance(about["generated_at"], dt.datetime)
    stations = book["by_station"]
    header = [c.value for c in stations[1]]
    assert stations.freeze_panes == "D2" and header[:4] == ["station", "label", "district", "planned"]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in stations.iter_rows(min_row=2, values_only=True)}
    assert rows["radio-padma"]["planned"] == 9 and isinstance(rows["radio-padma"]["minutes_planned"], int | float)
    assert rows["radio-padma"]["label"] == "Radio Padma"
    months = [r[0] for r in book["by_month"].iter_rows(min_row=2, values_only=True)]
    assert months == [dt.datetime(2026, 1, 1), dt.datetime(2026, 2, 1), dt.datetime(2026, 3, 1)]
    assert book["by_month"].cell(2, 1).number_format == "yyyy-mm"
    totals = dict(zip([c.value for c in book["totals"][1]], next(book["totals"].iter_rows(min_row=2,
                                                                                          values_only=True)),
                      strict=True))
    assert totals["planned"] == 12 and totals["calls"] == 5 and totals["share_delivered"] == 0


def test_bangla_exports_have_bangla_headers_and_the_same_figures(campaign) -> None:
    producer = campaign["producer"]
    text = _ok(producer, "/api/v1/reports/reach.csv", campaign="safe-migration", lang="bn", **PERIOD).get_data(
        as_text=True)
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    total = next(r for r in rows if r["বিভাগ"] == "মোট")
    assert total["পরিকল্পিত"] == "12" and total["এসএমএস"] == "15" and total["মিসড কল (হাতে লেখা)"] == "49"
    assert {r["বিভাগ"] for r in rows} == {"মোট", "স্টেশন অনুযায়ী", "জেলা অনুযায়ী", "মাস অনুযায়ী", "পর্ব অনুযায়ী"}
    book = openpyxl.load_workbook(io.BytesIO(_ok(producer, "/api/v1/reports/reach.xlsx", campaign="safe-migration",
                                                 lang="bn", **PERIOD).data))
    assert book.sheetnames == ["পরিচিতি", "মোট", "স্টেশন অনুযায়ী", "জেলা অনুযায়ী", "মাস অনুযায়ী", "পর্ব অনুযায়ী"]
    stations = book["স্টেশন অনুযায়ী"]
    header = [c.value for c in stations[1]]
    assert header[:4] == ["স্টেশন", "নাম", "জেলা", "পরিকল্পিত"] and len(set(header)) == len(header)
    by_slug = {r[0]: dict(zip(header, r, strict=True)) for r in stations.iter_rows(min_row=2, values_only=True)}
    assert by_slug["radio-padma"]["পরিকল্পিত"] == 9 and by_slug["radio-padma"]["নাম"] == "রেডিও পদ্মা"
    about = {row[0].value: row[1].value for row in book["পরিচিতি"].iter_rows()}
    assert about["শুরু"] == dt.datetime(2026, 1, 1)


def test_a_partial_airing_without_its_length_counts_no_minutes(campaign) -> None:
    """A confirmation says aired, partial or missed but not how long a partial airing ran: it counts as
    delivered (aired + partial) in the airings figures and 0 minutes in the airtime figures."""
    producer, weekly = campaign["producer"], campaign["weekly"]
    for occurrence, status in (("2026-01-05", "aired"), ("2026-01-12", "partial")):
        r = producer.post(f"/api/v1/broadcasts/{weekly['id']}/airings", json={"occurrence": occurrence,
                                                                              "status": status})
        assert r.status_code == 201, r.get_json()
    totals = _ok(producer, "/api/v1/reports/reach", campaign="safe-migration", **PERIOD).get_json()["totals"]
    assert (totals["aired"], totals["partial"]) == (1, 1)
    assert totals["minutes_aired"] == 15.0  # the aired drama's 15 minutes; the partial one adds nothing
    assert totals["share_delivered"] == pytest.approx(15 * 60 / (totals["minutes_planned"] * 60), abs=1e-3)


def test_cancelled_bookings_and_skipped_occurrences_are_not_planned(campaign) -> None:
    producer = campaign["producer"]
    assert producer.delete(f"/api/v1/broadcasts/{campaign['late']['id']}").status_code in (200, 204)
    r = producer.delete(f"/api/v1/broadcasts/{campaign['weekly']['id']}", query_string={"occurrence": "2026-01-12"})
    assert r.status_code in (200, 204), r.get_json()
    body = _ok(producer, "/api/v1/reports/reach", campaign="safe-migration", **PERIOD).get_json()
    assert body["totals"]["planned"] == 10  # 12, less the cancelled one-off and the skipped 12 January
    stations = {r["station"]: r["planned"] for r in body["by_station"]}
    assert stations == {"radio-padma": 7, "radio-jamuna": 3}
    airings = _ok(producer, body["totals"]["links"]["airings"]).get_json()["items"]
    assert len(airings) == 10 and campaign["late"]["id"] not in {a["broadcast_id"] for a in airings}
    assert not [a for a in airings if a["broadcast_id"] == campaign["weekly"]["id"]
                and a["local_date"] == "2026-01-12"]


def test_gateway_counts_and_unique_senders_match_the_rows(runtime, campaign) -> None:
    """The database's GROUP BY and COUNT(DISTINCT) (SQLite and PostgreSQL) against counts made here from the
    rows: messages of several listeners at both stations, in and out of airings, and some not feedback."""
    import random

    from schedule.models import InboundMessage, Station

    rng = random.Random(7)
    dhaka = dt.timezone(dt.timedelta(hours=6))
    expected_rows = []
    with runtime.session() as session:
        stations = {s.slug: s for s in session.scalars(select(Station))}
        for n in range(400):
            slug = rng.choice(["radio-padma", "radio-jamuna", "radio-meghna"])
            at = dt.datetime(2025, 12, 31, 12, tzinfo=dt.UTC) + dt.timedelta(hours=rng.uniform(0, 24 * 100))
            episode = rng.choice([campaign["drama"], campaign["psa"], campaign["other"], None])
            kind = rng.choice(["sms", "sms", "missed_call"])
            purpose = "feedback" if rng.random() < 0.9 else "confirmation"
            local_day = at.astimezone(dhaka).date()
            sender = f"{rng.randrange(60):064x}"
            session.add(InboundMessage(station_id=stations[slug].id, provider="json", provider_id=f"t{n}", kind=kind,
                                       sender_hash=sender, text="", at=at, local_day=local_day.isoformat(),
                                       purpose=purpose, episode_id=episode))
            expected_rows.append((slug, stations[slug].district, episode, local_day, kind, purpose, sender))
    body = _ok(campaign["producer"], "/api/v1/reports/reach", campaign="safe-migration", **PERIOD).get_json()
    # Every station is in a report without a station filter; a message outside any airing is its station's.
    counted = [r for r in expected_rows if r[5] == "feedback"
               and PERIOD["from"] <= r[3].isoformat() <= PERIOD["to"] and r[2] != campaign["other"]]
    sms = [r for r in counted if r[4] == "sms"]
    gateway = body["totals"]["feedback_by_source"]["gateway"]
    assert gateway["sms"] == len(sms) and gateway["missed_calls"] == len(counted) - len(sms)
    assert body["totals"]["unique_senders"] == len({r[6] for r in sms})
    for name, key, of in (("by_station", "station", 0), ("by_district", "district", 1),
                          ("by_month", "month", 3), ("by_episode", "episode_id", 2)):
        def key_of(r, of=of):
            return r[of].isoformat()[:7] if of == 3 else r[of]
        for row in body[name]:
            mine = [r for r in sms if key_of(r) == row[key]]
            assert row["unique_senders"] == len({r[6] for r in mine}), (name, row[key])
            assert row["feedback_by_source"]["gateway"]["sms"] == len(mine), (name, row[key])
    assert sum(r["feedback_by_source"]["gateway"]["sms"] for r in body["by_episode"]) == len(
        [r for r in sms if r[2] is not None])


def test_a_formula_looking_title_stays_text(runtime, campaign) -> None:
    episode = make_episode(runtime, title="=HYPERLINK(\"http://x\")", campaign="safe-migration")
    r = campaign["producer"].post("/api/v1/broadcasts", json={"station": "radio-jamuna", "episode_id": episode,
                                                              "start": "2026-02-10T10:00"})
    assert r.status_code == 201
    response = _ok(campaign["producer"], "/api/v1/reports/reach.xlsx", campaign="safe-migration", **PERIOD)
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["by_episode"]
    labels = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in labels


@pytest.fixture
def coded(runtime, api_as):
    """A Bangla call-in (Narsingdi), a restricted interview (Dhaka) with a phone number, a PSA; codes on each."""
    from tests.search_corpus import add_episode
    from transcripts.coding_models import Code, SegmentCode

    with runtime.session() as session:
        made = {}
        for name, title, texts, fields in (
            ("callin", "শ্রোতার ফোন", ["দালাল বলেছিল বিদেশে চাকরি", "পাসপোর্ট রেখে দিয়েছিল"],
             {"kind": "call_in", "districts": ["Narsingdi"], "recorded_on": dt.date(2026, 1, 10)}),
            ("interview", "Survivor interview", ["call me on 01712345678 or mail a@b.org"],
             {"kind": "interview", "districts": ["Dhaka"], "restricted": True, "consent": "none",
              "recorded_on": dt.date(2026, 2, 2)}),
            ("psa", "PSA", ["brokers lie"], {"kind": "psa", "districts": ["Manikganj", "Dhaka"],
                                            "recorded_on": dt.date(2026, 3, 3), "campaign": "awareness"}),
        ):
            fields.setdefault("campaign", "safe-migration")
            made[name] = add_episode(session, title, texts, language="bn", **fields)
        codes = {n: Code(name=n, name_key=n) for n in ("deception", "document_retention")}
        session.add_all(codes.values())
        session.flush()
        applied = [("callin", 0, "deception"), ("callin", 1, "document_retention"), ("interview", 0, "deception"),
                   ("psa", 0, "deception")]
        for episode_name, index, code in applied:
            episode, segments = made[episode_name]
            session.add(SegmentCode(segment_id=segments[index].id, code_id=codes[code].id, episode_id=episode.id,
                                    quote=segments[index].text))
        return {"codes": {n: c.id for n, c in codes.items()}, "episodes": {n: e.id for n, (e, _) in made.items()}}


def test_evidence_counts_codes_by_district_kind_and_month(api_as, coded) -> None:
    researcher = api_as("researcher")
    body = _ok(researcher, "/api/v1/reports/evidence", **PERIOD).get_json()
    deception, retention = coded["codes"]["deception"], coded["codes"]["document_retention"]
    assert body["totals"] == {"applications": 4, "segments": 4, "episodes": 3, "codes": 2}
    assert {c["name"]: c["count"] for c in body["codes"]} == {"deception": 3, "document_retention": 1}
    districts = {r["district"]: r["codes"] for r in body["by_district"]}
    assert districts == {"Dhaka": {deception: 2}, "Manikganj": {deception: 1},
                         "Narsingdi": {deception: 1, retention: 1}}
    assert {r["kind"]: r["total"] for r in body["by_kind"]} == {"call_in": 2, "interview": 1, "psa": 1}
    assert {r["month"]: r["total"] for r in body["by_month"]} == {"2026-01": 2, "2026-02": 1, "2026-03": 1}
    quote = next(q for q in body["quotes"] if q["episode_id"] == coded["episodes"]["interview"])
    assert "01712345678" not in quote["text"] and "a@b.org" not in quote["text"]
    assert quote["provenance"]["model"] == "test" and quote["start"] == 0.0
    only = _ok(researcher, "/api/v1/reports/evidence", campaign="safe-migration", district="narsingdi",
               **PERIOD).get_json()
    assert only["totals"]["applications"] == 2


def test_evidence_never_quotes_restricted_episodes_to_producers(api_as, coded) -> None:
    producer = api_as("producer")
    body = _ok(producer, "/api/v1/reports/evidence", quotes=100, **PERIOD).get_json()
    assert coded["episodes"]["interview"] not in {q["episode_id"] for q in body["quotes"]}
    assert body["totals"]["applications"] == 3
    admin = _ok(api_as("admin"), "/api/v1/reports/evidence", **PERIOD).get_json()
    assert admin["totals"]["applications"] == 4
    assert all("01712345678" not in q["text"] for q in admin["quotes"])  # redacted for admins too
    none = _ok(api_as("researcher"), "/api/v1/reports/evidence", quotes=0, **PERIOD).get_json()
    assert none["quotes"] == [] and none["totals"]["applications"] == 4



def test_reports_page_shows_figures_charts_and_downloads(app, runtime, campaign) -> None:
    from ui_helpers import login, page

    client = app.test_client()
    login(client, runtime, "producer")
    html = page(client, "/reports?campaign=safe-migration&from=2026-01-01&to=2026-03-31", lang="bn")
    assert "রেডিও পদ্মা" in html and "<svg" in html
    assert "/api/v1/reports/reach.xlsx?campaign=safe-migration" in html
    assert "/api/v1/reports/reach/airings?campaign=safe-migration" in html
    assert "১২" in html  # the planned total, in Bangla digits
    # month rows: Bangla digits and the Bengali calendar dates the month spans (1 Jan 2026 is ১৭ পৌষ ১৪৩২;
    # 21 Feb is ৮ ফাল্গুন, so 28 Feb is ১৫ ফাল্গুন)
    assert "২০২৬ (১৭ পৌষ – ১৭ মাঘ ১৪৩২ বঙ্গাব্দ)" in html
    assert "ফেব ২০২৬" in html and "২০২৬ (১৮ মাঘ – ১৫ ফাল্গুন ১৪৩২ বঙ্গাব্দ)" in html
    assert "<td>2026-0" not in html and ">2026-0" not in html and "জানু ২০২৬</text>" in html  # table and chart
    english = page(client, "/reports?campaign=safe-migration&from=2026-01-01&to=2026-03-31", lang="en")
    assert "Airings planned and delivered per station" in english
    assert "Jan 2026" in english and "বঙ্গাব্দ" not in english
    bad = page(client, "/reports?from=2026-03-01&to=2026-01-01", status=400)
    assert 'role="alert"' in bad


def test_confirmed_airings_and_gateway_messages_reach_the_report(runtime, campaign) -> None:
    """Issue 15's tables wired in: API confirmations and signed-gateway messages show in the figures."""
    import uuid

    from schedule.inbound import GatewayMessage, receive_message
    from schedule.models import Station

    producer, weekly = campaign["producer"], campaign["weekly"]
    for occurrence, body in (("2026-01-05", {"status": "aired"}),
                             ("2026-01-12", {"status": "missed", "reason": "power_cut"}),
                             ("2026-01-19", {"status": "partial"})):
        r = producer.post(f"/api/v1/broadcasts/{weekly['id']}/airings", json={"occurrence": occurrence, **body})
        assert r.status_code == 201, r.get_json()
    on_air = dt.datetime(2026, 1, 26, 14, 10, tzinfo=dt.UTC)  # during the 20:00 (UTC+6) airing of 26 January
    with runtime.session() as session:
        station = session.scalar(select(Station).where(Station.slug == "radio-padma"))
        for sender, kind in (("+8801711000001", "sms"), ("+8801711000001", "sms"), ("+8801711000002", "missed_call")):
            receive_message(session, station, GatewayMessage("json", uuid.uuid4().hex, kind, sender, "ভালো", on_air),
                            runtime.secret_key, window_h=2, now=on_air + dt.timedelta(minutes=1))
    body = _ok(producer, "/api/v1/reports/reach", campaign="safe-migration", station="radio-padma",
               **PERIOD).get_json()
    totals = body["totals"]
    assert (totals["aired"], totals["missed"], totals["partial"]) == (1, 1, 1)
    assert totals["missed_by_reason"]["power_cut"] == 1
    assert totals["feedback_by_source"]["gateway"]["sms"] == 2
    assert totals["feedback_by_source"]["gateway"]["missed_calls"] == 1
    assert totals["unique_senders"] == 1  # unique SMS senders: the missed call does not count
