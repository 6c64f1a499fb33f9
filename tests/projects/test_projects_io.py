"""The key-projects ledger in Excel, both ways (issue 14): /projects/export.xlsx in the bureau's
layout, each person seeing only the projects they may view, and `service-desk import-projects`
all or nothing, idempotent, bounded like the matters ledger."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from service_desk.audit.models import AuditEvent
from service_desk.extensions import db
from service_desk.projects.fieldwork import OpeningCase
from service_desk.projects.models import (
    DatePrecision,
    KeyProject,
    MilestoneKind,
    ProjectStage,
    TaskTeamMember,
)
from service_desk.projects.sheet import HEADERS, SHEET_TITLE
from service_desk.units.models import Unit

from ..factories import login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEEDED = 12


@pytest.fixture
def world(app, seeded, make_user):
    """A supervisor, commerce-bureau staff, construction staff on 威东's task team, a leader of
    鸿瑞, an operator."""
    names = {"sup": ("supervisor", None), "trade": ("staff", "commerce-bureau"),
             "builder": ("staff", "construction-bureau"), "lead": ("leader", None),
             "op": ("operator", None)}
    for name, (role, unit) in names.items():
        make_user(role, unit=unit, username=name)
    with app.app_context():
        from service_desk.accounts.models import User

        lead = db.session.scalar(select(User).where(User.username == "lead"))
        hongrui = _project("hongrui-medical")
        hongrui.leader_user_id = lead.id
        weidong = _project("weidong-cbec")
        builder_unit = db.session.scalar(select(Unit).where(Unit.code == "construction-bureau"))
        weidong.team.append(TaskTeamMember(unit_id=builder_unit.id, name="王工", duty="联络"))
        db.session.commit()
        db.session.remove()
    return names


def _project(code: str) -> KeyProject:
    return db.session.scalar(select(KeyProject).where(KeyProject.code == code).options(
        selectinload(KeyProject.milestones), selectinload(KeyProject.team)))


def _export(app, who: str) -> bytes:
    client = app.test_client()
    login(client, who)
    response = client.get("/projects/export.xlsx")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == XLSX
    return response.data


def _table(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data))[SHEET_TITLE]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _by_code(table: list[list]) -> dict[str, dict]:
    return {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}


def _save(tmp_path, table: list[list], name: str = "projects.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    for row in table:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _set(table: list[list], code: str, header: str, value) -> None:
    column = table[0].index(header)
    next(row for row in table[1:] if row[0] == code)[column] = value


def _imports(app) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "projects.import").order_by(AuditEvent.id)))


def _audits(app, code: str) -> list[AuditEvent]:
    """The audit entries of one project (services write obj_type key_project, its id)."""
    with app.app_context():
        project_id = db.session.scalar(select(KeyProject.id).where(KeyProject.code == code))
        return list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "key_project",
            AuditEvent.object_id == str(project_id)).order_by(AuditEvent.id)))


def _state(app) -> dict[str, tuple]:
    """Every project's version and shown values, to compare before and after an import."""
    with app.app_context():
        return {p.code: (p.version, p.stage, p.total_investment, p.owner_unit_id,
                         sorted((m.kind.value, m.planned_on, m.actual_on) for m in p.milestones))
                for p in db.session.scalars(select(KeyProject).options(
                    selectinload(KeyProject.milestones)))}


# ---- export ----------------------------------------------------------------------------------

def test_the_supervisor_exports_every_project_in_the_bureaus_layout(app, world):
    table = _table(_export(app, "sup"))
    assert tuple(table[0]) == HEADERS
    rows = _by_code(table)
    assert len(rows) == SEEDED
    weidong = rows["weidong-cbec"]
    assert weidong["项目名称"] == "香港威东跨境电商项目"
    assert (weidong["总投资（万）"], weidong["币种"]) == (5000, "美元")
    # done in the quarter, the month the article gives; no planned date it does not give
    assert (weidong["签约（计划）"], weidong["签约（实际）"]) == (None, "2021年一季度")
    assert weidong["注册（实际）"] == "2021年4月"
    assert (weidong["资金到账（计划）"], weidong["到账金额（万）"], weidong["到账币种"]) == (
        "2021年6月", 1000, "美元")
    assert weidong["工作专班"].endswith("：王工（联络）")
    hongrui = rows["hongrui-medical"]
    assert (hongrui["总投资（万）"], hongrui["币种"]) == (30000, "美元")
    assert hongrui["类型"] == "项目"
    assert rows["ansuda-supply-chain"]["类型"] == "企业"  # named, not one of the 44


def test_each_person_exports_only_the_projects_they_may_view(app, world):
    trade = _by_code(_table(_export(app, "trade")))
    with app.app_context():
        owned = {p.code for p in db.session.scalars(select(KeyProject).join(
            Unit, KeyProject.owner_unit_id == Unit.id).where(Unit.code == "commerce-bureau"))}
    assert set(trade) == owned and "hongrui-medical" in owned
    assert set(_by_code(_table(_export(app, "builder")))) == {"weidong-cbec"}  # on its team
    assert set(_by_code(_table(_export(app, "lead")))) == {"hongrui-medical"}  # they lead it
    operator = app.test_client()
    login(operator, "op")
    assert operator.get("/projects/export.xlsx").status_code == 403
    anonymous = app.test_client().get("/projects/export.xlsx")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


# ---- import ----------------------------------------------------------------------------------

def test_importing_the_export_changes_nothing(app, world, runner, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(_export(app, "sup"))
    before = _state(app)
    result = runner.invoke(args=["import-projects", str(path)])
    assert result.exit_code == 0, result.output
    assert f"created 0, updated 0, unchanged {SEEDED}" in result.output
    assert _state(app) == before
    assert _imports(app) == []


def test_a_changed_cell_changes_exactly_that_and_is_audited(app, world, runner, tmp_path):
    table = _table(_export(app, "sup"))
    _set(table, "weidong-cbec", "当前阶段", "建设")
    _set(table, "weidong-cbec", "资金到账（实际）", dt.datetime(2021, 6, 18))
    path = _save(tmp_path, table)
    before = _state(app)
    result = runner.invoke(args=["import-projects", str(path)])
    assert result.exit_code == 0, result.output
    assert f"created 0, updated 1, unchanged {SEEDED - 1}" in result.output
    after = _state(app)
    assert {c for c in after if after[c] != before[c]} == {"weidong-cbec"}
    with app.app_context():
        weidong = _project("weidong-cbec")
        assert weidong.stage is ProjectStage.CONSTRUCTION
        funds = next(m for m in weidong.milestones if m.kind is MilestoneKind.FUNDS_ARRIVAL)
        assert (funds.actual_on, funds.actual_precision) == (dt.date(2021, 6, 18),
                                                             DatePrecision.DAY)
        assert (funds.planned_on, funds.precision, funds.amount) == (
            dt.date(2021, 6, 1), DatePrecision.MONTH, 10_000_000)  # untouched
        assert weidong.version > before["weidong-cbec"][0]  # a new ETag for the API
    events = _audits(app, "weidong-cbec")
    assert [e.action for e in events] == ["project.update", "project.milestone_set"]
    update, milestone = events
    assert (update.before, update.actor_label) == ({"stage": None}, "cli")
    assert update.after["stage"] == "construction"
    assert (milestone.before["actual_on"], milestone.after["actual_on"]) == (None, "2021-06-18")
    assert milestone.after["planned_on"] == "2021-06-01"
    (summary,) = _imports(app)
    assert summary.after["updated"] == ["weidong-cbec"] and summary.after["source"] == path.name
    # idempotent: the same file again changes nothing
    again = runner.invoke(args=["import-projects", str(path)])
    assert f"created 0, updated 0, unchanged {SEEDED}" in again.output
    assert len(_imports(app)) == 1 and len(_audits(app, "weidong-cbec")) == 2


def test_a_new_code_creates_the_project_with_its_milestones(app, world, runner, tmp_path):
    table = [list(HEADERS)]
    row = dict.fromkeys(HEADERS)
    row.update({"项目编号": "demo-new", "项目名称": "新项目", "内外资": "内资", "产业类别": "制造业",
                "总投资（万）": 3.6, "币种": "人民币", "约数": "是", "责任单位": "commerce-bureau",
                "当前阶段": "供地", "竣工（计划）": "2022Q3", "签约（实际）": "2021年5月"})
    table.append([row[h] for h in HEADERS])
    result = runner.invoke(args=["import-projects", str(_save(tmp_path, table))])
    assert result.exit_code == 0, result.output
    assert "created 1, updated 0, unchanged 0" in result.output
    with app.app_context():
        project = _project("demo-new")
        assert (project.origin, project.category, project.total_investment,
                project.total_investment_currency, project.investment_approximate,
                project.stage) == ("domestic", "manufacturing", 36000, "CNY", True,
                                   ProjectStage.LAND_SUPPLY)
        kinds = {m.kind: m for m in project.milestones}
        assert (kinds[MilestoneKind.COMPLETION].planned_on,
                kinds[MilestoneKind.COMPLETION].precision) == (dt.date(2022, 7, 1),
                                                               DatePrecision.QUARTER)
        assert (kinds[MilestoneKind.SIGNING].actual_on,
                kinds[MilestoneKind.SIGNING].actual_precision) == (dt.date(2021, 5, 1),
                                                                   DatePrecision.MONTH)


def test_one_bad_row_imports_nothing_and_every_error_is_listed(app, world, runner, tmp_path):
    table = _table(_export(app, "sup"))
    _set(table, "weidong-cbec", "当前阶段", "建设")  # a good change, not applied
    _set(table, "hongrui-medical", "签约（计划）", "someday")
    _set(table, "hongrui-medical", "责任单位", "不存在的局")
    _set(table, "artemed-hospital", "注册（实际）", dt.datetime(2099, 1, 1))
    _set(table, "shenghua-commodity", "项目编号", "weidong-cbec")  # a duplicate code
    _set(table, "luyuan-investment", "到账金额（万）", 100)  # a new milestone without a date
    _set(table, "luyuan-investment", "到账币种", "美元")
    before = _state(app)
    for args in (["--dry-run"], []):
        result = runner.invoke(args=["import-projects", str(_save(tmp_path, table)), *args])
        assert result.exit_code == 1
        out = result.output
        hongrui = 1 + next(i for i, r in enumerate(table) if r[0] == "hongrui-medical")
        # the reasons are in the default zh_CN once compiled: assert where, and the values
        assert f"row {hongrui}, column 签约（计划）" in out and "someday" in out
        assert f"row {hongrui}, column 责任单位" in out and "不存在的局" in out
        artemed = 1 + next(i for i, r in enumerate(table) if r[0] == "artemed-hospital")
        assert f"row {artemed}, column 注册（实际）" in out
        shenghua = 1 + next(i for i, r in enumerate(table) if r[1] == "香港盛华大宗商品交易中心项目")
        assert f"row {shenghua}, column 项目编号" in out
        luyuan = 1 + next(i for i, r in enumerate(table) if r[0] == "luyuan-investment")
        assert f"row {luyuan}, column 资金到账（计划）" in out
        assert "6 problems; nothing was imported" in out  # the duplicate on both rows
    assert _state(app) == before
    assert _imports(app) == []


def test_a_dry_run_reports_and_writes_nothing(app, world, runner, tmp_path):
    table = _table(_export(app, "sup"))
    _set(table, "hongrui-medical", "当前阶段", "审批")
    before = _state(app)
    result = runner.invoke(args=["import-projects", str(_save(tmp_path, table)), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would create 0, update 1" in result.output and "hongrui-medical" in result.output
    assert _state(app) == before
    assert _imports(app) == []


def test_a_completion_date_starts_the_opening_case(app, world, runner, tmp_path):
    table = _table(_export(app, "sup"))
    _set(table, "weidong-cbec", "竣工（实际）", dt.datetime(2021, 9, 30))
    result = runner.invoke(args=["import-projects", str(_save(tmp_path, table))])
    assert result.exit_code == 0, result.output
    with app.app_context():
        case = db.session.scalar(select(OpeningCase).join(
            KeyProject, OpeningCase.project_id == KeyProject.id).where(
            KeyProject.code == "weidong-cbec"))
        assert case is not None and case.target_opening_on == dt.date(2021, 9, 30)


# ---- files that are not a workbook, or a bomb ------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
HEADER_XML = ('<row r="1"><c r="A1" t="inlineStr"><is><t>项目编号</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>项目名称</t></is></c></row>')
LAUGHS = ('<!DOCTYPE worksheet [<!ENTITY l0 "lol">'
          + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)) + "]>")


def _bomb(rows: bytes, prolog: str = "") -> bytes:
    """A minimal workbook with one hand-written sheet (as tests/ledger/test_xlsx_bombs.py)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            f'<Types xmlns="{TYPES}"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/></Types>'))
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{PACKAGE}"><Relationship '
                         f'Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
                         "</Relationships>")
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
                         f'<sheet name="{SHEET_TITLE}" sheetId="1" r:id="rId1"/></sheets>'
                         "</workbook>")
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PACKAGE}">'
                         f'<Relationship Id="rId1" Type="{RELS}/worksheet" '
                         'Target="worksheets/sheet1.xml"/></Relationships>')
        archive.writestr("xl/worksheets/sheet1.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">'
            f"<sheetData>{HEADER_XML}").encode() + rows + b"</sheetData></worksheet>")
    return out.getvalue()


BOMBS = {
    # a million cells in one row: ~1,000:1 packed
    "packed-wide-row": (lambda: _bomb(b'<row r="2">' + b"<c><v>1</v></c>" * 1_000_000
                                      + b"</row>"), "解压后过大"),
    "billion-laughs": (lambda: _bomb(
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>&l9;</t></is></c></row>', prolog=LAUGHS),
        "不是有效的 .xlsx 工作簿"),
    "not-a-zip": (lambda: b"PK\x03\x04 this is not a workbook", "不是有效的 .xlsx 工作簿"),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_is_refused_and_nothing_is_written(app, world, runner, tmp_path, name):
    build, words = BOMBS[name]
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(build())
    before = _state(app)
    result = runner.invoke(args=["import-projects", str(path)])
    assert result.exit_code == 1
    assert words in result.output  # the command speaks the default zh_CN
    assert _state(app) == before


def test_the_hand_built_workbook_is_read(app, world, runner, tmp_path):
    """The bomb builder makes a readable workbook when there is no bomb in it."""
    path = tmp_path / "control.xlsx"
    path.write_bytes(_bomb(('<row r="2"><c r="A2" t="inlineStr"><is><t>hongrui-medical</t>'
                            '</is></c><c r="B2" t="inlineStr"><is><t>山东鸿瑞医疗器械产业园项目'
                            "</t></is></c></row>").encode()))
    result = runner.invoke(args=["import-projects", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would create 0, update 0, unchanged 1" in result.output


def test_other_files_are_refused_with_how_to_fix_them(app, world, runner, tmp_path):
    csv_file = tmp_path / "projects.csv"
    csv_file.write_text("项目编号,项目名称\nx,y\n")
    result = runner.invoke(args=["import-projects", str(csv_file)])
    assert result.exit_code == 1 and ".xlsx" in result.output
    no_header = _save(tmp_path, [["编号", "名称"], ["x", "y"]], "no-header.xlsx")
    result = runner.invoke(args=["import-projects", str(no_header)])
    assert result.exit_code == 1
    assert "No header row found" in result.output or "表头" in result.output


def test_the_team_cell_replaces_the_team_and_the_progress_is_reported(app, world):
    """Members are matched by unit, person and duty: kept, removed, added (each audited);
    report(phase, done, total) is called as for the matters ledger's import."""
    from service_desk.projects.importing import import_apply, import_plan

    calls: list[tuple[str, int, int]] = []
    rows = [{"row": 2, "code": "weidong-cbec", "name": "香港威东跨境电商项目",
             "team": "住房和城乡建设局：王工（联络）；commerce-bureau：李四"}]
    with app.app_context():
        unit_name = db.session.scalar(select(Unit.name).where(Unit.code == "construction-bureau"))
        rows[0]["team"] = f"{unit_name}：王工（联络）；commerce-bureau：李四"
        plan = import_plan(rows, report=lambda *a: calls.append(a))
        assert plan.errors == [] and len(plan.updated) == 1
        assert calls == [("check", 1, 2), ("check", 2, 2)]
        calls.clear()
        import_apply(rows=rows, actor="test", report=lambda *a: calls.append(a))
        assert calls[-1] == ("apply", 1, 1)
        db.session.commit()
        team = [(m.unit.code, m.name, m.duty) for m in db.session.scalars(
            select(TaskTeamMember).options(selectinload(TaskTeamMember.unit)).join(
                KeyProject).where(KeyProject.code == "weidong-cbec").order_by(TaskTeamMember.id))]
        assert team == [("construction-bureau", "王工", "联络"), ("commerce-bureau", "李四", None)]
        actions = [e.action for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "key_project").order_by(AuditEvent.id))]
        assert actions == ["project.team_add"]  # 王工 kept as he was
        # and the same rows again change nothing
        assert import_plan(rows).changes == []
