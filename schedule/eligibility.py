"""Which episodes may be booked, and for how long one airing lasts."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy.orm import Session

from episodes.models import Episode, EpisodeStatus
from episodes.services import get_episode
from radio.errors import Forbidden, InvalidInput

MAX_DURATION = dt.timedelta(hours=12)


def episode_to_book(session: Session, episode_id: Any) -> Episode:
    """The episode a booking names (400 when missing); 404 by the library's own rule (``get_episode``)."""
    if not isinstance(episode_id, str) or not episode_id:
        raise InvalidInput("'episode_id' is required", code="missing_field")
    return get_episode(session, episode_id)


def episode_duration(episode: Episode) -> dt.timedelta:
    """How long one airing lasts: the broadcast rendition's duration, else the original's (whole seconds, up)."""
    seconds = episode.broadcast_duration_s or episode.duration_s
    if not seconds or seconds <= 0:
        raise InvalidInput("the episode's duration is not known yet (its analysis has not finished)",
                           code="episode_not_ready")
    duration = dt.timedelta(seconds=math.ceil(seconds))
    if duration > MAX_DURATION:
        raise InvalidInput("the episode is longer than a broadcast slot can be (12 hours)", code="episode_too_long")
    return duration


def check_bookable(episode: Episode, last_wall: dt.datetime | None) -> None:
    """Refuse restricted, unconsented, failed or (by the last airing, ``None``: never ending) expired episodes."""
    if episode.restricted:
        raise Forbidden("the episode is restricted: it is never broadcast", code="episode_restricted")
    if episode.consent != "broadcast":
        raise Forbidden(f"the episode has no broadcast consent (consent: {episode.consent})",
                        code="no_broadcast_consent")
    if episode.status == EpisodeStatus.FAILED:
        raise InvalidInput("the episode's audio could not be analysed; it cannot be broadcast",
                           code="episode_not_ready")
    if episode.valid_until is not None:
        if last_wall is None:
            raise InvalidInput(f"the episode may be aired only until {episode.valid_until.isoformat()}; "
                               "end the series by then (RRULE UNTIL or COUNT)", code="episode_expired")
        if last_wall.date() > episode.valid_until:
            raise InvalidInput(f"the episode may be aired only until {episode.valid_until.isoformat()}",
                               code="episode_expired")
