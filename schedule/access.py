"""The access policy's schedule side: the station rule applied to bookings, overrides, feeds and feedback.

The rule itself is :func:`radio.access.station_may_see` (not restricted, broadcast consent, not expired,
booked on that station); this module applies it to what the schedule shows a station user or a feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from episodes.models import Episode
from radio import access
from radio.db import utcnow
from radio.models import User
from schedule.models import Broadcast


def today() -> dt.date:
    """The date the station rule's validity check uses (UTC)."""
    return utcnow().date()


def station_sees(episode: Episode, *, booked: bool = True) -> bool:
    """The station rule for one episode of the station's own bookings."""
    return access.station_may_see(episode, booked=booked, today=today())


def hidden_episodes(session: Session, user: User | None, broadcasts: Iterable[Broadcast]) -> frozenset[str]:
    """Episodes named by these broadcasts' overrides that ``user`` (a station) may not see."""
    if user is None or not access.hides_restricted(user):
        return frozenset()
    ids = {o.episode_id for b in broadcasts for o in b.overrides if o.episode_id}
    if not ids:
        return frozenset()
    visible = set(session.scalars(select(Episode.id).where(Episode.id.in_(ids),
                                                           access.station_visible(Episode, today()))))
    return frozenset(ids - visible)
