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

from transcripts import search_schema, search_schema_0002

revision = 'transcripts_0003'
down_revision = 'transcripts_0002'
branch_labels = None
depends_on = None


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(sa.text(statement))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _run(search_schema_0002.sqlite_drop() + search_schema.sqlite_create() + search_schema.sqlite_rebuild())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _run(search_schema.sqlite_drop() + search_schema_0002.sqlite_create() + search_schema_0002.sqlite_rebuild())
