"""End to end: an administrator closes an afternoon that has one booking (and a morning one
that stays), sees only the afternoon's first, moves it past the closed part; the staff day
shows the closed part. Screenshots go to SERVICE_DESK_SHOTS when it is set."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from ..factories import (
    PASSWORD,
    SHANGHAI,
    add_booking,
    free_times,
    local_at,
    open_every_day,
    stored_request,
)
from .helpers import no_horizontal_scroll

pytestmark = pytest.mark.browser


def shot(page, name: str, part: str | None = None) -> None:
    folder = os.environ.get("SERVICE_DESK_SHOTS")
    if folder:
        path = os.path.join(folder, f"{name}.png")
        if part:
            page.locator(part).screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=True)


def test_admin_closes_an_afternoon_and_moves_only_its_booking(app, live_server, chromium_browser,
                                                             seeded, make_user):
    from playwright.sync_api import expect

    open_every_day(app, "appointment", capacity=1, ahead=14)
    times = free_times(app, "appointment", count=40)
    day = times[0].start.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    add_booking(app, reference="E2EPM1", start=local_at(day, 14))
    add_booking(app, reference="E2EAM1", start=local_at(day, 9), phone="13900001111")
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
    page.locator("#closure-starts").fill("13:30")
    page.locator("#closure-ends").fill("16:00")
    page.locator("#closure-reason").fill("停电检修")
    shot(page, "settings-1280", "#closures")
    page.locator("form[action$='/schedule/closures/appointment'] [type=submit]").click()

    card = page.locator(".closure-bookings .booking-card")
    expect(card).to_have_count(1)
    expect(card.locator("#move-E2EPM1")).to_have_count(1)
    page.set_viewport_size({"width": 360, "height": 800})
    assert no_horizontal_scroll(page)
    shot(page, "review-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#move-E2EPM1").check()
    page.locator(".closure-bookings ~ .actions button[type=submit]").click()
    expect(page.locator(".notice").first).to_be_visible()
    assert stored_request(app, "E2EPM1").starts_at == local_at(day, 16)
    assert stored_request(app, "E2EAM1").starts_at == local_at(day, 9)
    page.set_viewport_size({"width": 360, "height": 800})
    assert no_horizontal_scroll(page)
    shot(page, "settings-after-360", "#closures")
    context.close()
