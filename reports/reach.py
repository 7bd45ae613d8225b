"""The reach report: planned airings against delivered ones, and what listeners said, per station, district,
month and episode; every figure carries links to the rows behind it (``reach_airings`` / ``reach_feedback``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from episodes.models import Episode
from radio.db import utcnow
from radio.gc_pause import collection_paused
from radio.models import Role, User
from reports import sources
from reports.periods import local_months, month_key
from reports.scope import ReportScope
from reports.sources import UNCONFIRMED, AiringStatus, PlannedAiring, airing_statuses
from reports.tally import Tally
from schedule.models import FEEDBACK_COUNTS, Broadcast, BroadcastOverride, BroadcastStatus, FeedbackReport, Station
from schedule.recurrence import MovedOccurrence, Series, expand, zone
from schedule.stations import get_station, station_id_of

API_PATH = "/api/v1/reports/reach"
BREAKDOWNS = ("by_station", "by_district", "by_month", "by_episode")


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
    allowed: Select[Any] | None  # the episodes the report may count (None: any)
    allowed_ids: set[str] | None
    airings: list[PlannedAiring]
    statuses: dict[tuple[str, str], AiringStatus]

    def zones(self) -> dict[str, str]:
        return {sid: st.timezone for sid, st in self.stations.items()}


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


def _allowed_episodes(user: User, scope: ReportScope) -> Select[Any] | None:
    """The episodes whose airings and feedback the report counts, as a select of ids (None: every episode)."""
    query = select(Episode.id)
    if scope.campaign is not None:
        query = query.where(Episode.campaign == scope.campaign)
    if scope.episode_id is not None:
        query = query.where(Episode.id == scope.episode_id)
    if user.role == Role.STATION:
        query = query.where(Episode.restricted.is_(False))
    return None if query.whereclause is None else query


def _overrides(session: Session, ids: list[str]) -> dict[str, list[BroadcastOverride]]:
    found: dict[str, list[BroadcastOverride]] = {}
    for i in range(0, len(ids), 500):
        for override in session.scalars(select(BroadcastOverride)
                                        .where(BroadcastOverride.broadcast_id.in_(ids[i:i + 500]))):
            found.setdefault(override.broadcast_id, []).append(override)
    return found


def _planned(session: Session, scope: ReportScope, stations: dict[str, Station], allowed: set[str] | None
             ) -> list[PlannedAiring]:
    lo, hi = _utc_window(scope)
    # Columns, not ORM objects: a year of a campaign is thousands of bookings, and a one-off needs no expansion.
    query = (select(Broadcast.id, Broadcast.station_id, Broadcast.episode_id, Broadcast.tzid, Broadcast.local_start,
                    Broadcast.starts_at, Broadcast.duration_s, Broadcast.rrule, Broadcast.exdates)
             .where(Broadcast.station_id.in_(list(stations)), Broadcast.status == BroadcastStatus.CONFIRMED,
                    Broadcast.starts_at < hi, or_(Broadcast.series_end.is_(None), Broadcast.series_end > lo)))
    rows = session.execute(query).all()
    overrides = _overrides(session, [r.id for r in rows if r.rrule])
    zones = {sid: zone(st.timezone) for sid, st in stations.items()}
    first, last = scope.date_from, scope.date_to
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
            if allowed is not None and episode_id not in allowed:
                continue
            local_day = start.astimezone(tz).date()
            if first <= local_day <= last:
                airings.append(PlannedAiring(row.id, key, start, local_day, seconds / 60, row.station_id,
                                             episode_id))
    return airings  # in no particular order: the figures do not need one, a listing sorts


def _episodes(session: Session, ids: Iterable[str]) -> dict[str, Any]:
    """What the report shows of each episode (titles, kind, campaign), by id."""
    wanted, found = sorted(set(ids)), dict[str, Any]()
    for i in range(0, len(wanted), 500):
        for row in session.execute(select(Episode.id, Episode.title, Episode.title_bn, Episode.title_en,
                                          Episode.kind, Episode.campaign).where(Episode.id.in_(wanted[i:i + 500]))):
            found[row.id] = row
    return found


def _facts(session: Session, user: User, scope: ReportScope) -> _Facts:
    stations = _stations(session, user, scope)
    allowed = _allowed_episodes(user, scope)
    allowed_ids: set[str] | None = set(session.scalars(allowed)) if allowed is not None else None
    airings = _planned(session, scope, stations, allowed_ids)
    return _Facts(stations, allowed, allowed_ids, airings, airing_statuses(session, airings))


def local_day_of(start: dt.datetime, station: Station) -> dt.date:
    """The local date of a UTC moment at ``station``."""
    return start.astimezone(zone(station.timezone)).date()


def _links(scope: ReportScope) -> dict[str, str]:
    query = scope.query()
    return {"airings": f"{API_PATH}/airings?{query}", "feedback": f"{API_PATH}/feedback?{query}"}


@collection_paused()
def build_reach_report(session: Session, user: User, scope: ReportScope, now: dt.datetime | None = None
                       ) -> ReachReport:
    """The reach report of ``scope`` as ``user`` may see it (a station user: its own station only)."""
    facts = _facts(session, user, scope)
    bn = scope.lang == "bn"
    # Every airing and every summed group of feedback lands in one (station, month) cell and, when it has an
    # episode, in that episode's row; stations, districts, months and the totals are sums of those cells, so
    # each fact is counted once however many rows it appears in.
    cells: dict[tuple[str, str], Tally] = {}
    episodes: dict[str, Tally] = {}

    def targets(station_id: str, episode_id: str | None, month: str) -> list[Tally]:
        found = cells.get((station_id, month))
        if found is None:
            found = cells[(station_id, month)] = Tally()
        if episode_id is None:
            return [found]
        of_episode = episodes.get(episode_id)
        if of_episode is None:
            of_episode = episodes[episode_id] = Tally()
        return [found, of_episode]

    statuses = facts.statuses
    for airing in facts.airings:
        status = statuses.get((airing.broadcast_id, airing.occurrence), UNCONFIRMED)
        seconds = airing.minutes * 60
        for tally in targets(airing.station_id, airing.episode_id, month_key(airing.local_day)):
            tally.add_airing(seconds, status)
    entered_where, entered_month = sources.entered_filter(scope, facts.zones(), facts.allowed)
    for station_id, episode_id, month, reports, counts in sources.entered_counts(session, entered_where,
                                                                                 entered_month):
        for tally in targets(station_id, episode_id, month):
            tally.add_entered(reports, counts)
    gateway_where = sources.message_filter(scope, list(facts.stations), facts.allowed)
    for station_id, maybe_episode, month, sms, missed_calls in sources.gateway_counts(session, gateway_where):
        for tally in targets(station_id, maybe_episode, month):
            tally.add_gateway(sms, missed_calls)
    district_of = {sid: st.district for sid, st in facts.stations.items()}
    senders = sources.sms_senders(session, gateway_where, district_of)

    total = Tally()
    groups: dict[str, dict[str, Tally]] = {"by_station": {}, "by_district": {},
                                           "by_month": {month_key(m): Tally() for m in local_months(
                                               scope.date_from, scope.date_to)}}
    for (station_id, month), tally in cells.items():
        total.merge(tally)
        for name, key in (("by_station", station_id), ("by_district", district_of[station_id]),
                          ("by_month", month)):
            found = groups[name].get(key)
            if found is None:
                found = groups[name][key] = Tally()
            found.merge(tally)
    total.unique_senders = senders.total
    for name, unique in (("by_station", senders.by_station), ("by_district", senders.by_district),
                         ("by_month", senders.by_month)):
        for key, tally in groups[name].items():
            tally.unique_senders = unique.get(key, 0)
    for episode_id, tally in episodes.items():
        tally.unique_senders = senders.by_episode.get(episode_id, 0)
    labels = _episodes(session, episodes)

    def station_row(station_id: str, tally: Tally) -> dict[str, Any]:
        station = facts.stations[station_id]
        return {"station": station.slug, "name": station.name, "name_bn": station.name_bn,
                "label": (station.name_bn or station.name) if bn else station.name, "district": station.district,
                **tally.as_dict(), "links": _links(scope.narrowed(station=station.slug))}

    def episode_row(episode_id: str, tally: Tally) -> dict[str, Any]:
        episode = labels[episode_id]
        label = (episode.title_bn or episode.title) if bn else (episode.title_en or episode.title)
        return {"episode_id": episode_id, "title": episode.title, "title_bn": episode.title_bn,
                "title_en": episode.title_en, "label": label, "kind": episode.kind, "campaign": episode.campaign,
                **tally.as_dict(), "links": _links(scope.narrowed(episode_id=episode_id))}

    by_station = sorted((station_row(k, t) for k, t in groups["by_station"].items()), key=lambda r: r["station"])
    by_district = [{"district": k, "label": k, **t.as_dict(), "links": _links(scope.narrowed(district=k))}
                   for k, t in sorted(groups["by_district"].items())]
    by_month = [{"month": k, "label": k, **t.as_dict(), "links": _links(scope.narrowed(month=k))}
                for k, t in sorted(groups["by_month"].items())]
    by_episode = sorted((episode_row(k, t) for k, t in episodes.items()),
                        key=lambda r: (r["label"], r["episode_id"]))
    return ReachReport(scope, now or utcnow(), {**total.as_dict(), "links": _links(scope)},
                       by_station, by_district, by_month, by_episode)


def reach_airings(session: Session, user: User, scope: ReportScope) -> list[dict[str, Any]]:
    """The planned airings behind the report's airing figures, with their status."""
    facts = _facts(session, user, scope)
    titles = _episodes(session, {a.episode_id for a in facts.airings})
    rows = []
    for a in sorted(facts.airings, key=lambda a: (a.start, a.broadcast_id, a.occurrence)):
        status = facts.statuses.get((a.broadcast_id, a.occurrence), AiringStatus())
        station = facts.stations[a.station_id]
        rows.append({"broadcast_id": a.broadcast_id, "occurrence": a.occurrence, "start": a.start.isoformat(),
                     "local_date": a.local_day.isoformat(), "station": station.slug, "district": station.district,
                     "episode_id": a.episode_id, "title": titles[a.episode_id].title, "minutes": round(a.minutes, 1),
                     "status": status.status, "reason": status.reason})
    return rows


def reach_feedback(session: Session, user: User, scope: ReportScope) -> list[dict[str, Any]]:
    """The feedback rows behind the report's feedback figures (hand-entered reports, then gateway messages),
    chosen by the same conditions the figures are counted with."""
    stations = _stations(session, user, scope)
    allowed = _allowed_episodes(user, scope)
    where, _ = sources.entered_filter(scope, {sid: st.timezone for sid, st in stations.items()}, allowed)
    rows: list[dict[str, Any]] = []
    for r in session.scalars(select(FeedbackReport).where(where)
                             .order_by(FeedbackReport.occurrence_start, FeedbackReport.id)):
        station = stations[r.station_id]
        rows.append({"source": "entered", "id": r.id, "broadcast_id": r.broadcast_id, "occurrence": r.occurrence_key,
                     "local_date": local_day_of(r.occurrence_start, station).isoformat(), "station": station.slug,
                     "district": station.district, "episode_id": r.episode_id,
                     **{k: getattr(r, k) for k in FEEDBACK_COUNTS}})
    for m in sources.gateway_rows(session, sources.message_filter(scope, list(stations), allowed)):
        station = stations[m.station_id]
        kind = "missed_calls" if m.kind == "missed_call" else "sms"
        rows.append({"source": "gateway", "id": m.id, "local_date": m.local_day, "station": station.slug,
                     "district": station.district, "episode_id": m.episode_id,
                     **{k: int(k == kind) for k in FEEDBACK_COUNTS}})
    return rows


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last full quarter before ``today`` (what a quarterly report covers when no period is given)."""
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = quarter_start - dt.timedelta(days=1)
    return dt.date(last.year, 3 * ((last.month - 1) // 3) + 1, 1), last


