"""ratings (好差评) with who and what was rated, rectifications of bad ratings, Open311 fields
of requests, labels on API tokens

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 06:32:08.129162

"""
import sqlalchemy as sa
from alembic import op

import service_desk.db

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'appealed', 'fixed', 'explained', 'appeal_upheld', name='rectificationstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('opened_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('called_back_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('called_back_by_id', sa.Integer(), nullable=True),
    sa.Column('callback_note', sa.Text(), nullable=True),
    sa.Column('action_note', sa.Text(), nullable=True),
    sa.Column('closed_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('appeal_reason', sa.Text(), nullable=True),
    sa.Column('appealed_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('fix_level', sa.Integer(), nullable=True),
    sa.Column('fix_comment', sa.Text(), nullable=True),
    sa.Column('fix_rated_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('fix_level IS NULL OR fix_level BETWEEN 1 AND 5', name=op.f('ck_rectifications_fix_level_range')),
    sa.ForeignKeyConstraint(['called_back_by_id'], ['users.id'], name=op.f('fk_rectifications_called_back_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_rectifications_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_rectifications_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_rectifications_rating_id_ratings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_rectifications_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_rectifications_rating_id'))
    )
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectifications_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=100), nullable=True))

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('service_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('staff_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.Enum('phone', 'wechat', 'web', 'walk_in', 'open311', name='rating_channel', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('source', sa.Enum('link', 'booking_page', 'phone', 'api', name='ratingsource', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('excluded', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_ratings_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ratings_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ratings_recorded_by_id_users'), 'users', ['recorded_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_ratings_unit_id_units'), 'units', ['unit_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_ratings_staff_id_users'), 'users', ['staff_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_ratings_service_id_services'), 'services', ['service_id'], ['id'])

    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('served_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lat', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('long', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('resident_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('media_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('attributes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('api_key_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('open311_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_service_requests_open311_token'), ['open311_token'])
        batch_op.create_foreign_key(batch_op.f('fk_service_requests_api_key_id_api_keys'), 'api_keys', ['api_key_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_service_requests_served_by_id_users'), 'users', ['served_by_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_service_requests_served_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_service_requests_api_key_id_api_keys'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_service_requests_open311_token'), type_='unique')
        batch_op.drop_column('open311_token')
        batch_op.drop_column('api_key_id')
        batch_op.drop_column('attributes')
        batch_op.drop_column('media_url')
        batch_op.drop_column('resident_email')
        batch_op.drop_column('long')
        batch_op.drop_column('lat')
        batch_op.drop_column('served_by_id')

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ratings_service_id_services'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ratings_staff_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ratings_unit_id_units'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ratings_recorded_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ratings_unit_id'))
        batch_op.drop_index(batch_op.f('ix_ratings_service_id'))
        # SQLite's batch copy keeps the enum CHECKs unless they are dropped by name first
        batch_op.drop_constraint(op.f('ck_ratings_ratingsource'), type_='check')
        batch_op.drop_constraint(op.f('ck_ratings_rating_channel'), type_='check')
        batch_op.drop_column('excluded')
        batch_op.drop_column('recorded_by_id')
        batch_op.drop_column('source')
        batch_op.drop_column('channel')
        batch_op.drop_column('staff_id')
        batch_op.drop_column('service_id')
        batch_op.drop_column('unit_id')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('label')

    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectifications_unit_id'))
        batch_op.drop_index(batch_op.f('ix_rectifications_status'))
        batch_op.drop_index(batch_op.f('ix_rectifications_due_at'))

    op.drop_table('rectifications')
