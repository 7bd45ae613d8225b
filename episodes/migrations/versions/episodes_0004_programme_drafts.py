"""programmes: a draft status for rundowns being edited in the UI (issue 17)

Revision ID: episodes_0004
Revises: episodes_0003
Create Date: 2026-12-02 10:30:00
"""

from __future__ import annotations

from alembic import op

revision = 'episodes_0004'
down_revision = 'episodes_0003'
branch_labels = None
depends_on = None

OLD = "status IN ('queued','rendering','ready','failed')"
NEW = "status IN ('draft','queued','rendering','ready','failed')"


def upgrade() -> None:
    with op.batch_alter_table('programmes', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_programmes_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_programmes_status'), NEW)


def downgrade() -> None:
    op.execute("UPDATE programmes SET status = 'failed', error = 'draft dropped by a downgrade' "
               "WHERE status = 'draft'")
    with op.batch_alter_table('programmes', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_programmes_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_programmes_status'), OLD)
