"""On a 360px phone: a commerce-bureau staff member records a site visit on 鸿瑞 with a
difficulty for the land department; the land department finds it in what waits on its unit
and answers it; the project's leader sees it closed."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from ..factories import PASSWORD
from .helpers import no_horizontal_scroll

pytestmark = pytest.mark.browser

HONGRUI = "hongrui-medical"
LAND = "natural-resources-planning-dept"


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/prefs?lang=en")
    page.goto(f"{base}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit], form input[type=submit]").first.click()


def _sign_out(context) -> None:
    context.clear_cookies()


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_a_site_visit_and_its_difficulty_answered_on_a_phone(app, live_server, chromium_browser,
                                                             seeded, make_user, elder):
    from service_desk.accounts.models import User
    from service_desk.extensions import db
    from service_desk.projects.fieldwork import DifficultyStatus, ProjectDifficulty
    from service_desk.projects.models import KeyProject
    from service_desk.units.models import Unit

    make_user("staff", unit="commerce-bureau", username="com")
    make_user("staff", unit=LAND, username="land")
    make_user("leader", username="lead")
    with app.app_context():
        lead = db.session.scalar(select(User.id).where(User.username == "lead"))
        db.session.execute(update(KeyProject).where(KeyProject.code == HONGRUI)
                           .values(leader_user_id=lead))
        db.session.commit()
        units = {u.code: u.id for u in db.session.scalars(select(Unit))}

    context = chromium_browser.new_context(viewport={"width": 360, "height": 800},
                                           locale="zh-CN")
    page = context.new_page()
    _sign_in(page, live_server, "com")
    if elder:
        page.goto(f"{live_server}/prefs?elder=1")
    page.goto(f"{live_server}/projects/{HONGRUI}/fieldwork")
    assert no_horizontal_scroll(page)
    page.locator(f"input[name=units][value='{units['commerce-bureau']}']").check()
    page.locator(f"input[name=units][value='{units[LAND]}']").check()
    page.locator("textarea[name=progress_seen]").fill("厂房主体施工中，约完成 60%")
    page.locator("textarea[name='difficulties-0-description']").fill("二期用地指标尚未落实")
    page.locator("select[name='difficulties-0-unit']").select_option(str(units[LAND]))
    # targets are big enough to tap
    box = page.locator(f"input[name=units][value='{units[LAND]}']").locator("..").bounding_box()
    assert box["height"] >= (60 if elder else 44)
    with page.expect_navigation():
        page.get_by_role("button", name="Record the visit").click()
    assert page.locator(".notice-success").count() == 1
    assert "二期用地指标尚未落实" in page.content()
    assert no_horizontal_scroll(page)
    _sign_out(context)

    _sign_in(page, live_server, "land")
    if elder:
        page.goto(f"{live_server}/prefs?elder=1")
    page.goto(f"{live_server}/projects/waiting")
    assert no_horizontal_scroll(page)
    with page.expect_navigation():
        page.get_by_role("link", name="二期用地指标尚未落实").click()
    page.locator("textarea[name=note]").fill("已调剂用地指标，下周完成供地手续")
    with page.expect_navigation():
        page.get_by_role("button", name="Close the difficulty").click()
    assert page.locator(".notice-success").count() == 1
    assert "已调剂用地指标" in page.content()
    assert no_horizontal_scroll(page)
    _sign_out(context)

    _sign_in(page, live_server, "lead")
    page.goto(f"{live_server}/projects/{HONGRUI}/fieldwork")
    assert "已调剂用地指标" in page.content()
    assert no_horizontal_scroll(page)
    context.close()
    with app.app_context():
        [d] = db.session.scalars(select(ProjectDifficulty)).all()
        assert d.status is DifficultyStatus.CLOSED
