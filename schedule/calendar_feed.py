"""Station and campaign calendars: rows → stored or freshly rendered event blocks (ETags: schedule.feed_etag)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    Select,
    String,
    Text,
    cast,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from episodes.models import Episode
from radio import access
from radio.db import utcnow
from schedule.feed_etag import CANCELLED_KEPT
from schedule.fragments import Fragment, fingerprint
from schedule.ical import (
    CALENDAR_END,
    CalendarValues,
    EventValues,
    Feedback,
    calendar_head,
    render_event,
)
from schedule.inbound import gateway_counts_query
from schedule.models import (
    FEEDBACK_COUNTS,
    Broadcast,
    BroadcastOverride,
    BroadcastStatus,
    CalendarFragment,
    FeedbackReport,
    Station,
)
from schedule.recurrence import Occurrence, parse_local, wall_to_utc, zone
from schedule.stations import feed_token_for

Rows = Select[*tuple[Any, ...]]


def _events_query(now: dt.datetime) -> Rows:
    # The station rule (radio.access): what a station may see is what every calendar shows.
    shown = access.station_visible(Episode, now.date())
    query: Rows = (
        select(Broadcast.id, Broadcast.tzid, Broadcast.local_start, _raw(Broadcast.starts_at), Broadcast.duration_s,
               Broadcast.rrule, cast(Broadcast.exdates, Text), Broadcast.status, Broadcast.sequence,
               _raw(Broadcast.updated_at), Broadcast.notes, Episode.id, Episode.title, Episode.kind,
               _raw(Episode.updated_at),
               Episode.broadcast_sha256, Station.slug, Station.name, Station.frequency, Station.id,
               shown.label("shown"))
        .join(Episode, Episode.id == Broadcast.episode_id)
        .join(Station, Station.id == Broadcast.station_id)
        # Survivor safety, the station rule: a booking of an episode a station may not see is shown only as a
        # cancellation that names nothing (so calendars drop the airing), never with its episode.
        .where(or_(shown, Broadcast.status == BroadcastStatus.CANCELLED),
               or_(Broadcast.status == BroadcastStatus.CONFIRMED, Broadcast.cancelled_at >= now - CANCELLED_KEPT))
        .order_by(Broadcast.starts_at, Broadcast.id)
    )
    return query


WITHDRAWN_TITLE = "সম্প্রচার বাতিল / Broadcast cancelled"


@dataclass(frozen=True)
class _Shown:
    restricted: bool
    consent: str
    valid_until: dt.date | None


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

    def prefix(self, station: tuple[str, int, str]) -> str:
        # What every link of the station shares (base URL, slug, token): part of each block's fingerprint.
        return self.audio(station, "")


class _UtcText(FunctionElement[str]):
    """A timestamp as UTC text ``2026-03-06 14:00:00[.ffffff]``: parsed only when an event is rendered.

    SQLite stores that text already; PostgreSQL is asked for it, which spares parsing and fingerprinting
    thousands of datetimes when most blocks come from storage. Texts of one column compare like the times.
    """

    type = String()
    inherit_cache = True
    name = "utc_text"


@compiles(_UtcText)
def _utc_text_as_stored(element: _UtcText, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_UtcText, "postgresql")
def _utc_text_postgresql(element: _UtcText, compiler: Any, **kw: Any) -> str:
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS TEXT)"


def _raw(column: Any) -> Any:
    return _UtcText(column)


def _json_list(raw: Any) -> list[Any]:
    # EXDATEs come as JSON text (decoding every row's list is wasted: most are empty, most blocks are stored).
    if isinstance(raw, list):
        return raw
    return json.loads(raw) if raw and raw != "[]" else []


def occurrence_feedback(session: Session, scope: Any) -> dict[str, dict[str, Feedback]]:
    """The feedback each calendar shows (``X-RADIO-FEEDBACK-*``) of the broadcasts in ``scope`` (ids or a select of
    them), by broadcast id and occurrence key: the current entered counts with the SMS gateway's added."""
    conn = session.connection()
    feedback: dict[str, dict[str, Feedback]] = defaultdict(dict)
    reports = select(FeedbackReport.broadcast_id, FeedbackReport.occurrence_key,
                     *(getattr(FeedbackReport, k) for k in FEEDBACK_COUNTS)).where(
        FeedbackReport.broadcast_id.in_(scope), FeedbackReport.current.is_(True))
    for bid, key, *counts in conn.execute(reports).all():
        feedback[bid][key] = Feedback(*counts)
    for bid, key, sms, missed in conn.execute(gateway_counts_query(scope)).all():  # the SMS gateway's, beside them
        entered = feedback[bid].get(key, Feedback())
        feedback[bid][key] = replace(entered, sms=entered.sms + sms, missed_calls=entered.missed_calls + missed)
    return feedback


_Extras = tuple[dict[str, list[Any]], dict[str, dict[str, Feedback]], dict[str, tuple[str, bytes]]]


def _extras(session: Session, scope: Rows) -> _Extras:
    # Overrides (with the episode they switch to), current feedback and stored blocks of the broadcasts in ``scope``.
    # The blocks come in a query of their own: joined to the main one, PostgreSQL would sort megabytes with it.
    overrides: dict[str, list[Any]] = defaultdict(list)
    moved = (select(BroadcastOverride.broadcast_id, BroadcastOverride.recurrence_key, BroadcastOverride.starts_at,
                    BroadcastOverride.local_start, BroadcastOverride.duration_s, BroadcastOverride.notes,
                    _raw(BroadcastOverride.updated_at), BroadcastOverride.episode_id, Episode.title, Episode.kind,
                    Episode.restricted, Episode.broadcast_sha256, Episode.consent, Episode.valid_until)
             .outerjoin(Episode, Episode.id == BroadcastOverride.episode_id)
             .where(BroadcastOverride.broadcast_id.in_(scope)))
    conn = session.connection()  # Core rows: the ORM's per-row bookkeeping is wasted on plain columns
    today = utcnow().date()
    for row in conn.execute(moved).all():
        hidden = row[7] is not None and not access.station_may_see(_Shown(row[10], row[12], row[13]), booked=True,
                                                                   today=today)
        overrides[row[0]].append((*row[1:10], hidden, row[11]))  # the fingerprint sees the rule's answer
    feedback = occurrence_feedback(session, scope)
    blocks = select(CalendarFragment.broadcast_id, CalendarFragment.fingerprint, CalendarFragment.body).where(
        CalendarFragment.broadcast_id.in_(scope))
    stored = {bid: (digest, body) for bid, digest, body in conn.execute(blocks).all()}
    return overrides, feedback, stored


def _broadcast_events(row: Any, station: tuple[str, int, str], links: _Links, moved: Sequence[Any],
                      reported: dict[str, Feedback]) -> list[EventValues]:
    # The events of one broadcast: the booking (a series with its EXDATEs) and its per-occurrence children.
    (bid, tzid, wall, start, dur, rrule, exdates, status, seq, b_upd, notes, ep_id, title, kind, e_upd, audio,
     _slug, name, freq, _station_id, shown) = row
    modified = max(b_upd, e_upd)
    if not shown:  # cancelled because its episode may no longer be broadcast: say nothing about the episode
        return [EventValues(uid=f"{bid}@ashshash-radio", tzid=tzid, sequence=seq, start=start, wall_start=wall,
                            duration_s=dur, last_modified=b_upd, title=WITHDRAWN_TITLE, kind="other",
                            episode_id="", rrule=rrule, exdates=tuple(_json_list(exdates)),
                            location=f"{name} {freq}".strip(), cancelled=True)]
    audio_url = links.audio(station, ep_id) if audio else None
    common = {"uid": f"{bid}@ashshash-radio", "tzid": tzid, "sequence": seq, "location": f"{name} {freq}".strip(),
              "cancelled": status == BroadcastStatus.CANCELLED}
    if rrule is None:
        return [EventValues(start=start, wall_start=wall, duration_s=dur, last_modified=modified, title=title,
                            kind=kind, episode_id=ep_id, notes=notes, audio_url=audio_url,
                            feedback=reported.get(wall), **common)]
    skipped, children = set(_json_list(exdates)), []
    for key, o_start, o_wall, o_dur, o_notes, o_upd, o_ep, o_title, o_kind, o_hidden, o_audio in moved:
        if o_hidden:  # an occurrence switched to an episode a station may not see (now): leave a gap
            skipped.add(key)
            continue
        children.append(EventValues(
            start=o_start, wall_start=o_wall, duration_s=o_dur, recurrence_key=key, feedback=reported.get(key),
            last_modified=max(modified, o_upd), notes=o_notes or notes,
            title=o_title if o_ep else title, kind=o_kind if o_ep else kind, episode_id=o_ep or ep_id,
            audio_url=(links.audio(station, o_ep) if o_audio else None) if o_ep else audio_url, **common))
    overridden = {c.recurrence_key for c in children}
    for key, counts in reported.items():  # an aired occurrence with feedback carries its counts
        if key not in overridden and key not in skipped:
            children.append(EventValues(
                start=wall_to_utc(parse_local(key), zone(tzid)), wall_start=key, duration_s=dur,
                recurrence_key=key, feedback=counts, last_modified=modified, title=title, kind=kind,
                episode_id=ep_id, notes=notes, audio_url=audio_url, **common))
    master = EventValues(start=start, wall_start=wall, duration_s=dur, last_modified=modified, title=title,
                         kind=kind, episode_id=ep_id, notes=notes, audio_url=audio_url, rrule=rrule,
                         exdates=tuple(sorted(skipped)), **common)
    return [master, *sorted(children, key=lambda e: e.recurrence_key or "")]


@dataclass(frozen=True)
class RenderedCalendar:
    """A calendar's bytes and the blocks that had to be rendered (to be stored with ``save_fragments``)."""

    body: bytes
    fresh: list[Fragment]


def _render(session: Session, query: Rows, links: _Links, versions: dict[str, int],
            head: CalendarValues) -> RenderedCalendar:
    """Header, VTIMEZONEs and each broadcast's block: the stored one while its fingerprint holds, else rendered."""
    overrides, feedback, stored = _extras(session, query.with_only_columns(Broadcast.id).order_by(None))
    blocks: list[bytes] = []
    fresh: list[Fragment] = []
    tzids: set[str] = set()
    for values in session.connection().execute(query).all():  # fetchall: one driver call, not one per row
        row = tuple(values)
        bid, tzid, slug, station_id = row[0], row[1], row[16], row[19]
        station = (slug, versions[station_id], station_id)
        moved = sorted(overrides.get(bid, ()))
        reported = feedback.get(bid, {})
        tzids.add(tzid)
        digest = fingerprint(row, links.prefix(station), moved, sorted(reported.items()))
        kept = stored.get(bid)
        if kept is not None and kept[0] == digest:
            blocks.append(kept[1])
            continue
        body = b"".join(render_event(ev) for ev in _broadcast_events(row, station, links, moved, reported))
        blocks.append(body)
        fresh.append(Fragment(bid, digest, body))
    return RenderedCalendar(b"".join([calendar_head(head, tzids), *blocks, CALENDAR_END]), fresh)


def render_for_station(session: Session, station: Station, base_url: str, secret_key: str,
                       now: dt.datetime) -> RenderedCalendar:
    """The station's calendar as iCalendar bytes (and the blocks rendered anew)."""
    query = _events_query(now).where(Broadcast.station_id == station.id)
    label = " / ".join(n for n in (station.name_bn, station.name) if n)
    head = CalendarValues(name=f"{label} — সম্প্রচার / broadcasts",
                          description=f"আশ্বাস রেডিও: {label} এর সম্প্রচার সূচি / Ashshash Radio broadcast plan "
                                      f"for {station.name}",
                          timezone=station.timezone)
    return _render(session, query, _Links(base_url, secret_key), {station.id: station.feed_token_version}, head)


def render_campaign_calendar(session: Session, base_url: str, secret_key: str, now: dt.datetime, *,
                             campaign: str | None = None, stations: Iterable[str] | None = None) -> RenderedCalendar:
    """All stations' broadcasts (optionally of one campaign): the producers' overview."""
    query = _events_query(now)
    if campaign:
        query = query.where(Episode.campaign == campaign)
    if stations is not None:
        query = query.where(Station.slug.in_(list(stations)))
    versions = {sid: version for sid, version in session.execute(select(Station.id, Station.feed_token_version))}
    title = f"প্রচারণা / Campaign: {campaign}" if campaign else "সব স্টেশন / All stations"
    head = CalendarValues(name=f"আশ্বাস রেডিও / Ashshash Radio — {title}",
                          description="সব অংশীদার স্টেশনের সম্প্রচার / Broadcasts on all partner stations",
                          timezone="Asia/Dhaka")
    return _render(session, query, _Links(base_url, secret_key), versions, head)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def render_station_week(station: Station, airings: Sequence[tuple[Broadcast, Occurrence, Episode | None]], week: str,
                        base_url: str, secret_key: str, feedback: Mapping[str, Mapping[str, Feedback]]) -> bytes:
    """The station's calendar of one week only (the bundle's ``schedule.ics``): one VEVENT per airing.

    A series' airing is written as that instance of the series (its UID with RECURRENCE-ID), a one-off as
    itself, so a calendar that also subscribes to the live feed sees the same events, not copies — with the
    live feed's status (a cancelled booking is STATUS:CANCELLED; one without an episode, ``None``, names none)
    and its feedback counts (``feedback``: :func:`occurrence_feedback`).
    """
    links = _Links(base_url, secret_key)
    ref = (station.slug, station.feed_token_version, station.id)
    location = f"{station.name} {station.frequency}".strip()
    events = []
    for broadcast, occ, episode in airings:
        # As the live feed writes a cancelled booking whose episode may no longer be broadcast: naming nothing.
        withdrawn = EventValues(
            uid=f"{broadcast.id}@ashshash-radio", tzid=broadcast.tzid, start=occ.start, wall_start=occ.wall,
            duration_s=(occ.end - occ.start).total_seconds(), sequence=broadcast.sequence,
            last_modified=_utc(broadcast.updated_at), title=WITHDRAWN_TITLE, kind="other", episode_id="",
            location=location, recurrence_key=occ.key if broadcast.rrule else None,
            cancelled=broadcast.status == BroadcastStatus.CANCELLED)
        if episode is None:
            events.append(withdrawn)
            continue
        override = next((o for o in broadcast.overrides if o.recurrence_key == occ.key), None)
        changed = [broadcast.updated_at, episode.updated_at, *([override.updated_at] if override else [])]
        events.append(replace(
            withdrawn, last_modified=max(_utc(t) for t in changed), title=episode.title, kind=episode.kind,
            episode_id=episode.id, feedback=feedback.get(broadcast.id, {}).get(occ.key),
            notes=(override.notes if override is not None and override.notes else broadcast.notes) or "",
            audio_url=links.audio(ref, episode.id) if episode.broadcast_sha256 else None))
    label = " / ".join(n for n in (station.name_bn, station.name) if n)
    head = CalendarValues(name=f"{label} — সপ্তাহ / week {week}",
                          description=f"আশ্বাস রেডিও: {label} এর {week} সপ্তাহের সম্প্রচার / Ashshash Radio broadcasts "
                                      f"of {station.name} in {week}",
                          timezone=station.timezone)
    return b"".join([calendar_head(head, {ev.tzid for ev in events}), *(render_event(ev) for ev in events),
                     CALENDAR_END])
