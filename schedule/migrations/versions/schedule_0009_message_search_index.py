"""inbound messages: text searchable with transcript search's rules, on a masked copy for researchers (issue 15)

``inbound_messages.redacted_text`` holds the text with contact details masked, NULL when nothing is masked (the
application computes it, radio.text_index). SQLite: ``search_messages_fts`` (as written, admins) and
``search_messages_fts_masked`` (masked, researchers), their ``fts5vocab`` tables, ``search_messages_rows`` and
triggers on ``inbound_messages``; PostgreSQL: GIN indexes over ``radio_search_document`` of both texts (the
function of transcripts_0002, hence ``depends_on``) and ``search_messages_terms`` kept by statement triggers.

This migration cannot run the redaction rules (Python of the application): messages that might hold a phone
number or an address get an empty masked copy (fail closed: not found by researchers) until
``radio search --reindex`` computes the real one.

Revision ID: schedule_0009
Revises: schedule_0007
Create Date: 2026-12-02 16:40:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = 'schedule_0009'
down_revision = 'schedule_0007'
branch_labels = None
depends_on = 'transcripts_0004'

# Anything that could be part of a phone number or an e-mail address (as transcripts_0004).
MAY_HOLD_CONTACT = re.compile("\\d|@|\uff20|\\bat\\b|\u098f\u099f|\u0985\u09cd\u09af\u09be\u099f", re.IGNORECASE)

# Frozen: the SQL written out (see transcripts_0002), never built from today's code. Non-ASCII characters are
# \u escapes.

SQLITE_CREATE = [
    ("CREATE TABLE search_messages_rows (doc_id INTEGER PRIMARY KEY AUTOINCREMENT, row_id VARCHAR(32) "
     "NOT NULL UNIQUE)"),
    ("CREATE VIRTUAL TABLE search_messages_fts USING fts5(body, content='', tokenize=\"unicode61 remov"
     "e_diacritics 0 categories 'L* N* Co M*'\")"),
    ("CREATE VIRTUAL TABLE search_messages_fts_masked USING fts5(body, content='', tokenize=\"unicode6"
     "1 remove_diacritics 0 categories 'L* N* Co M*'\")"),
    "CREATE VIRTUAL TABLE search_messages_vocab USING fts5vocab(search_messages_fts, 'row')",
    ("CREATE VIRTUAL TABLE search_messages_vocab_masked USING fts5vocab(search_messages_fts_masked, 'r"
     "ow')"),
    ("CREATE TRIGGER search_messages_insert AFTER INSERT ON inbound_messages BEGIN\n            INSERT"
     " INTO search_messages_rows (row_id) VALUES (new.id);\n            INSERT INTO search_messages_ft"
     "s(rowid, body) VALUES ((SELECT doc_id FROM search_messages_rows WHERE row_id = new.id), replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "replace(replace(replace(replace(replace(substr(new.text, 1, 100000), '\u200c', ''), '\u200d', ''"
     "), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'),"
     " '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8',"
     " '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee',"
     " '8'), '\u09ef', '9'));\n            INSERT INTO search_messages_fts_masked(rowid, body) VALUES "
     "((SELECT doc_id FROM search_messages_rows WHERE row_id = new.id), replace(replace(replace(replac"
     "e(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replac"
     "e(replace(replace(substr(coalesce(new.redacted_text, new.text), 1, 100000), '\u200c', ''), '\u200d"
     "', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc"
     "'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8"
     "', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee"
     "', '8'), '\u09ef', '9'));\n        END"),
    ("CREATE TRIGGER search_messages_update AFTER UPDATE OF text, redacted_text ON inbound_messages BE"
     "GIN\n            INSERT INTO search_messages_fts(search_messages_fts, rowid, body) VALUES ('dele"
     "te', (SELECT doc_id FROM search_messages_rows WHERE row_id = old.id), replace(replace(replace(re"
     "place(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(re"
     "place(replace(replace(substr(old.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc"
     "', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb"
     "'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '"
     "\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9'));\n"
     "            INSERT INTO search_messages_fts_masked(search_messages_fts_masked, rowid, body) VALU"
     "ES ('delete', (SELECT doc_id FROM search_messages_rows WHERE row_id = old.id), replace(replace(r"
     "eplace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(r"
     "eplace(replace(replace(replace(substr(coalesce(old.redacted_text, old.text), 1, 100000), '\u200c"
     "', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df"
     "', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7"
     "', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed"
     "', '7'), '\u09ee', '8'), '\u09ef', '9'));\n            INSERT INTO search_messages_fts(rowid, bo"
     "dy) VALUES ((SELECT doc_id FROM search_messages_rows WHERE row_id = new.id), replace(replace(rep"
     "lace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(rep"
     "lace(replace(replace(replace(substr(new.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', "
     "''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be"
     "', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9"
     "', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef"
     "', '9'));\n            INSERT INTO search_messages_fts_masked(rowid, body) VALUES ((SELECT doc_i"
     "d FROM search_messages_rows WHERE row_id = new.id), replace(replace(replace(replace(replace(repl"
     "ace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(repl"
     "ace(substr(coalesce(new.redacted_text, new.text), 1, 100000), '\u200c', ''), '\u200d', ''), '\xad"
     "', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7"
     "\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '"
     "\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '"
     "\u09ef', '9'));\n        END"),
    ("CREATE TRIGGER search_messages_delete AFTER DELETE ON inbound_messages BEGIN\n            INSERT"
     " INTO search_messages_fts(search_messages_fts, rowid, body) VALUES ('delete', (SELECT doc_id FRO"
     "M search_messages_rows WHERE row_id = old.id), replace(replace(replace(replace(replace(replace(r"
     "eplace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(s"
     "ubstr(old.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc')"
     ", '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7"
     "', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb"
     "', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9'));\n            INSERT IN"
     "TO search_messages_fts_masked(search_messages_fts_masked, rowid, body) VALUES ('delete', (SELECT"
     " doc_id FROM search_messages_rows WHERE row_id = old.id), replace(replace(replace(replace(replac"
     "e(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replac"
     "e(replace(substr(coalesce(old.redacted_text, old.text), 1, 100000), '\u200c', ''), '\u200d', '')"
     ", '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), "
     "'\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', "
     "'2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', "
     "'8'), '\u09ef', '9'));\n            DELETE FROM search_messages_rows WHERE row_id = old.id;\n   "
     "     END"),
]


SQLITE_REBUILD = [
    "INSERT INTO search_messages_fts(search_messages_fts) VALUES ('delete-all')",
    "INSERT INTO search_messages_fts_masked(search_messages_fts_masked) VALUES ('delete-all')",
    "DELETE FROM search_messages_rows",
    ("INSERT INTO search_messages_rows (row_id) SELECT id FROM inbound_messages ORDER BY created_at, i"
     "d"),
    ("INSERT INTO search_messages_fts(rowid, body) SELECT r.doc_id, replace(replace(replace(replace(re"
     "place(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(re"
     "place(replace(substr(t.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1"
     "\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7"
     "\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4"
     "'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_m"
     "essages_rows r JOIN inbound_messages t ON t.id = r.row_id ORDER BY r.doc_id"),
    "INSERT INTO search_messages_fts(search_messages_fts) VALUES ('optimize')",
    ("INSERT INTO search_messages_fts_masked(rowid, body) SELECT r.doc_id, replace(replace(replace(rep"
     "lace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(rep"
     "lace(replace(replace(substr(coalesce(t.redacted_text, t.text), 1, 100000), '\u200c', ''), '\u200d"
     "', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc"
     "'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8"
     "', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee"
     "', '8'), '\u09ef', '9') FROM search_messages_rows r JOIN inbound_messages t ON t.id = r.row_id O"
     "RDER BY r.doc_id"),
    "INSERT INTO search_messages_fts_masked(search_messages_fts_masked) VALUES ('optimize')",
]


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_messages_insert",
    "DROP TRIGGER IF EXISTS search_messages_update",
    "DROP TRIGGER IF EXISTS search_messages_delete",
    "DROP TABLE IF EXISTS search_messages_vocab",
    "DROP TABLE IF EXISTS search_messages_vocab_masked",
    "DROP TABLE IF EXISTS search_messages_fts",
    "DROP TABLE IF EXISTS search_messages_fts_masked",
    "DROP TABLE IF EXISTS search_messages_rows",
]


POSTGRES_CREATE = [
    ("CREATE INDEX search_messages_gin ON inbound_messages USING gin (radio_search_document(inbound_me"
     "ssages.text))"),
    ("CREATE INDEX search_messages_masked_gin ON inbound_messages USING gin (radio_search_document(coa"
     "lesce(inbound_messages.redacted_text, inbound_messages.text)))"),
    "CREATE TABLE search_messages_terms (term text COLLATE \"C\" PRIMARY KEY)",
    ("CREATE OR REPLACE FUNCTION radio_search_terms_messages() RETURNS trigger LANGUAGE plpgsql AS $fn"
     "$\n        BEGIN\n            INSERT INTO search_messages_terms (term) SELECT DISTINCT w.lexeme "
     "FROM changed_rows n,\n                unnest(radio_search_document(n.text || ' ' || coalesce(n.r"
     "edacted_text, n.text))) AS w ORDER BY 1 ON CONFLICT DO NOTHING;\n            RETURN NULL;\n     "
     "   END $fn$"),
    ("CREATE TRIGGER search_messages_terms_insert AFTER INSERT ON inbound_messages REFERENCING NEW TAB"
     "LE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION radio_search_terms_messages()"),
    ("CREATE TRIGGER search_messages_terms_update AFTER UPDATE ON inbound_messages REFERENCING NEW TAB"
     "LE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION radio_search_terms_messages()"),
    ("INSERT INTO search_messages_terms (term) SELECT DISTINCT w.lexeme FROM inbound_messages n, unnes"
     "t(radio_search_document(n.text || ' ' || coalesce(n.redacted_text, n.text))) w ORDER BY 1 ON CON"
     "FLICT DO NOTHING"),
]


POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_messages_gin",
    "DROP INDEX IF EXISTS search_messages_masked_gin",
    "DROP TRIGGER IF EXISTS search_messages_terms_insert ON inbound_messages",
    "DROP TRIGGER IF EXISTS search_messages_terms_update ON inbound_messages",
    "DROP FUNCTION IF EXISTS radio_search_terms_messages()",
    "DROP TABLE IF EXISTS search_messages_terms",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(sa.text(statement))


def _fail_closed() -> None:
    """An empty masked copy for every message that might hold contact details (the reindex computes the real one)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, text FROM inbound_messages")).all()
    suspect = [{"id": row[0]} for row in rows if MAY_HOLD_CONTACT.search(row[1] or "")]
    if suspect:
        bind.execute(sa.text("UPDATE inbound_messages SET redacted_text = '' WHERE id = :id"), suspect)


def upgrade() -> None:
    # Plain ALTER on both databases (SQLite 3.35+): a batch copy of the table would drop other triggers.
    op.execute(sa.text("ALTER TABLE inbound_messages ADD COLUMN redacted_text TEXT"))
    _fail_closed()
    if op.get_bind().dialect.name == "sqlite":
        _run(SQLITE_CREATE + SQLITE_REBUILD)
    else:
        _run(POSTGRES_CREATE)


def downgrade() -> None:
    _run(SQLITE_DROP if op.get_bind().dialect.name == "sqlite" else POSTGRES_DROP)
    op.execute(sa.text("ALTER TABLE inbound_messages DROP COLUMN redacted_text"))
