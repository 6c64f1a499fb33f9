"""End to end: an administrator closes a day that has one booking, sees it first and moves it."""
from __future__ import annotations

import datetime as dt

import pytest

from ..factories import (
    PASSWORD,
    SHANGHAI,
    add_booking,
    free_times,
    open_every_day,
    stored_request,
)
from .helpers import no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_admin_closes_a_booked_day_and_moves_the_booking(app, live_server, chromium_browser,
                                                          seeded, make_user):
    from playwright.sync_api import expect

    open_every_day(app, "appointment", capacity=1, ahead=14)
    times = free_times(app, "appointment", count=40)
    day = times[0].start.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    slot = next(s for s in times if s.start.astimezone(SHANGHAI).date() == day)
    add_booking(app, reference="E2E1", start=slot.start)
    make_user("admin", username="boss")

    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900},
                                           locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.locator("input[name=username]").fill("boss")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.goto(f"{live_server}/admin/services/appointment#closures")
    page.locator("#closure-on_date").fill(day.isoformat())
    page.locator("#closure-reason").fill("停电检修")
    page.locator("form[action$='/schedule/closures/appointment'] [type=submit]").click()

    card = page.locator(".closure-bookings .booking-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("E2E1")
    expect(card).to_contain_text("138****5678")
    page.set_viewport_size({"width": 360, "height": 800})
    assert no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#move-E2E1").check()
    page.locator(".closure-bookings ~ .actions button[type=submit]").click()
    expect(page.locator(".notice").first).to_be_visible()
    assert page.url.endswith("/admin/services/appointment#closures")
    moved = stored_request(app, "E2E1")
    assert moved.starts_at.astimezone(SHANGHAI).date() > day
    context.close()
