"""A district leader on a 360 px phone: signing in lands on their page, which lists the
projects they lead, the late milestones and the open difficulties by the unit they wait on,
without a sideways scroll (normal and elder mode), every link and button at least 44 px."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import select, update

from ..factories import PASSWORD
from .helpers import no_horizontal_scroll

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SERVICE_DESK_SCREENSHOTS")

SMALL_TARGETS = """(min) => [...document.querySelectorAll('main a, main button')]
  .filter(el => el.offsetParent !== null)
  .filter(el => { const r = el.getBoundingClientRect(); return r.height < min; })
  .filter(el => getComputedStyle(el).display !== 'inline')
  .map(el => el.textContent.trim())"""


@pytest.fixture
def leader(app, seeded, make_user):
    """The leader of 鸿瑞 (its June 2021 funds arrival is late), with a difficulty waiting on
    the land department."""
    from service_desk.accounts.models import User
    from service_desk.base.calendar import today
    from service_desk.extensions import db
    from service_desk.projects.fieldwork_services import difficulty_add
    from service_desk.projects.models import KeyProject
    from service_desk.units.models import Unit

    make_user("leader", username="lead")
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.username == "lead"))
        db.session.execute(update(KeyProject).where(KeyProject.code == "hongrui-medical")
                           .values(leader_user_id=lead.id))
        project = db.session.scalar(select(KeyProject).where(KeyProject.code == "hongrui-medical"))
        land = db.session.scalar(select(Unit).where(
            Unit.code == "natural-resources-planning-dept"))
        difficulty_add(project=project, actor="test", description="用地指标尚未落实，需协调土地供应计划",
                       unit_id=land.id, deadline=None)
        db.session.commit()
        land_name = land.name
        _ = today()
        db.session.remove()
    return land_name


def test_the_leaders_page_on_a_phone(phone, live_server, leader):
    phone.goto(f"{live_server}/login")
    phone.get_by_label("用户名").fill("lead")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url("**/projects/mine")
    main = phone.locator("main")
    assert "山东鸿瑞医疗器械产业园项目" in main.inner_text()
    late = phone.locator("#late-heading + ul li")
    assert late.count() >= 1 and "山东鸿瑞" in late.first.inner_text()
    waiting = phone.locator("section[aria-labelledby='waiting-heading']")
    assert leader in waiting.inner_text() and "用地指标尚未落实" in waiting.inner_text()
    assert no_horizontal_scroll(phone)
    assert phone.evaluate(SMALL_TARGETS, 44) == []
    if SHOTS:
        phone.screenshot(path=f"{SHOTS}/leader-page-360.png", full_page=True)
    # the project opens from the page, read-only for a leader
    phone.locator("#late-heading + ul li a").first.click()
    phone.wait_for_url("**/projects/hongrui-medical")
    assert no_horizontal_scroll(phone)
    assert phone.locator("a[href$='/edit']").count() == 0
    # elder mode: larger text, still no sideways scroll
    phone.goto(f"{live_server}/prefs?elder=1&next=/projects/mine")
    phone.wait_for_url("**/projects/mine")
    assert no_horizontal_scroll(phone)
    assert phone.evaluate(SMALL_TARGETS, 60) == []
