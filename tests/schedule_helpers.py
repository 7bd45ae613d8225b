"""Helpers for the schedule and feed tests: episode rows, stations, dates and strict feed parsing."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events
from ical.calendar import Calendar as StrictCalendar
from ical.calendar_stream import IcsCalendarStream

from episodes.models import Episode
from radio.runtime import Runtime

DHAKA = dt.timezone(dt.timedelta(hours=6))


def make_episode(runtime: Runtime, **fields: Any) -> str:
    """An episode row ready for broadcast (the upload service is not needed for scheduling tests)."""
    sha = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    values: dict[str, Any] = {
        "title": "ঘরে ফেরা — পর্ব ১", "language": "bn", "kind": "drama", "campaign": "safe-migration",
        "consent": "broadcast", "status": "ready", "sha256": sha, "duration_s": 898.0,
        "broadcast_duration_s": 899.4, "broadcast_sha256": hashlib.sha256(sha.encode()).hexdigest(),
        "broadcast_size_bytes": 123456, "mime_type": "audio/mpeg",
    }
    values.update(fields)
    with runtime.session() as session:
        episode = Episode(**values)
        session.add(episode)
        session.flush()
        return episode.id


def create_station(admin: Any, slug: str, **fields: Any) -> dict[str, Any]:
    """POST a station as admin and return its JSON."""
    body = {"slug": slug, "name": slug.replace("-", " ").title(), **fields}
    response = admin.post("/api/v1/stations", json=body)
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


def flight_setup(api_as: Any, make_station: Any, spots: Sequence[Path]) -> tuple[Any, list[str]]:
    """The flight tests' world: stations padma (Asia/Dhaka) and thames (Europe/London), a producer, and each of
    ``spots`` uploaded as a PSA through the API; returns (producer client, episode ids)."""
    make_station("padma", timezone="Asia/Dhaka")
    make_station("thames", timezone="Europe/London")
    producer = api_as("producer")
    ids = []
    for path in spots:
        response = producer.post("/api/v1/episodes", data={"title": path.stem, "kind": "psa", "file": (
            io.BytesIO(path.read_bytes()), path.name)}, content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    return producer, ids


def local_dhaka(days: int, hour: int = 20, minute: int = 0) -> str:
    """An ISO local time (no offset) ``days`` from today in Dhaka, at ``hour``:``minute``."""
    today = dt.datetime.now(DHAKA).date()
    return f"{today + dt.timedelta(days=days)}T{hour:02d}:{minute:02d}"


def feed_path(url: str) -> str:
    """The path and query of an absolute feed URL (the test client wants no host)."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def parse_strict(body: bytes) -> StrictCalendar:
    """Parse with the strict RFC 5545 parser of the ``ical`` package (raises on any violation)."""
    return IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))


def expand(body: bytes, start: dt.date, end: dt.date) -> list[icalendar.Event]:
    """The occurrences between two dates, as a calendar client computes them (recurring-ical-events)."""
    return list(recurring_ical_events.of(icalendar.Calendar.from_ical(body)).between(start, end))


def physical_lines(body: bytes) -> list[bytes]:
    """Lines as written (folded), without CRLF."""
    assert body.endswith(b"\r\n")
    return body[:-2].split(b"\r\n")
