"""Field work on key projects: site visits and their difficulties (closed by the responsible
unit only, deadlines on the working-day calendar, stale closes refused), what waits on a unit,
a leader's difficulties, and what is late for the supervisors."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from service_desk.audit.models import AuditEvent
from service_desk.base.calendar import add_working_days, is_working_day
from service_desk.base.calendar import today as zone_today
from service_desk.extensions import db
from service_desk.projects.fieldwork import DifficultyStatus, ProjectDifficulty, SiteVisit
from service_desk.projects.fieldwork_queries import difficulties_for_leader, overdue_fieldwork
from service_desk.projects.fieldwork_services import (
    DIFFICULTY_DAYS,
    FieldworkError,
    working_deadline,
)
from service_desk.projects.models import KeyProject
from service_desk.units.models import Unit

from ..factories import csrf_from, signed_in

HONGRUI = "hongrui-medical"


_APP = {}


@pytest.fixture(autouse=True)
def _zone_app(app):
    _APP["app"] = app


def today() -> dt.date:
    """The zone's date (base.calendar.today reads the app's time zone setting)."""
    with _APP["app"].app_context():
        return zone_today()


@pytest.fixture
def team(app, seeded, make_user):
    """Staff of the commerce bureau (owner of 鸿瑞), of the land department, of the
    construction bureau; a supervisor; the leader of 鸿瑞 and another leader."""
    for name, role, unit in (("com", "staff", "commerce-bureau"),
                             ("land", "staff", "natural-resources-planning-dept"),
                             ("build", "staff", "construction-bureau"),
                             ("sup", "supervisor", None), ("lead", "leader", None),
                             ("lead2", "leader", None)):
        make_user(role, unit=unit, username=name)
    with app.app_context():
        from service_desk.accounts.models import User
        lead = db.session.scalar(select(User).where(User.username == "lead"))
        db.session.execute(update(KeyProject).where(KeyProject.code == HONGRUI)
                           .values(leader_user_id=lead.id))
        db.session.commit()
        db.session.remove()
    return Clients(app)


class Clients(dict):
    """Signed-in clients by username, each signed in on first use."""

    def __init__(self, app):
        super().__init__()
        self.app = app

    def __missing__(self, name: str):
        self[name] = signed_in(self.app, name, lang="en")
        return self[name]


def unit_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.code == code))


def difficulties(app) -> list[ProjectDifficulty]:
    with app.app_context():
        rows = db.session.scalars(select(ProjectDifficulty).order_by(ProjectDifficulty.id)).all()
        db.session.expunge_all()
        return list(rows)


def record_visit(app, client, *, deadline: str = "", description="用地指标尚未落实",
                 unit: str = "natural-resources-planning-dept", code: str = HONGRUI):
    page = client.get(f"/projects/{code}/fieldwork")
    assert page.status_code == 200
    data = {"csrf_token": csrf_from(page.get_data(as_text=True)),
            "visited_on": today().isoformat(), "progress_seen": "厂房基础施工中",
            "units": [str(unit_id(app, "commerce-bureau")), str(unit_id(app, unit))],
            "difficulties-0-description": description,
            "difficulties-0-unit": str(unit_id(app, unit)),
            "difficulties-0-deadline": deadline,
            "difficulties-1-description": "", "difficulties-1-unit": "",
            "difficulties-1-deadline": ""}
    return client.post(f"/projects/{code}/visits", data=data)


def close(client, difficulty_id: int, *, version, note="已协调落实用地指标"):
    page = client.get(f"/projects/difficulties/{difficulty_id}?lang=en")
    token = csrf_from(page.get_data(as_text=True)) if page.status_code == 200 else \
        csrf_from(client.get("/projects/waiting").get_data(as_text=True))
    return client.post(f"/projects/difficulties/{difficulty_id}/close",
                       data={"csrf_token": token, "note": note, "version": str(version)})


def next_non_working_day() -> dt.date:
    day = today() + dt.timedelta(days=1)
    while is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def test_commerce_staff_record_a_visit_and_the_land_department_closes_its_difficulty(app, team):
    response = record_visit(app, team["com"])
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    [d] = difficulties(app)
    assert d.status is DifficultyStatus.OPEN
    assert d.unit_id == unit_id(app, "natural-resources-planning-dept")
    # no deadline given: DIFFICULTY_DAYS working days from today, on the working-day calendar
    with app.app_context():
        assert d.deadline == add_working_days(today(), DIFFICULTY_DAYS)
        visit = db.session.scalar(select(SiteVisit))
        assert visit.progress_seen == "厂房基础施工中"
        assert db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "project.site_visit")).actor_label == "com"

    waiting = team["land"].get("/projects/waiting").get_data(as_text=True)
    assert "用地指标尚未落实" in waiting
    assert "用地指标尚未落实" not in team["build"].get("/projects/waiting").get_data(as_text=True)

    # another unit cannot close a difficulty it does not own, nor the project's own unit
    assert close(team["build"], d.id, version=1).status_code == 403
    assert close(team["com"], d.id, version=1).status_code == 403
    assert close(team["sup"], d.id, version=1).status_code == 403
    assert close(team["land"], d.id, version=1).status_code == 302
    [d] = difficulties(app)
    assert d.status is DifficultyStatus.CLOSED and d.closed_note == "已协调落实用地指标"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "project.difficulty.close"))
        assert event.actor_label == "land" and event.after["note"] == "已协调落实用地指标"
        assert event.before["status"] == "open" and event.after["status"] == "closed"
    assert "已协调落实用地指标" in team["com"].get(f"/projects/{HONGRUI}/fieldwork").get_data(
        as_text=True)


def test_a_stale_close_is_refused_with_409_and_an_empty_note_with_a_message(app, team):
    record_visit(app, team["com"])
    [d] = difficulties(app)
    empty = close(team["land"], d.id, version=1, note="  ")
    assert empty.status_code == 422
    assert "the note is required" in empty.get_data(as_text=True)
    with app.app_context():  # someone else saved it meanwhile
        db.session.execute(update(ProjectDifficulty).values(version=2))
        db.session.commit()
    stale = close(team["land"], d.id, version=1)
    assert stale.status_code == 409
    assert "Someone else updated this item" in stale.get_data(as_text=True)
    assert difficulties(app)[0].status is DifficultyStatus.OPEN
    assert close(team["land"], d.id, version="x").status_code == 422


def test_a_deadline_must_be_a_working_day_and_not_in_the_past(app, team):
    holiday = next_non_working_day()
    response = record_visit(app, team["com"], deadline=holiday.isoformat())
    assert response.status_code == 422
    assert "is not a working day" in response.get_data(as_text=True)
    assert difficulties(app) == []
    with app.app_context():  # the whole visit is refused: nothing half-saved
        assert db.session.scalar(select(SiteVisit)) is None
    past = record_visit(app, team["com"], deadline=(today() - dt.timedelta(days=1)).isoformat())
    assert past.status_code == 422 and "cannot be in the past" in past.get_data(as_text=True)
    working = add_working_days(today(), 3)
    assert record_visit(app, team["com"], deadline=working.isoformat()).status_code == 302
    assert difficulties(app)[0].deadline == working


def test_working_deadline_counts_working_days_across_a_holiday(app):
    with app.app_context():
        # 2027-10-01 (National Day) is a holiday: never a deadline; counting skips the break
        with pytest.raises(FieldworkError):
            working_deadline(dt.date(2027, 10, 1), days=5)
        assert working_deadline(None, days=5) == add_working_days(today(), 5)
        assert is_working_day(working_deadline(None, days=DIFFICULTY_DAYS))


def test_a_visit_needs_progress_and_a_unit_and_a_difficulty_needs_its_unit(app, team):
    page = team["com"].get(f"/projects/{HONGRUI}/fieldwork").get_data(as_text=True)
    response = team["com"].post(f"/projects/{HONGRUI}/visits", data={
        "csrf_token": csrf_from(page), "visited_on": today().isoformat(), "progress_seen": "",
        "difficulties-0-description": "无责任单位", "difficulties-0-unit": ""})
    assert response.status_code == 422
    assert "Describe the progress seen." in response.get_data(as_text=True)
    response = team["com"].post(f"/projects/{HONGRUI}/visits", data={
        "csrf_token": csrf_from(page), "visited_on": today().isoformat(),
        "progress_seen": "进展", "units": [str(unit_id(app, "commerce-bureau"))],
        "difficulties-0-description": "无责任单位", "difficulties-0-unit": "999999"})
    assert response.status_code == 422
    assert "Choose the responsible unit." in response.get_data(as_text=True)
    future = (today() + dt.timedelta(days=3)).isoformat()
    response = team["com"].post(f"/projects/{HONGRUI}/visits", data={
        "csrf_token": csrf_from(page), "visited_on": future, "progress_seen": "进展",
        "units": [str(unit_id(app, "commerce-bureau"))]})
    assert response.status_code == 422
    assert difficulties(app) == []


def test_access_per_role_and_unit(app, team):
    # only the owner unit (and admins) record visits; other units and leaders do not
    assert team["build"].get(f"/projects/{HONGRUI}/fieldwork").status_code == 403
    assert team["lead2"].get(f"/projects/{HONGRUI}/fieldwork").status_code == 403
    page = team["lead"].get(f"/projects/{HONGRUI}/fieldwork")
    assert page.status_code == 200 and "Record a site visit" not in page.get_data(as_text=True)
    assert team["sup"].get(f"/projects/{HONGRUI}/fieldwork").status_code == 200
    assert record_visit(app, team["com"]).status_code == 302
    token = csrf_from(team["build"].get("/projects/waiting").get_data(as_text=True))
    assert team["build"].post(f"/projects/{HONGRUI}/visits",
                              data={"csrf_token": token}).status_code == 403
    [d] = difficulties(app)
    # the unit a difficulty waits on sees it without seeing the project's page
    assert team["land"].get(f"/projects/difficulties/{d.id}").status_code == 200
    assert team["land"].get(f"/projects/{HONGRUI}/fieldwork").status_code == 403
    assert team["build"].get(f"/projects/difficulties/{d.id}").status_code == 403
    assert team["lead2"].get(f"/projects/difficulties/{d.id}").status_code == 403
    assert team["lead"].get(f"/projects/difficulties/{d.id}").status_code == 200
    assert app.test_client().get(f"/projects/difficulties/{d.id}").status_code == 302  # log in
    assert team["com"].get("/projects/difficulties/999999").status_code == 404
    assert team["com"].get("/projects/no-such-project/fieldwork").status_code == 404


def test_a_leader_sees_the_open_difficulties_of_their_projects_by_unit(app, team):
    record_visit(app, team["com"])
    record_visit(app, team["com"], description="施工许可待办", unit="construction-bureau")
    with app.app_context():
        from service_desk.accounts.models import User
        lead = db.session.scalar(select(User).where(User.username == "lead"))
        lead2 = db.session.scalar(select(User).where(User.username == "lead2"))
        groups = difficulties_for_leader(lead)
        assert {u.code: [d.description for d in ds] for u, ds in groups} == {
            "construction-bureau": ["施工许可待办"],
            "natural-resources-planning-dept": ["用地指标尚未落实"]}
        assert groups[0][1][0].project.code == HONGRUI
        assert difficulties_for_leader(lead2) == []
    page = team["lead"].get("/projects/waiting").get_data(as_text=True)
    assert "施工许可待办" in page and "用地指标尚未落实" in page
    assert "施工许可待办" not in team["lead2"].get("/projects/waiting").get_data(as_text=True)


def test_late_difficulties_are_overdue_for_the_supervisors(app, team):
    record_visit(app, team["com"])
    [d] = difficulties(app)
    with app.app_context():
        assert len(overdue_fieldwork(today())) == 0
        db.session.execute(update(ProjectDifficulty).values(
            deadline=today() - dt.timedelta(days=1)))
        db.session.commit()
        late = overdue_fieldwork(today())
        assert [x.id for x in late.difficulties] == [d.id]
        assert late.difficulties[0].project.code == HONGRUI
        assert overdue_fieldwork(today(), unit_id=unit_id(app, "construction-bureau")
                                 ).difficulties == []
    assert "Late" in team["land"].get("/projects/waiting").get_data(as_text=True)
    close(team["land"], d.id, version=1)
    with app.app_context():
        assert overdue_fieldwork(today()).difficulties == []


def test_numbers_beyond_sql_integer_are_not_found_never_a_server_error(app, team):
    big = "9" * 30
    for url in (f"/projects/difficulties/{big}", f"/projects/site-selections/{big}",
                f"/projects/opening-cases/{big}"):
        assert team["sup"].get(url).status_code == 404
    record_visit(app, team["com"])
    [d] = difficulties(app)
    assert close(team["land"], d.id, version=big).status_code == 422
    page = team["com"].get(f"/projects/{HONGRUI}/fieldwork").get_data(as_text=True)
    response = team["com"].post(f"/projects/{HONGRUI}/visits", data={
        "csrf_token": csrf_from(page), "visited_on": today().isoformat(), "progress_seen": "进展",
        "units": [big], "difficulties-0-description": "x", "difficulties-0-unit": big})
    assert response.status_code == 422
