"""The header stays compact at every text size, each role lands on its work, staff tables use a
desktop's width, and stacked table cards fit a phone.

Doubled text is Chromium's own "default font size" preference (what WeChat's and the phone's
large-font settings do), set in a profile's Preferences file: not a zoom, not a device scale.
"""
from __future__ import annotations

import json
import os

import pytest

from ..factories import PASSWORD, matter_set, report
from ..factories import PHONE as PHONE_NUMBER
from .conftest import ARGS, CHROMIUM
from .helpers import no_horizontal_scroll

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SERVICE_DESK_SHOTS")  # a folder: save screenshots there to look at
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
TOP_HALF = PHONE["height"] / 2
RESIDENT_PAGES = ["/", "/book", "/my-booking"]


def _profile(tmp_path, font_size: int) -> str:
    folder = tmp_path / f"profile-{font_size}"
    (folder / "Default").mkdir(parents=True)
    prefs = {"webkit": {"webprefs": {"default_font_size": font_size}}}
    (folder / "Default" / "Preferences").write_text(json.dumps(prefs))
    return str(folder)


def _context(chromium_browser, tmp_path, *, font_size: int, viewport=PHONE):
    """A browser profile with the reader's default font size (16 is Chromium's own)."""
    return chromium_browser.browser_type.launch_persistent_context(
        _profile(tmp_path, font_size), executable_path=CHROMIUM, args=ARGS, viewport=viewport,
        locale="zh-CN")


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _elder(context, base: str, on: bool) -> None:
    context.add_cookies([{"name": "elder", "value": "1" if on else "0", "url": base}])


def _shot(page, name: str, full_page: bool = False) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=full_page)


def _h1_top(page) -> float:
    return page.evaluate("document.querySelector('main h1').getBoundingClientRect().top"
                         " + window.scrollY")


def _opens_menu(page, shot: str = "") -> None:
    """The navigation is one tap away: the menu button opens it, its links show."""
    from playwright.sync_api import expect

    button = page.locator("summary.menu-button")
    expect(button).to_be_visible()
    box = button.bounding_box()
    elder = page.evaluate("document.body.classList.contains('elder')")
    assert box["height"] >= (60 if elder else 44) - 0.5
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="进度公示")).to_be_hidden()
    button.click()
    expect(nav.get_by_role("link", name="进度公示")).to_be_visible()
    assert no_horizontal_scroll(page)
    if shot:
        _shot(page, shot, full_page=True)
    button.click()
    expect(nav.get_by_role("link", name="进度公示")).to_be_hidden()


@pytest.mark.parametrize("font_size", [16, 32])
@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_each_page_s_task_starts_in_the_top_half_at_360px(live_server, chromium_browser,
                                                          tmp_path, seeded, make_user,
                                                          font_size, elder):
    make_user("staff", unit="gov-service-centre", username="centre")
    make_user("supervisor", username="sup")
    context = _context(chromium_browser, tmp_path, font_size=font_size)
    try:
        _elder(context, live_server, elder)
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(live_server + "/")
        # the preference took effect: the root font size is the reader's
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == \
            f"{font_size}px"
        assert page.evaluate("document.body.classList.contains('elder')") is elder
        # elder mode (or back) is one tap away in the header's row
        switch = page.locator("header .prefs").get_by_role("link",
                                                           name="标准版" if elder else "长辈版")
        assert switch.is_visible()
        tag = f"{'elder' if elder else 'normal'}-{font_size}px"
        for path in RESIDENT_PAGES:
            page.goto(live_server + path)
            _shot(page, f"360-{tag}{path.replace('/', '_')}")
            assert _h1_top(page) <= TOP_HALF, (path, _h1_top(page))
            assert no_horizontal_scroll(page), path
        _opens_menu(page)
        _sign_in(page, live_server, "centre")
        page.goto(live_server + "/work")
        _shot(page, f"360-{tag}_work")
        assert _h1_top(page) <= TOP_HALF, ("/work", _h1_top(page))
        assert no_horizontal_scroll(page)
        _opens_menu(page, f"360-{tag}_work-menu-open")
        # a supervisor's overdue board: its tabs sit above the heading
        context.clear_cookies()
        _elder(context, live_server, elder)
        _sign_in(page, live_server, "sup")
        page.goto(live_server + "/supervision/")
        _shot(page, f"360-{tag}_supervision")
        assert _h1_top(page) <= TOP_HALF, ("/supervision/", _h1_top(page))
        assert no_horizontal_scroll(page)
    finally:
        context.close()


def test_the_menu_button_works_from_the_keyboard(live_server, phone, seeded):
    from playwright.sync_api import expect

    phone.goto(live_server + "/")
    phone.keyboard.press("Tab")  # the skip link
    phone.keyboard.press("Tab")  # the brand
    phone.keyboard.press("Tab")  # elder mode
    phone.keyboard.press("Tab")  # English
    phone.keyboard.press("Tab")
    focused = phone.locator("summary.menu-button")
    expect(focused).to_be_focused()
    outline = phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # a visible focus ring
    phone.keyboard.press("Enter")
    nav = phone.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="预约服务", exact=True)).to_be_visible()


def test_on_a_desktop_the_navigation_is_a_row_without_a_button(live_server, chromium_browser,
                                                               seeded):
    from playwright.sync_api import expect

    context = chromium_browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        expect(page.locator("summary.menu-button")).to_be_hidden()
        link = page.get_by_role("navigation", name="主导航").get_by_role("link", name="进度公示")
        expect(link).to_be_visible()
        for _ in range(4):  # skip link, brand, elder mode, English
            page.keyboard.press("Tab")
        page.keyboard.press("Tab")  # the first link of the row: the keyboard reaches it
        assert page.evaluate("document.activeElement.closest('.main-nav') !== null")
        link.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("进度")
        _shot(page, "1280-normal_board")
    finally:
        context.close()


@pytest.mark.parametrize(("role", "unit", "landing", "heading"), [
    ("staff", "gov-service-centre", "/work", "My work"),
    ("operator", None, "/hotline/", "Hotline console"),
    ("supervisor", None, "/supervision/", "Overdue board"),
    ("admin", None, "/admin/users", "Accounts"),
])
def test_each_role_signs_in_and_lands_on_its_work(live_server, phone, seeded, make_user, role,
                                                  unit, landing, heading):
    from playwright.sync_api import expect

    make_user(role, unit=unit, username="someone")
    phone.goto(live_server + "/prefs?lang=en")  # English headings: the test does not wait
    phone.goto(live_server + "/login")          # for the lead to compile the Chinese
    phone.get_by_label("Username").fill("someone")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.locator("main h1")).to_have_text(heading)
    assert phone.url == live_server + landing
    _shot(phone, f"360-landing-{role}")
    assert _h1_top(phone) <= TOP_HALF, (landing, _h1_top(phone))  # the work starts on top


def test_staff_tables_use_a_desktop_s_width(app, live_server, chromium_browser, seeded,
                                            make_user):
    import datetime as dt

    from service_desk.matters.models import MatterStatus

    with app.app_context():
        from service_desk.base.calendar import today

        day = today()
    for number, days in (("S06", 40), ("S07", 3), ("S08", 12)):  # overdue: the board has rows
        matter_set(app, number, status=MatterStatus.IN_PROGRESS, progress=40,
                   deadline=day - dt.timedelta(days=days))
    report(app, unit="construction-bureau")  # a text in the outbox, rows in the audit trail
    make_user("admin", username="root")
    context = chromium_browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    try:
        _sign_in(page, live_server, "root")
        for path in ["/supervision/", "/admin/outbox", "/admin/audit"]:
            assert page.goto(live_server + path).status == 200, path
            _shot(page, "1280-normal" + path.rstrip("/").replace("/", "_"), full_page=True)
            width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
            assert width >= 1150, (path, width)
            assert page.evaluate("document.scrollingElement.scrollWidth"
                                 " <= document.scrollingElement.clientWidth"), path
            # no table scrolls sideways either: the board's last column ("issue a notice")
            # and the outbox's show whole
            assert page.evaluate(TABLES_SCROLL) == [], path
        # residents' pages keep a reading width
        page.goto(live_server + "/book")
        assert page.evaluate("document.querySelector('main').getBoundingClientRect().width") < 1000
    finally:
        context.close()


TABLES_SCROLL = """() => [...document.querySelectorAll('.table-wrap')]
  .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.scrollWidth - el.clientWidth)"""

OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('main *')]
    .filter(el => { const r = el.getBoundingClientRect();
                    return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5); })
    .map(el => el.tagName + '.' + el.className + ': ' + el.textContent.trim().slice(0, 40));
}"""


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_stacked_table_cards_fit_a_phone(app, live_server, phone, seeded, make_user, elder):
    make_user("staff", unit="construction-bureau", username="builder")
    make_user("operator", username="op")
    for n in range(2):
        report(app, unit="construction-bureau", name="欧阳长名字居民" * 2,
               description="长长的描述没有空格" * 12 + "https://example.org/" + "x" * 80)
    phone.context.add_cookies([{"name": "elder", "value": "1" if elder else "0",
                                "url": live_server}])
    _sign_in(phone, live_server, "builder")
    phone.goto(live_server + "/requests/")
    _shot(phone, f"360-{'elder' if elder else 'normal'}_requests", full_page=True)
    assert phone.locator("table.stack-table tbody tr").count() >= 2
    assert phone.evaluate(OVERFLOWING) == []
    phone.context.clear_cookies()
    phone.context.add_cookies([{"name": "elder", "value": "1" if elder else "0",
                                "url": live_server}])
    _sign_in(phone, live_server, "op")
    phone.goto(live_server + f"/hotline/?phone={PHONE_NUMBER}")  # the caller's history
    _shot(phone, f"360-{'elder' if elder else 'normal'}_hotline", full_page=True)
    assert phone.locator("table.stack-table tbody tr").count() >= 2
    assert phone.evaluate(OVERFLOWING) == []
