"""Administrators set each service's booking rules, weekly hours and closures in the UI, and
the booking core (requests.availability.free_slots) offers exactly what they set."""
from __future__ import annotations

import datetime as dt
import re
import threading
import time
from zoneinfo import ZoneInfo

import holidays
import pytest
from sqlalchemy import func, select

from service_desk.audit.models import AuditEvent
from service_desk.catalog.models import Closure, OpeningHours, Service
from service_desk.extensions import db
from service_desk.requests.availability import free_slots

from ..factories import csrf_from, login

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()
WEEK_WITH_LUNCH = {day: [("09:00", "12:00"), ("13:30", "17:00")] for day in range(7)}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FINGERPRINT_RE = re.compile(r'name="fingerprint" type="hidden" value="([^"]*)"')


def value_of(html: str, name: str) -> str:
    """The value an input shows (attributes are rendered in any order)."""
    tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


@pytest.fixture
def admin(client, seeded, make_user):
    make_user("admin", username="boss")
    login(client, "boss")
    return client


def local(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=SHANGHAI)


def hours_fields(hours: dict[int, list[tuple[str, str]]]) -> dict[str, str]:
    data = {}
    for day, key in enumerate(DAYS):
        periods = hours.get(day, [])
        for index in range(3):
            opens, closes = periods[index] if index < len(periods) else ("", "")
            data[f"{key}_{index + 1}_opens"], data[f"{key}_{index + 1}_closes"] = opens, closes
    return data


def page_of(client, code: str) -> str:
    response = client.get(f"/admin/services/{code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def save(client, code: str, *, hours=None, fingerprint: str | None = None, **settings):
    """POST the settings form like a browser: CSRF token and fingerprint from the page."""
    html = page_of(client, code)
    data = {"csrf_token": csrf_from(html),
            "fingerprint": fingerprint if fingerprint is not None else FINGERPRINT_RE.search(html).group(1),
            "unit": "gov-service-centre", "is_active": "y",
            **hours_fields(hours if hours is not None else {}), **settings}
    return client.post(f"/admin/services/{code}", data=data)


def appointment_settings(**overrides) -> dict[str, str]:
    return {"duration_minutes": "30", "capacity": "2", "book_ahead_days": "60",
            "min_notice_minutes": "0", "max_active_per_phone_per_day": "1", **overrides}


def service(app, code: str) -> Service:
    with app.app_context():
        found = db.session.scalar(select(Service).where(Service.code == code))
        db.session.expunge(found)
        return found


def stored_hours(app, code: str) -> list[tuple[int, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes)
            .join(Service, Service.id == OpeningHours.service_id).where(Service.code == code)
            .order_by(OpeningHours.weekday, OpeningHours.opens))
        return [(w, o.strftime("%H:%M"), c.strftime("%H:%M")) for w, o, c in rows]


def slots(app, code: str, day: dt.date, now: dt.datetime, last: dt.date | None = None):
    with app.app_context():
        svc = db.session.scalar(select(Service).where(Service.code == code))
        return free_slots(svc, first=day, last=last or day, now=now)


def audit_events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                         .order_by(AuditEvent.id)))
        for event in events:
            db.session.expunge(event)
        return events


def local_times(found) -> list[str]:
    return [s.start.astimezone(SHANGHAI).strftime("%H:%M") for s in found]


# an ordinary Wednesday (no holiday, no make-up day), booked from the day before
WEDNESDAY = dt.date(2026, 12, 2)
THE_DAY_BEFORE = local(dt.date(2026, 12, 1), "00:00")


def test_admin_saves_settings_and_hours_and_free_slots_offers_exactly_those_slots(app, admin):
    admin.set_cookie("lang", "en")
    response = save(admin, "appointment", hours=WEEK_WITH_LUNCH, **appointment_settings())
    assert response.status_code == 302
    assert "were saved" in admin.get(response.headers["Location"]).get_data(as_text=True)
    svc = service(app, "appointment")
    assert (svc.duration_minutes, svc.capacity, svc.book_ahead_days, svc.min_notice_minutes) == (30, 2, 60, 0)
    assert len(stored_hours(app, "appointment")) == 14
    found = slots(app, "appointment", WEDNESDAY, THE_DAY_BEFORE)
    assert len(found) == 6 + 7
    assert local_times(found) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
                                  "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"]
    assert {(s.capacity, s.remaining) for s in found} == {(2, 2)}
    # the page shows back what was stored
    html = page_of(admin, "appointment")
    assert value_of(html, "wed_2_opens") == "13:30"
    assert value_of(html, "capacity") == "2"


def test_a_home_visit_leaves_the_travel_buffer_free_after_each_visit(app, admin):
    response = save(admin, "home-visit", hours=WEEK_WITH_LUNCH,
                    **appointment_settings(travel_buffer_minutes="15"))
    assert response.status_code == 302
    assert service(app, "home-visit").travel_buffer_minutes == 15
    found = slots(app, "home-visit", WEDNESDAY, THE_DAY_BEFORE)
    # every 45 minutes: 30 of visit, 15 of travel; a visit still ends within its period
    assert local_times(found) == ["09:00", "09:45", "10:30", "11:15",
                                  "13:30", "14:15", "15:00", "15:45", "16:30"]


def test_the_travel_buffer_is_offered_only_for_home_visits(admin):
    assert 'name="travel_buffer_minutes"' in page_of(admin, "home-visit")
    assert 'name="travel_buffer_minutes"' not in page_of(admin, "sign-language")


def test_a_dispatch_service_edits_its_deadline_not_slots(app, admin):
    html = page_of(admin, "hotline")
    assert 'name="dispatch_days"' in html and 'name="duration_minutes"' not in html
    response = save(admin, "hotline", dispatch_days="5", duration_minutes="45")
    assert response.status_code == 302
    svc = service(app, "hotline")
    assert svc.dispatch_days == 5 and svc.duration_minutes is None  # not its setting: ignored


def test_saving_is_audited_with_settings_and_hours_before_and_after(app, admin):
    save(admin, "appointment", hours={0: [("09:00", "12:00")]}, **appointment_settings())
    save(admin, "appointment", hours={0: [("09:00", "12:00"), ("13:30", "17:00")]},
         **appointment_settings(capacity="3"))
    first, second = audit_events(app, "service.settings")
    assert first.actor_label == "boss" and first.object_type == "service"
    assert first.object_id == "appointment"
    assert first.before["capacity"] is None and first.before["hours"]["mon"] == []
    assert first.after["hours"]["mon"] == ["09:00-12:00"] and first.after["capacity"] == 2
    assert second.before["hours"]["mon"] == ["09:00-12:00"] and second.before["capacity"] == 2
    assert second.after["hours"]["mon"] == ["09:00-12:00", "13:30-17:00"]
    assert second.after["capacity"] == 3 and second.after["unit"] == "gov-service-centre"


def test_saving_the_form_unchanged_writes_nothing(app, admin):
    save(admin, "appointment", hours=WEEK_WITH_LUNCH, **appointment_settings())
    response = save(admin, "appointment", hours=WEEK_WITH_LUNCH, **appointment_settings())
    assert response.status_code == 302
    assert len(audit_events(app, "service.settings")) == 1


BAD_INPUT = [
    ({0: [("09:00", "12:00"), ("11:00", "13:00")]}, {}, "mon_2_opens", "overlaps"),
    ({1: [("13:30", "17:00"), ("09:00", "14:00")]}, {}, "tue_1_opens", "overlaps"),
    ({2: [("12:00", "09:00")]}, {}, "wed_1_closes", "later than the opening"),
    ({3: [("09:00", "09:00")]}, {}, "thu_1_closes", "later than the opening"),
    ({4: [("25:00", "26:00")]}, {}, "fri_1_opens", "24-hour clock"),
    ({5: [("9", "12:00")]}, {}, "sat_1_opens", "24-hour clock"),
    ({6: [("09:00", "")]}, {}, "sun_1_closes", "closing time too"),
    (WEEK_WITH_LUNCH, {"capacity": "0"}, "capacity", "1 to 100"),
    (WEEK_WITH_LUNCH, {"capacity": "abc"}, "capacity", "whole number"),
    (WEEK_WITH_LUNCH, {"duration_minutes": "241"}, "duration_minutes", "5 to 240"),
    (WEEK_WITH_LUNCH, {"book_ahead_days": ""}, "book_ahead_days", "1 to 180"),
    (WEEK_WITH_LUNCH, {"min_notice_minutes": "-1"}, "min_notice_minutes", "0 to 10080"),
    (WEEK_WITH_LUNCH, {"unit": ""}, "unit", "Choose the unit"),
]


@pytest.mark.parametrize("hours,settings,field,message", BAD_INPUT)
def test_bad_settings_or_hours_get_field_errors_and_nothing_is_stored(app, admin, hours, settings,
                                                                      field, message):
    admin.set_cookie("lang", "en")
    save(admin, "appointment", hours={0: [("08:00", "10:00")]}, **appointment_settings())
    before = stored_hours(app, "appointment")
    response = save(admin, "appointment", hours=hours,
                    **{**appointment_settings(capacity="7"), **settings})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html
    error = re.search(rf'id="{field}-error"><strong>Error:</strong>([^<]*)<', html).group(1)
    assert message in error
    assert f'href="#{field}"' in html  # listed in the summary at the top, with a link
    assert stored_hours(app, "appointment") == before == [(0, "08:00", "10:00")]
    assert service(app, "appointment").capacity == 2
    assert len(audit_events(app, "service.settings")) == 1


def test_every_error_is_shown_at_once_and_the_typed_values_are_kept(app, admin):
    admin.set_cookie("lang", "en")
    hours = {0: [("09:00", "12:00"), ("11:00", "13:00")], 2: [("25:00", "26:00")],
             4: [("17:00", "08:00")]}
    response = save(admin, "appointment", hours=hours, **appointment_settings(capacity="0"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("mon_2_opens", "wed_1_opens", "wed_1_closes", "fri_1_closes", "capacity"):
        assert f'id="{field}-error"' in html, field
    assert value_of(html, "wed_1_opens") == "25:00"
    assert value_of(html, "mon_2_opens") == "11:00"
    assert value_of(html, "capacity") == "0"
    assert "Nothing was saved" in html
    assert stored_hours(app, "appointment") == []
    assert service(app, "appointment").capacity is None


def test_a_full_width_colon_from_a_chinese_keyboard_is_read(app, admin):
    response = save(admin, "appointment", hours={0: [("9：00", "12：00")]}, **appointment_settings())
    assert response.status_code == 302
    assert stored_hours(app, "appointment") == [(0, "09:00", "12:00")]


def test_a_save_over_someone_elses_change_is_refused_with_the_current_values(app, admin):
    admin.set_cookie("lang", "en")
    html = page_of(admin, "appointment")
    stale = FINGERPRINT_RE.search(html).group(1)
    assert save(admin, "appointment", hours=WEEK_WITH_LUNCH,
                **appointment_settings(capacity="4")).status_code == 302
    response = save(admin, "appointment", fingerprint=stale, hours={0: [("08:00", "09:00")]},
                    **appointment_settings(capacity="9"))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed these settings meanwhile; here are the current values." in html
    assert "now 4 (you entered 9)" in html
    assert value_of(html, "capacity") == "4"  # the form shows the stored values
    assert value_of(html, "mon_2_opens") == "13:30"
    assert FINGERPRINT_RE.search(html).group(1) != stale  # a second save can go through
    assert service(app, "appointment").capacity == 4
    assert len(stored_hours(app, "appointment")) == 14
    assert len(audit_events(app, "service.settings")) == 1


def test_a_change_of_hours_alone_also_makes_a_form_stale(app, admin):
    html = page_of(admin, "appointment")
    stale = FINGERPRINT_RE.search(html).group(1)
    with app.app_context():
        svc = db.session.scalar(select(Service).where(Service.code == "appointment"))
        db.session.add(OpeningHours(service_id=svc.id, weekday=0, opens=dt.time(8), closes=dt.time(9)))
        db.session.commit()
    response = save(admin, "appointment", fingerprint=stale, hours=WEEK_WITH_LUNCH,
                    **appointment_settings())
    assert response.status_code == 409
    assert stored_hours(app, "appointment") == [(0, "08:00", "09:00")]


@pytest.mark.commits  # two threads, each its own connection
def test_two_saves_at_once_cannot_both_pass_the_fingerprint_check(app, seeded, make_user):
    """The first save holds the service row until it commits; the second then sees its change."""
    from service_desk.accounts.models import User
    from service_desk.catalog.queries import fingerprint, hours_of, snapshot
    from service_desk.catalog.services import PeriodInput, StaleSettings, service_settings_save
    from service_desk.units.models import Unit

    make_user("admin", username="boss")
    with app.app_context():
        svc = db.session.scalar(select(Service).where(Service.code == "appointment"))
        shown = fingerprint(snapshot(svc, unit_code="gov-service-centre", hours=hours_of(svc.id)))
    first_saved, outcome = threading.Event(), {}

    def save_directly(capacity: int, *, hold: float = 0.0) -> str:
        with app.app_context():
            svc = db.session.scalar(select(Service).where(Service.code == "appointment"))
            unit = db.session.scalar(select(Unit).where(Unit.code == "gov-service-centre"))
            boss = db.session.scalar(select(User).where(User.username == "boss"))
            try:
                service_settings_save(
                    service=svc, actor=boss, expected_fingerprint=shown, unit=unit, is_active=True,
                    values={"duration_minutes": 30, "capacity": capacity, "book_ahead_days": 30,
                            "min_notice_minutes": 0, "max_active_per_phone_per_day": 1},
                    periods=[PeriodInput(0, 0, dt.time(9), dt.time(12 if capacity == 3 else 11))])
            except StaleSettings:
                db.session.rollback()
                return "stale"
            finally:
                first_saved.set()
            time.sleep(hold)  # still holding the lock while the other save starts
            db.session.commit()
            return "saved"

    first = threading.Thread(target=lambda: outcome.update(first=save_directly(3, hold=0.5)))
    first.start()
    first_saved.wait(5)
    outcome["second"] = save_directly(9)
    first.join(10)
    assert outcome == {"first": "saved", "second": "stale"}
    assert service(app, "appointment").capacity == 3
    assert stored_hours(app, "appointment") == [(0, "09:00", "12:00")]


def a_working_day(app, code: str) -> dt.date:
    """The first day from three days on that the service really offers (skips holidays)."""
    found = slots(app, code, today() + dt.timedelta(days=3), dt.datetime.now(dt.UTC),
                  last=today() + dt.timedelta(days=40))
    return found[0].start.astimezone(SHANGHAI).date()


def add_closure(client, code: str, **data):
    html = page_of(client, code)
    token = re.search(r'name="closure-csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return client.post(f"/admin/services/{code}/closures",
                       data={"closure-csrf_token": token, "closure-scope": "service", **data})


def closures(app) -> list[tuple[str | None, str, str]]:
    with app.app_context():
        rows = db.session.execute(select(Service.code, Closure.on_date, Closure.reason)
                                  .outerjoin(Service, Service.id == Closure.service_id)
                                  .order_by(Closure.on_date, Closure.id))
        return [(code, day.isoformat(), reason) for code, day, reason in rows]


def test_a_closure_closes_the_day_and_removing_it_opens_it_again(app, admin):
    admin.set_cookie("lang", "en")
    save(admin, "appointment", hours=WEEK_WITH_LUNCH, **appointment_settings())
    day = a_working_day(app, "appointment")
    now = dt.datetime.now(dt.UTC)
    assert len(slots(app, "appointment", day, now)) == 13
    response = add_closure(admin, "appointment", **{"closure-on_date": day.isoformat(),
                                                     "closure-reason": "Staff training"})
    assert response.status_code == 302
    assert closures(app) == [("appointment", day.isoformat(), "Staff training")]
    assert slots(app, "appointment", day, now) == []
    html = page_of(admin, "appointment")
    assert "Staff training" in html
    (added,) = audit_events(app, "closure.add")
    assert added.after == {"id": int(added.object_id), "service": "appointment",
                           "date": day.isoformat(), "reason": "Staff training"}

    with app.app_context():
        closure_id = db.session.scalar(select(Closure.id).where(Closure.on_date == day))
    url = f"/admin/services/appointment/closures/{closure_id}/remove"
    confirm = admin.get(url)
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Staff training" in text and "Yes, remove the closure" in text
    assert closures(app) != []  # asking is not removing
    response = admin.post(url, data={"csrf_token": csrf_from(text)})
    assert response.status_code == 302
    assert closures(app) == []
    assert len(slots(app, "appointment", day, now)) == 13
    (removed,) = audit_events(app, "closure.remove")
    assert removed.before["date"] == day.isoformat() and removed.actor_label == "boss"


def test_closing_a_day_with_bookings_is_refused_until_they_are_handled(app, admin):
    from service_desk.catalog.models import Channel, SpecialGroup
    from service_desk.requests.appointments import appointment_book
    from service_desk.requests.residents import Resident

    admin.set_cookie("lang", "en")
    save(admin, "appointment", hours=WEEK_WITH_LUNCH, **appointment_settings())
    day = a_working_day(app, "appointment")
    with app.app_context():
        svc = db.session.scalar(select(Service).where(Service.code == "appointment"))
        appointment_book(service=svc, start=local(day, "09:00").astimezone(dt.UTC),
                         resident=Resident(name="王芳", phone="13812345678",
                                           group=SpecialGroup.ELDERLY), channel=Channel.PHONE)
        db.session.commit()
    response = add_closure(admin, "appointment", **{"closure-on_date": day.isoformat(),
                                                     "closure-reason": "Staff training"})
    # the catalogue alone never closes a booked day: requests.closures moves or cancels them
    assert response.status_code == 422
    assert "1 appointments are booked that day: review them" in response.get_data(as_text=True)
    assert closures(app) == []


def test_an_all_services_closure_closes_every_service(app, admin):
    save(admin, "appointment", hours=WEEK_WITH_LUNCH, **appointment_settings())
    save(admin, "sign-language", hours=WEEK_WITH_LUNCH, **appointment_settings(),
         unit="approval-bureau")
    day = a_working_day(app, "appointment")
    now = dt.datetime.now(dt.UTC)
    assert slots(app, "sign-language", day, now)
    response = add_closure(admin, "appointment", **{"closure-on_date": day.isoformat(),
                                                     "closure-reason": "全区停电",
                                                     "closure-scope": "all"})
    assert response.status_code == 302
    assert closures(app) == [(None, day.isoformat(), "全区停电")]
    assert slots(app, "sign-language", day, now) == []
    assert "全区停电" in page_of(admin, "sign-language")  # listed on every service's page


@pytest.mark.parametrize("data,field,message", [
    ({"closure-on_date": "yesterday", "closure-reason": "x"}, "closure-on_date", "Enter a date like"),
    ({"closure-on_date": "", "closure-reason": "x"}, "closure-on_date", "Enter a date like"),
    ({"closure-on_date": "PAST", "closure-reason": "x"}, "closure-on_date", "in the past"),
    ({"closure-on_date": "FUTURE", "closure-reason": "  "}, "closure-reason", "reason"),
    ({"closure-on_date": "DUPLICATE", "closure-reason": "again"}, "closure-on_date", "already closed"),
])
def test_a_bad_closure_is_refused_and_nothing_is_stored(app, admin, data, field, message):
    admin.set_cookie("lang", "en")
    taken = today() + dt.timedelta(days=10)
    assert add_closure(admin, "appointment", **{"closure-on_date": taken.isoformat(),
                                                 "closure-reason": "first"}).status_code == 302
    values = {"PAST": (today() - dt.timedelta(days=1)).isoformat(),
              "FUTURE": (today() + dt.timedelta(days=5)).isoformat(), "DUPLICATE": taken.isoformat()}
    data = {k: values.get(v, v) for k, v in data.items()}
    response = add_closure(admin, "appointment", **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error"><strong>Error:</strong>([^<]*)<', html).group(1)
    assert message in error
    assert closures(app) == [("appointment", taken.isoformat(), "first")]
    assert len(audit_events(app, "closure.add")) == 1


def test_a_service_closure_on_a_day_all_services_are_closed_is_refused(app, admin):
    day = (today() + dt.timedelta(days=7)).isoformat()
    assert add_closure(admin, "appointment", **{"closure-on_date": day, "closure-reason": "a",
                                                 "closure-scope": "all"}).status_code == 302
    assert add_closure(admin, "home-visit", **{"closure-on_date": day,
                                                "closure-reason": "b"}).status_code == 422
    assert add_closure(admin, "home-visit", **{"closure-on_date": day, "closure-reason": "b",
                                                "closure-scope": "all"}).status_code == 422
    assert len(closures(app)) == 1


def test_a_closure_of_another_service_cannot_be_removed_from_this_one(app, admin):
    day = (today() + dt.timedelta(days=7)).isoformat()
    add_closure(admin, "home-visit", **{"closure-on_date": day, "closure-reason": "a"})
    with app.app_context():
        closure_id = db.session.scalar(select(Closure.id))
    assert admin.get(f"/admin/services/appointment/closures/{closure_id}/remove").status_code == 404
    page = page_of(admin, "appointment")
    response = admin.post(f"/admin/services/appointment/closures/{closure_id}/remove",
                          data={"csrf_token": csrf_from(page)})
    assert response.status_code == 404
    assert len(closures(app)) == 1


def test_a_public_holiday_is_closed_and_shown_in_the_preview(app, admin):
    save(admin, "appointment", hours=WEEK_WITH_LUNCH, **appointment_settings())
    before = local(dt.date(2026, 9, 25), "08:00")
    assert slots(app, "appointment", dt.date(2026, 10, 1), before) == []
    assert len(slots(app, "appointment", dt.date(2026, 9, 30), before)) == 13
    html = admin.get("/admin/services/appointment?from=2026-09-25").get_data(as_text=True)
    assert "国庆节" in html  # the holiday's Chinese name, from the holidays library
    assert "2026年10月1日星期四" in html
    admin.set_cookie("lang", "en")
    html = admin.get("/admin/services/appointment?from=2026-09-25").get_data(as_text=True)
    assert "public holiday, National Day: closed." in html


def test_a_make_up_working_day_opens_with_mondays_hours(app, admin):
    makeup = min(d for d in holidays.China(years=2026).weekend_workdays if d.year == 2026)
    assert makeup.weekday() >= 5
    week = {0: [("08:00", "10:00")], **{day: WEEK_WITH_LUNCH[day] for day in range(1, 5)}}
    save(admin, "appointment", hours=week, **appointment_settings())
    the_day_before = local(makeup - dt.timedelta(days=1), "08:00")
    assert local_times(slots(app, "appointment", makeup, the_day_before)) == [
        "08:00", "08:30", "09:00", "09:30"]
    ordinary_weekend = makeup + dt.timedelta(days=7)
    assert ordinary_weekend not in holidays.China(years=2026).weekend_workdays
    assert slots(app, "appointment", ordinary_weekend, the_day_before) == []
    admin.set_cookie("lang", "en")
    html = admin.get(f"/admin/services/appointment?from={makeup.isoformat()}").get_data(as_text=True)
    assert "official make-up working day." in html
    assert "Open with Monday's hours: 08:00–10:00." in html


def test_the_preview_says_when_nothing_special_happens_and_refuses_a_bad_date(admin):
    admin.set_cookie("lang", "en")
    html = admin.get("/admin/services/appointment?from=2026-07-01").get_data(as_text=True)
    assert "No public holidays, make-up working days or closures" in html
    for bad, message in (("someday", f"{today().year}-12-31"),
                         ("9999-12-31", "Choose a date within three years of today.")):
        response = admin.get(f"/admin/services/appointment?from={bad}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert message in re.search(r'id="preview-from-error">(.*?)</p>', html).group(1)


def test_the_list_shows_every_service_and_whether_its_hours_are_set(app, admin, count_queries):
    admin.set_cookie("lang", "en")
    save(admin, "appointment", hours=WEEK_WITH_LUNCH, **appointment_settings())
    with count_queries() as statements:
        response = admin.get("/admin/services")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(statements) <= 3  # the user, the services with units and hours
    for code in ("hotline", "appointment", "home-visit", "sign-language", "open-on-completion",
                 "butler-help-desk"):
        assert f'href="/admin/services/{code}"' in html
    row = re.search(r'href="/admin/services/appointment".*?</tr>', html, re.DOTALL).group(0)
    assert "30 min" in row and "2 per slot" in row and "up to 60 days ahead" in row
    assert "<td data-label=\"Opening hours\">set</td>" in row
    other = re.search(r'href="/admin/services/home-visit".*?</tr>', html, re.DOTALL).group(0)
    assert "<td data-label=\"Opening hours\">not set</td>" in other
    assert 'href="/admin/services"' in html  # the nav link for admins


@pytest.mark.parametrize("role,unit", [("operator", None), ("staff", "gov-service-centre"),
                                       ("supervisor", None)])
def test_only_administrators_see_or_change_service_settings(app, client, seeded, make_user, role,
                                                           unit):
    make_user("admin", username="boss")
    name = make_user(role, unit=unit)
    login(client, name)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/admin/services"' not in home
    assert client.get("/admin/services").status_code == 403
    assert client.get("/admin/services/appointment").status_code == 403
    token = csrf_from(home)
    response = client.post("/admin/services/appointment",
                           data={"csrf_token": token, "unit": "gov-service-centre",
                                 **appointment_settings(), **hours_fields(WEEK_WITH_LUNCH)})
    assert response.status_code == 403
    response = client.post("/admin/services/appointment/closures",
                           data={"closure-csrf_token": token, "closure-scope": "all",
                                 "closure-on_date": (today() + dt.timedelta(days=3)).isoformat(),
                                 "closure-reason": "x"})
    assert response.status_code == 403
    assert stored_hours(app, "appointment") == [] and closures(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action.in_(["service.settings", "closure.add"]))) == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, seeded):
    for url in ("/admin/services", "/admin/services/appointment"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unknown_service_is_not_found(admin):
    assert admin.get("/admin/services/no-such-service").status_code == 404


def test_a_past_closure_is_kept_as_a_record(app, admin):
    admin.set_cookie("lang", "en")
    with app.app_context():
        svc = db.session.scalar(select(Service).where(Service.code == "appointment"))
        past = Closure(service_id=svc.id, on_date=today() - dt.timedelta(days=3), reason="storm")
        db.session.add(past)
        db.session.commit()
        closure_id = past.id
    page = page_of(admin, "appointment")
    assert "storm" not in page  # only upcoming closures are listed
    response = admin.post(f"/admin/services/appointment/closures/{closure_id}/remove",
                          data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert "kept as a record" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert [reason for _, _, reason in closures(app)] == ["storm"]
    assert audit_events(app, "closure.remove") == []


def test_the_settings_page_costs_the_same_statements_however_many_closures(app, admin,
                                                                          count_queries):
    save(admin, "appointment", hours=WEEK_WITH_LUNCH, **appointment_settings())
    with count_queries() as few:
        assert admin.get("/admin/services/appointment").status_code == 200
    for days in range(3, 13):
        add_closure(admin, "appointment", **{"closure-on_date": (today() + dt.timedelta(days=days)).isoformat(),
                                              "closure-reason": f"r{days}"})
    with count_queries() as many:
        html = admin.get("/admin/services/appointment").get_data(as_text=True)
    assert "r12" in html
    assert len(many) == len(few) <= 8
