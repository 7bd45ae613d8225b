"""The ``faster-whisper`` backend (CTranslate2): loaded once per process from a local model folder."""

from __future__ import annotations

import threading
from dataclasses import asdict
from typing import Any

import numpy as np

from radio.config import Settings
from radio.errors import InvalidInput
from transcripts.engine import (
    SAMPLE_RATE,
    DecodeOptions,
    ProgressCallback,
    SegmentResult,
    TranscriptionResult,
    WordResult,
    compression_ratio,
    confidence_from_logprob,
    is_silence,
    needs_review,
    register_backend,
)
from transcripts.whisper_models import ModelError, ResolvedModel


def backend_versions() -> dict[str, str]:
    """Versions of the code that decodes, recorded with every transcript."""
    import ctranslate2
    import faster_whisper

    return {"faster_whisper": str(faster_whisper.__version__), "ctranslate2": str(ctranslate2.__version__)}


class FasterWhisperTranscriber:
    """faster-whisper with VAD, word timestamps and the batched pipeline for long audio."""

    name = "faster-whisper"
    loads = 0  # models loaded by this process (class-wide), for the no-reload check

    def __init__(self, settings: Settings, model: ResolvedModel) -> None:
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        self.model = model
        self.device = settings.whisper_device
        self.compute_type = settings.whisper_compute_type
        self.cpu_threads = settings.whisper_threads
        try:
            self._whisper = WhisperModel(str(model.path), device=self.device, compute_type=self.compute_type,
                                         cpu_threads=self.cpu_threads, local_files_only=True)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"RADIO_WHISPER_MODEL={settings.whisper_model!r}: cannot load the model at "
                             f"{model.path}: {exc}") from exc
        self._batched = BatchedInferencePipeline(self._whisper)
        # The batched pipeline keeps state between calls; one transcription at a time per model.
        self._lock = threading.Lock()
        self.versions = backend_versions()
        FasterWhisperTranscriber.loads += 1

    def transcribe(self, audio: np.ndarray, options: DecodeOptions,
                   progress: ProgressCallback | None = None) -> TranscriptionResult:
        """Transcribe 16 kHz mono samples; silence and noise produce no segments."""
        language = None if options.language == "auto" else options.language
        if language not in (None, "en") and not self.model.multilingual:
            raise InvalidInput(
                f"the model {self.model.name} is English-only and cannot transcribe {language!r}; set "
                "RADIO_WHISPER_MODEL to a multilingual model (e.g. base)", code="model_language")
        duration = float(len(audio)) / SAMPLE_RATE
        batched = duration >= options.batched_from_s
        kwargs: dict[str, Any] = {
            "language": language, "beam_size": options.beam_size, "temperature": options.temperature,
            "vad_filter": options.vad_filter,
            "vad_parameters": {"min_silence_duration_ms": options.vad_min_silence_ms},
            "word_timestamps": options.word_timestamps,
            "condition_on_previous_text": options.condition_on_previous_text,
            "no_speech_threshold": options.no_speech_threshold, "log_prob_threshold": options.log_prob_threshold,
            "compression_ratio_threshold": options.compression_ratio_threshold,
            **({"without_timestamps": False} if batched else {}),
        }
        segments: list[SegmentResult] = []
        with self._lock:
            if batched:
                self._batched.last_speech_timestamp = 0.0  # an abandoned earlier run may have left it set
                iterator, info = self._batched.transcribe(audio, batch_size=options.batch_size, **kwargs)
            else:
                iterator, info = self._whisper.transcribe(audio, **kwargs)
            for seg in iterator:
                if progress is not None and duration > 0:
                    progress(min(seg.end / duration, 1.0))
                text = seg.text.strip()
                if not text or is_silence(seg.avg_logprob, seg.no_speech_prob, options):
                    continue
                confidence = confidence_from_logprob(seg.avg_logprob)
                ratio = compression_ratio(text)  # faster-whisper's is per 30 s window, not per segment
                segments.append(SegmentResult(
                    start=round(float(seg.start), 3), end=round(max(float(seg.end), float(seg.start)), 3),
                    text=text, avg_logprob=float(seg.avg_logprob), no_speech_prob=float(seg.no_speech_prob),
                    compression_ratio=round(ratio, 3), confidence=round(confidence, 4),
                    needs_review=needs_review(confidence, ratio, options),
                    words=[WordResult(start=round(float(w.start), 3), end=round(float(w.end), 3), word=w.word,
                                      probability=round(float(w.probability), 4)) for w in (seg.words or [])],
                ))
        params = {**asdict(options), "batched": batched, "device": self.device,
                  "compute_type": self.compute_type, "cpu_threads": self.cpu_threads}
        return TranscriptionResult(
            language=str(info.language), language_probability=round(float(info.language_probability), 4),
            duration_s=round(duration, 3), segments=segments, params=params, backend=self.name,
            versions=dict(self.versions),
        )


@register_backend("faster-whisper")
def make_faster_whisper(settings: Settings, model: ResolvedModel) -> FasterWhisperTranscriber:
    """Build the faster-whisper backend."""
    return FasterWhisperTranscriber(settings, model)
