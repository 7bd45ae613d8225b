"""The reach report: planned airings against delivered ones, and what listeners said, per station, district,
month and episode; every figure carries links to the rows behind it (``reach_airings`` / ``reach_feedback``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from episodes.models import Episode
from radio.db import utcnow
from radio.models import Role, User
from reports.scope import ReportScope
from reports.sources import (
    MISSED_REASONS,
    UNCONFIRMED,
    AiringStatus,
    GatewayMessage,
    PlannedAiring,
    airing_statuses,
    gateway_messages,
)
from schedule.models import FEEDBACK_COUNTS, Broadcast, BroadcastOverride, BroadcastStatus, FeedbackReport, Station
from schedule.recurrence import MovedOccurrence, Series, expand, zone
from schedule.stations import get_station, station_id_of

API_PATH = "/api/v1/reports/reach"
BREAKDOWNS = ("by_station", "by_district", "by_month", "by_episode")


@dataclass
class Tally:
    """The figures of one row of the report."""

    planned: int = 0
    aired: int = 0
    partial: int = 0
    missed: int = 0
    unconfirmed: int = 0
    missed_by_reason: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MISSED_REASONS, 0))
    seconds_planned: float = 0.0
    seconds_aired: float = 0.0
    entered: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FEEDBACK_COUNTS, 0))
    gateway: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FEEDBACK_COUNTS, 0))
    senders: set[str] = field(default_factory=set)
    feedback_reports: int = 0

    def add_airing(self, airing: PlannedAiring, status: AiringStatus) -> None:
        """Count one planned airing with what is known about it."""
        self.planned += 1
        self.seconds_planned += airing.minutes * 60
        setattr(self, status.status, getattr(self, status.status) + 1)
        if status.status == "missed":
            reason = status.reason if status.reason in self.missed_by_reason else "other"
            self.missed_by_reason[reason] += 1
        if status.status == "aired":
            self.seconds_aired += airing.minutes * 60
        elif status.status == "partial" and status.aired_s is not None:
            self.seconds_aired += min(status.aired_s, airing.minutes * 60)

    def add_feedback(self, group: FeedbackGroup) -> None:
        """Count the hand-entered feedback reports of one airing."""
        self.feedback_reports += group.reports
        for kind, value in zip(FEEDBACK_COUNTS, group.counts, strict=True):
            self.entered[kind] += value

    def add_message(self, message: GatewayMessage) -> None:
        """Count one inbound gateway message."""
        self.gateway[message.kind] += 1
        if message.kind == "sms":
            self.senders.add(message.sender)

    def merge(self, other: Tally) -> None:
        """Add ``other``'s figures to these."""
        for name in ("planned", "aired", "partial", "missed", "unconfirmed", "seconds_planned", "seconds_aired",
                     "feedback_reports"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.missed_by_reason, other.missed_by_reason), (self.entered, other.entered),
                             (self.gateway, other.gateway)):
            for key, value in theirs.items():
                mine[key] += value
        self.senders |= other.senders

    def as_dict(self) -> dict[str, Any]:
        """The row's figures as the API shows them (``share_delivered``: aired minutes over planned ones)."""
        minutes_planned = round(self.seconds_planned / 60, 1)
        minutes_aired = round(self.seconds_aired / 60, 1)
        return {
            "planned": self.planned, "aired": self.aired, "partial": self.partial, "missed": self.missed,
            "missed_by_reason": dict(self.missed_by_reason), "unconfirmed": self.unconfirmed,
            "minutes_planned": minutes_planned, "minutes_aired": minutes_aired,
            "share_delivered": round(self.seconds_aired / self.seconds_planned, 4) if self.seconds_planned else None,
            "feedback": {k: self.entered[k] + self.gateway[k] for k in FEEDBACK_COUNTS},
            "feedback_by_source": {"entered": dict(self.entered), "gateway": dict(self.gateway)},
            "feedback_total": sum(self.entered.values()) + sum(self.gateway.values()),
            "feedback_reports": self.feedback_reports, "unique_senders": len(self.senders),
        }


@dataclass(frozen=True)
class FeedbackGroup:
    """The current hand-entered feedback of one airing (station, episode, start), summed in the database."""

    station_id: str
    episode_id: str
    start: dt.datetime
    local_day: dt.date
    reports: int
    counts: tuple[int, ...]  # in FEEDBACK_COUNTS order


@dataclass
class ReachReport:
    """The whole report: its scope, when it was made, the totals and the four breakdowns (rows as dicts)."""

    scope: ReportScope
    generated_at: dt.datetime
    totals: dict[str, Any]
    by_station: list[dict[str, Any]]
    by_district: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    by_episode: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON."""
        return {"scope": self.scope.as_dict(), "generated_at": self.generated_at.isoformat(),
                "totals": self.totals, **{name: getattr(self, name) for name in BREAKDOWNS}}


@dataclass
class _Facts:
    stations: dict[str, Station]
    episodes: dict[str, Episode]
    airings: list[PlannedAiring]
    statuses: dict[tuple[str, str], AiringStatus]
    feedback: list[FeedbackGroup]
    messages: list[GatewayMessage]


def _stations(session: Session, user: User, scope: ReportScope) -> dict[str, Station]:
    query = select(Station)
    if scope.stations:
        query = query.where(Station.id.in_([get_station(session, slug, user).id for slug in scope.stations]))
    if user.role == Role.STATION:
        query = query.where(Station.id == station_id_of(user))
    if scope.districts:
        query = query.where(func.lower(Station.district).in_([d.casefold() for d in scope.districts]))
    return {s.id: s for s in session.scalars(query)}


def _utc_window(scope: ReportScope) -> tuple[dt.datetime, dt.datetime]:
    # Local dates of any station: a day of margin either side, the exact local day is checked per airing.
    lo = dt.datetime.combine(scope.date_from, dt.time(), dt.UTC) - dt.timedelta(days=1)
    hi = dt.datetime.combine(scope.date_to, dt.time(), dt.UTC) + dt.timedelta(days=2)
    return lo, hi


def _episode_allowed(episode: Episode | None, user: User, scope: ReportScope) -> bool:
    if episode is None:
        return False
    if scope.campaign is not None and episode.campaign != scope.campaign:
        return False
    if scope.episode_id is not None and episode.id != scope.episode_id:
        return False
    return not (user.role == Role.STATION and episode.restricted)


def _overrides(session: Session, ids: list[str]) -> dict[str, list[BroadcastOverride]]:
    found: dict[str, list[BroadcastOverride]] = {}
    for i in range(0, len(ids), 500):
        for override in session.scalars(select(BroadcastOverride)
                                        .where(BroadcastOverride.broadcast_id.in_(ids[i:i + 500]))):
            found.setdefault(override.broadcast_id, []).append(override)
    return found


def _planned(session: Session, user: User, scope: ReportScope, stations: dict[str, Station],
             episodes: dict[str, Episode]) -> list[PlannedAiring]:
    lo, hi = _utc_window(scope)
    # Columns, not ORM objects: a year of a campaign is thousands of bookings, and a one-off needs no expansion.
    query = (select(Broadcast.id, Broadcast.station_id, Broadcast.episode_id, Broadcast.tzid, Broadcast.local_start,
                    Broadcast.starts_at, Broadcast.duration_s, Broadcast.rrule, Broadcast.exdates)
             .where(Broadcast.station_id.in_(list(stations)), Broadcast.status == BroadcastStatus.CONFIRMED,
                    Broadcast.starts_at < hi, or_(Broadcast.series_end.is_(None), Broadcast.series_end > lo)))
    rows = session.execute(query).all()
    overrides = _overrides(session, [r.id for r in rows if r.rrule])
    wanted = {r.episode_id for r in rows} | {o.episode_id for found in overrides.values() for o in found
                                             if o.episode_id}
    _load_episodes(session, episodes, wanted)
    zones = {sid: zone(st.timezone) for sid, st in stations.items()}
    airings: list[PlannedAiring] = []
    for row in rows:
        tz = zones[row.station_id]
        moved = overrides.get(row.id, [])
        if row.rrule is None and not moved:
            occurrences = [(row.local_start, row.starts_at, row.duration_s, row.episode_id)]
        else:
            series = Series(tzid=row.tzid, wall_start=row.local_start, start=row.starts_at,
                            duration=dt.timedelta(seconds=row.duration_s), rrule=row.rrule,
                            exdates=frozenset(row.exdates),
                            overrides={o.recurrence_key: MovedOccurrence(o.local_start, o.starts_at,
                                                                         dt.timedelta(seconds=o.duration_s),
                                                                         o.episode_id) for o in moved})
            episode_of = {o.recurrence_key: o.episode_id for o in moved if o.episode_id}
            occurrences = [(occ.key, occ.start, (occ.end - occ.start).total_seconds(),
                            episode_of.get(occ.key) or row.episode_id) for occ in expand(series, lo, hi)]
        for key, start, seconds, episode_id in occurrences:
            local_day = start.astimezone(tz).date()
            if not scope.date_from <= local_day <= scope.date_to:
                continue
            if not _episode_allowed(episodes.get(episode_id), user, scope):
                continue
            airings.append(PlannedAiring(row.id, key, start, local_day, seconds / 60, row.station_id, episode_id))
    airings.sort(key=lambda a: (a.start, a.broadcast_id))
    return airings


def _load_episodes(session: Session, episodes: dict[str, Episode], ids: Iterable[str]) -> None:
    missing = sorted(set(ids) - set(episodes))
    for i in range(0, len(missing), 500):
        for episode in session.scalars(select(Episode).where(Episode.id.in_(missing[i:i + 500]))):
            episodes[episode.id] = episode


def _feedback_query(scope: ReportScope, stations: dict[str, Station]) -> Any:
    lo, hi = _utc_window(scope)
    query = select(FeedbackReport).where(
        FeedbackReport.current.is_(True), FeedbackReport.station_id.in_(list(stations)),
        FeedbackReport.occurrence_start >= lo, FeedbackReport.occurrence_start < hi)
    if scope.episode_id is not None:
        query = query.where(FeedbackReport.episode_id == scope.episode_id)
    return query


def _feedback(session: Session, user: User, scope: ReportScope, stations: dict[str, Station],
              episodes: dict[str, Episode]) -> list[FeedbackGroup]:
    """Current feedback summed per airing in the database (one row per airing, not per report)."""
    where = _feedback_query(scope, stations).whereclause
    query = (select(FeedbackReport.station_id, FeedbackReport.episode_id, FeedbackReport.occurrence_start,
                    func.count(), *(func.sum(getattr(FeedbackReport, k)) for k in FEEDBACK_COUNTS))
             .where(where)
             .group_by(FeedbackReport.station_id, FeedbackReport.episode_id, FeedbackReport.occurrence_start))
    rows = session.execute(query).all()
    _load_episodes(session, episodes, {r[1] for r in rows})
    zones = {sid: zone(st.timezone) for sid, st in stations.items()}
    kept = []
    for station_id, episode_id, start, reports, *counts in rows:
        start = start if start.tzinfo else start.replace(tzinfo=dt.UTC)
        local_day = start.astimezone(zones[station_id]).date()
        if scope.date_from <= local_day <= scope.date_to and _episode_allowed(episodes.get(episode_id), user, scope):
            kept.append(FeedbackGroup(station_id, episode_id, start, local_day, int(reports),
                                      tuple(int(c or 0) for c in counts)))
    kept.sort(key=lambda g: (g.start, g.station_id, g.episode_id))
    return kept


def _facts(session: Session, user: User, scope: ReportScope) -> _Facts:
    stations = _stations(session, user, scope)
    episodes: dict[str, Episode] = {}
    airings = _planned(session, user, scope, stations, episodes)
    feedback = _feedback(session, user, scope, stations, episodes)
    messages = [m for m in gateway_messages(session, scope, list(stations))
                if m.station_id in stations and (m.episode_id is None or _episode_allowed(
                    episodes.get(m.episode_id), user, scope))]
    return _Facts(stations, episodes, airings, airing_statuses(session, airings), feedback, messages)


def local_day_of(start: dt.datetime, station: Station) -> dt.date:
    """The local date of a UTC moment at ``station``."""
    return start.astimezone(zone(station.timezone)).date()


def _months(scope: ReportScope) -> list[str]:
    months, day = [], scope.date_from.replace(day=1)
    while day <= scope.date_to:
        months.append(day.strftime("%Y-%m"))
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _links(scope: ReportScope) -> dict[str, str]:
    query = scope.query()
    return {"airings": f"{API_PATH}/airings?{query}", "feedback": f"{API_PATH}/feedback?{query}"}


def build_reach_report(session: Session, user: User, scope: ReportScope, now: dt.datetime | None = None
                       ) -> ReachReport:
    """The reach report of ``scope`` as ``user`` may see it (a station user: its own station only)."""
    facts = _facts(session, user, scope)
    bn = scope.lang == "bn"
    # Every airing, feedback group and message lands in one cell (station, episode, month); the totals and the
    # four breakdowns are sums of cells, so each fact is counted once however many rows it appears in.
    cells: dict[tuple[str, str | None, str], Tally] = {}

    def cell(station_id: str, episode_id: str | None, day: dt.date) -> Tally:
        key = (station_id, episode_id, f"{day.year:04d}-{day.month:02d}")
        found = cells.get(key)
        if found is None:
            found = cells[key] = Tally()
        return found

    for airing in facts.airings:
        status = facts.statuses.get((airing.broadcast_id, airing.occurrence), UNCONFIRMED)
        cell(airing.station_id, airing.episode_id, airing.local_day).add_airing(airing, status)
    for group in facts.feedback:
        cell(group.station_id, group.episode_id, group.local_day).add_feedback(group)
    for message in facts.messages:
        cell(message.station_id, message.episode_id, message.local_day).add_message(message)
    total = Tally()
    groups: dict[str, dict[str, Tally]] = {name: {} for name in BREAKDOWNS}
    for month in _months(scope):
        groups["by_month"][month] = Tally()
    for (station_id, episode_id, month_key), tally in cells.items():
        total.merge(tally)
        targets = [("by_station", station_id), ("by_district", facts.stations[station_id].district),
                   ("by_month", month_key)]
        if episode_id is not None:
            targets.append(("by_episode", episode_id))
        for name, key in targets:
            found = groups[name].get(key)
            if found is None:
                found = groups[name][key] = Tally()
            found.merge(tally)

    def station_row(station_id: str, tally: Tally) -> dict[str, Any]:
        station = facts.stations[station_id]
        return {"station": station.slug, "name": station.name, "name_bn": station.name_bn,
                "label": (station.name_bn or station.name) if bn else station.name, "district": station.district,
                **tally.as_dict(), "links": _links(scope.narrowed(station=station.slug))}

    def episode_row(episode_id: str, tally: Tally) -> dict[str, Any]:
        episode = facts.episodes[episode_id]
        label = (episode.title_bn or episode.title) if bn else (episode.title_en or episode.title)
        return {"episode_id": episode_id, "title": episode.title, "title_bn": episode.title_bn,
                "title_en": episode.title_en, "label": label, "kind": episode.kind, "campaign": episode.campaign,
                **tally.as_dict(), "links": _links(scope.narrowed(episode_id=episode_id))}

    by_station = sorted((station_row(k, t) for k, t in groups["by_station"].items()), key=lambda r: r["station"])
    by_district = [{"district": k, "label": k, **t.as_dict(), "links": _links(scope.narrowed(district=k))}
                   for k, t in sorted(groups["by_district"].items())]
    by_month = [{"month": k, "label": k, **t.as_dict(), "links": _links(scope.narrowed(month=k))}
                for k, t in sorted(groups["by_month"].items())]
    by_episode = sorted((episode_row(k, t) for k, t in groups["by_episode"].items()),
                        key=lambda r: (r["label"], r["episode_id"]))
    return ReachReport(scope, now or utcnow(), {**total.as_dict(), "links": _links(scope)},
                       by_station, by_district, by_month, by_episode)


def reach_airings(session: Session, user: User, scope: ReportScope) -> list[dict[str, Any]]:
    """The planned airings behind the report's airing figures, with their status."""
    facts = _facts(session, user, scope)
    rows = []
    for a in facts.airings:
        status = facts.statuses.get((a.broadcast_id, a.occurrence), AiringStatus())
        station, episode = facts.stations[a.station_id], facts.episodes[a.episode_id]
        rows.append({"broadcast_id": a.broadcast_id, "occurrence": a.occurrence, "start": a.start.isoformat(),
                     "local_date": a.local_day.isoformat(), "station": station.slug, "district": station.district,
                     "episode_id": a.episode_id, "title": episode.title, "minutes": round(a.minutes, 1),
                     "status": status.status, "reason": status.reason})
    return rows


def reach_feedback(session: Session, user: User, scope: ReportScope) -> list[dict[str, Any]]:
    """The feedback rows behind the report's feedback figures (hand-entered reports, then gateway messages)."""
    facts = _facts(session, user, scope)
    rows: list[dict[str, Any]] = []
    for r in session.scalars(_feedback_query(scope, facts.stations)
                             .order_by(FeedbackReport.occurrence_start, FeedbackReport.id)):
        station = facts.stations[r.station_id]
        local_day = local_day_of(r.occurrence_start, station)
        if not (scope.date_from <= local_day <= scope.date_to
                and _episode_allowed(facts.episodes.get(r.episode_id), user, scope)):
            continue
        rows.append({"source": "entered", "id": r.id, "broadcast_id": r.broadcast_id, "occurrence": r.occurrence_key,
                     "local_date": local_day.isoformat(), "station": station.slug,
                     "district": station.district, "episode_id": r.episode_id,
                     **{k: getattr(r, k) for k in FEEDBACK_COUNTS}})
    for m in facts.messages:
        station = facts.stations[m.station_id]
        rows.append({"source": "gateway", "local_date": m.local_day.isoformat(), "station": station.slug,
                     "district": station.district, "episode_id": m.episode_id,
                     **{k: int(k == m.kind) for k in FEEDBACK_COUNTS}})
    return rows


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last full quarter before ``today`` (what a quarterly report covers when no period is given)."""
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = quarter_start - dt.timedelta(days=1)
    return dt.date(last.year, 3 * ((last.month - 1) // 3) + 1, 1), last


