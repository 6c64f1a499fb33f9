"""At 1280px the overdue board, the outbox and the audit trail show every column without a
sideways scroll (long titles, kinds, failures and changes wrap), in normal and elder mode; a
supervision notice prints as one A4 page."""
from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from sqlalchemy import select

from ..factories import PASSWORD, matter_set, report

DESKTOP = {"width": 1280, "height": 800}
SHOTS = os.environ.get("SERVICE_DESK_SCREENSHOTS")
TABLES_SCROLL = """() => [...document.querySelectorAll('.table-wrap')]
  .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.scrollWidth - el.clientWidth)"""
LONG = "老旧小区加装电梯及配套设施改造工程（第二批，涉及多个街道和社区）"


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


@pytest.fixture
def busy(app, seeded, make_user):
    """Overdue items with long titles, a failed text, audit rows with changes, a notice."""
    from service_desk.accounts.models import User
    from service_desk.base.calendar import today
    from service_desk.extensions import db
    from service_desk.matters.models import Matter, MatterStatus
    from service_desk.notifications.models import Notification, NotificationStatus
    from service_desk.supervision.services import notice_issue
    from service_desk.units.models import Unit

    with app.app_context():
        day = today()
    for number, days in (("S03", 40), ("S06", 3), ("S07", 12)):
        matter_set(app, number, status=MatterStatus.IN_PROGRESS, progress=40, title=LONG,
                   deadline=day - dt.timedelta(days=days))
    report(app, unit="construction-bureau")
    make_user("supervisor", username="sup")
    make_user("admin", username="root")
    with app.app_context():
        row = db.session.scalars(select(Notification)).first()
        row.status, row.attempts = NotificationStatus.FAILED, 5
        row.last_error = ("Alibaba Cloud: isv.BUSINESS_LIMIT_CONTROL: 触发号码天级流控"
                          "Permits:10，请勿频繁发送" * 3)
        sup = db.session.scalar(select(User).where(User.username == "sup"))
        notice = notice_issue(
            matter=db.session.scalar(select(Matter).where(Matter.number == "S03")),
            unit=db.session.scalar(select(Unit).where(Unit.code == "gov-service-centre")),
            actor=sup, body="请于本周内说明逾期原因、下一步整改措施和完成时限，并附相关材料。" * 3,
            reply_due=day + dt.timedelta(days=3))
        db.session.commit()
        return notice.id


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_the_staff_tables_fit_1280px(live_server, chromium_browser, busy, elder):
    context = chromium_browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.add_cookies([{"name": "elder", "value": "1" if elder else "0", "url": live_server}])
    page = context.new_page()
    try:
        _sign_in(page, live_server, "root")
        for path in ("/supervision/", "/admin/outbox", "/admin/audit"):
            page.goto(live_server + path)
            if SHOTS:
                os.makedirs(SHOTS, exist_ok=True)
                page.screenshot(path=os.path.join(
                    SHOTS, f"1280-{'elder' if elder else 'normal'}{path.rstrip('/').replace('/', '_')}.png"),
                    full_page=True)
            assert page.evaluate("document.scrollingElement.scrollWidth"
                                 " <= document.scrollingElement.clientWidth"), path
            assert page.evaluate(TABLES_SCROLL) == [], path
        page.goto(live_server + "/supervision/")
        last = page.locator("table.board-items td.board-action a").first
        assert last.inner_text() == "下发督办单"
    finally:
        context.close()


def test_a_notice_prints_on_one_a4_page(live_server, chromium_browser, busy):
    context = chromium_browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    try:
        _sign_in(page, live_server, "sup")
        page.goto(f"{live_server}/supervision/notices/{busy}/document")
        assert page.locator(".notice-document").is_visible()
        page.emulate_media(media="print")
        assert not page.locator(".main-nav").is_visible()
        assert not page.locator(".no-print").first.is_visible()
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        if SHOTS:
            page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
            page.screenshot(path=os.path.join(SHOTS, "notice-document-print.png"), full_page=True)
            with open(os.path.join(SHOTS, "notice-document.pdf"), "wb") as out:
                out.write(pdf)
        # the page tree's count: one sheet
        assert re.findall(rb"/Count (\d+)", pdf) == [b"1"]
    finally:
        context.close()


def test_the_board_and_a_notice_fit_a_phone(live_server, phone, busy):
    """At 360px the board's unit summary and items are cards; the notice document fits."""
    _sign_in(phone, live_server, "sup")
    for path in ("/supervision/", f"/supervision/notices/{busy}/document"):
        phone.goto(live_server + path)
        if SHOTS:
            phone.screenshot(path=os.path.join(
                SHOTS, f"360-normal{path.rstrip('/').replace('/', '_')}.png"), full_page=True)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        assert phone.evaluate(TABLES_SCROLL) == [], path
