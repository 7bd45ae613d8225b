"""Where the report's facts come from: airing confirmations, gateway messages and hand-entered feedback.

This module is the only place the reach report learns whether an occurrence aired (the stations' current
confirmations, ``schedule.models.AiringReport``), what listeners sent through a station's SMS / missed-call
gateway (``schedule.models.InboundMessage`` counted as feedback) and what stations entered by hand
(``schedule.models.FeedbackReport``). Counting is done by the database (GROUP BY); unique senders, which do not
add up across rows, are folded here from one pass over the SMS (``sms_senders``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from reports.periods import local_month_of
from reports.scope import ReportScope
from schedule.models import FEEDBACK_COUNTS, AiringReport, FeedbackReport, InboundMessage

_CHUNK = 500  # ids per IN list

STATUSES = ("aired", "partial", "missed", "unconfirmed")
MISSED_REASONS = ("power_cut", "technical", "preempted", "other")
GATEWAY_KINDS = ("sms", "missed_calls")


class PlannedAiring(NamedTuple):
    """One planned occurrence of a booking, as the report counts it (a tuple: a year is 10,000 of them)."""

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


def message_filter(scope: ReportScope, station_ids: Sequence[str], episode_ids: Any | None) -> ColumnElement[bool]:
    """Inbound messages counted as listener feedback at the stations on local days in the scope; ``episode_ids``
    (a select of ids, or None for any) narrows those attributed to an airing. A message outside any airing
    (no episode) is the station's feedback and counts, unless the scope is one episode."""
    condition = and_(InboundMessage.station_id.in_(list(station_ids)), InboundMessage.purpose == "feedback",
                     InboundMessage.local_day >= scope.date_from.isoformat(),
                     InboundMessage.local_day <= scope.date_to.isoformat())
    if scope.episode_id is not None:
        return and_(condition, InboundMessage.episode_id == scope.episode_id,
                    *([InboundMessage.episode_id.in_(episode_ids)] if episode_ids is not None else []))
    if episode_ids is not None:
        condition = and_(condition, or_(InboundMessage.episode_id.is_(None),
                                        InboundMessage.episode_id.in_(episode_ids)))
    return condition


_MONTH = func.substr(InboundMessage.local_day, 1, 7)


def gateway_counts(session: Session, where: ColumnElement[bool]) -> list[tuple[str, str | None, str, int, int]]:
    """SMS and missed calls summed in the database per (station, episode or None, local month)."""
    sms = func.sum(case((InboundMessage.kind == "sms", 1), else_=0))
    query = (select(InboundMessage.station_id, InboundMessage.episode_id, _MONTH, sms, func.count() - sms)
             .where(where).group_by(InboundMessage.station_id, InboundMessage.episode_id, _MONTH))
    return [(st, ep, month, int(n_sms or 0), int(n_calls or 0)) for st, ep, month, n_sms, n_calls
            in session.execute(query)]


@dataclass(frozen=True)
class SenderCounts:
    """Unique SMS senders per breakdown row (not additive: a listener who wrote in January and March is one)."""

    total: int
    by_station: dict[str, int]
    by_district: dict[str, int]
    by_month: dict[str, int]
    by_episode: dict[str, int]


def sms_senders(session: Session, where: ColumnElement[bool], district_of: Mapping[str, str]) -> SenderCounts:
    """Unique SMS senders of the messages ``where`` selects, per station, district, month and episode.

    One pass: the (station, month, episode, sender) of every SMS comes back from ``ix_inbound_messages_report``
    (a covering index scan, no sort) and is folded here into one set of senders per breakdown row. Five
    ``COUNT(DISTINCT)`` queries, one per breakdown, each sorted the same rows in a temporary B-tree: on a year of
    100,000 messages that was 225 ms against ~130 ms for this pass on SQLite (tests/benchmarks/bench_reports.py)."""
    query = (select(InboundMessage.station_id, _MONTH, InboundMessage.episode_id, InboundMessage.sender_hash)
             .where(where, InboundMessage.kind == "sms"))
    total: set[str] = set()
    groups: tuple[dict[Any, set[str]], ...] = ({}, {}, {}, {})
    by_station, by_district, by_month, by_episode = groups
    # Core rows, not ORM ones: tens of thousands of them, and nothing here needs the ORM.
    for station_id, month, episode_id, sender in session.connection().execute(query):
        total.add(sender)
        for found, key in ((by_station, station_id), (by_district, district_of[station_id]), (by_month, month),
                           (by_episode, episode_id)):
            senders = found.get(key)
            if senders is None:
                senders = found[key] = set()
            senders.add(sender)
    by_episode.pop(None, None)  # messages outside any airing: no episode row
    counted = [{key: len(senders) for key, senders in found.items()} for found in groups]
    return SenderCounts(len(total), *counted)


def gateway_rows(session: Session, where: ColumnElement[bool]) -> list[Any]:
    """The messages ``where`` selects, one row each (the rows behind the gateway figures), oldest first."""
    return list(session.execute(select(InboundMessage.id, InboundMessage.station_id, InboundMessage.episode_id,
                                       InboundMessage.local_day, InboundMessage.kind, InboundMessage.at)
                                .where(where).order_by(InboundMessage.at, InboundMessage.id)).all())


def entered_filter(scope: ReportScope, zones: Mapping[str, str], episode_ids: Any | None
                   ) -> tuple[ColumnElement[bool], ColumnElement[str]]:
    """Current hand-entered feedback of airings on local days in the scope at the stations (``zones``: station
    id → time zone), and the expression of each row's local month."""
    inside, month = local_month_of(FeedbackReport.occurrence_start, FeedbackReport.station_id, zones,
                                   scope.date_from, scope.date_to)
    condition = and_(FeedbackReport.current.is_(True), inside)
    if scope.episode_id is not None:
        condition = and_(condition, FeedbackReport.episode_id == scope.episode_id)
    if episode_ids is not None:
        condition = and_(condition, FeedbackReport.episode_id.in_(episode_ids))
    return condition, month


def entered_counts(session: Session, where: ColumnElement[bool], month: ColumnElement[str]
                   ) -> list[tuple[str, str, str, int, tuple[int, ...]]]:
    """Hand-entered feedback summed in the database per (station, episode, local month): reports, counts."""
    query = (select(FeedbackReport.station_id, FeedbackReport.episode_id, month, func.count(),
                    *(func.sum(getattr(FeedbackReport, k)) for k in FEEDBACK_COUNTS))
             .where(where).group_by(FeedbackReport.station_id, FeedbackReport.episode_id, month))
    return [(st, ep, m, int(reports), tuple(int(c or 0) for c in counts))
            for st, ep, m, reports, *counts in session.execute(query)]
