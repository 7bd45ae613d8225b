"""report indexes: the reach report reads messages, confirmations and feedback from covering indexes (issue 16)

Revision ID: schedule_0006
Revises: schedule_0005
Create Date: 2026-12-02 10:40:00
"""

from __future__ import annotations

from alembic import op

revision = 'schedule_0006'
down_revision = 'schedule_0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A year's report counts ~100,000 messages: reading them from the index alone, not the wide rows.
    op.create_index('ix_inbound_messages_report', 'inbound_messages',
                    ['station_id', 'purpose', 'kind', 'local_day', 'episode_id', 'sender_hash'], unique=False)
    op.create_index('ix_airing_reports_current', 'airing_reports',
                    ['broadcast_id', 'current', 'occurrence_key', 'status', 'reason'], unique=False)
    op.create_index('ix_feedback_reports_report', 'feedback_reports',
                    ['station_id', 'current', 'occurrence_start', 'episode_id', 'calls', 'sms', 'missed_calls',
                     'letters', 'in_person'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_feedback_reports_report', table_name='feedback_reports')
    op.drop_index('ix_airing_reports_current', table_name='airing_reports')
    op.drop_index('ix_inbound_messages_report', table_name='inbound_messages')
