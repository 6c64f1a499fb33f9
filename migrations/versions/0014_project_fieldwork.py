"""key-projects field work: site visits and their difficulties, joint site selection by four
departments (answers per unit), the one-stop opening case (完工即开业) and its checklist

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 17:30:00

New tables only (no data moves): project_site_visits, site_visit_units, project_difficulties,
project_site_selections, site_selection_answers, project_opening_cases,
project_opening_case_items.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service_desk.db

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('project_opening_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('started_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('target_opening_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', name='openingstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('done_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['key_projects.id'], name=op.f('fk_project_opening_cases_project_id_key_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_project_opening_cases_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_opening_cases')),
    sa.UniqueConstraint('project_id', name=op.f('uq_project_opening_cases_project_id'))
    )
    op.create_index(op.f('ix_project_opening_cases_unit_id'), 'project_opening_cases', ['unit_id'], unique=False)
    op.create_table('project_site_selections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_project_site_selections_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['key_projects.id'], name=op.f('fk_project_site_selections_project_id_key_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_site_selections'))
    )
    op.create_index(op.f('ix_project_site_selections_deadline'), 'project_site_selections', ['deadline'], unique=False)
    op.create_index(op.f('ix_project_site_selections_project_id'), 'project_site_selections', ['project_id'], unique=False)
    op.create_table('project_site_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('progress_seen', sa.Text(), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_project_site_visits_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['key_projects.id'], name=op.f('fk_project_site_visits_project_id_key_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_site_visits'))
    )
    op.create_index(op.f('ix_project_site_visits_project_id'), 'project_site_visits', ['project_id'], unique=False)
    op.create_table('project_difficulties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='difficultystatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('closed_note', sa.Text(), nullable=True),
    sa.Column('closed_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', service_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['closed_by_user_id'], ['users.id'], name=op.f('fk_project_difficulties_closed_by_user_id_users')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_project_difficulties_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['key_projects.id'], name=op.f('fk_project_difficulties_project_id_key_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_project_difficulties_unit_id_units')),
    sa.ForeignKeyConstraint(['visit_id'], ['project_site_visits.id'], name=op.f('fk_project_difficulties_visit_id_project_site_visits'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_difficulties'))
    )
    op.create_index(op.f('ix_project_difficulties_deadline'), 'project_difficulties', ['deadline'], unique=False)
    op.create_index(op.f('ix_project_difficulties_project_id'), 'project_difficulties', ['project_id'], unique=False)
    op.create_index(op.f('ix_project_difficulties_status'), 'project_difficulties', ['status'], unique=False)
    op.create_index(op.f('ix_project_difficulties_unit_id'), 'project_difficulties', ['unit_id'], unique=False)
    op.create_index(op.f('ix_project_difficulties_visit_id'), 'project_difficulties', ['visit_id'], unique=False)
    op.create_table('project_opening_case_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('done_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by_user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['project_opening_cases.id'], name=op.f('fk_project_opening_case_items_case_id_project_opening_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['done_by_user_id'], ['users.id'], name=op.f('fk_project_opening_case_items_done_by_user_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_project_opening_case_items_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_opening_case_items'))
    )
    op.create_index(op.f('ix_project_opening_case_items_case_id'), 'project_opening_case_items', ['case_id'], unique=False)
    op.create_table('site_selection_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('selection_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Enum('agree', 'problem', name='selectionanswer', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('answered_at', service_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_user_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['answered_by_user_id'], ['users.id'], name=op.f('fk_site_selection_answers_answered_by_user_id_users')),
    sa.ForeignKeyConstraint(['selection_id'], ['project_site_selections.id'], name=op.f('fk_site_selection_answers_selection_id_project_site_selections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_site_selection_answers_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_selection_answers')),
    sa.UniqueConstraint('selection_id', 'unit_id', name=op.f('uq_site_selection_answers_selection_id_unit_id'))
    )
    op.create_index(op.f('ix_site_selection_answers_selection_id'), 'site_selection_answers', ['selection_id'], unique=False)
    op.create_index(op.f('ix_site_selection_answers_unit_id'), 'site_selection_answers', ['unit_id'], unique=False)
    op.create_table('site_visit_units',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_site_visit_units_unit_id_units')),
    sa.ForeignKeyConstraint(['visit_id'], ['project_site_visits.id'], name=op.f('fk_site_visit_units_visit_id_project_site_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'unit_id', name=op.f('pk_site_visit_units'))
    )
    op.create_index(op.f('ix_site_visit_units_unit_id'), 'site_visit_units', ['unit_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_site_visit_units_unit_id'), table_name='site_visit_units')
    op.drop_table('site_visit_units')
    op.drop_index(op.f('ix_site_selection_answers_unit_id'), table_name='site_selection_answers')
    op.drop_index(op.f('ix_site_selection_answers_selection_id'), table_name='site_selection_answers')
    op.drop_table('site_selection_answers')
    op.drop_index(op.f('ix_project_opening_case_items_case_id'), table_name='project_opening_case_items')
    op.drop_table('project_opening_case_items')
    op.drop_index(op.f('ix_project_difficulties_visit_id'), table_name='project_difficulties')
    op.drop_index(op.f('ix_project_difficulties_unit_id'), table_name='project_difficulties')
    op.drop_index(op.f('ix_project_difficulties_status'), table_name='project_difficulties')
    op.drop_index(op.f('ix_project_difficulties_project_id'), table_name='project_difficulties')
    op.drop_index(op.f('ix_project_difficulties_deadline'), table_name='project_difficulties')
    op.drop_table('project_difficulties')
    op.drop_index(op.f('ix_project_site_visits_project_id'), table_name='project_site_visits')
    op.drop_table('project_site_visits')
    op.drop_index(op.f('ix_project_site_selections_project_id'), table_name='project_site_selections')
    op.drop_index(op.f('ix_project_site_selections_deadline'), table_name='project_site_selections')
    op.drop_table('project_site_selections')
    op.drop_index(op.f('ix_project_opening_cases_unit_id'), table_name='project_opening_cases')
    op.drop_table('project_opening_cases')
