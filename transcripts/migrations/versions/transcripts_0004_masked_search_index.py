"""search index: a second index of the masked text for non-admins, and a vocabulary of indexed words

Issue 12: for every reader but an admin, matching, totals and snippets are computed on the text with contact
details masked, so no query (phrase-prefix probes such as ``"on 01"*`` included) can tell masked digits apart.
``segments.redacted_text`` (and ``episodes.redacted_document``, episodes_0003) hold the masked copy, NULL when
nothing is masked. SQLite: ``search_fts`` (as written, admins) and ``search_fts_masked`` (masked, everyone else),
each with an ``fts5vocab`` table of its words. PostgreSQL: GIN indexes over the masked text beside the existing
ones, and ``search_terms``, every indexed word, kept by statement triggers.

Issue 14: the vocabularies let a query word be expanded into its inflected forms (transcripts.bangla_inflection).

This migration cannot run the redaction rules (Python of the application): rows that might hold a phone number
or an address get an empty masked copy (fail closed: not found by non-admins) until ``radio search --reindex``
computes the real one.

Revision ID: transcripts_0004
Revises: transcripts_0003
Create Date: 2026-12-02 10:55:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = 'transcripts_0004'
down_revision = 'transcripts_0003'
branch_labels = None
depends_on = 'episodes_0003'

# Frozen: the SQL written out (see transcripts_0002), never built from today's code. Non-ASCII characters are
# \u escapes.

# Anything that could be part of a phone number or an e-mail address (any script's digits, @, a spoken "at").
MAY_HOLD_CONTACT = re.compile("\\d|@|\uff20|\\bat\\b|\u098f\u099f|\u0985\u09cd\u09af\u09be\u099f", re.IGNORECASE)

# The index of transcripts_0003, dropped by the upgrade and made again by the downgrade.
SQLITE_0003_DROP = [
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

SQLITE_0003_CREATE = [
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

SQLITE_0003_REBUILD = [
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

SQLITE_CREATE = [
    'CREATE TABLE search_episode_facets (ep_no INTEGER PRIMARY KEY AUTOINCREMENT, episode_id VARCHAR(32) NOT NULL UNIQUE, restricted BOOLEAN NOT NULL, language VARCHAR(2) NOT NULL, kind VARCHAR(20) NOT NULL, campaign VARCHAR(100) NOT NULL, recorded DATE, districts TEXT NOT NULL)',
    'CREATE TABLE search_rows (doc_id INTEGER PRIMARY KEY, segment_id VARCHAR(32) UNIQUE)',
    'CREATE VIRTUAL TABLE search_fts USING fts5(body, content=\'\', tokenize="unicode61 remove_diacritics 0 categories \'L* N* Co M*\'")',
    'CREATE VIRTUAL TABLE search_fts_masked USING fts5(body, content=\'\', tokenize="unicode61 remove_diacritics 0 categories \'L* N* Co M*\'")',
    "CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row')",
    "CREATE VIRTUAL TABLE search_vocab_masked USING fts5vocab(search_fts_masked, 'row')",
    "CREATE TRIGGER search_episodes_insert AFTER INSERT ON episodes BEGIN\n            INSERT INTO search_episode_facets (episode_id, restricted, language, kind, campaign, recorded, districts)\n                VALUES (new.id, new.restricted, new.language, new.kind, new.campaign, coalesce(new.recorded_on, date(new.created_at)), coalesce((SELECT char(31) || group_concat(lower(d.value), char(31)) || char(31) FROM json_each(new.districts) AS d), ''));\n            INSERT INTO search_rows (doc_id, segment_id) VALUES (last_insert_rowid() << 20, NULL);\n            INSERT INTO search_fts(rowid, body) SELECT doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(new.title || ' ' || new.title_bn || ' ' || new.title_en || ' ' || new.description || ' ' || new.description_bn || ' ' || new.description_en, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE doc_id = (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.id);\n            INSERT INTO search_fts_masked(rowid, body) SELECT doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(coalesce(new.redacted_document, new.title || ' ' || new.title_bn || ' ' || new.title_en || ' ' || new.description || ' ' || new.description_bn || ' ' || new.description_en), 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE doc_id = (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.id);\n        END",
    "CREATE TRIGGER search_episodes_update AFTER UPDATE OF title, title_bn, title_en, description, description_bn, description_en, redacted_document ON episodes BEGIN\n            INSERT INTO search_fts(search_fts, rowid, body) SELECT 'delete', doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(old.title || ' ' || old.title_bn || ' ' || old.title_en || ' ' || old.description || ' ' || old.description_bn || ' ' || old.description_en, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE doc_id = (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = old.id);\n            INSERT INTO search_fts_masked(search_fts_masked, rowid, body) SELECT 'delete', doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(coalesce(old.redacted_document, old.title || ' ' || old.title_bn || ' ' || old.title_en || ' ' || old.description || ' ' || old.description_bn || ' ' || old.description_en), 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE doc_id = (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = old.id);\n            INSERT INTO search_fts(rowid, body) SELECT doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(new.title || ' ' || new.title_bn || ' ' || new.title_en || ' ' || new.description || ' ' || new.description_bn || ' ' || new.description_en, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE doc_id = (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.id);\n            INSERT INTO search_fts_masked(rowid, body) SELECT doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(coalesce(new.redacted_document, new.title || ' ' || new.title_bn || ' ' || new.title_en || ' ' || new.description || ' ' || new.description_bn || ' ' || new.description_en), 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE doc_id = (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.id);\n        END",
    "CREATE TRIGGER search_episodes_facets AFTER UPDATE OF restricted, language, kind, campaign, recorded_on, created_at, districts ON episodes BEGIN\n            UPDATE search_episode_facets SET restricted = new.restricted, language = new.language, kind = new.kind, campaign = new.campaign, recorded = coalesce(new.recorded_on, date(new.created_at)), districts = coalesce((SELECT char(31) || group_concat(lower(d.value), char(31)) || char(31) FROM json_each(new.districts) AS d), '') WHERE episode_id = new.id;\n        END",
    "CREATE TRIGGER search_episodes_delete AFTER DELETE ON episodes BEGIN\n            INSERT INTO search_fts(search_fts, rowid, body) SELECT 'delete', doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(old.title || ' ' || old.title_bn || ' ' || old.title_en || ' ' || old.description || ' ' || old.description_bn || ' ' || old.description_en, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE doc_id = (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = old.id);\n            INSERT INTO search_fts_masked(search_fts_masked, rowid, body) SELECT 'delete', doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(coalesce(old.redacted_document, old.title || ' ' || old.title_bn || ' ' || old.title_en || ' ' || old.description || ' ' || old.description_bn || ' ' || old.description_en), 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE doc_id = (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = old.id);\n            DELETE FROM search_rows WHERE doc_id = (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = old.id);\n            DELETE FROM search_episode_facets WHERE episode_id = old.id;\n        END",
    "CREATE TRIGGER search_segments_insert AFTER INSERT ON segments BEGIN\n            SELECT RAISE(ABORT, 'search index: no document id for a segment of this episode') WHERE coalesce((SELECT max(doc_id) + 1 FROM search_rows WHERE doc_id BETWEEN (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) AND (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) + 1048575) & 1048575, 0) = 0;\n            INSERT INTO search_rows (doc_id, segment_id) VALUES ((SELECT max(doc_id) + 1 FROM search_rows WHERE doc_id BETWEEN (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) AND (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) + 1048575), new.id);\n            INSERT INTO search_fts(rowid, body) SELECT doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(new.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE segment_id = new.id;\n            INSERT INTO search_fts_masked(rowid, body) SELECT doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(coalesce(new.redacted_text, new.text), 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE segment_id = new.id;\n        END",
    "CREATE TRIGGER search_segments_update AFTER UPDATE OF text, redacted_text, episode_id ON segments\n        BEGIN\n            INSERT INTO search_fts(search_fts, rowid, body) SELECT 'delete', doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(old.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE segment_id = old.id;\n            INSERT INTO search_fts_masked(search_fts_masked, rowid, body) SELECT 'delete', doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(coalesce(old.redacted_text, old.text), 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE segment_id = old.id;\n            SELECT RAISE(ABORT, 'search index: no document id for a segment of this episode') WHERE new.episode_id IS NOT old.episode_id AND coalesce((SELECT max(doc_id) + 1 FROM search_rows WHERE doc_id BETWEEN (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) AND (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) + 1048575) & 1048575, 0) = 0;\n            UPDATE search_rows SET doc_id = (SELECT max(doc_id) + 1 FROM search_rows WHERE doc_id BETWEEN (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) AND (SELECT ep_no << 20 FROM search_episode_facets WHERE episode_id = new.episode_id) + 1048575) WHERE segment_id = new.id AND new.episode_id IS NOT old.episode_id;\n            INSERT INTO search_fts(rowid, body) SELECT doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(new.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE segment_id = new.id;\n            INSERT INTO search_fts_masked(rowid, body) SELECT doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(coalesce(new.redacted_text, new.text), 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE segment_id = new.id;\n        END",
    "CREATE TRIGGER search_segments_delete AFTER DELETE ON segments BEGIN\n            INSERT INTO search_fts(search_fts, rowid, body) SELECT 'delete', doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(old.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE segment_id = old.id;\n            INSERT INTO search_fts_masked(search_fts_masked, rowid, body) SELECT 'delete', doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(coalesce(old.redacted_text, old.text), 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows WHERE segment_id = old.id;\n            DELETE FROM search_rows WHERE segment_id = old.id;\n        END",
]

SQLITE_REBUILD = [
    "INSERT INTO search_fts(search_fts) VALUES ('delete-all')",
    "INSERT INTO search_fts_masked(search_fts_masked) VALUES ('delete-all')",
    'DELETE FROM search_rows',
    'DELETE FROM search_episode_facets',
    "DELETE FROM sqlite_sequence WHERE name = 'search_episode_facets'",
    "INSERT INTO search_episode_facets (episode_id, restricted, language, kind, campaign, recorded, districts) SELECT e.id, e.restricted, e.language, e.kind, e.campaign, coalesce(e.recorded_on, date(e.created_at)), coalesce((SELECT char(31) || group_concat(lower(d.value), char(31)) || char(31) FROM json_each(e.districts) AS d), '') FROM episodes e ORDER BY e.created_at, e.id",
    'INSERT INTO search_rows (doc_id, segment_id) SELECT ep_no << 20, NULL FROM search_episode_facets',
    'INSERT INTO search_rows (doc_id, segment_id) SELECT (f.ep_no << 20) + row_number() OVER (PARTITION BY f.ep_no ORDER BY s.start, s.idx, s.id), s.id FROM segments s JOIN search_episode_facets f ON f.episode_id = s.episode_id',
    "INSERT INTO search_fts(rowid, body) SELECT f.ep_no << 20, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(e.title || ' ' || e.title_bn || ' ' || e.title_en || ' ' || e.description || ' ' || e.description_bn || ' ' || e.description_en, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_episode_facets f JOIN episodes e ON e.id = f.episode_id ORDER BY f.ep_no",
    "INSERT INTO search_fts(rowid, body) SELECT r.doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(s.text, 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows r JOIN segments s ON s.id = r.segment_id ORDER BY r.doc_id",
    "INSERT INTO search_fts(search_fts) VALUES ('optimize')",
    "INSERT INTO search_fts_masked(rowid, body) SELECT f.ep_no << 20, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(coalesce(e.redacted_document, e.title || ' ' || e.title_bn || ' ' || e.title_en || ' ' || e.description || ' ' || e.description_bn || ' ' || e.description_en), 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_episode_facets f JOIN episodes e ON e.id = f.episode_id ORDER BY f.ep_no",
    "INSERT INTO search_fts_masked(rowid, body) SELECT r.doc_id, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(coalesce(s.redacted_text, s.text), 1, 100000), '\u200c', ''), '\u200d', ''), '\xad', ''), '\u09dc', '\u09a1\u09bc'), '\u09dd', '\u09a2\u09bc'), '\u09df', '\u09af\u09bc'), '\u09c7\u09be', '\u09cb'), '\u09c7\u09d7', '\u09cc'), '\u09e6', '0'), '\u09e7', '1'), '\u09e8', '2'), '\u09e9', '3'), '\u09ea', '4'), '\u09eb', '5'), '\u09ec', '6'), '\u09ed', '7'), '\u09ee', '8'), '\u09ef', '9') FROM search_rows r JOIN segments s ON s.id = r.segment_id ORDER BY r.doc_id",
    "INSERT INTO search_fts_masked(search_fts_masked) VALUES ('optimize')",
]

SQLITE_DROP = [
    'DROP TRIGGER IF EXISTS search_segments_insert',
    'DROP TRIGGER IF EXISTS search_segments_update',
    'DROP TRIGGER IF EXISTS search_segments_delete',
    'DROP TRIGGER IF EXISTS search_episodes_insert',
    'DROP TRIGGER IF EXISTS search_episodes_update',
    'DROP TRIGGER IF EXISTS search_episodes_delete',
    'DROP TRIGGER IF EXISTS search_episodes_facets',
    'DROP TABLE IF EXISTS search_vocab',
    'DROP TABLE IF EXISTS search_vocab_masked',
    'DROP TABLE IF EXISTS search_fts',
    'DROP TABLE IF EXISTS search_fts_masked',
    'DROP TABLE IF EXISTS search_rows',
    'DROP TABLE IF EXISTS search_episode_facets',
]

POSTGRES_CREATE = [
    'CREATE INDEX search_segments_masked_gin ON segments USING gin (radio_search_document(coalesce(segments.redacted_text, segments.text)))',
    "CREATE INDEX search_episodes_masked_gin ON episodes USING gin (radio_search_document(coalesce(episodes.redacted_document, episodes.title || ' ' || episodes.title_bn || ' ' || episodes.title_en || ' ' || episodes.description || ' ' || episodes.description_bn || ' ' || episodes.description_en)))",
    'CREATE TABLE search_terms (term text COLLATE "C" PRIMARY KEY)',
    "CREATE OR REPLACE FUNCTION radio_search_terms_segments() RETURNS trigger LANGUAGE plpgsql AS $fn$\n        BEGIN\n            INSERT INTO search_terms (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n                unnest(radio_search_document(n.text || ' ' || coalesce(n.redacted_text, n.text))) AS w ORDER BY 1 ON CONFLICT DO NOTHING;\n            RETURN NULL;\n        END $fn$",
    'CREATE TRIGGER search_segments_terms_insert AFTER INSERT ON segments REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION radio_search_terms_segments()',
    'CREATE TRIGGER search_segments_terms_update AFTER UPDATE ON segments REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION radio_search_terms_segments()',
    "CREATE OR REPLACE FUNCTION radio_search_terms_episodes() RETURNS trigger LANGUAGE plpgsql AS $fn$\n        BEGIN\n            INSERT INTO search_terms (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n                unnest(radio_search_document(n.title || ' ' || n.title_bn || ' ' || n.title_en || ' ' || n.description || ' ' || n.description_bn || ' ' || n.description_en || ' ' || coalesce(n.redacted_document, n.title || ' ' || n.title_bn || ' ' || n.title_en || ' ' || n.description || ' ' || n.description_bn || ' ' || n.description_en))) AS w ORDER BY 1 ON CONFLICT DO NOTHING;\n            RETURN NULL;\n        END $fn$",
    'CREATE TRIGGER search_episodes_terms_insert AFTER INSERT ON episodes REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION radio_search_terms_episodes()',
    'CREATE TRIGGER search_episodes_terms_update AFTER UPDATE ON episodes REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION radio_search_terms_episodes()',
    "INSERT INTO search_terms (term) SELECT lexeme FROM ( SELECT w.lexeme FROM segments n, unnest(radio_search_document(n.text || ' ' || coalesce(n.redacted_text, n.text))) w UNION SELECT w.lexeme FROM episodes n, unnest(radio_search_document(n.title || ' ' || n.title_bn || ' ' || n.title_en || ' ' || n.description || ' ' || n.description_bn || ' ' || n.description_en || ' ' || coalesce(n.redacted_document, n.title || ' ' || n.title_bn || ' ' || n.title_en || ' ' || n.description || ' ' || n.description_bn || ' ' || n.description_en))) w) words ORDER BY 1 ON CONFLICT DO NOTHING",
]

POSTGRES_DROP = [
    'DROP INDEX IF EXISTS search_segments_masked_gin',
    'DROP INDEX IF EXISTS search_episodes_masked_gin',
    'DROP TRIGGER IF EXISTS search_segments_terms_insert ON segments',
    'DROP TRIGGER IF EXISTS search_segments_terms_update ON segments',
    'DROP TRIGGER IF EXISTS search_episodes_terms_insert ON episodes',
    'DROP TRIGGER IF EXISTS search_episodes_terms_update ON episodes',
    'DROP FUNCTION IF EXISTS radio_search_terms_segments()',
    'DROP FUNCTION IF EXISTS radio_search_terms_episodes()',
    'DROP TABLE IF EXISTS search_terms',
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(sa.text(statement))


def _fail_closed() -> None:
    """An empty masked copy for every row that might hold contact details (the reindex computes the real one)."""
    bind = op.get_bind()
    for table, key, columns in (("segments", "redacted_text", ("text",)),):
        rows = bind.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM {table}")).all()
        suspect = [{"id": row[0]} for row in rows if MAY_HOLD_CONTACT.search(" ".join(v or "" for v in row[1:]))]
        if suspect:
            bind.execute(sa.text(f"UPDATE {table} SET {key} = '' WHERE id = :id"), suspect)


def upgrade() -> None:
    # Plain ALTER on both databases (SQLite 3.35+): a batch copy of the table would drop the search triggers.
    op.execute(sa.text("ALTER TABLE segments ADD COLUMN redacted_text TEXT"))
    _fail_closed()
    if op.get_bind().dialect.name == "sqlite":
        _run(SQLITE_0003_DROP + SQLITE_CREATE + SQLITE_REBUILD)
    else:
        _run(POSTGRES_CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _run(SQLITE_DROP + SQLITE_0003_CREATE + SQLITE_0003_REBUILD)
    else:
        _run(POSTGRES_DROP)
    op.execute(sa.text("ALTER TABLE segments DROP COLUMN redacted_text"))
