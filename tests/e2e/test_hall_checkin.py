"""End to end on a tablet: a hall staff member's handheld scanner types a reference and
presses Enter; one more press marks the booking arrived. No script needed for that path."""
from __future__ import annotations

import pytest

from service_desk.base.calendar import today
from service_desk.requests.models import RequestStatus

from ..factories import PASSWORD, add_booking, local_at, stored_request
from .helpers import no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_scan_then_one_press_checks_the_resident_in(app, live_server, chromium_browser, seeded,
                                                    make_user, javascript):
    with app.app_context():
        day = today()
    add_booking(app, reference="HALL2222", start=local_at(day, 10), name="李建国")
    make_user("staff", unit="gov-service-centre", username="desk")
    context = chromium_browser.new_context(viewport={"width": 800, "height": 1000},
                                           locale="zh-CN", java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.locator("input[name=username]").fill("desk")
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.goto(f"{live_server}/schedule")
    with page.expect_navigation():
        page.click("#checkin-link")
    if javascript:  # the input has the focus: the scanner's keystrokes land in it
        assert page.evaluate("document.activeElement.id") == "ref"
        assert page.locator("#camera-scan").is_hidden()  # no camera detector in this chromium
    with page.expect_navigation():
        page.locator("#ref").type("hall 2222\n")  # a scanner: the code, then Enter
    assert page.locator("#checkin-name").inner_text() == "李建国"
    assert page.locator("#checkin-phone").inner_text() == "138****5678"
    if javascript:
        assert page.evaluate("document.activeElement.id") == "arrive"
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        with page.expect_navigation():
            page.click("#arrive")
    assert page.locator(".notice-success").count() == 1
    assert no_horizontal_scroll(page)
    assert stored_request(app, "HALL2222").status is RequestStatus.ARRIVED
    context.close()
