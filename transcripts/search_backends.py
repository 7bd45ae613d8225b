"""The SQL of a search, per database: SQLite FTS5 (bm25) and PostgreSQL tsvector/GIN (ts_rank).

Both take the parsed query tree (compiled here, every term quoted, passed as a bound parameter) and
the same filters, and return ``(segment_id | None, episode_id, score)`` rows, best first, and a total.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from radio.errors import InvalidInput
from transcripts import search_schema
from transcripts.query import Node, to_fts5, to_tsquery

if TYPE_CHECKING:
    from transcripts.search import SearchFilters

Row = tuple[str | None, str, float]


class SearchBackend(Protocol):
    """Runs searches and rebuilds the index on one kind of database."""

    def search(self, session: Session, node: Node, filters: SearchFilters, *, restricted: bool, limit: int,
               offset: int) -> tuple[list[Row], int]: ...

    def rebuild(self, session: Session) -> int: ...


def _episode_conditions(session: Session, filters: SearchFilters, *, restricted: bool,
                        dialect: str) -> tuple[list[str], dict[str, Any]]:
    """SQL conditions on the episode row ``e`` and their parameters."""
    conds: list[str] = [] if restricted else ["NOT e.restricted"]
    params: dict[str, Any] = {}
    for name in ("language", "kind", "campaign"):
        value = getattr(filters, name)
        if value is not None:
            conds.append(f"e.{name} = :{name}")
            params[name] = value
    if filters.episode_id is not None:
        conds.append("e.id = :episode_id")
        params["episode_id"] = filters.episode_id
    if filters.district is not None:
        elements = ("json_each(e.districts) AS d" if dialect == "sqlite"
                    else "json_array_elements_text(e.districts) AS d(value)")
        conds.append(f"EXISTS (SELECT 1 FROM {elements} WHERE lower(d.value) = lower(:district))")
        params["district"] = filters.district
    if filters.station is not None:
        conds.append(_station_condition(session, filters.station))
        params["station"] = filters.station
    recorded = ("coalesce(e.recorded_on, date(e.created_at))" if dialect == "sqlite"
                else "coalesce(e.recorded_on, CAST(e.created_at AT TIME ZONE 'UTC' AS date))")
    for name, op in (("date_from", ">="), ("date_to", "<=")):
        value = getattr(filters, name)
        if value is not None:
            conds.append(f"{recorded} {op} :{name}")
            params[name] = value.isoformat() if dialect == "sqlite" else value
    return conds, params


def _station_condition(session: Session, slug: str) -> str:
    try:  # the schedule package owns broadcasts; search works without it
        from schedule.models import Broadcast, Station
    except ImportError as exc:
        raise InvalidInput("filtering by station is not available", code="station_filter_unavailable") from exc
    if session.scalar(select(Station.id).where(Station.slug == slug)) is None:
        raise InvalidInput(f"no station {slug!r}", code="unknown_station")
    table = Broadcast.__tablename__
    return (f"EXISTS (SELECT 1 FROM {table} b JOIN stations st ON st.id = b.station_id"
            " WHERE b.episode_id = e.id AND st.slug = :station AND b.status <> 'cancelled')")


def _code_id(session: Session, filters: SearchFilters) -> str | None:
    if filters.code is None:
        return None
    from radio.errors import NotFound
    from transcripts.coding import find_code

    try:
        return find_code(session, filters.code).id
    except NotFound as exc:  # a bad filter value, not a missing resource
        raise InvalidInput(exc.message, code="unknown_code") from None


def _with_segment_conditions(conds: list[str], code_id: str | None, segment_col: str) -> list[str]:
    if code_id is None:
        return conds
    return [*conds, f"EXISTS (SELECT 1 FROM segment_codes sc WHERE sc.segment_id = {segment_col}"
                    " AND sc.code_id = :code_id)"]


class SqliteSearch:
    """FTS5 with the contentless ``search_fts`` table and its ``search_rows`` keys."""

    def search(self, session: Session, node: Node, filters: SearchFilters, *, restricted: bool, limit: int,
               offset: int) -> tuple[list[Row], int]:
        """Page and total of the hits, best bm25 first."""
        conds, params = _episode_conditions(session, filters, restricted=restricted, dialect="sqlite")
        source = "search_fts JOIN search_rows r ON r.doc_id = search_fts.rowid"
        if conds:
            source += " JOIN episodes e ON e.id = r.episode_id"
        code_id = _code_id(session, filters)
        conds = _with_segment_conditions(conds, code_id, "r.segment_id")
        if filters.scope == "segments" or code_id is not None:
            conds.append("r.segment_id IS NOT NULL")
        elif filters.scope == "episodes":
            conds.append("r.segment_id IS NULL")
        params.update(match=to_fts5(node), code_id=code_id, limit=limit, offset=offset)
        if not conds:  # nothing to join for: rank and count inside FTS5 alone, then look up one page
            rows = session.execute(text(
                "SELECT r.segment_id, r.episode_id, f.score FROM (SELECT rowid AS doc_id, -rank AS score"
                " FROM search_fts WHERE search_fts MATCH :match ORDER BY rank, rowid LIMIT :limit OFFSET :offset) f"
                " JOIN search_rows r ON r.doc_id = f.doc_id ORDER BY f.score DESC, f.doc_id"), params).all()
            total = session.execute(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :match"),
                                    params).scalar_one()
            return [(r[0], r[1], float(r[2])) for r in rows], int(total)
        where = " AND ".join(["search_fts MATCH :match", *conds])
        rows = session.execute(text(
            f"SELECT r.segment_id, r.episode_id, -bm25(search_fts) AS score FROM {source} WHERE {where}"
            " ORDER BY score DESC, r.doc_id LIMIT :limit OFFSET :offset"), params).all()
        total = session.execute(text(f"SELECT count(*) FROM {source} WHERE {where}"), params).scalar_one()
        return [(r[0], r[1], float(r[2])) for r in rows], int(total)

    def rebuild(self, session: Session) -> int:
        """Empty and refill the FTS5 index."""
        for statement in search_schema.sqlite_rebuild():
            session.execute(text(statement))
        return int(session.execute(text("SELECT count(*) FROM search_rows")).scalar_one())


class PostgresSearch:
    """GIN indexes over ``radio_search_document(…)`` of segments and episodes."""

    TSQUERY = "to_tsquery('simple'::regconfig, CAST(:tsquery AS text))"

    def _union(self, conds: list[str], code_id: str | None, scope: str, *, ranked: bool) -> str:
        q = self.TSQUERY
        episode_doc = f"radio_search_document({search_schema.episode_document('e')})"
        parts = []
        if scope != "episodes" or code_id is not None:
            where = " AND ".join([f"radio_search_document(s.text) @@ {q}",
                                  *_with_segment_conditions(conds, code_id, "s.id")])
            rank = f"ts_rank(radio_search_document(s.text), {q})" if ranked else "0"
            parts.append(f"SELECT s.id AS segment_id, s.episode_id AS episode_id, {rank} AS score,"
                         f" s.start AS pos FROM segments s JOIN episodes e ON e.id = s.episode_id WHERE {where}")
        if scope != "segments" and code_id is None:
            where = " AND ".join([f"{episode_doc} @@ {q}", *conds])
            rank = f"ts_rank({episode_doc}, {q})" if ranked else "0"
            parts.append(f"SELECT CAST(NULL AS varchar) AS segment_id, e.id AS episode_id, {rank} AS score,"
                         f" 0.0 AS pos FROM episodes e WHERE {where}")
        return " UNION ALL ".join(parts)

    def search(self, session: Session, node: Node, filters: SearchFilters, *, restricted: bool, limit: int,
               offset: int) -> tuple[list[Row], int]:
        """Page and total of the hits, best ts_rank first."""
        conds, params = _episode_conditions(session, filters, restricted=restricted, dialect="postgresql")
        code_id = _code_id(session, filters)
        params.update(tsquery=to_tsquery(node), code_id=code_id, limit=limit, offset=offset)
        ranked = self._union(conds, code_id, filters.scope, ranked=True)
        rows = session.execute(text(
            f"SELECT segment_id, episode_id, score FROM ({ranked}) hits"
            " ORDER BY score DESC, episode_id, pos LIMIT :limit OFFSET :offset"), params).all()
        counted = self._union(conds, code_id, filters.scope, ranked=False)
        total = session.execute(text(f"SELECT count(*) FROM ({counted}) hits"), params).scalar_one()
        return [(r[0], r[1], float(r[2])) for r in rows], int(total)

    def rebuild(self, session: Session) -> int:
        """Rebuild the GIN indexes."""
        for statement in search_schema.postgres_rebuild():
            session.execute(text(statement))
        return int(session.execute(text("SELECT (SELECT count(*) FROM segments) + (SELECT count(*) FROM episodes)"))
                   .scalar_one())


BACKENDS: dict[str, SearchBackend] = {"sqlite": SqliteSearch(), "postgresql": PostgresSearch()}


def backend_for(session: Session) -> SearchBackend:
    """The search backend of the session's database."""
    name = session.get_bind().dialect.name
    if name not in BACKENDS:
        raise InvalidInput(f"search does not support the {name} database", code="unsupported_database")
    return BACKENDS[name]
