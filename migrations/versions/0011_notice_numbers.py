"""supervision notices get a number: the zone's year of issue and a serial within it,
unique together (督办〔2026〕第12号); notices issued before are numbered in order of issue

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 17:00:00

"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# the zone's year of issue; the app's default zone (a migration reads no app settings)
ZONE = ZoneInfo("Asia/Shanghai")


def _issued_year(issued_at) -> int:
    if isinstance(issued_at, str):  # SQLite hands back text
        issued_at = dt.datetime.fromisoformat(issued_at)
    if issued_at.tzinfo is None:  # stored as UTC
        issued_at = issued_at.replace(tzinfo=dt.UTC)
    return issued_at.astimezone(ZONE).year


def upgrade() -> None:
    with op.batch_alter_table('supervision_notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('serial', sa.Integer(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, issued_at FROM supervision_notices ORDER BY issued_at, id")).all()
    serials: dict[int, int] = {}
    for notice_id, issued_at in rows:
        year = _issued_year(issued_at)
        serials[year] = serials.get(year, 0) + 1
        bind.execute(sa.text("UPDATE supervision_notices SET year = :year, serial = :serial "
                             "WHERE id = :id"),
                     {"year": year, "serial": serials[year], "id": notice_id})
    with op.batch_alter_table('supervision_notices', schema=None) as batch_op:
        batch_op.alter_column('year', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('serial', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f('uq_supervision_notices_year_serial'), ['year', 'serial'])


def downgrade() -> None:
    with op.batch_alter_table('supervision_notices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_supervision_notices_year_serial'), type_='unique')
        batch_op.drop_column('serial')
        batch_op.drop_column('year')
