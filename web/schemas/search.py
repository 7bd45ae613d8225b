"""Evidence search: the query, its filters and its pages (``limit``/``offset`` or ``page``/``per_page``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from transcripts.query import MAX_QUERY_CHARS as MAX_QUERY
from transcripts.search import MAX_LIMIT, MAX_OFFSET
from transcripts.search_ranking import RANK_WINDOW
from web.schemas.base import BOUNDS, Clean, Day, Line, OnError, Query, fail
from web.schemas.episodes import Kind, Language

Filter = Annotated[str, Field(max_length=300), Clean, Line]


class SearchQuery(Query):
    """``GET /api/v1/search``: ranked hits with highlighted, redacted snippets."""

    q: Annotated[str, Field(max_length=MAX_QUERY, description="words, \"phrases\", prefix*, OR, NOT, ( … )"),
                 OnError("query_too_long", "string_too_long")] = ""
    language: Annotated[Language, Clean, OnError("invalid_language", "literal_error")] | None = None
    kind: Annotated[Kind, Clean, OnError("invalid_kind", "literal_error")] | None = None
    district: Filter | None = None
    campaign: Filter | None = None
    station: Filter | None = Field(default=None, description="a station's slug: episodes booked on it")
    code: Filter | None = Field(default=None, description="a code's id or name: only segments coded with it")
    episode_id: Filter | None = None
    scope: Annotated[Literal["all", "segments", "episodes"], Clean, OnError("invalid_scope", "literal_error")] = "all"
    sort: Annotated[Literal["relevance", "newest", "oldest"], Clean, OnError("invalid_sort", "literal_error"),
                    Field(description=f"relevance (among the newest {RANK_WINDOW:,} matches when there are more),"
                                      " or newest/oldest added first")] = "relevance"
    date_from: Day | None = Field(default=None, alias="from", description="recorded on or after (YYYY-MM-DD)")
    date_to: Day | None = Field(default=None, alias="to", description="recorded on or before (YYYY-MM-DD)")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT), OnError("invalid_limit", *BOUNDS)] = 20
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET), OnError("invalid_offset", *BOUNDS)] = 0
    page: Annotated[int, Field(ge=1, le=MAX_OFFSET + 1), OnError("invalid_offset", "less_than_equal")] | None = None
    per_page: Annotated[int, Field(ge=1, le=MAX_LIMIT), OnError("invalid_limit", *BOUNDS)] | None = None

    @model_validator(mode="after")
    def _checks(self) -> SearchQuery:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise fail("invalid_date_range", "'from' is after 'to'", code="invalid_date_range", field="to")
        if self.page_offset()[1] > MAX_OFFSET:
            raise fail("invalid_offset", f"must leave an offset of at most {MAX_OFFSET:,}; narrow the search instead",
                       code="invalid_offset", field="page")
        return self

    def page_offset(self) -> tuple[int, int]:
        """``(limit, offset)``: from ``page``/``per_page`` when either is given, else ``limit``/``offset``."""
        if self.page is not None or self.per_page is not None:
            limit = self.per_page or 20
            return limit, ((self.page or 1) - 1) * limit
        return self.limit, self.offset
