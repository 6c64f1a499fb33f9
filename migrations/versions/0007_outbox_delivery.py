"""outbox delivery of texts: retry time, urgent flag, provider id, template parameters

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service_desk.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', service_desk.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('provider_id', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('params', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_next_attempt_at'), ['next_attempt_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_next_attempt_at'))
        batch_op.drop_column('params')
        batch_op.drop_column('provider_id')
        batch_op.drop_column('urgent')
        batch_op.drop_column('next_attempt_at')
