"""Airings confirmed: whether each planned occurrence aired, who said so and how, corrections kept as history."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio import audit
from radio.db import utcnow
from radio.errors import Conflict, Forbidden, InvalidInput
from radio.models import Role, User
from schedule.bookings import list_broadcasts
from schedule.models import AIRING_STATUSES, AIRING_VIA, MISS_REASONS, AiringReport, Broadcast, BroadcastStatus, Station
from schedule.occurrences import resolve_occurrence, series_of
from schedule.recurrence import Occurrence, expand, zone
from schedule.stations import can_see_station

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY3479"  # no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B: read aloud and typed on a keypad
CODE_LENGTH = 6
CODE_LOOKBACK = dt.timedelta(days=62)  # an SMS code names an airing of the last two months
AIRED_AT_SLACK = dt.timedelta(hours=12)  # the actual start may differ from the plan by this much
MAX_NOTES = 2000
MAX_ITEMS = 2000


def may_confirm_airing(user: User, broadcast: Broadcast) -> bool:
    """The broadcast's own station, producers and admins confirm airings (one rule, for the policy module)."""
    if user.role == Role.STATION:
        return can_see_station(user, broadcast.station_id) and not broadcast.episode.restricted
    return user.has_role(Role.PRODUCER)


def may_list_airings(user: User) -> bool:
    """Who may read airing statuses at all (station users then see only their own station's)."""
    return user.has_role(Role.PRODUCER, Role.STATION, Role.RESEARCHER)


def airing_code(secret_key: str, broadcast_id: str, occurrence_key: str) -> str:
    """The short confirmation code of one occurrence: stable, derived with the secret key, not guessable."""
    digest = hmac.new(secret_key.encode(), f"airing:{broadcast_id}:{occurrence_key}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


def normalise_code(text: str) -> str:
    """A code as typed (any case, spaces or dashes inside) in its canonical form."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


@dataclass(frozen=True)
class AiringRow:
    """One planned occurrence with its current confirmation (None: unconfirmed)."""

    broadcast: Broadcast
    occurrence: Occurrence
    episode_id: str
    code: str
    report: AiringReport | None

    @property
    def status(self) -> str:
        """``aired``, ``partial``, ``missed`` or ``unconfirmed``."""
        return self.report.status if self.report is not None else "unconfirmed"


def _episode_of(broadcast: Broadcast, occurrence: Occurrence) -> str:
    override = next((o for o in broadcast.overrides if o.recurrence_key == occurrence.key), None)
    return override.episode_id if override is not None and override.episode_id else broadcast.episode_id


def _aired_at(value: Any, occurrence: Occurrence, tz: dt.tzinfo, now: dt.datetime) -> dt.datetime:
    """The reported actual start (naive: station-local time); the planned start when none is given."""
    if value in (None, ""):
        return occurrence.start
    try:
        parsed = dt.datetime.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput("'aired_at' must be an ISO 8601 date and time", code="invalid_field",
                           details={"field": "aired_at"})
    parsed = (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(dt.UTC).replace(microsecond=0)
    if parsed > now:
        raise InvalidInput("'aired_at' lies in the future", code="aired_at_in_future", details={"field": "aired_at"})
    if not occurrence.start - AIRED_AT_SLACK <= parsed <= occurrence.end + AIRED_AT_SLACK:
        raise InvalidInput("'aired_at' is more than 12 hours away from the planned airing", code="invalid_field",
                           details={"field": "aired_at"})
    return parsed


def confirm_airing(session: Session, broadcast: Broadcast, data: Mapping[str, Any], user: User | None, *,
                   via: str, now: dt.datetime | None = None) -> AiringReport:
    """Record whether one past occurrence aired; an earlier confirmation stays in history, no longer current.

    The same answer given twice (a double tap, a replayed SMS) adds nothing and returns the current row.
    """
    now = now or utcnow()
    if user is not None and not may_confirm_airing(user, broadcast):
        raise Forbidden("airings are confirmed by the station itself, producers or admins")
    if via not in AIRING_VIA:
        raise ValueError(via)
    status = data.get("status")
    if status not in AIRING_STATUSES:
        raise InvalidInput(f"'status' must be one of {', '.join(AIRING_STATUSES)}", code="invalid_field",
                           details={"field": "status"})
    reason = data.get("reason") or None
    if reason is not None and reason not in MISS_REASONS:
        raise InvalidInput(f"'reason' must be one of {', '.join(MISS_REASONS)}", code="invalid_field",
                           details={"field": "reason"})
    if status == "missed" and reason is None:
        raise InvalidInput("a missed airing needs a 'reason'", code="missing_field", details={"field": "reason"})
    if status == "aired" and reason is not None:
        raise InvalidInput("'reason' is for a missed or partial airing", code="invalid_field",
                           details={"field": "reason"})
    notes = data.get("notes") or ""
    if not isinstance(notes, str) or len(notes) > MAX_NOTES:
        raise InvalidInput(f"'notes' must be text of at most {MAX_NOTES} characters", code="invalid_field",
                           details={"field": "notes"})
    if broadcast.status == BroadcastStatus.CANCELLED:
        raise Conflict("this broadcast was cancelled", code="broadcast_cancelled")
    occ = resolve_occurrence(broadcast, data.get("occurrence"))
    if occ.start > now:
        raise InvalidInput(f"the occurrence at {occ.wall} has not begun yet", code="occurrence_in_future",
                           details={"field": "occurrence"})
    if status == "missed":
        if data.get("aired_at"):
            raise InvalidInput("a missed airing has no 'aired_at'", code="invalid_field", details={"field": "aired_at"})
        aired_at = None
    else:
        aired_at = _aired_at(data.get("aired_at"), occ, zone(broadcast.tzid), now)
    current = current_report(session, broadcast.id, occ.key)
    if current is not None and (current.status, current.aired_at, current.reason, current.notes) == (
            status, aired_at, reason, notes.strip()):
        return current
    if current is not None:
        current.current = False
    report = AiringReport(broadcast_id=broadcast.id, station_id=broadcast.station_id, occurrence_key=occ.key,
                          occurrence_start=occ.start, status=status, aired_at=aired_at, reason=reason, via=via,
                          notes=notes.strip(), current=True, confirmed_by=user.id if user else None)
    session.add(report)
    audit.record(session, user if user is not None else f"{via}:{broadcast.station.slug}", "airing.confirmed",
                 "airing", airing_subject(broadcast.id, occ.key),
                 {"via": via, "status": status, "aired_at": aired_at.isoformat() if aired_at else None,
                  "reason": reason, "previous": None if current is None else {
                      "status": current.status, "aired_at": current.aired_at.isoformat() if current.aired_at else None,
                      "reason": current.reason, "via": current.via}})
    session.flush()
    return report


def airing_subject(broadcast_id: str, occurrence_key: str) -> str:
    """How the audit trail names one airing: ``<broadcast id>/<occurrence>`` (filter the trail by it)."""
    return f"{broadcast_id}/{occurrence_key}"


def current_report(session: Session, broadcast_id: str, occurrence_key: str) -> AiringReport | None:
    """The current confirmation of one occurrence, or None."""
    return session.scalar(select(AiringReport).where(
        AiringReport.broadcast_id == broadcast_id, AiringReport.occurrence_key == occurrence_key,
        AiringReport.current.is_(True)).order_by(AiringReport.created_at.desc()).limit(1))


def airing_history(session: Session, broadcast: Broadcast) -> list[AiringReport]:
    """Every confirmation of the broadcast's occurrences, corrections included, newest first per occurrence."""
    return list(session.scalars(select(AiringReport).where(AiringReport.broadcast_id == broadcast.id)
                                .order_by(AiringReport.occurrence_key, AiringReport.created_at.desc())))


def list_airings(session: Session, user: User, secret_key: str, *, window: tuple[dt.datetime, dt.datetime],
                 station: str | None = None, campaign: str | None = None, status: str | None = None,
                 days: tuple[dt.date | None, dt.date | None] = (None, None)) -> list[AiringRow]:
    """Planned occurrences in ``window`` the user may see, with their status (``days``: station-local bounds)."""
    if not may_list_airings(user):
        raise Forbidden("airings are shown to stations, producers, researchers and admins")
    broadcasts = list_broadcasts(session, user, station=station, window=window)
    rows = [row for row in _rows(session, secret_key, broadcasts, window)
            if (campaign is None or row.broadcast.episode.campaign == campaign)
            and (status is None or row.status == status) and _within(row, days)]
    rows.sort(key=lambda r: (r.occurrence.start, r.broadcast.id))
    return rows


def _within(row: AiringRow, days: tuple[dt.date | None, dt.date | None]) -> bool:
    first, last = days
    if first is None and last is None:
        return True
    local_day = row.occurrence.start.astimezone(zone(row.broadcast.tzid)).date()
    return (first is None or local_day >= first) and (last is None or local_day <= last)


def _rows(session: Session, secret_key: str, broadcasts: Iterable[Broadcast],
          window: tuple[dt.datetime, dt.datetime]) -> list[AiringRow]:
    planned = [(b, occ) for b in broadcasts for occ in expand(series_of(b), *window)]
    ids = sorted({b.id for b, _ in planned})
    reports: dict[tuple[str, str], AiringReport] = {}
    for chunk in range(0, len(ids), 500):
        for report in session.scalars(select(AiringReport).where(
                AiringReport.broadcast_id.in_(ids[chunk:chunk + 500]), AiringReport.current.is_(True))):
            reports[(report.broadcast_id, report.occurrence_key)] = report
    return [AiringRow(b, occ, _episode_of(b, occ), airing_code(secret_key, b.id, occ.key), reports.get((b.id, occ.key)))
            for b, occ in planned]


def find_airing_by_code(session: Session, station: Station, code: str, secret_key: str,
                        now: dt.datetime | None = None) -> tuple[Broadcast, Occurrence] | None:
    """The station's own occurrence (begun within the last two months) whose code is ``code``; None if none.

    Two occurrences sharing a code (one chance in ~190 million per pair) make the code ambiguous: None.
    """
    now = now or utcnow()
    wanted = normalise_code(code)
    if len(wanted) != CODE_LENGTH:
        return None
    window = (now - CODE_LOOKBACK, now + dt.timedelta(minutes=1))
    broadcasts = session.scalars(select(Broadcast).where(
        Broadcast.station_id == station.id, Broadcast.status == BroadcastStatus.CONFIRMED,
        Broadcast.starts_at < window[1]))
    hits = [(b, occ) for b in broadcasts for occ in expand(series_of(b), *window)
            if occ.start <= now and hmac.compare_digest(airing_code(secret_key, b.id, occ.key), wanted)]
    return hits[0] if len(hits) == 1 else None

