"""What a report covers: campaign, stations, districts, episode and a period of local dates (a value, checked)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from radio.errors import InvalidInput

MAX_DAYS = 400  # a report covers at most this many days (a year and a bit: a campaign year with its margins)
MIN_DAY, MAX_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


@dataclass(frozen=True)
class ReportScope:
    """The filters of a report; dates are local dates of each station, both included."""

    date_from: dt.date
    date_to: dt.date
    campaign: str | None = None
    stations: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    episode_id: str | None = None
    lang: str = "en"

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if not MIN_DAY <= value <= MAX_DAY:
                raise InvalidInput(f"'{name[5:]}' must be a date from {MIN_DAY} to {MAX_DAY}", code="invalid_date",
                                   details={"field": name[5:]})
        if self.date_to < self.date_from:
            raise InvalidInput("'to' must not be before 'from'", code="invalid_period", details={"field": "to"})
        if (self.date_to - self.date_from).days + 1 > MAX_DAYS:
            raise InvalidInput(f"a report covers at most {MAX_DAYS} days", code="invalid_period",
                               details={"field": "to"})
        if self.lang not in ("bn", "en"):
            raise InvalidInput("'lang' must be bn or en", code="invalid_lang", details={"field": "lang"})

    def narrowed(self, *, station: str | None = None, district: str | None = None, episode_id: str | None = None,
                 month: str | None = None) -> ReportScope:
        """This scope narrowed to one station, district, episode or month (the rows behind one figure)."""
        scope = self
        if station is not None:
            scope = replace(scope, stations=(station,))
        if district is not None:
            scope = replace(scope, districts=(district,))
        if episode_id is not None:
            scope = replace(scope, episode_id=episode_id)
        if month is not None:
            first = dt.date.fromisoformat(month + "-01")
            last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            scope = replace(scope, date_from=max(first, scope.date_from), date_to=min(last, scope.date_to))
        return scope

    def query(self) -> str:
        """The scope as a query string (what a link to the rows behind a figure carries)."""
        pairs: list[tuple[str, str]] = []
        if self.campaign:
            pairs.append(("campaign", self.campaign))
        pairs += [("station", s) for s in self.stations]
        pairs += [("district", d) for d in self.districts]
        if self.episode_id:
            pairs.append(("episode_id", self.episode_id))
        pairs += [("from", self.date_from.isoformat()), ("to", self.date_to.isoformat())]
        return urlencode(pairs)

    def as_dict(self) -> dict[str, object]:
        """The scope as the report shows it."""
        return {"campaign": self.campaign, "stations": list(self.stations), "districts": list(self.districts),
                "episode_id": self.episode_id, "from": self.date_from.isoformat(), "to": self.date_to.isoformat(),
                "lang": self.lang}
