"""search index and coding: FTS5 (SQLite) / GIN tsvector (PostgreSQL) index with its triggers; codes

Revision ID: transcripts_0002
Revises: transcripts_0001
Create Date: 2026-11-29 04:34:26.708841
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'transcripts_0002'
down_revision = 'transcripts_0001'
branch_labels = None
depends_on = None


# The full-text index, by hand: autogenerate cannot see it (names start with "search_"). Frozen: its SQL with
# the text rules of its day (transcripts/search_text.py: the replacements of sql_normalise, the separator class
# of postgres_separator_class) written out, never built from today's code. A change of the index is a new
# migration carrying its own SQL: transcripts_0003 replaced SQLite's; PostgreSQL's is still the current one.
# Non-ASCII characters are \u escapes (joiners, soft hyphen, Bangla nukta letters, vowel signs and digits);
# in the PostgreSQL functions "\\u0001" is an escape of PostgreSQL's regular expressions.
# PostgreSQL history: when this migration first shipped, radio_search_document called radio_search_text(doc);
# the same day, without a new migration, it was changed to inline the normalisation (pg_restore builds the GIN
# indexes with an empty search_path). A database migrated before that keeps the older radio_search_document
# (same normalisation, same index content); this file holds the SQL a fresh database gets.

SQLITE_CREATE = [
    ("CREATE TABLE search_rows (doc_id INTEGER PRIMARY KEY, segment_id VARCHAR(32) UNIQUE, episode_id "
     "VARCHAR(32) NOT NULL)"),
    "CREATE INDEX search_rows_episode ON search_rows (episode_id)",
    ("CREATE VIRTUAL TABLE search_fts USING fts5(body, content='', tokenize=\"unicode61 remove_diacritics 0 "
     "categories 'L* N* Co M*'\")"),
    ("CREATE TRIGGER search_segments_insert AFTER INSERT ON segments BEGIN\n"
     "            INSERT INTO search_rows (segment_id, episode_id) VALUES (new.id, new.episode_id);\n"
     "            INSERT INTO search_fts(rowid, body) VALUES (last_insert_rowid(), replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "replace(replace(substr(new.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), '\u09dc', "
     "'\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), "
     "'\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', "
     "'4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9'));\n"
     "        END"),
    ("CREATE TRIGGER search_segments_update AFTER UPDATE OF text ON segments BEGIN\n"
     "            INSERT INTO search_fts(search_fts, rowid, body) SELECT 'delete', doc_id, replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "replace(replace(replace(substr(old.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), "
     "'\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', "
     "'\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), "
     "'\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM "
     "search_rows WHERE segment_id = old.id;\n"
     "            INSERT INTO search_fts(rowid, body) SELECT doc_id, replace(replace(replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "substr(new.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), '\u09dc', '\u09a1\u09bc'), "
     "'\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', "
     "'\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', "
     "'5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE segment_id "
     "= new.id;\n"
     "        END"),
    ("CREATE TRIGGER search_segments_move AFTER UPDATE OF episode_id ON segments BEGIN\n"
     "            UPDATE search_rows SET episode_id = new.episode_id WHERE segment_id = new.id;\n"
     "        END"),
    ("CREATE TRIGGER search_segments_delete AFTER DELETE ON segments BEGIN\n"
     "            INSERT INTO search_fts(search_fts, rowid, body) SELECT 'delete', doc_id, replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "replace(replace(replace(substr(old.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), "
     "'\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', "
     "'\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), "
     "'\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM "
     "search_rows WHERE segment_id = old.id;\n"
     "            DELETE FROM search_rows WHERE segment_id = old.id;\n"
     "        END"),
    ("CREATE TRIGGER search_episodes_insert AFTER INSERT ON episodes BEGIN\n"
     "            INSERT INTO search_rows (segment_id, episode_id) VALUES (NULL, new.id);\n"
     "            INSERT INTO search_fts(rowid, body) VALUES (last_insert_rowid(), replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "replace(replace(substr(new.title || ' ' || new.title_bn || ' ' || new.title_en || ' ' || "
     "new.description || ' ' || new.description_bn || ' ' || new.description_en, 1, 100000), '\u200c', ''), "
     "'\u200d', ''), '\u00ad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', "
     "'\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), "
     "'\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), "
     "'\u09ee', '8'), '\u09ef', '9'));\n"
     "        END"),
    ("CREATE TRIGGER search_episodes_update AFTER UPDATE OF title, title_bn, title_en, description, "
     "description_bn, description_en ON episodes BEGIN\n"
     "            INSERT INTO search_fts(search_fts, rowid, body) SELECT 'delete', doc_id, replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "replace(replace(replace(substr(old.title || ' ' || old.title_bn || ' ' || old.title_en || ' ' || "
     "old.description || ' ' || old.description_bn || ' ' || old.description_en, 1, 100000), '\u200c', ''), "
     "'\u200d', ''), '\u00ad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', "
     "'\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), "
     "'\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), "
     "'\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE episode_id = old.id AND segment_id IS NULL;\n"
     "            INSERT INTO search_fts(rowid, body) SELECT doc_id, replace(replace(replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "substr(new.title || ' ' || new.title_bn || ' ' || new.title_en || ' ' || new.description || ' ' || "
     "new.description_bn || ' ' || new.description_en, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', "
     "''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', "
     "'\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), "
     "'\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM "
     "search_rows WHERE episode_id = new.id AND segment_id IS NULL;\n"
     "        END"),
    ("CREATE TRIGGER search_episodes_delete AFTER DELETE ON episodes BEGIN\n"
     "            INSERT INTO search_fts(search_fts, rowid, body) SELECT 'delete', doc_id, replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "replace(replace(replace(substr(old.title || ' ' || old.title_bn || ' ' || old.title_en || ' ' || "
     "old.description || ' ' || old.description_bn || ' ' || old.description_en, 1, 100000), '\u200c', ''), "
     "'\u200d', ''), '\u00ad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', "
     "'\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), "
     "'\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), "
     "'\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE episode_id = old.id AND segment_id IS NULL;\n"
     "            DELETE FROM search_rows WHERE episode_id = old.id AND segment_id IS NULL;\n"
     "        END"),
]

SQLITE_REBUILD = [
    "INSERT INTO search_fts(search_fts) VALUES ('delete-all')",
    "DELETE FROM search_rows",
    "INSERT INTO search_rows (segment_id, episode_id) SELECT id, episode_id FROM segments",
    "INSERT INTO search_rows (segment_id, episode_id) SELECT NULL, id FROM episodes",
    ("INSERT INTO search_fts(rowid, body) SELECT r.doc_id, replace(replace(replace(replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr("
     "s.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', "
     "'\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), "
     "'\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), "
     "'\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows r JOIN segments s ON "
     "s.id = r.segment_id"),
    ("INSERT INTO search_fts(rowid, body) SELECT r.doc_id, replace(replace(replace(replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr("
     "e.title || ' ' || e.title_bn || ' ' || e.title_en || ' ' || e.description || ' ' || e.description_bn || "
     "' ' || e.description_en, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), '\u09dc', "
     "'\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), "
     "'\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', "
     "'4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows r "
     "JOIN episodes e ON e.id = r.episode_id WHERE r.segment_id IS NULL"),
    "INSERT INTO search_fts(search_fts) VALUES ('optimize')",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_segments_insert",
    "DROP TRIGGER IF EXISTS search_segments_update",
    "DROP TRIGGER IF EXISTS search_segments_delete",
    "DROP TRIGGER IF EXISTS search_episodes_insert",
    "DROP TRIGGER IF EXISTS search_episodes_update",
    "DROP TRIGGER IF EXISTS search_episodes_delete",
    "DROP TRIGGER IF EXISTS search_segments_move",
    "DROP TABLE IF EXISTS search_fts",
    "DROP TABLE IF EXISTS search_rows",
]

POSTGRES_CREATE = [
    ("CREATE OR REPLACE FUNCTION radio_search_text(doc text) RETURNS text\n"
     "            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE\n"
     "            AS $fn$ SELECT lower(regexp_replace(replace(replace(replace(replace(replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(doc, 1, "
     "100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', "
     "'\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), "
     "'\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), "
     "'\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9'), '[\\u0001-\\u002f\\u003a-\\u0040\\u005b-"
     "\\u0060\\u007b-\\u00a9\\u00ab-\\u00b1\\u00b4\\u00b6-\\u00b8\\u00bb\\u00bf\\u00d7\\u00f7\\u02c2-\\u02c5"
     "\\u02d2-\\u02df\\u02e5-\\u02eb\\u02ed\\u02ef-\\u02ff\\u0375\\u037e\\u0384-\\u0385\\u0387\\u03f6\\u0482"
     "\\u055a-\\u055f\\u0589-\\u058f\\u05be\\u05c0\\u05c3\\u05c6\\u05f3-\\u060f\\u061b-\\u061f\\u066a-\\u066d"
     "\\u06d4\\u06dd-\\u06de\\u06e9\\u06fd-\\u06fe\\u0700-\\u070f\\u07f6-\\u07f9\\u07fe-\\u07ff\\u0830-\\u083e"
     "\\u085e\\u0888\\u0890-\\u0891\\u08e2\\u0964-\\u0965\\u0970\\u09f2-\\u09f3\\u09fa-\\u09fb\\u09fd\\u0a76"
     "\\u0af0-\\u0af1\\u0b70\\u0bf3-\\u0bfa\\u0c77\\u0c7f\\u0c84\\u0d4f\\u0d79\\u0df4\\u0e3f\\u0e4f\\u0e5a-"
     "\\u0e5b\\u0f01-\\u0f17\\u0f1a-\\u0f1f\\u0f34\\u0f36\\u0f38\\u0f3a-\\u0f3d\\u0f85\\u0fbe-\\u0fc5\\u0fc7-"
     "\\u0fda\\u104a-\\u104f\\u109e-\\u109f\\u10fb\\u1360-\\u1368\\u1390-\\u1399\\u1400\\u166d-\\u166e\\u1680"
     "\\u169b-\\u169c\\u16eb-\\u16ed\\u1735-\\u1736\\u17d4-\\u17d6\\u17d8-\\u17db\\u1800-\\u180a\\u180e"
     "\\u1940-\\u1945\\u19de-\\u19ff\\u1a1e-\\u1a1f\\u1aa0-\\u1aa6\\u1aa8-\\u1aad\\u1b5a-\\u1b6a\\u1b74-"
     "\\u1b7e\\u1bfc-\\u1bff\\u1c3b-\\u1c3f\\u1c7e-\\u1c7f\\u1cc0-\\u1cc7\\u1cd3\\u1fbd\\u1fbf-\\u1fc1\\u1fcd-"
     "\\u1fcf\\u1fdd-\\u1fdf\\u1fed-\\u1fef\\u1ffd-\\u206f\\u207a-\\u207e\\u208a-\\u208e\\u20a0-\\u20c0"
     "\\u2100-\\u2101\\u2103-\\u2106\\u2108-\\u2109\\u2114\\u2116-\\u2118\\u211e-\\u2123\\u2125\\u2127\\u2129"
     "\\u212e\\u213a-\\u213b\\u2140-\\u2144\\u214a-\\u214d\\u214f\\u218a-\\u244a\\u249c-\\u24e9\\u2500-\\u2775"
     "\\u2794-\\u2bff\\u2ce5-\\u2cea\\u2cf9-\\u2cfc\\u2cfe-\\u2cff\\u2d70\\u2e00-\\u2e2e\\u2e30-\\u3004"
     "\\u3008-\\u3020\\u3030\\u3036-\\u3037\\u303d-\\u303f\\u309b-\\u309c\\u30a0\\u30fb\\u3190-\\u3191\\u3196-"
     "\\u319f\\u31c0-\\u31e3\\u3200-\\u321e\\u322a-\\u3247\\u3250\\u3260-\\u327f\\u328a-\\u32b0\\u32c0-\\u33ff"
     "\\u4dc0-\\u4dff\\ua490-\\ua4c6\\ua4fe-\\ua4ff\\ua60d-\\ua60f\\ua673\\ua67e\\ua6f2-\\ua716\\ua720-\\ua721"
     "\\ua789-\\ua78a\\ua828-\\ua82b\\ua836-\\ua839\\ua874-\\ua877\\ua8ce-\\ua8cf\\ua8f8-\\ua8fa\\ua8fc"
     "\\ua92e-\\ua92f\\ua95f\\ua9c1-\\ua9cd\\ua9de-\\ua9df\\uaa5c-\\uaa5f\\uaa77-\\uaa79\\uaade-\\uaadf"
     "\\uaaf0-\\uaaf1\\uab5b\\uab6a-\\uab6b\\uabeb\\ufb29\\ufbb2-\\ufbc2\\ufd3e-\\ufd4f\\ufdcf\\ufdfc-\\ufdff"
     "\\ufe10-\\ufe19\\ufe30-\\ufe6b\\ufeff-\\uff0f\\uff1a-\\uff20\\uff3b-\\uff40\\uff5b-\\uff65\\uffe0-"
     "\\ufffd\\U00010100-\\U00010102\\U00010137-\\U0001013f\\U00010179-\\U00010189\\U0001018c-\\U000101fc"
     "\\U0001039f\\U000103d0\\U0001056f\\U00010857\\U00010877-\\U00010878\\U0001091f\\U0001093f\\U00010a50-"
     "\\U00010a58\\U00010a7f\\U00010ac8\\U00010af0-\\U00010af6\\U00010b39-\\U00010b3f\\U00010b99-\\U00010b9c"
     "\\U00010ead\\U00010f55-\\U00010f59\\U00010f86-\\U00010f89\\U00011047-\\U0001104d\\U000110bb-\\U000110c1"
     "\\U000110cd\\U00011140-\\U00011143\\U00011174-\\U00011175\\U000111c5-\\U000111c8\\U000111cd\\U000111db"
     "\\U000111dd-\\U000111df\\U00011238-\\U0001123d\\U000112a9\\U0001144b-\\U0001144f\\U0001145a-\\U0001145d"
     "\\U000114c6\\U000115c1-\\U000115d7\\U00011641-\\U00011643\\U00011660-\\U0001166c\\U000116b9\\U0001173c-"
     "\\U0001173f\\U0001183b\\U00011944-\\U00011946\\U000119e2\\U00011a3f-\\U00011a46\\U00011a9a-\\U00011a9c"
     "\\U00011a9e-\\U00011aa2\\U00011c41-\\U00011c45\\U00011c70-\\U00011c71\\U00011ef7-\\U00011ef8\\U00011fd5-"
     "\\U00011fff\\U00012470-\\U00012474\\U00012ff1-\\U00012ff2\\U00013430-\\U00013438\\U00016a6e-\\U00016a6f"
     "\\U00016af5\\U00016b37-\\U00016b3f\\U00016b44-\\U00016b45\\U00016e97-\\U00016e9a\\U00016fe2\\U0001bc9c"
     "\\U0001bc9f-\\U0001bca3\\U0001cf50-\\U0001d164\\U0001d16a-\\U0001d16c\\U0001d173-\\U0001d17a\\U0001d183-"
     "\\U0001d184\\U0001d18c-\\U0001d1a9\\U0001d1ae-\\U0001d241\\U0001d245\\U0001d300-\\U0001d356\\U0001d6c1"
     "\\U0001d6db\\U0001d6fb\\U0001d715\\U0001d735\\U0001d74f\\U0001d76f\\U0001d789\\U0001d7a9\\U0001d7c3"
     "\\U0001d800-\\U0001d9ff\\U0001da37-\\U0001da3a\\U0001da6d-\\U0001da74\\U0001da76-\\U0001da83\\U0001da85-"
     "\\U0001da8b\\U0001e14f\\U0001e2ff\\U0001e95e-\\U0001e95f\\U0001ecac\\U0001ecb0\\U0001ed2e\\U0001eef0-"
     "\\U0001f0f5\\U0001f10d-\\U0001fbca\\U000e0001-\\U000e007f]+', ' ', 'g')) $fn$"),
    ("CREATE OR REPLACE FUNCTION radio_search_document(doc text) RETURNS tsvector\n"
     "            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE\n"
     "            AS $fn$ SELECT to_tsvector('simple'::regconfig, lower(regexp_replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "replace(replace(replace(substr(doc, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), '\u09dc', "
     "'\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), "
     "'\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', "
     "'4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9'), '[\\u0001-\\u002f"
     "\\u003a-\\u0040\\u005b-\\u0060\\u007b-\\u00a9\\u00ab-\\u00b1\\u00b4\\u00b6-\\u00b8\\u00bb\\u00bf\\u00d7"
     "\\u00f7\\u02c2-\\u02c5\\u02d2-\\u02df\\u02e5-\\u02eb\\u02ed\\u02ef-\\u02ff\\u0375\\u037e\\u0384-\\u0385"
     "\\u0387\\u03f6\\u0482\\u055a-\\u055f\\u0589-\\u058f\\u05be\\u05c0\\u05c3\\u05c6\\u05f3-\\u060f\\u061b-"
     "\\u061f\\u066a-\\u066d\\u06d4\\u06dd-\\u06de\\u06e9\\u06fd-\\u06fe\\u0700-\\u070f\\u07f6-\\u07f9\\u07fe-"
     "\\u07ff\\u0830-\\u083e\\u085e\\u0888\\u0890-\\u0891\\u08e2\\u0964-\\u0965\\u0970\\u09f2-\\u09f3\\u09fa-"
     "\\u09fb\\u09fd\\u0a76\\u0af0-\\u0af1\\u0b70\\u0bf3-\\u0bfa\\u0c77\\u0c7f\\u0c84\\u0d4f\\u0d79\\u0df4"
     "\\u0e3f\\u0e4f\\u0e5a-\\u0e5b\\u0f01-\\u0f17\\u0f1a-\\u0f1f\\u0f34\\u0f36\\u0f38\\u0f3a-\\u0f3d\\u0f85"
     "\\u0fbe-\\u0fc5\\u0fc7-\\u0fda\\u104a-\\u104f\\u109e-\\u109f\\u10fb\\u1360-\\u1368\\u1390-\\u1399\\u1400"
     "\\u166d-\\u166e\\u1680\\u169b-\\u169c\\u16eb-\\u16ed\\u1735-\\u1736\\u17d4-\\u17d6\\u17d8-\\u17db"
     "\\u1800-\\u180a\\u180e\\u1940-\\u1945\\u19de-\\u19ff\\u1a1e-\\u1a1f\\u1aa0-\\u1aa6\\u1aa8-\\u1aad"
     "\\u1b5a-\\u1b6a\\u1b74-\\u1b7e\\u1bfc-\\u1bff\\u1c3b-\\u1c3f\\u1c7e-\\u1c7f\\u1cc0-\\u1cc7\\u1cd3\\u1fbd"
     "\\u1fbf-\\u1fc1\\u1fcd-\\u1fcf\\u1fdd-\\u1fdf\\u1fed-\\u1fef\\u1ffd-\\u206f\\u207a-\\u207e\\u208a-"
     "\\u208e\\u20a0-\\u20c0\\u2100-\\u2101\\u2103-\\u2106\\u2108-\\u2109\\u2114\\u2116-\\u2118\\u211e-\\u2123"
     "\\u2125\\u2127\\u2129\\u212e\\u213a-\\u213b\\u2140-\\u2144\\u214a-\\u214d\\u214f\\u218a-\\u244a\\u249c-"
     "\\u24e9\\u2500-\\u2775\\u2794-\\u2bff\\u2ce5-\\u2cea\\u2cf9-\\u2cfc\\u2cfe-\\u2cff\\u2d70\\u2e00-\\u2e2e"
     "\\u2e30-\\u3004\\u3008-\\u3020\\u3030\\u3036-\\u3037\\u303d-\\u303f\\u309b-\\u309c\\u30a0\\u30fb\\u3190-"
     "\\u3191\\u3196-\\u319f\\u31c0-\\u31e3\\u3200-\\u321e\\u322a-\\u3247\\u3250\\u3260-\\u327f\\u328a-\\u32b0"
     "\\u32c0-\\u33ff\\u4dc0-\\u4dff\\ua490-\\ua4c6\\ua4fe-\\ua4ff\\ua60d-\\ua60f\\ua673\\ua67e\\ua6f2-\\ua716"
     "\\ua720-\\ua721\\ua789-\\ua78a\\ua828-\\ua82b\\ua836-\\ua839\\ua874-\\ua877\\ua8ce-\\ua8cf\\ua8f8-"
     "\\ua8fa\\ua8fc\\ua92e-\\ua92f\\ua95f\\ua9c1-\\ua9cd\\ua9de-\\ua9df\\uaa5c-\\uaa5f\\uaa77-\\uaa79\\uaade-"
     "\\uaadf\\uaaf0-\\uaaf1\\uab5b\\uab6a-\\uab6b\\uabeb\\ufb29\\ufbb2-\\ufbc2\\ufd3e-\\ufd4f\\ufdcf\\ufdfc-"
     "\\ufdff\\ufe10-\\ufe19\\ufe30-\\ufe6b\\ufeff-\\uff0f\\uff1a-\\uff20\\uff3b-\\uff40\\uff5b-\\uff65"
     "\\uffe0-\\ufffd\\U00010100-\\U00010102\\U00010137-\\U0001013f\\U00010179-\\U00010189\\U0001018c-"
     "\\U000101fc\\U0001039f\\U000103d0\\U0001056f\\U00010857\\U00010877-\\U00010878\\U0001091f\\U0001093f"
     "\\U00010a50-\\U00010a58\\U00010a7f\\U00010ac8\\U00010af0-\\U00010af6\\U00010b39-\\U00010b3f\\U00010b99-"
     "\\U00010b9c\\U00010ead\\U00010f55-\\U00010f59\\U00010f86-\\U00010f89\\U00011047-\\U0001104d\\U000110bb-"
     "\\U000110c1\\U000110cd\\U00011140-\\U00011143\\U00011174-\\U00011175\\U000111c5-\\U000111c8\\U000111cd"
     "\\U000111db\\U000111dd-\\U000111df\\U00011238-\\U0001123d\\U000112a9\\U0001144b-\\U0001144f\\U0001145a-"
     "\\U0001145d\\U000114c6\\U000115c1-\\U000115d7\\U00011641-\\U00011643\\U00011660-\\U0001166c\\U000116b9"
     "\\U0001173c-\\U0001173f\\U0001183b\\U00011944-\\U00011946\\U000119e2\\U00011a3f-\\U00011a46\\U00011a9a-"
     "\\U00011a9c\\U00011a9e-\\U00011aa2\\U00011c41-\\U00011c45\\U00011c70-\\U00011c71\\U00011ef7-\\U00011ef8"
     "\\U00011fd5-\\U00011fff\\U00012470-\\U00012474\\U00012ff1-\\U00012ff2\\U00013430-\\U00013438\\U00016a6e-"
     "\\U00016a6f\\U00016af5\\U00016b37-\\U00016b3f\\U00016b44-\\U00016b45\\U00016e97-\\U00016e9a\\U00016fe2"
     "\\U0001bc9c\\U0001bc9f-\\U0001bca3\\U0001cf50-\\U0001d164\\U0001d16a-\\U0001d16c\\U0001d173-\\U0001d17a"
     "\\U0001d183-\\U0001d184\\U0001d18c-\\U0001d1a9\\U0001d1ae-\\U0001d241\\U0001d245\\U0001d300-\\U0001d356"
     "\\U0001d6c1\\U0001d6db\\U0001d6fb\\U0001d715\\U0001d735\\U0001d74f\\U0001d76f\\U0001d789\\U0001d7a9"
     "\\U0001d7c3\\U0001d800-\\U0001d9ff\\U0001da37-\\U0001da3a\\U0001da6d-\\U0001da74\\U0001da76-\\U0001da83"
     "\\U0001da85-\\U0001da8b\\U0001e14f\\U0001e2ff\\U0001e95e-\\U0001e95f\\U0001ecac\\U0001ecb0\\U0001ed2e"
     "\\U0001eef0-\\U0001f0f5\\U0001f10d-\\U0001fbca\\U000e0001-\\U000e007f]+', ' ', 'g'))) $fn$"),
    "CREATE INDEX search_segments_gin ON segments USING gin (radio_search_document(text))",
    ("CREATE INDEX search_episodes_gin ON episodes USING gin (radio_search_document(episodes.title || ' ' || "
     "episodes.title_bn || ' ' || episodes.title_en || ' ' || episodes.description || ' ' || "
     "episodes.description_bn || ' ' || episodes.description_en))"),
]

POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_segments_gin",
    "DROP INDEX IF EXISTS search_episodes_gin",
    "DROP FUNCTION IF EXISTS radio_search_document(text)",
    "DROP FUNCTION IF EXISTS radio_search_text(text)",
]

def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(sa.text(statement))


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('codes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('guid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('parent_id', sa.String(length=32), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_codes_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['codes.id'], name=op.f('fk_codes_parent_id_codes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codes')),
    sa.UniqueConstraint('guid', name=op.f('uq_codes_guid')),
    sa.UniqueConstraint('name_key', name=op.f('uq_codes_name_key'))
    )
    with op.batch_alter_table('codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codes_parent_id'), ['parent_id'], unique=False)

    op.create_table('segment_codes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('segment_id', sa.String(length=32), nullable=False),
    sa.Column('code_id', sa.String(length=32), nullable=False),
    sa.Column('episode_id', sa.String(length=32), nullable=False),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['codes.id'], name=op.f('fk_segment_codes_code_id_codes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_segment_codes_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_segment_codes_episode_id_episodes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_segment_codes_segment_id_segments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segment_codes')),
    sa.UniqueConstraint('segment_id', 'code_id', name='segment_code')
    )
    with op.batch_alter_table('segment_codes', schema=None) as batch_op:
        batch_op.create_index('ix_segment_codes_code_episode', ['code_id', 'episode_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_segment_codes_segment_id'), ['segment_id'], unique=False)

    # ### end Alembic commands ###
    if op.get_bind().dialect.name == "sqlite":
        _run(SQLITE_CREATE + SQLITE_REBUILD)
    else:
        _run(POSTGRES_CREATE)


def downgrade() -> None:
    _run(SQLITE_DROP if op.get_bind().dialect.name == "sqlite" else POSTGRES_DROP)
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('segment_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segment_codes_segment_id'))
        batch_op.drop_index('ix_segment_codes_code_episode')

    op.drop_table('segment_codes')
    with op.batch_alter_table('codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codes_parent_id'))

    op.drop_table('codes')
    # ### end Alembic commands ###
