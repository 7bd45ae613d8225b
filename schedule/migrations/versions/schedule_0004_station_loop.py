"""airing reports and inbound messages: confirmations per occurrence (history kept), the SMS gateway's messages

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

# Gateway messages count in the calendar's feedback: they bump the station's calendar_version like
# feedback_reports do (the triggers of schedule_0002, same SQL; PostgreSQL reuses its function).
_EVENTS = (("INSERT", "NEW TABLE AS new_rows", "NEW.station_id"),
           ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "OLD.station_id, NEW.station_id"),
           ("DELETE", "OLD TABLE AS old_rows", "OLD.station_id"))


def _create_triggers(table: str) -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for event, transition, stations in _EVENTS:
        name = f"tr_{table}_calendar_{event.lower()}"
        if postgresql:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION bump_station_calendar()")
        else:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN UPDATE stations "
                       f"SET calendar_version = calendar_version + 1 WHERE id IN ({stations}); END")


def _drop_triggers(table: str) -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for event, _, _ in _EVENTS:
        on_table = f" ON {table}" if postgresql else ""
        op.execute(f"DROP TRIGGER IF EXISTS tr_{table}_calendar_{event.lower()}{on_table}")


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

    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gateway', sa.String(length=10), server_default='json', nullable=False))
        batch_op.add_column(sa.Column('webhook_secret_version', sa.Integer(), server_default='0', nullable=False))
    op.create_table('inbound_messages',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('station_id', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=10), nullable=False),
    sa.Column('provider_id', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('sender_hash', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('local_day', sa.String(length=10), nullable=False),
    sa.Column('purpose', sa.String(length=14), nullable=False),
    sa.Column('broadcast_id', sa.String(length=32), nullable=True),
    sa.Column('occurrence_key', sa.String(length=19), nullable=True),
    sa.Column('episode_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('sms','missed_call')", name=op.f('ck_inbound_messages_kind')),
    sa.CheckConstraint("purpose IN ('feedback','confirmation','unknown_code')", name=op.f('ck_inbound_messages_purpose')),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_inbound_messages_broadcast_id_broadcasts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_inbound_messages_episode_id_episodes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_inbound_messages_station_id_stations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('station_id', 'provider', 'provider_id', name='uq_inbound_messages_provider_id')
    )
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_messages_occurrence', ['broadcast_id', 'occurrence_key'], unique=False)
        batch_op.create_index('ix_inbound_messages_station_at', ['station_id', 'at'], unique=False)
    _create_triggers('inbound_messages')


def downgrade() -> None:
    _drop_triggers('inbound_messages')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_messages_station_at')
        batch_op.drop_index('ix_inbound_messages_occurrence')
    op.drop_table('inbound_messages')
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('webhook_secret_version')
        batch_op.drop_column('gateway')
    with op.batch_alter_table('airing_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_airing_reports_station_start')
        batch_op.drop_index('ix_airing_reports_occurrence')
    op.drop_table('airing_reports')
