"""library search: the episode library's q through the transcript search index's rules (issue 14)

The library's ``q`` was a LIKE over ``episodes.search_text``. It becomes a full-text search with the words,
query language and Bangla inflection of transcript search: SQLite gets ``search_library_fts`` (contentless
FTS5, the same tokenizer), ``search_library_rows`` (a stable number per episode), ``search_library_vocab``
(its words) and triggers on ``episodes``; PostgreSQL a GIN index over ``radio_search_document(search_text)``
(the function of transcripts_0002, hence ``depends_on``) and ``search_library_terms`` kept by statement
triggers. The index is built here for the existing rows (``search_text`` is already stored).

Revision ID: episodes_0005
Revises: episodes_0004
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'episodes_0005'
down_revision = 'episodes_0004'
branch_labels = None
depends_on = 'transcripts_0004'

# Frozen: the SQL written out (see transcripts_0002), never built from today's code. Non-ASCII characters are
# \u escapes.

SQLITE_CREATE = [
    ("CREATE TABLE search_library_rows (doc_id INTEGER PRIMARY KEY AUTOINCREMENT, row_id VARCHAR(32) N"
     "OT NULL UNIQUE)"),
    ("CREATE VIRTUAL TABLE search_library_fts USING fts5(body, content='', tokenize=\"unicode61 remove"
     "_diacritics 0 categories 'L* N* Co M*'\")"),
    "CREATE VIRTUAL TABLE search_library_vocab USING fts5vocab(search_library_fts, 'row')",
    ("CREATE TRIGGER search_library_insert AFTER INSERT ON episodes BEGIN\n            INSERT INTO sea"
     "rch_library_rows (row_id) VALUES (new.id);\n            INSERT INTO search_library_fts(rowid, bo"
     "dy) VALUES ((SELECT doc_id FROM search_library_rows WHERE row_id = new.id), replace(replace(repl"
     "ace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(repl"
     "ace(replace(replace(replace(substr(new.search_text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad"
     "', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7"
     "\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '"
     "\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '"
     "\u09ef', '9'));\n        END"),
    ("CREATE TRIGGER search_library_update AFTER UPDATE OF search_text ON episodes BEGIN\n            "
     "INSERT INTO search_library_fts(search_library_fts, rowid, body) VALUES ('delete', (SELECT doc_id"
     " FROM search_library_rows WHERE row_id = old.id), replace(replace(replace(replace(replace(replac"
     "e(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replac"
     "e(substr(old.search_text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1"
     "\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7"
     "\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4"
     "'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9'));\n          "
     "  INSERT INTO search_library_fts(rowid, body) VALUES ((SELECT doc_id FROM search_library_rows WH"
     "ERE row_id = new.id), replace(replace(replace(replace(replace(replace(replace(replace(replace(re"
     "place(replace(replace(replace(replace(replace(replace(replace(replace(substr(new.search_text, 1,"
     " 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2"
     "\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6"
     "', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec"
     "', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9'));\n        END"),
    ("CREATE TRIGGER search_library_delete AFTER DELETE ON episodes BEGIN\n            INSERT INTO sea"
     "rch_library_fts(search_library_fts, rowid, body) VALUES ('delete', (SELECT doc_id FROM search_li"
     "brary_rows WHERE row_id = old.id), replace(replace(replace(replace(replace(replace(replace(repla"
     "ce(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(old.se"
     "arch_text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd"
     "', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc"
     "'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5"
     "'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9'));\n            DELETE FROM se"
     "arch_library_rows WHERE row_id = old.id;\n        END"),
]


SQLITE_REBUILD = [
    "INSERT INTO search_library_fts(search_library_fts) VALUES ('delete-all')",
    "DELETE FROM search_library_rows",
    "INSERT INTO search_library_rows (row_id) SELECT id FROM episodes ORDER BY created_at, id",
    ("INSERT INTO search_library_fts(rowid, body) SELECT r.doc_id, replace(replace(replace(replace(rep"
     "lace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(rep"
     "lace(replace(substr(t.search_text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc"
     "', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb"
     "'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '"
     "\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FR"
     "OM search_library_rows r JOIN episodes t ON t.id = r.row_id ORDER BY r.doc_id"),
    "INSERT INTO search_library_fts(search_library_fts) VALUES ('optimize')",
]


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_library_insert",
    "DROP TRIGGER IF EXISTS search_library_update",
    "DROP TRIGGER IF EXISTS search_library_delete",
    "DROP TABLE IF EXISTS search_library_vocab",
    "DROP TABLE IF EXISTS search_library_fts",
    "DROP TABLE IF EXISTS search_library_rows",
]


POSTGRES_CREATE = [
    ("CREATE INDEX search_library_gin ON episodes USING gin (radio_search_document(episodes.search_tex"
     "t))"),
    "CREATE TABLE search_library_terms (term text COLLATE \"C\" PRIMARY KEY)",
    ("CREATE OR REPLACE FUNCTION radio_search_terms_library() RETURNS trigger LANGUAGE plpgsql AS $fn$"
     "\n        BEGIN\n            INSERT INTO search_library_terms (term) SELECT DISTINCT w.lexeme FR"
     "OM changed_rows n,\n                unnest(radio_search_document(n.search_text)) AS w ORDER BY 1"
     " ON CONFLICT DO NOTHING;\n            RETURN NULL;\n        END $fn$"),
    ("CREATE TRIGGER search_library_terms_insert AFTER INSERT ON episodes REFERENCING NEW TABLE AS cha"
     "nged_rows FOR EACH STATEMENT EXECUTE FUNCTION radio_search_terms_library()"),
    ("CREATE TRIGGER search_library_terms_update AFTER UPDATE ON episodes REFERENCING NEW TABLE AS cha"
     "nged_rows FOR EACH STATEMENT EXECUTE FUNCTION radio_search_terms_library()"),
    ("INSERT INTO search_library_terms (term) SELECT DISTINCT w.lexeme FROM episodes n, unnest(radio_s"
     "earch_document(n.search_text)) w ORDER BY 1 ON CONFLICT DO NOTHING"),
]


POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_library_gin",
    "DROP TRIGGER IF EXISTS search_library_terms_insert ON episodes",
    "DROP TRIGGER IF EXISTS search_library_terms_update ON episodes",
    "DROP FUNCTION IF EXISTS radio_search_terms_library()",
    "DROP TABLE IF EXISTS search_library_terms",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(sa.text(statement))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _run(SQLITE_CREATE + SQLITE_REBUILD)
    else:
        _run(POSTGRES_CREATE)


def downgrade() -> None:
    _run(SQLITE_DROP if op.get_bind().dialect.name == "sqlite" else POSTGRES_DROP)
