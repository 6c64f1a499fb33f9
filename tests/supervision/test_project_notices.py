"""A supervision notice on a key project: issued from the overdue board's key-projects rows,
numbered in the year's one sequence, listed and printed with the project, answered by the
addressed unit's staff only; a notice targets an item or a project, exactly one."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from service_desk import create_app
from service_desk.audit.models import AuditEvent
from service_desk.base.calendar import today
from service_desk.extensions import db
from service_desk.matters.models import Matter, MatterUpdate, SupervisionNotice
from service_desk.notifications.models import Notification
from service_desk.projects.fieldwork_services import difficulty_add
from service_desk.projects.models import KeyProject
from service_desk.supervision.services import notice_issue
from service_desk.units.models import Unit

from ..factories import csrf_from, signed_in

CODE = "hongrui-medical"  # owned by the commerce bureau
LAND = "natural-resources-planning-dept"
FORM = f"/supervision/projects/{CODE}/notice"


@pytest.fixture
def people(app, seeded, make_user):
    """A supervisor; staff of the land department (a late difficulty waits on it) and of the
    commerce bureau (the owner unit), each with a mail address; English pages."""
    make_user("supervisor", username="sup")
    make_user("staff", unit=LAND, username="land")
    make_user("staff", unit="commerce-bureau", username="com")
    with app.app_context():
        from service_desk.accounts.models import User
        for name in ("land", "com"):
            db.session.scalar(select(User).where(User.username == name)).email = f"{name}@zone.example"
        project = db.session.scalar(select(KeyProject).where(KeyProject.code == CODE))
        land = db.session.scalar(select(Unit).where(Unit.code == LAND))
        difficulty = difficulty_add(project=project, actor="test", description="用地指标尚未落实",
                                    unit_id=land.id, deadline=None)
        difficulty.deadline = today() - dt.timedelta(days=2)  # late now
        db.session.commit()
    return {name: signed_in(app, name, lang="en") for name in ("sup", "land", "com")}


def later(app, days: int) -> str:
    """The zone's date ``days`` from today, as a form field takes it."""
    with app.app_context():
        return (today() + dt.timedelta(days=days)).isoformat()


def issue(client, data: dict, url: str = FORM):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def a_matter_notice(app) -> int:
    with app.app_context():
        from service_desk.accounts.models import User
        sup = db.session.scalar(select(User).where(User.username == "sup"))
        matter = db.session.scalar(select(Matter).where(Matter.number == "S03"))
        unit = db.session.scalar(select(Unit).where(Unit.code == "gov-service-centre"))
        notice = notice_issue(matter=matter, unit=unit, actor=sup, body="尽快推进",
                              reply_due=today() + dt.timedelta(days=5))
        db.session.commit()
        return notice.serial


def project_notice(app) -> SupervisionNotice:
    with app.app_context():
        return db.session.scalar(select(SupervisionNotice)
                                 .where(SupervisionNotice.project_id.is_not(None)))


def test_a_supervisor_issues_a_notice_from_the_boards_key_project_row(app, people):
    board = people["sup"].get("/supervision/").get_data(as_text=True)
    link = f'href="{FORM}?unit={LAND}"'
    assert link in board  # the difficulty's row, the unit it waits on preselected
    page = people["sup"].get(f"{FORM}?unit={LAND}").get_data(as_text=True)
    assert f"Key project {CODE}" in page
    assert re.search(rf'<option selected value="{LAND}"|<option value="{LAND}" selected', page)
    # no ?unit= (or a unit the project does not involve): the owner unit
    for url in (FORM, f"{FORM}?unit=gov-service-centre"):
        page = people["sup"].get(url).get_data(as_text=True)
        assert re.search(r'<option selected value="commerce-bureau"|'
                         r'<option value="commerce-bureau" selected', page)
        assert 'value="gov-service-centre"' not in page

    serial = a_matter_notice(app)
    due = later(app, 3)
    answer = issue(people["sup"], {"unit": LAND, "body": "请一周内落实用地指标", "reply_due": due})
    assert answer.status_code == 302
    notice = project_notice(app)
    assert answer.headers["Location"].endswith(f"/supervision/notices/{notice.id}")
    assert notice.matter_id is None and notice.serial == serial + 1
    with app.app_context():
        assert notice.year == today().year
        land = db.session.scalar(select(Unit).where(Unit.code == LAND))
        assert notice.unit_id == land.id
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "notice.issue",
                                                           AuditEvent.object_type == "key_project"))
        assert audit.object_id == str(notice.project_id) and audit.after["unit"] == LAND
        mails = db.session.scalars(select(Notification)
                                   .where(Notification.kind == "notice-issued")).all()
        to_land = [m for m in mails if m.recipient == "land@zone.example"]
        assert len(to_land) == 1 and CODE in to_land[0].subject and "请一周内落实用地指标" in to_land[0].body
        assert not [m for m in mails if m.recipient == "com@zone.example"]
    # the project's own page lists it, for the owner unit's staff, with its number and state
    page = people["com"].get(f"/projects/{CODE}").get_data(as_text=True)
    assert f"Notice {notice.year} No. {notice.serial}" in page and "Not replied yet" in page
    assert f'href="/supervision/notices/{notice.id}"' in page


def test_the_project_notice_form_refuses_bad_input_and_others(app, people):
    due = later(app, 3)
    past = later(app, -1)
    for data in ({"unit": "", "body": "x", "reply_due": due},
                 {"unit": "gov-service-centre", "body": "x", "reply_due": due},  # not involved
                 {"unit": LAND, "body": " ", "reply_due": due},
                 {"unit": LAND, "body": "x", "reply_due": past},
                 {"unit": LAND, "body": "x", "reply_due": "2021-02-30"}):
        assert issue(people["sup"], data).status_code == 422, data
    assert project_notice(app) is None
    assert people["com"].get(FORM).status_code == 403
    assert people["land"].post(FORM, data={"unit": LAND}).status_code in (400, 403)
    assert people["sup"].get("/supervision/projects/no-such-project/notice").status_code == 404


def test_the_list_the_page_the_document_and_the_csv_show_the_project(app, people):
    a_matter_notice(app)
    due = later(app, 3)
    assert issue(people["sup"], {"unit": LAND, "body": "请落实", "reply_due": due}).status_code == 302
    notice = project_notice(app)
    listing = people["sup"].get("/supervision/notices").get_data(as_text=True)
    assert f"Key project {CODE} 山东鸿瑞医疗器械产业园项目" in listing and "S03" in listing
    page = people["sup"].get(f"/supervision/notices/{notice.id}").get_data(as_text=True)
    assert f'href="/projects/{CODE}"' in page
    document = people["sup"].get(f"/supervision/notices/{notice.id}/document").get_data(as_text=True)
    assert f"{CODE} 山东鸿瑞医疗器械产业园项目" in document and "Item deadline" not in document
    csv = people["sup"].get("/supervision/notices?format=csv").get_data(as_text=True)
    assert any(line.split(",")[1:3] == [CODE, "山东鸿瑞医疗器械产业园项目"]
               for line in csv.splitlines())
    assert "S03" in csv
    # the addressed unit's staff see it in their list
    mine = people["land"].get("/supervision/notices").get_data(as_text=True)
    assert f"Key project {CODE}" in mine and "S03" not in mine


def test_the_addressed_unit_replies_and_no_other_unit_may(app, people):
    due = later(app, 3)
    assert issue(people["sup"], {"unit": LAND, "body": "请落实", "reply_due": due}).status_code == 302
    notice = project_notice(app)
    page_url = f"/supervision/notices/{notice.id}"
    # the owner unit's staff are not the addressee: neither the page nor a reply
    assert people["com"].get(page_url).status_code == 403
    assert people["com"].get(f"{page_url}/document").status_code == 403
    for other in ("com", "sup"):  # each with a token of their own session
        token = csrf_from(people[other].get("/supervision/notices").get_data(as_text=True))
        assert people[other].post(f"{page_url}/reply",
                                  data={"reply": "x", "csrf_token": token}).status_code == 403
    token = csrf_from(people["land"].get(page_url).get_data(as_text=True))
    page = people["land"].get(page_url).get_data(as_text=True)
    assert "Reply to this notice" in page
    assert f'href="/projects/{CODE}"' not in page  # the land department is not on the project's team
    answer = people["land"].post(f"{page_url}/reply",
                                 data={"reply": "指标已报批", "csrf_token": token})
    assert answer.status_code == 302
    with app.app_context():
        stored = db.session.get(SupervisionNotice, notice.id)
        assert stored.reply == "指标已报批" and stored.replied_at is not None
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "notice.reply"))
        assert audit.object_type == "key_project" and audit.object_id == str(notice.project_id)
        assert not db.session.scalars(select(MatterUpdate)
                                      .where(MatterUpdate.note == "指标已报批")).all()
    again = people["land"].post(f"{page_url}/reply", data={"reply": "再答", "csrf_token": token})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(SupervisionNotice, notice.id).reply == "指标已报批"


@pytest.mark.parametrize("target", ["both", "neither"])
def test_a_notice_targets_an_item_or_a_project_exactly_one(app, seeded, target):
    with app.app_context():
        matter = db.session.scalar(select(Matter.id).where(Matter.number == "S03"))
        project = db.session.scalar(select(KeyProject.id).where(KeyProject.code == CODE))
        unit = db.session.scalar(select(Unit.id).where(Unit.code == LAND))
        ids = {"matter_id": matter, "project_id": project} if target == "both" else {}
        db.session.add(SupervisionNotice(**ids, unit_id=unit, body="x", reply_due=today()))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_0017_lets_a_notice_target_a_project_and_back(scratch_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": scratch_url})
    app.instance_path = str(tmp_path)
    insert = ("INSERT INTO supervision_notices (id, year, serial, matter_id, project_id, unit_id,"
              " issued_at, body, reply_due) VALUES (:id, 2026, :id, :matter, :project, 1,"
              " '2026-06-01 02:00:00+00:00', '催办', '2026-12-31')")
    with app.app_context():
        upgrade(revision="0016")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO units (id, code, name, kind, is_active) VALUES (1, 'u', '单位', 'bureau', true)"))
            conn.execute(text(
                "INSERT INTO matters (id, number, title, status, progress, is_public, origin,"
                " is_synthetic, created_at, updated_at, version) VALUES (1, 'S01', '事项',"
                " 'in_progress', 0, true, 'seed', false, '2025-01-01 00:00:00+00:00',"
                " '2025-01-01 00:00:00+00:00', 1)"))
            conn.execute(text(
                "INSERT INTO key_projects (id, code, name, is_synthetic, created_at, updated_at)"
                " VALUES (1, 'p', '项目', false, '2025-01-01 00:00:00+00:00',"
                " '2025-01-01 00:00:00+00:00')"))
            conn.execute(text(insert.replace(", project_id", "").replace(", :project", "")),
                         {"id": 1, "matter": 1})
        upgrade(revision="0017")
        with db.engine.begin() as conn:
            conn.execute(text(insert), {"id": 2, "matter": None, "project": 1})
        for matter, project in ((None, None), (1, 1)):
            with pytest.raises(IntegrityError), db.engine.begin() as conn:
                conn.execute(text(insert), {"id": 3, "matter": matter, "project": project})
        columns = {c["name"]: c for c in inspect(db.engine).get_columns("supervision_notices")}
        assert columns["matter_id"]["nullable"] and "project_id" in columns
        downgrade(revision="0016")
        with db.engine.connect() as conn:
            left = conn.execute(text("SELECT id, matter_id FROM supervision_notices")).all()
        assert [tuple(r) for r in left] == [(1, 1)]  # the project's notice has no place there
        columns = {c["name"]: c for c in inspect(db.engine).get_columns("supervision_notices")}
        assert "project_id" not in columns and not columns["matter_id"]["nullable"]
        db.session.remove()
        db.engine.dispose()
