"""Listener feedback per broadcast occurrence: reports, corrections kept as history, and summaries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from episodes.models import Episode
from radio import access
from radio.db import utcnow
from radio.errors import Conflict, Forbidden, InvalidInput
from radio.models import Role, User
from schedule.access import today
from schedule.booking_conflicts import lock_station_schedule
from schedule.bookings import touch
from schedule.models import FEEDBACK_COUNTS, Broadcast, BroadcastStatus, FeedbackReport, InboundMessage, Station
from schedule.occurrences import resolve_occurrence
from schedule.recurrence import zone
from schedule.stations import get_station, station_id_of

MAX_COUNT = 1_000_000
GROUPS = ("station", "episode", "month")
FEEDBACK_SOURCES = ("entered", "gateway")


def _counts(data: Mapping[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in FEEDBACK_COUNTS:
        value = data.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise InvalidInput(f"'{key}' must be a whole number from 0 to {MAX_COUNT}", code="invalid_count",
                               details={"field": key})
        counts[key] = value
    return counts


def record_feedback(session: Session, broadcast: Broadcast, data: Mapping[str, Any], user: User | None = None,
                    now: dt.datetime | None = None) -> FeedbackReport:
    """Store the counts for one past occurrence; an earlier report for it stays in history, no longer current."""
    now = now or utcnow()
    if user is not None and not user.has_role(Role.PRODUCER, Role.STATION):
        raise Forbidden("feedback is entered by the station or by producers")
    counts = _counts(data)
    notes = data.get("notes") or ""
    if not isinstance(notes, str) or len(notes) > 4000:
        raise InvalidInput("'notes' must be text of at most 4000 characters", code="invalid_field")
    if broadcast.status == BroadcastStatus.CANCELLED:
        raise Conflict("this broadcast was cancelled", code="broadcast_cancelled")
    occ = resolve_occurrence(broadcast, data.get("occurrence"))
    if occ.start > now:
        raise InvalidInput(f"the occurrence at {occ.wall} has not aired yet", code="occurrence_in_future")
    override = next((o for o in broadcast.overrides if o.recurrence_key == occ.key), None)
    # One current report per occurrence: two reports sent at once must not both stay current (and the
    # station-calendar trigger locks the station row anyway: taking it first keeps them from deadlocking).
    lock_station_schedule(session, broadcast.station_id)
    previous = session.scalars(select(FeedbackReport).where(
        FeedbackReport.broadcast_id == broadcast.id, FeedbackReport.occurrence_key == occ.key,
        FeedbackReport.current.is_(True)))
    for row in previous:
        row.current = False
    report = FeedbackReport(
        broadcast_id=broadcast.id, station_id=broadcast.station_id,
        episode_id=(override.episode_id if override and override.episode_id else broadcast.episode_id),
        occurrence_key=occ.key, occurrence_start=occ.start, notes=notes.strip(), current=True,
        reported_by=user.id if user else None, **counts)
    session.add(report)
    touch(broadcast)
    session.flush()
    return report


def feedback_history(session: Session, broadcast: Broadcast) -> list[FeedbackReport]:
    """Every report for the broadcast, newest first (current and corrected ones)."""
    return list(session.scalars(select(FeedbackReport).where(FeedbackReport.broadcast_id == broadcast.id)
                                .order_by(FeedbackReport.occurrence_key, FeedbackReport.created_at.desc())))


@dataclass
class SummaryRow:
    """Totals of one group (a station, an episode or a month)."""

    key: str
    label: str
    occurrences: int = 0
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FEEDBACK_COUNTS, 0))
    by_source: dict[str, dict[str, int]] = field(default_factory=lambda: {
        source: dict.fromkeys(FEEDBACK_COUNTS, 0) for source in FEEDBACK_SOURCES})

    def add(self, source: str, name: str, count: int) -> None:
        """Count ``count`` of kind ``name`` from ``source`` (entered by hand, or the SMS gateway)."""
        self.totals[name] += count
        self.by_source[source][name] += count

    def as_dict(self) -> dict[str, Any]:
        """The row as the API shows it: totals by kind (both sources) and the same by source."""
        return {"key": self.key, "label": self.label, "occurrences": self.occurrences, **self.totals,
                "total": sum(self.totals.values()), "feedback": dict(self.totals),
                "feedback_by_source": {k: dict(v) for k, v in self.by_source.items()}}


def _date(value: Any, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"'{name}' must be a date (YYYY-MM-DD)", code="invalid_date") from exc


def summarise_feedback(session: Session, user: User, params: Mapping[str, Any]) -> list[SummaryRow]:
    """Current feedback totals grouped by ``group_by`` (station, episode or month of the local airing date)."""
    group_by = params.get("group_by") or "station"
    if group_by not in GROUPS:
        raise InvalidInput(f"'group_by' must be one of {', '.join(GROUPS)}", code="invalid_group_by")
    first, last = _date(params.get("from"), "from"), _date(params.get("to"), "to")
    query = (select(FeedbackReport, Station, Episode)
             .join(Station, Station.id == FeedbackReport.station_id)
             .join(Episode, Episode.id == FeedbackReport.episode_id)
             .where(FeedbackReport.current.is_(True)))
    if params.get("station"):
        query = query.where(Station.id == get_station(session, params["station"], user).id)
    if access.hides_restricted(user):  # the station rule
        query = query.where(Station.id == station_id_of(user), access.station_visible(Episode, today()))
    if params.get("campaign"):
        query = query.where(Episode.campaign == params["campaign"])
    if params.get("episode_id"):
        query = query.where(Episode.id == params["episode_id"])
    margin = dt.timedelta(days=1)
    if first:
        query = query.where(FeedbackReport.occurrence_start >= dt.datetime.combine(first, dt.time(), dt.UTC) - margin)
    if last:
        query = query.where(FeedbackReport.occurrence_start < dt.datetime.combine(last, dt.time(), dt.UTC) + 2 * margin)
    rows: dict[str, SummaryRow] = {}
    for report, station, episode in session.execute(query):
        local_day = report.occurrence_start.astimezone(zone(station.timezone)).date()
        if (first and local_day < first) or (last and local_day > last):
            continue
        key, label = {"station": (station.slug, station.name), "episode": (episode.id, episode.title),
                      "month": (local_day.strftime("%Y-%m"), local_day.strftime("%Y-%m"))}[group_by]
        row = rows.setdefault(key, SummaryRow(key, label))
        row.occurrences += 1
        for name in FEEDBACK_COUNTS:
            row.add("entered", name, getattr(report, name))
    for at_station, at_episode, day, kind, count in gateway_feedback(session, user, params, first, last):
        key, label = {"station": (at_station.slug, at_station.name),
                      "episode": (at_episode.id, at_episode.title) if at_episode is not None else ("", "—"),
                      "month": (day[:7], day[:7])}[group_by]
        rows.setdefault(key, SummaryRow(key, label)).add("gateway", "sms" if kind == "sms" else "missed_calls", count)
    return sorted(rows.values(), key=lambda r: r.key)


def gateway_feedback(session: Session, user: User, params: Mapping[str, Any], first: dt.date | None,
                     last: dt.date | None) -> list[tuple[Station, Episode | None, str, str, int]]:
    """Counts of the SMS gateway's feedback messages by station, episode (None: no airing), local day and kind."""
    query = (select(Station, Episode, InboundMessage.local_day, InboundMessage.kind, func.count())
             .join(Station, Station.id == InboundMessage.station_id)
             .outerjoin(Episode, Episode.id == InboundMessage.episode_id)
             .where(InboundMessage.purpose == "feedback")
             .group_by(Station.id, Episode.id, InboundMessage.local_day, InboundMessage.kind))
    if params.get("station"):
        query = query.where(Station.id == get_station(session, params["station"], user).id)
    if user.role == Role.STATION:
        query = query.where(Station.id == station_id_of(user),
                            or_(Episode.id.is_(None), Episode.restricted.is_(False)))
    if params.get("campaign"):
        query = query.where(Episode.campaign == params["campaign"])
    if params.get("episode_id"):
        query = query.where(Episode.id == params["episode_id"])
    if first:
        query = query.where(InboundMessage.local_day >= first.isoformat())
    if last:
        query = query.where(InboundMessage.local_day <= last.isoformat())
    return [(station, episode, day, kind, count) for station, episode, day, kind, count in session.execute(query)]


def _cell(text: str) -> str:
    # A title such as "=HYPERLINK(...)" must stay text when the export is opened in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def summary_csv(rows: list[SummaryRow], group_by: str) -> str:
    """The summary as CSV (UTF-8 text; a spreadsheet opens Bangla labels correctly with a BOM in front)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([group_by, "label", "occurrences", *FEEDBACK_COUNTS, "total"])
    for row in rows:
        data = row.as_dict()
        writer.writerow([_cell(data["key"]), _cell(data["label"]), data["occurrences"],
                         *(data[k] for k in FEEDBACK_COUNTS), data["total"]])
    return "\ufeff" + out.getvalue()
