"""Benchmark: programme rendering and flight proposals (issue 17).

Run: ``.venv/bin/python tests/benchmarks/bench_production.py [--runs 1] [--skip-60]``

1. A 30-minute rundown of 10 items from 48 kHz stereo MP3 sources (jingles, speech, music; 1 s crossfades;
   the music is trimmed to fit): median render time as the job does it (plan + loudness of each trimmed item's
   in/out range + mix + loudness + true-peak limiter + MP3 + measurement + the result's waveform peaks)
   against ``ffmpeg`` concatenating the same ranges with the same crossfades (``acrossfade``) into the same
   MP3 alone — the ratio — and the peak RSS of the render process and of its largest ffmpeg.
2. The same for a 60-minute rundown (memory; the goal is under 400 MB).
3. A flight of 8 weeks × 5 airings × 20 stations against 10,000 existing bookings in a SQLite database:
   median proposal time (``schedule.flights.propose``, the database reads included).

Each render runs in a fresh subprocess so that ``getrusage`` reports its own peak memory. Figures only: no
assertion on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from episodes.audio import ffmpeg_exe  # noqa: E402
from episodes.rundown import RundownItem, plan_rundown  # noqa: E402

CROSSFADE_S = 1.0
# (role, seconds) of the 30-minute rundown's 10 items; 32 minutes in all, so the music is trimmed to fit.
ITEMS_30 = [("jingle", 20), ("speech", 300), ("music", 180), ("speech", 420), ("jingle", 15), ("speech", 360),
            ("music", 240), ("speech", 180), ("jingle", 10), ("music", 200)]

CHILD = """
import json, resource, sys, tempfile, time
sys.path.insert(0, {root!r})
from pathlib import Path
from episodes.analysis import analyse_audio
from episodes.audio import AudioInfo
from episodes.rundown import RundownItem, plan_rundown
from episodes.programme_render import PlacedSource, render_rundown
from episodes.programme_tasks import PartAudio, part_gain_db, part_loudness
spec = json.loads({spec!r})
start = time.perf_counter()
items = [RundownItem(str(n), d, role=r) for n, (r, d, _p) in enumerate(spec["items"])]
paths = {{str(n): Path(p) for n, (_r, _d, p) in enumerate(spec["items"])}}
# What the job knows of each part (the whole source's loudness as analysed; a range is measured by the job).
parts = {{str(n): PartAudio(str(n), Path(p), float(d), -20.0, "broadcast")
         for n, (_r, d, p) in enumerate(spec["items"])}}
plan = plan_rundown(items, spec["slot_s"], spec["crossfade_s"])
ranges = {{}}
sources = [PlacedSource(p, paths[p.episode_id], part_gain_db(part_loudness(p, parts[p.episode_id], ranges), -23.0))
           for p in plan.placements]
measured_at = time.perf_counter()
out, measured = render_rundown(sources, spec["slot_s"], target_lufs=-23.0, ceiling_dbtp=-1.0,
                               workdir=Path(tempfile.mkdtemp()))
rendered_at = time.perf_counter()
analysis = analyse_audio(out, AudioInfo(format="mp3", codec="mp3", duration_s=measured.duration_s,
                                        sample_rate=48000, channels=2))
elapsed = time.perf_counter() - start
out.unlink()
print(json.dumps({{"seconds": elapsed, "ranges_s": measured_at - start, "render_s": rendered_at - measured_at,
                  "peaks_s": elapsed - (rendered_at - start), "ranges_measured": len(ranges),
                  "peaks": len(analysis.peaks),
                  "self_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "ffmpeg_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "lufs": measured.integrated_lufs, "tp": measured.true_peak_dbtp,
                  "duration": measured.duration_s}}))
"""


def make_source(folder: Path, n: int, role: str, seconds: int) -> Path:
    """A 48 kHz stereo MP3: a tone with noise (speech), a chord (music), a tone burst (jingle)."""
    path = folder / f"{n:02d}-{role}.mp3"
    freq = 200 + 70 * n
    graph = {"speech": f"sine=f={freq}:r=48000:d={seconds},volume=0.3[a];anoisesrc=r=48000:d={seconds}:a=0.05[b];"
                       "[a][b]amix=inputs=2:normalize=0",
             "music": f"sine=f={freq}:r=48000:d={seconds}[a];sine=f={freq * 1.5}:r=48000:d={seconds}[b];"
                      "[a][b]amix=inputs=2:normalize=0,volume=0.4",
             "jingle": f"sine=f={freq * 2}:r=48000:d={seconds}:beep_factor=4,volume=0.5"}[role]
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-filter_complex",
                    graph + ",aformat=channel_layouts=stereo", "-c:a", "libmp3lame", "-b:a", "192k", str(path)],
                   check=True)
    return path


def baseline_seconds(items: list[tuple[str, int, str]], slot_s: float, out: Path) -> float:
    """ffmpeg alone: the same planned ranges, chained with the same crossfades, into the same MP3."""
    plan = plan_rundown([RundownItem(str(n), d, role=r) for n, (r, d, _p) in enumerate(items)], slot_s, CROSSFADE_S)
    args: list[str] = []
    for p in plan.placements:
        args += ["-ss", f"{p.in_s:.3f}", "-t", f"{p.length_s:.3f}", "-i", items[int(p.episode_id)][2]]
    chain, last = [], "[0:a]"
    for k in range(1, len(plan.placements)):
        label = f"[x{k}]"
        chain.append(f"{last}[{k}:a]acrossfade=d={CROSSFADE_S}{label}")
        last = label
    start = time.perf_counter()
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", *args, "-filter_complex", ";".join(chain),
                    "-map", last, "-c:a", "libmp3lame", "-b:a", "192k", str(out)], check=True)
    return time.perf_counter() - start


def render_child(items: list[tuple[str, int, str]], slot_s: float) -> dict[str, float]:
    spec = json.dumps({"items": items, "slot_s": slot_s, "crossfade_s": CROSSFADE_S})
    proc = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), spec=spec)], capture_output=True,
                          text=True, check=True)
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def bench_render(folder: Path, scale: int, runs: int, with_baseline: bool) -> None:
    items = [(role, seconds * scale, str(make_source(folder, n, role, seconds * scale)))
             for n, (role, seconds) in enumerate(ITEMS_30)]
    slot_s = 1800.0 * scale
    results = [render_child(items, slot_s) for _ in range(runs)]
    render = statistics.median(r["seconds"] for r in results)
    last = results[-1]
    print(f"{slot_s / 60:.0f}-minute rundown, 10 items: render {render:.1f} s (median of {runs}; of the last: "
          f"{last['ranges_measured']:.0f} in/out ranges measured {last['ranges_s']:.1f} s, mix+master "
          f"{last['render_s']:.1f} s, waveform of the result {last['peaks_s']:.1f} s, {last['peaks']:.0f} peaks); "
          f"peak RSS {last['self_maxrss_kb'] / 1024:.0f} MB (Python), {last['ffmpeg_maxrss_kb'] / 1024:.0f} MB "
          f"(largest ffmpeg); output {last['duration']:.2f} s, {last['lufs']} LUFS, {last['tp']} dBTP")
    if with_baseline:
        base = statistics.median(baseline_seconds(items, slot_s, folder / "baseline.mp3") for _ in range(runs))
        print(f"  ffmpeg concatenating with the same crossfades alone: {base:.1f} s; ratio {render / base:.2f}")


def flight_world() -> tuple[Any, dict[str, Any]]:
    """A SQLite runtime with 20 stations, 10,000 bookings over 8 weeks and 3 creatives; (runtime, flight body)."""
    from radio.config import load_settings
    from radio.migrate import upgrade
    from radio.runtime import Runtime, set_runtime

    home = Path(tempfile.mkdtemp(prefix="bench-flight-"))
    settings = load_settings({"RADIO_HOME": str(home), "RADIO_QUEUE_IMMEDIATE": True, "RADIO_SECRET_KEY": "bench"},
                             environ={})
    runtime = Runtime.from_settings(settings)
    set_runtime(runtime)
    upgrade(runtime.engine)
    from episodes.models import Episode
    from schedule.models import Broadcast, Station

    rng = random.Random(17)
    first = dt.date(2027, 3, 1)
    with runtime.session() as session:
        creatives = []
        for n in range(3):
            episode = Episode(title=f"spot {n}", sha256=f"{n:064x}", duration_s=1800.0 - 300 * n, status="ready",
                              topics=[], districts=[], contributors=[], tags={}, peaks=[])
            session.add(episode)
            creatives.append(episode)
        stations = [Station(slug=f"station-{n:02d}", name=f"Station {n}", timezone="Asia/Dhaka") for n in range(20)]
        session.add_all(stations)
        session.flush()
        for station in stations:
            for k in range(500):  # 10,000 bookings over the 8 weeks, 06:00–23:00 local
                day = first + dt.timedelta(days=rng.randrange(56))
                wall = dt.datetime.combine(day, dt.time(rng.randrange(6, 23), rng.choice((0, 15, 30, 45))))
                start = (wall - dt.timedelta(hours=6)).replace(tzinfo=dt.UTC)
                session.add(Broadcast(station_id=station.id, episode_id=creatives[k % 3].id, tzid="Asia/Dhaka",
                                      local_start=wall.strftime("%Y-%m-%dT%H:%M:%S"), starts_at=start,
                                      duration_s=1800.0, series_end=start + dt.timedelta(minutes=30), exdates=[],
                                      status="confirmed", sequence=0, notes=""))
        ids = [c.id for c in creatives]
        slugs = [s.slug for s in stations]
    body = {"campaign": "bench", "stations": slugs, "episodes": ids, "per_week": 5, "from": first,
            "to": first + dt.timedelta(days=55),
            "windows": [{"days": "MO,TU,WE,TH,FR,SA,SU", "start": "17:00", "end": "23:30"}]}
    return runtime, body


def bench_flight(runs: int) -> None:
    from schedule.flights import propose

    runtime, body = flight_world()
    times, count = [], 0
    for _ in range(runs):
        with runtime.session() as session:
            start = time.perf_counter()
            flight = propose(session, body)
            times.append(time.perf_counter() - start)
            count, unplaced = len(flight.proposed), len(flight.unplaced)
            session.rollback()
    print(f"flight 8 weeks × 5 airings × 20 stations against 10,000 bookings: {count} proposed, {unplaced} "
          f"unplaced; proposal {statistics.median(times):.2f} s (median of {runs}, database reads included)")
    runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--skip-60", action="store_true", help="only the 30-minute rundown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-production-") as tmp:
        folder = Path(tmp)
        bench_render(folder, 1, args.runs, with_baseline=True)
        if not args.skip_60:
            bench_render(folder, 2, 1, with_baseline=False)
    bench_flight(max(args.runs, 3))


if __name__ == "__main__":
    main()
