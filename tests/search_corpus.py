"""A small Bangla/English corpus of episodes with transcripts, for the search and coding tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from episodes.models import Episode
from radio.db import utcnow
from transcripts.models import Segment, Transcript

DD_PRECOMPOSED = "\u09dc"  # ড় as one code point
DD_DECOMPOSED = "\u09a1\u09bc"  # ড + nukta (the NFC form)


def add_episode(session: Session, title: str, texts: list[str], **fields: Any) -> tuple[Episode, list[Segment]]:
    """An episode with a transcript of one segment per text (5 s each)."""
    episode = Episode(title=title, sha256=hashlib.sha256(title.encode() + repr(fields).encode()).hexdigest(),
                      **fields)
    session.add(episode)
    session.flush()
    transcript = Transcript(episode_id=episode.id, audio_sha256=episode.sha256, model="test", model_sha256="0" * 64,
                            params={}, started_at=utcnow(), finished_at=utcnow(), language=episode.language)
    session.add(transcript)
    session.flush()
    segments = [Segment(transcript_id=transcript.id, episode_id=episode.id, idx=i, start=5.0 * i,
                        end=5.0 * i + 4.5, text=text, machine_text=text, confidence=0.9)
                for i, text in enumerate(texts)]
    session.add_all(segments)
    session.flush()
    return episode, segments


@dataclass
class Corpus:
    """Ids of the corpus's episodes and segments by a short name."""

    episodes: dict[str, str] = field(default_factory=dict)
    segments: dict[str, str] = field(default_factory=dict)

    def names(self, segment_ids: list[str | None]) -> set[str]:
        """The short names of segment ids (episode-level hits as 'ep:<name>')."""
        by_id = {v: k for k, v in self.segments.items()}
        return {by_id.get(s, "?") for s in segment_ids if s}


SEGMENTS = {
    "callin": [
        ("broker_job", "দালাল বলেছিল বিদেশে ভালো চাকরি আছে।"),
        ("trafficked", "সে আমাকে পাচার করেছে, তারপর টাকা চেয়েছে।"),
        ("phone_bn", "আমার নম্বর ০১৭১২-৩৪৫৬৭৮ এ ফোন দিন"),
        ("thief", "পোচোর কথা কেউ শোনে না"),
        ("servant", "চাকর হিসেবে কাজ করতে হয়েছে"),
        ("home_pre", f"বা{DD_PRECOMPOSED}ি ফিরতে চাই"),
        ("year", "২০২৩ সালে আমি ঢাকায় গিয়েছিলাম"),
    ],
    "interview": [
        ("passport", "The broker took my passport and demanded money."),
        ("bondage", "Debt bondage in the brick kiln; debt grew every month."),
        ("home_dec", f"আমি বা{DD_DECOMPOSED}ি যেতে পারিনি"),
    ],
    "psa": [
        ("helpline", "Call 01812345678 for help with brokers."),
        ("trafficking_en", "Human trafficking is a crime. Report trafficking, report brokers."),
    ],
}


def build_corpus(session: Session, station_id: str | None = None) -> Corpus:
    """Three episodes: a Bangla call-in, a restricted English interview, an English PSA."""
    corpus = Corpus()
    specs: dict[str, dict[str, Any]] = {
        "callin": dict(title="শ্রোতার ফোন: বিদেশে চাকরির প্রলোভন", language="bn", kind="call_in",
                       districts=["Narsingdi"], campaign="safe-migration", recorded_on=dt.date(2026, 1, 10),
                       consent="research_only"),
        "interview": dict(title="Survivor interview", language="en", kind="interview", districts=["Dhaka"],
                          campaign="safe-migration", restricted=True, consent="none",
                          recorded_on=dt.date(2025, 11, 2)),
        "psa": dict(title="Safe migration PSA <script>alert(1)</script>", language="en", kind="psa",
                    districts=["Manikganj", "Dhaka"], campaign="awareness", recorded_on=dt.date(2025, 6, 1),
                    description="About trafficking & brokers — call 01912345678"),
    }
    for name, spec in specs.items():
        episode, segments = add_episode(session, spec.pop("title"), [t for _, t in SEGMENTS[name]], **spec)
        corpus.episodes[name] = episode.id
        corpus.segments.update({short: s.id for (short, _), s in zip(SEGMENTS[name], segments, strict=True)})
    return corpus
