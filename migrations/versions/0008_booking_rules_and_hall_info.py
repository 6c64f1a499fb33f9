"""booking rules and hall info: one active booking per phone per service per day (a setting
per service), a one-time token that makes the booking confirm idempotent, and what to bring

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 15:20:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_active_per_phone_per_day', sa.Integer(),
                                      server_default='1', nullable=False))
        batch_op.add_column(sa.Column('what_to_bring', sa.Text(), nullable=True))
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirm_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_service_requests_confirm_token', ['confirm_token'])


def downgrade() -> None:
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_constraint('uq_service_requests_confirm_token', type_='unique')
        batch_op.drop_column('confirm_token')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('what_to_bring')
        batch_op.drop_column('max_active_per_phone_per_day')
