"""End to end on a 360px phone: an ordinary resident (no special group) books a hall
appointment; the confirmation carries what they need at the hall (reference, address, hours,
hotline, what to bring, the reference's QR code) and prints on one A4 page."""
from __future__ import annotations

import re

import pytest

from service_desk.extensions import db

from ..factories import open_for_booking
from ..factories import service_by_code as _service
from .helpers import no_horizontal_scroll

pytestmark = pytest.mark.browser

HALL = {"HOTLINE_NUMBER": "0631-5620000", "HALL_ADDRESS": "海滨南路 1 号 政务服务大厅",
        "HALL_HOURS": "周一至周五 9:00–12:00，13:30–17:00"}
# a long list (16 lines), as a hall's real list might be; near the 1000-character limit it spills
BRING = "\n".join(["身份证原件", "户口簿原件及复印件一份", "近期一寸免冠照片两张",
                   "委托他人办理的，提交委托书及受托人身份证原件"] * 4)


def step(phone, selector: str) -> None:
    with phone.expect_navigation():
        phone.click(selector)
    assert no_horizontal_scroll(phone), phone.url


def pdf_pages(pdf: bytes) -> int:
    """Chromium writes one "/Type /Page" dictionary per page (and "/Type /Pages" for the tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.fixture
def hall_settings(app):
    before = {k: app.config.get(k) for k in HALL}
    app.config.update(HALL)
    yield
    app.config.update(before)


def test_an_ordinary_resident_books_and_prints_the_confirmation(app, live_server, phone, seeded,
                                                                 hall_settings):
    open_for_booking(app)
    with app.app_context():
        _service("appointment").what_to_bring = BRING
        db.session.commit()
    phone.goto(live_server + "/book")
    step(phone, "#service-appointment")
    open_days = phone.locator("input[name=day]:not([disabled])")
    open_days.nth(1 if open_days.count() > 1 else 0).check()
    step(phone, "#next")
    phone.locator("input[name=start]:not([disabled])").first.check()
    step(phone, "#next")
    phone.fill("#name", "李建国")
    phone.fill("#phone", "139 1234 1111")
    everyone = phone.locator("input[name=group][value=everyone]")
    if everyone.count():  # "none of these": an ordinary resident
        everyone.check()
    step(phone, "#next")
    step(phone, "#confirm")

    code = phone.locator("#reference [data-reference]")  # the grouped code with its spoken twin
    reference = (code.first.get_attribute("data-reference") if code.count()
                 else phone.locator("#reference").inner_text().replace(" ", ""))
    assert re.fullmatch(r"[A-Z0-9]{8}", reference)
    page = phone.locator("main").inner_text()
    for value in HALL.values():
        assert value in page, value
    assert "户口簿" in phone.locator(".what-to-bring").inner_text()
    qr = phone.locator("#reference-qr svg[role=img]")
    assert qr.count() == 1 and reference[:4] in qr.get_attribute("aria-label")
    box = qr.bounding_box()
    assert box["width"] >= 120 and abs(box["width"] - box["height"]) < 2  # big enough to scan
    assert phone.locator("a.hotline-number[href='tel:06315620000']").count() >= 1

    pdf = phone.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) == 1

    # elder mode's bigger text still prints on one page
    step(phone, "a.pref-elder")
    assert phone.locator("body.elder #reference-qr").count() == 1
    assert pdf_pages(phone.pdf(format="A4")) == 1
