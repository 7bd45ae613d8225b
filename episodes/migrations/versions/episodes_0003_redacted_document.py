"""episodes: the masked copy of an episode's searchable text (issue 12: non-admins search the redacted text)

``redacted_document`` holds title, titles and descriptions joined by a space with contact details masked, or
NULL when nothing in them is masked. The application computes it (radio.text_index); this migration cannot run
the redaction rules, so rows that might hold a phone number or an address get an empty copy (fail closed: such
an episode is not found by non-admins) until ``radio search --reindex`` computes the real one.

Revision ID: episodes_0003
Revises: episodes_0002
Create Date: 2026-12-02 10:50:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = 'episodes_0003'
down_revision = 'episodes_0002'
branch_labels = None
depends_on = None

FIELDS = ("title", "title_bn", "title_en", "description", "description_bn", "description_en")
# Anything that could be part of a phone number or an e-mail address (any script's digits, @, a spoken "at").
MAY_HOLD_CONTACT = re.compile("\\d|@|\uff20|\\bat\\b|\u098f\u099f|\u0985\u09cd\u09af\u09be\u099f", re.IGNORECASE)


def upgrade() -> None:
    # Plain ALTER on both databases (SQLite 3.35+): a batch copy of the table would drop the search triggers.
    op.execute(sa.text("ALTER TABLE episodes ADD COLUMN redacted_document TEXT"))
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT id, {', '.join(FIELDS)} FROM episodes")).all()
    suspect = [{"id": row[0]} for row in rows if MAY_HOLD_CONTACT.search(" ".join(v or "" for v in row[1:]))]
    if suspect:
        bind.execute(sa.text("UPDATE episodes SET redacted_document = '' WHERE id = :id"), suspect)


def downgrade() -> None:
    op.execute(sa.text("ALTER TABLE episodes DROP COLUMN redacted_document"))
