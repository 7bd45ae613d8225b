"""Load test on loopback: calendar pollers with If-None-Match plus uploaders against a real gunicorn (or radio serve).

    .venv/bin/python tests/benchmarks/bench_load.py [--seconds 60] [--pollers 500] [--uploaders 20]
        [--server gunicorn|serve] [--workers 2] [--threads 32] [--database-url URL --redis-url URL]

Builds a fresh home (stations with weekly series and one-off bookings, a few episodes), starts the server on a
free port of 127.0.0.1, measures a single client's calendar latency first (the baseline), then runs the bounded
load for the given time and prints requests/s, p50/p99 latency per kind, the ratio to the baseline and every error.
Only 127.0.0.1 is ever contacted; concurrency and duration are capped.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter
from pathlib import Path

import aiohttp
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"  # never anything else
MAX_CONCURRENCY = 1000
MAX_SECONDS = 600


def wav_bytes(seed: int, seconds: float = 2.0, rate: int = 16000) -> bytes:
    """A unique mono 16-bit WAV: a tone plus seeded noise (every seed hashes differently)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    samples = 0.2 * np.sin(2 * np.pi * (300 + seed % 500) * t) + 0.02 * rng.uniform(-1, 1, t.size)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def prepare_home(env: dict[str, str], stations: int) -> tuple[str, list[str]]:
    """Migrate, add a producer, episodes, stations and bookings; returns (producer token, calendar paths)."""
    from radio.auth import create_user, issue_token
    from radio.config import load_settings
    from radio.migrate import upgrade
    from radio.runtime import Runtime

    runtime = Runtime.from_settings(load_settings(environ=env))
    upgrade(runtime.engine)
    from episodes.services import ingest
    from schedule.bookings import book_broadcast
    from schedule.stations import create_station, feed_urls

    paths = []
    with runtime.session() as session:
        producer = create_user(session, "load@example.org", "producer")
        token = issue_token(session, producer)
        episodes = [ingest(session, runtime.store, io.BytesIO(wav_bytes(10_000 + i, seconds=30)),
                           {"title": f"পর্ব {i}", "language": "bn", "kind": "drama"},
                           max_bytes=runtime.settings.max_upload_bytes, created_by=producer.id) for i in range(6)]
        for n in range(stations):
            station = create_station(session, {"slug": f"station-{n}", "name": f"Station {n}", "district": "Dhaka"})
            session.flush()
            for k, episode in enumerate(episodes[:3]):
                book_broadcast(session, {"station": station.slug, "episode_id": episode.id,
                                         "start": f"2026-03-0{k + 2}T{18 + k}:00", "rrule": "FREQ=WEEKLY;COUNT=20"})
            book_broadcast(session, {"station": station.slug, "episode_id": episodes[3].id,
                                     "start": "2026-02-20T09:00"})
            url = feed_urls("http://x", runtime.secret_key, station)["calendar_url"]
            paths.append(url.split("http://x", 1)[1])
    runtime.close()
    return token, paths


def start_server(args: argparse.Namespace, env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """gunicorn with threads, or the embedded `radio serve` (no in-process worker: jobs just queue)."""
    bin_dir = Path(sys.executable).parent
    if args.server == "gunicorn":
        cmd = [str(bin_dir / "gunicorn"), "-c", "python:web.gunicorn_conf", "-b", f"{HOST}:{port}",
               "-w", str(args.workers), "--threads", str(args.threads), "--access-logfile", "/dev/null",
               "web.wsgi:app"]
    else:
        cmd = [str(bin_dir / "radio"), "serve", "--host", HOST, "--port", str(port), "--no-worker"]
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=open(log, "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115


class Stats:
    """Latencies and outcomes per kind of request."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = {}
        self.status: Counter[tuple[str, int]] = Counter()
        self.errors: Counter[str] = Counter()

    def add(self, kind: str, status: int, seconds: float, ok: bool) -> None:
        """Record one answered request."""
        self.latency.setdefault(kind, []).append(seconds)
        self.status[(kind, status)] += 1
        if not ok:
            self.errors[f"{kind}: HTTP {status}"] += 1


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] if ordered else float("nan")


async def poller(session: aiohttp.ClientSession, base: str, path: str, stats: Stats, stop: float) -> None:
    """Poll one calendar like a subscribed client: keep the ETag, expect 304 until something changes."""
    etag = ""
    while time.monotonic() < stop:
        headers = {"If-None-Match": etag} if etag else {}
        started = time.monotonic()
        try:
            async with session.get(base + path, headers=headers) as response:
                await response.read()
                etag = response.headers.get("ETag", etag)
                stats.add("calendar", response.status, time.monotonic() - started, response.status in (200, 304))
        except (TimeoutError, aiohttp.ClientError) as exc:
            stats.errors[f"calendar: {type(exc).__name__}"] += 1


async def uploader(session: aiohttp.ClientSession, base: str, token: str, seed: int, stats: Stats,
                   stop: float) -> None:
    """Upload new episodes back to back (each file unique, so every answer should be 201)."""
    n = 0
    while time.monotonic() < stop:
        form = aiohttp.FormData()
        form.add_field("title", f"লোড টেস্ট {seed}-{n}")
        form.add_field("kind", "psa")
        form.add_field("file", wav_bytes(seed * 100_000 + n), filename=f"load-{seed}-{n}.wav",
                       content_type="audio/wav")
        n += 1
        started = time.monotonic()
        try:
            async with session.post(base + "/api/v1/episodes", data=form,
                                    headers={"Authorization": f"Bearer {token}"}) as response:
                await response.read()
                stats.add("upload", response.status, time.monotonic() - started, response.status == 201)
        except (TimeoutError, aiohttp.ClientError) as exc:
            stats.errors[f"upload: {type(exc).__name__}"] += 1


async def baseline(base: str, path: str, count: int = 50) -> list[float]:
    """One client alone: conditional calendar requests one after another."""
    times = []
    async with aiohttp.ClientSession() as session:
        async with session.get(base + path) as response:
            etag = response.headers["ETag"]
        for _ in range(count):
            started = time.monotonic()
            async with session.get(base + path, headers={"If-None-Match": etag}) as response:
                await response.read()
                assert response.status == 304, response.status
            times.append(time.monotonic() - started)
    return times


async def run_load(args: argparse.Namespace, base: str, token: str, paths: list[str]) -> tuple[Stats, float]:
    """The pollers and uploaders together for ``args.seconds``."""
    stats = Stats()
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=args.pollers + args.uploaders + 10, limit_per_host=0)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.monotonic()
        stop = started + args.seconds
        tasks = [poller(session, base, paths[i % len(paths)], stats, stop) for i in range(args.pollers)]
        tasks += [uploader(session, base, token, seed + 1, stats, stop) for seed in range(args.uploaders)]
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
    return stats, elapsed


def server_errors(base: str) -> str:
    """5xx counts as the server's own /metrics saw them."""
    import urllib.request

    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:  # noqa: S310 - loopback only
        text = response.read().decode()
    rows = re.findall(r'radio_http_requests_total\{method="(\w+)",route="([^"]+)",status="(5\d\d)"\} (\S+)', text)
    errors = ", ".join(f"{m} {r} {s}: {float(n):.0f}" for m, r, s, n in rows) or "none"
    sums = dict(re.findall(r'radio_http_request_duration_seconds_sum\{method="\w+",route="([^"]+)"\} (\S+)', text))
    counts = dict(re.findall(r'radio_http_request_duration_seconds_count\{method="\w+",route="([^"]+)"\} (\S+)', text))
    means = ", ".join(f"{route} {1000 * float(sums[route]) / float(n):.1f} ms" for route, n in counts.items()
                      if float(n) and route in sums)
    return f"{errors}; mean time inside the app per route: {means}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pollers", type=int, default=500)
    parser.add_argument("--uploaders", type=int, default=20)
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--server", choices=("gunicorn", "serve"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()
    if args.pollers + args.uploaders > MAX_CONCURRENCY or not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"at most {MAX_CONCURRENCY} clients and {MAX_SECONDS} s")

    workdir = Path(tempfile.mkdtemp(prefix="radio-load-"))
    radio_env = {"RADIO_HOME": str(workdir / "home"), "RADIO_SECRET_KEY": "load-test-key",
                 "RADIO_DATABASE_URL": args.database_url, "RADIO_REDIS_URL": args.redis_url,
                 "RADIO_LOG_LEVEL": "WARNING", "RADIO_MAX_UPLOAD_MB": "20"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_")} | radio_env
    print(f"preparing {args.stations} stations in {workdir} ...", flush=True)
    token, paths = prepare_home(radio_env, args.stations)
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_server(args, env, port, workdir / "server.log")
    try:
        wait_until_up(base, server, workdir / "server.log")
        base_times = [statistics.median(asyncio.run(baseline(base, paths[0]))) for _ in range(3)]
        base_ms = 1000 * statistics.median(base_times)
        print(f"baseline: one client, conditional calendar GET, median of 3 runs of 50: {base_ms:.2f} ms", flush=True)
        print(f"load: {args.pollers} calendar pollers + {args.uploaders} uploaders for {args.seconds:.0f} s "
              f"against {args.server}" + (f" (-w {args.workers} --threads {args.threads})"
                                          if args.server == "gunicorn" else "") + " ...", flush=True)
        stats, elapsed = asyncio.run(run_load(args, base, token, paths))
        report(stats, elapsed, base_ms)
        print(f"server-side 5xx (from /metrics): {server_errors(base)}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0 if not stats.errors else 1


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Wait for /healthz (60 s at most)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise SystemExit("the server did not answer /healthz within 60 s")


def report(stats: Stats, elapsed: float, base_ms: float) -> None:
    """Print throughput, latency percentiles and errors."""
    total = sum(len(v) for v in stats.latency.values())
    errors = sum(stats.errors.values())
    print(f"\n{total} requests in {elapsed:.1f} s: {total / elapsed:.0f} requests/s, errors: {errors}")
    for kind, values in sorted(stats.latency.items()):
        statuses = ", ".join(f"{status}: {n}" for (k, status), n in sorted(stats.status.items()) if k == kind)
        p50 = pct(values, 50)
        print(f"  {kind:9} {len(values):7} requests {len(values) / elapsed:7.1f}/s  p50 {p50:8.1f} ms  "
              f"p99 {pct(values, 99):8.1f} ms  max {1000 * max(values):8.1f} ms  ({statuses})")
        if kind == "calendar":
            print(f"  calendar p50 under load / alone: {p50 / base_ms:.1f}x")
    for what, n in stats.errors.most_common():
        print(f"  error {what}: {n}")

if __name__ == "__main__":
    sys.exit(main())
