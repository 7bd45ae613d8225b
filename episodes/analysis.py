"""Streaming analysis in one decode pass: EBU R128 loudness, loudness range, true peak, cues and waveform peaks."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import sosfilt, upfirdn

from episodes.audio import AudioInfo, pcm_blocks
from episodes.decode import LayoutMismatch, planar_blocks, read_ahead

SILENCE_DBFS = -50.0  # below this, head and tail count as silence for the cues
WAVEFORM_POINTS = 1000  # at most this many waveform peaks (one per 100 ms for shorter files)
_SUB = 64  # true-peak work is skipped for 64-sample runs that cannot beat the running peak
_TAPS = 12  # interpolation taps per phase (as ITU-R BS.1770-4 Annex 2)


def k_weighting_sos(rate: int) -> np.ndarray:
    """The BS.1770 K-weighting filter (high shelf, then high pass) as second-order sections for ``rate``."""
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0,
             1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return np.array([shelf, highpass], dtype=np.float64)


def oversampling_filter(factor: int) -> np.ndarray:
    """Polyphase interpolation matrix (taps × phases), newest sample last, each phase with unit DC gain."""
    n = _TAPS * factor
    t = (np.arange(n) - (n - 1) / 2) / factor
    h = np.sinc(t) * np.kaiser(n, 7.0)
    phases = np.stack([h[p::factor][::-1] for p in range(factor)], axis=1)
    return phases / phases.sum(axis=0, keepdims=True)


def channel_weights(channels: int) -> np.ndarray:
    """BS.1770 channel weights: 1.0 for front channels, 1.41 for surrounds, 0 for LFE (5.1 order)."""
    if channels == 6:
        return np.array([1.0, 1.0, 1.0, 0.0, 1.41, 1.41])
    if channels == 5:
        return np.array([1.0, 1.0, 1.0, 1.41, 1.41])
    return np.ones(channels)


def _lufs(energy: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(energy)


def _db(value: float) -> float | None:
    return round(20 * math.log10(value), 2) if value > 0 else None


@dataclass
class Analysis:
    """What one pass over the audio found."""

    duration_s: float
    integrated_lufs: float | None
    loudness_range_lu: float | None
    true_peak_dbtp: float | None
    sample_peak_dbfs: float | None
    cue_in_s: float
    cue_out_s: float
    peaks: list[float] = field(default_factory=list)


class LoudnessMeter:
    """Feed ``(frames, channels)`` float blocks in order; ``result()`` gives the Analysis. Memory stays flat."""

    def __init__(self, rate: int, channels: int, silence_dbfs: float = SILENCE_DBFS) -> None:
        self.rate, self.channels = rate, channels
        self.hop = max(1, rate // 10)  # 100 ms
        self.sos = k_weighting_sos(rate).astype(np.float32)  # float32 throughout: half the memory traffic
        self.zi = np.zeros((2, channels, 2), dtype=np.float32)
        self.weights = channel_weights(channels)
        factor = 4 if rate >= 44100 else max(2, min(8, round(192000 / rate)))
        interp = oversampling_filter(factor)
        self.factor = factor
        self.bound = float(np.abs(interp).sum(axis=0).max())  # |interpolated| ≤ bound × max |input|
        # The same polyphase filter as one FIR for upfirdn: output factor·q + p = Σ_k x[q - k] · h[p + factor·k].
        self.fir = interp[::-1].reshape(-1).astype(np.float32)
        self.hist = np.zeros((channels, _TAPS - 1), dtype=np.float32)
        self.prev_sub_max = 0.0
        self.silence = 10 ** (silence_dbfs / 20)
        self.frames = 0
        self.sample_peak = 0.0
        self.true_peak = 0.0
        self.first_loud: int | None = None
        self.last_loud: int | None = None
        self._energy_carry = np.zeros((channels, 0), dtype=np.float32)
        self._peak_carry = np.zeros(0, dtype=np.float32)
        self._energies: list[np.ndarray] = []
        self._peaks: list[np.ndarray] = []

    def feed(self, block: np.ndarray) -> None:
        """Analyse the next ``(frames, channels)`` block of samples (any length)."""
        self.feed_planar(np.array(block.T, dtype=np.float32, order="C"))

    def feed_planar(self, x: np.ndarray) -> None:
        """Analyse the next ``(channels, frames)`` block of samples (any length)."""
        if x.size == 0:
            return
        x = np.asarray(x, dtype=np.float32)  # strided rows are fine: sosfilt makes its own working copy
        n = x.shape[1]
        filtered, self.zi = sosfilt(self.sos, x, axis=1, zi=self.zi)
        self._add_energy(filtered)
        level = np.abs(x[0]) if self.channels == 1 else np.abs(x).max(axis=0)
        self._peak_carry = self._hop_reduce(self._peak_carry, level, self._peaks)
        block_peak = float(level.max())
        self.sample_peak = max(self.sample_peak, block_peak)
        self.true_peak = max(self.true_peak, block_peak)
        if block_peak > self.silence:
            loud = np.flatnonzero(level > self.silence)
            if self.first_loud is None:
                self.first_loud = self.frames + int(loud[0])
            self.last_loud = self.frames + int(loud[-1])
        self._true_peak(x, level)
        self.frames += n

    def _add_energy(self, filtered: np.ndarray) -> None:
        if self._energy_carry.size:
            filtered = np.concatenate([self._energy_carry, filtered], axis=1)
        full = filtered.shape[1] // self.hop
        if full:
            shaped = filtered[:, : full * self.hop].reshape(self.channels, full, self.hop)
            sums = np.einsum("cnh,cnh->cn", shaped, shaped)  # squares summed per 100 ms, no temporary
            self._energies.append(self.weights @ sums / self.hop)
        self._energy_carry = filtered[:, full * self.hop:].copy()

    def _hop_reduce(self, carry: np.ndarray, values: np.ndarray, out: list[np.ndarray]) -> np.ndarray:
        joined = np.concatenate([carry, values]) if carry.size else values
        full = len(joined) // self.hop * self.hop
        if full:
            out.append(joined[:full].reshape(-1, self.hop).max(axis=1))
        return joined[full:].copy()

    def _true_peak(self, x: np.ndarray, level: np.ndarray) -> None:
        n = x.shape[1]
        subs = -(-n // _SUB)
        if n == subs * _SUB:
            sub_max = level.reshape(subs, _SUB).max(axis=1)
        else:
            padded_level = np.zeros(subs * _SUB, dtype=level.dtype)
            padded_level[:n] = level
            sub_max = padded_level.reshape(subs, _SUB).max(axis=1)
        reach = np.maximum(sub_max, np.concatenate([[self.prev_sub_max], sub_max[:-1]]))
        candidates = np.flatnonzero(reach * self.bound > self.true_peak)
        if candidates.size * 3 > subs:  # loud material: oversample the whole block in one pass
            up = upfirdn(self.fir, np.concatenate([self.hist, x], axis=1), up=self.factor, axis=1)
            body = up[:, self.factor * (_TAPS - 1): self.factor * (n + _TAPS - 1)]
            self.true_peak = max(self.true_peak, float(body.max()), -float(body.min()))
        elif candidates.size:
            # Gather only the candidate runs (plus the 11 samples before each) instead of copying the block.
            index = candidates[:, None] * _SUB + np.arange(-(_TAPS - 1), _SUB)[None, :]
            runs = x[:, np.clip(index, 0, n - 1)]  # (ch, k, TAPS - 1 + SUB), float32
            if candidates[0] == 0:
                runs[:, 0, : _TAPS - 1] = self.hist
            # 4× oversampling in C (polyphase, float32); keep the outputs whose 12 taps all lie inside the run.
            up = upfirdn(self.fir, runs, up=self.factor, axis=2)
            start = self.factor * (_TAPS - 1)
            out = up[:, :, start:start + _SUB * self.factor].reshape(self.channels, len(candidates), _SUB, -1)
            if (candidates[-1] + 1) * _SUB > n:  # the last run was padded by repeating the final sample
                out[:, -1, n - candidates[-1] * _SUB:] = 0
            self.true_peak = max(self.true_peak, float(out.max()), -float(out.min()))
        if n >= _TAPS - 1:
            self.hist = x[:, n - (_TAPS - 1):].copy()
        else:
            self.hist = np.concatenate([self.hist, x], axis=1)[:, -(_TAPS - 1):]
        self.prev_sub_max = float(sub_max[-1])

    def result(self) -> Analysis:
        """Gate and summarise everything fed so far."""
        energies = np.concatenate(self._energies) if self._energies else np.zeros(0)
        integrated = loudness_range = None
        if len(energies) >= 4:
            momentary = sliding_window_view(energies, 4).mean(axis=1)  # 400 ms blocks, 75 % overlap
            gated = momentary[_lufs(momentary) > -70]
            if gated.size:
                relative = _lufs(gated.mean()) - 10
                gated = gated[_lufs(gated) > relative]
                integrated = round(float(_lufs(gated.mean())), 2)
        if len(energies) >= 30:
            short_term = sliding_window_view(energies, 30).mean(axis=1)  # 3 s windows every 100 ms
            st = short_term[_lufs(short_term) > -70]
            if st.size:
                st_lufs = _lufs(st[_lufs(st) > _lufs(st.mean()) - 20])
                low, high = np.percentile(st_lufs, [10, 95])
                loudness_range = round(float(high - low), 2)
        peaks = np.concatenate(self._peaks + [self._peak_carry.max(keepdims=True)] if self._peak_carry.size
                               else self._peaks) if self._peaks or self._peak_carry.size else np.zeros(0)
        if len(peaks) > WAVEFORM_POINTS:
            group = -(-len(peaks) // WAVEFORM_POINTS)
            padded = np.zeros(-(-len(peaks) // group) * group)
            padded[: len(peaks)] = peaks
            peaks = padded.reshape(-1, group).max(axis=1)
        duration = self.frames / self.rate
        cue_in = self.first_loud / self.rate if self.first_loud is not None else 0.0
        cue_out = (self.last_loud + 1) / self.rate if self.last_loud is not None else duration
        return Analysis(
            duration_s=round(duration, 4), integrated_lufs=integrated, loudness_range_lu=loudness_range,
            true_peak_dbtp=_db(self.true_peak), sample_peak_dbfs=_db(self.sample_peak),
            cue_in_s=round(cue_in, 4), cue_out_s=round(cue_out, 4),
            peaks=[round(float(min(p, 1.0)), 4) for p in peaks],
        )


def analyse_audio(path: Path, info: AudioInfo, progress: Callable[[float], None] | None = None) -> Analysis:
    """Decode ``path`` once, streaming, and measure loudness, true peak, cues and waveform peaks."""
    rate, channels = int(info.sample_rate or 48000), int(info.channels or 2)
    meter = LoudnessMeter(rate, channels)
    expected = max(1.0, (info.duration_s or 0) * rate)
    # PCM (WAV, AIFF) comes in tiny packets whose per-frame Python cost in PyAV outweighs the decoding: use the
    # ffmpeg pipe for it. Compressed codecs decode in-process: no pipe, and MP3/AAC arrive planar float already.
    pcm = info.format in ("wav", "aiff") or info.codec.startswith("pcm_")
    if not pcm:
        try:
            for x in read_ahead(planar_blocks(path, rate, channels, block_frames=10 * meter.hop)):
                meter.feed_planar(x)
                if progress is not None:
                    progress(min(1.0, meter.frames / expected))
            return meter.result()
        except LayoutMismatch:  # raised before any block: the ffmpeg command line down-/up-mixes instead
            meter = LoudnessMeter(rate, channels)
    for block in pcm_blocks(path, rate, channels, block_frames=10 * meter.hop):
        meter.feed(block)
        if progress is not None:
            progress(min(1.0, meter.frames / expected))
    return meter.result()
