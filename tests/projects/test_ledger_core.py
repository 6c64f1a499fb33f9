"""The key-projects ledger core: services (audited, stale versions refused), access per role
and per project, the stale edit form (409 with what changed), overdue milestones, and the live
totals with and without exchange rates."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from service_desk.accounts.models import User
from service_desk.audit.models import AuditEvent
from service_desk.base.calendar import today as zone_today
from service_desk.extensions import db
from service_desk.projects.dates import period_end
from service_desk.projects.fieldwork import OpeningCase
from service_desk.projects.models import (
    DatePrecision,
    KeyProject,
    MilestoneKind,
    ProjectMilestone,
)
from service_desk.projects.queries import overdue_milestones, project_by_code, totals_live
from service_desk.projects.services import (
    ProjectError,
    StaleProject,
    milestone_set,
    project_update,
    rate_set,
    team_member_add,
    team_member_remove,
)
from service_desk.units.models import Unit

from ..factories import csrf_from, signed_in

HONGRUI = "hongrui-medical"
WEIDONG = "weidong-cbec"


@pytest.fixture
def team(app, seeded, make_user):
    """Commerce-bureau staff (owner of 鸿瑞), construction-bureau staff (another unit),
    a supervisor, an admin, the leader of 鸿瑞 and a leader of nothing."""
    for name, role, unit in (("com", "staff", "commerce-bureau"),
                             ("build", "staff", "construction-bureau"),
                             ("sup", "supervisor", None), ("root", "admin", None),
                             ("lead", "leader", None), ("lead2", "leader", None)):
        make_user(role, unit=unit, username=name)
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.username == "lead"))
        db.session.execute(update(KeyProject).where(KeyProject.code == HONGRUI)
                           .values(leader_user_id=lead.id))
        db.session.commit()
        db.session.remove()


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def _unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- services ----------------------------------------------------------------------------------

def test_project_update_changes_fields_bumps_the_version_and_audits(app, team):
    with app.app_context():
        project = project_by_code(HONGRUI)
        version = project.version
        changed = project_update(project, actor=_user("com"), version=version, changes={
            "stage": "approval", "category": "manufacturing", "origin": "foreign",
            "investor": "山东鸿瑞"})
        assert set(changed) == {"stage", "category", "origin", "investor"}
        assert project.version == version + 1
        event = _audits("project.update")[-1]
        assert event.after["stage"] == "approval" and event.after["version"] == version + 1
        assert event.before["stage"] is None
        # nothing changed: no version bump, no audit
        assert project_update(project, actor=_user("com"), version=project.version,
                              changes={"stage": "approval"}) == []
        assert len(_audits("project.update")) == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"stage": "negotiating"}, "stage"),
    ({"origin": "mars"}, "origin"),
    ({"total_investment": "three"}, "total_investment"),
    ({"total_investment": "-5"}, "total_investment"),
    ({"total_investment_currency": "dollars"}, "total_investment_currency"),
    ({"name": "  "}, "name"),
    ({"owner_unit_id": "999999"}, "owner_unit_id"),
    ({"leader_user_id": "1"}, "leader_user_id"),  # not a leader's account
    ({"status": "signed"}, "status"),
])
def test_project_update_refuses_bad_input_naming_the_field(app, team, changes, field):
    with app.app_context():
        project = project_by_code(HONGRUI)
        with pytest.raises(ProjectError) as caught:
            project_update(project, actor=_user("com"), version=project.version, changes=changes)
        assert caught.value.field == field


def test_an_amount_needs_its_currency(app, team):
    with app.app_context():
        project = project_by_code("china-korea-cbec-logistics")
        with pytest.raises(ProjectError) as caught:
            project_update(project, actor=_user("com"), version=project.version,
                           changes={"total_investment": "100000000"})
        assert caught.value.field == "total_investment_currency"


def test_a_stale_version_is_refused_with_what_changed_since(app, team):
    with app.app_context():
        project = project_by_code(HONGRUI)
        opened = project.version
        project_update(project, actor=_user("com"), version=opened, changes={"stage": "approval"})
        with pytest.raises(StaleProject) as caught:
            project_update(project, actor=_user("root"), version=opened,
                           changes={"stage": "construction"})
        assert [c.after["stage"] for c in caught.value.changes] == ["approval"]
        assert project.stage.value == "approval"


def test_milestone_set_keeps_the_precision_and_is_done_by_its_actual_date(app, team):
    with app.app_context():
        project = project_by_code(HONGRUI)
        m = milestone_set(project, actor=_user("com"), kind="land_supply",
                          planned_on=dt.date(2027, 5, 20), precision="quarter")
        assert m.planned_on == dt.date(2027, 4, 1) and m.precision is DatePrecision.QUARTER
        assert not m.done
        m = milestone_set(project, actor=_user("com"), milestone=m, kind="land_supply",
                          planned_on=m.planned_on, precision="quarter",
                          actual_on=dt.date(2027, 6, 9), actual_precision="month")
        assert m.actual_on == dt.date(2027, 6, 1) and m.done
        assert [e.after["actual_on"] for e in _audits("project.milestone_set")] == [
            None, "2027-06-01"]


def test_funds_arrival_needs_a_currency_and_only_it_carries_an_amount(app, team):
    with app.app_context():
        project = project_by_code(HONGRUI)
        with pytest.raises(ProjectError) as caught:
            milestone_set(project, actor=_user("com"), kind="funds_arrival",
                          planned_on=dt.date(2027, 1, 1), precision="month", amount="100")
        assert caught.value.field == "currency"
        with pytest.raises(ProjectError) as caught:
            milestone_set(project, actor=_user("com"), kind="signing",
                          planned_on=dt.date(2027, 1, 1), precision="month", amount="100",
                          currency="USD")
        assert caught.value.field == "amount"
        with pytest.raises(ProjectError) as caught:
            milestone_set(project, actor=_user("com"), kind="signing", planned_on=None,
                          precision="day")
        assert caught.value.field == "planned_on"


def test_an_actual_completion_date_starts_the_opening_case(app, team):
    with app.app_context():
        project = project_by_code(HONGRUI)
        milestone_set(project, actor=_user("com"), kind="completion",
                      planned_on=dt.date(2027, 9, 1), precision="month")
        assert db.session.scalar(select(OpeningCase).where(
            OpeningCase.project_id == project.id)) is None
        m = db.session.scalar(select(ProjectMilestone).where(
            ProjectMilestone.project_id == project.id,
            ProjectMilestone.kind == MilestoneKind.COMPLETION))
        milestone_set(project, actor=_user("com"), milestone=m, kind="completion",
                      planned_on=m.planned_on, precision="month",
                      actual_on=dt.date(2027, 9, 18), actual_precision="day")
        case = db.session.scalar(select(OpeningCase).where(OpeningCase.project_id == project.id))
        assert case is not None and case.target_opening_on == dt.date(2027, 9, 18)


def test_team_members_are_added_and_removed_with_audit(app, team):
    with app.app_context():
        project = project_by_code(HONGRUI)
        version = project.version
        member = team_member_add(project, actor=_user("com"),
                                 unit_id=_unit("construction-bureau").id, name="张工",
                                 duty="施工许可")
        assert project.version == version + 1
        with pytest.raises(ProjectError):
            team_member_add(project, actor=_user("com"), unit_id=999999)
        team_member_remove(project, actor=_user("com"), member=member)
        assert [e.action for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("project.team%")).order_by(AuditEvent.id))] == [
            "project.team_add", "project.team_remove"]


@pytest.mark.parametrize(("currency", "rate", "field"), [
    ("US", "6.45", "currency"), ("CNY", "1", "currency"), ("USD", "abc", "rate_to_cny"),
    ("USD", "0", "rate_to_cny"), ("USD", "-1", "rate_to_cny"), ("USD", "NaN", "rate_to_cny"),
])
def test_rate_set_refuses_bad_rates(app, team, currency, rate, field):
    with app.app_context(), pytest.raises(ProjectError) as caught:
        rate_set(actor=_user("sup"), currency=currency, rate_to_cny=rate)
    assert caught.value.field == field


# --- overdue and totals --------------------------------------------------------------------------

def test_period_end_of_a_month_and_a_quarter():
    assert period_end(dt.date(2021, 6, 1), DatePrecision.MONTH) == dt.date(2021, 6, 30)
    assert period_end(dt.date(2021, 1, 1), DatePrecision.QUARTER) == dt.date(2021, 3, 31)
    assert period_end(dt.date(2024, 2, 1), DatePrecision.MONTH) == dt.date(2024, 2, 29)


def test_overdue_milestones_are_planned_periods_ended_without_an_actual_date(app, team):
    with app.app_context():
        # the seed's June 2021 funds arrivals were never recorded as arrived
        late = overdue_milestones(dt.date(2021, 7, 1))
        assert {(m.project.code, m.kind.value) for m in late} >= {
            (HONGRUI, "funds_arrival"), (WEIDONG, "funds_arrival")}
        # "June" is not late on 30 June
        assert not [m for m in overdue_milestones(dt.date(2021, 6, 30))
                    if m.kind is MilestoneKind.FUNDS_ARRIVAL]
        # done ones never are
        assert all(m.actual_on is None for m in overdue_milestones(zone_today()))
        # this quarter's milestone is not late yet
        project = project_by_code(HONGRUI)
        today = zone_today()
        m = milestone_set(project, actor=_user("com"), kind="land_supply", planned_on=today,
                          precision="quarter")
        assert m not in overdue_milestones(today)
        assert m in overdue_milestones(period_end(today, DatePrecision.QUARTER)
                                       + dt.timedelta(days=1))


def test_totals_show_foreign_amounts_apart_until_a_rate_is_set(app, team):
    with app.app_context():
        live = totals_live(zone_today())
        # 安速达 and 威海直播电商基地 are enterprises, not projects of the 44
        assert live.total.count == 10
        assert live.total.unconverted["USD"] == Decimal(350000000)  # 鸿瑞 3亿 + 威东 5000万
        assert live.total.cny == Decimal(360000000)  # 中外运 3.6亿元
        rate_set(actor=_user("sup"), currency="usd", rate_to_cny="6.5")
        live = totals_live(zone_today())
        assert live.total.unconverted == {}
        assert live.total.cny == Decimal(360000000) + Decimal(350000000) * Decimal("6.5")
        assert live.by_category["cross_border_ecommerce"].count == 4
        assert _audits("project.rate_set")[-1].after == {"rate_to_cny": "6.500000"}


def test_funds_arrived_this_year_count_actual_dates_of_this_year_only(app, team):
    with app.app_context():
        today = zone_today()
        project = project_by_code(HONGRUI)
        m = db.session.scalar(select(ProjectMilestone).where(
            ProjectMilestone.project_id == project.id,
            ProjectMilestone.kind == MilestoneKind.FUNDS_ARRIVAL))
        assert totals_live(today).funds_this_year == {}
        milestone_set(project, actor=_user("com"), milestone=m, kind="funds_arrival",
                      planned_on=m.planned_on, precision="month", amount="20000000",
                      currency="USD", actual_on=today, actual_precision="day")
        assert totals_live(today).funds_this_year == {"USD": Decimal(20000000)}
        assert totals_live(dt.date(today.year + 1, 1, 1)).funds_this_year == {}


# --- pages: access per role and per project -----------------------------------------------------

def test_the_public_sees_no_project_page_and_the_board_shows_totals_only(app, team):
    anonymous = app.test_client()
    for url in ("/projects/", f"/projects/{HONGRUI}", "/projects/totals", "/projects/mine",
                f"/projects/{HONGRUI}/edit"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    anonymous.set_cookie("lang", "en")
    board = anonymous.get("/board")
    html = board.get_data(as_text=True)
    assert board.status_code == 200
    assert "Key projects in negotiation" in html
    assert "鸿瑞" not in html and "威东" not in html


def test_staff_of_another_unit_get_403_on_a_project_and_its_edit(app, team):
    build = signed_in(app, "build", lang="en")
    assert build.get(f"/projects/{HONGRUI}").status_code == 403
    assert build.get(f"/projects/{HONGRUI}/edit").status_code == 403
    token = csrf_from(build.get("/projects/").get_data(as_text=True))
    response = build.post(f"/projects/{HONGRUI}/edit",
                          data={"csrf_token": token, "name": "改名", "version": "1"})
    assert response.status_code == 403
    assert "鸿瑞" not in build.get("/projects/").get_data(as_text=True)
    assert build.get("/projects/totals").status_code == 403


def test_a_unit_on_the_task_team_may_edit(app, team):
    with app.app_context():
        project = project_by_code(HONGRUI)
        team_member_add(project, actor="test", unit_id=_unit("construction-bureau").id)
        db.session.commit()
    build = signed_in(app, "build", lang="en")
    assert build.get(f"/projects/{HONGRUI}/edit").status_code == 200


def _edit_data(client, code: str, **values) -> dict:
    page = client.get(f"/projects/{code}/edit")
    html = page.get_data(as_text=True)
    import re
    version = re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)
    with app_ctx(client):
        project = project_by_code(code)
        base = {"name": project.name, "name_en": project.name_en or "",
                "record_kind": project.record_kind.value, "origin": project.origin or "",
                "category": project.category or "",
                "stage": project.stage.value if project.stage else "",
                "total_investment": str(project.total_investment or ""),
                "total_investment_currency": project.total_investment_currency or "",
                "owner_unit_id": str(project.owner_unit_id or ""),
                "leader_user_id": str(project.leader_user_id or "")}
    return {**base, "csrf_token": csrf_from(html), "version": version, **values}


class app_ctx:
    def __init__(self, client):
        self.ctx = client.application.app_context()

    def __enter__(self):
        self.ctx.push()

    def __exit__(self, *exc):
        db.session.remove()
        self.ctx.pop()


def test_the_owner_unit_edits_and_a_stale_form_gets_409_with_what_changed(app, team):
    com = signed_in(app, "com", lang="en")
    root = signed_in(app, "root", lang="en")
    mine = _edit_data(com, HONGRUI, stage="approval")
    theirs = _edit_data(root, HONGRUI, stage="construction")
    saved = com.post(f"/projects/{HONGRUI}/edit", data=mine)
    assert saved.status_code == 302
    stale = root.post(f"/projects/{HONGRUI}/edit", data=theirs)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "What changed since you opened this page" in html and "Stage Approval" in html
    with app.app_context():
        assert project_by_code(HONGRUI).stage.value == "approval"
    # the form now carries the current version: saving again goes through
    import re
    again = {**theirs, "version": re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)}
    assert root.post(f"/projects/{HONGRUI}/edit", data=again).status_code == 302


def test_bad_edit_input_is_a_422_in_words_never_a_500(app, team):
    com = signed_in(app, "com", lang="en")
    data = _edit_data(com, HONGRUI, total_investment="lots")
    response = com.post(f"/projects/{HONGRUI}/edit", data=data)
    assert response.status_code == 422
    assert "Enter an amount as a number" in response.get_data(as_text=True)
    data = _edit_data(com, HONGRUI, version="x")
    assert com.post(f"/projects/{HONGRUI}/edit", data=data).status_code == 422


def test_milestone_form_takes_compact_dates_and_shows_the_precision(app, team):
    com = signed_in(app, "com", lang="en")
    page = com.get(f"/projects/{HONGRUI}/milestones/new")
    html = page.get_data(as_text=True)
    import re
    version = re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)
    response = com.post(f"/projects/{HONGRUI}/milestones/new", data={
        "csrf_token": csrf_from(html), "version": version, "kind": "construction_start",
        "planned_on": "20270815", "precision": "quarter", "actual_on": "",
        "actual_precision": "day", "amount": "", "currency": "", "note": ""})
    assert response.status_code == 302
    detail = com.get(f"/projects/{HONGRUI}").get_data(as_text=True)
    assert "Construction start" in detail and "third quarter 2027" in detail
    assert "6/2021" in detail  # the seed's June 2021 funds arrival, at month precision
    bad = com.post(f"/projects/{HONGRUI}/milestones/new", data={
        "csrf_token": csrf_from(html), "version": str(int(version) + 1), "kind": "signing",
        "planned_on": "2027-02-30", "precision": "day"})
    assert bad.status_code == 422


def test_a_leader_sees_only_the_projects_they_lead(app, team):
    lead = signed_in(app, "lead", lang="en")
    listing = lead.get("/projects/").get_data(as_text=True)
    assert "山东鸿瑞" in listing and "香港威东" not in listing
    assert lead.get(f"/projects/{HONGRUI}").status_code == 200
    assert lead.get(f"/projects/{WEIDONG}").status_code == 403
    assert lead.get(f"/projects/{HONGRUI}/edit").status_code == 403
    mine = lead.get("/projects/mine").get_data(as_text=True)
    assert "山东鸿瑞" in mine and "Late milestones" in mine and "Funds arrival" in mine
    other = signed_in(app, "lead2", lang="en").get("/projects/mine").get_data(as_text=True)
    assert "山东鸿瑞" not in other and "No project is assigned to you yet." in other


def test_a_leader_lands_on_their_page_after_signing_in(app, team):
    client = app.test_client()
    from ..factories import login
    response = login(client, "lead")
    assert response.status_code == 302 and response.headers["Location"].endswith("/projects/mine")


def test_supervisors_set_rates_and_see_reported_beside_entered(app, team):
    sup = signed_in(app, "sup", lang="en")
    page = sup.get("/projects/totals")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "no rate set" in html and "569.3" in html and "截至目前,全区累计重点在谈项目44个" in html
    bad = sup.post("/projects/totals", data={"csrf_token": csrf_from(html), "currency": "USD",
                                             "rate_to_cny": "minus"})
    assert bad.status_code == 422
    ok = sup.post("/projects/totals", data={"csrf_token": csrf_from(html), "currency": "USD",
                                            "rate_to_cny": "6.45"})
    assert ok.status_code == 302
    assert "no rate set" not in sup.get("/projects/totals").get_data(as_text=True)
    lead = signed_in(app, "lead", lang="en")
    assert lead.get("/projects/totals").status_code == 200
    assert lead.post("/projects/totals", data={"csrf_token": csrf_from(html)}).status_code in (
        400, 403)


def test_public_totals_match_the_live_totals_in_one_statement(app, team, count_queries):
    from service_desk.projects.queries import public_totals
    with app.app_context():
        rate_set(actor=_user("sup"), currency="USD", rate_to_cny="6.5")
        db.session.commit()
        live = totals_live(zone_today()).total
        with count_queries() as statements:
            public = public_totals()
        assert len(statements) == 1
        assert (public.entered.count, public.entered.cny, public.entered.unconverted) == (
            live.count, live.cny, live.unconverted)
        assert public.reported["key_projects_in_negotiation"].value == 44
        assert public.reported["key_projects_total_investment"].unit == "亿元"


def test_milestones_and_team_members_are_removed_from_the_page_with_the_version(app, team):
    import re
    com = signed_in(app, "com", lang="en")
    with app.app_context():
        project = project_by_code(HONGRUI)
        milestone_id = project.milestones[0].id
        member = team_member_add(project, actor="test", unit_id=_unit("construction-bureau").id)
        member_id = member.id
        db.session.commit()
    page = com.get(f"/projects/{HONGRUI}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    token = csrf_from(page)
    # an old version is refused in words, nothing removed
    stale = com.post(f"/projects/{HONGRUI}/team/{member_id}/remove",
                     data={"csrf_token": token, "version": str(int(version) - 1)})
    assert stale.status_code == 302
    done = com.post(f"/projects/{HONGRUI}/team/{member_id}/remove",
                    data={"csrf_token": token, "version": version})
    assert done.status_code == 302
    version = str(int(version) + 1)
    gone = com.post(f"/projects/{HONGRUI}/milestones/{milestone_id}/remove",
                    data={"csrf_token": token, "version": version})
    assert gone.status_code == 302
    with app.app_context():
        project = project_by_code(HONGRUI)
        assert project.team == [] and milestone_id not in {m.id for m in project.milestones}
    # another unit's staff cannot remove anything
    build = signed_in(app, "build", lang="en")
    own = csrf_from(build.get("/projects/").get_data(as_text=True))
    assert build.post(f"/projects/{HONGRUI}/milestones/999/remove",
                      data={"csrf_token": own, "version": version}).status_code == 403


def test_the_project_pages_cost_the_same_statements_for_12_or_42_projects(app, team,
                                                                          count_queries):
    """The list, the leader's page and the totals read a bounded number of statements,
    however many projects, milestones and team members there are."""
    from service_desk.projects.models import DatePrecision, MilestoneKind, ProjectMilestone

    pages = {"sup": ["/projects/", "/projects/totals"], "lead": ["/projects/mine"]}
    clients = {name: signed_in(app, name, lang="en") for name in pages}

    def counts() -> list[int]:
        found = []
        for name, urls in pages.items():
            for url in urls:
                clients[name].get(url)  # warm up (session, user)
                with count_queries() as statements:
                    assert clients[name].get(url).status_code == 200, url
                found.append(len(statements))
        return found

    small = counts()
    with app.app_context():
        lead = _user("lead")
        unit = db.session.scalar(select(Unit).where(Unit.code == "construction-bureau"))
        for i in range(30):
            project = KeyProject(code=f"extra-{i}", name=f"Extra {i}", owner_unit_id=unit.id,
                                 leader_user_id=lead.id)
            project.milestones = [ProjectMilestone(kind=MilestoneKind.SIGNING,
                                                   planned_on=dt.date(2021, 5, 1),
                                                   precision=DatePrecision.MONTH)]
            db.session.add(project)
        db.session.commit()
    assert counts() == small
