"""hotline: a reported request's type (投诉/咨询/建议/求助/表扬), and a call as one record:
when it ended, and the requests booked or reported during it (call_requests)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 17:00:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service_desk.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TYPES = ('complaint', 'enquiry', 'suggestion', 'help', 'praise')


def upgrade() -> None:
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_type', sa.Enum(
            *TYPES, name='requesttype', native_enum=False, create_constraint=True, length=32),
            nullable=True))
    with op.batch_alter_table('call_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_at', service_desk.db.UTCDateTime(timezone=True),
                                      nullable=True))
    # calls noted before this change were noted at their end
    op.execute("UPDATE call_logs SET ended_at = at")
    op.create_table(
        'call_requests',
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['call_id'], ['call_logs.id'],
                                name=op.f('fk_call_requests_call_id_call_logs'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'],
                                name=op.f('fk_call_requests_request_id_service_requests'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('call_id', 'request_id', name=op.f('pk_call_requests')),
    )
    with op.batch_alter_table('call_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_requests_request_id'), ['request_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_requests_request_id'))
    op.drop_table('call_requests')
    with op.batch_alter_table('call_logs', schema=None) as batch_op:
        batch_op.drop_column('ended_at')
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_service_requests_requesttype'), type_='check')
        batch_op.drop_column('request_type')
