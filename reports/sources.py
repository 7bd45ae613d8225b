"""Where the report's per-airing facts come from: airing confirmations and gateway messages (issue 15's tables).

These two functions are the only places the reach report learns whether an occurrence aired and what listeners
sent through a station's SMS / missed-call gateway. Until airing confirmations and inbound messages exist, every
occurrence is ``unconfirmed`` and the gateway has sent nothing; wiring those tables in changes these two
functions and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from reports.scope import ReportScope

STATUSES = ("aired", "partial", "missed", "unconfirmed")
MISSED_REASONS = ("power_cut", "technical", "preempted", "other")
GATEWAY_KINDS = ("sms", "missed_calls")


@dataclass(frozen=True)
class PlannedAiring:
    """One planned occurrence of a booking, as the report counts it."""

    broadcast_id: str
    occurrence: str  # the occurrence key (original local wall time, the RECURRENCE-ID)
    start: dt.datetime  # UTC
    local_day: dt.date
    minutes: float
    station_id: str
    episode_id: str


@dataclass(frozen=True)
class AiringStatus:
    """What is known about one airing: its status, the reason it was missed, and seconds aired when partial."""

    status: str = "unconfirmed"
    reason: str | None = None
    aired_s: float | None = None


@dataclass(frozen=True)
class GatewayMessage:
    """One inbound SMS or missed call attributed to an airing (station, episode, local day, sender)."""

    station_id: str
    episode_id: str | None
    local_day: dt.date
    kind: str  # "sms" | "missed_calls"
    sender: str  # a stable, opaque identity of the sender (e.g. a hash of the number)


UNCONFIRMED = AiringStatus()


def airing_statuses(session: Session, airings: Sequence[PlannedAiring]) -> dict[tuple[str, str], AiringStatus]:
    """The status of each airing by ``(broadcast_id, occurrence)``: today every one is unconfirmed."""
    return {(a.broadcast_id, a.occurrence): UNCONFIRMED for a in airings}


def gateway_messages(session: Session, scope: ReportScope, station_ids: Sequence[str]) -> list[GatewayMessage]:
    """Inbound SMS and missed calls of the stations within the scope: today there are none (no gateway yet)."""
    return []
