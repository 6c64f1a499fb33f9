"""Initial schema: units, accounts, the ledger, key projects, services, requests, ratings, outbox, audit.

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 04:07:03.292472

"""
import sqlalchemy as sa
from alembic import op

import service_desk.db

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_table('campaign_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=True),
    sa.Column('comparison', sa.String(length=16), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=True),
    sa.Column('source_quote', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_figures')),
    sa.UniqueConstraint('key', name=op.f('uq_campaign_figures_key'))
    )
    op.create_table('key_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=True),
    sa.Column('source_quote', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_issues')),
    sa.UniqueConstraint('number', name=op.f('uq_key_issues_number'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='notificationstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notifications_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_status'), ['status'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.Enum('zone', 'bureau', 'centre', 'department', 'subdistrict', 'community', name='unitkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('source_quote', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], name=op.f('fk_units_parent_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('code', name=op.f('uq_units_code'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_parent_id'), ['parent_id'], unique=False)

    op.create_table('key_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('investor', sa.String(length=200), nullable=True),
    sa.Column('origin', sa.String(length=16), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('total_investment', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('total_investment_currency', sa.String(length=3), nullable=True),
    sa.Column('registered_capital', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('registered_capital_currency', sa.String(length=3), nullable=True),
    sa.Column('expected_sales', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('expected_sales_currency', sa.String(length=3), nullable=True),
    sa.Column('owner_unit_id', sa.Integer(), nullable=True),
    sa.Column('leader', sa.String(length=100), nullable=True),
    sa.Column('status', sa.Enum('negotiating', 'signed', 'registered', 'under_construction', 'operating', name='projectstatus', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=True),
    sa.Column('source_quote', sa.Text(), nullable=True),
    sa.Column('is_synthetic', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_unit_id'], ['units.id'], name=op.f('fk_key_projects_owner_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_projects')),
    sa.UniqueConstraint('code', name=op.f('uq_key_projects_code'))
    )
    with op.batch_alter_table('key_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_projects_owner_unit_id'), ['owner_unit_id'], unique=False)

    op.create_table('matters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('key_issue_id', sa.Integer(), nullable=True),
    sa.Column('lead_unit_id', sa.Integer(), nullable=True),
    sa.Column('responsible_person', sa.String(length=100), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'completed', name='matterstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('progress', sa.Integer(), server_default='0', nullable=False),
    sa.Column('is_public', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=True),
    sa.Column('source_quote', sa.Text(), nullable=True),
    sa.Column('origin', sa.Enum('seed', 'import', 'web', 'synthetic', name='recordorigin', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_matters_progress_range')),
    sa.ForeignKeyConstraint(['key_issue_id'], ['key_issues.id'], name=op.f('fk_matters_key_issue_id_key_issues')),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['units.id'], name=op.f('fk_matters_lead_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matters')),
    sa.UniqueConstraint('number', name=op.f('uq_matters_number'))
    )
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matters_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_matters_key_issue_id'), ['key_issue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matters_lead_unit_id'), ['lead_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matters_status'), ['status'], unique=False)

    op.create_table('services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.Enum('appointment', 'dispatch', name='servicekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('location', sa.Enum('hall', 'home', 'park', 'phone', name='servicelocation', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('eligible_groups', sa.JSON(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('dispatch_days', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('source_quote', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_services_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services')),
    sa.UniqueConstraint('code', name=op.f('uq_services_code'))
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_services_unit_id'), ['unit_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=True),
    sa.Column('role', sa.Enum('operator', 'staff', 'supervisor', 'admin', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('session_version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role <> 'staff' OR unit_id IS NOT NULL", name=op.f('ck_users_staff_has_unit')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_users_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_unit_id'), ['unit_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_object', ['object_type', 'object_id'], unique=False)

    op.create_table('matter_co_units',
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['matter_id'], ['matters.id'], name=op.f('fk_matter_co_units_matter_id_matters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_matter_co_units_unit_id_units')),
    sa.PrimaryKeyConstraint('matter_id', 'unit_id', name=op.f('pk_matter_co_units'))
    )
    with op.batch_alter_table('matter_co_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_co_units_unit_id'), ['unit_id'], unique=False)

    op.create_table('matter_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('status_before', sa.Enum('not_started', 'in_progress', 'completed', name='status_before', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('status_after', sa.Enum('not_started', 'in_progress', 'completed', name='status_after', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('progress_before', sa.Integer(), nullable=True),
    sa.Column('progress_after', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('is_public', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_matter_updates_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['matter_id'], ['matters.id'], name=op.f('fk_matter_updates_matter_id_matters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_matter_updates_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_updates'))
    )
    with op.batch_alter_table('matter_updates', schema=None) as batch_op:
        batch_op.create_index('ix_matter_updates_matter_id_created_at', ['matter_id', 'created_at'], unique=False)

    op.create_table('project_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('signing', 'registration', 'funds_arrival', 'construction', 'production', name='milestonekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('precision', sa.Enum('day', 'month', 'quarter', name='dateprecision', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('done', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('source_quote', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['key_projects.id'], name=op.f('fk_project_milestones_project_id_key_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_milestones'))
    )
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_milestones_project_id'), ['project_id'], unique=False)

    op.create_table('service_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('phone', 'wechat', 'web', 'walk_in', 'open311', name='channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('booked', 'arrived', 'no_show', 'dispatched', 'accepted', 'returned', 'resolved', 'called_back', 'completed', 'cancelled', name='requeststatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('resident_name', sa.String(length=100), nullable=False),
    sa.Column('resident_phone', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('special_group', sa.Enum('elderly', 'disabled', 'pregnant', 'enterprise', 'everyone', name='specialgroup', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('needs', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('starts_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ends_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('due_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('is_synthetic', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_service_requests_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_service_requests_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_requests_service_id_services')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_service_requests_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_requests')),
    sa.UniqueConstraint('reference', name=op.f('uq_service_requests_reference'))
    )
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_requests_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_requests_resident_phone'), ['resident_phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_requests_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_requests_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_requests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_requests_unit_id'), ['unit_id'], unique=False)

    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_ratings_level_range')),
    sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'], name=op.f('fk_ratings_request_id_service_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('request_id', name=op.f('uq_ratings_request_id'))
    )



def downgrade():

    op.drop_table('ratings')
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_requests_unit_id'))
        batch_op.drop_index(batch_op.f('ix_service_requests_status'))
        batch_op.drop_index(batch_op.f('ix_service_requests_starts_at'))
        batch_op.drop_index(batch_op.f('ix_service_requests_service_id'))
        batch_op.drop_index(batch_op.f('ix_service_requests_resident_phone'))
        batch_op.drop_index(batch_op.f('ix_service_requests_due_at'))

    op.drop_table('service_requests')
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_milestones_project_id'))

    op.drop_table('project_milestones')
    with op.batch_alter_table('matter_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_matter_updates_matter_id_created_at')

    op.drop_table('matter_updates')
    with op.batch_alter_table('matter_co_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_co_units_unit_id'))

    op.drop_table('matter_co_units')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_object')
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_unit_id'))

    op.drop_table('users')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_services_unit_id'))

    op.drop_table('services')
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matters_status'))
        batch_op.drop_index(batch_op.f('ix_matters_lead_unit_id'))
        batch_op.drop_index(batch_op.f('ix_matters_key_issue_id'))
        batch_op.drop_index(batch_op.f('ix_matters_deadline'))

    op.drop_table('matters')
    with op.batch_alter_table('key_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_projects_owner_unit_id'))

    op.drop_table('key_projects')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_parent_id'))

    op.drop_table('units')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_status'))

    op.drop_table('notifications')
    op.drop_table('key_issues')
    op.drop_table('campaign_figures')
    op.drop_table('api_keys')

