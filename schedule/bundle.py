"""The week's bundle: a station's audio, calendar, cue sheet and manifest in one resumable, deterministic ZIP."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, selectinload

from episodes.models import Episode
from radio import access
from radio.errors import InvalidInput
from radio.features import hook
from radio.storage import MediaStore
from schedule.airings import airing_code
from schedule.calendar_feed import occurrence_feedback, render_station_week
from schedule.cue_sheet import CueSheet, cue_line, cue_sheet, cue_sheet_csv
from schedule.feed_etag import CANCELLED_KEPT
from schedule.models import Broadcast, BroadcastStatus, Station
from schedule.occurrences import series_of
from schedule.recurrence import Occurrence, expand, zone
from schedule.zipstream import Layout, Member, bytes_member, file_member, layout

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_iso_week(value: str | None) -> tuple[dt.date, str]:
    """The Monday of ISO week ``YYYY-Www`` and the week's canonical name; 400 ``invalid_week`` otherwise."""
    match = _WEEK.match((value or "").strip().upper())
    if match is None:
        raise InvalidInput("'week' must be an ISO week such as 2026-W09", code="invalid_week",
                           details={"field": "week"})
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise InvalidInput(f"{year} has no week {week}", code="invalid_week", details={"field": "week"}) from exc
    if not 2000 <= year <= 2100:
        raise InvalidInput("'week' must lie between 2000 and 2100", code="invalid_week", details={"field": "week"})
    return monday, f"{year}-W{week:02d}"


@dataclass(frozen=True)
class BundleAiring:
    """One airing of the week with the episode that airs."""

    broadcast: Broadcast
    occurrence: Occurrence
    episode: Episode


@dataclass(frozen=True)
class Bundle:
    """A laid-out bundle: its bytes on demand, strong ETag and manifest."""

    layout: Layout
    etag: str
    manifest: dict[str, object]
    filename: str
    airing_count: int


def _week_occurrences(session: Session, station: Station, monday: dt.date,
                      status: ColumnElement[bool]) -> Iterator[tuple[Broadcast, Occurrence, Episode]]:
    # The occurrences in the week (station-local days) of the station's broadcasts matching ``status``, each with
    # the episode it plays (an override's, else the booking's).
    tz = zone(station.timezone)
    lo = dt.datetime.combine(monday, dt.time(), tz).astimezone(dt.UTC)
    hi = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), tz).astimezone(dt.UTC)
    query = (select(Broadcast).options(selectinload(Broadcast.overrides))
             .where(Broadcast.station_id == station.id, status,
                    Broadcast.starts_at < hi, or_(Broadcast.series_end.is_(None), Broadcast.series_end > lo)))
    for broadcast in session.scalars(query).unique():
        for occ in expand(series_of(broadcast), lo, hi):
            if not lo <= occ.start < hi:
                continue
            override = next((o for o in broadcast.overrides if o.recurrence_key == occ.key), None)
            episode = broadcast.episode
            if override is not None and override.episode_id:
                episode = session.get(Episode, override.episode_id) or episode
            yield broadcast, occ, episode


def _start_order(airing: tuple[Broadcast, Occurrence, Episode | None]) -> tuple[dt.datetime, str]:
    return airing[1].start, airing[0].id


def week_bundle_airings(session: Session, station: Station, monday: dt.date, today: dt.date) -> list[BundleAiring]:
    """The station's confirmed airings in the week (station-local days), in start order, only what it may see
    (the station rule of :mod:`radio.access`, as the calendar applies it: a booking of an episode it may not
    see is left out whole, an occurrence switched to one is a gap; an expired episode is left out too)."""
    found = [BundleAiring(broadcast, occ, episode) for broadcast, occ, episode in _week_occurrences(
        session, station, monday, Broadcast.status == BroadcastStatus.CONFIRMED)
        if access.station_may_see(broadcast.episode, booked=True, today=today)
        and access.station_may_see(episode, booked=True, today=today)]
    return sorted(found, key=lambda a: _start_order((a.broadcast, a.occurrence, a.episode)))


def week_cancellations(session: Session, station: Station, monday: dt.date,
                       now: dt.datetime) -> list[tuple[Broadcast, Occurrence, Episode | None]]:
    """The week's airings of bookings cancelled recently enough that the live feed still shows them (STATUS:CANCELLED),
    in start order; the episode is None where the live feed names none (one the station may no longer see)."""
    today = now.date()
    recent = and_(Broadcast.status == BroadcastStatus.CANCELLED, Broadcast.cancelled_at >= now - CANCELLED_KEPT)
    found: list[tuple[Broadcast, Occurrence, Episode | None]] = []
    for broadcast, occ, episode in _week_occurrences(session, station, monday, recent):
        if not access.station_may_see(broadcast.episode, booked=True, today=today):
            found.append((broadcast, occ, None))
        elif access.station_may_see(episode, booked=True, today=today):  # else a gap, as in the live feed
            found.append((broadcast, occ, episode))
    return sorted(found, key=_start_order)


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:40] or "episode"


def _audio(store: MediaStore, episode: Episode) -> tuple[str, Path, str] | None:
    """``(name in the bundle, path, sha256)`` of the broadcast rendition, else the original; None when missing."""
    slug = _ascii_slug(episode.title_en or episode.title)
    if episode.broadcast_sha256 and store.exists(episode.broadcast_sha256, ".mp3"):
        return f"audio/{episode.id[:8]}-{slug}.mp3", store.path_for(episode.broadcast_sha256, ".mp3"), \
            episode.broadcast_sha256
    if store.exists(episode.sha256, episode.media_suffix):
        return (f"audio/{episode.id[:8]}-{slug}{episode.media_suffix}",
                store.path_for(episode.sha256, episode.media_suffix), episode.sha256)
    return None


def bundle_documents(sheet: CueSheet) -> list[tuple[str, bytes]]:
    """The printable files other features make of the week (``cue-sheet.pdf``), sorted by name, names unique."""
    documents = sorted(doc for make in hook("bundle_documents") for doc in make(sheet))
    names = [name for name, _ in documents]
    if len(set(names)) != len(names) or {"schedule.ics", "cue-sheet.csv", "manifest.json"} & set(names):
        raise RuntimeError(f"bundle documents clash: {names}")
    return documents


def build_bundle(session: Session, store: MediaStore, station: Station, week: str, *, base_url: str,
                 secret_key: str, now: dt.datetime) -> Bundle:
    """Lay out the week's bundle; file contents are read only while streaming (CRC-32s once per file)."""
    monday, week_name = parse_iso_week(week)
    airings = week_bundle_airings(session, station, monday, now.date())
    audio: dict[str, tuple[str, Path, str]] = {}
    for airing in airings:
        if airing.episode.id not in audio and (found := _audio(store, airing.episode)) is not None:
            audio[airing.episode.id] = found
    codes = [airing_code(secret_key, a.broadcast.id, a.occurrence.key) for a in airings]
    shown = sorted([*((a.broadcast, a.occurrence, a.episode) for a in airings),
                    *week_cancellations(session, station, monday, now)], key=_start_order)
    calendar = render_station_week(station, shown, week_name, base_url, secret_key,
                                   occurrence_feedback(session, sorted({b.id for b, _, _ in shown})))
    lines = [cue_line(station, a.occurrence, a.episode, audio[a.episode.id][0] if a.episode.id in audio else "", code)
             for a, code in zip(airings, codes, strict=True)]
    changed = [station.updated_at, *(t for a in airings for t in (
        a.broadcast.updated_at, a.episode.updated_at, *(o.updated_at for o in a.broadcast.overrides)))]
    sheet = cue_sheet(station, week_name, monday, lines, changed)
    members: list[Member] = [file_member(name, path) for name, path, _ in sorted(audio.values())]
    small = [bytes_member("schedule.ics", calendar), bytes_member("cue-sheet.csv", cue_sheet_csv(sheet)),
             *(bytes_member(name, data) for name, data in bundle_documents(sheet))]
    digests = {name: sha for name, _, sha in audio.values()}
    files = [{"name": m.name, "sha256": digests.get(m.name) or hashlib.sha256(m.data or b"").hexdigest(),
              "size": m.size} for m in [*members, *small]]
    manifest: dict[str, object] = {
        "station": station.slug, "week": week_name, "timezone": station.timezone, "files": files,
        "airings": [{"broadcast_id": a.broadcast.id, "occurrence": a.occurrence.key,
                     "start": a.occurrence.start.isoformat(), "local_start": a.occurrence.wall,
                     "episode_id": a.episode.id, "title": a.episode.title, "code": code,
                     "file": audio[a.episode.id][0] if a.episode.id in audio else None}
                    for a, code in zip(airings, codes, strict=True)],
        "missing_audio": sorted({a.episode.id for a in airings} - set(audio)),
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    laid = layout([*members, *small, bytes_member("manifest.json", manifest_bytes)])
    etag = hashlib.sha256(manifest_bytes).hexdigest()[:40]  # the manifest names every byte of the archive
    return Bundle(laid, etag, manifest, f"{station.slug}-{week_name}.zip", len(airings))
