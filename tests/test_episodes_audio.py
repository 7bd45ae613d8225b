"""Pure audio functions on real files: probing, decode checks, R128 analysis against ffmpeg, the rendition."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3, TIT2, TPE1, TXXX
from mutagen.mp3 import MP3

from episodes import render
from episodes.analysis import LoudnessMeter, analyse_audio, oversampling_filter
from episodes.audio import decode_check, probe_audio
from episodes.decode import read_ahead
from episodes.render import RenditionTags, render_broadcast
from radio.errors import UnsupportedMedia
from tests.audio import ENCODINGS, ffmpeg_duration, ffmpeg_loudness, make_audio, noise, silence, tone, write_wav

RATE = 48000


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audio")


def programme(seconds: float = 4.0, channels: int = 2, rate: int = RATE, head: float = 1.0,
              tail: float = 1.5) -> np.ndarray:
    """Silence, a tone with noise whose level changes half-way, silence."""
    half = seconds / 2
    body = np.concatenate([tone(half, 997, rate, 0.4, channels) + noise(half, rate, 0.05, channels),
                           tone(half, 440, rate, 0.1, channels) + noise(half, rate, 0.02, channels, seed=2)])
    return np.concatenate([silence(head, rate, channels), body, silence(tail, rate, channels)])


@pytest.mark.parametrize("fmt", sorted(ENCODINGS))
def test_every_format_probes_decodes_and_matches_ffprobe_duration(folder: Path, fmt: str) -> None:
    path = make_audio(folder, fmt, samples=programme(), name=f"p-{fmt}")
    info = probe_audio(path)
    decoded = decode_check(path, info)
    expected_format = {"amr": "amr", "3gp": "3gp", "opus": "opus"}.get(fmt, fmt)
    assert info.format == expected_format and info.suffix == ENCODINGS[fmt][0]
    assert info.codec and info.sample_rate == (8000 if fmt in ("amr", "3gp") else RATE)
    assert info.channels == (1 if fmt in ("amr", "3gp") else 2)
    assert info.mime_type.startswith("audio/")
    # Raw AMR has no duration header: ffprobe estimates from the bitrate and is itself off by ~3 %.
    reference = 6.5 if fmt == "amr" else ffmpeg_duration(path)
    assert decoded == pytest.approx(reference, rel=0.01)


def test_bangla_id3_tags_are_read(folder: Path) -> None:
    path = make_audio(folder, "mp3", samples=tone(1.0, channels=1), name="tagged")
    tags = ID3(path)
    tags.add(TIT2(encoding=3, text="নিরাপদ অভিবাসন"))
    tags.add(TPE1(encoding=3, text="আশ্বাস রেডিও"))
    tags.add(TXXX(encoding=3, desc="Campaign", text="সচেতনতা ২০২৫"))
    tags.save(path)
    info = probe_audio(path)
    assert info.tags["title"] == "নিরাপদ অভিবাসন" and info.tags["artist"] == "আশ্বাস রেডিও"
    assert info.tags["campaign"] == "সচেতনতা ২০২৫"


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "Invalid data"),
    (b"Dear producer, this is a text file.\n" * 50, "Invalid data"),
])
def test_undecodable_files_raise_with_the_decoders_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "upload.part"
    path.write_bytes(content)
    with pytest.raises(UnsupportedMedia) as caught:
        decode_check(path, probe_audio(path))
    assert reason in caught.value.message and str(tmp_path) not in caught.value.message


def test_truncated_mp3_is_detected_from_its_header(folder: Path, tmp_path: Path) -> None:
    whole = make_audio(folder, "mp3", samples=tone(4.0, channels=2), name="whole")
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert decode_check(whole, probe_audio(whole)) == pytest.approx(4.0, rel=0.01)
    with pytest.raises(UnsupportedMedia, match="truncated"):
        decode_check(cut, probe_audio(cut))


@pytest.mark.parametrize(("rate", "channels"), [(48000, 2), (44100, 1), (16000, 1)])
def test_loudness_agrees_with_ffmpeg_ebur128(folder: Path, rate: int, channels: int) -> None:
    path = make_audio(folder, "wav", samples=programme(8.0, channels, rate), rate=rate, name=f"l-{rate}")
    ours = analyse_audio(path, probe_audio(path))
    theirs = ffmpeg_loudness(path)
    assert ours.integrated_lufs == pytest.approx(theirs["I"], abs=0.5)
    assert ours.loudness_range_lu == pytest.approx(theirs["LRA"], abs=1.0)
    assert ours.true_peak_dbtp == pytest.approx(theirs["TP"], abs=0.5)


def test_true_peak_sees_inter_sample_peaks() -> None:
    # A sine at a quarter of the sample rate, 45° out of phase: every sample is at 0.707 of the real peak.
    t = np.arange(RATE * 2)
    x = 0.9 * np.sin(2 * np.pi * t / 4 + np.pi / 4)
    meter = LoudnessMeter(RATE, 1)
    meter.feed(x[:, None].astype(np.float32))
    result = meter.result()
    assert result.sample_peak_dbfs == pytest.approx(20 * math.log10(0.9 * math.sqrt(0.5)), abs=0.05)
    assert result.true_peak_dbtp == pytest.approx(20 * math.log10(0.9), abs=0.3)


@pytest.mark.parametrize("loud", [True, False])
def test_true_peak_equals_brute_force_oversampling(loud: bool) -> None:
    # Loud material takes the whole-block path, quiet material with rare bursts the candidate-run path.
    rng = np.random.default_rng(5)
    signal = np.clip(0.5 * rng.standard_normal((RATE * 3, 2)), -0.95, 0.95) if loud else \
        0.01 * rng.standard_normal((RATE * 3, 2))
    if not loud:
        for at in rng.integers(0, len(signal) - 100, 12):
            signal[at:at + 40] = 0.7 * np.sin(np.arange(40)[:, None] * 2.9 + rng.random(2))
    signal = signal.astype(np.float32)
    meter = LoudnessMeter(RATE, 2)
    start = 0
    while start < len(signal):
        size = int(rng.integers(1, 30000))
        meter.feed(signal[start:start + size])
        start += size
    interp = oversampling_filter(4)
    padded = np.concatenate([np.zeros((11, 2)), signal.astype(np.float64)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 12, axis=0)  # (n, 2, 12), newest last
    # The meter never reports a true peak below the sample peak (no phase of the filter lands on a sample).
    reference = max(float(np.abs(windows.reshape(-1, 12) @ interp).max()), float(np.abs(signal).max()))
    assert meter.result().true_peak_dbtp == pytest.approx(20 * math.log10(reference), abs=0.01)


def test_block_size_does_not_change_the_result() -> None:
    signal = programme(6.0).astype(np.float32)
    whole = LoudnessMeter(RATE, 2)
    whole.feed(signal)
    pieces = LoudnessMeter(RATE, 2)
    rng = np.random.default_rng(3)
    start = 0
    while start < len(signal):
        size = int(rng.integers(1, 20000))
        pieces.feed(signal[start:start + size])
        start += size
    a, b = whole.result(), pieces.result()
    assert a.integrated_lufs == pytest.approx(b.integrated_lufs, abs=0.01)
    assert a.loudness_range_lu == pytest.approx(b.loudness_range_lu, abs=0.01)
    assert a.true_peak_dbtp == pytest.approx(b.true_peak_dbtp, abs=0.01)
    assert (a.cue_in_s, a.cue_out_s, a.duration_s) == (b.cue_in_s, b.cue_out_s, b.duration_s)
    assert a.peaks == b.peaks


def test_cues_and_peaks_follow_head_and_tail_silence(folder: Path) -> None:
    path = make_audio(folder, "flac", samples=programme(4.0, head=1.25, tail=2.0), name="cues")
    result = analyse_audio(path, probe_audio(path))
    assert result.cue_in_s == pytest.approx(1.25, abs=0.01)
    assert result.cue_out_s == pytest.approx(5.25, abs=0.01)
    assert result.duration_s == pytest.approx(7.25, abs=0.01)
    assert len(result.peaks) == 73 and result.peaks[0] == 0 and max(result.peaks) > 0.4
    silent = write_wav(folder / "silent.wav", silence(2.0))
    quiet = analyse_audio(silent, probe_audio(silent))
    assert quiet.integrated_lufs is None and quiet.true_peak_dbtp is None
    assert (quiet.cue_in_s, quiet.cue_out_s) == (0.0, 2.0)


def _tags() -> RenditionTags:
    return RenditionTags(title="নারী ও শিশু পাচার", producer="প্রযোজক", language="bn", campaign="C", episode_id="e1")


@pytest.mark.parametrize(("target", "in_memory"), [(-23.0, True), (-16.0, True), (-23.0, False)])
def test_broadcast_rendition_is_trimmed_normalised_and_tagged(folder: Path, tmp_path: Path, monkeypatch,
                                                              target: float, in_memory: bool) -> None:
    if not in_memory:  # the chunked path that long programmes take
        monkeypatch.setattr(render, "IN_MEMORY_MAX_S", 1.0)
        monkeypatch.setattr(render, "CHUNK_S", 0.7)
    path = make_audio(folder, "m4a", samples=programme(5.0, head=1.0, tail=1.0) * 0.3, name="quiet")
    info = probe_audio(path)
    analysis = analyse_audio(path, info)
    out, measured = render_broadcast(path, info, analysis, _tags(), target_lufs=target, ceiling_dbtp=-1.0,
                                     workdir=tmp_path)
    assert measured.true_peak_dbtp is not None and measured.true_peak_dbtp <= -1.0 + 0.05
    if target == -23.0:
        assert measured.integrated_lufs == pytest.approx(-23.0, abs=0.5)
    else:  # -16 LUFS would need more than the peak allows: the ceiling wins
        assert measured.integrated_lufs is not None and measured.integrated_lufs < -16.0
    assert MP3(out).info.length == pytest.approx(analysis.cue_out_s - analysis.cue_in_s, abs=0.1)
    id3 = ID3(out)
    assert str(id3["TIT2"]) == "নারী ও শিশু পাচার" and str(id3["TPE1"]) == "প্রযোজক"
    assert str(id3["TLAN"]) == "ben" and str(id3["TXXX:episode_id"]) == "e1"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_read_ahead_passes_blocks_errors_and_stops_early() -> None:
    closed: list[bool] = []

    def blocks(fail: bool):  # type: ignore[no-untyped-def]
        try:
            for i in range(10):
                yield np.full((2, 3), i, dtype=np.float32)
            if fail:
                raise UnsupportedMedia("broken at the end")
        finally:
            closed.append(True)

    assert [int(b[0, 0]) for b in read_ahead(blocks(False), depth=2)] == list(range(10))
    with pytest.raises(UnsupportedMedia, match="broken at the end"):
        list(read_ahead(blocks(True), depth=2))
    reader = read_ahead(blocks(False), depth=2)
    assert int(next(reader)[0, 0]) == 0
    reader.close()  # the consumer stops early: the producer thread ends and the source is closed
    assert closed == [True, True, True]
