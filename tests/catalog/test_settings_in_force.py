"""The service list and settings page show each setting's value in force and where it comes
from; the hours form copies Monday to Tuesday–Friday on the server (no JavaScript)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service_desk.catalog.hours import settings_in_force, settings_of
from service_desk.catalog.models import OpeningHours, Service
from service_desk.extensions import db
from service_desk.requests.lifecycle import dispatch_days_of

from ..factories import csrf_from, html_tables, login, service_by_code

FINGERPRINT_RE = re.compile(r'name="fingerprint" type="hidden" value="([^"]*)"')
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def admin(client, seeded, make_user):
    make_user("admin", username="boss")
    login(client, "boss")
    client.set_cookie("lang", "en")
    return client


def row_of(html: str, name: str) -> list[str]:
    table = next(rows for caption, rows in html_tables(html).items() if "services" in caption)
    return next(row for row in table if row and row[0] == name)


def test_the_list_shows_the_default_in_force_not_not_set(app, admin):
    with app.app_context():
        svc = service_by_code("appointment")
        svc.book_ahead_days = svc.duration_minutes = svc.capacity = None
        svc.min_notice_minutes = None
        db.session.commit()
        name = svc.name_en or svc.name
        expected = settings_of(svc)
    html = admin.get("/admin/services").get_data(as_text=True)
    row = row_of(html, name)
    text = " ".join(row)
    assert f"up to {expected.book_ahead_days} days ahead (default)" in text
    assert f"{expected.slot_minutes} min (default)" in text
    assert f"{expected.capacity} per slot (default)" in text
    assert "not set" not in " ".join(row[3:6])


def test_a_value_an_administrator_set_says_set(app, admin):
    with app.app_context():
        svc = service_by_code("appointment")
        svc.book_ahead_days, svc.capacity, svc.max_active_per_phone_per_day = 21, 3, 2
        db.session.commit()
        name = svc.name_en or svc.name
    text = " ".join(row_of(admin.get("/admin/services").get_data(as_text=True), name))
    assert "up to 21 days ahead (set)" in text and "3 per slot (set)" in text
    assert "2 per mobile number per day (set)" in text


def test_a_dispatch_service_shows_its_deadline_in_force(app, admin):
    with app.app_context():
        svc = service_by_code("hotline")
        svc.dispatch_days = None
        db.session.commit()
        name, days = svc.name_en or svc.name, dispatch_days_of(svc)
    text = " ".join(row_of(admin.get("/admin/services").get_data(as_text=True), name))
    assert f"resolve within {days} days (default)" in text


def test_the_values_in_force_are_the_booking_rules_own(app, seeded):
    with app.app_context():
        for svc in db.session.scalars(select(Service)):
            in_force = settings_in_force(svc)
            if "dispatch_days" in in_force:
                assert in_force["dispatch_days"].value == dispatch_days_of(svc)
                continue
            s = settings_of(svc)
            assert in_force["book_ahead_days"].value == s.book_ahead_days
            assert in_force["duration_minutes"].value == s.slot_minutes
            assert in_force["capacity"].value == s.capacity
            assert in_force["min_notice_minutes"].value * 60 == s.min_notice.total_seconds()


def test_the_settings_page_says_what_is_in_force(app, admin):
    with app.app_context():
        service_by_code("appointment").book_ahead_days = None
        db.session.commit()
    html = admin.get("/admin/services/appointment").get_data(as_text=True)
    assert "In force now: up to 14 days ahead (default)." in html


def settings_post(admin, **extra):
    html = admin.get("/admin/services/appointment").get_data(as_text=True)
    data = {"csrf_token": csrf_from(html), "fingerprint": FINGERPRINT_RE.search(html).group(1),
            "unit": "gov-service-centre", "is_active": "y", "duration_minutes": "30",
            "capacity": "2", "book_ahead_days": "14", "min_notice_minutes": "60",
            "max_active_per_phone_per_day": "1"}
    for key in DAYS:
        for i in (1, 2, 3):
            data[f"{key}_{i}_opens"] = data[f"{key}_{i}_closes"] = ""
    data.update({"mon_1_opens": "09:00", "mon_1_closes": "12:00",
                 "mon_2_opens": "13:30", "mon_2_closes": "17:00",
                 "sat_1_opens": "09:00", "sat_1_closes": "11:00", **extra})
    return admin.post("/admin/services/appointment", data=data)


def value_of(html: str, name: str) -> str:
    tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def stored_weekdays(app) -> set[int]:
    with app.app_context():
        svc = service_by_code("appointment")
        return set(db.session.scalars(select(OpeningHours.weekday)
                                      .where(OpeningHours.service_id == svc.id)))


def test_copy_monday_fills_tuesday_to_friday_and_saves_nothing(app, admin):
    before = stored_weekdays(app)
    response = settings_post(admin, copy_monday_hours="Copy Monday's hours to Tuesday–Friday")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "copied to Tuesday to Friday. Nothing is saved yet" in html
    for key in ("tue", "wed", "thu", "fri"):
        assert value_of(html, f"{key}_1_opens") == "09:00"
        assert value_of(html, f"{key}_2_closes") == "17:00"
        assert value_of(html, f"{key}_3_opens") == ""
    assert value_of(html, "sat_1_closes") == "11:00"  # the weekend stays as typed
    assert value_of(html, "sun_1_opens") == ""
    assert stored_weekdays(app) == before  # nothing saved by copying
    # the copied form then saves as usual
    names = re.findall(r'name="((?:' + "|".join(DAYS) + r')_\d_(?:opens|closes))"', html)
    data = {name: value_of(html, name) for name in names}
    saved = settings_post(admin, **data)
    assert saved.status_code == 302
    assert stored_weekdays(app) == {0, 1, 2, 3, 4, 5}


def test_copy_keeps_a_bad_monday_time_as_typed_for_the_save_to_flag(app, admin):
    response = settings_post(admin, mon_1_opens="9h", copy_monday_hours="x")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and value_of(html, "fri_1_opens") == "9h"


def test_the_save_button_comes_before_the_copy_button(admin):
    html = admin.get("/admin/services/appointment").get_data(as_text=True)
    assert html.index('name="submit"') < html.index('name="copy_monday_hours"')
