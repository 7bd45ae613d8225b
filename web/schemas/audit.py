"""The audit trail (admins): filters and pages of ``GET /api/v1/audit``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from radio.audit import ACTIONS, MAX_PER_PAGE
from web.schemas.base import BOUNDS, Clean, DateOrTimeText, Line, OnError, Query

Action = Literal[ACTIONS]  # type: ignore[valid-type]
Moment = Annotated[str, Field(max_length=40), DateOrTimeText, OnError("invalid_date")]


def moment(text: str | None, *, end: bool = False) -> dt.datetime | None:
    """A ``from``/``to`` value as an aware UTC time (a bare date: its start, or for ``to`` its end)."""
    if not text:
        return None
    parsed = dt.datetime.fromisoformat(text)
    if len(text) == 10 and end:
        parsed += dt.timedelta(days=1, microseconds=-1)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class AuditQuery(Query):
    """``GET /api/v1/audit``: exact filters, an inclusive time range (UTC unless an offset is given), pages."""

    actor: Annotated[str | None, Field(max_length=320), Clean, Line] = None
    action: Annotated[Action | None, OnError("invalid_parameter", "literal_error")] = None
    subject_type: Annotated[str | None, Field(max_length=32), Clean, Line] = None
    subject_id: Annotated[str | None, Field(max_length=64), Clean, Line] = None
    date_from: Moment | None = Field(default=None, alias="from")
    date_to: Moment | None = Field(default=None, alias="to")
    page: Annotated[int, Field(ge=1, le=100_000), OnError("invalid_page", *BOUNDS)] = 1
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE), OnError("invalid_page", *BOUNDS)] = 50
