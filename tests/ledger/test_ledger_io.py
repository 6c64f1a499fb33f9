"""The ledger in Excel, both ways: supervisors export it and import it, all or nothing."""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import os
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from service_desk.audit.models import AuditEvent
from service_desk.extensions import db
from service_desk.ledger.layout import HEADERS
from service_desk.matters.models import (
    KeyIssue,
    Matter,
    MatterStatus,
    MatterUpdate,
    RecordOrigin,
    UpdateKind,
)
from service_desk.units.models import Unit

from ..factories import csrf_from, login
from ..factories import matter_get as _matter
from ..factories import matter_set as _set

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- helpers ---------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _no_pending_uploads(app):
    """The instance folder outlives a test: start and end each one without stored uploads."""
    import shutil

    yield
    shutil.rmtree(os.path.join(app.instance_path, "imports"), ignore_errors=True)


@pytest.fixture
def supervisor(app, client, seeded, make_user):
    make_user("supervisor", username="sup")
    login(client, "sup")
    client.set_cookie("lang", "en")  # messages are asserted in English
    return client


def _workbook(rows: list[list], headers=HEADERS, title_rows: list[list] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "工作台账"
    for row in title_rows:
        sheet.append(row)
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(number, title, *, key_issue=None, lead=None, co=None, person=None, deadline=None,
         status=None, progress=None, note=None) -> list:
    return [number, title, key_issue, lead, co, person, deadline, status, progress, note]


def _export(client, query: str = ""):
    response = client.get("/matters/export.xlsx" + query)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == XLSX
    return load_workbook(io.BytesIO(response.get_data()))


def _export_csv(client, query: str = "") -> list[list[str]]:
    response = client.get("/matters/export.csv" + query)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _upload(client, data: bytes, filename: str):
    page = client.get("/matters/import").get_data(as_text=True)
    return client.post("/matters/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(data), filename)})


def _apply(client, check_html: str, **override):
    fields = dict(re.findall(
        r'name="(stored|sha256|filename|checked)" type="hidden" value="([^"]*)"', check_html))
    fields = {name: html.unescape(value) for name, value in fields.items()}
    assert set(fields) == {"stored", "sha256", "filename", "checked"}, "no apply form on the page"
    return client.post("/matters/import/apply", data={**fields, **override,
                                                      "csrf_token": csrf_from(check_html)})


def _state(app) -> dict:
    """What the import could change: every item, history entry, key issue and audit event."""
    with app.app_context():
        return {
            "matters": sorted(db.session.execute(select(
                Matter.number, Matter.title, Matter.status, Matter.progress, Matter.deadline,
                Matter.version, Matter.responsible_person, Matter.key_issue_id,
                Matter.lead_unit_id)).all()),
            "updates": db.session.scalar(select(func.count(MatterUpdate.id))),
            "key_issues": db.session.scalar(select(func.count(KeyIssue.id))),
            "audit": db.session.scalar(select(func.count(AuditEvent.id))
                                       .where(AuditEvent.action != "user.login")),
        }


def _pending_files(app) -> list[str]:
    path = os.path.join(app.instance_path, "imports")
    return os.listdir(path) if os.path.isdir(path) else []


def _cells(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


# ---- export ----------------------------------------------------------------------------------

def test_xlsx_export_has_the_offices_columns_real_dates_and_a_filter(app, supervisor):
    _set(app, "S03", deadline=dt.date(2024, 6, 30), responsible_person="王主任")
    book = _export(supervisor)
    assert book.sheetnames == ["工作台账"]
    sheet = book["工作台账"]
    rows = _cells(sheet)
    assert rows[0] == list(HEADERS)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:J{len(rows)}"
    assert len(rows) == 1 + 13
    s03 = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "S03")
    assert [c.value for c in s03[:6]] == ["S03", "开通便民热线,提供服务预约和上门服务", None,
                                          "经开区政务服务中心", None, "王主任"]
    deadline = s03[6]
    assert deadline.is_date and deadline.value.date() == dt.date(2024, 6, 30)
    assert deadline.number_format == "yyyy-mm-dd"
    assert (s03[7].value, s03[8].value, s03[8].data_type) == ("已完成", 100, "n")
    assert s03[9].value.startswith("“我们还开通了便民热线")  # the latest history note
    s08 = next(r for r in rows if r[0] == "S08")
    # co-units by name; the article names S08's two bureaus together and no lead
    assert (s08[3], s08[4]) == (None, "经开区科技创新局、经开区财政金融局")
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


def test_export_takes_the_list_filters(app, supervisor):
    _set(app, "S05", status=MatterStatus.IN_PROGRESS, progress=40,
         deadline=dt.date(2000, 1, 1))
    numbers = lambda book: [r[0] for r in _cells(book.active)[1:]]
    assert numbers(_export(supervisor, "?unit=gov-service-centre")) == ["S03"]
    assert numbers(_export(supervisor, "?unit=finance-bureau")) == ["S08"]  # co-unit counts
    assert numbers(_export(supervisor, "?overdue=1")) == ["S05"]
    assert numbers(_export(supervisor, "?status=in_progress")) == ["S05"]
    assert [r[0] for r in _export_csv(supervisor, "?q=手语")[1:]] == ["S01"]
    # the key issue filter, and items ordered by key issue, then number
    with app.app_context():
        issue = KeyIssue(number=7, title="政务服务")
        db.session.add(issue)
        db.session.flush()
        db.session.scalar(select(Matter).where(Matter.number == "S11")).key_issue_id = issue.id
        db.session.commit()
    assert numbers(_export(supervisor, "?key_issue=7")) == ["S11"]
    assert numbers(_export(supervisor))[:2] == ["S11", "S01"]


def test_csv_export_has_the_same_rows_with_iso_dates(app, supervisor):
    _set(app, "S03", deadline=dt.date(2024, 6, 30))
    rows = _export_csv(supervisor)
    assert rows[0] == list(HEADERS)
    assert len(rows) == 14
    s03 = next(r for r in rows if r[0] == "S03")
    assert s03[3] == "经开区政务服务中心"
    assert (s03[6], s03[7], s03[8]) == ("2024-06-30", "已完成", "100")


def test_formula_like_text_is_exported_as_text_in_xlsx_and_csv(app, supervisor):
    _set(app, "S03", title='=HYPERLINK("http://evil.example","点击")',
         responsible_person="+8613800000000")
    _set(app, "S04", title="@SUM(1+1)", responsible_person="-2+3")
    sheet = _export(supervisor).active
    s03 = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "S03")
    assert s03[1].data_type == "s"  # a string cell, not a formula ("f")
    assert s03[1].value == '=HYPERLINK("http://evil.example","点击")'
    assert s03[5].data_type == "s" and s03[5].value == "+8613800000000"
    rows = _export_csv(supervisor)
    s03 = next(r for r in rows if r[0] == "S03")
    s04 = next(r for r in rows if r[0] == "S04")
    assert s03[1] == '\'=HYPERLINK("http://evil.example","点击")'
    assert s03[5] == "'+8613800000000"
    assert (s04[1], s04[5]) == ("'@SUM(1+1)", "'-2+3")


def test_a_guarded_csv_imports_back_unchanged(app, supervisor):
    _set(app, "S03", title="=1+2")
    body = supervisor.get("/matters/export.csv").get_data()
    response = _upload(supervisor, body, "ledger.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "0 created, 0 updated, 13 unchanged" in html
    assert _matter(app, "S03").title == "=1+2"


@pytest.mark.parametrize("url", ["/matters/export.xlsx", "/matters/export.csv"])
def test_export_issues_the_same_number_of_statements_for_5_and_60_items(
        app, supervisor, count_queries, url):
    counts = []
    for extra in (5, 55):
        with app.app_context():
            units = list(db.session.scalars(select(Unit).order_by(Unit.code)))
            start = db.session.scalar(select(func.count(Matter.id)))
            for i in range(start, start + extra):
                matter = Matter(number=f"X{i:03}", title=f"合成事项 {i}",
                                origin=RecordOrigin.SYNTHETIC, is_synthetic=True,
                                lead_unit_id=units[i % 14].id,
                                co_units=[units[(i + 1) % 14], units[(i + 2) % 14]],
                                deadline=dt.date(2025, 1, 1) + dt.timedelta(days=i))
                db.session.add(matter)
                db.session.flush()
                db.session.add_all([MatterUpdate(matter_id=matter.id, note=f"第{n}次进展",
                                                 is_synthetic=True) for n in range(3)])
            db.session.commit()
        with count_queries() as statements:
            response = supervisor.get(url)
            body = response.get_data()
        assert response.status_code == 200 and len(body) > 0
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 8, counts


# ---- import: round trip ----------------------------------------------------------------------

def test_round_trip_export_edit_check_apply_and_apply_again(app, supervisor):
    with app.app_context():
        version_before = _matter(app, "S05").version
    book = _export(supervisor)
    sheet = book.active
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "S03":
            row[7].value, row[8].value = "推进中", 60
            row[9].value = "坐席扩至4个"
        if row[0].value == "S05":
            row[6].value = dt.datetime(2025, 3, 31)
    sheet.append(_row("S14", "老旧小区加装电梯", key_issue="老旧小区改造",
                      lead="construction-bureau", co="凤林街道、皇冠街道", person="李四",
                      deadline=dt.date(2025, 12, 31),
                      status="推进中", progress=30, note="已完成摸底"))
    edited = io.BytesIO()
    book.save(edited)
    before = _state(app)

    check = _upload(supervisor, edited.getvalue(), "台账.xlsx")
    html = check.get_data(as_text=True)
    assert check.status_code == 200
    assert "1 created, 2 updated, 11 unchanged" in html
    assert "老旧小区改造" in html and "坐席扩至4个" in html
    assert _state(app) == before  # the check changes nothing
    assert len(_pending_files(app)) == 1

    applied = _apply(supervisor, html)
    assert applied.status_code == 302
    done = supervisor.get(applied.headers["Location"]).get_data(as_text=True)
    assert "1 created, 2 updated, 11 unchanged" in done
    assert _pending_files(app) == []

    s03, s05, s14 = (_matter(app, n) for n in ("S03", "S05", "S14"))
    assert (s03.status, s03.progress, s03.completed_on, s03.version) == (
        MatterStatus.IN_PROGRESS, 60, None, 2)
    assert s05.deadline == dt.date(2025, 3, 31) and s05.version == version_before + 1
    assert s05.original_deadline == dt.date(2025, 3, 31)  # its first deadline
    assert (s14.title, s14.status, s14.progress, s14.deadline, s14.original_deadline,
            s14.responsible_person, s14.origin) == (
        "老旧小区加装电梯", MatterStatus.IN_PROGRESS, 30, dt.date(2025, 12, 31),
        dt.date(2025, 12, 31), "李四", RecordOrigin.IMPORT)
    with app.app_context():
        issue = db.session.scalar(select(KeyIssue))
        assert (issue.number, issue.title) == (1, "老旧小区改造")
        s14_db = db.session.scalar(select(Matter).where(Matter.number == "S14"))
        assert s14_db.key_issue_id == issue.id
        co = db.session.scalars(select(Unit.code).join(Matter.co_units.property.secondary)
                                .where(Matter.co_units.property.secondary.c.matter_id
                                       == s14_db.id)).all()
        assert sorted(co) == ["fenglin-subdistrict", "huangguan-subdistrict"]
        history = {u.matter_id: u for u in db.session.scalars(
            select(MatterUpdate).where(MatterUpdate.kind == UpdateKind.IMPORT))}
        assert len(history) == 3
        h03 = history[s03.id]
        assert (h03.note, h03.status_before, h03.status_after, h03.progress_before,
                h03.progress_after, h03.matter_version) == (
            "坐席扩至4个", MatterStatus.COMPLETED, MatterStatus.IN_PROGRESS, 100, 60, 2)
        assert "完成时限" in history[s05.id].note and "2025-03-31" in history[s05.id].note
        assert history[s14.id].note == "已完成摸底" and history[s14.id].matter_version == 1
        events = {e.object_id: e for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "matter.import"))}
        assert set(events) == {"S03", "S05", "S14"}
        assert events["S03"].actor_label == "sup"
        assert events["S03"].before == {"status": "completed", "progress": 100, "version": 1}
        assert events["S03"].after == {"status": "in_progress", "progress": 60, "version": 2,
                                       "latest_note": "坐席扩至4个"}
        assert events["S05"].before["deadline"] is None
        assert events["S05"].after["deadline"] == "2025-03-31"
        assert events["S14"].before is None and events["S14"].after["lead_unit"] == \
            "construction-bureau"
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action.in_(["ledger.import", "key_issue.create"]))) == 2

    # the same file again: nothing to apply, nothing changes
    after = _state(app)
    again = _upload(supervisor, edited.getvalue(), "台账.xlsx")
    html = again.get_data(as_text=True)
    assert "0 created, 0 updated, 14 unchanged" in html
    assert 'name="stored"' not in html  # no apply button when nothing would change
    assert _state(app) == after and _pending_files(app) == []


@pytest.mark.parametrize("chunk", [500, 4], ids=["one-chunk", "many-chunks"])
def test_a_fresh_export_imports_as_unchanged(app, supervisor, monkeypatch, chunk):
    from service_desk.ledger import queries, services

    _set(app, "S03", deadline=dt.date(2024, 6, 30), status=MatterStatus.IN_PROGRESS,
         progress=50, responsible_person="王五")
    monkeypatch.setattr(queries, "CHUNK", chunk)
    monkeypatch.setattr(services, "CHUNK", chunk)
    body = supervisor.get("/matters/export.xlsx").get_data()
    numbers = [r[0] for r in _cells(load_workbook(io.BytesIO(body)).active)[1:]]
    assert numbers == [f"S{i:02}" for i in range(1, 14)]  # chunks keep the ledger order
    html = _upload(supervisor, body, "ledger.xlsx").get_data(as_text=True)
    assert "0 created, 0 updated, 13 unchanged" in html


def test_a_csv_in_gb18030_with_chinese_dates_imports(app, supervisor):
    text = "\r\n".join([
        ",".join(HEADERS),
        "S03,开通便民热线,提供服务预约和上门服务,,经开区政务服务中心,,,2025年6月30日,推进中,80,",
        "N1,新增事项,,finance-bureau,,,2025/7/1,not_started,0,",
    ])
    text = text.replace("S03,开通便民热线,提供服务预约和上门服务",
                        '"S03","开通便民热线,提供服务预约和上门服务"')  # a comma in a title
    response = _upload(supervisor, text.encode("gb18030"), "台账.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "1 created, 1 updated, 0 unchanged" in html
    assert _apply(supervisor, html).status_code == 302
    s03, n1 = _matter(app, "S03"), _matter(app, "N1")
    assert (s03.deadline, s03.status, s03.progress) == (dt.date(2025, 6, 30),
                                                        MatterStatus.IN_PROGRESS, 80)
    assert (n1.deadline, n1.status) == (dt.date(2025, 7, 1), MatterStatus.NOT_STARTED)


def test_completed_in_the_file_means_100_and_sets_the_completion_date(app, supervisor):
    from service_desk.base.calendar import today

    _set(app, "S03", status=MatterStatus.IN_PROGRESS, progress=50, completed_on=None)
    data = _workbook([_row("S03", "开通便民热线,提供服务预约和上门服务", status="已完成")])
    html = _upload(supervisor, data, "a.xlsx").get_data(as_text=True)
    assert _apply(supervisor, html).status_code == 302
    s03 = _matter(app, "S03")
    with app.app_context():
        assert (s03.status, s03.progress, s03.completed_on) == (MatterStatus.COMPLETED, 100,
                                                                today())


def test_a_title_row_above_the_headers_and_extra_columns_are_tolerated(app, supervisor):
    data = _workbook([_row("S03", "开通便民热线,提供服务预约和上门服务") + ["备注"]],
                     headers=[f" {h} " for h in HEADERS] + ["备注"],
                     title_rows=[["威海经开区“我为群众办实事”工作台账"]])
    html = _upload(supervisor, data, "a.xlsx").get_data(as_text=True)
    assert "0 created, 0 updated, 1 unchanged" in html


# ---- import: bad rows and bad files ----------------------------------------------------------

BAD_ROWS = [
    # (row as written, expected column, a fragment of the reason)
    (_row("S03", "开通便民热线,提供服务预约和上门服务", status="推进中", progress=70), None, None),
    (_row("N1", "未知单位的事项", lead="no-such-unit"), "牵头单位", "Unknown unit"),
    (_row("S05", "产业园区帮办", deadline="明年六月"), "完成时限", "is not a date"),
    (_row("N2", "重复编号一", lead="zone"), "编号", "Duplicate number N2"),
    (_row("N2", "重复编号二", lead="zone"), "编号", "Duplicate number N2"),
    (_row("N3", None, lead="zone"), "事项", "Missing title"),
    (_row("N4", "进度超限", lead="zone", status="推进中", progress=150), "进度", "0 to 100"),
    (_row("N5", "状态不明", lead="zone", status="快完成了"), "状态", "Unknown status"),
    (_row(None, "没有编号", lead="zone"), "编号", "Missing number"),
    (_row("N6", "没有牵头单位"), "牵头单位", "needs a lead unit"),
    (_row("N7", "未开始却有进度", lead="zone", status="未开始", progress=20), "状态",
     "not started"),
    (_row("N8", "配合单位不明", lead="zone", co="经开区商务局、火星局"), "配合单位", "火星局"),
]


def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_stored(app, supervisor):
    from service_desk.ledger.reader import read_ledger
    from service_desk.ledger.services import ImportRejected, import_apply, validate_rows

    data = _workbook([row for row, _c, _r in BAD_ROWS])
    before = _state(app)
    response = _upload(supervisor, data, "bad.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in html and "Error:" in html
    assert 'name="stored"' not in html
    for index, (_row_, column, reason) in enumerate(BAD_ROWS):
        if column is None:
            continue
        spreadsheet_row = index + 2  # row 1 holds the headers
        cells = (rf'<th scope="row">{spreadsheet_row}</th>'
                 rf'<td class="column-name" lang="zh-CN">{column}')
        assert re.search(cells, html), (spreadsheet_row, column)
    assert _state(app) == before and _pending_files(app) == []

    from flask_babel import force_locale

    with app.app_context(), force_locale("en"):  # the reasons above are the English ones
        rows = read_ledger(data, "bad.xlsx").rows
        errors = validate_rows(rows)
        expected = {(i + 2, c) for i, (_r, c, _x) in enumerate(BAD_ROWS) if c is not None}
        assert {(e.row, e.column) for e in errors} == expected
        for index, (_r, column, fragment) in enumerate(BAD_ROWS):
            if column is not None:
                reasons = [e.reason for e in errors if e.row == index + 2]
                assert any(fragment in r for r in reasons), (index + 2, reasons)
        with pytest.raises(ImportRejected):
            import_apply(rows=rows, actor="test")
        db.session.rollback()
    assert _state(app) == before  # the valid S03 row was not applied either


def test_a_file_without_a_required_header_gets_one_clear_error(app, supervisor):
    headers = [h for h in HEADERS if h != "编号"]
    data = _workbook([["开通便民热线", None, "zone"]], headers=headers)
    response = _upload(supervisor, data, "a.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count('class="notice notice-error"') == 1
    assert "编号" in html and "it is required" in html


@pytest.mark.parametrize("filename,data,status,message", [
    ("ledger.xlsx", os.urandom(4096), 422, "not a readable .xlsx workbook"),
    ("ledger.xlsx", b"PK\x03\x04" + os.urandom(2048), 422, "not a readable .xlsx workbook"),
    ("ledger.exe", b"MZ\x90\x00" + os.urandom(512), 415, "Only .xlsx and .csv"),
    ("ledger.txt", "编号,事项\nS99,x\n".encode(), 415, "Only .xlsx and .csv"),
    ("ledger.csv", b"\xff\xfe" + "编号,事项".encode("utf-16-le"), 422, "not plain text"),
    ("ledger.csv", b"\x81\x30\xff\xff" * 10, 422, "neither UTF-8 nor GB18030"),
    ("ledger.xlsx", b"PK" + b"\x00" * (5 * 1024 * 1024), 413, "larger than 5 MB"),
    ("ledger.csv", b"", 422, "The file is empty"),
], ids=["random-bytes-xlsx", "broken-zip-xlsx", "exe", "txt", "utf16-csv", "bad-bytes-csv",
        "over-5mb", "empty-csv"])
def test_unreadable_wrong_or_oversized_files_get_a_clear_message_and_store_nothing(
        app, supervisor, filename, data, status, message):
    before = _state(app)
    response = _upload(supervisor, data, filename)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in html and "Nothing was imported" in html
    assert _state(app) == before and _pending_files(app) == []


def test_a_body_over_the_apps_limit_gets_the_same_clear_message(app, supervisor):
    page = supervisor.get("/matters/import").get_data(as_text=True)
    response = supervisor.post("/matters/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page),
        "file": (io.BytesIO(b"\x00" * (app.config["MAX_CONTENT_LENGTH"] + 1)), "big.xlsx")})
    assert response.status_code == 413
    assert "larger than 5 MB" in response.get_data(as_text=True)


def test_a_changed_or_unknown_pending_file_is_refused(app, supervisor):
    data = _workbook([_row("S03", "开通便民热线,提供服务预约和上门服务", status="推进中",
                           progress=70)])
    html = _upload(supervisor, data, "a.xlsx").get_data(as_text=True)
    before = _state(app)
    for override in ({"sha256": "0" * 64}, {"stored": "f" * 32 + ".xlsx"},
                     {"stored": "../../secret_key"}):
        response = _apply(supervisor, html, **override)
        assert response.status_code == 302
        page = supervisor.get(response.headers["Location"]).get_data(as_text=True)
        assert "no longer available" in page
    assert _state(app) == before
    # the genuine form works once; a second click finds nothing left to apply
    assert _apply(supervisor, html).status_code == 302
    assert _matter(app, "S03").progress == 70
    after = _state(app)
    response = _apply(supervisor, html)
    assert "no longer available" in supervisor.get(response.headers["Location"]).get_data(
        as_text=True)
    assert _state(app) == after


@pytest.mark.commits  # a second connection saves between the plan and the apply
def test_a_save_by_someone_else_during_the_apply_stores_nothing(app, supervisor, monkeypatch):
    from service_desk.ledger import services

    data = _workbook([
        _row("S03", "开通便民热线,提供服务预约和上门服务", status="推进中", progress=70),
        _row("N1", "新事项", lead="zone"),
    ])
    html = _upload(supervisor, data, "a.xlsx").get_data(as_text=True)
    real_plan = services.import_plan

    def plan_then_someone_saves(rows, **kwargs):
        plan = real_plan(rows, **kwargs)
        with db.engine.begin() as conn:  # another request commits between read and write
            conn.execute(Matter.__table__.update().where(Matter.number == "S03")
                         .values(version=Matter.version + 1, progress=100))
        return plan

    monkeypatch.setattr(services, "import_plan", plan_then_someone_saves)
    before = _state(app)
    response = _apply(supervisor, html)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone changed the ledger while this import ran" in page
    assert 'name="stored"' in page  # checked again against the current ledger: may retry
    after = _state(app)
    assert after["updates"] == before["updates"] and after["audit"] == before["audit"]
    with app.app_context():
        assert db.session.scalar(select(Matter.id).where(Matter.number == "N1")) is None


def test_a_missing_file_or_an_expired_form_is_refused(app, supervisor):
    page = supervisor.get("/matters/import").get_data(as_text=True)
    response = supervisor.post("/matters/import", content_type="multipart/form-data",
                               data={"csrf_token": csrf_from(page)})
    assert response.status_code == 422
    assert "Choose a file to check." in response.get_data(as_text=True)
    response = supervisor.post("/matters/import", content_type="multipart/form-data", data={
        "csrf_token": "stale", "file": (io.BytesIO(b"x"), "a.csv")})
    assert response.status_code in (400, 422)
    assert _pending_files(app) == []


# ---- access ----------------------------------------------------------------------------------

@pytest.mark.parametrize("role,unit", [("staff", "gov-service-centre"), ("operator", None)])
def test_staff_and_operators_get_403_on_export_and_import(app, client, seeded, make_user,
                                                          role, unit):
    make_user(role, unit=unit, username="someone")
    login(client, "someone")
    for url in ("/matters/export.xlsx", "/matters/export.csv", "/matters/import"):
        assert client.get(url).status_code == 403, url
    token = csrf_from(client.get("/").get_data(as_text=True))
    before = _state(app)
    data = _workbook([_row("S03", "改名", status="推进中", progress=10)])
    response = client.post("/matters/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(data), "a.xlsx")})
    assert response.status_code == 403
    response = client.post("/matters/import/apply", data={
        "csrf_token": token, "stored": "0" * 32 + ".xlsx", "sha256": "0" * 64})
    assert response.status_code == 403
    assert _state(app) == before


def test_anonymous_visitors_are_sent_to_sign_in(client, seeded):
    for url in ("/matters/export.xlsx", "/matters/export.csv", "/matters/import"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admins_may_export_and_import(app, client, seeded, make_user):
    make_user("admin", username="boss")
    login(client, "boss")
    assert client.get("/matters/export.xlsx").status_code == 200
    assert client.get("/matters/import").status_code == 200


# ---- command line ----------------------------------------------------------------------------

def test_cli_imports_a_file_and_a_second_run_changes_nothing(app, runner, seeded, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(_workbook([
        _row("S03", "开通便民热线,提供服务预约和上门服务", status="推进中", progress=70,
             note="命令行导入"),
        _row("C1", "命令行新增", lead="经开区商务局", deadline=dt.date(2025, 9, 30)),
    ]))
    before = _state(app)
    dry = runner.invoke(args=["import-matters", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would create 1, update 1, unchanged 0" in dry.output
    assert _state(app) == before

    first = runner.invoke(args=["import-matters", str(path)])
    assert first.exit_code == 0, first.output
    assert "created 1, updated 1, unchanged 0" in first.output
    assert _matter(app, "S03").progress == 70
    assert _matter(app, "C1").original_deadline == dt.date(2025, 9, 30)
    with app.app_context():
        labels = set(db.session.scalars(select(AuditEvent.actor_label).where(
            AuditEvent.action.in_(["matter.import", "ledger.import"]))))
        assert labels == {"cli"}
    after = _state(app)

    second = runner.invoke(args=["import-matters", str(path)])
    assert second.exit_code == 0, second.output
    assert "created 0, updated 0, unchanged 2" in second.output
    assert _state(app) == after


def test_cli_reports_every_bad_row_and_exits_1_changing_nothing(app, runner, seeded, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([
        ",".join(HEADERS),
        "S03,开通便民热线,,,,,,推进中,70,",
        "B1,坏日期,,zone,,,2025-02-30,,,",
        "B2,坏单位,,火星局,,,,,,",
    ]), encoding="utf-8-sig")
    before = _state(app)
    for args in (["import-matters", str(path)], ["import-matters", str(path), "--dry-run"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1
        assert "row 3, column 完成时限:" in result.output
        assert "row 4, column 牵头单位:" in result.output
        assert "nothing was imported" in result.output
    assert _state(app) == before


def test_cli_refuses_an_unreadable_file(app, runner, seeded, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(os.urandom(1000))
    result = runner.invoke(args=["import-matters", str(path)])
    assert result.exit_code == 1
    assert "不是有效的 .xlsx 工作簿" in result.output  # the command speaks the default zh_CN


def test_apply_refuses_when_an_item_changed_since_the_check(app, supervisor):
    """Issue 12, item 1: the check showed only a title change; meanwhile staff saved S07 as
    推进中 / 60; Apply put S07 back to 已完成 / 100. Apply now applies what was checked or
    nothing, and says what changed."""
    from service_desk.accounts.models import User
    from service_desk.matters.services import matter_update

    _set(app, "S07", status=MatterStatus.COMPLETED, progress=100)
    book = _export(supervisor)
    for row in book.active.iter_rows(min_row=2):
        if row[0].value == "S07":
            row[1].value = "物业服务提升（标题改过）"
    edited = io.BytesIO()
    book.save(edited)
    check = _upload(supervisor, edited.getvalue(), "台账.xlsx").get_data(as_text=True)
    assert "0 created, 1 updated" in check

    with app.app_context():  # staff record progress between the check and the apply
        matter = db.session.scalar(select(Matter).where(Matter.number == "S07"))
        matter_update(matter=matter, actor=db.session.scalar(select(User)), status=
                      MatterStatus.IN_PROGRESS, progress=60, note="返工：绿化待补种",
                      expected_version=matter.version)
        db.session.commit()
    before = _state(app)

    response = _apply(supervisor, check)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed since you checked" in page and "S07" in page and "返工：绿化待补种" in page
    assert _state(app) == before  # nothing applied: S07 keeps 推进中 / 60
    s07 = _matter(app, "S07")
    assert (s07.status, s07.progress) == (MatterStatus.IN_PROGRESS, 60)
    # the page is a new check against the current ledger: it shows the status change now
    assert 'name="stored"' in page and "In progress" in page
    again = _apply(supervisor, page)
    assert again.status_code == 302
    s07 = _matter(app, "S07")
    assert s07.title == "物业服务提升（标题改过）" and s07.status is MatterStatus.COMPLETED
