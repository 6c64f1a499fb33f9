"""Open on completion (完工即开业): an actual completion date starts one one-stop approval case
(idempotent), with an editable checklist worked by the help desk; target opening = completion."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from service_desk.accounts.models import User
from service_desk.audit.models import AuditEvent
from service_desk.extensions import db
from service_desk.projects.fieldwork import OpeningCase, OpeningCaseItem, OpeningStatus
from service_desk.projects.fieldwork_services import OPENING_CHECKLIST, opening_case_start
from service_desk.projects.models import DatePrecision, KeyProject, MilestoneKind
from service_desk.projects.services import milestone_set

from ..factories import csrf_from, signed_in

HONGRUI = "hongrui-medical"
COMPLETED = dt.date(2026, 11, 30)


@pytest.fixture
def people(app, seeded, make_user):
    for name, role, unit in (("desk", "staff", "approval-bureau"),
                             ("build", "staff", "construction-bureau"),
                             ("com", "staff", "commerce-bureau"),
                             ("fin", "staff", "finance-bureau")):
        make_user(role, unit=unit, username=name)
    return {n: signed_in(app, n, lang="en") for n in ("desk", "build", "com", "fin")}


def project(code: str = HONGRUI) -> KeyProject:
    return db.session.scalar(select(KeyProject).where(KeyProject.code == code))


def complete(app, day: dt.date = COMPLETED) -> None:
    """A completion milestone gets its actual date through pA's milestone_set."""
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.username == "com"))
        milestone_set(project(), actor=actor, kind=MilestoneKind.COMPLETION, planned_on=day,
                      precision=DatePrecision.DAY, actual_on=day)
        db.session.commit()


def the_case(app) -> OpeningCase:
    with app.app_context():
        case = db.session.scalar(select(OpeningCase))
        if case is not None:
            case.__dict__["item_names"] = [i.name for i in db.session.scalars(
                select(OpeningCaseItem).where(OpeningCaseItem.case_id == case.id)
                .order_by(OpeningCaseItem.id))]
        db.session.expunge_all()
        return case


def test_no_case_before_completion_then_one_case_however_often_it_is_started(app, people):
    with app.app_context():
        assert opening_case_start(project=project()) is None
        # a planned completion is not a completion
        milestone_set(project(), actor="test", kind=MilestoneKind.COMPLETION,
                      planned_on=COMPLETED, precision=DatePrecision.MONTH)
        db.session.commit()
        assert opening_case_start(project=project()) is None
    complete(app)
    case = the_case(app)
    assert case is not None and case.status is OpeningStatus.OPEN
    assert case.target_opening_on == COMPLETED
    assert case.item_names == [name for name, _unit in OPENING_CHECKLIST]
    with app.app_context():
        again = opening_case_start(project=project(), actor="test")
        assert again.id == case.id
        complete(app)  # the same date set again: nothing new
        assert db.session.scalar(select(func.count(OpeningCase.id))) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "project.opening_case.start")) == 1
        desk = db.session.scalar(select(User).where(User.username == "desk"))
        assert case.unit_id == desk.unit_id  # the approval bureau works it (see the docs)
    # a corrected completion date moves the target of the open case
    complete(app, COMPLETED + dt.timedelta(days=2))
    assert the_case(app).target_opening_on == COMPLETED + dt.timedelta(days=2)


def _post(client, url: str, page: str, **data):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_the_help_desk_edits_the_checklist_and_units_mark_their_approvals(app, people):
    complete(app)
    case = the_case(app)
    page = f"/projects/opening-cases/{case.id}"
    assert people["desk"].get(page).status_code == 200
    assert people["com"].get(page).status_code == 200  # the project's own unit
    assert people["fin"].get(page).status_code == 403  # no part in it
    with app.app_context():
        items = {i.name: i.id for i in db.session.scalars(select(OpeningCaseItem))}
    fire = items["消防验收"]
    licence = items["营业执照及经营许可"]

    # the construction bureau marks its own approval, not another unit's, and edits no list
    r = _post(people["build"], f"{page}/items/{licence}/done", page, note="x", version="1")
    assert r.status_code == 403
    r = _post(people["build"], f"{page}/items", page, name="环评", version="1")
    assert r.status_code == 403
    r = _post(people["build"], f"{page}/items/{fire}/done", page, note="消防验收合格", version="1")
    assert r.status_code == 302
    # a stale form (version 1, the case is at 2 now) is refused
    r = _post(people["desk"], f"{page}/items", page, name="环评批复", version="1")
    assert r.status_code == 409
    r = _post(people["desk"], f"{page}/items", page, name="环评批复", unit="", version="2")
    assert r.status_code == 302
    r = _post(people["desk"], f"{page}/items/{fire}/remove", page, version="3")
    assert r.status_code == 422  # a done approval stays
    r = _post(people["desk"], f"{page}/items/{licence}/remove", page, version="3")
    assert r.status_code == 302
    r = _post(people["desk"], f"{page}/items/{fire}/done", page, note="", version="4")
    assert r.status_code == 422
    with app.app_context():
        names = [i.name for i in db.session.scalars(select(OpeningCaseItem).order_by(OpeningCaseItem.id))]
        assert "环评批复" in names and "营业执照及经营许可" not in names
        pending = db.session.scalars(select(OpeningCaseItem).where(
            OpeningCaseItem.done_at.is_(None))).all()
        ids = [i.id for i in pending]
    version = 4
    for item_id in ids:
        r = _post(people["desk"], f"{page}/items/{item_id}/done", page, note="已办结",
                  version=str(version))
        assert r.status_code == 302
        version += 1
    case = the_case(app)
    assert case.status is OpeningStatus.DONE and case.done_at is not None
    assert "All approvals done" in people["com"].get(page).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "project.opening_case.item_done")) == len(ids) + 1


def test_the_project_page_links_the_case(app, people):
    page = people["com"].get(f"/projects/{HONGRUI}/fieldwork").get_data(as_text=True)
    assert "starts when the completion milestone gets its actual date" in page
    complete(app)
    page = people["com"].get(f"/projects/{HONGRUI}/fieldwork").get_data(as_text=True)
    assert "One-stop opening case" in page
