"""closures of part of a day: a closure may carry a local start and end time (both null: the
whole day, as before)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 17:00:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('ends', sa.Time(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_closures_part_of_day'),
            '(starts IS NULL AND ends IS NULL) OR '
            '(starts IS NOT NULL AND ends IS NOT NULL AND starts < ends)')


def downgrade() -> None:
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_closures_part_of_day'), type_='check')
        batch_op.drop_column('ends')
        batch_op.drop_column('starts')
