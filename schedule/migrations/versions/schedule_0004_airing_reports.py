"""airing reports: whether each planned occurrence aired, with every confirmation and correction kept

Revision ID: schedule_0004
Revises: schedule_0003
Create Date: 2026-12-02 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'schedule_0004'
down_revision = 'schedule_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('airing_reports',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('broadcast_id', sa.String(length=32), nullable=False),
    sa.Column('station_id', sa.String(length=32), nullable=False),
    sa.Column('occurrence_key', sa.String(length=19), nullable=False),
    sa.Column('occurrence_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('aired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=True),
    sa.Column('via', sa.String(length=5), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('confirmed_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('aired','partial','missed')", name=op.f('ck_airing_reports_status')),
    sa.CheckConstraint("via IN ('web','api','sms')", name=op.f('ck_airing_reports_via')),
    sa.CheckConstraint("reason IS NULL OR reason IN ('power_cut','technical','preempted','other')",
                       name=op.f('ck_airing_reports_reason')),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_airing_reports_broadcast_id_broadcasts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['confirmed_by'], ['users.id'], name=op.f('fk_airing_reports_confirmed_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_airing_reports_station_id_stations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_airing_reports'))
    )
    with op.batch_alter_table('airing_reports', schema=None) as batch_op:
        batch_op.create_index('ix_airing_reports_occurrence', ['broadcast_id', 'occurrence_key'], unique=False)
        batch_op.create_index('ix_airing_reports_station_start', ['station_id', 'occurrence_start'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('airing_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_airing_reports_station_start')
        batch_op.drop_index('ix_airing_reports_occurrence')
    op.drop_table('airing_reports')
