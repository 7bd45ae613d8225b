"""Reach report benchmark: one year, 20 stations, 10,000 planned airings, 100,000 feedback rows.

Run:  .venv/bin/python tests/benchmarks/bench_reports.py [--runs R] [--database-url URL]

Builds a fresh database with the real migrations (SQLite in a temporary folder unless ``--database-url``):
20 stations in three districts, 60 episodes of one campaign, 500 weekly series of 12 airings and 4,000
one-offs in 2026 (10,000 planned airings), and 100,000 feedback rows spread over the airings (FeedbackReport
rows stand in for the inbound SMS / missed-call rows of issue 15, which the report will read as many rows).
Then times, through the Flask test client as an admin (the real views, read-only session):

* ``GET /api/v1/reports/reach`` for the whole year (goal <= 500 ms) and for one station and one quarter,
* ``GET /api/v1/reports/reach.xlsx`` and ``.pdf`` (bn) for the whole year (goal: PDF <= 3 s),
* ``GET /healthz`` as the baseline cost of one request through the app.

Each figure is the median of R runs. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert  # noqa: E402

from radio.config import load_settings  # noqa: E402
from radio.db import new_id, utcnow  # noqa: E402
from radio.migrate import upgrade  # noqa: E402
from radio.runtime import Runtime  # noqa: E402

STATIONS, SERIES, ONE_OFFS, FEEDBACK = 20, 500, 4000, 100_000
DISTRICTS = ("Dhaka", "Narsingdi", "Manikganj")


def build(runtime: Runtime) -> str:
    """Fill the database; returns an admin's API token."""
    from episodes.models import Episode
    from radio.auth import create_user, issue_token
    from schedule.models import Broadcast, FeedbackReport, Station
    from schedule.recurrence import format_local, wall_to_utc, zone

    rng = random.Random(16)
    tz = zone("Asia/Dhaka")
    now = utcnow()
    with runtime.session() as session:
        stations = [Station(slug=f"radio-{i:02d}", name=f"Radio {i:02d}", name_bn=f"রেডিও পদ্মা {i:02d}",
                            district=DISTRICTS[i % 3]) for i in range(STATIONS)]
        episodes = [Episode(title=f"মানব পাচার প্রতিরোধ নাটক — পর্ব {i}", kind=rng.choice(["drama", "psa", "talk"]),
                            sha256=f"{i:064x}", duration_s=600.0, broadcast_duration_s=899.0,
                            broadcast_sha256=f"{i + 10**6:064x}", broadcast_size_bytes=10**6, status="ready",
                            campaign="safe-migration") for i in range(60)]
        session.add_all([*stations, *episodes])
        session.flush()
        station_ids, episode_ids = [s.id for s in stations], [e.id for e in episodes]
        token = issue_token(session, create_user(session, "bench@example.org", "admin", password="bench bench"))
    broadcasts, occurrences = [], []
    first = dt.datetime(2026, 1, 1, 6, 0)
    for i in range(SERIES + ONE_OFFS):
        series = i < SERIES
        station = station_ids[i % STATIONS]
        slot = i // STATIONS  # each booking of a station on its own 20-minute slot: no overlaps
        if series:
            wall = first + dt.timedelta(days=(slot * 7) // 20 % 260, minutes=20 * (slot % 40))
        else:
            wall = first + dt.timedelta(days=slot * 364 // (ONE_OFFS // STATIONS), hours=14,
                                        minutes=20 * (slot % 12))
        start = wall_to_utc(wall, tz)
        bid = new_id()
        count = 12 if series else 1
        broadcasts.append({
            "id": bid, "station_id": station, "episode_id": rng.choice(episode_ids), "tzid": "Asia/Dhaka",
            "local_start": format_local(wall), "starts_at": start, "duration_s": 900.0,
            "rrule": "FREQ=WEEKLY;COUNT=12" if series else None, "exdates": [],
            "series_end": start + dt.timedelta(weeks=count - 1, seconds=900),
            "status": "confirmed", "sequence": 1, "notes": "", "created_at": now, "updated_at": now})
        for week in range(count):
            key = wall + dt.timedelta(weeks=week)
            occurrences.append((bid, station, broadcasts[-1]["episode_id"], key))
    reports = []
    for _ in range(FEEDBACK):
        bid, station, episode, key = rng.choice(occurrences)
        reports.append({"id": new_id(), "broadcast_id": bid, "station_id": station, "episode_id": episode,
                        "occurrence_key": format_local(key), "occurrence_start": wall_to_utc(key, tz),
                        "calls": rng.randint(0, 3), "sms": rng.randint(0, 3), "missed_calls": rng.randint(0, 5),
                        "letters": 0, "in_person": rng.randint(0, 2), "notes": "", "current": True,
                        "created_at": now})
    for table, rows in ((Broadcast, broadcasts), (FeedbackReport, reports)):
        for chunk in range(0, len(rows), 1000):
            with runtime.engine.begin() as conn:
                conn.execute(insert(table), rows[chunk:chunk + 1000])
    if runtime.engine.dialect.name == "postgresql":
        with runtime.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    print(f"{len(broadcasts)} bookings, {len(occurrences)} planned airings, {len(reports)} feedback rows")
    return token


def timed(func, runs: int) -> tuple[float, object]:
    """Median seconds of ``runs`` calls and the last result."""
    samples, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = func()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    from web import create_app

    with tempfile.TemporaryDirectory() as home:
        settings = load_settings({"RADIO_HOME": home, "RADIO_DATABASE_URL": args.database_url,
                                  "RADIO_SECRET_KEY": "bench", "RADIO_LOG_LEVEL": "WARNING"}, environ={})
        runtime = Runtime.from_settings(settings)
        upgrade(runtime.engine)
        t = time.perf_counter()
        token = build(runtime)
        print(f"database: {runtime.engine.dialect.name}; built in {time.perf_counter() - t:.1f} s")
        client = create_app(runtime=runtime).test_client()
        headers = {"Authorization": f"Bearer {token}"}
        year = "from=2026-01-01&to=2026-12-31&campaign=safe-migration"

        def get(path: str):
            def run():
                response = client.get(path, headers=headers)
                assert response.status_code == 200, response.get_data(as_text=True)[:500]
                return response.data
            return run

        base_s, _ = timed(lambda: client.get("/healthz"), args.runs * 5)
        json_s, body = timed(get(f"/api/v1/reports/reach?{year}"), args.runs)
        one_s, _ = timed(get("/api/v1/reports/reach?station=radio-03&from=2026-04-01&to=2026-06-30"), args.runs)
        xlsx_s, xlsx = timed(get(f"/api/v1/reports/reach.xlsx?{year}"), max(3, args.runs // 2))
        pdf_s, pdf = timed(get(f"/api/v1/reports/reach.pdf?{year}&lang=bn"), max(3, args.runs // 2))
        import json
        totals = json.loads(body)["totals"]
        print(f"report: planned {totals['planned']}, feedback rows {totals['feedback_reports']}, "
              f"JSON {len(body) / 1e3:.0f} kB, XLSX {len(xlsx) / 1e3:.0f} kB, PDF {len(pdf) / 1e3:.0f} kB")
        print(f"baseline GET /healthz:                        {base_s * 1000:8.1f} ms")
        print(f"reach JSON, whole year (goal <= 500 ms):       {json_s * 1000:8.1f} ms  "
              f"({json_s / base_s:.0f}x baseline)")
        print(f"reach JSON, one station, one quarter:          {one_s * 1000:8.1f} ms")
        print(f"reach XLSX, whole year:                        {xlsx_s * 1000:8.1f} ms")
        print(f"reach PDF (bn), whole year (goal <= 3000 ms):  {pdf_s * 1000:8.1f} ms  (JSON part of it: "
              f"{json_s / pdf_s:.0%})")
        runtime.close()


if __name__ == "__main__":
    main()
