"""Reports: the reach report and the evidence summary (their filters; the period in local dates)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from radio.errors import InvalidInput
from reports.reach import default_period
from reports.scope import ReportScope
from web.schemas.base import Clean, Day, Line, OnError, Query

Name = Annotated[str, Field(max_length=100), Clean, Line]


class ReportQuery(Query):
    """``GET /api/v1/reports/reach`` (and ``.csv``, ``.xlsx``, ``.pdf``): ``station`` and ``district`` repeat."""

    list_fields: ClassVar[frozenset[str]] = frozenset({"station", "district"})

    campaign: Name | None = None
    station: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=100)] | None = None
    district: Annotated[list[Name], Field(max_length=100)] | None = None
    episode_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    date_from: Annotated[Day | None, OnError("invalid_date")] = Field(default=None, alias="from")
    date_to: Annotated[Day | None, OnError("invalid_date")] = Field(default=None, alias="to")
    lang: Annotated[Literal["bn", "en"], OnError("invalid_lang")] = "en"

    def scope(self, today: dt.date) -> ReportScope:
        """The report's scope; without a period, the last full quarter (one date given: that date's quarter)."""
        lo, hi = self.date_from, self.date_to
        if lo is None or hi is None:
            quarter_from, quarter_to = default_period(today)
            if lo is not None:
                hi = min(lo + dt.timedelta(days=91), dt.date(2100, 12, 31))
            elif hi is not None:
                lo = hi - dt.timedelta(days=91)
            else:
                lo, hi = quarter_from, quarter_to
        try:
            return ReportScope(date_from=lo, date_to=hi, campaign=self.campaign, stations=tuple(self.station or ()),
                               districts=tuple(self.district or ()), episode_id=self.episode_id, lang=self.lang)
        except InvalidInput as exc:
            exc.details.setdefault("parameter", exc.details.get("field"))
            raise


class RowsQuery(ReportQuery):
    """The rows behind a figure of the reach report: the same filters, and a page of them."""

    offset: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    limit: Annotated[int, Field(ge=1, le=10_000)] = 1000


class EvidenceQuery(ReportQuery):
    """``GET /api/v1/reports/evidence``: code counts and quotes (``kind`` of episode, ``quotes`` at most)."""

    kind: Annotated[str, Field(max_length=20)] | None = None
    quotes: Annotated[int, Field(ge=0, le=500)] = 50
