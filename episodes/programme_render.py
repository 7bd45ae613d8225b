"""Rendering a planned rundown with ffmpeg filters: streamed from the sources, never whole in memory.

Pass 1 places every item on the timeline (``adelay`` to its start, per-item gain to the loudness target,
fades, ducked beds) and sums them (``amix`` without renormalisation) into a float WAV of exactly the slot's
length, measuring its loudness with ``ebur128`` on the way. Pass 2 brings the whole to the target and passes
it through a true-peak limiter (``alimiter`` on a 4× oversampled signal, delay compensated) into the
broadcast MP3; the MP3 is measured (``ebur128`` true peak) and mastered again when the encoder overshot.
"""

from __future__ import annotations

import contextlib
import math
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from episodes.audio import ffmpeg_exe
from episodes.render import BITRATE
from episodes.rundown import Placement

RATE = 48_000
OVERSAMPLE = 4  # true peak: the limiter works on a 192 kHz signal
LIMITER_MARGIN_DB = 0.3  # the limiter's ceiling sits this far under the true-peak ceiling
LOOP_IN_MEMORY_MAX_S = 120.0  # a repeated part up to this long loops inside the filter (aloop holds it)
MAX_ATTEMPTS = 4


@dataclass(frozen=True)
class PlacedSource:
    """A placement with its source file and the gain that brings the source to the loudness target."""

    placement: Placement
    path: Path
    gain_db: float


@dataclass(frozen=True)
class Measurement:
    """What ffmpeg's ebur128 says about a rendering."""

    integrated_lufs: float | None
    true_peak_dbtp: float | None
    duration_s: float


def _number(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    if match is None or "inf" in match.group(1):
        return None
    return float(match.group(1))


def parse_ebur128(stderr: str) -> tuple[float | None, float | None]:
    """(integrated LUFS, true peak dBTP) from the summary ebur128 prints when it closes."""
    summary = stderr[stderr.rfind("Summary:"):]
    integrated = _number(r"I:\s+(-?[\d.]+|-?inf) LUFS", summary)
    peak_part = summary[summary.find("True peak:"):] if "True peak:" in summary else ""
    peak = _number(r"Peak:\s+(-?[\d.]+|-?inf) dBFS", peak_part)
    return integrated, peak


def _run(args: list[str], duration_s: float, progress: Callable[[float], None] | None) -> str:
    """Run ffmpeg with ``-progress`` on stdout (stderr to a file: no pipe can fill up); returns stderr."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-v", "info", "-y",
                                    "-progress", "pipe:1", *args], stdout=subprocess.PIPE, stderr=errors)
        assert process.stdout is not None
        try:
            for raw in process.stdout:
                line = raw.decode("ascii", "replace").strip()
                if progress is not None and line.startswith("out_time_us=") and line[12:].isdigit():
                    progress(min(1.0, int(line[12:]) / 1e6 / max(duration_s, 1e-3)))
        finally:
            code = process.wait()
        errors.seek(0)
        text = errors.read().decode("utf-8", "replace")
    if code != 0:
        tail = "; ".join(line for line in text.splitlines()[-5:] if line.strip())
        raise RuntimeError(f"ffmpeg failed ({code}): {tail}")
    return text


def _item_inputs(source: PlacedSource) -> tuple[list[str], int, bool]:
    """ffmpeg input options for one placement, how many inputs they open, and whether to loop in the filter."""
    p = source.placement
    span = max(1e-3, p.out_s - p.in_s)
    repeats = p.repeats
    if repeats == 1:
        return ["-ss", f"{p.in_s:.6f}", "-t", f"{p.length_s:.6f}", "-i", str(source.path)], 1, False
    if span <= LOOP_IN_MEMORY_MAX_S:
        return ["-ss", f"{p.in_s:.6f}", "-t", f"{span:.6f}", "-i", str(source.path)], 1, True
    args: list[str] = []
    for _ in range(repeats):
        args += ["-ss", f"{p.in_s:.6f}", "-t", f"{span:.6f}", "-i", str(source.path)]
    return args, repeats, False


def _item_chain(source: PlacedSource, first_input: int, inputs: int, loop: bool, label: str) -> str:
    p = source.placement
    span = max(1e-3, p.out_s - p.in_s)
    head = "".join(f"[{first_input + k}:a:0]" for k in range(inputs))
    steps = [f"concat=n={inputs}:v=0:a=1"] if inputs > 1 else []
    steps += [f"aresample={RATE}", "aformat=sample_fmts=fltp:channel_layouts=stereo"]
    if loop:
        steps.append(f"aloop=loop=-1:size={max(1, round(span * RATE))}")
    steps += [f"atrim=end_sample={max(1, round(p.length_s * RATE))}", "asetpts=N/SR/TB",
              f"volume={source.gain_db + p.extra_gain_db:.3f}dB"]
    if p.fade_in_s > 0:
        steps.append(f"afade=t=in:st=0:d={p.fade_in_s:.6f}:curve=tri")
    if p.fade_out_s > 0:
        steps.append(f"afade=t=out:st={max(0.0, p.length_s - p.fade_out_s):.6f}:d={p.fade_out_s:.6f}:curve=tri")
    delay = round(p.start_s * RATE)
    if delay > 0:
        steps.append(f"adelay=delays={delay}S:all=1")
    return head + ",".join(steps) + f"[{label}]"


def mix_command(sources: list[PlacedSource], slot_s: float, out: Path) -> list[str]:
    """ffmpeg arguments of pass 1: every placement on the timeline, summed, exactly ``slot_s`` long."""
    args: list[str] = []
    chains: list[str] = []
    next_input = 0
    for n, source in enumerate(sources):
        inputs, count, loop = _item_inputs(source)
        args += inputs
        chains.append(_item_chain(source, next_input, count, loop, f"p{n}"))
        next_input += count
    labels = "".join(f"[p{n}]" for n in range(len(sources)))
    frames = round(slot_s * RATE)
    mix = (f"{labels}amix=inputs={len(sources)}:normalize=0:duration=longest:dropout_transition=0,"
           if len(sources) > 1 else f"{labels}anull,")
    chains.append(mix + f"apad=whole_len={frames},atrim=end_sample={frames},asplit=2[mixed][meter]")
    chains.append("[meter]ebur128=peak=true:framelog=quiet,anullsink")
    return [*args, "-filter_complex", ";".join(chains), "-map", "[mixed]", "-c:a", "pcm_f32le", "-rf64", "auto",
            "-f", "wav", str(out)]


def master_command(mix: Path, gain_db: float, limit_dbtp: float, slot_s: float, out: Path) -> list[str]:
    """ffmpeg arguments of pass 2: gain, true-peak limiter (oversampled), back to 48 kHz, MP3."""
    limit = min(1.0, max(0.0625, 10 ** (limit_dbtp / 20)))
    frames = round(slot_s * RATE)
    chain = (f"volume={gain_db:.3f}dB,aresample={RATE * OVERSAMPLE},"
             f"alimiter=limit={limit:.6f}:attack=1:release=60:level=0:latency=1,"
             f"aresample={RATE},apad=whole_len={frames},atrim=end_sample={frames}")
    return ["-i", str(mix), "-af", chain, "-c:a", "libmp3lame", "-b:a", BITRATE, "-write_xing", "1", str(out)]


SILENCE_LUFS = -69.0  # ebur128 reports -70 for a range with nothing above its absolute gate


def measure_range(path: Path, in_s: float, out_s: float) -> float | None:
    """Integrated loudness (ebur128) of ``path`` from ``in_s`` to ``out_s``: what an item actually plays.

    None for a silent range (no gain is derived from silence).
    """
    span = max(1e-3, out_s - in_s)
    text = _run(["-ss", f"{in_s:.6f}", "-t", f"{span:.6f}", "-i", str(path), "-map", "0:a:0",
                 "-af", "ebur128=framelog=quiet", "-f", "null", "-"], span, None)
    integrated, _peak = parse_ebur128(text)
    return integrated if integrated is not None and integrated > SILENCE_LUFS else None


def measure(path: Path, duration_s: float, progress: Callable[[float], None] | None = None) -> Measurement:
    """Integrated loudness and true peak of a file by ffmpeg's ebur128 (the reference meter)."""
    text = _run(["-i", str(path), "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"],
                duration_s, progress)
    integrated, peak = parse_ebur128(text)
    decoded = re.findall(r"time=(\d+):(\d+):([\d.]+)", text)
    length = duration_s
    if decoded:
        h, m, s = decoded[-1]
        length = int(h) * 3600 + int(m) * 60 + float(s)
    return Measurement(integrated_lufs=integrated, true_peak_dbtp=peak, duration_s=length)


@contextlib.contextmanager
def _temporary(workdir: Path, suffix: str) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(dir=workdir, prefix="programme-", suffix=suffix)
    path = Path(name)
    with open(fd, "wb"):
        pass
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _scaled(report: Callable[[float], None], base: float, span: float) -> Callable[[float], None]:
    return lambda fraction: report(base + span * fraction)


def render_rundown(sources: list[PlacedSource], slot_s: float, *, target_lufs: float, ceiling_dbtp: float,
                   workdir: Path, progress: Callable[[float], None] | None = None) -> tuple[Path, Measurement]:
    """Render the placements into an MP3 in ``workdir`` (the caller owns it); returns it and its measurement."""
    report = progress or (lambda _f: None)
    workdir.mkdir(parents=True, exist_ok=True)
    with _temporary(workdir, ".wav") as mix:
        text = _run(mix_command(sources, slot_s, mix), slot_s, lambda f: report(0.6 * f))
        mixed_lufs, _peak = parse_ebur128(text)
        gain = target_lufs - mixed_lufs if mixed_lufs is not None else 0.0
        limit = ceiling_dbtp - LIMITER_MARGIN_DB
        fd, name = tempfile.mkstemp(dir=workdir, prefix="programme-", suffix=".mp3")
        out = Path(name)
        try:
            with open(fd, "wb"):
                pass
            measured = Measurement(None, None, 0.0)
            for attempt in range(MAX_ATTEMPTS):
                base = 0.6 + 0.4 * attempt / MAX_ATTEMPTS
                _run(master_command(mix, gain, limit, slot_s, out), slot_s, _scaled(report, base, 0.3 / MAX_ATTEMPTS))
                measured = measure(out, slot_s, _scaled(report, base + 0.3 / MAX_ATTEMPTS, 0.1 / MAX_ATTEMPTS))
                peak_excess = (measured.true_peak_dbtp if measured.true_peak_dbtp is not None else -math.inf) \
                    - ceiling_dbtp
                shortfall = (target_lufs - measured.integrated_lufs) if measured.integrated_lufs is not None else 0.0
                if peak_excess <= 0.0 and abs(shortfall) <= 0.3:
                    break
                if peak_excess > 0.0:
                    limit -= peak_excess + 0.1  # the encoder overshot: a lower ceiling for the limiter
                if abs(shortfall) > 0.3:
                    gain += shortfall  # the limiter took loudness away (or a peaky mix): push it back up
            report(1.0)
            return out, measured
        except BaseException:
            out.unlink(missing_ok=True)
            raise
