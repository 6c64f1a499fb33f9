"""One status/progress rule: the web form, the JSON API (both through matter_update) and the
ledger import give the same verdict on the same edge inputs.

Regression: the import refused to lower a completed item's progress without a status, while
matter_update silently kept 100 and saved the note as if the change had been made.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.ledger.layout import HEADER_OF, STATUS_WORDS
from service_desk.ledger.services import import_plan
from service_desk.matters.models import Matter, MatterStatus
from service_desk.matters.services import MatterError, matter_update

NS, IP, C = MatterStatus.NOT_STARTED, MatterStatus.IN_PROGRESS, MatterStatus.COMPLETED

# (status now, progress now, status asked, progress asked) -> the refused field, or what is stored
CASES = [
    ((C, 100, None, 50), "progress"),  # the two copies disagreed here
    ((C, 100, None, 100), (C, 100)),
    ((C, 100, C, 40), (C, 100)),  # 已完成 means 100
    ((C, 100, IP, None), "progress"),  # 100% is "completed"
    ((C, 100, IP, 100), "progress"),
    ((C, 100, IP, 60), (IP, 60)),
    ((C, 100, NS, 0), (NS, 0)),
    ((C, 100, NS, None), "status"),
    ((NS, 0, None, 30), "status"),
    ((NS, 0, NS, 30), "status"),
    ((NS, 0, IP, 0), (IP, 0)),
    ((NS, 0, C, None), (C, 100)),
    ((IP, 40, None, 100), "progress"),
    ((IP, 40, None, 0), (IP, 0)),
    ((IP, 40, NS, None), "status"),
    ((IP, 40, C, None), (C, 100)),
    ((IP, 40, IP, 101), "progress"),
    ((IP, 40, IP, -1), "progress"),
]


def _id(case) -> str:
    (now, progress, status, asked), _ = case
    return f"{now.value}-{progress}-to-{status.value if status else 'same'}-{asked}"


def _set(number: str, status: MatterStatus, progress: int) -> Matter:
    matter = db.session.scalar(select(Matter).where(Matter.number == number))
    matter.status, matter.progress = status, progress
    db.session.commit()
    return matter


def _by_service(matter: Matter, status, progress):
    try:
        matter_update(matter=matter, actor="test", expected_version=matter.version,
                      status=status, progress=progress, note="x")
    except MatterError as exc:
        return exc.field
    return matter.status, matter.progress


def _by_import(matter: Matter, status, progress):
    plan = import_plan([{"row": 2, "number": matter.number, "title": matter.title,
                         "status": STATUS_WORDS[status] if status else None,
                         "progress": progress}])
    if plan.errors:
        column = {HEADER_OF["status"]: "status", HEADER_OF["progress"]: "progress"}
        return column.get(plan.errors[0].column, plan.errors[0].column)
    fields = plan.changes[0].fields if plan.changes else {}
    return (fields.get("status", (None, matter.status))[1],
            fields.get("progress", (None, matter.progress))[1])


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_web_api_and_import_give_one_verdict(app, seeded, case):
    (now, now_progress, status, progress), expected = case
    with app.app_context():
        matter = _set("S05", now, now_progress)
        by_import = _by_import(matter, status, progress)
        db.session.rollback()
        matter = _set("S05", now, now_progress)
        by_service = _by_service(matter, status, progress)
        db.session.rollback()
        assert (by_service, by_import) == (expected, expected)
