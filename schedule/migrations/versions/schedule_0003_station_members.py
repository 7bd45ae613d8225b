"""station members: the station a station user belongs to moves from users.station_id to station_members

The core's ``users`` table no longer names a schedule table; the link lives with the stations.

Revision ID: schedule_0003
Revises: schedule_0002
Create Date: 2026-12-02 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'schedule_0003'
down_revision = 'schedule_0002'
branch_labels = None
depends_on = 'core_0002'


def upgrade() -> None:
    op.create_table('station_members',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('station_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_station_members_station_id_stations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_station_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_station_members'))
    )
    with op.batch_alter_table('station_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_members_station_id'), ['station_id'], unique=False)
    op.execute(sa.text("INSERT INTO station_members (user_id, station_id, created_at)"
                       " SELECT id, station_id, created_at FROM users WHERE station_id IS NOT NULL"))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_station_id'))
        batch_op.drop_constraint(batch_op.f('fk_users_station_id_stations'), type_='foreignkey')
        batch_op.drop_column('station_id')


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('station_id', sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_station_id_stations'), 'stations', ['station_id'], ['id'],
                                    ondelete='RESTRICT')
        batch_op.create_index(batch_op.f('ix_users_station_id'), ['station_id'], unique=False)
    op.execute(sa.text("UPDATE users SET station_id = (SELECT m.station_id FROM station_members m"
                       " WHERE m.user_id = users.id)"))
    with op.batch_alter_table('station_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_members_station_id'))
    op.drop_table('station_members')
