"""End to end in a real browser: a supervisor signs in and sees the list; staff update an item."""
from __future__ import annotations

import pytest

from ..conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(phone, base: str, username: str) -> None:
    phone.goto(f"{base}/login")
    phone.get_by_label("用户名").fill(username)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()


def no_horizontal_scroll(phone) -> bool:
    return phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_supervisor_signs_in_on_a_phone_and_sees_the_list(live_server, phone, seeded, make_user):
    make_user("supervisor", username="sup")
    phone.goto(live_server + "/")
    assert "已录入 13 项，共 168 项" in phone.content()
    phone.get_by_role("link", name="工作人员登录").click()
    sign_in(phone, live_server, "sup")
    phone.get_by_role("link", name="办实事事项").click()
    assert phone.get_by_role("heading", name="办实事事项", level=1).is_visible()
    assert phone.locator(".matter-card").count() == 13
    assert no_horizontal_scroll(phone)
    phone.get_by_label("搜索").fill("盛德")
    phone.get_by_role("button", name="查看").click()
    assert phone.locator(".matter-card").count() == 1
    assert "盛德小区" in phone.locator(".matter-card").inner_text()


def test_staff_record_progress_and_see_it_in_the_history(live_server, phone, seeded, make_user):
    make_user("staff", unit="gov-service-centre", username="centre")
    sign_in(phone, live_server, "centre")
    phone.goto(live_server + "/matters/S03")
    phone.get_by_label("推进中").check()
    phone.get_by_label("进度（%）").fill("60")
    phone.get_by_label("办理情况").fill("新增两名热线坐席")
    phone.get_by_role("button", name="保存", exact=True).click()
    assert "已保存" in phone.locator(".notice").inner_text()
    assert "新增两名热线坐席" in phone.locator(".history").inner_text()
    phone.get_by_label("进度（%）").fill("101")
    phone.get_by_label("办理情况").fill("太多了")
    phone.get_by_role("button", name="保存", exact=True).click()
    assert "错误" in phone.locator(".field-error").first.inner_text()
    assert phone.get_by_label("办理情况").input_value() == "太多了"


def test_elder_mode_is_one_tap_away_and_makes_text_bigger(live_server, phone, seeded):
    phone.goto(live_server + "/")
    normal = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    phone.get_by_role("link", name="长辈版").click()
    assert phone.locator("body.elder").count() == 1
    elder = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert elder >= 18 and elder > normal
    assert no_horizontal_scroll(phone)


def test_supervisor_reviews_what_is_overdue_and_issues_a_notice(app, live_server, phone, seeded,
                                                                make_user):
    import datetime as dt

    from sqlalchemy import select

    from service_desk.extensions import db
    from service_desk.matters.models import Matter, MatterStatus

    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == "S06"))
        matter.status, matter.progress = MatterStatus.IN_PROGRESS, 40
        matter.deadline = dt.date.today() - dt.timedelta(days=12)
        db.session.commit()
    make_user("supervisor", username="sup")
    sign_in(phone, live_server, "sup")
    phone.get_by_role("link", name="督办", exact=True).click()
    assert phone.get_by_role("heading", name="逾期督办看板").is_visible()
    group = phone.locator("section.unit-group", has_text="经开区建设局")
    assert "逾期 12 天" in group.inner_text()
    assert no_horizontal_scroll(phone)
    group.get_by_role("link", name="下发督办单").click()
    phone.get_by_label("督办要求").fill("请三日内报送整改计划")
    phone.get_by_label("回复时限").fill((dt.date.today() + dt.timedelta(days=3)).isoformat())
    phone.get_by_role("button", name="下发督办单").click()
    assert "请三日内报送整改计划" in phone.content()
    assert "待回复" in phone.content()
