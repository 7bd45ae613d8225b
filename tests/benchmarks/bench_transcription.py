"""Benchmark: the whole transcription job vs bare faster-whisper on the same 3-minute file, and worker memory.

Run: ``.venv/bin/python tests/benchmarks/bench_transcription.py [--model base] [--runs 3] [--jobs 20]``

The audio is the committed espeak-ng fixtures (tests/data) repeated with one-second pauses up to
``--seconds`` (default 180). Both sides decode the same file with the same settings (model, int8,
RADIO_WHISPER_THREADS threads, VAD, word timestamps, batched pipeline) in one process; runs are
interleaved and the median is reported. Memory is the resident set size of this process (the worker)
after the first job and after ``--jobs`` consecutive jobs on the same model.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
import wave
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from episodes.models import Episode  # noqa: E402
from radio.config import load_settings  # noqa: E402
from radio.jobs import create_job, run_job  # noqa: E402
from radio.migrate import upgrade  # noqa: E402
from radio.runtime import Runtime, set_runtime  # noqa: E402
from transcripts.engine import DecodeOptions, get_transcriber, load_audio, loaded_transcribers  # noqa: E402
from transcripts.faster_whisper_backend import FasterWhisperTranscriber  # noqa: E402

DATA = ROOT / "tests" / "data"


def build_speech(path: Path, seconds: float) -> float:
    """Write a mono 16 kHz WAV of the speech fixtures repeated with pauses; returns its duration."""
    parts = [load_audio(DATA / "speech_en_river.ogg"), load_audio(DATA / "speech_en_farmers.ogg")]
    pause = np.zeros(16000, np.float32)
    chunks: list[np.ndarray] = []
    n = 0
    while sum(len(c) for c in chunks) < seconds * 16000:
        chunks += [parts[n % 2], pause]
        n += 1
    audio = np.concatenate(chunks)[: int(seconds * 16000)]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return len(audio) / 16000


def rss_mb() -> float:
    """Resident set size of this process in MiB (Linux /proc; peak RSS elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_run(transcriber: FasterWhisperTranscriber, path: Path, options: DecodeOptions) -> tuple[float, float, int]:
    """faster-whisper alone: decode and transcribe with the same arguments the engine passes."""
    from faster_whisper.audio import decode_audio

    start, cpu = time.perf_counter(), time.process_time()
    audio = decode_audio(str(path), sampling_rate=16000)
    kwargs = {"language": None if options.language == "auto" else options.language,
              "beam_size": options.beam_size, "temperature": options.temperature, "vad_filter": options.vad_filter,
              "vad_parameters": {"min_silence_duration_ms": options.vad_min_silence_ms},
              "word_timestamps": options.word_timestamps,
              "condition_on_previous_text": options.condition_on_previous_text,
              "no_speech_threshold": options.no_speech_threshold, "log_prob_threshold": options.log_prob_threshold,
              "compression_ratio_threshold": options.compression_ratio_threshold}
    if len(audio) / 16000 >= options.batched_from_s:
        segments, _ = transcriber._batched.transcribe(audio, batch_size=options.batch_size, without_timestamps=False,
                                                      **kwargs)
    else:
        segments, _ = transcriber._whisper.transcribe(audio, **kwargs)
    count = sum(1 for _ in segments)
    return time.perf_counter() - start, time.process_time() - cpu, count


class Probe:
    """Times, inside a job, the decoding and the model's own work (the progress callback excluded)."""

    def __init__(self, transcriber: FasterWhisperTranscriber) -> None:
        import transcripts.tasks as tasks

        self.decode = self.model = 0.0
        original_load, original_transcribe = tasks.load_audio, transcriber.transcribe

        def timed_load(path: Path) -> np.ndarray:
            start = time.perf_counter()
            try:
                return original_load(path)
            finally:
                self.decode += time.perf_counter() - start

        def timed_transcribe(audio: np.ndarray, options: DecodeOptions, progress: Any = None) -> Any:
            in_callback = [0.0]

            def timed_progress(fraction: float) -> None:
                start = time.perf_counter()
                try:
                    if progress is not None:
                        progress(fraction)
                finally:
                    in_callback[0] += time.perf_counter() - start

            start = time.perf_counter()
            try:
                return original_transcribe(audio, options, timed_progress)
            finally:
                self.model += time.perf_counter() - start - in_callback[0]

        tasks.load_audio = timed_load  # type: ignore[assignment]
        transcriber.transcribe = timed_transcribe  # type: ignore[method-assign]

    def reset(self) -> None:
        self.decode = self.model = 0.0


def pipeline_run(runtime: Runtime, episode_id: str, language: str) -> tuple[float, float, int]:
    """The whole job: queue row, claim, hash and decode the stored audio, transcribe, store all segments."""
    start, cpu = time.perf_counter(), time.process_time()
    with runtime.session() as session:
        job_id = create_job(session, "transcribe", {"episode_id": episode_id, "language": language},
                            subject_id=episode_id).id
    status = run_job(runtime, job_id)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if status != "done":
        raise SystemExit(f"job {job_id} ended {status}")
    with runtime.read_session() as session:
        from sqlalchemy import func, select

        from transcripts.models import Segment

        count = session.scalar(select(func.count()).select_from(Segment).where(Segment.episode_id == episode_id))
    return elapsed, cpu, int(count or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="base", help="RADIO_WHISPER_MODEL (default base)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each side (median reported)")
    parser.add_argument("--jobs", type=int, default=20, help="consecutive jobs for the memory check")
    parser.add_argument("--language", default="en", choices=("en", "bn", "auto"))
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="bench-transcription-"))
    settings = load_settings({"RADIO_HOME": str(home), "RADIO_WHISPER_MODEL": args.model,
                              "RADIO_WHISPER_THREADS": str(args.threads), "RADIO_WHISPER_COMPUTE_TYPE": "int8",
                              "RADIO_WHISPER_DEVICE": "cpu", "RADIO_QUEUE_IMMEDIATE": "true"}, environ={})
    runtime = Runtime.from_settings(settings)
    set_runtime(runtime)
    upgrade(runtime.engine)
    wav = home / "speech.wav"
    duration = build_speech(wav, args.seconds)
    sha, _ = runtime.store.put_file(wav, ".wav")
    with runtime.session() as session:
        episode = Episode(title="benchmark", sha256=sha, media_suffix=".wav", language="en", kind="call_in")
        session.add(episode)
    transcriber = get_transcriber(settings)
    assert isinstance(transcriber, FasterWhisperTranscriber)
    options = DecodeOptions(language=args.language)
    print(f"audio {duration:.1f} s; model {transcriber.model.name} ({transcriber.model.sha256[:12]}), "
          f"int8, {args.threads} threads, cpu; faster-whisper {transcriber.versions['faster_whisper']}, "
          f"ctranslate2 {transcriber.versions['ctranslate2']}; batched={duration >= options.batched_from_s} "
          f"batch_size={options.batch_size}")

    bare_run(transcriber, wav, options)  # warm-up (first-call allocations) for both sides
    probe = Probe(transcriber)
    bare: list[float] = []
    pipe: list[float] = []
    bare_cpu: list[float] = []
    pipe_cpu: list[float] = []
    in_job_ratio: list[float] = []
    overhead: list[float] = []
    rss: list[float] = []
    segs = [0, 0]
    loads_before = FasterWhisperTranscriber.loads
    jobs_done = max(args.jobs, args.runs)
    for job in range(jobs_done):
        timed = job < args.runs
        bare_first = job % 2 == 0  # alternate the order so that drifting machine load favours neither side
        if timed and bare_first:
            t, c, segs[0] = bare_run(transcriber, wav, options)
            bare.append(t)
            bare_cpu.append(c)
        probe.reset()
        t, c, segs[1] = pipeline_run(runtime, episode.id, args.language)
        # Within one job: its time ÷ (decoding + the model's work), the share bare faster-whisper also does;
        # machine load hits both sides of this ratio alike.
        in_job_ratio.append(t / (probe.decode + probe.model))
        overhead.append(t - probe.decode - probe.model)
        if timed:
            pipe.append(t)
            pipe_cpu.append(c)
        if timed and not bare_first:
            t, c, segs[0] = bare_run(transcriber, wav, options)
            bare.append(t)
            bare_cpu.append(c)
        gc.collect()
        rss.append(rss_mb())
    after_first, after_all = rss[0], rss[-1]

    mb, mp = statistics.median(bare), statistics.median(pipe)
    print(f"bare faster-whisper : median {mb:.2f} s  RTF {mb / duration:.4f}  runs {[round(x, 2) for x in bare]}"
          f"  segments {segs[0]}")
    print(f"pipeline (job→rows) : median {mp:.2f} s  RTF {mp / duration:.4f}  runs {[round(x, 2) for x in pipe]}"
          f"  segments {segs[1]}")
    print(f"ratio pipeline/bare : {mp / mb:.3f} wall, {statistics.median(pipe_cpu) / statistics.median(bare_cpu):.3f} "
          f"CPU time (medians of {args.runs} interleaved runs each; goal <= 1.05)")
    print(f"in-job ratio        : median {statistics.median(in_job_ratio):.4f} over {len(in_job_ratio)} jobs "
          f"(job time ÷ its decode + model time); overhead outside the model median "
          f"{statistics.median(overhead) * 1000:.0f} ms (hash, decode excluded, DB rows, progress writes, claim)")
    print(f"worker RSS          : {after_first:.0f} MiB after 1 job, {after_all:.0f} MiB after "
          f"{jobs_done} jobs (delta {after_all - after_first:+.0f} MiB); model loads in this process: "
          f"{FasterWhisperTranscriber.loads} (during the loop: {FasterWhisperTranscriber.loads - loads_before}); "
          f"transcribers cached: {loaded_transcribers()}")
    print(f"RSS per job (MiB)   : {[round(x) for x in rss]}")
    print(f"CPU s bare / job    : {[round(x, 2) for x in bare_cpu]} / {[round(x, 2) for x in pipe_cpu]}")
    print(f"decode options: {asdict(options)}")
    runtime.close()


if __name__ == "__main__":
    main()
