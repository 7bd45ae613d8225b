"""Station and campaign calendars: the database rows turned into calendar values, and a cheap validator for 304s."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from episodes.models import Episode
from schedule.ical import CalendarValues, EventValues, Feedback, render_station_calendar
from schedule.models import FEEDBACK_COUNTS, Broadcast, BroadcastOverride, BroadcastStatus, FeedbackReport, Station
from schedule.recurrence import parse_local, wall_to_utc, zone
from schedule.stations import feed_token_for

CANCELLED_KEPT = dt.timedelta(days=30)  # a cancellation stays in the feed this long, then the event is dropped
Rows = Select[*tuple[Any, ...]]
FORMAT_VERSION = "3"  # bump when the rendering changes, so that clients do not keep a stale 304


@dataclass(frozen=True)
class Validator:
    """What the HTTP layer needs to answer a conditional GET without rendering."""

    etag: str
    last_modified: dt.datetime


def station_validator(session: Session, station: Station, base_url: str, now: dt.datetime) -> Validator:
    """A strong ETag and Last-Modified from one aggregate query over the station's broadcasts and their episodes."""
    override_ep = aliased(Episode)
    moved_episodes = (select(func.max(override_ep.updated_at))
                      .join(BroadcastOverride, BroadcastOverride.episode_id == override_ep.id)
                      .join(Broadcast, Broadcast.id == BroadcastOverride.broadcast_id)
                      .where(Broadcast.station_id == station.id).scalar_subquery())
    expired = case((and_(Broadcast.status == BroadcastStatus.CANCELLED, Broadcast.cancelled_at < now - CANCELLED_KEPT),
                    1), else_=0)
    row = session.execute(
        select(func.count(Broadcast.id), func.max(Broadcast.updated_at), func.max(Episode.updated_at),
               func.sum(expired), moved_episodes)
        .join(Episode, Episode.id == Broadcast.episode_id)
        .where(Broadcast.station_id == station.id)
    ).one()
    stamps = [station.updated_at, *(t for t in (row[1], row[2], row[4]) if t is not None)]
    last = max(stamps).replace(microsecond=0)
    parts = [FORMAT_VERSION, station.id, str(station.feed_token_version), station.updated_at.isoformat(),
             base_url, *(str(v) for v in row)]
    return Validator(hashlib.sha256("|".join(parts).encode()).hexdigest()[:40], last)


def _broadcast_rows(session: Session, query: Rows) -> list[Any]:
    return list(session.execute(query))


def _events_query(now: dt.datetime) -> Rows:
    query: Rows = (
        select(Broadcast.id, Broadcast.tzid, Broadcast.local_start, Broadcast.starts_at, Broadcast.duration_s,
               Broadcast.rrule, Broadcast.exdates, Broadcast.status, Broadcast.sequence, Broadcast.updated_at,
               Broadcast.notes, Episode.id, Episode.title, Episode.kind, Episode.updated_at,
               Episode.broadcast_sha256, Station.slug, Station.name, Station.frequency, Station.id)
        .join(Episode, Episode.id == Broadcast.episode_id)
        .join(Station, Station.id == Broadcast.station_id)
        .where(Episode.restricted.is_(False),  # survivor safety: never in any calendar
               or_(Broadcast.status == BroadcastStatus.CONFIRMED, Broadcast.cancelled_at >= now - CANCELLED_KEPT))
        .order_by(Broadcast.starts_at, Broadcast.id)
    )
    return query


class _Links:
    def __init__(self, base_url: str, secret_key: str) -> None:
        self.base = base_url.rstrip("/")
        self.secret_key = secret_key
        self.tokens: dict[str, str] = {}

    def audio(self, station: tuple[str, int, str], episode_id: str) -> str:
        slug, version, station_id = station
        if station_id not in self.tokens:
            self.tokens[station_id] = feed_token_for(self.secret_key, station_id, version)
        return f"{self.base}/feeds/{slug}/audio/{episode_id}.mp3?token={self.tokens[station_id]}"


def _events(session: Session, rows: list[Any], links: _Links, versions: dict[str, int]) -> list[EventValues]:
    ids = [r[0] for r in rows]
    overrides: dict[str, list[Any]] = defaultdict(list)
    feedback: dict[str, dict[str, Feedback]] = defaultdict(dict)
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):  # stays under SQLite's bound-parameter limit
        moved = (select(BroadcastOverride, Episode.title, Episode.kind, Episode.restricted, Episode.broadcast_sha256,
                        Episode.updated_at)
                 .outerjoin(Episode, Episode.id == BroadcastOverride.episode_id)
                 .where(BroadcastOverride.broadcast_id.in_(chunk)))
        for o, *ep in session.execute(moved):
            overrides[o.broadcast_id].append((o, *ep))
        reports = select(FeedbackReport.broadcast_id, FeedbackReport.occurrence_key,
                         *(getattr(FeedbackReport, k) for k in FEEDBACK_COUNTS)).where(
            FeedbackReport.broadcast_id.in_(chunk), FeedbackReport.current.is_(True))
        for bid, key, *counts in session.execute(reports):
            feedback[bid][key] = Feedback(*counts)
    events: list[EventValues] = []
    for (bid, tzid, wall, start, dur, rrule, exdates, status, seq, b_upd, notes, ep_id, title, kind, e_upd, audio,
         slug, name, freq, station_id) in rows:
        token_station = (slug, versions[station_id], station_id)
        base = EventValues(
            uid=f"{bid}@ashshash-radio", tzid=tzid, start=start, wall_start=wall, duration_s=dur, sequence=seq,
            last_modified=max(b_upd, e_upd).replace(microsecond=0), title=title, kind=kind, episode_id=ep_id,
            location=f"{name} {freq}".strip(), notes=notes,
            audio_url=links.audio(token_station, ep_id) if audio else None, rrule=rrule,
            cancelled=status == BroadcastStatus.CANCELLED)
        skipped = set(exdates)
        children: list[EventValues] = []
        moved_keys = set()
        for o, o_title, o_kind, o_restricted, o_audio, o_upd in overrides.get(bid, ()):
            if o_restricted:  # an occurrence changed to an episode that is restricted now: leave it out
                skipped.add(o.recurrence_key)
                continue
            moved_keys.add(o.recurrence_key)
            changed = o.episode_id is not None
            children.append(_child(base, o.recurrence_key, o.starts_at, o.local_start, o.duration_s,
                                   feedback[bid].get(o.recurrence_key), notes=o.notes or notes,
                                   last_modified=max(base.last_modified, (o_upd or b_upd).replace(microsecond=0)),
                                   title=o_title if changed else title, kind=o_kind if changed else kind,
                                   episode_id=o.episode_id or ep_id,
                                   audio_url=(links.audio(token_station, o.episode_id) if o_audio else None)
                                   if changed else base.audio_url))
        if rrule is None:
            events.append(_replace(base, feedback=feedback[bid].get(wall)))
            continue
        events.append(_replace(base, exdates=tuple(sorted(skipped))))
        for key, reported in feedback[bid].items():
            if key not in moved_keys and key not in skipped:
                children.append(_child(base, key, _wall_utc(key, tzid), key, dur, reported))
        events.extend(sorted(children, key=lambda e: e.recurrence_key or ""))
    return events


def _wall_utc(wall: str, tzid: str) -> dt.datetime:
    return wall_to_utc(parse_local(wall), zone(tzid))


def _replace(ev: EventValues, **changes: Any) -> EventValues:
    return replace(ev, **changes)


def _child(base: EventValues, key: str, start: dt.datetime, wall: str, duration_s: float, counts: Feedback | None,
           **changes: Any) -> EventValues:
    return _replace(base, recurrence_key=key, start=start, wall_start=wall, duration_s=duration_s, rrule=None,
                    exdates=(), feedback=counts, **changes)


def station_calendar_values(session: Session, station: Station, base_url: str, secret_key: str,
                            now: dt.datetime) -> CalendarValues:
    """The calendar values of one station's broadcasts."""
    rows = _broadcast_rows(session, _events_query(now).where(Broadcast.station_id == station.id))
    events = _events(session, rows, _Links(base_url, secret_key), {station.id: station.feed_token_version})
    label = " / ".join(n for n in (station.name_bn, station.name) if n)
    return CalendarValues(name=f"{label} — সম্প্রচার / broadcasts",
                          description=f"আশ্বাস রেডিও: {label} এর সম্প্রচার সূচি / Ashshash Radio broadcast plan "
                                      f"for {station.name}",
                          timezone=station.timezone, events=tuple(events))


def campaign_calendar_values(session: Session, base_url: str, secret_key: str, now: dt.datetime, *,
                             campaign: str | None = None, stations: Iterable[str] | None = None) -> CalendarValues:
    """All stations' broadcasts (optionally of one campaign): the producers' overview."""
    query = _events_query(now)
    if campaign:
        query = query.where(Episode.campaign == campaign)
    if stations is not None:
        query = query.where(Station.slug.in_(list(stations)))
    rows = _broadcast_rows(session, query)
    versions = {sid: version for sid, version in session.execute(select(Station.id, Station.feed_token_version))}
    events = _events(session, rows, _Links(base_url, secret_key), versions)
    title = f"প্রচারণা / Campaign: {campaign}" if campaign else "সব স্টেশন / All stations"
    return CalendarValues(name=f"আশ্বাস রেডিও / Ashshash Radio — {title}",
                          description="সব অংশীদার স্টেশনের সম্প্রচার / Broadcasts on all partner stations",
                          timezone="Asia/Dhaka", events=tuple(events))


def render_for_station(session: Session, station: Station, base_url: str, secret_key: str,
                       now: dt.datetime) -> bytes:
    """The station's calendar as iCalendar bytes."""
    return render_station_calendar(station_calendar_values(session, station, base_url, secret_key, now))
