"""Joint site selection (联动选址): one request to the four departments, each answering agree or
the problem with the land; done when all have answered; late answers stay visible."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from service_desk.audit.models import AuditEvent
from service_desk.base.calendar import add_working_days
from service_desk.base.calendar import today as zone_today
from service_desk.extensions import db
from service_desk.projects.fieldwork import SelectionAnswer, SiteSelection, SiteSelectionAnswer
from service_desk.projects.fieldwork_queries import answer_is_late, overdue_fieldwork
from service_desk.projects.fieldwork_services import SITE_SELECTION_DAYS, SITE_SELECTION_UNITS

from ..factories import csrf_from, signed_in

HONGRUI = "hongrui-medical"
DEPARTMENTS = {"econ": "economic-development-dept", "build": "construction-bureau",
               "com": "commerce-bureau", "land": "natural-resources-planning-dept"}


@pytest.fixture
def staff(app, seeded, make_user):
    for name, unit in (*DEPARTMENTS.items(), ("appr", "approval-bureau")):
        make_user("staff", unit=unit, username=name)
    make_user("supervisor", username="sup")
    return Clients(app)


class Clients(dict):
    def __init__(self, app):
        super().__init__()
        self.app = app

    def __missing__(self, name: str):
        self[name] = signed_in(self.app, name, lang="en")
        return self[name]


def today(app) -> dt.date:
    with app.app_context():
        return zone_today()


def selection(app) -> SiteSelection:
    with app.app_context():
        row = db.session.scalar(select(SiteSelection).order_by(SiteSelection.id.desc()))
        db.session.expunge_all()
        return row


def answers_by_unit(app, selection_id: int) -> dict[str, SiteSelectionAnswer]:
    from service_desk.units.models import Unit
    with app.app_context():
        rows = db.session.execute(select(Unit.code, SiteSelectionAnswer).join(
            SiteSelectionAnswer, SiteSelectionAnswer.unit_id == Unit.id).where(
            SiteSelectionAnswer.selection_id == selection_id)).all()
        db.session.expunge_all()
        return dict(rows)


def request_selection(client, deadline: str = "", note: str = "东区地块 50 亩"):
    page = client.get(f"/projects/{HONGRUI}/fieldwork").get_data(as_text=True)
    return client.post(f"/projects/{HONGRUI}/site-selections",
                       data={"csrf_token": csrf_from(page), "deadline": deadline, "note": note})


def answer(client, selection_id: int, verdict: str, note: str = "", version="1"):
    page = client.get(f"/projects/site-selections/{selection_id}")
    token = csrf_from(page.get_data(as_text=True) if page.status_code == 200
                      else client.get("/projects/waiting").get_data(as_text=True))
    return client.post(f"/projects/site-selections/{selection_id}/answer",
                       data={"csrf_token": token, "answer": verdict, "note": note,
                             "version": version})


def test_the_four_departments_are_in_the_seed():
    # 经发、建设、商务、自然资源和规划 (seeds/units.yaml): no department is missing
    assert len(SITE_SELECTION_UNITS) == 4


def test_one_request_to_four_departments_done_when_all_have_answered(app, staff):
    response = request_selection(staff["com"])
    assert response.status_code == 302
    sel = selection(app)
    with app.app_context():
        assert sel.deadline == add_working_days(zone_today(), SITE_SELECTION_DAYS)
    rows = answers_by_unit(app, sel.id)
    assert set(rows) == set(DEPARTMENTS.values())
    assert all(a.answer is None for a in rows.values())

    page = staff["land"].get("/projects/waiting").get_data(as_text=True)
    assert "answer by" in page
    # a unit that was not asked cannot answer; a problem needs its description
    assert answer(staff["appr"], sel.id, "agree").status_code == 403
    assert staff["appr"].get(f"/projects/site-selections/{sel.id}").status_code == 403
    missing = answer(staff["land"], sel.id, "problem", note="")
    assert missing.status_code == 422
    assert "Describe the problem with the land." in missing.get_data(as_text=True)

    assert answer(staff["land"], sel.id, "problem", note="地块涉及基本农田，需调整").status_code == 302
    assert answer(staff["econ"], sel.id, "agree").status_code == 302
    assert answer(staff["build"], sel.id, "agree").status_code == 302
    page = staff["com"].get(f"/projects/site-selections/{sel.id}").get_data(as_text=True)
    assert "Waiting for answers" in page and "地块涉及基本农田" in page
    # answering twice is refused
    again = answer(staff["land"], sel.id, "agree", version="2")
    assert again.status_code in (403, 422)
    assert answer(staff["com"], sel.id, "agree").status_code == 302
    page = staff["com"].get(f"/projects/site-selections/{sel.id}").get_data(as_text=True)
    assert "All departments answered" in page
    rows = answers_by_unit(app, sel.id)
    assert rows["natural-resources-planning-dept"].answer is SelectionAnswer.PROBLEM
    assert rows["economic-development-dept"].answer is SelectionAnswer.AGREE
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "project.site_selection.answer")).all()
        assert sorted(e.actor_label for e in events) == ["build", "com", "econ", "land"]


def test_a_stale_answer_is_refused_with_409(app, staff):
    request_selection(staff["com"])
    sel = selection(app)
    with app.app_context():
        db.session.execute(update(SiteSelectionAnswer).values(version=5))
        db.session.commit()
    response = answer(staff["land"], sel.id, "agree", version="1")
    # the page offered version 5 now, but the form posted 1
    assert response.status_code == 409
    assert answers_by_unit(app, sel.id)["natural-resources-planning-dept"].answer is None


def test_the_deadline_is_a_working_day(app, staff):
    response = request_selection(staff["com"], deadline="2027-10-01")  # National Day
    assert response.status_code == 422
    assert "is not a working day" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(SiteSelection)) is None
    # only the project's units ask for it
    page = staff["appr"].get("/projects/waiting").get_data(as_text=True)
    assert staff["appr"].post(f"/projects/{HONGRUI}/site-selections",
                              data={"csrf_token": csrf_from(page)}).status_code == 403


def test_late_answers_are_visible_and_overdue_while_pending(app, staff):
    request_selection(staff["com"])
    sel = selection(app)
    day = today(app)
    with app.app_context():
        db.session.execute(update(SiteSelection).values(deadline=day - dt.timedelta(days=3)))
        db.session.commit()
        late = overdue_fieldwork(day)
        assert sorted(x.unit.code for x in late.answers) == sorted(DEPARTMENTS.values())
        assert late.answers[0].project.code == HONGRUI
    assert answer(staff["land"], sel.id, "agree").status_code == 302
    rows = answers_by_unit(app, sel.id)
    land = rows["natural-resources-planning-dept"]
    with app.app_context():
        assert answer_is_late(land, day - dt.timedelta(days=3), day)  # answered after the deadline
        assert len(overdue_fieldwork(day).answers) == 3  # answered: off the overdue list
    page = staff["com"].get(f"/projects/site-selections/{sel.id}").get_data(as_text=True)
    assert page.count("Late") >= 4  # the late answer and the three pending ones
