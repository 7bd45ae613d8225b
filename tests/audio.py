"""Real audio for tests: tones, noise and silence written with ``wave``, encoded by the bundled ffmpeg."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()

# format → (file suffix, ffmpeg output options)
ENCODINGS: dict[str, tuple[str, list[str]]] = {
    "wav": (".wav", []),
    "mp3": (".mp3", ["-c:a", "libmp3lame", "-b:a", "128k"]),
    "ogg": (".ogg", ["-c:a", "libvorbis", "-q:a", "4"]),
    "opus": (".opus", ["-c:a", "libopus", "-b:a", "64k"]),
    "flac": (".flac", ["-c:a", "flac"]),
    "m4a": (".m4a", ["-c:a", "aac", "-b:a", "128k"]),
    "wma": (".wma", ["-c:a", "wmav2", "-b:a", "128k"]),
    "amr": (".amr", ["-c:a", "libopencore_amrnb", "-ar", "8000", "-ac", "1", "-b:a", "12.2k"]),
    "3gp": (".3gp", ["-c:a", "libopencore_amrnb", "-ar", "8000", "-ac", "1", "-b:a", "12.2k"]),
}


def tone(seconds: float, freq: float = 440.0, rate: int = 48000, amplitude: float = 0.3,
         channels: int = 1) -> np.ndarray:
    """A sine tone as ``(frames, channels)`` floats."""
    t = np.arange(int(round(seconds * rate))) / rate
    mono = amplitude * np.sin(2 * np.pi * freq * t)
    return np.repeat(mono[:, None], channels, axis=1)


def noise(seconds: float, rate: int = 48000, amplitude: float = 0.1, channels: int = 1, seed: int = 1) -> np.ndarray:
    """White noise (uniform, seeded) as ``(frames, channels)`` floats."""
    rng = np.random.default_rng(seed)
    return amplitude * rng.uniform(-1, 1, size=(int(round(seconds * rate)), channels))


def silence(seconds: float, rate: int = 48000, channels: int = 1) -> np.ndarray:
    """Digital silence."""
    return np.zeros((int(round(seconds * rate)), channels))


def write_wav(path: Path, samples: np.ndarray, rate: int = 48000) -> Path:
    """Write 16-bit PCM WAV."""
    samples = samples if samples.ndim == 2 else samples[:, None]
    pcm = (np.clip(samples, -1, 1) * 32767).round().astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(samples.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


def encode(source: Path, target: Path, fmt: str, extra: list[str] | None = None) -> Path:
    """Encode ``source`` into ``target`` with the options of ``fmt``."""
    options = ENCODINGS[fmt][1]
    muxer = {"3gp": ["-f", "3gp"], "amr": ["-f", "amr"], "wma": ["-f", "asf"], "opus": ["-f", "ogg"],
             "m4a": ["-f", "ipod"]}.get(fmt, [])
    subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-y", "-i", str(source), *options, *(extra or []),
                    *muxer, str(target)], check=True)
    return target


def make_audio(folder: Path, fmt: str = "wav", samples: np.ndarray | None = None, rate: int = 48000,
               name: str = "clip", extra: list[str] | None = None) -> Path:
    """A file in ``fmt`` (default: 0.5 s silence, 2 s tone, 0.5 s silence)."""
    folder.mkdir(parents=True, exist_ok=True)
    if samples is None:
        samples = np.concatenate([silence(0.5, rate), tone(2.0, rate=rate), silence(0.5, rate)])
    wav = write_wav(folder / f"{name}.src.wav", samples, rate)
    if fmt == "wav":
        return wav.rename(folder / f"{name}.wav")
    target = encode(wav, folder / f"{name}{ENCODINGS[fmt][0]}", fmt, extra)
    wav.unlink()
    return target


def ffmpeg_loudness(path: Path) -> dict[str, float]:
    """ffmpeg's own ebur128 summary (I, LRA, true peak) for comparison."""
    proc = subprocess.run([FFMPEG, "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
                           "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True, check=True)
    summary = proc.stderr[proc.stderr.rfind("Summary:"):]
    values: dict[str, float] = {}
    for key, label in (("I", "I:"), ("LRA", "LRA:"), ("TP", "Peak:")):
        tail = summary[summary.find(label) + len(label):].split()
        values[key] = float(tail[0])
    return values


def ffmpeg_duration(path: Path) -> float:
    """The container duration as PyAV (ffprobe's library) reports it."""
    import av

    with av.open(str(path)) as container:
        if container.duration:
            return float(container.duration / 1_000_000)
        stream = container.streams.audio[0]
        return float(stream.duration * stream.time_base)
