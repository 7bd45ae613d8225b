"""SQL of the full-text index on SQLite (FTS5 + triggers) and PostgreSQL (GIN over a tsvector expression).

SQLite: ``search_rows`` gives every indexed document (a segment's current text, or an episode's titles
and descriptions) a stable integer id; ``search_fts`` is a contentless FTS5 table keyed by it. Triggers
on ``segments`` and ``episodes`` keep both in step inside the writing transaction.

PostgreSQL: ``radio_search_document(text)`` is an immutable function (the same normalisation, then
``to_tsvector('simple', …)``); GIN expression indexes on ``segments`` and ``episodes`` use it, so the
index is always in step with the rows by construction.

The ``transcripts_0002`` migration runs this SQL; a change here needs a new migration and a reindex.
"""

from __future__ import annotations

from transcripts.search_text import postgres_separator_class, sql_normalise

TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
EPISODE_FIELDS = ("title", "title_bn", "title_en", "description", "description_bn", "description_en")


def episode_document(alias: str) -> str:
    """SQL for the searchable text of an episode row called ``alias``."""
    return " || ' ' || ".join(f"{alias}.{field}" for field in EPISODE_FIELDS)


def _fts_delete(where: str, body: str) -> str:
    return (f"INSERT INTO search_fts(search_fts, rowid, body) SELECT 'delete', doc_id, {body}"
            f" FROM search_rows WHERE {where};")


def _fts_insert(where: str, body: str) -> str:
    return f"INSERT INTO search_fts(rowid, body) SELECT doc_id, {body} FROM search_rows WHERE {where};"


SEGMENT_ROW = "segment_id = {row}.id"
EPISODE_ROW = "episode_id = {row}.id AND segment_id IS NULL"


def sqlite_create() -> list[str]:
    """Tables and triggers of the SQLite index (empty; fill with :func:`sqlite_rebuild`)."""
    old_seg, new_seg = sql_normalise("old.text"), sql_normalise("new.text")
    old_ep, new_ep = sql_normalise(episode_document("old")), sql_normalise(episode_document("new"))
    seg_old, seg_new = SEGMENT_ROW.format(row="old"), SEGMENT_ROW.format(row="new")
    ep_old, ep_new = EPISODE_ROW.format(row="old"), EPISODE_ROW.format(row="new")
    return [
        "CREATE TABLE search_rows (doc_id INTEGER PRIMARY KEY, segment_id VARCHAR(32) UNIQUE,"
        " episode_id VARCHAR(32) NOT NULL)",
        "CREATE INDEX search_rows_episode ON search_rows (episode_id)",
        f"CREATE VIRTUAL TABLE search_fts USING fts5(body, content='', tokenize=\"{TOKENIZER}\")",
        f"""CREATE TRIGGER search_segments_insert AFTER INSERT ON segments BEGIN
            INSERT INTO search_rows (segment_id, episode_id) VALUES (new.id, new.episode_id);
            INSERT INTO search_fts(rowid, body) VALUES (last_insert_rowid(), {new_seg});
        END""",
        f"""CREATE TRIGGER search_segments_update AFTER UPDATE OF text ON segments BEGIN
            {_fts_delete(seg_old, old_seg)}
            {_fts_insert(seg_new, new_seg)}
        END""",
        """CREATE TRIGGER search_segments_move AFTER UPDATE OF episode_id ON segments BEGIN
            UPDATE search_rows SET episode_id = new.episode_id WHERE segment_id = new.id;
        END""",
        f"""CREATE TRIGGER search_segments_delete AFTER DELETE ON segments BEGIN
            {_fts_delete(seg_old, old_seg)}
            DELETE FROM search_rows WHERE {seg_old};
        END""",
        f"""CREATE TRIGGER search_episodes_insert AFTER INSERT ON episodes BEGIN
            INSERT INTO search_rows (segment_id, episode_id) VALUES (NULL, new.id);
            INSERT INTO search_fts(rowid, body) VALUES (last_insert_rowid(), {new_ep});
        END""",
        f"""CREATE TRIGGER search_episodes_update AFTER UPDATE OF {", ".join(EPISODE_FIELDS)} ON episodes BEGIN
            {_fts_delete(ep_old, old_ep)}
            {_fts_insert(ep_new, new_ep)}
        END""",
        f"""CREATE TRIGGER search_episodes_delete AFTER DELETE ON episodes BEGIN
            {_fts_delete(ep_old, old_ep)}
            DELETE FROM search_rows WHERE {ep_old};
        END""",
    ]


def sqlite_rebuild() -> list[str]:
    """Statements that empty and refill the SQLite index from the rows."""
    return [
        "INSERT INTO search_fts(search_fts) VALUES ('delete-all')",
        "DELETE FROM search_rows",
        "INSERT INTO search_rows (segment_id, episode_id) SELECT id, episode_id FROM segments",
        "INSERT INTO search_rows (segment_id, episode_id) SELECT NULL, id FROM episodes",
        f"INSERT INTO search_fts(rowid, body) SELECT r.doc_id, {sql_normalise('s.text')}"
        " FROM search_rows r JOIN segments s ON s.id = r.segment_id",
        f"INSERT INTO search_fts(rowid, body) SELECT r.doc_id, {sql_normalise(episode_document('e'))}"
        " FROM search_rows r JOIN episodes e ON e.id = r.episode_id WHERE r.segment_id IS NULL",
        "INSERT INTO search_fts(search_fts) VALUES ('optimize')",
    ]


def sqlite_drop() -> list[str]:
    """Statements that remove the SQLite index."""
    triggers = [f"search_{table}_{event}" for table in ("segments", "episodes")
                for event in ("insert", "update", "delete")] + ["search_segments_move"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in triggers] + [
        "DROP TABLE IF EXISTS search_fts", "DROP TABLE IF EXISTS search_rows"]


def postgres_create() -> list[str]:
    """Functions and GIN indexes of the PostgreSQL index."""
    separators = postgres_separator_class()
    # pg_restore builds indexes with an empty search_path: the indexed function may call only pg_catalog
    # functions, never radio_search_text, or a restored backup fails while creating the index.
    normalised = f"lower(regexp_replace({sql_normalise('doc')}, '{separators}+', ' ', 'g'))"
    return [
        f"""CREATE OR REPLACE FUNCTION radio_search_text(doc text) RETURNS text
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
            AS $fn$ SELECT {normalised} $fn$""",
        f"""CREATE OR REPLACE FUNCTION radio_search_document(doc text) RETURNS tsvector
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
            AS $fn$ SELECT to_tsvector('simple'::regconfig, {normalised}) $fn$""",
        "CREATE INDEX search_segments_gin ON segments USING gin (radio_search_document(text))",
        "CREATE INDEX search_episodes_gin ON episodes"
        f" USING gin (radio_search_document({episode_document('episodes')}))",
    ]


def postgres_rebuild() -> list[str]:
    """Statements that rebuild the PostgreSQL indexes."""
    return ["REINDEX INDEX search_segments_gin", "REINDEX INDEX search_episodes_gin"]


def postgres_drop() -> list[str]:
    """Statements that remove the PostgreSQL index."""
    return ["DROP INDEX IF EXISTS search_segments_gin", "DROP INDEX IF EXISTS search_episodes_gin",
            "DROP FUNCTION IF EXISTS radio_search_document(text)", "DROP FUNCTION IF EXISTS radio_search_text(text)"]
