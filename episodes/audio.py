"""Pure audio functions: find ffmpeg, probe technical metadata, check that a file decodes end to end."""

from __future__ import annotations

import contextlib
import functools
import queue
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from radio.errors import UnsupportedMedia

# Container/codec → (suffix, MIME type) of the stored original; the client's file name never decides this.
_FORMATS: dict[str, tuple[str, str]] = {
    "mp3": (".mp3", "audio/mpeg"),
    "wav": (".wav", "audio/wav"),
    "flac": (".flac", "audio/flac"),
    "ogg": (".ogg", "audio/ogg"),
    "opus": (".opus", "audio/ogg"),
    "m4a": (".m4a", "audio/mp4"),
    "3gp": (".3gp", "audio/3gpp"),
    "amr": (".amr", "audio/amr"),
    "wma": (".wma", "audio/x-ms-wma"),
    "aac": (".aac", "audio/aac"),
    "webm": (".webm", "audio/webm"),
    "aiff": (".aiff", "audio/aiff"),
}
DECODE_TIMEOUT_S = 1800  # a 12-hour file decodes in a few minutes; anything slower is pathological
READ_AHEAD_BLOCKS = 4  # decoded blocks buffered between ffmpeg and the analysis
_UNKNOWN = (".bin", "application/octet-stream")
# Tags worth keeping, by the names mutagen's backends use.
_ID3_NAMES = {"TIT2": "title", "TPE1": "artist", "TALB": "album", "TDRC": "date", "TCON": "genre",
              "TLAN": "language", "TPUB": "publisher", "TCOP": "copyright", "TCOM": "composer"}
_MP4_NAMES = {"\xa9nam": "title", "\xa9ART": "artist", "\xa9alb": "album", "\xa9day": "date",
              "\xa9gen": "genre", "\xa9cmt": "comment", "\xa9wrt": "composer", "cprt": "copyright"}


@functools.cache
def ffmpeg_exe() -> str:
    """The ffmpeg binary shipped with imageio-ffmpeg (no system ffmpeg needed)."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@dataclass
class AudioInfo:
    """Technical metadata of an audio file."""

    format: str = ""
    codec: str = ""
    duration_s: float | None = None
    bitrate: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    duration_exact: bool = False  # the duration comes from a header that counts samples (truncation detectable)

    @property
    def suffix(self) -> str:
        """File suffix for the stored original."""
        return _FORMATS.get(self.format, _UNKNOWN)[0]

    @property
    def mime_type(self) -> str:
        """Content type for serving the original."""
        return _FORMATS.get(self.format, _UNKNOWN)[1]


def _clean_tag(value: Any) -> str:
    texts = value if isinstance(value, list | tuple) else [value]
    parts = [str(getattr(v, "text", v)) for v in texts]
    return "; ".join(p.replace("\x00", "").strip() for p in parts if p)[:1000]


def _tags_from_mutagen(tags: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    if tags is None:
        return out
    try:
        keys = list(tags.keys())
    except Exception:  # noqa: BLE001 - odd tag containers are skipped, not fatal
        return out
    for key in keys:
        value = tags[key]
        if key in _ID3_NAMES:
            name = _ID3_NAMES[key]
        elif key.startswith("TXXX:"):
            name = key[5:].lower()
        elif key.startswith("COMM"):
            name = "comment"
        elif key in _MP4_NAMES:
            name = _MP4_NAMES[key]
        elif key.startswith("----:"):
            name = key.rsplit(":", 1)[-1].lower()
        elif re.match(r"^[A-Za-z][A-Za-z0-9_ .-]{0,40}$", key) and not key.startswith(("APIC", "covr")):
            name = key.lower()
        else:
            continue
        text = _clean_tag(getattr(value, "text", value))
        if text and not name.startswith(("apic", "covr", "pic")):
            out.setdefault(name, text)
    return out


def _mutagen_format(kind: str, codec_hint: str) -> str:
    return {
        "MP3": "mp3", "WAVE": "wav", "FLAC": "flac", "OggVorbis": "ogg", "OggOpus": "opus", "OggFLAC": "ogg",
        "OggSpeex": "ogg", "ASF": "wma", "AAC": "aac", "AIFF": "aiff",
    }.get(kind, "3gp" if kind == "MP4" and codec_hint in ("samr", "sawb") else "m4a" if kind == "MP4" else "")


def _probe_mutagen(path: Path, info: AudioInfo) -> None:
    import mutagen
    from mutagen.mp3 import BitrateMode

    try:
        parsed = mutagen.File(path)
    except Exception:  # noqa: BLE001 - mutagen is only the first opinion; the decoder decides
        return
    if parsed is None:
        return
    kind = type(parsed).__name__
    stream = parsed.info
    codec = str(getattr(stream, "codec", "") or "")
    info.format = _mutagen_format(kind, codec)
    info.codec = {"MP3": "mp3", "FLAC": "flac", "OggVorbis": "vorbis", "OggOpus": "opus"}.get(kind, "")
    length = getattr(stream, "length", None)
    if length:
        info.duration_s = float(length)
        # MP3 length without a Xing/Info/VBRI header is a guess from the bitrate; others count samples.
        info.duration_exact = kind in ("WAVE", "FLAC", "MP4") or (
            kind == "MP3" and getattr(stream, "bitrate_mode", BitrateMode.UNKNOWN) != BitrateMode.UNKNOWN)
    info.bitrate = int(stream.bitrate) if getattr(stream, "bitrate", 0) else None
    info.sample_rate = int(stream.sample_rate) if getattr(stream, "sample_rate", 0) else None
    info.channels = int(stream.channels) if getattr(stream, "channels", 0) else None
    info.tags = _tags_from_mutagen(parsed.tags)


def _probe_av(path: Path, info: AudioInfo) -> None:
    import av

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except Exception as exc:  # noqa: BLE001 - any open failure means: not something we can decode
        reason = decoder_reason(str(exc), path)
        raise UnsupportedMedia(f"the audio does not decode: {reason}", details={"reason": reason}) from exc
    with container:
        if not container.streams.audio:
            raise UnsupportedMedia("the file has no audio stream")
        stream = container.streams.audio[0]
        ctx = stream.codec_context
        if ctx is None:  # e.g. a WAV header with format tag 0: PyAV knows no codec for it
            raise UnsupportedMedia("the audio stream uses a codec that cannot be decoded")
        names = container.format.name.split(",")
        av_format = {"mov": "m4a", "matroska": "webm", "asf": "wma", "ogg": "ogg"}.get(names[0], names[0])
        if av_format == "m4a" and (ctx.name.startswith("amr") or "3gp" in (container.format.long_name or "")):
            av_format = "3gp"
        if not info.format or info.format == "ogg" and ctx.name == "opus":
            info.format = "opus" if ctx.name == "opus" and av_format == "ogg" else av_format
        info.codec = info.codec or ctx.name
        if not info.duration_s:
            if container.duration:
                info.duration_s = container.duration / 1_000_000
            elif stream.duration and stream.time_base:
                info.duration_s = float(stream.duration * stream.time_base)
        info.sample_rate = info.sample_rate or ctx.sample_rate or None
        info.channels = info.channels or ctx.channels or None
        info.bitrate = info.bitrate or ctx.bit_rate or container.bit_rate or None
        if not info.tags:
            meta = {**container.metadata, **stream.metadata}
            info.tags = {k.lower(): _clean_tag(v) for k, v in meta.items()
                         if k.lower() not in ("encoder", "major_brand", "minor_version", "compatible_brands")}


def probe_audio(path: Path) -> AudioInfo:
    """Format, codec, duration, bitrate, sample rate, channels and tags: mutagen first, PyAV fills the gaps."""
    info = AudioInfo()
    _probe_mutagen(Path(path), info)
    _probe_av(Path(path), info)
    if not info.sample_rate or not info.channels:
        raise UnsupportedMedia("the audio stream has no sample rate or channel count")
    return info


def decoder_reason(stderr: str, path: Path | str) -> str:
    """The decoder's last complaint, without our temporary path in it."""
    text = stderr.replace(f": '{path}'", "").replace(str(path), "the file")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    lines = [re.sub(r"^\[[^\]]+\]\s*", "", ln) for ln in lines]
    reason = lines[-1] if lines else "the decoder produced no audio"
    return reason.replace("[Errno 1094995529] ", "")[:300]


def decode_check(path: Path, info: AudioInfo | None = None) -> float:
    """Decode the whole file once; the decoded duration in seconds, or UnsupportedMedia with the reason."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-v", "error", "-i", str(path), "-map", "0:a:0",
           "-f", "null", "-", "-progress", "pipe:1", "-nostats"]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=DECODE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise UnsupportedMedia(f"decoding took longer than {DECODE_TIMEOUT_S} s", code="decode_timeout") from exc
    stderr = proc.stderr.decode("utf-8", "replace")
    times = re.findall(rb"out_time_us=(\d+)", proc.stdout)
    decoded = int(times[-1]) / 1_000_000 if times else 0.0
    if proc.returncode != 0 or decoded <= 0:
        raise UnsupportedMedia(f"the audio does not decode: {decoder_reason(stderr, path)}",
                               details={"reason": decoder_reason(stderr, path)})
    if info is not None and info.duration_exact and info.duration_s:
        missing = info.duration_s - decoded
        if missing > max(0.5, 0.02 * info.duration_s):
            raise UnsupportedMedia(
                f"the file is truncated: its header says {info.duration_s:.1f} s but only {decoded:.1f} s decode",
                code="truncated")
    return decoded


def pcm_blocks(path: Path, sample_rate: int, channels: int, block_frames: int,
               start_s: float | None = None, duration_s: float | None = None,
               sample_format: str = "f32le") -> Iterator[np.ndarray]:
    """Stream the decoded audio as ``(frames, channels)`` arrays from an ffmpeg pipe (never the whole file)."""
    dtype = {"f32le": np.float32, "s32le": np.int32, "s16le": np.int16}[sample_format]
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-v", "error", "-i", str(path), "-map", "0:a:0"]
    if start_s:
        cmd += ["-ss", f"{start_s:.6f}"]
    if duration_s is not None:
        cmd += ["-t", f"{duration_s:.6f}"]
    cmd += ["-ac", str(channels), "-ar", str(sample_rate), "-f", sample_format, "-"]
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - a file, not a pipe: a chatty decoder must never block
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors)
    assert proc.stdout is not None
    frame_bytes = channels * np.dtype(dtype).itemsize
    # A reader thread keeps a few blocks ahead so that ffmpeg decodes on one core while we analyse on another.
    blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=READ_AHEAD_BLOCKS)
    stdout = proc.stdout

    def read_ahead() -> None:
        try:
            while data := stdout.read(block_frames * frame_bytes):
                blocks.put(data)
        except (OSError, ValueError):  # the pipe was closed because the consumer stopped early
            pass
        finally:
            blocks.put(None)

    reader = threading.Thread(target=read_ahead, name="pcm-reader", daemon=True)
    reader.start()
    try:
        while (data := blocks.get()) is not None:
            usable = len(data) - len(data) % frame_bytes
            yield np.frombuffer(data[:usable], dtype=dtype).reshape(-1, channels)
        if proc.wait() != 0:
            errors.seek(0)
            stderr = errors.read().decode("utf-8", "replace")
            raise UnsupportedMedia(f"the audio does not decode: {decoder_reason(stderr, path)}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        while reader.is_alive():  # unblock a reader waiting on a full queue
            with contextlib.suppress(queue.Empty):
                blocks.get(timeout=0.05)
        reader.join()
        stdout.close()
        errors.close()
