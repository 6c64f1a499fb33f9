"""Residents book, look up, move and cancel an appointment on the web, with no account."""
from __future__ import annotations

import datetime as dt
import re
import time

import holidays
import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from service_desk.catalog.models import Channel, Slot, SpecialGroup
from service_desk.db import utcnow
from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.requests.appointments import appointment_book
from service_desk.requests.models import RequestEvent, RequestStatus, ServiceRequest
from service_desk.requests.residents import Resident

from .. import factories
from ..factories import PHONE, SHANGHAI, csrf_from, open_for_booking
from ..factories import service_by_code as _service

DETAILS = {"name": "王秀兰", "phone": "138 1234 5678", "address": "海埠路 1 号 2 单元 301 室",
           "group": "elderly", "needs": "需要轮椅"}


@pytest.fixture
def resident(app, client, seeded):
    open_for_booking(app)
    client.set_cookie("lang", "en")
    return client


def free_times(app, code: str = "home-visit", count: int = 3):
    """Free slots from tomorrow on (today's may close while the test runs)."""
    return factories.free_times(app, code, count)


def local_day(slot) -> str:
    return slot.start.astimezone(SHANGHAI).date().isoformat()


def token_of(client) -> str:
    return csrf_from(client.get("/my-booking").get_data(as_text=True))


def confirm(client, slot, code: str = "home-visit", **changes):
    data = {**DETAILS, **changes, "start": slot.start.isoformat(), "csrf_token": token_of(client)}
    return client.post(f"/book/{code}/confirm", data=data)


def stored(app) -> list[ServiceRequest]:
    with app.app_context():
        rows = db.session.scalars(select(ServiceRequest).order_by(ServiceRequest.id)).all()
        db.session.expunge_all()
        return rows


def booked_count(app, code: str, start: dt.datetime) -> int:
    with app.app_context():
        service = _service(code)
        return db.session.scalar(select(Slot.booked).where(Slot.service_id == service.id,
                                                           Slot.starts_at == start)) or 0


def book_directly(app, slot, code: str = "home-visit", phone: str = "13900000000") -> str:
    """Someone else (the hotline) takes a place."""
    with app.app_context():
        item = appointment_book(service=_service(code), start=slot.start, channel=Channel.PHONE,
                                resident=Resident(name="邻居", phone=phone, address="隔壁 5 号",
                                                  group=SpecialGroup.ELDERLY))
        db.session.commit()
        return item.reference


def lookup(client, reference: str, phone: str = PHONE):
    return client.post("/my-booking", data={"reference": reference, "phone": phone,
                                            "csrf_token": token_of(client)})


def manage_url(client, reference: str) -> str:
    response = lookup(client, reference)
    assert response.status_code == 302
    return response.headers["Location"]


def book_one(app, client, slot=None) -> tuple[str, str]:
    """(reference, done URL) of a home visit booked through the web."""
    slot = slot or free_times(app)[0]
    response = confirm(client, slot)
    assert response.status_code == 302, response.get_data(as_text=True)
    return stored(app)[-1].reference, response.headers["Location"]


def radio_values(html: str, name: str, *, enabled_only: bool = True) -> list[str]:
    values = []
    for tag in re.findall(rf'<input type="radio" name="{name}"[^>]*>', html):
        if enabled_only and "disabled" in tag:
            continue
        values.append(re.search(r'value="([^"]+)"', tag).group(1))
    return values


# ---------- booking, step by step ----------

def test_a_resident_books_a_home_visit_step_by_step(app, resident):
    page = resident.get("/book").get_data(as_text=True)
    assert 'href="/book/home-visit"' in page and "Home visit" in page
    assert "Staff come to your home" in page
    assert 'href="/book/hotline"' not in page  # dispatch services: call the hotline
    assert "call the convenience hotline" in page and "Convenience hotline" in page

    page = resident.get("/book/home-visit").get_data(as_text=True)
    days = radio_values(page, "day")
    assert days and "times free" in page
    wanted = free_times(app)[0]
    assert local_day(wanted) in days

    response = resident.get(f"/book/home-visit?day={local_day(wanted)}&go=1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/book/home-visit/{local_day(wanted)}")
    page = resident.get(response.headers["Location"]).get_data(as_text=True)
    assert wanted.start.isoformat() in radio_values(page, "start")
    assert 'action="/book/home-visit/details"' in page and 'method="get"' in page

    details_url = "/book/home-visit/details"
    page = resident.get(details_url, query_string={"start": wanted.start.isoformat()})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="address"' in html and 'value="elderly"' in html and 'value="disabled"' in html
    assert "sign language, a wheelchair" in html

    response = resident.post(details_url, query_string={"start": wanted.start.isoformat()},
                             data={**DETAILS, "csrf_token": csrf_from(html)})
    check = response.get_data(as_text=True)
    assert response.status_code == 200 and "Check your booking" in check
    for shown in ("王秀兰", "138 1234 5678", "海埠路 1 号 2 单元 301 室", "An older person", "需要轮椅"):
        assert shown in check
    assert f'name="start" value="{wanted.start.isoformat()}"' in check
    assert stored(app) == []  # nothing is booked before "Confirm booking"

    response = resident.post("/book/home-visit/confirm",
                             data={**DETAILS, "start": wanted.start.isoformat(),
                                   "csrf_token": csrf_from(check)})
    assert response.status_code == 302 and "/book/done/" in response.headers["Location"]
    (item,) = stored(app)
    assert item.channel is Channel.WEB and item.status is RequestStatus.BOOKED
    assert (item.resident_name, item.resident_phone, item.address) == (
        "王秀兰", PHONE, "海埠路 1 号 2 单元 301 室")
    assert item.special_group is SpecialGroup.ELDERLY and item.needs == "需要轮椅"
    assert item.starts_at == wanted.start and item.ends_at == wanted.end
    assert booked_count(app, "home-visit", wanted.start) == 1
    with app.app_context():
        events = db.session.scalars(select(RequestEvent).where(
            RequestEvent.request_id == item.id)).all()
        assert [(e.action, e.status_after, e.note) for e in events] == [
            ("booked", RequestStatus.BOOKED, "web")]
        sms = db.session.scalar(select(Notification).where(Notification.kind == "appointment-booked"))
        assert sms.recipient == f"sms:{PHONE}" and item.reference in sms.body

    done = resident.get(response.headers["Location"]).get_data(as_text=True)
    spaced = f"{item.reference[:4]} {item.reference[4:]}"
    # grouped for the eye, letter by letter for screen readers (visually hidden text)
    assert f'<span aria-hidden="true">{spaced}</span>' in done
    assert f'<span class="visually-hidden">{" ".join(item.reference)}</span>' in done
    assert "138****5678" in done and PHONE not in done
    assert "需要轮椅" in done and ".ics" in done and 'href="/my-booking"' in done


def test_a_hall_service_asks_no_address_and_no_group(app, resident):
    slot = free_times(app, "sign-language")[0]
    html = resident.get("/book/sign-language/details",
                        query_string={"start": slot.start.isoformat()}).get_data(as_text=True)
    assert 'name="address"' not in html and 'name="group"' not in html
    response = confirm(resident, slot, "sign-language", address="", group="")
    assert response.status_code == 302
    (item,) = stored(app)
    assert item.address is None and item.special_group is None


def test_the_session_cookie_holds_nothing_but_the_csrf_token(app, resident):
    book_one(app, resident)
    cookie = resident.get_cookie("session")
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    # the CSRF token, and Flask-Login's "_fresh" flag it sets on any session; no booking state
    assert set(data) <= {"csrf_token", "_fresh"}


@pytest.mark.parametrize("changes,field", [
    ({"phone": "12345"}, "phone"),
    ({"phone": "23812345678"}, "phone"),
    ({"name": "   "}, "name"),
    ({"address": ""}, "address"),
    ({"group": ""}, "group"),
    ({"group": "astronaut"}, "group"),
])
def test_bad_details_get_a_field_error_and_keep_what_was_typed(app, resident, changes, field):
    slot = free_times(app)[0]
    url = "/book/home-visit/details"
    page = resident.get(url, query_string={"start": slot.start.isoformat()}).get_data(as_text=True)
    response = resident.post(url, query_string={"start": slot.start.isoformat()},
                             data={**DETAILS, **changes, "csrf_token": csrf_from(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and "Error:" in html
    for name in ("name", "phone", "address"):
        value = {**DETAILS, **changes}[name]
        if value.strip():
            assert f'value="{value}"' in html  # nothing typed is lost
    assert "需要轮椅</textarea>" in html
    # the confirm step checks again: a tampered hidden field books nothing
    assert confirm(resident, slot, **changes).status_code == 422
    assert stored(app) == []


def test_changing_the_time_from_the_check_page_keeps_the_details(app, resident):
    first, second = free_times(app, count=2)[:2]
    token = token_of(resident)
    # "Change the day or time": the days page carries the details in hidden fields
    page = resident.post("/book/home-visit", data={**DETAILS, "csrf_token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="name" value="王秀兰"' in html
    assert 'method="post" action="/book/home-visit"' in html
    # choosing a day shows its times, still carrying them
    page = resident.post("/book/home-visit", data={**DETAILS, "csrf_token": token,
                                                    "day": local_day(second), "go": "1"})
    html = page.get_data(as_text=True)
    assert second.start.isoformat() in radio_values(html, "start")
    assert 'name="needs" value="需要轮椅"' in html
    # choosing a time goes straight back to the check page with the new time
    page = resident.post("/book/home-visit/details",
                         data={**DETAILS, "csrf_token": token, "start": second.start.isoformat()})
    html = page.get_data(as_text=True)
    assert "Check your booking" in html and f'value="{second.start.isoformat()}"' in html
    assert "王秀兰" in html and first.start.isoformat() not in html
    # "Change your details" shows the form filled in, with no errors
    page = resident.post("/book/home-visit/details", query_string={"start": second.start.isoformat()},
                         data={**DETAILS, "csrf_token": token, "edit": "1"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="王秀兰"' in html and "-error" not in html
    assert stored(app) == []


def test_a_day_or_a_time_must_be_chosen(app, resident):
    response = resident.get("/book/home-visit?go=1")
    assert response.status_code == 422 and 'id="day-error"' in response.get_data(as_text=True)
    day = local_day(free_times(app)[0])
    response = resident.get(f"/book/home-visit/details?day={day}")
    assert response.status_code == 422 and 'id="start-error"' in response.get_data(as_text=True)


def test_a_time_taken_meanwhile_offers_the_next_times_and_keeps_the_details(app, resident):
    wanted = free_times(app)[0]
    page = resident.get("/book/home-visit/details", query_string={"start": wanted.start.isoformat()})
    assert page.status_code == 200
    book_directly(app, wanted)  # the only place goes to a hotline caller meanwhile

    response = confirm(resident, wanted)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "that time was just taken" in html
    alternatives = radio_values(html, "start")
    assert alternatives and wanted.start.isoformat() not in alternatives
    assert 'name="name" value="王秀兰"' in html and 'name="address" value="海埠路 1 号 2 单元 301 室"' in html
    assert 'action="/book/home-visit/confirm"' in html
    assert len(stored(app)) == 1  # only the hotline caller's booking

    response = confirm(resident, type(wanted)(dt.datetime.fromisoformat(alternatives[0]), None, 1, 1))
    assert response.status_code == 302
    mine = stored(app)[-1]
    assert mine.resident_name == "王秀兰" and mine.starts_at.isoformat() == alternatives[0]
    assert booked_count(app, "home-visit", wanted.start) == 1


def test_the_details_page_refuses_a_full_time(app, resident):
    wanted = free_times(app)[0]
    book_directly(app, wanted)
    response = resident.get("/book/home-visit/details", query_string={"start": wanted.start.isoformat()})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "fully booked" in html
    full = [t for t in re.findall(r'<input type="radio" name="start"[^>]*>', html)
            if wanted.start.isoformat() in t]
    assert full and "disabled" in full[0] and "Full" in html


def test_a_time_that_is_not_offered_books_nothing(app, resident):
    slot = free_times(app)[0]
    night = slot.start.replace(hour=19, minute=0)  # 03:00 in Shanghai
    response = confirm(resident, type(slot)(night, None, 1, 1))
    assert response.status_code == 422
    assert "not one this service offers" in response.get_data(as_text=True)
    assert stored(app) == []


def test_dispatch_services_are_not_booked_here(app, resident):
    assert resident.get("/book/hotline").status_code == 404
    assert resident.get("/book/hotline/2030-01-02").status_code == 404
    response = resident.post("/book/hotline/confirm", data={**DETAILS, "csrf_token": token_of(resident)})
    assert response.status_code == 404
    assert stored(app) == []


def test_everyone_sees_the_way_to_book(resident):
    home = resident.get("/").get_data(as_text=True)
    assert 'id="book-service" href="/book"' in home and 'href="/my-booking"' in home


# ---------- holidays, elder mode, statement counts ----------

def test_public_holidays_are_never_offered(app, resident):
    html = resident.get("/book/home-visit").get_data(as_text=True)
    offered = [dt.date.fromisoformat(d) for d in radio_values(html, "day", enabled_only=False)]
    assert offered
    calendar = holidays.China(years={d.year for d in offered})
    assert not [d for d in offered if d in calendar]

    from service_desk.booking.queries import open_days

    # the window from 24 September 2026 holds Mid-Autumn (25 Sep) and National Day (1-7 Oct)
    before_the_holidays = dt.datetime(2026, 9, 24, 1, 0, tzinfo=dt.UTC)
    with app.test_request_context():
        days = [d.day for d in open_days(_service("home-visit"), now=before_the_holidays)]
    china = holidays.China(years=2026)
    assert dt.date(2026, 9, 24) in days and dt.date(2026, 9, 30) in days
    assert dt.date(2026, 9, 25) not in days and dt.date(2026, 10, 1) not in days
    assert not [d for d in days if d in china]


def test_elder_mode_shows_one_task_per_page(app, resident):
    resident.set_cookie("elder", "1")
    slot = free_times(app)[0]
    for url in ("/book/home-visit", f"/book/home-visit/{local_day(slot)}"):
        html = resident.get(url).get_data(as_text=True)
        assert '<body class="elder">' in html
        assert html.count("<form") == 1 and html.count("<fieldset") == 1
        assert 'class="field radios' in html and 'type="radio"' in html


def test_the_day_and_time_pages_cost_a_few_statements(app, resident, count_queries):
    slot = free_times(app)[0]
    for url in ("/book/home-visit", f"/book/home-visit/{local_day(slot)}"):
        with count_queries() as statements:
            assert resident.get(url).status_code == 200
        assert len(statements) <= 5, statements


# ---------- looking a booking up ----------

def _without_typed_values(html: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', html)


def test_unknown_reference_and_wrong_phone_answer_alike(app, resident):
    reference, _ = book_one(app, resident)
    unknown = lookup(resident, "ZZZZ2222")
    wrong_phone = lookup(resident, reference, "13900001111")
    assert unknown.status_code == wrong_phone.status_code == 404
    text = unknown.get_data(as_text=True)
    assert "We could not find a booking with this reference and mobile number" in text
    assert _without_typed_values(text) == _without_typed_values(wrong_phone.get_data(as_text=True))


def test_the_reference_may_be_typed_in_lower_case_with_spaces(app, resident):
    reference, _ = book_one(app, resident)
    typed = f" {reference[:4].lower()} {reference[4:]} "
    response = lookup(resident, typed, "+86 138-1234-5678")
    assert response.status_code == 302 and "/my-booking/" in response.headers["Location"]


def test_a_malformed_lookup_gets_field_errors(resident):
    response = lookup(resident, "", "12")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="reference-error"' in html and 'id="phone-error"' in html


def test_lookups_are_rate_limited(app, resident):
    app.config["LOOKUP_RATE_LIMIT"] = "3 per minute"
    try:
        token = token_of(resident)
        codes = [resident.post("/my-booking", data={"reference": "ZZZZ2222", "phone": PHONE,
                                                    "csrf_token": token}).status_code
                 for _ in range(4)]
        assert resident.get("/my-booking").status_code == 200  # only lookups count
    finally:
        app.config["LOOKUP_RATE_LIMIT"] = "1000 per minute"
    assert codes == [404, 404, 404, 429]


def test_a_problem_report_is_not_found_as_a_booking(app, resident):
    with app.app_context():
        db.session.add(ServiceRequest(reference="RPRT2345", service_id=_service("hotline").id,
                                      channel=Channel.PHONE, status=RequestStatus.DISPATCHED,
                                      resident_name="张三", resident_phone=PHONE))
        db.session.commit()
    assert lookup(resident, "RPRT2345").status_code == 404


# ---------- my booking: view, move, cancel ----------

def test_the_booking_is_shown_with_a_masked_phone_and_its_actions(app, resident):
    reference, _ = book_one(app, resident)
    html = resident.get(manage_url(resident, reference)).get_data(as_text=True)
    assert reference[:4] + " " + reference[4:] in html and "Booked" in html
    assert "138****5678" in html and PHONE not in html
    assert 'id="reschedule"' in html and 'id="cancel"' in html


def test_moving_a_booking_frees_the_old_place_and_takes_the_new(app, resident):
    old, new = free_times(app, count=2)[:2]
    reference, _ = book_one(app, resident, old)
    url = manage_url(resident, reference)

    days = resident.get(url + "/reschedule").get_data(as_text=True)
    assert local_day(new) in radio_values(days, "day") and "Your booking now" in days
    response = resident.get(url + f"/reschedule?day={local_day(new)}&go=1")
    assert response.headers["Location"].endswith(f"/reschedule/{local_day(new)}")
    times = resident.get(response.headers["Location"]).get_data(as_text=True)
    assert new.start.isoformat() in radio_values(times, "start")
    if local_day(old) == local_day(new):  # the current time is shown, not offered
        assert old.start.isoformat() not in radio_values(times, "start")
        assert "Your booking" in times

    response = resident.post(url + "/reschedule", data={"start": new.start.isoformat(),
                                                        "csrf_token": csrf_from(times)})
    assert response.status_code == 302 and response.headers["Location"].endswith("done=rescheduled")
    assert booked_count(app, "home-visit", old.start) == 0
    assert booked_count(app, "home-visit", new.start) == 1
    (item,) = stored(app)
    assert item.starts_at == new.start and item.status is RequestStatus.BOOKED
    with app.app_context():
        actions = db.session.scalars(select(RequestEvent.action).where(
            RequestEvent.request_id == item.id).order_by(RequestEvent.id)).all()
        assert actions == ["booked", "rescheduled"]
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "appointment-rescheduled",
            Notification.recipient == f"sms:{PHONE}")) == 1
    page = resident.get(response.headers["Location"]).get_data(as_text=True)
    assert "moved to the new time" in page


def test_moving_to_a_time_taken_meanwhile_keeps_the_old_one(app, resident):
    old, new = free_times(app, count=2)[:2]
    reference, _ = book_one(app, resident, old)
    url = manage_url(resident, reference)
    book_directly(app, new)
    response = resident.post(url + "/reschedule", data={"start": new.start.isoformat(),
                                                        "csrf_token": token_of(resident)})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "just taken" in html
    assert radio_values(html, "start") and f'action="{url}/reschedule"' in html
    assert old.start.isoformat() not in radio_values(html, "start")
    mine = next(r for r in stored(app) if r.reference == reference)
    assert mine.starts_at == old.start and booked_count(app, "home-visit", old.start) == 1


def test_cancelling_asks_first_then_frees_the_place_once(app, resident):
    slot = free_times(app)[0]
    reference, _ = book_one(app, resident, slot)
    url = manage_url(resident, reference)

    page = resident.get(url + "/cancel")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Are you sure" in html and 'method="post"' in html
    assert stored(app)[0].status is RequestStatus.BOOKED  # asking changes nothing

    response = resident.post(url + "/cancel", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302 and response.headers["Location"].endswith("done=cancelled")
    (item,) = stored(app)
    assert item.status is RequestStatus.CANCELLED
    assert booked_count(app, "home-visit", slot.start) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RequestEvent).where(
            RequestEvent.request_id == item.id, RequestEvent.action == "cancelled")) == 1
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "appointment-cancelled")) == 1

    page = resident.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cancelled" in page and 'id="reschedule"' not in page and 'id="cancel"' not in page

    again = resident.post(url + "/cancel", data={"csrf_token": csrf_from(html)})
    assert again.status_code == 409 and "already cancelled" in again.get_data(as_text=True)
    assert resident.get(url + "/reschedule").status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RequestEvent).where(
            RequestEvent.request_id == item.id)) == 2


def test_a_booking_changed_meanwhile_is_shown_as_it_is_now(app, resident, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    from service_desk.booking import manage

    reference, _ = book_one(app, resident)
    url = manage_url(resident, reference)

    def raced(**kwargs):
        raise StaleDataError("the booking's version moved on")

    monkeypatch.setattr(manage, "appointment_cancel", raced)
    response = resident.post(url + "/cancel", data={"csrf_token": token_of(resident)})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "changed at the same time" in html
    assert 'id="state"' in html and stored(app)[0].status is RequestStatus.BOOKED


def test_a_past_booking_shows_its_state_and_no_actions(app, resident):
    reference, _ = book_one(app, resident)
    url = manage_url(resident, reference)
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference))
        item.starts_at = utcnow() - dt.timedelta(days=1)
        item.status = RequestStatus.COMPLETED
        db.session.commit()
    html = resident.get(url).get_data(as_text=True)
    assert "Finished" in html and 'id="cancel"' not in html
    assert resident.post(url + "/cancel", data={"csrf_token": token_of(resident)}).status_code == 409
    assert stored(app)[0].status is RequestStatus.COMPLETED


# ---------- signed links and the calendar file ----------

def _aged(monkeypatch, seconds: int):
    """Make itsdangerous stamp tokens as if made ``seconds`` ago."""
    import itsdangerous.timed

    class Past:
        @staticmethod
        def time() -> float:
            return time.time() - seconds

    monkeypatch.setattr(itsdangerous.timed, "time", Past)


def test_tampered_and_expired_links_open_nothing(app, resident, monkeypatch):
    from service_desk.base.links import done_token, manage_token

    reference, done_url = book_one(app, resident)
    token = done_url.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for url in (f"/book/done/{tampered}", f"/book/done/{tampered}.ics", "/my-booking/nonsense"):
        response = resident.get(url)
        assert response.status_code == 404
        assert "This link does not work" in response.get_data(as_text=True)
        assert reference not in response.get_data(as_text=True)

    with app.test_request_context():
        _aged(monkeypatch, 3 * 24 * 3600)
        old_done = done_token(reference)
        _aged(monkeypatch, 2 * 3600)
        old_manage = manage_token(reference, PHONE)
        monkeypatch.undo()
        other_phone = manage_token(reference, "13900001111")
        done_only = done_token(reference)
    for url in (f"/book/done/{old_done}", f"/my-booking/{old_manage}"):
        response = resident.get(url)
        assert response.status_code == 404 and "This page has expired" in response.get_data(as_text=True)
    # a manage link made for another phone, or a done link used to manage, opens nothing
    assert resident.get(f"/my-booking/{other_phone}").status_code == 404
    assert resident.get(f"/my-booking/{done_only}").status_code == 404
    assert resident.post(f"/my-booking/{done_only}/cancel",
                         data={"csrf_token": token_of(resident)}).status_code == 404
    assert stored(app)[0].status is RequestStatus.BOOKED


def test_the_calendar_file_has_the_booking(app, resident):
    slot = free_times(app)[0]
    reference, done_url = book_one(app, resident, slot)
    response = resident.get(done_url + ".ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["UID"]) == f"{reference}@service-desk"
    assert event.decoded("DTSTART") == slot.start and event.decoded("DTEND") == slot.end
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert str(event["SUMMARY"]) == "Home visit"
    assert str(event["LOCATION"]) == DETAILS["address"]
    assert f"{reference[:4]} {reference[4:]}" in str(event["DESCRIPTION"])


def test_the_calendar_file_of_a_hall_service_names_the_hall(app, resident):
    slot = free_times(app, "sign-language")[0]
    response = confirm(resident, slot, "sign-language", address="", group="")
    ics = resident.get(response.headers["Location"] + ".ics")
    (event,) = Calendar.from_ical(ics.data).walk("VEVENT")
    assert "service hall" in str(event["LOCATION"])


def test_the_residents_access_rules():
    from types import SimpleNamespace

    from service_desk.permissions import resident_may_open_booking
    from service_desk.requests.appointments import resident_may_change

    assert resident_may_open_booking(booking_phone=PHONE, proven=lambda p: p == PHONE)
    assert not resident_may_open_booking(booking_phone=PHONE, proven=lambda p: p == "13900001111")
    assert not resident_may_open_booking(booking_phone="", proven=lambda p: True)
    now = utcnow()
    ahead, past = now + dt.timedelta(hours=3), now - dt.timedelta(hours=3)
    booking = SimpleNamespace
    assert resident_may_change(booking(status=RequestStatus.BOOKED, starts_at=ahead), now=now)
    assert not resident_may_change(booking(status=RequestStatus.BOOKED, starts_at=past), now=now)
    for status in (RequestStatus.CANCELLED, RequestStatus.ARRIVED, RequestStatus.COMPLETED):
        assert not resident_may_change(booking(status=status, starts_at=ahead), now=now)
