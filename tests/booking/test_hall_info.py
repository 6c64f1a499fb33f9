"""What residents need to call or come: the hotline number, the hall's address and hours,
and what to bring, wherever a page tells them to call or come."""
from __future__ import annotations

import contextlib
import re

import pytest

from service_desk.extensions import db

from ..factories import csrf_from, free_times, open_for_booking
from ..factories import service_by_code as _service

HALL = {"HOTLINE_NUMBER": "0631-5620000", "HALL_ADDRESS": "海滨南路 1 号",
        "HALL_HOURS": "周一至周五 9:00–17:00"}


@contextlib.contextmanager
def configured(app, values):
    before = {k: app.config.get(k) for k in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(before)


@pytest.fixture
def resident(app, client, seeded):
    open_for_booking(app)
    client.set_cookie("lang", "en")
    return client


def test_unset_the_pages_say_the_number_is_not_published(resident):
    for url in ("/my-booking", "/"):
        html = resident.get(url).get_data(as_text=True)
        assert "not published on this site yet" in html and 'href="tel:' not in html


def test_set_the_number_is_a_phone_link_where_pages_say_to_call(app, resident):
    with configured(app, HALL):
        lookup = resident.get("/my-booking").get_data(as_text=True)
        home = resident.get("/").get_data(as_text=True)
    assert '<a class="hotline-number" href="tel:06315620000">0631-5620000</a>' in lookup
    assert all(v in home for v in HALL.values()) and "not published" not in home


def test_the_check_and_done_pages_show_what_to_bring_and_where_to_come(app, resident):
    with app.app_context():
        _service("sign-language").what_to_bring = "身份证原件\n<b>残疾人证</b>"
        db.session.commit()
    start = free_times(app, "sign-language", 1)[0].start.isoformat()
    page = resident.get(f"/book/sign-language/details?start={start}").get_data(as_text=True)
    details = {"name": "王秀兰", "phone": "13812345678", "needs": "", "start": start}
    check = resident.post(f"/book/sign-language/details?start={start}",
                          data={**details, "csrf_token": csrf_from(page)}).get_data(as_text=True)
    assert "身份证原件<br>&lt;b&gt;残疾人证&lt;/b&gt;" in check  # kept as text, lines kept
    token = re.search(r'name="confirm_token" value="([^"]+)"', check).group(1)
    with configured(app, HALL):
        done = resident.post("/book/sign-language/confirm", data={
            **details, "confirm_token": token, "csrf_token": csrf_from(check)},
            follow_redirects=True).get_data(as_text=True)
        ics = resident.get(re.search(r'href="([^"]+\.ics)"', done).group(1)).get_data(
            as_text=True)
    assert "Your booking is confirmed" in done and "身份证原件" in done
    assert all(v in done for v in HALL.values())
    assert "海滨南路 1 号" in ics
