"""Reach report benchmark: one year, 20 stations, 10,000 planned airings, 100,000 inbound messages.

Run:  .venv/bin/python tests/benchmarks/bench_reports.py [--runs R] [--database-url URL] [--profile WHAT]

Builds a fresh database with the real migrations (SQLite in a temporary folder; with ``--database-url`` a fresh
database ``bench_reports_<pid>`` on that PostgreSQL server, dropped at the end): 20 stations in three districts,
60 episodes of one campaign, 500 weekly series of 12 airings and 4,000 one-offs in 2026 (10,000 planned airings),
airing confirmations (≈60 % aired, 8 % partial, 12 % missed with reasons, the rest unconfirmed; 5 % of them
corrected, so an earlier row is no longer current), 100,000 inbound gateway messages (``InboundMessage``: SMS and
missed calls from 25,000 listeners, most attributed to the airing on air, some unattributed, some confirmations)
and 10,000 hand-entered feedback reports. Then times, through the Flask test client as an admin (the real views,
read-only session):

* ``GET /api/v1/reports/reach`` for the whole year (goal <= 500 ms) and for one station and one quarter,
* ``GET /api/v1/reports/reach.csv`` and ``.xlsx`` for the whole year,
* ``GET /api/v1/reports/reach.pdf`` in bn and en for the whole year (goal: PDF <= 3 s),
* ``GET /healthz`` as the baseline cost of one request through the app.

Each figure is the median of R runs, wall clock and CPU (``time.process_time``: this process only, so figures
stay comparable on a shared machine; PostgreSQL's own work is in wall only). The load average is printed beside.
``--profile json|csv|xlsx|pdf`` prints the cProfile top 25 (cumulative) of one request. Asserts nothing on time.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from radio.config import load_settings  # noqa: E402
from radio.db import new_id, utcnow  # noqa: E402
from radio.migrate import upgrade  # noqa: E402
from radio.runtime import Runtime  # noqa: E402

STATIONS, SERIES, ONE_OFFS, MESSAGES, ENTERED, LISTENERS = 20, 500, 4000, 100_000, 10_000, 25_000
DISTRICTS = ("Dhaka", "Narsingdi", "Manikganj")
REASONS = ("power_cut", "technical", "preempted", "other")
YEAR = "from=2026-01-01&to=2026-12-31&campaign=safe-migration"


def _bookings(station_ids: list[str], episode_ids: list[str], rng: random.Random, now: dt.datetime
              ) -> tuple[list[dict], list[tuple]]:
    from schedule.recurrence import format_local, wall_to_utc, zone

    tz = zone("Asia/Dhaka")
    broadcasts, occurrences = [], []
    first = dt.datetime(2026, 1, 1, 6, 0)
    for i in range(SERIES + ONE_OFFS):
        series = i < SERIES
        station = station_ids[i % STATIONS]
        # each booking of a station on its own 20-minute slot: no overlaps, all in 2026
        slot = (i if series else i - SERIES) // STATIONS
        if series:
            wall = first + dt.timedelta(days=(slot * 7) // 20 % 260, minutes=20 * (slot % 40))
        else:
            wall = first + dt.timedelta(days=slot * 364 // (ONE_OFFS // STATIONS), hours=14,
                                        minutes=20 * (slot % 12))
        start = wall_to_utc(wall, tz)
        bid = new_id()
        count = 12 if series else 1
        episode = rng.choice(episode_ids)
        broadcasts.append({
            "id": bid, "station_id": station, "episode_id": episode, "tzid": "Asia/Dhaka",
            "local_start": format_local(wall), "starts_at": start, "duration_s": 900.0,
            "rrule": "FREQ=WEEKLY;COUNT=12" if series else None, "exdates": [],
            "series_end": start + dt.timedelta(weeks=count - 1, seconds=900),
            "status": "confirmed", "sequence": 1, "notes": "", "created_at": now, "updated_at": now})
        for week in range(count):
            key = wall + dt.timedelta(weeks=week)
            occurrences.append((bid, station, episode, format_local(key), wall_to_utc(key, tz)))
    return broadcasts, occurrences


def _confirmations(occurrences: list[tuple], rng: random.Random, now: dt.datetime) -> list[dict]:
    rows = []
    for bid, station, _, key, start in occurrences:
        draw = rng.random()
        if draw >= 0.8:
            continue  # unconfirmed
        status = "aired" if draw < 0.6 else "partial" if draw < 0.68 else "missed"
        reason = rng.choice(REASONS) if status != "aired" else None
        base = {"broadcast_id": bid, "station_id": station, "occurrence_key": key, "occurrence_start": start,
                "aired_at": start if status != "missed" else None, "via": rng.choice(("web", "api", "sms")),
                "notes": "", "created_at": now}
        if rng.random() < 0.05:  # corrected later: the first report is history
            rows.append({**base, "id": new_id(), "status": "missed", "reason": "other", "current": False})
        rows.append({**base, "id": new_id(), "status": status, "reason": reason, "current": True})
    return rows


def _messages(occurrences: list[tuple], station_ids: list[str], rng: random.Random, now: dt.datetime
              ) -> list[dict]:
    dhaka = dt.timezone(dt.timedelta(hours=6))
    listeners = [hashlib.sha256(f"listener {n}".encode()).hexdigest() for n in range(LISTENERS)]
    rows = []
    for n in range(MESSAGES):
        bid, station, episode, key, start = rng.choice(occurrences)
        draw = rng.random()
        purpose = "feedback"
        if draw < 0.85:  # during or just after the airing: attributed to it
            at = start + dt.timedelta(minutes=rng.uniform(0, 60))
        elif draw < 0.97:  # outside any airing: feedback of the station, no episode
            at = start + dt.timedelta(hours=rng.uniform(3, 20))
            bid = episode = key = None
        else:
            at = start + dt.timedelta(minutes=rng.uniform(0, 30))
            purpose = "confirmation"
        kind = "sms" if purpose == "confirmation" or rng.random() < 0.6 else "missed_call"
        rows.append({"id": new_id(), "station_id": station, "provider": "json", "provider_id": f"m{n}",
                     "kind": kind, "sender_hash": rng.choice(listeners), "text": "ভালো লেগেছে" if kind == "sms" else "",
                     "at": at, "local_day": at.astimezone(dhaka).date().isoformat(), "purpose": purpose,
                     "broadcast_id": bid, "occurrence_key": key, "episode_id": episode, "created_at": now})
    return rows


def _entered(occurrences: list[tuple], rng: random.Random, now: dt.datetime) -> list[dict]:
    rows = []
    for _ in range(ENTERED):
        bid, station, episode, key, start = rng.choice(occurrences)
        rows.append({"id": new_id(), "broadcast_id": bid, "station_id": station, "episode_id": episode,
                     "occurrence_key": key, "occurrence_start": start,
                     "calls": rng.randint(0, 3), "sms": rng.randint(0, 3), "missed_calls": rng.randint(0, 5),
                     "letters": rng.randint(0, 1), "in_person": rng.randint(0, 2), "notes": "",
                     "current": rng.random() > 0.05, "created_at": now})
    return rows


def build(runtime: Runtime) -> str:
    """Fill the database; returns an admin's API token."""
    from episodes.models import Episode
    from radio.auth import create_user, issue_token
    from schedule.models import AiringReport, Broadcast, FeedbackReport, InboundMessage, Station

    rng = random.Random(16)
    now = utcnow()
    with runtime.session() as session:
        stations = [Station(slug=f"radio-{i:02d}", name=f"Radio {i:02d}", name_bn=f"রেডিও পদ্মা {i:02d}",
                            district=DISTRICTS[i % 3]) for i in range(STATIONS)]
        episodes = [Episode(title=f"মানব পাচার প্রতিরোধ নাটক — পর্ব {i}", title_en=f"Stop trafficking, part {i}",
                            kind=rng.choice(["drama", "psa", "talk"]),
                            sha256=f"{i:064x}", duration_s=600.0, broadcast_duration_s=899.0,
                            broadcast_sha256=f"{i + 10**6:064x}", broadcast_size_bytes=10**6, status="ready",
                            campaign="safe-migration") for i in range(60)]
        session.add_all([*stations, *episodes])
        session.flush()
        station_ids, episode_ids = [s.id for s in stations], [e.id for e in episodes]
        token = issue_token(session, create_user(session, "bench@example.org", "admin", password="bench bench"))
    broadcasts, occurrences = _bookings(station_ids, episode_ids, rng, now)
    confirmations = _confirmations(occurrences, rng, now)
    messages = _messages(occurrences, station_ids, rng, now)
    entered = _entered(occurrences, rng, now)
    for table, rows in ((Broadcast, broadcasts), (AiringReport, confirmations), (InboundMessage, messages),
                        (FeedbackReport, entered)):
        for chunk in range(0, len(rows), 1000):
            with runtime.engine.begin() as conn:
                conn.execute(insert(table), rows[chunk:chunk + 1000])
    with runtime.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    print(f"{len(broadcasts)} bookings, {len(occurrences)} planned airings, {len(confirmations)} confirmations, "
          f"{len(messages)} inbound messages, {len(entered)} hand-entered feedback reports")
    return token


def timed(func, runs: int) -> tuple[float, float, object]:
    """Median wall seconds and median CPU seconds of ``runs`` calls, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        result = func()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - t)
    return statistics.median(walls), statistics.median(cpus), result


def _fresh_pg(url: str) -> tuple[str, object]:
    """A new empty database on the server of ``url`` and a function that drops it."""
    name = f"bench_reports_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", choices=("json", "quarter", "csv", "xlsx", "pdf", "pdf-en"))
    parser.add_argument("--keep", metavar="DIR", help="SQLite: build once into the home DIR and reuse it")
    args = parser.parse_args()

    from web import create_app

    url, drop = _fresh_pg(args.database_url) if args.database_url else ("", None)
    try:
        with tempfile.TemporaryDirectory() as temporary:
            home = args.keep or temporary
            settings = load_settings({"RADIO_HOME": home, "RADIO_DATABASE_URL": url,
                                      "RADIO_SECRET_KEY": "bench", "RADIO_LOG_LEVEL": "WARNING"}, environ={})
            runtime = Runtime.from_settings(settings)
            kept = Path(home, "bench-token")
            upgrade(runtime.engine)
            t = time.perf_counter()
            if args.keep and kept.exists():
                token = kept.read_text()
            else:
                token = build(runtime)
                if args.keep:
                    kept.write_text(token)
            print(f"database: {runtime.engine.dialect.name}; built in {time.perf_counter() - t:.1f} s")
            run(create_app(runtime=runtime).test_client(), token, args)
            runtime.close()
    finally:
        if drop is not None:
            drop()


def run(client, token: str, args) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    def get(path: str):
        def call():
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
            return response.data
        return call

    paths = {"json": f"/api/v1/reports/reach?{YEAR}",
             "quarter": "/api/v1/reports/reach?station=radio-03&from=2026-04-01&to=2026-06-30",
             "csv": f"/api/v1/reports/reach.csv?{YEAR}", "xlsx": f"/api/v1/reports/reach.xlsx?{YEAR}",
             "pdf": f"/api/v1/reports/reach.pdf?{YEAR}&lang=bn", "pdf-en": f"/api/v1/reports/reach.pdf?{YEAR}&lang=en"}
    get(paths["json"])()  # warm the app (first-request imports, font parsing) outside the figures
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(get(paths[args.profile]))
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        return
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    base = timed(lambda: client.get("/healthz"), args.runs * 5)
    figures = {name: timed(get(path), args.runs) for name, path in paths.items()}
    import json
    totals = json.loads(figures["json"][2])["totals"]
    print(f"report: planned {totals['planned']}, aired {totals['aired']}, partial {totals['partial']}, "
          f"missed {totals['missed']}, gateway {totals['feedback_by_source']['gateway']}, "
          f"unique senders {totals['unique_senders']}, entered reports {totals['feedback_reports']}")
    print("sizes: " + ", ".join(f"{n} {len(figures[n][2]) / 1e3:.0f} kB" for n in paths))
    goals = {"json": "goal <= 500 ms", "pdf": "goal <= 3000 ms", "pdf-en": "goal <= 3000 ms"}
    names = {"json": "reach JSON, whole year", "quarter": "reach JSON, one station, one quarter",
             "csv": "reach CSV, whole year", "xlsx": "reach XLSX, whole year", "pdf": "reach PDF (bn), whole year",
             "pdf-en": "reach PDF (en), whole year"}
    print(f"{'median of ' + str(args.runs):42} {'wall ms':>9} {'CPU ms':>9}")
    print(f"{'baseline GET /healthz':42} {base[0] * 1000:9.1f} {base[1] * 1000:9.1f}")
    for name in paths:
        wall, cpu, _ = figures[name]
        print(f"{names[name]:42} {wall * 1000:9.1f} {cpu * 1000:9.1f}  {goals.get(name, '')}")
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
