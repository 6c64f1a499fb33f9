"""最新进展 in the export is the latest progress note the responsible unit wrote: never a
supervisor's notice, an extension request or an attachment's file name."""
from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select

from service_desk.db import utcnow
from service_desk.extensions import db
from service_desk.matters.models import Matter, UpdateKind
from service_desk.matters.services import history_add

NOT_PROGRESS = (UpdateKind.NOTICE, UpdateKind.EXTENSION_REQUEST, UpdateKind.EXTENSION_DECISION,
                UpdateKind.ATTACHMENT)


def _latest_note_of(client, number: str) -> str:
    response = client.get("/matters/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    column = rows[0].index("最新进展")
    return next(r[column] for r in rows[1:] if r[0] == number)


def _add(app, number: str, kind: UpdateKind, note: str, minute: int) -> None:
    """An entry ``minute`` minutes after now: after the seed's notes, in this order."""
    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == number))
        entry = history_add(matter=matter, actor=None, kind=kind, note=note)
        entry.created_at = utcnow() + dt.timedelta(minutes=minute)
        db.session.commit()


def test_a_notice_or_other_entry_after_the_progress_note_does_not_replace_it(app, people):
    supervisor = people["sup"]
    _add(app, "S07", UpdateKind.PROGRESS, "第二批电梯已开工", minute=1)
    for n, kind in enumerate(NOT_PROGRESS):
        _add(app, "S07", kind, f"不是进展 {kind.value}", minute=2 + n)
    assert _latest_note_of(supervisor, "S07") == "第二批电梯已开工"
    # a reply to the notice is the unit's own account of its progress
    _add(app, "S07", UpdateKind.NOTICE_REPLY, "已按督办要求加派人员", minute=10)
    assert _latest_note_of(supervisor, "S07") == "已按督办要求加派人员"


def _import(app, row: dict) -> None:
    from service_desk.ledger.services import import_apply

    with app.app_context():
        import_apply(rows=[{"row": 2, **row}], actor="test")
        db.session.commit()


def _set_progress(app, number: str, progress: int, note: str) -> None:
    from service_desk.matters.models import MatterStatus
    from service_desk.matters.services import matter_update

    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == number))
        matter_update(matter=matter, actor=None, expected_version=matter.version,
                      status=MatterStatus.IN_PROGRESS, progress=progress, note=note)
        db.session.commit()


def test_an_import_that_changes_only_progress_keeps_the_last_note_people_wrote(app, people):
    supervisor = people["sup"]
    _set_progress(app, "S07", 40, "停车场划线已完成")
    _import(app, {"number": "S07", "title": "顺心园便民停车场和休闲公园", "progress": 60})
    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == "S07"))
        assert matter.progress == 60  # the import did apply
        from service_desk.matters.models import MatterUpdate

        log = db.session.scalars(select(MatterUpdate).where(
            MatterUpdate.matter_id == matter.id, MatterUpdate.kind == UpdateKind.IMPORT)).one()
        assert log.is_generated and "40 → 60" in log.note
    assert _latest_note_of(supervisor, "S07") == "停车场划线已完成"


def test_the_progress_text_an_import_carries_is_a_persons_note_and_counts(app, people):
    supervisor = people["sup"]
    _set_progress(app, "S07", 40, "停车场划线已完成")
    _import(app, {"number": "S07", "title": "顺心园便民停车场和休闲公园", "progress": 70,
                  "latest_note": "休闲公园绿化已进场"})
    assert _latest_note_of(supervisor, "S07") == "休闲公园绿化已进场"
