"""flights: campaign plans proposed as bookings and accepted at once (issue 17)

Revision ID: schedule_0005
Revises: schedule_0003
Create Date: 2026-12-02 03:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'schedule_0005'
down_revision = 'schedule_0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('flights',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('campaign', sa.String(length=100), nullable=False),
    sa.Column('stations', sa.JSON(), nullable=False),
    sa.Column('episodes', sa.JSON(), nullable=False),
    sa.Column('per_week', sa.Integer(), nullable=False),
    sa.Column('date_from', sa.Date(), nullable=False),
    sa.Column('date_to', sa.Date(), nullable=False),
    sa.Column('windows', sa.JSON(), nullable=False),
    sa.Column('proposed', sa.JSON(), nullable=False),
    sa.Column('unplaced', sa.JSON(), nullable=False),
    sa.Column('station_versions', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('broadcast_ids', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('proposed','accepted')", name=op.f('ck_flights_status')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_flights_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flights'))
    )
    with op.batch_alter_table('flights', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flights_campaign'), ['campaign'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('flights', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flights_campaign'))
    op.drop_table('flights')
