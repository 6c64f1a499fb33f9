"""End to end on a 360px phone: a resident opens the link of the completion text, first sends
the form without a level (told in words what is missing), then rates 不满意 with a comment and
is told when the unit will call back. Elements are found by id and name."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.ratings.models import Rating, Rectification, RectificationStatus

from .helpers import no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_a_resident_rates_a_completed_appointment_bad_from_the_texts_link(app, live_server,
                                                                           phone, runner):
    from playwright.sync_api import expect  # imported here: without it the fixture skips

    for command in ("seed", "demo-accounts", "demo-bookings"):
        assert runner.invoke(args=[command]).exit_code == 0
    with app.app_context():
        body = db.session.scalar(select(Notification.body).where(
            Notification.kind == "appointment-completed"))
    link = re.search(r"(/rate/[A-Za-z0-9._\-]+)", body).group(1)

    phone.goto(live_server + link)
    assert no_horizontal_scroll(phone)
    assert phone.locator("input[name=level]").count() == 5
    # the radios are large enough to tap (at least 44 px high, the label included)
    box = phone.locator("label[for=level-2]").bounding_box()
    assert box["height"] >= 44
    with phone.expect_navigation():
        phone.click("#submit-rating")
    assert phone.locator("#level-error").is_visible()  # said in words, above the choices
    with app.app_context():
        assert db.session.scalar(select(Rating)) is None

    phone.click("label[for=level-2]")  # 不满意, tapped on its words
    phone.fill("textarea[name=comment]", "等了很久没人叫号")
    # the live count, in words, after a pause in typing
    expect(phone.locator("#comment-count")).to_contain_text("8", timeout=3000)
    with phone.expect_navigation():
        phone.click("#submit-rating")
    assert phone.locator("#thanks").is_visible()
    assert phone.locator("#callback-promise").is_visible()
    assert no_horizontal_scroll(phone)
    with app.app_context():
        rating = db.session.scalar(select(Rating))
        assert (rating.level, rating.comment) == (2, "等了很久没人叫号")
        assert db.session.scalar(select(Rectification.status)) is RectificationStatus.OPEN
