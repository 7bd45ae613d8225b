"""flights: accepted flights can be cancelled as a whole (issue 17)

Revision ID: schedule_0007
Revises: schedule_0006
Create Date: 2026-12-02 10:45:00
"""

from __future__ import annotations

from alembic import op

revision = 'schedule_0007'
down_revision = 'schedule_0006'
branch_labels = None
depends_on = None

OLD = "status IN ('proposed','accepted')"
NEW = "status IN ('proposed','accepted','cancelled')"


def upgrade() -> None:
    with op.batch_alter_table('flights', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_flights_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_flights_status'), NEW)


def downgrade() -> None:
    op.execute("UPDATE flights SET status = 'accepted' WHERE status = 'cancelled'")
    with op.batch_alter_table('flights', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_flights_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_flights_status'), OLD)
