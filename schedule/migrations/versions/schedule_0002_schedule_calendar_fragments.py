"""schedule: stored calendar fragments, the station on each override, indexes for the calendar validator

Revision ID: schedule_0002
Revises: schedule_0001
Create Date: 2026-11-29 05:17:43.481443
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import radio.db

revision = 'schedule_0002'
down_revision = 'schedule_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_fragments',
    sa.Column('broadcast_id', sa.String(length=32), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', radio.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_calendar_fragments_broadcast_id_broadcasts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('broadcast_id', name=op.f('pk_calendar_fragments'))
    )
    # Existing overrides take their broadcast's station before the column becomes NOT NULL.
    with op.batch_alter_table('broadcast_overrides', schema=None) as batch_op:
        batch_op.add_column(sa.Column('station_id', sa.String(length=32), nullable=True))
    op.execute("UPDATE broadcast_overrides SET station_id = (SELECT broadcasts.station_id FROM broadcasts "
               "WHERE broadcasts.id = broadcast_overrides.broadcast_id)")
    with op.batch_alter_table('broadcast_overrides', schema=None) as batch_op:
        batch_op.alter_column('station_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_index('ix_broadcast_overrides_station_episode', ['station_id', 'episode_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_broadcast_overrides_station_id_stations'), 'stations', ['station_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.create_index('ix_broadcasts_station_episode', ['station_id', 'episode_id'], unique=False)
        batch_op.drop_index('ix_broadcasts_station_updated')
        batch_op.create_index('ix_broadcasts_station_updated_sequence', ['station_id', 'updated_at', 'sequence'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_index('ix_broadcasts_station_updated_sequence')
        batch_op.create_index('ix_broadcasts_station_updated', ['station_id', 'updated_at'], unique=False)
        batch_op.drop_index('ix_broadcasts_station_episode')

    with op.batch_alter_table('broadcast_overrides', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_broadcast_overrides_station_id_stations'), type_='foreignkey')
        batch_op.drop_index('ix_broadcast_overrides_station_episode')
        batch_op.drop_column('station_id')

    op.drop_table('calendar_fragments')
