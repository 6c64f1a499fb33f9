"""The supervisors' overdue board shows the key projects' late items beside the ledger items
and the requests: overdue milestones, late difficulties, site-selection answers not given."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from service_desk.base.calendar import today
from service_desk.extensions import db
from service_desk.projects.fieldwork import ProjectDifficulty, SiteSelection
from service_desk.projects.fieldwork_services import difficulty_add, site_selection_request
from service_desk.projects.models import DatePrecision, KeyProject, MilestoneKind
from service_desk.projects.services import milestone_set
from service_desk.units.models import Unit

from ..factories import html_tables, signed_in


def test_the_overdue_board_lists_late_project_items(app, seeded, make_user):
    make_user("supervisor", username="sup")
    make_user("staff", unit="commerce-bureau", username="com")
    with app.app_context():
        day = today()
        project = db.session.scalar(select(KeyProject).where(KeyProject.code == "hongrui-medical"))
        land = db.session.scalar(select(Unit).where(Unit.code == "natural-resources-planning-dept"))
        difficulty_add(project=project, actor="test", description="用地指标尚未落实",
                       unit_id=land.id, deadline=None)
        site_selection_request(project=project, actor="test", deadline=None, note=None)
        milestone_set(project, actor="test", kind=MilestoneKind.LAND_SUPPLY,
                      planned_on=day - dt.timedelta(days=40), precision=DatePrecision.DAY)
        db.session.commit()
    sup = signed_in(app, "sup", lang="en")
    page = sup.get("/supervision/").get_data(as_text=True)
    assert "Milestone: Land supplied" in page
    assert "用地指标尚未落实" not in page  # not late yet
    with app.app_context():
        db.session.execute(update(ProjectDifficulty).values(deadline=day - dt.timedelta(days=2)))
        db.session.execute(update(SiteSelection).values(deadline=day - dt.timedelta(days=2)))
        db.session.commit()
    page = sup.get("/supervision/").get_data(as_text=True)
    assert "Difficulty: 用地指标尚未落实" in page
    assert page.count("Joint site selection: no answer") == 4
    rows = [r for rows in html_tables(page).values() for r in rows]
    late = [r for r in rows if r and r[0] == "山东鸿瑞医疗器械产业园项目"]
    kinds = [r[1] for r in late]
    assert kinds.count("Milestone: Land supplied") == 1
    assert kinds.count("Joint site selection: no answer") == 4
    assert "Difficulty: 用地指标尚未落实" in kinds
    assert any("自然资源和规划部门" in cell for r in late for cell in r)
    # the board is for supervisors
    assert signed_in(app, "com").get("/supervision/").status_code == 403
