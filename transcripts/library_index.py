"""The episode library's text search: the same words, query language and Bangla inflection as transcript search.

The library's ``q`` matches an episode's ``search_text`` (titles, descriptions, campaign, producer, file name,
topics, contributors and districts, computed by ``episodes.metadata.refresh_search_keys``), through an index
of its own built with the rules of :mod:`transcripts.search_text` (normalised by the same SQL, tokenised by the
same FTS5 tokenizer or the same ``radio_search_document`` function) and a vocabulary of its words, so a query
word is expanded into its inflected forms exactly as in transcript search (:func:`transcripts.query.expand`).

SQLite: ``search_library_fts`` is a contentless FTS5 table, ``search_library_rows`` numbers the episodes
(an episode's ``rowid`` is not stable across ``VACUUM``), ``search_library_vocab`` lists the words; triggers on
``episodes`` keep them in step inside the writing transaction. PostgreSQL: a GIN expression index over
``radio_search_document(search_text)`` and ``search_library_terms``, every word indexed, kept by statement
triggers. The library lists what anyone who may list an episode reads as written, so there is one index (no
masked copy); which episodes a reader may list stays the listing's own condition.

Like :mod:`transcripts.search_schema`, this is the schema of today, never run by a migration (episodes_0005
carries its own SQL); tests/test_migrations_frozen.py compares the two.
"""

from __future__ import annotations

from sqlalchemy import TextClause, column, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from radio.errors import InvalidInput
from transcripts.query import QueryError, expand, parse_query, to_fts5, to_tsquery
from transcripts.search_text import sql_normalise

TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"  # transcripts.search_schema.TOKENIZER
VOCABULARY_LIMIT = 5000  # candidates of one prefix, as in transcript search
FIELD = "q"


def _body(alias: str) -> str:
    return sql_normalise(f"{alias}.search_text")


def sqlite_create() -> list[str]:
    """Tables and triggers of the SQLite library index (empty; fill with :func:`sqlite_rebuild`)."""
    doc = "(SELECT doc_id FROM search_library_rows WHERE episode_id = {row}.id)"
    return [
        "CREATE TABLE search_library_rows (doc_id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " episode_id VARCHAR(32) NOT NULL UNIQUE)",
        f"CREATE VIRTUAL TABLE search_library_fts USING fts5(body, content='', tokenize=\"{TOKENIZER}\")",
        "CREATE VIRTUAL TABLE search_library_vocab USING fts5vocab(search_library_fts, 'row')",
        f"""CREATE TRIGGER search_library_insert AFTER INSERT ON episodes BEGIN
            INSERT INTO search_library_rows (episode_id) VALUES (new.id);
            INSERT INTO search_library_fts(rowid, body) VALUES ({doc.format(row="new")}, {_body("new")});
        END""",
        f"""CREATE TRIGGER search_library_update AFTER UPDATE OF search_text ON episodes BEGIN
            INSERT INTO search_library_fts(search_library_fts, rowid, body)
                VALUES ('delete', {doc.format(row="old")}, {_body("old")});
            INSERT INTO search_library_fts(rowid, body) VALUES ({doc.format(row="new")}, {_body("new")});
        END""",
        f"""CREATE TRIGGER search_library_delete AFTER DELETE ON episodes BEGIN
            INSERT INTO search_library_fts(search_library_fts, rowid, body)
                VALUES ('delete', {doc.format(row="old")}, {_body("old")});
            DELETE FROM search_library_rows WHERE episode_id = old.id;
        END""",
    ]


def sqlite_rebuild() -> list[str]:
    """Statements that empty and refill the SQLite library index from the episodes."""
    return [
        "INSERT INTO search_library_fts(search_library_fts) VALUES ('delete-all')",
        "DELETE FROM search_library_rows",
        "INSERT INTO search_library_rows (episode_id) SELECT id FROM episodes ORDER BY created_at, id",
        f"INSERT INTO search_library_fts(rowid, body) SELECT r.doc_id, {_body('e')}"
        " FROM search_library_rows r JOIN episodes e ON e.id = r.episode_id ORDER BY r.doc_id",
        "INSERT INTO search_library_fts(search_library_fts) VALUES ('optimize')",
    ]


def sqlite_drop() -> list[str]:
    """Statements that remove the SQLite library index."""
    return [*(f"DROP TRIGGER IF EXISTS search_library_{event}" for event in ("insert", "update", "delete")),
            "DROP TABLE IF EXISTS search_library_vocab", "DROP TABLE IF EXISTS search_library_fts",
            "DROP TABLE IF EXISTS search_library_rows"]


_PG_FILL_TERMS = ("INSERT INTO search_library_terms (term) SELECT DISTINCT w.lexeme FROM episodes n,"
                  " unnest(radio_search_document(n.search_text)) w ORDER BY 1 ON CONFLICT DO NOTHING")


def postgres_create() -> list[str]:
    """The GIN index, vocabulary table and its triggers of the PostgreSQL library index (after the transcript
    index's ``radio_search_document``)."""
    return [
        "CREATE INDEX search_library_gin ON episodes USING gin (radio_search_document(search_text))",
        'CREATE TABLE search_library_terms (term text COLLATE "C" PRIMARY KEY)',
        """CREATE OR REPLACE FUNCTION radio_search_terms_library() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            INSERT INTO search_library_terms (term) SELECT DISTINCT w.lexeme FROM changed_rows n,
                unnest(radio_search_document(n.search_text)) AS w ORDER BY 1 ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $fn$""",
        *(f"CREATE TRIGGER search_library_terms_{event.lower()} AFTER {event} ON episodes"
          " REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION radio_search_terms_library()"
          for event in ("INSERT", "UPDATE")),
        _PG_FILL_TERMS,
    ]


def postgres_rebuild() -> list[str]:
    """Statements that rebuild the PostgreSQL library index."""
    return ["REINDEX INDEX search_library_gin", "TRUNCATE search_library_terms", _PG_FILL_TERMS]


def postgres_drop() -> list[str]:
    """Statements that remove the PostgreSQL library index."""
    return ["DROP INDEX IF EXISTS search_library_gin",
            *(f"DROP TRIGGER IF EXISTS search_library_terms_{event} ON episodes" for event in ("insert", "update")),
            "DROP FUNCTION IF EXISTS radio_search_terms_library()", "DROP TABLE IF EXISTS search_library_terms"]


def _upper_bound(prefix: str) -> str:
    return prefix + "\U0010ffff"


def _vocabulary(session: Session, table: str, prefix: str) -> list[str]:
    return list(session.execute(text(
        f"SELECT term FROM {table} WHERE term >= :low AND term < :high ORDER BY term LIMIT {VOCABULARY_LIMIT}"),
        {"low": prefix, "high": _upper_bound(prefix)}).scalars())


def library_matches(session: Session, q: str) -> TextualSelect:
    """A select of the ids of episodes whose library text matches ``q`` (a 400 naming ``q`` when it cannot be
    searched for); the caller adds who may list what."""
    try:
        node = parse_query(q)
    except QueryError as exc:
        raise QueryError(exc.message, code=exc.code, details={**exc.details, "field": FIELD}) from None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        node = expand(node, lambda prefix: _vocabulary(session, "search_library_vocab", prefix))
        clause: TextClause = text(
            "SELECT r.episode_id FROM search_library_fts JOIN search_library_rows r"
            " ON r.doc_id = search_library_fts.rowid WHERE search_library_fts MATCH :library_match",
        ).bindparams(library_match=to_fts5(node))
    elif dialect == "postgresql":
        node = expand(node, lambda prefix: _vocabulary(session, "search_library_terms", prefix))
        clause = text(
            "SELECT e.id AS episode_id FROM episodes e WHERE radio_search_document(e.search_text)"
            " @@ to_tsquery('simple'::regconfig, CAST(:library_match AS text))",
        ).bindparams(library_match=to_tsquery(node))
    else:
        raise InvalidInput(f"library search does not support the {dialect} database", code="unsupported_database")
    return clause.columns(column("episode_id"))
