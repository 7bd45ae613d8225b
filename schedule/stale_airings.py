"""Future airings of stale programmes: a booked programme whose part's audio or consent changed after its
render is flagged on every airing still to come, until it is rendered again (which clears the flag).

The flag is computed when the schedule is read, from the programme's recorded parts against the parts as they
are now (:func:`episodes.programmes.stale_programme_episodes`): nothing is stored, so there is no flag to
forget to clear. It is shown in the broadcasts API (``stale_programme`` on a booking, ``stale`` on each
occurrence) and in the producers' week view; station calendars (iCal) are left as they are, because a stale
programme is still the audio the station was given and its feed's ETag only moves with the bookings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from episodes.programmes import StaleRender, stale_programme_episodes
from schedule.models import Broadcast, BroadcastStatus


def stale_episodes(session: Session, broadcasts: Iterable[Broadcast]) -> dict[str, StaleRender]:
    """Episode id → its stale programme, for the programmes booked (or swapped in for an occurrence) in
    ``broadcasts``."""
    ids: set[str] = set()
    for broadcast in broadcasts:
        ids.add(broadcast.episode_id)
        ids.update(o.episode_id for o in broadcast.overrides if o.episode_id)
    return stale_programme_episodes(session, ids)


def airing_is_stale(broadcast: Broadcast, episode_id: str | None, start: dt.datetime, now: dt.datetime,
                    stale: Mapping[str, StaleRender]) -> StaleRender | None:
    """The stale programme one airing still to come plays (of ``episode_id``, else the booking's), or None."""
    if broadcast.status != BroadcastStatus.CONFIRMED or start <= now:
        return None
    return stale.get(episode_id or broadcast.episode_id)


def booking_is_stale(broadcast: Broadcast, now: dt.datetime,
                     stale: Mapping[str, StaleRender]) -> StaleRender | None:
    """The stale programme of a confirmed booking with airings still to come, or None."""
    if broadcast.status != BroadcastStatus.CONFIRMED or broadcast.episode_id not in stale:
        return None
    ends = broadcast.series_end if broadcast.rrule else broadcast.starts_at
    return stale[broadcast.episode_id] if ends is None or ends > now else None
