"""ledger history: generated change logs and article sentences are marked; extra article quotes

- ``matter_updates.is_generated``: the row's note was written by the software (an import's
  change log, "导入工作台账：进度：40 → 60"), not by a person; 最新进展 reads skip it.
- ``matter_updates.from_article``: the note is a sentence of the source article loaded by the
  seed; the article gives it no date, so pages show none (created_at is the load time).
- ``matters.source_quotes``: further verbatim sentences of the article about a seeded item.

Existing rows are marked from what they hold: import rows whose note is the import's own
wording, and seed rows whose note is their item's article sentence.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 17:00:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# the import's generated notes, in the two interface languages they may have been written in
_GENERATED_PREFIXES = ("导入工作台账：", "Ledger import: ")
_GENERATED_NOTES = ("通过导入工作台账新增。", "Created by ledger import.")


def upgrade() -> None:
    with op.batch_alter_table('matter_updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_generated', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('from_article', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_quotes', sa.JSON(), nullable=True))

    updates = sa.table('matter_updates', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                       sa.column('note', sa.Text), sa.column('matter_id', sa.Integer),
                       sa.column('author_id', sa.Integer), sa.column('is_generated', sa.Boolean),
                       sa.column('from_article', sa.Boolean))
    matters = sa.table('matters', sa.column('id', sa.Integer), sa.column('origin', sa.String),
                       sa.column('source_quote', sa.Text))
    generated = sa.or_(updates.c.note.in_(_GENERATED_NOTES),
                       *(updates.c.note.startswith(p, autoescape=True) for p in _GENERATED_PREFIXES))
    op.execute(updates.update().where(updates.c.kind == 'import', generated)
               .values(is_generated=sa.true()))
    seeded = (sa.select(matters.c.id).where(matters.c.origin == 'seed',
                                            matters.c.source_quote == updates.c.note,
                                            matters.c.id == updates.c.matter_id))
    op.execute(updates.update().where(updates.c.author_id.is_(None), seeded.exists())
               .values(from_article=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.drop_column('source_quotes')
    with op.batch_alter_table('matter_updates', schema=None) as batch_op:
        batch_op.drop_column('from_article')
        batch_op.drop_column('is_generated')
