"""Helpers for the UI tests: sign a test client in through the login form, read CSRF tokens, fetch pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient

from radio.auth import create_user
from radio.runtime import Runtime

PASSWORD = "correct horse battery"
HTML = {"Accept": "text/html"}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token, read from the login page's form."""
    html = client.get("/login", headers=HTML).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, "no CSRF token on the login page"
    return match.group(1)


def login(client: FlaskClient, runtime: Runtime, role: str, *, station: str | None = None,
          email: str | None = None, lang: str = "en") -> str:
    """Create a user of ``role`` and sign ``client`` in as it; returns the user id."""
    email = email or f"ui-{role}-{station or 'x'}@example.org"
    with runtime.session() as session:
        user = create_user(session, email, role, station_slug=station, password=PASSWORD)
        user_id = user.id
    token = csrf_token(client)
    r = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD},
                    headers={"Accept-Language": lang, **HTML})
    assert r.status_code == 302, r.get_data(as_text=True)
    return user_id


def page(client: FlaskClient, url: str, lang: str = "en", status: int = 200, **kwargs: Any) -> str:
    """GET a page as a browser would and return its HTML (asserting the status)."""
    r = client.get(url, headers={"Accept-Language": lang, **HTML}, **kwargs)
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:2000])
    return r.get_data(as_text=True)


def post_form(client: FlaskClient, url: str, data: dict[str, Any], lang: str = "en", **kwargs: Any) -> Any:
    """POST a form with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(client), **data},
                       headers={"Accept-Language": lang, **HTML}, **kwargs)


def wav_bytes(seconds: float = 3.0, freq: float = 440.0, rate: int = 16000) -> bytes:
    """A mono 16-bit WAV tone (quiet head and tail, so cues and loudness have something to find)."""
    import io
    import wave

    import numpy as np

    t = np.arange(int(seconds * rate)) / rate
    signal = 0.3 * np.sin(2 * np.pi * freq * t)
    signal[: rate // 4] = 0
    signal[-rate // 4:] = 0
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((signal * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def add_episode(runtime: Runtime, title: str, texts: list[str], *, seconds: float = 30.0,
                **fields: Any) -> dict[str, Any]:
    """An analysed episode row with a stored transcript (one 4.5 s segment per text, every 5 s); returns ids."""
    import hashlib

    from episodes.models import Episode
    from radio.db import utcnow
    from transcripts.engine import SegmentResult, TranscriptionResult
    from transcripts.tasks import store_transcription

    defaults: dict[str, Any] = {
        "language": "bn", "kind": "call_in", "consent": "broadcast", "restricted": False, "status": "ready",
        "duration_s": seconds, "sample_rate": 16000, "channels": 1, "format": "wav", "codec": "pcm_s16le",
        "loudness_lufs": -23.4, "loudness_range_lu": 4.2, "true_peak_dbtp": -3.1, "cue_in_s": 0.25,
        "cue_out_s": seconds - 0.25, "peaks": [abs(((i * 37) % 100) / 100) for i in range(600)],
        "filename": "call.wav", "size_bytes": 123456, "topics": [], "districts": ["Narsingdi"], "contributors": [],
    }
    defaults.update(fields)
    result = TranscriptionResult(
        language=defaults["language"], language_probability=0.97, duration_s=seconds, params={"beam_size": 5},
        backend="faster-whisper", versions={"faster_whisper": "test", "ctranslate2": "test"},
        segments=[SegmentResult(start=5.0 * i, end=5.0 * i + 4.5, text=text, avg_logprob=-0.2, no_speech_prob=0.01,
                                compression_ratio=1.2, confidence=0.9, needs_review=False)
                  for i, text in enumerate(texts)],
    )
    with runtime.session() as session:
        sha = hashlib.sha256(title.encode()).hexdigest()
        episode = Episode(title=title, sha256=sha, **defaults)
        session.add(episode)
        session.flush()
        transcript = store_transcription(session, episode.id, result, audio_sha256=sha, model="tiny.en",
                                         model_sha256="0" * 64, job_id=None, started_at=utcnow(),
                                         worker_host="test-host")
        session.flush()
        segments = [s.id for s in sorted(transcript.segments, key=lambda s: s.idx)]
        return {"id": episode.id, "segments": segments}


def second_runtime(runtime: Runtime, home: Any, **settings: Any) -> Runtime:
    """Another web process's runtime: its own engine and sessions on ``runtime``'s database (close it after)."""
    from radio.config import load_settings

    overrides = {"RADIO_HOME": str(home), "RADIO_DATABASE_URL": runtime.settings.database_url, "RADIO_REDIS_URL": "",
                 "RADIO_QUEUE_IMMEDIATE": True, "RADIO_SECRET_KEY": "test-secret-key", **settings}
    return Runtime.from_settings(load_settings(overrides, environ={}))


class _Timeline(HTMLParser):
    """The airing cells of one station's week table (``table.timeline``), with the slot row each starts in."""

    def __init__(self, station: str) -> None:
        super().__init__()
        self.station, self.inside = station, False
        self.slot = ""
        self.hours: list[str] = []
        self.cells: list[dict[str, Any]] = []
        self.cell: dict[str, Any] | None = None
        self.header = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table" and "timeline" in a.get("class", "").split():
            self.inside = a.get("data-station") == self.station
        if not self.inside:
            return
        if tag == "tr":
            self.slot = a.get("data-slot", "")
        elif tag == "th" and "data-hour" in a:
            self.header = True
        elif tag == "td" and "event" in a.get("class", "").split():
            self.cell = {"slot": self.slot, "day": a.get("data-day"), "rows": int(a.get("rowspan", "1")),
                         "id": a.get("id", ""), "classes": a.get("class", "").split(), "text": ""}

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif tag == "th":
            self.header = False
        elif tag == "td" and self.cell is not None:
            self.cell["text"] = " ".join(self.cell["text"].split())
            self.cells.append(self.cell)
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.header:
            self.hours.append(data.strip())
        elif self.cell is not None:
            self.cell["text"] += data


def timeline(html: str, station: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The hour labels down the side of ``station``'s week table and its airing cells (slot, day, rows, id,
    classes, text)."""
    parser = _Timeline(station)
    parser.feed(html)
    return parser.hours, parser.cells
