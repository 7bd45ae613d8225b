"""search index (PostgreSQL): a vocabulary of the masked text for every reader but an admin

Issue 12: ``search_terms`` held the words of the original and the masked texts alike, and a query word's
candidates are cut at a fixed number of words in term order, so words that only an original text holds (inside a
masked phone number or e-mail address) could push real masked forms out of a masked reader's expansion: an answer
that depended on hidden content. ``search_terms_masked`` holds the words of the masked text only (as SQLite's
``search_vocab_masked``); the statement triggers now write the original text's words to ``search_terms`` and the
masked text's to ``search_terms_masked``, each in term order, in that table order. Filled here from the rows;
``search_terms`` keeps what it holds (extra words are harmless for admins) until ``radio search --reindex``.
SQLite is unchanged.

Revision ID: transcripts_0005
Revises: transcripts_0004
Create Date: 2026-12-02 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'transcripts_0005'
down_revision = 'transcripts_0004'
branch_labels = None
depends_on = None

# Frozen: the SQL written out (see transcripts_0002), never built from today's code.

POSTGRES_UPGRADE = [
    'CREATE TABLE search_terms_masked (term text COLLATE "C" PRIMARY KEY)',
    ('CREATE OR REPLACE FUNCTION radio_search_terms_segments() RETURNS trigger LANGUAGE plpgsql AS $fn$\n'
     '        BEGIN\n'
     '            INSERT INTO search_terms (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n'
     '                unnest(radio_search_document(n.text)) AS w ORDER BY 1 ON CONFLICT DO NOTHING;\n'
     '            INSERT INTO search_terms_masked (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n'
     '                unnest(radio_search_document(coalesce(n.redacted_text, n.text))) AS w ORDER BY 1 ON'
     ' CONFLICT DO NOTHING;\n'
     '            RETURN NULL;\n'
     '        END $fn$'),
    ('CREATE OR REPLACE FUNCTION radio_search_terms_episodes() RETURNS trigger LANGUAGE plpgsql AS $fn$\n'
     '        BEGIN\n'
     '            INSERT INTO search_terms (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n'
     "                unnest(radio_search_document(n.title || ' ' || n.title_bn || ' ' || n.title_en || '"
     " ' || n.description || ' ' || n.description_bn || ' ' || n.description_en)) AS w ORDER BY 1 ON"
     ' CONFLICT DO NOTHING;\n'
     '            INSERT INTO search_terms_masked (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n'
     "                unnest(radio_search_document(coalesce(n.redacted_document, n.title || ' ' ||"
     " n.title_bn || ' ' || n.title_en || ' ' || n.description || ' ' || n.description_bn || ' ' ||"
     ' n.description_en))) AS w ORDER BY 1 ON CONFLICT DO NOTHING;\n'
     '            RETURN NULL;\n'
     '        END $fn$'),
    ("INSERT INTO search_terms_masked (term) SELECT lexeme FROM (SELECT w.lexeme FROM segments n,"
     " unnest(radio_search_document(coalesce(n.redacted_text, n.text))) w UNION SELECT w.lexeme FROM episodes n,"
     " unnest(radio_search_document(coalesce(n.redacted_document, n.title || ' ' || n.title_bn || ' ' ||"
     " n.title_en || ' ' || n.description || ' ' || n.description_bn || ' ' || n.description_en))) w) words"
     " ORDER BY 1 ON CONFLICT DO NOTHING"),
]

# The functions of transcripts_0004 (both texts' words into search_terms), made again by the downgrade.
POSTGRES_DOWNGRADE = [
    ("CREATE OR REPLACE FUNCTION radio_search_terms_segments() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
     "        BEGIN\n"
     "            INSERT INTO search_terms (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n"
     "                unnest(radio_search_document(n.text || ' ' || coalesce(n.redacted_text, n.text))) AS w"
     " ORDER BY 1 ON CONFLICT DO NOTHING;\n"
     "            RETURN NULL;\n"
     "        END $fn$"),
    ("CREATE OR REPLACE FUNCTION radio_search_terms_episodes() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
     "        BEGIN\n"
     "            INSERT INTO search_terms (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n"
     "                unnest(radio_search_document(n.title || ' ' || n.title_bn || ' ' || n.title_en || ' ' ||"
     " n.description || ' ' || n.description_bn || ' ' || n.description_en || ' ' || coalesce(n.redacted_document,"
     " n.title || ' ' || n.title_bn || ' ' || n.title_en || ' ' || n.description || ' ' || n.description_bn ||"
     " ' ' || n.description_en))) AS w ORDER BY 1 ON CONFLICT DO NOTHING;\n"
     "            RETURN NULL;\n"
     "        END $fn$"),
    ("INSERT INTO search_terms (term) SELECT term FROM search_terms_masked ORDER BY 1 ON CONFLICT DO NOTHING"),
    "DROP TABLE IF EXISTS search_terms_masked",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(sa.text(statement))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRES_UPGRADE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRES_DOWNGRADE)
