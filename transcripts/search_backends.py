"""The SQL of a search, per database: SQLite FTS5 (bm25) and PostgreSQL tsvector/GIN (ts_rank).

Both take the parsed query tree (compiled here, every term quoted, passed as a bound parameter) and
the same filters, and answer for their matches what :mod:`transcripts.search_ranking` asks (the matches
in time order with their scores, and how many up to a cap); ordering, the relevance window and totals
are decided there, once for both.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

import transcripts.query
from radio.errors import InvalidInput
from radio.features import hook
from transcripts import search_schema
from transcripts.document_index import postgres_vocabulary_leaks
from transcripts.query import And, Node, Phrase, Term, leaves, to_fts5, to_tsquery
from transcripts.search_postgres import Part, PostgresMatches
from transcripts.search_ranking import Matches
from transcripts.search_sqlite import NO_MATCHES, Leaf, SqliteMatches
from transcripts.search_text import MAX_INDEXED_CHARS, index_terms

if TYPE_CHECKING:
    from transcripts.search import SearchFilters


class SearchBackend(Protocol):
    """Finds matches and rebuilds the index on one kind of database."""

    def matches(self, session: Session, node: Node, filters: SearchFilters, *, restricted: bool,
                masked: bool) -> Matches[Any]: ...

    def vocabulary(self, session: Session, prefix: str, *, masked: bool) -> list[str]: ...

    def attested(self, session: Session, words: Iterable[str], *, restricted: bool, masked: bool) -> set[str]: ...

    def rebuild(self, session: Session) -> int: ...

    def masked_index_leaks(self, session: Session) -> list[str]: ...


Conditions = tuple[list[str], dict[str, Any]]


def _episode_conditions(session: Session, filters: SearchFilters, *, restricted: bool) -> Conditions:
    """PostgreSQL conditions on the episode row ``e`` and their parameters."""
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
        conds.append("EXISTS (SELECT 1 FROM json_array_elements_text(e.districts) AS d(value)"
                     " WHERE lower(d.value) = lower(:district))")
        params["district"] = filters.district
    if filters.station is not None:
        conds.append(_station_condition(session, filters.station, "e.id"))
        params["station"] = filters.station
    recorded = "coalesce(e.recorded_on, CAST(e.created_at AT TIME ZONE 'UTC' AS date))"
    for name, op in (("date_from", ">="), ("date_to", "<=")):
        value = getattr(filters, name)
        if value is not None:
            conds.append(f"{recorded} {op} :{name}")
            params[name] = value
    return conds, params


def _station_condition(session: Session, slug: str, episode_column: str) -> str:
    """``episode_column`` is an episode booked on station ``slug``, asked of the feature that owns bookings."""
    providers = hook("station_episodes_sql")
    if not providers:
        raise InvalidInput("filtering by station is not available", code="station_filter_unavailable")
    return f"{episode_column} IN ({providers[0](session, slug)})"


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


def _facet_conditions(session: Session, filters: SearchFilters, *, restricted: bool) -> Conditions:
    """SQLite conditions on a match: on its facets row ``e`` and on its document id ``search_fts.rowid``."""
    conds: list[str] = [] if restricted else ["NOT e.restricted"]
    params: dict[str, Any] = {}
    for name in ("language", "kind", "campaign"):
        value = getattr(filters, name)
        if value is not None:
            conds.append(f"e.{name} = :{name}")
            params[name] = value
    if filters.district is not None:
        sep = search_schema.DISTRICT_SEPARATOR
        conds.append(f"instr(e.districts, {sep} || lower(:district) || {sep}) > 0")
        params["district"] = filters.district
    if filters.station is not None:
        conds.append(_station_condition(session, filters.station, "e.episode_id"))
        params["station"] = filters.station
    for name, op in (("date_from", ">="), ("date_to", "<=")):
        value = getattr(filters, name)
        if value is not None:
            conds.append(f"e.recorded {op} :{name}")
            params[name] = value.isoformat()
    return conds, params


def any_restricted(session: Session) -> bool:
    """True when some episode is restricted (else every reader may search every document): asked once per
    search, so a reader who may not search restricted episodes is probed as one who may when there are none."""
    return session.execute(text("SELECT 1 FROM episodes WHERE restricted LIMIT 1")).first() is not None


def _upper_bound(prefix: str) -> str:
    """The smallest string above every string that starts with ``prefix`` (for a b-tree range scan)."""
    return prefix + "\U0010ffff"


VOCABULARY_CACHE_SIZE = 4096  # (database, table, prefix) answers kept, least recently used dropped first
_VOCABULARY_CACHE: OrderedDict[tuple[str, str, str], tuple[bytes, list[str]]] = OrderedDict()


class SqliteSearch:
    """FTS5 with the contentless ``search_fts`` (as written) and ``search_fts_masked`` (masked) tables, document
    ids numbered by episode (see search_schema)."""

    def vocabulary(self, session: Session, prefix: str, *, masked: bool) -> list[str]:
        """Indexed words starting with ``prefix`` (a range scan of the fts5vocab table, remembered until the
        index changes).

        fts5vocab counts every listed word's documents as it scans (measured: 30 ms for a word of 100,000
        segments), so the answer is kept per database and prefix with the index's structure record, which
        FTS5 rewrites on every change of the index (each write adds a segment): a changed record, a fresh scan.
        """
        fts = search_schema.FTS_TABLES[masked]
        url = session.get_bind().engine.url
        key = (str(url), fts, prefix)
        version = session.execute(text(f"SELECT block FROM {fts}_data WHERE id = 10")).scalar()
        known = _VOCABULARY_CACHE.get(key)
        if known is not None and known[0] == version:
            _VOCABULARY_CACHE.move_to_end(key)
            return known[1]
        terms = list(session.execute(text(
            f"SELECT term FROM {search_schema.VOCABULARY[fts]} WHERE term >= :low AND term < :high"
            f" LIMIT {transcripts.query.VOCABULARY_LIMIT}"), {"low": prefix, "high": _upper_bound(prefix)}).scalars())
        if version is not None and url.database not in (None, "", ":memory:"):  # a file: a name of its own
            _VOCABULARY_CACHE[key] = (version, terms)
            while len(_VOCABULARY_CACHE) > VOCABULARY_CACHE_SIZE:
                _VOCABULARY_CACHE.popitem(last=False)
        return terms

    def attested(self, session: Session, words: Iterable[str], *, restricted: bool, masked: bool) -> set[str]:
        """Those of ``words`` that a document the reader may search holds (restricted episodes' only when
        ``restricted``): one FTS5 MATCH per word, stopped at its first such document."""
        fts = search_schema.FTS_TABLES[masked]
        source, condition = fts, ""
        if not restricted:
            source += f" CROSS JOIN search_episode_facets e ON e.ep_no = ({fts}.rowid >> {search_schema.DOC_BITS})"
            condition = " AND NOT e.restricted"
        probe = text(f"SELECT 1 FROM {source} WHERE {fts} MATCH :word{condition} LIMIT 1")
        return {word for word in words
                if session.execute(probe, {"word": to_fts5(Term(word, exact=True))}).first() is not None}

    def matches(self, session: Session, node: Node, filters: SearchFilters, *, restricted: bool,
                masked: bool) -> Matches[Any]:
        """The matches of ``node`` under ``filters``: one FTS5 MATCH, each match checked against its facets."""
        conds, params = _facet_conditions(session, filters, restricted=restricted)
        fts = search_schema.FTS_TABLES[masked]
        source = fts
        if conds:  # CROSS JOIN keeps FTS5 outermost: one MATCH, each match checked against its episode's facets
            source += f" CROSS JOIN search_episode_facets e ON e.ep_no = ({fts}.rowid >> {search_schema.DOC_BITS})"
        if filters.episode_id is not None:  # an episode's documents are one rowid range, which FTS5 seeks to
            ep_no = session.execute(text("SELECT ep_no FROM search_episode_facets WHERE episode_id = :id"),
                                    {"id": filters.episode_id}).scalar()
            if ep_no is None:
                return NO_MATCHES
            conds.append(f"{fts}.rowid BETWEEN :first_doc AND :last_doc")
            params.update(first_doc=ep_no << search_schema.DOC_BITS,
                          last_doc=(ep_no << search_schema.DOC_BITS) | search_schema.DOC_MASK)
        code_id = _code_id(session, filters)
        if code_id is not None:  # '+' keeps the set from becoming an FTS5 constraint (one MATCH per member)
            conds.append(f"+{fts}.rowid IN (SELECT r.doc_id FROM segment_codes sc JOIN search_rows r"
                         " ON r.segment_id = sc.segment_id WHERE sc.code_id = :code_id)")
        if filters.scope == "segments" or code_id is not None:
            conds.append(f"({fts}.rowid & {search_schema.DOC_MASK}) <> 0")
        elif filters.scope == "episodes":
            conds.append(f"({fts}.rowid & {search_schema.DOC_MASK}) = 0")
        params.update(match=to_fts5(node), code_id=code_id)
        required = {id(item) for item in (node.items if isinstance(node, And) else (node,))}
        phrases: dict[tuple[str, bool], Leaf] = {}
        for leaf, negated in leaves(node):
            key = (to_fts5(leaf), negated)
            held = not negated and (id(leaf) in required or (key in phrases and phrases[key].required))
            phrases[key] = Leaf(*key, len(leaf.words) if isinstance(leaf, Phrase) else 1, held)
        return SqliteMatches(session, fts, source, " AND ".join([f"{fts} MATCH :match", *conds]), params,
                             tuple(phrases.values()), unfiltered=not conds)

    def rebuild(self, session: Session) -> int:
        """Empty and refill the FTS5 index."""
        for statement in search_schema.sqlite_rebuild():
            session.execute(text(statement))
        return int(session.execute(text("SELECT count(*) FROM search_rows")).scalar_one())

    def masked_index_leaks(self, session: Session) -> list[str]:
        """Rows ("segments row <id>") whose document in ``search_fts_masked`` holds a word their masked copy hides.

        The FTS5 tables are contentless, so the index is probed: every word of the text that the masked copy
        no longer has (a masked number, an address) must not match the row's masked document.
        """
        documents = session.execute(text(
            "SELECT 'segments', s.id, r.doc_id, s.text, s.redacted_text FROM segments s"
            " JOIN search_rows r ON r.segment_id = s.id WHERE s.redacted_text IS NOT NULL"
            f" UNION ALL SELECT 'episodes', e.id, f.ep_no << {search_schema.DOC_BITS},"
            f" {search_schema.episode_document('e')}, e.redacted_document FROM episodes e"
            " JOIN search_episode_facets f ON f.episode_id = e.id WHERE e.redacted_document IS NOT NULL"
            " ORDER BY 1 DESC, 2"))
        leaks = []
        probe = text("SELECT 1 FROM search_fts_masked WHERE search_fts_masked MATCH :word AND rowid = :doc")
        for table, row_id, doc_id, original, masked in documents:
            hidden = (set(index_terms(original[:MAX_INDEXED_CHARS]))
                      - set(index_terms(masked[:MAX_INDEXED_CHARS])))
            if any(session.execute(probe, {"word": '"' + word.replace('"', '""') + '"', "doc": doc_id}).first()
                   for word in sorted(hidden)):
                leaks.append(f"{table} row {row_id}")
        return leaks


class PostgresSearch:
    """GIN indexes over the stored vectors (``search_vector``, ``search_vector_masked``) of segments and episodes."""

    TSQUERY = "to_tsquery('simple'::regconfig, CAST(:tsquery AS text))"

    def vocabulary(self, session: Session, prefix: str, *, masked: bool) -> list[str]:
        """Indexed words starting with ``prefix`` (one range scan of ``search_terms``, or of
        ``search_terms_masked``, the masked texts' words only, for a masked reader)."""
        return list(session.execute(text(
            f"SELECT term FROM {search_schema.PG_TERMS[masked]} WHERE term >= :low AND term < :high"
            f" ORDER BY term LIMIT {transcripts.query.VOCABULARY_LIMIT}"),
            {"low": prefix, "high": _upper_bound(prefix)}).scalars())

    def attested(self, session: Session, words: Iterable[str], *, restricted: bool, masked: bool) -> set[str]:
        """Those of ``words`` that a document the reader may search holds: the vocabulary's when the reader
        may search everything, else a GIN probe per word for an unrestricted segment or episode that holds it."""
        indexed = set(session.execute(text(
            f"SELECT term FROM {search_schema.PG_TERMS[masked]} WHERE term = ANY(CAST(:words AS text[]))"),
            {"words": sorted(set(words))}).scalars())
        if restricted or not indexed:
            return indexed
        q = self.TSQUERY
        probe = text(
            f"SELECT EXISTS (SELECT 1 FROM segments s JOIN episodes e ON e.id = s.episode_id"
            f" WHERE {search_schema.pg_vectors('s')[masked]} @@ {q} AND NOT e.restricted)"
            f" OR EXISTS (SELECT 1 FROM episodes e WHERE {search_schema.pg_vectors('e')[masked]} @@ {q}"
            " AND NOT e.restricted)")
        return {word for word in sorted(indexed)
                if session.execute(probe, {"tsquery": to_tsquery(Term(word, exact=True))}).scalar()}

    def matches(self, session: Session, node: Node, filters: SearchFilters, *, restricted: bool,
                masked: bool) -> Matches[Any]:
        """The matching segments and episodes (GIN index scans), with the keys of their time order."""
        conds, params = _episode_conditions(session, filters, restricted=restricted)
        code_id = _code_id(session, filters)
        params.update(tsquery=to_tsquery(node), code_id=code_id)
        # psycopg prepares a statement run 5 times, and PostgreSQL may then plan it once for any words (a generic
        # plan): over the stored vectors that plan cost a common word 3-4x the server CPU of one planned for it
        # (bench_search at a million segments). Every search of this transaction is planned for its own words.
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        q = self.TSQUERY
        episode_doc = search_schema.pg_vectors("e")[masked]  # stored: a phrase's recheck reads, never recomputes
        segment_doc = search_schema.pg_vectors("s")[masked]
        # Time order as SQLite's document order: episodes as added, each one's own text, then its segments.
        parts = []
        if filters.scope != "episodes" or code_id is not None:
            where = " AND ".join([f"{segment_doc} @@ {q}", *_with_segment_conditions(conds, code_id, "s.id")])
            parts.append(Part("SELECT s.id AS segment_id, s.episode_id AS episode_id, e.created_at AS added, 1 AS doc,"
                              " s.start AS pos, s.idx AS idx FROM segments s JOIN episodes e ON e.id = s.episode_id"
                              f" WHERE {where}", ("s.episode_id", "e.id")))
        if filters.scope != "segments" and code_id is None:
            where = " AND ".join([f"{episode_doc} @@ {q}", *conds])
            parts.append(Part("SELECT CAST(NULL AS varchar) AS segment_id, e.id AS episode_id, e.created_at AS added,"
                              f" 0 AS doc, 0.0 AS pos, 0 AS idx FROM episodes e WHERE {where}", ("e.id",)))
        score = f"CASE WHEN h.segment_id IS NULL THEN ts_rank({episode_doc}, {q}) ELSE ts_rank({segment_doc}, {q}) END"
        return PostgresMatches(session, tuple(parts), tuple(conds), score, params)

    def rebuild(self, session: Session) -> int:
        """Rebuild the GIN indexes."""
        for statement in search_schema.postgres_rebuild():
            session.execute(text(statement))
        return int(session.execute(text("SELECT (SELECT count(*) FROM segments) + (SELECT count(*) FROM episodes)"))
                   .scalar_one())

    def masked_index_leaks(self, session: Session) -> list[str]:
        """Rows whose masked copy hides a word that ``search_terms_masked`` holds and no masked text does (the stored
        vectors are generated from ``coalesce(redacted_text, text)``, in step by construction; the vocabulary is
        kept by triggers)."""
        return postgres_vocabulary_leaks(session, search_schema.PG_TERMS[1], [
            (table, *bodies("{row}"), *search_schema.pg_vectors("{row}"))
            for table, bodies in search_schema.PG_BODIES.items()])


BACKENDS: dict[str, SearchBackend] = {"sqlite": SqliteSearch(), "postgresql": PostgresSearch()}


def backend_for(session: Session) -> SearchBackend:
    """The search backend of the session's database."""
    name = session.get_bind().dialect.name
    if name not in BACKENDS:
        raise InvalidInput(f"search does not support the {name} database", code="unsupported_database")
    return BACKENDS[name]
