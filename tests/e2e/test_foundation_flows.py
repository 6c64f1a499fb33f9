"""End to end in a real browser: a supervisor signs in and sees the list; staff update an item."""
from __future__ import annotations

import pytest

from ..conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_supervisor_signs_in_on_a_phone_and_sees_the_list(live_server, page, seeded, make_user):
    make_user("supervisor", username="sup")
    page.goto(live_server + "/")
    assert "已录入 13 项，共 168 项" in page.content()
    page.get_by_role("link", name="工作人员登录").click()
    sign_in(page, live_server, "sup")
    page.get_by_role("link", name="办实事事项").click()
    assert page.get_by_role("heading", name="办实事事项", level=1).is_visible()
    assert page.locator(".matter-card").count() == 13
    assert no_horizontal_scroll(page)
    page.get_by_label("搜索").fill("盛德")
    page.get_by_role("button", name="查看").click()
    assert page.locator(".matter-card").count() == 1
    assert "盛德小区" in page.locator(".matter-card").inner_text()


def test_staff_record_progress_and_see_it_in_the_history(live_server, page, seeded, make_user):
    make_user("staff", unit="gov-service-centre", username="centre")
    sign_in(page, live_server, "centre")
    page.goto(live_server + "/matters/S03")
    page.get_by_label("推进中").check()
    page.get_by_label("进度（%）").fill("60")
    page.get_by_label("办理情况").fill("新增两名热线坐席")
    page.get_by_role("button", name="保存", exact=True).click()
    assert "已保存" in page.locator(".notice").inner_text()
    assert "新增两名热线坐席" in page.locator(".history").inner_text()
    page.get_by_label("进度（%）").fill("101")
    page.get_by_label("办理情况").fill("太多了")
    page.get_by_role("button", name="保存", exact=True).click()
    assert "错误" in page.locator(".field-error").first.inner_text()
    assert page.get_by_label("办理情况").input_value() == "太多了"


def test_elder_mode_is_one_tap_away_and_makes_text_bigger(live_server, page, seeded):
    page.goto(live_server + "/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("link", name="长辈版").click()
    assert page.locator("body.elder").count() == 1
    elder = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert elder >= 18 and elder > normal
    assert no_horizontal_scroll(page)
