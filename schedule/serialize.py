"""Stations, broadcasts and feedback reports as the API shows them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from episodes.programmes import StaleRender
from schedule.airings import AiringRow
from schedule.models import FEEDBACK_COUNTS, AiringReport, Broadcast, FeedbackReport, Station
from schedule.occurrences import series_of
from schedule.recurrence import expand
from schedule.stale_airings import airing_is_stale, booking_is_stale
from schedule.stations import feed_urls


def station_dict(station: Station, *, base_url: str | None = None, secret_key: str | None = None) -> dict[str, Any]:
    """A station; with ``base_url`` and ``secret_key`` also its tokenized calendar and podcast URLs."""
    data: dict[str, Any] = {
        "id": station.id, "slug": station.slug, "name": station.name, "name_bn": station.name_bn,
        "timezone": station.timezone, "district": station.district, "frequency": station.frequency,
        "contact": station.contact, "created_at": station.created_at.isoformat(),
        "updated_at": station.updated_at.isoformat(),
        "feed_rotated_at": station.feed_rotated_at.isoformat() if station.feed_rotated_at else None,
        "gateway": station.gateway, "webhook_secret_set": station.webhook_secret_version > 0,
    }
    if base_url is not None and secret_key is not None:
        data.update(feed_urls(base_url, secret_key, station))
    return data


def broadcast_dict(broadcast: Broadcast, window: tuple[dt.datetime, dt.datetime] | None = None, *,
                   hidden: Collection[str] = (), stale: Mapping[str, StaleRender] | None = None,
                   now: dt.datetime | None = None) -> dict[str, Any]:
    """A broadcast; with ``window`` also its occurrences in that window.

    Occurrences switched to a ``hidden`` episode (one the reader may not see: :mod:`schedule.access`) are
    left out, override and occurrence alike, as the station's calendar leaves a gap for them. ``stale`` (from
    :func:`schedule.stale_airings.stale_episodes`) flags the airings to come of a stale programme.
    """
    stale = stale or {}
    now = now or dt.datetime.now(dt.UTC)
    episode = broadcast.episode
    gaps = {o.recurrence_key for o in broadcast.overrides if o.episode_id in hidden}
    data: dict[str, Any] = {
        "id": broadcast.id, "uid": broadcast.uid, "station": broadcast.station.slug,
        "station_id": broadcast.station_id, "episode_id": broadcast.episode_id,
        "episode": {"id": episode.id, "title": episode.title, "kind": episode.kind, "language": episode.language},
        "start": broadcast.starts_at.isoformat(), "local_start": broadcast.local_start,
        "timezone": broadcast.tzid, "duration_s": broadcast.duration_s,
        "end": (broadcast.starts_at + dt.timedelta(seconds=broadcast.duration_s)).isoformat(),
        "rrule": broadcast.rrule, "exdates": list(broadcast.exdates),
        "series_end": broadcast.series_end.isoformat() if broadcast.series_end else None,
        "overrides": [{"occurrence": o.recurrence_key, "local_start": o.local_start, "start": o.starts_at.isoformat(),
                       "duration_s": o.duration_s, "episode_id": o.episode_id, "notes": o.notes}
                      for o in broadcast.overrides if o.recurrence_key not in gaps],
        "status": broadcast.status, "sequence": broadcast.sequence, "notes": broadcast.notes,
        "cancelled_at": broadcast.cancelled_at.isoformat() if broadcast.cancelled_at else None,
        "created_at": broadcast.created_at.isoformat(), "updated_at": broadcast.updated_at.isoformat(),
        "stale_programme": None,
    }
    flagged = booking_is_stale(broadcast, now, stale)
    if flagged is not None:
        data["stale_programme"] = {"episode_id": broadcast.episode_id, "programme_id": flagged.programme_id,
                                   "reasons": flagged.reasons}
    if window is not None:
        swapped = {o.recurrence_key: o.episode_id for o in broadcast.overrides}
        data["occurrences"] = [
            {"occurrence": o.key, "local_start": o.wall, "start": o.start.isoformat(), "end": o.end.isoformat(),
             "overridden": o.overridden,
             "stale": airing_is_stale(broadcast, swapped.get(o.key), o.start, now, stale) is not None}
            for o in expand(series_of(broadcast), *window) if o.key not in gaps]
    return data


def feedback_dict(report: FeedbackReport) -> dict[str, Any]:
    """A feedback report (current or an earlier figure kept as history)."""
    return {
        "id": report.id, "broadcast_id": report.broadcast_id, "station_id": report.station_id,
        "episode_id": report.episode_id, "occurrence": report.occurrence_key,
        "occurrence_start": report.occurrence_start.isoformat(),
        **{k: getattr(report, k) for k in FEEDBACK_COUNTS},
        "total": sum(getattr(report, k) for k in FEEDBACK_COUNTS),
        "notes": report.notes, "current": report.current, "reported_by": report.reported_by,
        "created_at": report.created_at.isoformat(),
    }


def airing_dict(row: AiringRow) -> dict[str, Any]:
    """A planned occurrence with its status and confirmation code."""
    report, occ, broadcast = row.report, row.occurrence, row.broadcast
    return {
        "broadcast_id": broadcast.id, "occurrence": occ.key, "local_start": occ.wall, "start": occ.start.isoformat(),
        "end": occ.end.isoformat(), "station": broadcast.station.slug, "episode_id": row.episode_id,
        "title": broadcast.episode.title if row.episode_id == broadcast.episode_id else None,
        "code": row.code, "status": row.status,
        "aired_at": report.aired_at.isoformat() if report and report.aired_at else None,
        "reason": report.reason if report else None, "notes": report.notes if report else "",
        "confirmed_by": report.confirmed_by if report else None, "via": report.via if report else None,
        "confirmed_at": report.created_at.isoformat() if report else None,
    }


def airing_report_dict(report: AiringReport) -> dict[str, Any]:
    """One confirmation (current or an earlier one kept as history)."""
    return {
        "id": report.id, "broadcast_id": report.broadcast_id, "occurrence": report.occurrence_key,
        "occurrence_start": report.occurrence_start.isoformat(), "status": report.status,
        "aired_at": report.aired_at.isoformat() if report.aired_at else None, "reason": report.reason,
        "notes": report.notes, "via": report.via, "current": report.current, "confirmed_by": report.confirmed_by,
        "created_at": report.created_at.isoformat(),
    }
