"""Where the report's per-airing facts come from: airing confirmations and gateway messages.

These two functions are the only places the reach report learns whether an occurrence aired (the stations'
current confirmations, ``schedule.models.AiringReport``) and what listeners sent through a station's SMS /
missed-call gateway (``schedule.models.InboundMessage`` counted as feedback).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.scope import ReportScope
from schedule.models import AiringReport, InboundMessage

_CHUNK = 500  # ids per IN list

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
    """The status of each airing by ``(broadcast_id, occurrence)``: its current confirmation, else unconfirmed."""
    statuses = {(a.broadcast_id, a.occurrence): UNCONFIRMED for a in airings}
    ids = sorted({a.broadcast_id for a in airings})
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(select(AiringReport.broadcast_id, AiringReport.occurrence_key, AiringReport.status,
                                      AiringReport.reason)
                               .where(AiringReport.broadcast_id.in_(ids[start:start + _CHUNK]),
                                      AiringReport.current.is_(True)))
        for broadcast_id, occurrence, status, reason in rows:
            if (broadcast_id, occurrence) in statuses:
                statuses[(broadcast_id, occurrence)] = AiringStatus(status=status, reason=reason)
    return statuses


def gateway_messages(session: Session, scope: ReportScope, station_ids: Sequence[str]) -> list[GatewayMessage]:
    """Inbound SMS and missed calls counted as listener feedback at the stations, on local days in the scope."""
    found: list[GatewayMessage] = []
    ids = sorted(set(station_ids))
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(select(InboundMessage.station_id, InboundMessage.episode_id, InboundMessage.local_day,
                                      InboundMessage.kind, InboundMessage.sender_hash)
                               .where(InboundMessage.station_id.in_(ids[start:start + _CHUNK]),
                                      InboundMessage.purpose == "feedback",
                                      InboundMessage.local_day >= scope.date_from.isoformat(),
                                      InboundMessage.local_day <= scope.date_to.isoformat()))
        for station_id, episode_id, local_day, kind, sender in rows:
            found.append(GatewayMessage(station_id=station_id, episode_id=episode_id,
                                        local_day=dt.date.fromisoformat(local_day),
                                        kind="missed_calls" if kind == "missed_call" else "sms", sender=sender))
    return found
