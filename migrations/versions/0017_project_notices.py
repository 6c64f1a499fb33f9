"""a supervision notice may target a key project instead of a ledger item: matter_id becomes
nullable, project_id (key_projects, cascade) is added, and a check keeps exactly one of them.
Down: notices on projects are deleted (the older schema has no place for them).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 18:30:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

ONE_TARGET = ("(matter_id IS NULL AND project_id IS NOT NULL) OR "
              "(matter_id IS NOT NULL AND project_id IS NULL)")


def upgrade() -> None:
    with op.batch_alter_table('supervision_notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))
        batch_op.alter_column('matter_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f('fk_supervision_notices_project_id_key_projects'), 'key_projects',
            ['project_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_supervision_notices_project_id'), ['project_id'],
                              unique=False)
        batch_op.create_check_constraint(op.f('ck_supervision_notices_one_target'), ONE_TARGET)


def downgrade() -> None:
    op.execute("DELETE FROM supervision_notices WHERE project_id IS NOT NULL")
    with op.batch_alter_table('supervision_notices', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_supervision_notices_one_target'), type_='check')
        batch_op.drop_index(batch_op.f('ix_supervision_notices_project_id'))
        batch_op.drop_constraint(batch_op.f('fk_supervision_notices_project_id_key_projects'),
                                 type_='foreignkey')
        batch_op.drop_column('project_id')
        batch_op.alter_column('matter_id', existing_type=sa.Integer(), nullable=False)
