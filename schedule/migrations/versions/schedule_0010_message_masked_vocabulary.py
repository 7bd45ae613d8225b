"""inbound messages (PostgreSQL): a vocabulary of the masked text for researchers (issue 12)

``search_messages_terms`` held the words of the text as written and of the masked copy alike, so words only the
original holds (a masked number, an e-mail address) could push real masked forms out of a researcher's word
expansion, which is cut at a fixed number of words in term order. ``search_messages_terms_masked`` holds the
masked copy's words only (as SQLite's ``search_messages_vocab_masked``); the statement trigger now writes each
text's words to its own table. Filled here from the rows; ``search_messages_terms`` keeps what it holds (extra
words are harmless for admins) until ``radio search --reindex``. SQLite is unchanged.

Revision ID: schedule_0010
Revises: schedule_0009
Create Date: 2026-12-02 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'schedule_0010'
down_revision = 'schedule_0009'
branch_labels = None
depends_on = None

# Frozen: the SQL written out (see transcripts_0002), never built from today's code.

POSTGRES_UPGRADE = [
    'CREATE TABLE search_messages_terms_masked (term text COLLATE "C" PRIMARY KEY)',
    ('CREATE OR REPLACE FUNCTION radio_search_terms_messages() RETURNS trigger LANGUAGE plpgsql AS $fn$\n'
     '        BEGIN\n'
     '            INSERT INTO search_messages_terms (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n'
     '                unnest(radio_search_document(n.text)) AS w ORDER BY 1 ON CONFLICT DO NOTHING;\n'
     '            INSERT INTO search_messages_terms_masked (term) SELECT DISTINCT w.lexeme FROM'
     ' changed_rows n,\n'
     '                unnest(radio_search_document(coalesce(n.redacted_text, n.text))) AS w ORDER BY 1 ON'
     ' CONFLICT DO NOTHING;\n'
     '            RETURN NULL;\n'
     '        END $fn$'),
    ("INSERT INTO search_messages_terms_masked (term) SELECT lexeme FROM (SELECT w.lexeme FROM inbound_messages n,"
     " unnest(radio_search_document(coalesce(n.redacted_text, n.text))) w) words ORDER BY 1 ON CONFLICT DO NOTHING"),
]

# The function of schedule_0009 (both texts' words into search_messages_terms), made again by the downgrade.
POSTGRES_DOWNGRADE = [
    ("CREATE OR REPLACE FUNCTION radio_search_terms_messages() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
     "        BEGIN\n"
     "            INSERT INTO search_messages_terms (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n"
     "                unnest(radio_search_document(n.text || ' ' || coalesce(n.redacted_text, n.text))) AS w"
     " ORDER BY 1 ON CONFLICT DO NOTHING;\n"
     "            RETURN NULL;\n"
     "        END $fn$"),
    ("INSERT INTO search_messages_terms (term) SELECT term FROM search_messages_terms_masked ORDER BY 1"
     " ON CONFLICT DO NOTHING"),
    "DROP TABLE IF EXISTS search_messages_terms_masked",
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
