"""The broadcast rendition: trimmed to the cues, gain to the target loudness, MP3 with ID3 tags."""

from __future__ import annotations

import math
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydub import AudioSegment

from episodes.analysis import Analysis, LoudnessMeter, analyse_audio
from episodes.audio import AudioInfo, ffmpeg_exe, pcm_blocks

BITRATE = "192k"
IN_MEMORY_MAX_S = 120.0  # up to this, one pydub segment is exported; longer ones stream in chunks (flat memory)
CHUNK_S = 10.0
_ISO639_2 = {"bn": "ben", "en": "eng"}


@dataclass
class RenditionTags:
    """What the ID3 tag of the broadcast copy says."""

    title: str
    producer: str
    language: str
    campaign: str
    episode_id: str


def broadcast_gain_db(analysis: Analysis, target_lufs: float, ceiling_dbtp: float) -> float:
    """Gain that brings the programme to the target loudness without the true peak passing the ceiling."""
    if analysis.integrated_lufs is None:
        return 0.0
    gain = target_lufs - analysis.integrated_lufs
    if analysis.true_peak_dbtp is not None:
        gain = min(gain, ceiling_dbtp - analysis.true_peak_dbtp)
    return round(gain, 2)


def _segment(pcm: np.ndarray, rate: int) -> AudioSegment:
    return AudioSegment(data=pcm.astype("<i4").tobytes(), sample_width=4, frame_rate=rate, channels=pcm.shape[1])


def _encoder_args(rate: int, channels: int, source: str, out: Path) -> list[str]:
    return [ffmpeg_exe(), "-nostdin", "-hide_banner", "-v", "error", "-y", "-f", "s32le", "-ar", str(rate),
            "-ac", str(channels), "-i", source, "-c:a", "libmp3lame", "-b:a", BITRATE, "-write_xing", "1", str(out)]


def _render_pcm(path: Path, info: AudioInfo, start: float, length: float, gain_db: float, out: Path) -> None:
    rate = min(int(info.sample_rate or 48000), 48000)
    channels = min(int(info.channels or 2), 2)
    AudioSegment.converter = ffmpeg_exe()
    blocks = pcm_blocks(path, rate, channels, int(CHUNK_S * rate), start_s=start, duration_s=length,
                        sample_format="s32le")
    if length <= IN_MEMORY_MAX_S:
        data = b"".join(block.tobytes() for block in blocks)
        segment = AudioSegment(data=data, sample_width=4, frame_rate=rate, channels=channels).apply_gain(gain_db)
        segment.export(str(out), format="mp3", bitrate=BITRATE, parameters=["-write_xing", "1"])
        return
    # Long programmes: each chunk is gained by pydub and piped to one ffmpeg encoder (no gaps between chunks).
    encoder = subprocess.Popen(_encoder_args(rate, channels, "-", out), stdin=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    assert encoder.stdin is not None
    try:
        for block in blocks:
            encoder.stdin.write(_segment(block, rate).apply_gain(gain_db).raw_data)
    finally:
        encoder.stdin.close()
        if encoder.wait() != 0:
            raise RuntimeError("the MP3 encoder failed")


def write_id3(path: Path, tags: RenditionTags) -> None:
    """Write title, producer, language, campaign and episode id as ID3v2.4 (UTF-8, Bangla intact)."""
    from mutagen.id3 import ID3, TALB, TIT2, TLAN, TPE1, TXXX, ID3NoHeaderError

    try:
        id3 = ID3(path)
    except ID3NoHeaderError:
        id3 = ID3()
    id3.delall("TXXX")
    id3.add(TIT2(encoding=3, text=tags.title))
    if tags.producer:
        id3.add(TPE1(encoding=3, text=tags.producer))
    id3.add(TLAN(encoding=3, text=_ISO639_2.get(tags.language, tags.language)))
    if tags.campaign:
        id3.add(TALB(encoding=3, text=tags.campaign))
        id3.add(TXXX(encoding=3, desc="campaign", text=tags.campaign))
    id3.add(TXXX(encoding=3, desc="episode_id", text=tags.episode_id))
    id3.save(path, v2_version=4)


def render_broadcast(path: Path, info: AudioInfo, analysis: Analysis, tags: RenditionTags, *,
                     target_lufs: float, ceiling_dbtp: float, workdir: Path) -> tuple[Path, Analysis]:
    """Render the broadcast MP3 into ``workdir``; returns its path and its own measurement."""
    start = analysis.cue_in_s
    length = max(0.0, analysis.cue_out_s - analysis.cue_in_s)
    gain = broadcast_gain_db(analysis, target_lufs, ceiling_dbtp)
    fd, name = tempfile.mkstemp(dir=workdir, prefix="render-", suffix=".mp3")
    out = Path(name)
    try:
        with open(fd, "wb"):
            pass
        measured = LoudnessMeter(1, 1).result()
        for _attempt in range(3):
            _render_pcm(path, info, start, length, gain, out)
            rendered = AudioInfo(format="mp3", sample_rate=min(int(info.sample_rate or 48000), 48000),
                                 channels=min(int(info.channels or 2), 2), duration_s=length)
            measured = analyse_audio(out, rendered)
            # MP3 encoding can overshoot the peak a little: take the excess off and render again.
            excess = (measured.true_peak_dbtp or -math.inf) - ceiling_dbtp
            if excess <= 0.05:
                break
            gain = round(gain - excess - 0.1, 2)
        write_id3(out, tags)
        return out, measured
    except BaseException:
        out.unlink(missing_ok=True)
        raise
