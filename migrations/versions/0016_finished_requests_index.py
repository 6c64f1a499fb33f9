"""a partial index on finished, real requests by when they ended: the public board's and the
dashboards' rating figures read them (a scan of every request without it)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 18:10:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

FINISHED = "status IN ('completed', 'resolved', 'called_back')"


def upgrade() -> None:
    op.create_index(
        "ix_service_requests_finished_public", "service_requests",
        [sa.text("coalesce(resolved_at, updated_at)")],
        postgresql_where=sa.text(f"is_synthetic IS false AND {FINISHED}"),
        sqlite_where=sa.text(f"is_synthetic = 0 AND {FINISHED}"))


def downgrade() -> None:
    op.drop_index("ix_service_requests_finished_public", table_name="service_requests")
