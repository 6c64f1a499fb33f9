"""key-projects ledger: stage, leader account, task team, milestone actual dates, rates

- users.role accepts "leader" (区领导, a district leader);
- key_projects: `stage` (the 招商引资 → … → 投产/开业 chain) replaces `status` (data mapped:
  negotiating → attraction, signed/registered → approval, under_construction → construction,
  operating → opened); `record_kind` (project | enterprise), `investment_approximate`,
  `expected_sales_approximate`,
  `leader_user_id`, `updated_at`, `version`;
- project_milestones: `actual_on`, `actual_precision`, `note`; `done` is dropped (a milestone
  is done when it has an actual date; a done one gets its planned date as actual);
  kinds: construction → construction_start, production → opening; new land_supply,
  completion, opening;
- new tables project_team_members (专班) and currency_rates (set by supervisors).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 17:30:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

ROLES_OLD = ('operator', 'staff', 'supervisor', 'admin')
ROLES_NEW = (*ROLES_OLD, 'leader')
KINDS_OLD = ('signing', 'registration', 'funds_arrival', 'construction', 'production')
KINDS_NEW = ('signing', 'registration', 'funds_arrival', 'land_supply', 'construction_start',
             'completion', 'opening')
STATUS_TO_STAGE = {'negotiating': 'attraction', 'signed': 'approval', 'registered': 'approval',
                   'under_construction': 'construction', 'operating': 'opened'}
STAGE_TO_STATUS = {'attraction': 'negotiating', 'appraisal': 'negotiating',
                   'due_diligence': 'negotiating', 'approval': 'signed',
                   'land_supply': 'signed', 'construction': 'under_construction',
                   'opened': 'operating'}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _enum(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), _in('role', ROLES_NEW))

    with op.batch_alter_table('key_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'record_kind', _enum('project', 'enterprise', name='recordkind'),
            server_default='project', nullable=False))
        batch_op.add_column(sa.Column(
            'investment_approximate', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column(
            'expected_sales_approximate', sa.Boolean(), server_default=sa.false(),
            nullable=False))
        batch_op.add_column(sa.Column('leader_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stage', _enum(
            'attraction', 'appraisal', 'due_diligence', 'approval', 'land_supply',
            'construction', 'opened', name='projectstage'), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_key_projects_leader_user_id'), ['leader_user_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_key_projects_leader_user_id_users'),
                                    'users', ['leader_user_id'], ['id'])
    for status, stage in STATUS_TO_STAGE.items():
        op.execute(sa.text("UPDATE key_projects SET stage = :stage WHERE status = :status")
                   .bindparams(stage=stage, status=status))
    op.execute("UPDATE key_projects SET updated_at = created_at")
    with op.batch_alter_table('key_projects', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.drop_constraint(op.f('ck_key_projects_projectstatus'), type_='check')
        batch_op.drop_column('status')

    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actual_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('actual_precision', _enum(
            'day', 'month', 'quarter', name='milestone_actual_precision'), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.drop_constraint(op.f('ck_project_milestones_milestonekind'), type_='check')
    op.execute("UPDATE project_milestones SET actual_on = planned_on, actual_precision = precision"
               " WHERE done = true")
    op.execute("UPDATE project_milestones SET kind = 'construction_start'"
               " WHERE kind = 'construction'")
    op.execute("UPDATE project_milestones SET kind = 'opening' WHERE kind = 'production'")
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_project_milestones_milestonekind'),
                                         _in('kind', KINDS_NEW))
        batch_op.drop_column('done')

    op.create_table('project_team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('duty', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['key_projects.id'],
                            name=op.f('fk_project_team_members_project_id_key_projects'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                            name=op.f('fk_project_team_members_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_project_team_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_team_members'))
    )
    with op.batch_alter_table('project_team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_team_members_project_id'), ['project_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_project_team_members_unit_id'), ['unit_id'],
                              unique=False)

    op.create_table('currency_rates',
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rate_to_cny', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('set_by_user_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_by_user_id'], ['users.id'],
                            name=op.f('fk_currency_rates_set_by_user_id_users')),
    sa.PrimaryKeyConstraint('currency', name=op.f('pk_currency_rates'))
    )


def downgrade() -> None:
    op.drop_table('currency_rates')
    with op.batch_alter_table('project_team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_team_members_unit_id'))
        batch_op.drop_index(batch_op.f('ix_project_team_members_project_id'))
    op.drop_table('project_team_members')

    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.drop_constraint(op.f('ck_project_milestones_milestonekind'), type_='check')
    op.execute("UPDATE project_milestones SET done = true WHERE actual_on IS NOT NULL")
    op.execute("UPDATE project_milestones SET kind = 'construction'"
               " WHERE kind IN ('construction_start', 'land_supply')")
    op.execute("UPDATE project_milestones SET kind = 'production'"
               " WHERE kind IN ('opening', 'completion')")
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_project_milestones_milestonekind'),
                                         _in('kind', KINDS_OLD))
        batch_op.drop_constraint(op.f('ck_project_milestones_milestone_actual_precision'),
                                 type_='check')
        batch_op.drop_column('note')
        batch_op.drop_column('actual_precision')
        batch_op.drop_column('actual_on')

    with op.batch_alter_table('key_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', _enum(
            'negotiating', 'signed', 'registered', 'under_construction', 'operating',
            name='projectstatus'), nullable=True))
    for stage, status in STAGE_TO_STATUS.items():
        op.execute(sa.text("UPDATE key_projects SET status = :status WHERE stage = :stage")
                   .bindparams(stage=stage, status=status))
    with op.batch_alter_table('key_projects', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_key_projects_leader_user_id_users'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_key_projects_leader_user_id'))
        batch_op.drop_constraint(op.f('ck_key_projects_projectstage'), type_='check')
        batch_op.drop_constraint(op.f('ck_key_projects_recordkind'), type_='check')
        batch_op.drop_column('version')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('stage')
        batch_op.drop_column('leader_user_id')
        batch_op.drop_column('expected_sales_approximate')
        batch_op.drop_column('investment_approximate')
        batch_op.drop_column('record_kind')

    # no leader role below 0013: such accounts become inactive operators (no unit, no access)
    op.execute("UPDATE users SET role = 'operator', is_active = false WHERE role = 'leader'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), _in('role', ROLES_OLD))
