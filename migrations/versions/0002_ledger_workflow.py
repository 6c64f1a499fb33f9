"""ledger: extensions, supervision notices, attachments, update kinds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 04:18:17.145892

"""
import sqlalchemy as sa
from alembic import op

import service_desk.db

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deadline_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('current_deadline', sa.Date(), nullable=True),
    sa.Column('requested_deadline', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'refused', name='extensionstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_deadline_extensions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['matter_id'], ['matters.id'], name=op.f('fk_deadline_extensions_matter_id_matters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_deadline_extensions_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_deadline_extensions_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_extensions'))
    )
    with op.batch_alter_table('deadline_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_extensions_matter_id'), ['matter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_extensions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_extensions_unit_id'), ['unit_id'], unique=False)

    op.create_table('supervision_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('reply_due', sa.Date(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('replied_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_supervision_notices_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['matter_id'], ['matters.id'], name=op.f('fk_supervision_notices_matter_id_matters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replied_by_id'], ['users.id'], name=op.f('fk_supervision_notices_replied_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_supervision_notices_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_notices'))
    )
    with op.batch_alter_table('supervision_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_notices_matter_id'), ['matter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_notices_reply_due'), ['reply_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_notices_unit_id'), ['unit_id'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['matter_id'], ['matters.id'], name=op.f('fk_attachments_matter_id_matters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['update_id'], ['matter_updates.id'], name=op.f('fk_attachments_update_id_matter_updates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachments_stored_name'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_matter_id'), ['matter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_update_id'), ['update_id'], unique=False)

    with op.batch_alter_table('matter_updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('progress', 'note', 'import', 'extension_request', 'extension_decision', 'notice', 'notice_reply', 'attachment', name='updatekind', native_enum=False, create_constraint=True, length=32), server_default='progress', nullable=False))
        batch_op.add_column(sa.Column('matter_version', sa.Integer(), nullable=True))

    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_deadline', sa.Date(), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')

    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.drop_column('original_deadline')

    with op.batch_alter_table('matter_updates', schema=None) as batch_op:
        # SQLite's batch copy would keep the CHECK on the dropped column: drop it first
        batch_op.drop_constraint(op.f('ck_matter_updates_updatekind'), type_='check')
        batch_op.drop_column('matter_version')
        batch_op.drop_column('kind')

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_update_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_matter_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('supervision_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_notices_unit_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_notices_reply_due'))
        batch_op.drop_index(batch_op.f('ix_supervision_notices_matter_id'))

    op.drop_table('supervision_notices')
    with op.batch_alter_table('deadline_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_extensions_unit_id'))
        batch_op.drop_index(batch_op.f('ix_deadline_extensions_status'))
        batch_op.drop_index(batch_op.f('ix_deadline_extensions_matter_id'))

    op.drop_table('deadline_extensions')

