"""Calendar feed benchmark: one station with 10,000 broadcasts, full render against the 304 path.

Run:  .venv/bin/python tests/benchmarks/bench_calendar.py [--broadcasts N] [--runs R] [--database-url URL]

Builds a fresh database with the real migrations (SQLite in a temporary folder unless ``--database-url``) and a
station with N broadcasts: 90 % one-offs, 10 % weekly series (COUNT=12) with a moved occurrence, and feedback on
some past occurrences. Then times, through the Flask test client (the real view, read session, headers):

* the first render, with no stored event blocks (every event rendered by icalendar), and the time it then takes
  to store the blocks (after the response, as the server does when it closes it),
* a cold render: stored blocks, fresh database connections, nothing else in memory (a restarted server),
* a warm render after one broadcast changed (its block is rendered again, the rest read from the database),
* a render after a booked episode's title changed (every block of that episode rendered again),
* the conditional GET that a subscribed client sends (If-None-Match → 304; nothing rendered),
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


def build(runtime: Runtime, n: int) -> tuple[str, str]:
    """Fill the database; returns the station slug and its calendar path."""
    from episodes.models import Episode
    from schedule.models import Broadcast, BroadcastOverride, FeedbackReport, Station
    from schedule.recurrence import format_local, wall_to_utc, zone
    from schedule.stations import feed_token

    rng = random.Random(6)
    tz = zone("Asia/Dhaka")
    now = utcnow()
    with runtime.session() as session:
        station = Station(slug="radio-padma", name="Radio Padma", name_bn="রেডিও পদ্মা", frequency="99.2 FM")
        session.add(station)
        episodes = [Episode(title=f"মানব পাচার প্রতিরোধ নাটক — পর্ব {i}", kind=rng.choice(["drama", "psa", "talk"]),
                            sha256=f"{i:064x}", duration_s=600.0, broadcast_duration_s=899.0 + i % 7,
                            broadcast_sha256=f"{i + 10**6:064x}", broadcast_size_bytes=10**6, status="ready",
                            campaign="safe-migration") for i in range(60)]
        session.add_all(episodes)
        session.flush()
        station_id, episode_ids = station.id, [e.id for e in episodes]
        token = feed_token(runtime.secret_key, station)
    broadcasts, overrides, reports = [], [], []
    first = dt.datetime(2025, 1, 1, 6, 0)
    n_series = n // 10
    for i in range(n):
        series = i < n_series
        # one-offs every 90 minutes; each series on its own hour slot and weekday (no overlaps)
        wall = (first + dt.timedelta(minutes=20 * i)) if series else (first + dt.timedelta(days=400, minutes=90 * i))
        start = wall_to_utc(wall, tz)
        bid = new_id()
        broadcasts.append({
            "id": bid, "station_id": station_id, "episode_id": rng.choice(episode_ids), "tzid": "Asia/Dhaka",
            "local_start": format_local(wall), "starts_at": start, "duration_s": 900.0,
            "rrule": "FREQ=WEEKLY;COUNT=12" if series else None, "exdates": [],
            "series_end": start + dt.timedelta(weeks=11, seconds=900) if series else start + dt.timedelta(seconds=900),
            "status": "confirmed", "sequence": 1, "notes": "", "created_at": now, "updated_at": now})
        if series and i % 5 == 0:
            key = wall + dt.timedelta(weeks=3)
            moved = key + dt.timedelta(days=1)
            overrides.append({"id": new_id(), "broadcast_id": bid, "station_id": station_id,
                              "recurrence_key": format_local(key),
                              "local_start": format_local(moved), "starts_at": wall_to_utc(moved, tz),
                              "duration_s": 900.0, "notes": "", "created_at": now, "updated_at": now})
        if series and i % 2 == 0:
            key = wall + dt.timedelta(weeks=1)
            reports.append({"id": new_id(), "broadcast_id": bid, "station_id": station_id,
                            "episode_id": broadcasts[-1]["episode_id"], "occurrence_key": format_local(key),
                            "occurrence_start": wall_to_utc(key, tz), "calls": rng.randint(0, 40),
                            "sms": rng.randint(0, 20), "missed_calls": rng.randint(0, 200), "letters": 1,
                            "in_person": rng.randint(0, 60), "notes": "", "current": True, "created_at": now})
    # A transaction per 500 rows: each row's trigger bumps the station's calendar_version, and PostgreSQL slows
    # down when one transaction updates the same row thousands of times (bookings really come one at a time).
    for table, rows in ((Broadcast, broadcasts), (BroadcastOverride, overrides), (FeedbackReport, reports)):
        for chunk in range(0, len(rows), 500):
            with runtime.engine.begin() as conn:
                conn.execute(insert(table), rows[chunk:chunk + 500])
    if runtime.engine.dialect.name == "postgresql":
        with runtime.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")  # what autovacuum does within a minute of a bulk load
    return "radio-padma", f"/calendars/radio-padma.ics?token={token}"


def touch_one(runtime: Runtime) -> None:
    """An unrelated edit: one broadcast's notes change (its event must be rendered again, the rest not)."""
    from sqlalchemy import select

    from schedule.bookings import touch
    from schedule.models import Broadcast

    with runtime.session() as session:
        b = session.scalars(select(Broadcast).where(Broadcast.rrule.is_(None)).limit(1)).one()
        b.notes = f"changed {time.perf_counter()}"
        touch(b)


def retitle_one_episode(runtime: Runtime) -> None:
    """A booked episode's title changes: every broadcast of it shows the new title."""
    from sqlalchemy import select

    from episodes.models import Episode

    with runtime.session() as session:
        episode = session.scalars(select(Episode).limit(1)).one()
        episode.title = f"নতুন শিরোনাম {time.perf_counter()}"


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
    parser.add_argument("--broadcasts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    from sqlalchemy import delete

    from schedule.models import CalendarFragment
    from web import create_app

    with tempfile.TemporaryDirectory() as home:
        settings = load_settings({"RADIO_HOME": home, "RADIO_DATABASE_URL": args.database_url,
                                  "RADIO_SECRET_KEY": "bench", "RADIO_LOG_LEVEL": "WARNING"}, environ={})
        runtime = Runtime.from_settings(settings)
        upgrade(runtime.engine)
        t = time.perf_counter()
        _, path = build(runtime, args.broadcasts)
        print(f"database: {runtime.engine.dialect.name}; {args.broadcasts} broadcasts built in "
              f"{time.perf_counter() - t:.1f} s")
        client = create_app(runtime=runtime).test_client()

        def get(headers: dict[str, str] | None = None) -> tuple[float, float, object]:
            """Seconds to the full answer, seconds the server then spends storing new blocks, the response."""
            t = time.perf_counter()
            response = client.get(path, headers=headers or {})
            assert response.status_code in (200, 304), response.status_code
            response.data  # noqa: B018 - the whole body
            answered = time.perf_counter()
            response.close()  # the server stores freshly rendered blocks once the response is closed
            return answered - t, time.perf_counter() - answered, response

        def median_of(prepare, runs: int) -> tuple[float, float, object]:
            samples = []
            for _ in range(runs):
                prepare()
                samples.append(get())
            return (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
                    samples[-1][2])

        def forget_blocks() -> None:
            with runtime.engine.begin() as conn:
                conn.execute(delete(CalendarFragment))

        first_s, store_s, response = median_of(forget_blocks, max(3, args.runs // 2))
        body = response.data
        cold_s, _, cold = median_of(runtime.engine.dispose, args.runs)
        assert cold.data == body
        warm_s, _, _ = median_of(lambda: touch_one(runtime), args.runs)
        retitled_s, _, fresh = median_of(lambda: retitle_one_episode(runtime), max(3, args.runs // 2))
        etag = fresh.headers["ETag"]
        samples = [get({"If-None-Match": etag}) for _ in range(args.runs * 5)]
        cond_s = statistics.median(s[0] for s in samples)
        assert samples[-1][2].status_code == 304
        base_s, _ = timed(lambda: client.get("/healthz"), args.runs * 5)
        events = body.count(b"BEGIN:VEVENT")
        print(f"calendar: {len(body) / 1e6:.1f} MB, {events} VEVENTs ({args.broadcasts} broadcasts + overrides)")
        print(f"first render, no stored blocks (all by icalendar): {first_s * 1000:8.1f} ms  "
              f"(then {store_s * 1000:.0f} ms storing them after the response)")
        print(f"cold render (stored blocks, fresh connections; goal <= 500 ms): {cold_s * 1000:8.1f} ms")
        print(f"warm render after one broadcast changed:           {warm_s * 1000:8.1f} ms")
        print(f"render after a booked episode's title changed:     {retitled_s * 1000:8.1f} ms  "
              f"(~{args.broadcasts // 60} blocks rendered again)")
        print(f"304 path (If-None-Match; goal <= 5 ms):            {cond_s * 1000:8.2f} ms")
        print(f"baseline GET /healthz:                             {base_s * 1000:8.2f} ms")
        print(f"all medians; ratios: 304/healthz {cond_s / base_s:.1f}x, cold/304 {cold_s / cond_s:.0f}x, "
              f"first/cold {first_s / cold_s:.1f}x")
        runtime.close()


if __name__ == "__main__":
    main()
