"""the call-back answer (回访) in its own columns on service_requests, instead of a code
parsed out of the history note ("very_satisfied: words")

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 12:20:00

"""
import sqlalchemy as sa
from alembic import op

import service_desk.db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

ANSWERS = ('very_satisfied', 'satisfied', 'fairly_satisfied', 'dissatisfied',
           'very_dissatisfied')

requests = sa.table('service_requests', sa.column('id', sa.Integer),
                    sa.column('callback_answer', sa.String), sa.column('callback_note', sa.Text),
                    sa.column('called_back_at', service_desk.db.UTCDateTime(timezone=True)))
events = sa.table('request_events', sa.column('id', sa.Integer),
                  sa.column('request_id', sa.Integer), sa.column('action', sa.String),
                  sa.column('at', service_desk.db.UTCDateTime(timezone=True)),
                  sa.column('note', sa.Text))


def upgrade():
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callback_answer', sa.Enum(
            *ANSWERS, name='callback_answer', native_enum=False, create_constraint=True,
            length=32), nullable=True))
        batch_op.add_column(sa.Column('callback_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column(
            'called_back_at', service_desk.db.UTCDateTime(timezone=True), nullable=True))

    # move each recorded answer out of its history note; the note keeps the operator's words
    conn = op.get_bind()
    rows = conn.execute(sa.select(events.c.id, events.c.request_id, events.c.at, events.c.note)
                        .where(events.c.action == 'called_back')).all()
    for event_id, request_id, at, note in rows:
        head, sep, words = (note or '').partition(': ')
        if head not in ANSWERS:
            continue
        conn.execute(requests.update().where(requests.c.id == request_id).values(
            callback_answer=head, callback_note=words if sep else None, called_back_at=at))
        conn.execute(events.update().where(events.c.id == event_id)
                     .values(note=words if sep else None))


def downgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.select(requests.c.id, requests.c.callback_answer,
                                  requests.c.callback_note)
                        .where(requests.c.callback_answer.is_not(None))).all()
    for request_id, answer, words in rows:
        conn.execute(events.update().where(events.c.request_id == request_id,
                                           events.c.action == 'called_back')
                     .values(note=f"{answer}: {words or ''}"))
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_service_requests_callback_answer'), type_='check')
        batch_op.drop_column('called_back_at')
        batch_op.drop_column('callback_note')
        batch_op.drop_column('callback_answer')
