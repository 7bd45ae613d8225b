"""Feed ETags: strong validators for the station calendar and podcast feed, answered without rendering (304s).

One query of a few index lookups says whether anything a feed shows has changed: a per-station
``calendar_version`` that database triggers bump with every change of its bookings, overrides and feedback,
and the newest change of the episodes (and, for the podcast, transcripts) booked on it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, CompoundSelect, Select, String, bindparam, func, select, union
from sqlalchemy.orm import Session, aliased

from episodes.models import Episode
from radio.db import UTCDateTime
from schedule.ical import RENDER_FORMAT
from schedule.models import Broadcast, BroadcastOverride, Station
from transcripts.models import Transcript

CANCELLED_KEPT = dt.timedelta(days=30)  # a cancellation stays in the feed this long, then the event is dropped


@dataclass(frozen=True)
class Validator:
    """What the HTTP layer needs to answer a conditional GET without rendering."""

    etag: str
    last_modified: dt.datetime


def station_validator(session: Session, station: Station, base_url: str, now: dt.datetime) -> Validator:
    """A strong ETag and Last-Modified from one query of a few index lookups over what the calendar shows.

    Every change to the station's broadcasts, their overrides or feedback bumps the station's ``calendar_version``
    (database triggers); edits of the episodes booked on this station (directly or by an override) move their
    newest ``updated_at``. Uploads and edits of other episodes leave it alone. The count of the cancellations
    still shown changes exactly when one leaves the feed: the only way the passing of time changes the bytes.
    """
    row = session.execute(_validator_query(), {"station_id": station.id, "shown_since": now - CANCELLED_KEPT}).one()
    stamps = [station.updated_at, *(t for t in (row[1], row[3]) if t is not None)]
    # The date too: the station rule hides an episode once its valid-until date has passed.
    parts = [RENDER_FORMAT, station.id, str(station.feed_token_version), station.updated_at.isoformat(),
             base_url, f"{now:%Y%m%d}", *(str(v) for v in row)]
    return Validator(hashlib.sha256("|".join(parts).encode()).hexdigest()[:40], max(stamps).replace(microsecond=0))


@cache
def _validator_query() -> Select[Any]:
    # Built once (the statement is the same for every station; its construction costs more than running it).
    station_id = bindparam("station_id", type_=String)
    mine = Broadcast.station_id == station_id
    return select(
        # Triggers bump it with every change of the station's broadcasts, overrides and feedback, in the
        # changing transaction: it moves even when transactions commit out of the order of their timestamps.
        select(Station.calendar_version).where(Station.id == station_id).scalar_subquery(),
        select(func.max(Broadcast.updated_at)).where(mine).scalar_subquery(),
        select(func.count()).select_from(Broadcast)
        .where(mine, Broadcast.cancelled_at >= bindparam("shown_since", type_=UTCDateTime())).scalar_subquery(),
        select(func.max(Episode.updated_at)).where(Episode.id.in_(booked_episodes(station_id))).scalar_subquery(),
    )


def booked_episodes(station_id: str | BindParameter[str]) -> CompoundSelect[Any]:
    """Ids of the episodes booked on the station, directly or by an override (cancelled bookings included).

    The broadcasts' episodes come from a loose index scan: a recursive CTE stepping to the next larger episode id,
    one index probe per distinct episode instead of one row per broadcast.
    """
    first = (select(func.min(Broadcast.episode_id).label("episode_id")).where(Broadcast.station_id == station_id)
             .cte("booked", recursive=True))
    after = aliased(Broadcast)
    following = select(func.min(after.episode_id)).where(after.station_id == station_id,
                                                         after.episode_id > first.c.episode_id).scalar_subquery()
    booked = first.union_all(select(following).where(first.c.episode_id.is_not(None)))
    return union(select(booked.c.episode_id),
                 select(BroadcastOverride.episode_id).where(BroadcastOverride.station_id == station_id,
                                                            BroadcastOverride.episode_id.is_not(None)))


def podcast_validator(session: Session, station: Station, base_url: str, now: dt.datetime) -> Validator:
    """The calendar's validator, plus what only the podcast shows: the day (the 30-day window) and transcripts."""
    base = station_validator(session, station, base_url, now)
    last_modified = base.last_modified
    count, newest = session.execute(select(func.count(), func.max(Transcript.created_at)).where(
        Transcript.episode_id.in_(booked_episodes(station.id)))).one()
    transcripts = f"{count}|{newest}"
    last_modified = max(last_modified, newest.replace(microsecond=0)) if newest else last_modified
    digest = hashlib.sha256(f"{base.etag}|{now:%Y%m%d}|{transcripts}".encode()).hexdigest()[:40]
    return Validator(digest, last_modified)
