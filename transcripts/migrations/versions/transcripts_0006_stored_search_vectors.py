"""search index (PostgreSQL): stored tsvector columns instead of GIN expression indexes

Issue 14: a GIN index answers a phrase lossily (word positions are rechecked on the row), and the index of
transcripts_0002/0004 was over the expression ``radio_search_document(text)``, so every candidate row of a phrase
recomputed its document: phrase p95 3,250 ms at a million segments. ``segments`` and ``episodes`` now store each
reader's vector in a generated column (``search_vector``: the text as written, admins; ``search_vector_masked``:
the masked text, everyone else; STORED, so in step with the rows by construction), the four GIN indexes (same
names) are over those columns, and the vocabulary triggers read the stored vectors instead of recomputing them.
Filled here by the table rewrite of ADD COLUMN. SQLite is unchanged.

Revision ID: transcripts_0006
Revises: transcripts_0005
Create Date: 2026-12-03 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'transcripts_0006'
down_revision = 'transcripts_0005'
branch_labels = None
depends_on = None

# Frozen: the SQL written out (see transcripts_0002), never built from today's code.

EPISODE_DOCUMENT = ("episodes.title || ' ' || episodes.title_bn || ' ' || episodes.title_en || ' ' ||"
                    " episodes.description || ' ' || episodes.description_bn || ' ' || episodes.description_en")
INDEXES = ("search_segments_gin", "search_segments_masked_gin", "search_episodes_gin", "search_episodes_masked_gin")

POSTGRES_UPGRADE = [
    # The expression indexes first: the rewrite of ADD COLUMN would rebuild them for nothing.
    *(f"DROP INDEX IF EXISTS {name}" for name in INDEXES),
    ("ALTER TABLE segments ADD COLUMN search_vector tsvector GENERATED ALWAYS AS"
     " (radio_search_document(segments.text)) STORED, ADD COLUMN search_vector_masked tsvector GENERATED ALWAYS AS"
     " (radio_search_document(coalesce(segments.redacted_text, segments.text))) STORED"),
    (f"ALTER TABLE episodes ADD COLUMN search_vector tsvector GENERATED ALWAYS AS"
     f" (radio_search_document({EPISODE_DOCUMENT})) STORED, ADD COLUMN search_vector_masked tsvector GENERATED"
     f" ALWAYS AS (radio_search_document(coalesce(episodes.redacted_document, {EPISODE_DOCUMENT}))) STORED"),
    "CREATE INDEX search_segments_gin ON segments USING gin (search_vector)",
    "CREATE INDEX search_segments_masked_gin ON segments USING gin (search_vector_masked)",
    "CREATE INDEX search_episodes_gin ON episodes USING gin (search_vector)",
    "CREATE INDEX search_episodes_masked_gin ON episodes USING gin (search_vector_masked)",
    *(f"CREATE OR REPLACE FUNCTION radio_search_terms_{table}() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
      "        BEGIN\n"
      "            INSERT INTO search_terms (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n"
      "                unnest(n.search_vector) AS w ORDER BY 1 ON CONFLICT DO NOTHING;\n"
      "            INSERT INTO search_terms_masked (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n"
      "                unnest(n.search_vector_masked) AS w ORDER BY 1 ON CONFLICT DO NOTHING;\n"
      "            RETURN NULL;\n"
      "        END $fn$" for table in ("segments", "episodes")),
    # The planner's statistics of the new columns (its match estimates decide how a time-ordered page is fetched).
    "ANALYZE segments",
    "ANALYZE episodes",
]

# transcripts_0005's functions and transcripts_0002/0004's expression indexes, made again by the downgrade.
POSTGRES_DOWNGRADE = [
    ("CREATE OR REPLACE FUNCTION radio_search_terms_segments() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
     "        BEGIN\n"
     "            INSERT INTO search_terms (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n"
     "                unnest(radio_search_document(n.text)) AS w ORDER BY 1 ON CONFLICT DO NOTHING;\n"
     "            INSERT INTO search_terms_masked (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n"
     "                unnest(radio_search_document(coalesce(n.redacted_text, n.text))) AS w ORDER BY 1 ON"
     " CONFLICT DO NOTHING;\n"
     "            RETURN NULL;\n"
     "        END $fn$"),
    ("CREATE OR REPLACE FUNCTION radio_search_terms_episodes() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
     "        BEGIN\n"
     "            INSERT INTO search_terms (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n"
     "                unnest(radio_search_document(n.title || ' ' || n.title_bn || ' ' || n.title_en || '"
     " ' || n.description || ' ' || n.description_bn || ' ' || n.description_en)) AS w ORDER BY 1 ON"
     " CONFLICT DO NOTHING;\n"
     "            INSERT INTO search_terms_masked (term) SELECT DISTINCT w.lexeme FROM changed_rows n,\n"
     "                unnest(radio_search_document(coalesce(n.redacted_document, n.title || ' ' ||"
     " n.title_bn || ' ' || n.title_en || ' ' || n.description || ' ' || n.description_bn || ' ' ||"
     " n.description_en))) AS w ORDER BY 1 ON CONFLICT DO NOTHING;\n"
     "            RETURN NULL;\n"
     "        END $fn$"),
    *(f"DROP INDEX IF EXISTS {name}" for name in INDEXES),
    "ALTER TABLE segments DROP COLUMN search_vector, DROP COLUMN search_vector_masked",
    "ALTER TABLE episodes DROP COLUMN search_vector, DROP COLUMN search_vector_masked",
    "CREATE INDEX search_segments_gin ON segments USING gin (radio_search_document(text))",
    ("CREATE INDEX search_segments_masked_gin ON segments USING gin"
     " (radio_search_document(coalesce(segments.redacted_text, segments.text)))"),
    f"CREATE INDEX search_episodes_gin ON episodes USING gin (radio_search_document({EPISODE_DOCUMENT}))",
    ("CREATE INDEX search_episodes_masked_gin ON episodes USING gin"
     f" (radio_search_document(coalesce(episodes.redacted_document, {EPISODE_DOCUMENT})))"),
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
