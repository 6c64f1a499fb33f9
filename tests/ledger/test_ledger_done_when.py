"""The ledger issue's "done when", walked through as its users would, in one story.

A staff member updates their unit's item and cannot touch another's; a supervisor sees it on
the overdue board, issues a notice, exports the ledger, edits it in a spreadsheet, imports it
back; the public board shows the change.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.matters.models import Matter, MatterStatus, SupervisionNotice

from ..factories import csrf_from, login


def test_the_ledger_story_from_staff_to_supervisor_to_the_public(app, seeded, make_user):
    make_user("staff", unit="gov-service-centre", username="centre")
    make_user("supervisor", username="sup")
    staff, sup, public = app.test_client(), app.test_client(), app.test_client()
    login(staff, "centre")
    login(sup, "sup")
    with app.app_context():
        for number, days in (("S03", -5), ("S06", 20)):
            matter = db.session.scalar(select(Matter).where(Matter.number == number))
            matter.status, matter.progress = MatterStatus.IN_PROGRESS, 30
            matter.deadline = dt.date.today() + dt.timedelta(days=days)
        db.session.commit()

    # staff update their unit's item, in public, and cannot touch another unit's
    page = staff.get("/matters/S03").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    saved = staff.post("/matters/S03/updates", data={
        "csrf_token": csrf_from(page), "status": "in_progress", "progress": "80",
        "note": "热线坐席已扩充", "is_public": "y", "version": version})
    assert saved.status_code == 302
    refused = staff.post("/matters/S06/updates", data={
        "csrf_token": csrf_from(page), "status": "completed", "progress": "100", "note": "x",
        "version": "1"})
    assert refused.status_code == 403

    # the supervisor sees S03 overdue and issues a notice to the centre
    board = sup.get("/supervision/").get_data(as_text=True)
    assert "S03" in board and "80%" in board
    form = sup.get("/supervision/matters/S03/notice").get_data(as_text=True)
    issued = sup.post("/supervision/matters/S03/notice", data={
        "csrf_token": csrf_from(form), "unit": "gov-service-centre", "body": "请说明逾期原因",
        "reply_due": (dt.date.today() + dt.timedelta(days=3)).isoformat()})
    assert issued.status_code == 302
    with app.app_context():
        assert db.session.query(SupervisionNotice).count() == 1

    # exports the ledger, edits S06 in a spreadsheet, imports it back (check, then apply)
    book = load_workbook(io.BytesIO(sup.get("/matters/export.xlsx").get_data()))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "S06")
    row[headers.index("进度")].value = 65
    row[headers.index("最新进展")].value = "小区绿化改造完成过半"
    edited = io.BytesIO()
    book.save(edited)
    upload_page = sup.get("/matters/import").get_data(as_text=True)
    checked = sup.post("/matters/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(upload_page), "file": (io.BytesIO(edited.getvalue()), "台账.xlsx")})
    check_html = checked.get_data(as_text=True)
    # every hidden field of the apply form, as the browser sends them
    fields = {name: html.unescape(value) for name, value in re.findall(
        r'name="(stored|sha256|filename|checked)" type="hidden" value="([^"]*)"', check_html)}
    applied = sup.post("/matters/import/apply",
                       data={**fields, "csrf_token": csrf_from(check_html)})
    assert applied.status_code in (200, 302)
    with app.app_context():
        assert db.session.scalar(select(Matter.progress).where(Matter.number == "S06")) == 65

    # the public board, without signing in, shows both changes
    board_s03 = public.get("/board/S03").get_data(as_text=True)
    assert "热线坐席已扩充" in board_s03 and "80%" in board_s03
    assert "65%" in public.get("/board/S06").get_data(as_text=True)
