"""Benchmark: streaming analysis of a 60-minute 48 kHz stereo programme against ffmpeg decoding it alone.

Run: ``.venv/bin/python tests/benchmarks/bench_analysis.py [--minutes 60] [--format mp3|wav] [--runs 3]``

Prints the median analysis wall time divided by the median time ``ffmpeg -f null`` needs to decode the same
file (goal ≤ 1.2) and the analysis process's peak RSS (goal ≤ 300 MB). Each analysis runs in a fresh
subprocess so that ``getrusage`` reports its own peak memory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from episodes.audio import ffmpeg_exe  # noqa: E402

RATE = 48000

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from episodes.audio import probe_audio
from episodes.analysis import analyse_audio
path = Path({path!r})
info = probe_audio(path)
start = time.perf_counter()
result = analyse_audio(path, info)
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": elapsed, "self_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "ffmpeg_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "lufs": result.integrated_lufs, "lra": result.loudness_range_lu, "tp": result.true_peak_dbtp,
                  "duration": result.duration_s, "cue_in": result.cue_in_s, "cue_out": result.cue_out_s}}))
"""


RENDER_CHILD = """
import json, resource, sys, tempfile, time
sys.path.insert(0, {root!r})
from pathlib import Path
from episodes.audio import probe_audio
from episodes.analysis import analyse_audio
from episodes.render import RenditionTags, render_broadcast
path = Path({path!r})
info = probe_audio(path)
analysis = analyse_audio(path, info)
start = time.perf_counter()
out, measured = render_broadcast(path, info, analysis, RenditionTags("bench", "", "bn", "", "bench"),
                                 target_lufs=-23.0, ceiling_dbtp=-1.0, workdir=Path(tempfile.mkdtemp()))
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": time.perf_counter() - start, "lufs": measured.integrated_lufs,
                  "tp": measured.true_peak_dbtp, "self_maxrss_kb": peak_kb}}))
out.unlink()
"""


def programme_chunk(index: int, seconds: int) -> np.ndarray:
    """Speech-like stereo material: voiced syllables with pauses, level changes and a noise floor."""
    rng = np.random.default_rng(index)
    n = seconds * RATE
    t = np.arange(n) / RATE
    pitch = 110 + 60 * rng.random() + 20 * np.sin(2 * np.pi * 0.3 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    voice = sum(np.sin(k * phase) / k for k in range(1, 8))
    syllables = np.clip(np.sin(2 * np.pi * (3 + rng.random()) * t), 0, None) ** 2
    pauses = np.repeat(rng.random(seconds * 2) > 0.2, RATE // 2)[:n]
    level = 10 ** ((-6 * rng.random() - 2 * (index % 3)) / 20)
    mono = 0.25 * level * voice * syllables * pauses + 0.003 * rng.standard_normal(n)
    return np.stack([mono, 0.9 * mono + 0.002 * rng.standard_normal(n)], axis=1).astype(np.float32)


def make_programme(path: Path, minutes: int, fmt: str) -> None:
    """Encode the programme chunk by chunk through an ffmpeg pipe (never whole in memory)."""
    codec = ["-c:a", "libmp3lame", "-b:a", "128k"] if fmt == "mp3" else ["-c:a", "pcm_s16le"]
    encoder = subprocess.Popen([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(RATE),
                                "-ac", "2", "-i", "-", *codec, str(path)], stdin=subprocess.PIPE)
    assert encoder.stdin is not None
    for index in range(minutes * 6):
        encoder.stdin.write(programme_chunk(index, 10).tobytes())
    encoder.stdin.close()
    if encoder.wait() != 0:
        raise SystemExit("encoding the programme failed")


def time_ffmpeg_decode(path: Path) -> float:
    """Wall time of ffmpeg decoding the file to nothing."""
    start = time.perf_counter()
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0", "-f", "null", "-"],
                   check=True)
    return time.perf_counter() - start


def run_analysis(path: Path) -> dict[str, float]:
    """Analyse in a fresh interpreter and return its timing, peak memory and results."""
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), path=str(path))], check=True,
                         capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Make the file, measure, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--format", choices=["mp3", "wav"], default="mp3")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--render", action="store_true", help="Also measure the broadcast rendition once.")
    parser.add_argument("--file", type=Path, default=None, help="Reuse (or create) the programme at this path.")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-analysis-"))
    path = args.file or workdir / f"programme.{args.format}"
    if not path.exists():
        started = time.perf_counter()
        make_programme(path, args.minutes, args.format)
        print(f"made {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s")
    decode_times, analyses = [], []
    for _ in range(args.runs):  # interleaved, so that machine load affects both alike
        decode_times.append(time_ffmpeg_decode(path))
        analyses.append(run_analysis(path))
    decode = statistics.median(decode_times)
    analysis = statistics.median(a["seconds"] for a in analyses)
    peak_mb = max(a["self_maxrss_kb"] for a in analyses) / 1024
    ffmpeg_mb = max(a["ffmpeg_maxrss_kb"] for a in analyses) / 1024
    last = analyses[-1]
    print(f"file: {args.minutes} min, {RATE} Hz stereo {args.format}; runs: {args.runs}")
    print(f"result: {last['lufs']} LUFS, LRA {last['lra']} LU, true peak {last['tp']} dBTP, "
          f"duration {last['duration']} s, cues {last['cue_in']}-{last['cue_out']} s")
    print(f"ffmpeg decode alone: median {decode:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in decode_times)})")
    runs = ", ".join(f"{a['seconds']:.2f}" for a in analyses)
    print(f"analysis:            median {analysis:.2f} s  (runs: {runs})")
    print(f"analysis / decode ratio: {analysis / decode:.2f}  (goal <= 1.2)")
    decoder = f"ffmpeg decoder process: {ffmpeg_mb:.0f} MB" if ffmpeg_mb else "decoded in-process (PyAV)"
    print(f"analysis peak RSS: {peak_mb:.0f} MB  (goal <= 300 MB); {decoder}")
    if args.render:
        out = subprocess.run([sys.executable, "-c", RENDER_CHILD.format(root=str(ROOT), path=str(path))],
                             check=True, capture_output=True, text=True)
        rendered = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"broadcast rendition: {rendered['seconds']:.1f} s, {rendered['lufs']} LUFS, {rendered['tp']} dBTP, "
              f"peak RSS {rendered['self_maxrss_kb'] / 1024:.0f} MB")


if __name__ == "__main__":
    main()
