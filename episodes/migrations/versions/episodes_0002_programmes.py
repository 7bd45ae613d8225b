"""programmes: rundowns rendered to a slot (issue 17)

Revision ID: episodes_0002
Revises: episodes_0001
Create Date: 2026-12-02 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'episodes_0002'
down_revision = 'episodes_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('programmes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=True),
    sa.Column('campaign', sa.String(length=100), nullable=True),
    sa.Column('slot_s', sa.Float(), nullable=False),
    sa.Column('crossfade_s', sa.Float(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('render_job_id', sa.String(length=32), nullable=True),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('cues', sa.JSON(), nullable=False),
    sa.Column('episode_id', sa.String(length=32), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('queued','rendering','ready','failed')", name=op.f('ck_programmes_status')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_programmes_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_programmes_episode_id_episodes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes'))
    )
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programmes_episode_id'), ['episode_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programmes_episode_id'))
    op.drop_table('programmes')
