"""search index (SQLite): document ids numbered by episode, episode filter values in search_episode_facets

Filters (restricted, language, kind, campaign, district, dates, station) are checked per match against a
small integer-keyed table instead of joining ``episodes`` (and ``search_rows``) for every match; an
episode's documents are one rowid range. The index is rebuilt and merged into one b-tree (``optimize``).
PostgreSQL is unchanged.

Revision ID: transcripts_0003
Revises: transcripts_0002
Create Date: 2026-11-29 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'transcripts_0003'
down_revision = 'transcripts_0002'
branch_labels = None
depends_on = None


# Frozen: the SQL of both indexes written out (see transcripts_0002), never built from today's code. A later
# change of the index is a new migration with its own SQL. Non-ASCII characters are \u escapes.

# The index of transcripts_0002, dropped by the upgrade and made again by the downgrade.
SQLITE_0002_DROP = [
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

SQLITE_0002_CREATE = [
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

SQLITE_0002_REBUILD = [
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

# The index this migration makes (document ids numbered by episode, filter values in search_episode_facets).
SQLITE_CREATE = [
    ("CREATE TABLE search_episode_facets (ep_no INTEGER PRIMARY KEY AUTOINCREMENT, episode_id VARCHAR(32) NOT "
     "NULL UNIQUE, restricted BOOLEAN NOT NULL, language VARCHAR(2) NOT NULL, kind VARCHAR(20) NOT NULL, "
     "campaign VARCHAR(100) NOT NULL, recorded DATE, districts TEXT NOT NULL)"),
    "CREATE TABLE search_rows (doc_id INTEGER PRIMARY KEY, segment_id VARCHAR(32) UNIQUE)",
    ("CREATE VIRTUAL TABLE search_fts USING fts5(body, content='', tokenize=\"unicode61 remove_diacritics 0 "
     "categories 'L* N* Co M*'\")"),
    ("CREATE TRIGGER search_episodes_insert AFTER INSERT ON episodes BEGIN\n"
     "            INSERT INTO search_episode_facets (episode_id, restricted, language, kind, campaign, "
     "recorded, districts)\n"
     "                VALUES (new.id, new.restricted, new.language, new.kind, new.campaign, coalesce("
     "new.recorded_on, date(new.created_at)), coalesce((SELECT char(31) || group_concat(lower(d.value), "
     "char(31)) || char(31) FROM json_each(new.districts) AS d), ''));\n"
     "            INSERT INTO search_rows (doc_id, segment_id) VALUES (last_insert_rowid() << 20, NULL);\n"
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
     "'\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE doc_id = (SELECT ep_no << 20 FROM "
     "search_episode_facets WHERE episode_id = old.id);\n"
     "            INSERT INTO search_fts(rowid, body) SELECT doc_id, replace(replace(replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "substr(new.title || ' ' || new.title_bn || ' ' || new.title_en || ' ' || new.description || ' ' || "
     "new.description_bn || ' ' || new.description_en, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', "
     "''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', "
     "'\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), "
     "'\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM "
     "search_rows WHERE doc_id = (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.id);\n"
     "        END"),
    ("CREATE TRIGGER search_episodes_facets AFTER UPDATE OF restricted, language, kind, campaign, "
     "recorded_on, created_at, districts ON episodes BEGIN\n"
     "            UPDATE search_episode_facets SET restricted = new.restricted, language = new.language, kind "
     "= new.kind, campaign = new.campaign, recorded = coalesce(new.recorded_on, date(new.created_at)), "
     "districts = coalesce((SELECT char(31) || group_concat(lower(d.value), char(31)) || char(31) FROM "
     "json_each(new.districts) AS d), '') WHERE episode_id = new.id;\n"
     "        END"),
    ("CREATE TRIGGER search_episodes_delete AFTER DELETE ON episodes BEGIN\n"
     "            INSERT INTO search_fts(search_fts, rowid, body) SELECT 'delete', doc_id, replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "replace(replace(replace(substr(old.title || ' ' || old.title_bn || ' ' || old.title_en || ' ' || "
     "old.description || ' ' || old.description_bn || ' ' || old.description_en, 1, 100000), '\u200c', ''), "
     "'\u200d', ''), '\u00ad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', "
     "'\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), "
     "'\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), "
     "'\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE doc_id = (SELECT ep_no << 20 FROM "
     "search_episode_facets WHERE episode_id = old.id);\n"
     "            DELETE FROM search_rows WHERE doc_id = (SELECT ep_no << 20 FROM search_episode_facets WHERE "
     "episode_id = old.id);\n"
     "            DELETE FROM search_episode_facets WHERE episode_id = old.id;\n"
     "        END"),
    ("CREATE TRIGGER search_segments_insert AFTER INSERT ON segments BEGIN\n"
     "            SELECT RAISE(ABORT, 'search index: no document id for a segment of this episode') WHERE "
     "coalesce((SELECT max(doc_id) + 1 FROM search_rows WHERE doc_id BETWEEN (SELECT ep_no << 20 FROM "
     "search_episode_facets WHERE episode_id = new.episode_id) AND (SELECT ep_no << 20 FROM "
     "search_episode_facets WHERE episode_id = new.episode_id) + 1048575) & 1048575, 0) = 0;\n"
     "            INSERT INTO search_rows (doc_id, segment_id) VALUES ((SELECT max(doc_id) + 1 FROM "
     "search_rows WHERE doc_id BETWEEN (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = "
     "new.episode_id) AND (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) + "
     "1048575), new.id);\n"
     "            INSERT INTO search_fts(rowid, body) VALUES (last_insert_rowid(), replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "replace(replace(substr(new.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), '\u09dc', "
     "'\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), "
     "'\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', "
     "'4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9'));\n"
     "        END"),
    ("CREATE TRIGGER search_segments_update AFTER UPDATE OF text, episode_id ON segments BEGIN\n"
     "            INSERT INTO search_fts(search_fts, rowid, body) SELECT 'delete', doc_id, replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "replace(replace(replace(substr(old.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), "
     "'\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', "
     "'\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), "
     "'\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM "
     "search_rows WHERE segment_id = old.id;\n"
     "            SELECT RAISE(ABORT, 'search index: no document id for a segment of this episode') WHERE "
     "new.episode_id IS NOT old.episode_id AND coalesce((SELECT max(doc_id) + 1 FROM search_rows WHERE doc_id "
     "BETWEEN (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) AND (SELECT "
     "ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) + 1048575) & 1048575, 0) = "
     "0;\n"
     "            UPDATE search_rows SET doc_id = (SELECT max(doc_id) + 1 FROM search_rows WHERE doc_id "
     "BETWEEN (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) AND (SELECT "
     "ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) + 1048575) WHERE segment_id = "
     "new.id AND new.episode_id IS NOT old.episode_id;\n"
     "            INSERT INTO search_fts(rowid, body) SELECT doc_id, replace(replace(replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "substr(new.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), '\u09dc', '\u09a1\u09bc'), "
     "'\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', "
     "'\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', "
     "'5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE segment_id "
     "= new.id;\n"
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
]

SQLITE_REBUILD = [
    "INSERT INTO search_fts(search_fts) VALUES ('delete-all')",
    "DELETE FROM search_rows",
    "DELETE FROM search_episode_facets",
    "DELETE FROM sqlite_sequence WHERE name = 'search_episode_facets'",
    ("INSERT INTO search_episode_facets (episode_id, restricted, language, kind, campaign, recorded, "
     "districts) SELECT e.id, e.restricted, e.language, e.kind, e.campaign, coalesce(e.recorded_on, date("
     "e.created_at)), coalesce((SELECT char(31) || group_concat(lower(d.value), char(31)) || char(31) FROM "
     "json_each(e.districts) AS d), '') FROM episodes e ORDER BY e.created_at, e.id"),
    "INSERT INTO search_rows (doc_id, segment_id) SELECT ep_no << 20, NULL FROM search_episode_facets",
    ("INSERT INTO search_rows (doc_id, segment_id) SELECT (f.ep_no << 20) + row_number() OVER (PARTITION BY "
     "f.ep_no ORDER BY s.start, s.idx, s.id), s.id FROM segments s JOIN search_episode_facets f ON "
     "f.episode_id = s.episode_id"),
    ("INSERT INTO search_fts(rowid, body) SELECT f.ep_no << 20, replace(replace(replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
     "substr(e.title || ' ' || e.title_bn || ' ' || e.title_en || ' ' || e.description || ' ' || "
     "e.description_bn || ' ' || e.description_en, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), "
     "'\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', "
     "'\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), "
     "'\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM "
     "search_episode_facets f JOIN episodes e ON e.id = f.episode_id ORDER BY f.ep_no"),
    ("INSERT INTO search_fts(rowid, body) SELECT r.doc_id, replace(replace(replace(replace(replace(replace("
     "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr("
     "s.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\u00ad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', "
     "'\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), "
     "'\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), "
     "'\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows r JOIN segments s ON "
     "s.id = r.segment_id ORDER BY r.doc_id"),
    "INSERT INTO search_fts(search_fts) VALUES ('optimize')",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_segments_insert",
    "DROP TRIGGER IF EXISTS search_segments_update",
    "DROP TRIGGER IF EXISTS search_segments_delete",
    "DROP TRIGGER IF EXISTS search_episodes_insert",
    "DROP TRIGGER IF EXISTS search_episodes_update",
    "DROP TRIGGER IF EXISTS search_episodes_delete",
    "DROP TRIGGER IF EXISTS search_episodes_facets",
    "DROP TABLE IF EXISTS search_fts",
    "DROP TABLE IF EXISTS search_rows",
    "DROP TABLE IF EXISTS search_episode_facets",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(sa.text(statement))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _run(SQLITE_0002_DROP + SQLITE_CREATE + SQLITE_REBUILD)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _run(SQLITE_DROP + SQLITE_0002_CREATE + SQLITE_0002_REBUILD)
