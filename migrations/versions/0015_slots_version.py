"""services.slots_version: the version every change to a service's free slots bumps, which
keys the cached slots answer and its ETag

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 17:45:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.add_column(sa.Column("slots_version", sa.BigInteger(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.drop_column("slots_version")
