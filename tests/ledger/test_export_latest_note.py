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
