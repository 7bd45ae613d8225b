"""The speech-to-text engine: a small ``Transcriber`` interface and a registry of backends by name."""

from __future__ import annotations

import math
import os
import threading
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from radio.config import Settings
from radio.errors import InvalidInput
from transcripts.whisper_models import ResolvedModel, resolve_model

# No code path may reach the model hub: models are loaded from local folders only.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

LANGUAGES = ("bn", "en", "auto")
SAMPLE_RATE = 16000
ProgressCallback = Callable[[float], None]


@dataclass(frozen=True)
class DecodeOptions:
    """How to decode; every field is recorded as provenance with the transcript."""

    language: str = "auto"  # bn, en or auto (detect)
    beam_size: int = 5
    temperature: float = 0.0
    vad_filter: bool = True
    vad_min_silence_ms: int = 500
    word_timestamps: bool = True
    condition_on_previous_text: bool = False  # less prone to repetition loops on noisy call-ins
    no_speech_threshold: float = 0.6  # a segment this likely silent with a low log-prob produces no text
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    review_below_confidence: float = 0.45  # segments under this confidence are flagged for review
    batched_from_s: float = 60.0  # audio at least this long goes through the batched pipeline
    batch_size: int = 4

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}, got {self.language!r}",
                               code="invalid_language")


@dataclass
class WordResult:
    """One word with its timing and probability."""

    start: float
    end: float
    word: str
    probability: float


@dataclass
class SegmentResult:
    """One decoded segment."""

    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    confidence: float
    needs_review: bool
    words: list[WordResult] = field(default_factory=list)

    def words_json(self) -> list[dict[str, Any]]:
        """Words as stored in the database."""
        return [asdict(w) for w in self.words]


@dataclass
class TranscriptionResult:
    """What a backend returns: segments, language and the exact parameters used."""

    language: str
    language_probability: float
    duration_s: float
    segments: list[SegmentResult]
    params: dict[str, Any]
    backend: str
    versions: dict[str, str]


class Transcriber(Protocol):
    """A speech-to-text backend; one instance per process and model, reused across jobs."""

    name: str
    model: ResolvedModel

    def transcribe(self, audio: np.ndarray, options: DecodeOptions,
                   progress: ProgressCallback | None = None) -> TranscriptionResult:
        """Transcribe 16 kHz mono float32 samples."""
        ...


TranscriberFactory = Callable[[Settings, ResolvedModel], Transcriber]
BACKENDS: dict[str, TranscriberFactory] = {}
_instances: dict[tuple[Any, ...], Transcriber] = {}
_instances_lock = threading.Lock()


def register_backend(name: str) -> Callable[[TranscriberFactory], TranscriberFactory]:
    """Register a backend factory under ``name`` (the value of RADIO_WHISPER_BACKEND)."""

    def register(factory: TranscriberFactory) -> TranscriberFactory:
        BACKENDS[name] = factory
        return factory

    return register


def get_transcriber(settings: Settings) -> Transcriber:
    """The process's transcriber for these settings, built (and its model loaded) on first use."""
    if settings.whisper_backend not in BACKENDS:
        _load_builtin_backends()
    factory = BACKENDS.get(settings.whisper_backend)
    if factory is None:
        raise InvalidInput(f"RADIO_WHISPER_BACKEND={settings.whisper_backend!r} is not one of "
                           f"{', '.join(sorted(BACKENDS))}", code="unknown_backend")
    model = resolve_model(settings)
    key = (settings.whisper_backend, str(model.path), model.sha256, settings.whisper_device,
           settings.whisper_compute_type, settings.whisper_threads)
    with _instances_lock:
        if key not in _instances:
            _instances[key] = factory(settings, model)
        return _instances[key]


def loaded_transcribers() -> int:
    """How many models this process holds (the benchmark checks that jobs do not reload)."""
    return len(_instances)


def _load_builtin_backends() -> None:
    import transcripts.faster_whisper_backend  # noqa: F401  (registers "faster-whisper")


def load_audio(path: Path) -> np.ndarray:
    """Decode any audio file to 16 kHz mono float32 (PyAV; no ffmpeg binary needed)."""
    from faster_whisper.audio import decode_audio

    return np.asarray(decode_audio(str(path), sampling_rate=SAMPLE_RATE), dtype=np.float32)


def confidence_from_logprob(avg_logprob: float) -> float:
    """The mean token probability, exp(avg_logprob), clipped to 0..1."""
    if math.isnan(avg_logprob):
        return 0.0
    return min(1.0, max(0.0, math.exp(min(avg_logprob, 0.0))))


def compression_ratio(text: str) -> float:
    """How well the text compresses; repetition loops score high (Whisper's gzip ratio)."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def is_silence(avg_logprob: float, no_speech_prob: float, options: DecodeOptions) -> bool:
    """Whisper's own rule: likely no speech AND a low log-probability means the text is invented."""
    return no_speech_prob > options.no_speech_threshold and avg_logprob < options.log_prob_threshold


def needs_review(confidence: float, compression_ratio: float, options: DecodeOptions) -> bool:
    """Flag segments a person should check: low confidence or repetitive (looping) text."""
    # no_speech_prob alone is not used: Whisper computes it once per 30 s window, and it is often
    # high for windows full of clear speech.
    return confidence < options.review_below_confidence or compression_ratio > options.compression_ratio_threshold
