"""End to end in a real browser: a supervisor signs in and sees the list; staff update an item."""
from __future__ import annotations

import pytest

from ..factories import PASSWORD
from .helpers import nav_link, no_horizontal_scroll

pytestmark = pytest.mark.browser


def sign_in(phone, base: str, username: str) -> None:
    phone.goto(f"{base}/login")
    phone.get_by_label("用户名").fill(username)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()


def test_supervisor_signs_in_on_a_phone_and_sees_the_list(live_server, phone, seeded, make_user):
    from playwright.sync_api import expect  # imported here: without it the fixture skips

    make_user("supervisor", username="sup")
    phone.goto(live_server + "/")
    assert "清单共 168 项，已录入 0 项" in phone.content()  # the 13 seeded are the article's
    nav_link(phone, "工作人员登录").click()
    sign_in(phone, live_server, "sup")
    nav_link(phone, "办实事事项").click()
    expect(phone.get_by_role("heading", name="办实事事项", level=1)).to_be_visible()
    expect(phone.locator(".matter-card")).to_have_count(13)
    assert no_horizontal_scroll(phone)
    phone.get_by_label("搜索").fill("盛德")
    phone.get_by_role("button", name="查看").click()
    expect(phone.locator(".matter-card")).to_have_count(1)
    expect(phone.locator(".matter-card")).to_contain_text("盛德小区")


def test_staff_record_progress_and_see_it_in_the_history(live_server, phone, seeded, make_user):
    from playwright.sync_api import expect

    make_user("staff", unit="gov-service-centre", username="centre")
    sign_in(phone, live_server, "centre")
    phone.goto(live_server + "/matters/S03")
    phone.get_by_label("推进中").check()
    phone.get_by_label("进度（%）").fill("60")
    phone.get_by_label("办理情况").fill("新增两名热线坐席")
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.locator(".notice-success")).to_contain_text("已保存")
    expect(phone.locator(".history")).to_contain_text("新增两名热线坐席")
    phone.get_by_label("进度（%）").fill("101")
    phone.get_by_label("办理情况").fill("太多了")
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.locator(".field-error").first).to_contain_text("错误")
    expect(phone.get_by_label("办理情况")).to_have_value("太多了")


def test_elder_mode_is_one_tap_away_and_makes_text_bigger(live_server, phone, seeded):
    from playwright.sync_api import expect

    phone.goto(live_server + "/")
    normal = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    phone.get_by_role("link", name="长辈版").click()
    expect(phone.locator("body.elder")).to_have_count(1)
    # the new page's style sheet may still be loading when its body exists
    phone.wait_for_load_state("load")
    elder = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert elder >= 18 and elder > normal
    assert no_horizontal_scroll(phone)


def test_supervisor_reviews_what_is_overdue_and_issues_a_notice(app, live_server, phone, seeded,
                                                                make_user):
    import datetime as dt

    from playwright.sync_api import expect
    from sqlalchemy import select

    from service_desk.extensions import db
    from service_desk.matters.models import Matter, MatterStatus

    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == "S06"))
        matter.status, matter.progress = MatterStatus.IN_PROGRESS, 40
        # the zone's date: the machine's (UTC) is a day behind for eight hours a day
        from service_desk.base.calendar import today

        matter.deadline = today() - dt.timedelta(days=12)
        db.session.commit()
    make_user("supervisor", username="sup")
    sign_in(phone, live_server, "sup")
    nav_link(phone, "督办").click()
    expect(phone.get_by_role("heading", name="逾期督办看板")).to_be_visible()
    group = phone.locator("section.unit-group", has_text="经开区建设局")
    expect(group).to_contain_text("逾期 12 天")
    assert no_horizontal_scroll(phone)
    group.get_by_role("link", name="下发督办单").click()
    phone.get_by_label("督办要求").fill("请三日内报送整改计划")
    with app.app_context():
        from service_desk.base.calendar import today

        reply_due = today() + dt.timedelta(days=3)
    phone.get_by_label("回复时限").fill(reply_due.isoformat())
    phone.get_by_role("button", name="下发督办单").click()
    expect(phone.locator("body")).to_contain_text("请三日内报送整改计划")
    expect(phone.locator("body")).to_contain_text("待回复")
