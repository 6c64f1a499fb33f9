"""Rows of the exported ledger, streamed: a fixed number of statements whatever the size."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy import and_, func, select

from ..extensions import db
from ..matters.models import (
    KeyIssue,
    Matter,
    MatterStatus,
    MatterUpdate,
    UpdateKind,
    matter_co_units,
)
from ..matters.queries import MatterFilters, filtered_select
from ..units.models import Unit
from .layout import CO_UNIT_JOINER, STATUS_WORDS

CHUNK = 500


class LedgerRow(NamedTuple):
    """One item as the spreadsheet shows it, in the column order of layout.COLUMNS."""

    number: str
    title: str
    key_issue: str
    lead_unit: str
    co_units: str
    responsible_person: str
    deadline: dt.date | None
    status: str
    progress: int
    latest_note: str


# 最新进展 is the unit's own account: a supervisor's notice, an extension or a file is not,
# nor the change log an import writes when the file gave no 最新进展 of its own
PROGRESS_KINDS = (UpdateKind.PROGRESS, UpdateKind.NOTE, UpdateKind.IMPORT, UpdateKind.NOTICE_REPLY)


def progress_note_clause():
    """History rows that are a progress note people wrote (or the article's sentence)."""
    return and_(MatterUpdate.kind.in_(PROGRESS_KINDS), MatterUpdate.is_generated.is_(False))


def _latest_note():
    """The note of the item's newest progress entry, as a correlated column (no query per row)."""
    return (select(MatterUpdate.note).where(MatterUpdate.matter_id == Matter.id,
                                            progress_note_clause())
            .order_by(MatterUpdate.created_at.desc(), MatterUpdate.id.desc())
            .limit(1).correlate(Matter).scalar_subquery())


def _ordered(filters: MatterFilters, today: dt.date):
    """Matching items in ledger order: by key issue (none last), then by number.

    Numbers sort by length first so that 2 comes before 10 (and S2 before S10).
    """
    return (filtered_select(filters, today).outerjoin(KeyIssue, Matter.key_issue_id == KeyIssue.id)
            .order_by(KeyIssue.number.is_(None), KeyIssue.number,
                      func.length(Matter.number), Matter.number))


def export_count(filters: MatterFilters, *, today: dt.date) -> int:
    return db.session.scalar(select(func.count()).select_from(
        filtered_select(filters, today).subquery())) or 0


def export_rows(filters: MatterFilters, *, today: dt.date) -> Iterator[LedgerRow]:
    """The rows, streamed from one cursor: four statements whatever the number of items.

    Plain columns (no ORM objects) so a long export does not pile up in the session; units,
    key issues and co-units are small lookups read once.
    """
    units = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    issues = dict(db.session.execute(select(KeyIssue.id, KeyIssue.title)).all())
    matching = filtered_select(filters, today).with_only_columns(Matter.id).subquery()
    co_units: dict[int, list[str]] = {}
    for matter_id, unit_id in db.session.execute(
            select(matter_co_units.c.matter_id, matter_co_units.c.unit_id)
            .where(matter_co_units.c.matter_id.in_(select(matching.c.id)))
            .order_by(matter_co_units.c.matter_id, matter_co_units.c.unit_id)):
        co_units.setdefault(matter_id, []).append(units[unit_id])
    stmt = _ordered(filters, today).with_only_columns(
        Matter.id, Matter.number, Matter.title, Matter.key_issue_id, Matter.lead_unit_id,
        Matter.responsible_person, Matter.deadline, Matter.status, Matter.progress,
        _latest_note().label("latest_note"))
    result = db.session.execute(stmt, execution_options={"yield_per": CHUNK})
    for row in result:
        yield LedgerRow(
            number=row.number,
            title=row.title,
            key_issue=issues.get(row.key_issue_id, ""),
            lead_unit=units.get(row.lead_unit_id, ""),
            co_units=CO_UNIT_JOINER.join(co_units.get(row.id, [])),
            responsible_person=row.responsible_person or "",
            deadline=row.deadline,
            status=STATUS_WORDS[MatterStatus(row.status)],
            progress=row.progress,
            latest_note=row.latest_note or "",
        )
