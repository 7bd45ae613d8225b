"""schedule: stored calendar fragments, the station on each override, a calendar version per station kept by
triggers, indexes for the calendar validator

Revision ID: schedule_0002
Revises: schedule_0001
Create Date: 2026-11-29 05:17:43.481443
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Every insert, update or delete of a station's broadcasts, overrides or feedback bumps the station's
# calendar_version inside the same transaction: the ETag then turns exactly when the change commits, whatever
# the order of timestamps, and a 304 reads one row instead of aggregating all the station's bookings.
# A later SQLite batch migration that copies one of these tables drops its triggers: create them again there
# (tests/test_feeds.py::test_every_change_of_a_stations_bookings_bumps_its_calendar_version fails otherwise).
CALENDAR_SOURCES = ("broadcasts", "broadcast_overrides", "feedback_reports")
# PostgreSQL: statement-level triggers with transition tables (one UPDATE of each station per statement: a
# row-level trigger would update the same station row once per inserted booking, slowing bulk loads down).
_PG_FUNCTION = """
CREATE FUNCTION bump_station_calendar() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE stations SET calendar_version = calendar_version + 1
        WHERE id IN (SELECT station_id FROM new_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE stations SET calendar_version = calendar_version + 1
        WHERE id IN (SELECT station_id FROM new_rows UNION SELECT station_id FROM old_rows);
    ELSE
        UPDATE stations SET calendar_version = calendar_version + 1
        WHERE id IN (SELECT station_id FROM old_rows);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
_EVENTS = (("INSERT", "NEW TABLE AS new_rows", "NEW.station_id"),
           ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "OLD.station_id, NEW.station_id"),
           ("DELETE", "OLD TABLE AS old_rows", "OLD.station_id"))


def _create_triggers() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(_PG_FUNCTION)
    for table in CALENDAR_SOURCES:
        for event, transition, stations in _EVENTS:
            name = f"tr_{table}_calendar_{event.lower()}"
            if postgresql:
                op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition} "
                           "FOR EACH STATEMENT EXECUTE FUNCTION bump_station_calendar()")
            else:
                op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN UPDATE stations "
                           f"SET calendar_version = calendar_version + 1 WHERE id IN ({stations}); END")


def _drop_triggers() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in CALENDAR_SOURCES:
        for event, _, _ in _EVENTS:
            on_table = f" ON {table}" if postgresql else ""
            op.execute(f"DROP TRIGGER IF EXISTS tr_{table}_calendar_{event.lower()}{on_table}")
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS bump_station_calendar()")


revision = 'schedule_0002'
down_revision = 'schedule_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_fragments',
    sa.Column('broadcast_id', sa.String(length=32), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
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

    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_version', sa.Integer(), server_default='0', nullable=False))
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    op.execute("ALTER TABLE stations DROP COLUMN calendar_version")  # a batch copy of stations breaks its FKs

    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_index('ix_broadcasts_station_episode')

    with op.batch_alter_table('broadcast_overrides', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_broadcast_overrides_station_id_stations'), type_='foreignkey')
        batch_op.drop_index('ix_broadcast_overrides_station_episode')
        batch_op.drop_column('station_id')

    op.drop_table('calendar_fragments')
