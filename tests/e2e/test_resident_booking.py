"""End to end on a 360px phone: a resident books a home visit, then finds and cancels it.

Elements are found by id and name, not by their words: the Chinese catalog for these pages
is filled in later.
"""
from __future__ import annotations

import pytest

from service_desk.catalog.models import Channel, SpecialGroup
from service_desk.requests.models import RequestStatus

from ..factories import open_for_booking
from ..factories import stored_request as stored
from .helpers import no_horizontal_scroll

pytestmark = pytest.mark.browser


def step(phone, selector: str) -> None:
    """Tap, wait for the next page, and check it fits the phone's width."""
    with phone.expect_navigation():
        phone.click(selector)
    assert no_horizontal_scroll(phone), phone.url


def test_a_resident_books_a_home_visit_then_finds_and_cancels_it(app, live_server, phone, seeded):
    open_for_booking(app)
    phone.goto(live_server + "/")
    step(phone, "#book-service")
    step(phone, "#service-home-visit")
    assert phone.locator("input[name=day]").count() > 0
    # not today: a time close to the booking notice could close while the test types
    open_days = phone.locator("input[name=day]:not([disabled])")
    open_days.nth(1 if open_days.count() > 1 else 0).check()
    step(phone, "#next")
    phone.locator("input[name=start]:not([disabled])").first.check()
    step(phone, "#next")

    phone.fill("#name", "王秀兰")
    phone.fill("#phone", "138 1234 5678")
    phone.fill("#address", "海埠路 1 号 2 单元 301 室")
    phone.check("input[name=group][value=elderly]")
    phone.fill("#needs", "需要轮椅")
    step(phone, "#next")
    summary = phone.locator(".booking-summary").inner_text()
    assert "王秀兰" in summary and "需要轮椅" in summary and "海埠路" in summary
    step(phone, "#confirm")

    code = phone.locator("#reference [data-reference]")  # grouped, with a spoken twin
    reference = code.get_attribute("data-reference")
    assert len(reference) == 8
    assert code.locator("[aria-hidden=true]").inner_text() == f"{reference[:4]} {reference[4:]}"
    item = stored(app, reference)
    assert item.status is RequestStatus.BOOKED and item.channel is Channel.WEB
    assert item.special_group is SpecialGroup.ELDERLY and item.needs == "需要轮椅"
    assert phone.locator("#ics").get_attribute("href").endswith(".ics")

    phone.goto(live_server + "/my-booking")
    assert no_horizontal_scroll(phone)
    phone.fill("#reference", f"{reference[:4].lower()} {reference[4:]}")
    phone.fill("#phone", "13812345678")
    step(phone, "#find")
    assert phone.locator("#state.state-booked").count() == 1
    assert "138****5678" in phone.locator(".booking-summary").last.inner_text()
    step(phone, "#cancel")
    step(phone, "#confirm-cancel")
    assert phone.locator("#state.state-cancelled").count() == 1
    assert phone.locator("#reschedule").count() == 0 and phone.locator("#cancel").count() == 0
    assert stored(app, reference).status is RequestStatus.CANCELLED
