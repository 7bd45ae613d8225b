"""The SQLite search index as the ``transcripts_0002`` migration made it (frozen: that migration and the
downgrade of ``transcripts_0003`` run this SQL; the live index is in :mod:`transcripts.search_schema`).

``search_rows`` numbers the documents 1, 2, 3… in insertion order; filters join ``episodes`` per match.
"""

from __future__ import annotations

from transcripts.search_schema import EPISODE_FIELDS, TOKENIZER, episode_document
from transcripts.search_text import sql_normalise


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
