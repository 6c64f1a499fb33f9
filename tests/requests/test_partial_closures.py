"""Closing part of a day (13:30–16:00) and a range of days: slots overlapping the closed time
are offered on no channel, the bookings overlapping it (and only those) are reviewed first,
then moved to the next free time outside it or cancelled, all or nothing."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from service_desk.base.calendar import today
from service_desk.catalog.models import Channel, Closure, SpecialGroup
from service_desk.catalog.services import ClosureError, closure_add
from service_desk.db import utcnow
from service_desk.extensions import db
from service_desk.requests.appointments import appointment_book
from service_desk.requests.availability import free_slots
from service_desk.requests.models import RequestStatus
from service_desk.requests.residents import Resident

from ..factories import (
    SHANGHAI,
    audits,
    free_times,
    local_at,
    open_every_day,
    service_by_code,
    state,
    stored_request,
)


@pytest.fixture
def day(app, seeded):
    """A bookable day a few days ahead (09:00–12:00 and 13:30–17:00, one place a slot)."""
    open_every_day(app, "appointment", capacity=1, ahead=30)
    times = free_times(app, "appointment", count=200, days=30)
    return times[0].start.astimezone(SHANGHAI).date() + dt.timedelta(days=2)


def book_at(app, start: dt.datetime, phone: str) -> str:
    with app.app_context():
        item = appointment_book(service=service_by_code("appointment"), start=start,
                                channel=Channel.PHONE,
                                resident=Resident(name="王芳", phone=phone,
                                                  group=SpecialGroup.ELDERLY))
        db.session.commit()
        return item.reference


def local_times(app, on: dt.date) -> list[str]:
    with app.app_context():
        found = free_slots(service_by_code("appointment"), first=on, last=on, now=utcnow())
        return [s.start.astimezone(SHANGHAI).strftime("%H:%M") for s in found]


def close_part(app, on: dt.date, starts: str, ends: str, last: dt.date | None = None) -> None:
    with app.app_context():
        closure_add(service=service_by_code("appointment"), actor=None, on_date=on,
                    last_date=last, starts=dt.time.fromisoformat(starts),
                    ends=dt.time.fromisoformat(ends), reason="停电检修", today=today())
        db.session.commit()


def token_of(html: str) -> str:
    return re.search(r'name="closure-csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def review(client, on: dt.date, **extra):
    """The schedule's closure page: the review first, or the closure when confirmed."""
    page = client.get("/schedule/closures/appointment").get_data(as_text=True)
    return client.post("/schedule/closures/appointment", data={
        "closure-csrf_token": token_of(page), "closure-on_date": on.isoformat(),
        "closure-reason": "停电检修", "closure-scope": "service", **extra})


def catalogue(client, on: dt.date, **extra):
    page = client.get("/admin/services/appointment").get_data(as_text=True)
    return client.post("/admin/services/appointment/closures", data={
        "closure-csrf_token": token_of(page), "closure-on_date": on.isoformat(),
        "closure-reason": "停电检修", "closure-scope": "service", **extra})


def stored(app) -> list[tuple[dt.date, dt.time | None, dt.time | None]]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(
            select(Closure.on_date, Closure.starts, Closure.ends).order_by(Closure.on_date))]


# --- part of a day ---------------------------------------------------------------------

def test_the_closed_part_is_not_offered_and_the_rest_of_the_day_is(app, day):
    before = local_times(app, day)
    assert {"13:30", "14:00", "15:30", "16:00"} <= set(before)
    close_part(app, day, "13:30", "16:00")
    after = local_times(app, day)
    assert after == [t for t in before if not "13:30" <= t < "16:00"]
    assert "09:00" in after and "16:00" in after and "16:30" in after


def test_a_slot_partly_inside_the_closed_part_is_closed_too(app, day):
    close_part(app, day, "14:10", "14:40")  # overlaps the 14:00 and the 14:30 slots
    times = local_times(app, day)
    assert "14:00" not in times and "14:30" not in times
    assert "13:30" in times and "15:00" in times


def test_the_api_offers_no_closed_slot_and_refuses_to_book_one(app, client, day):
    close_part(app, day, "13:30", "16:00")
    slots = client.get(f"/api/v1/services/appointment/slots?from={day}&to={day}").get_json()
    starts = {dt.datetime.fromisoformat(s["start"]) for s in slots}
    assert local_at(day, 14) not in starts and local_at(day, 16) in starts
    response = client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": local_at(day, 14).isoformat(), "name": "李阿姨",
        "phone": "13812345678", "group": "elderly"})
    assert response.status_code == 422
    assert "start" in response.get_json()["error"]["fields"]


def test_the_web_refuses_a_time_in_the_closed_part(app, client, day):
    close_part(app, day, "13:30", "16:00")
    client.set_cookie("lang", "en")
    start = local_at(day, 14).isoformat()
    response = client.get("/book/appointment/details", query_string={"start": start})
    assert response.status_code in (409, 422)
    open_ = client.get("/book/appointment/details",
                       query_string={"start": local_at(day, 16).isoformat()})
    assert open_.status_code == 200


def test_the_review_lists_only_the_bookings_in_the_closed_part(app, people, day):
    morning = book_at(app, local_at(day, 9), "13812345678")
    afternoon = book_at(app, local_at(day, 14), "13900001111")
    response = review(people["root"], day, **{"closure-starts": "13:30", "closure-ends": "16:00"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert afternoon in html and morning not in html
    assert "13:30" in html and "16:00" in html
    assert stored(app) == []  # looking closes nothing


def test_a_move_goes_to_the_next_free_time_after_the_closed_part(app, people, day):
    morning = book_at(app, local_at(day, 9), "13812345678")
    afternoon = book_at(app, local_at(day, 14), "13900001111")
    response = review(people["root"], day, confirm="1", every="move",
                      **{"closure-starts": "13:30", "closure-ends": "16:00"})
    assert response.status_code == 302
    assert stored(app) == [(day, dt.time(13, 30), dt.time(16))]
    moved = stored_request(app, afternoon)
    assert moved.status is RequestStatus.BOOKED and moved.starts_at == local_at(day, 16)
    assert stored_request(app, morning).starts_at == local_at(day, 9)  # untouched
    assert [e[0] for e in state(app, morning)["events"]] == ["booked"]
    (summary,) = audits(app, "closure.bookings")
    assert summary.after["moved"] == [afternoon]
    (added,) = audits(app, "closure.add")
    assert added.after["from"] == "13:30" and added.after["until"] == "16:00"


def test_the_catalogue_refuses_a_part_with_bookings_but_closes_a_free_part(app, people, day):
    book_at(app, local_at(day, 14), "13900001111")
    client = people["root"]
    client.set_cookie("lang", "en")
    refused = catalogue(client, day, **{"closure-starts": "13:30", "closure-ends": "15:00"})
    assert refused.status_code == 422
    assert "1 appointments are booked in the times to close" in refused.get_data(as_text=True)
    assert stored(app) == []
    free = catalogue(client, day, **{"closure-starts": "15:00", "closure-ends": "17:00"})
    assert free.status_code == 302
    assert stored(app) == [(day, dt.time(15), dt.time(17))]


@pytest.mark.parametrize("data,field,words", [
    ({"closure-starts": "16:00", "closure-ends": "13:30"}, "closure-ends", "later than the start"),
    ({"closure-starts": "13:30", "closure-ends": "13:30"}, "closure-ends", "later than the start"),
    ({"closure-starts": "13:30", "closure-ends": ""}, "closure-ends", "ends too"),
    ({"closure-starts": "", "closure-ends": "16:00"}, "closure-starts", "starts too"),
    ({"closure-starts": "25:00", "closure-ends": "26:00"}, "closure-starts", "24-hour clock"),
    ({"closure-starts": "13:30", "closure-ends": "24:00"}, "closure-ends", "24-hour clock"),
    ({"closure-starts": "13:30\x00", "closure-ends": "16:00"}, None, None),
])
def test_bad_times_get_a_field_error_and_close_nothing(app, people, day, data, field, words):
    client = people["root"]
    client.set_cookie("lang", "en")
    for post in (catalogue, review):
        response = post(client, day, **data)
        assert 400 <= response.status_code < 500
        if field is not None:
            html = response.get_data(as_text=True)
            error = re.search(rf'id="{field}-error"><strong>Error:</strong>([^<]*)<', html)
            assert error and words in error.group(1), html[:4000]
    assert stored(app) == []


def test_an_overlapping_part_is_refused_and_another_part_of_the_day_is_not(app, day):
    close_part(app, day, "13:30", "15:00")
    with pytest.raises(ClosureError) as refused:
        close_part(app, day, "14:30", "16:00")
    assert refused.value.field == "on_date"
    with pytest.raises(ClosureError), app.app_context():  # the whole day overlaps the part
        closure_add(service=service_by_code("appointment"), actor=None, on_date=day,
                    reason="x", today=today())
    close_part(app, day, "15:00", "16:00")  # touching is not overlapping
    assert [(s, e) for _, s, e in stored(app)] == [(dt.time(13, 30), dt.time(15)),
                                                   (dt.time(15), dt.time(16))]


def test_staff_see_the_closed_part_on_their_day_and_week(app, people, day):
    close_part(app, day, "13:30", "16:00")
    people["centre"].set_cookie("lang", "en")
    html = people["centre"].get(f"/schedule?day={day.isoformat()}").get_data(as_text=True)
    assert "Partly closed on this day." in html and "13:30 to 16:00" in html
    week = people["centre"].get(f"/schedule/week?start={day.isoformat()}")
    assert "13:30 to 16:00" in week.get_data(as_text=True)


def test_the_settings_page_lists_the_part_and_the_preview_keeps_the_hours(app, people, day):
    close_part(app, day, "13:30", "16:00")
    people["root"].set_cookie("lang", "en")
    html = people["root"].get("/admin/services/appointment").get_data(as_text=True)
    assert "from 13:30 to 16:00" in html
    assert "Closed 13:30–16:00: 停电检修." in html and "Open otherwise: 09:00–12:00" in html


# --- a range of days -------------------------------------------------------------------

def test_a_range_closes_every_day_of_it_in_one_form(app, people, day):
    client = people["root"]
    response = catalogue(client, day, **{"closure-last_date": (day + dt.timedelta(days=2)).isoformat()})
    assert response.status_code == 302
    assert [d for d, _, _ in stored(app)] == [day + dt.timedelta(days=n) for n in range(3)]
    assert len(audits(app, "closure.add")) == 3
    assert local_times(app, day + dt.timedelta(days=1)) == []


def test_a_range_of_parts_closes_the_same_hours_of_each_day(app, day):
    close_part(app, day, "13:30", "17:00", last=day + dt.timedelta(days=1))
    for on in (day, day + dt.timedelta(days=1)):
        assert local_times(app, on) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


@pytest.mark.parametrize("last,words", [
    (lambda d: d - dt.timedelta(days=1), "first day or later"),
    (lambda d: d + dt.timedelta(days=366), "at most 366 days"),
    (lambda d: "soon", "Enter a date like"),
])
def test_a_bad_range_gets_a_field_error(app, people, day, last, words):
    client = people["root"]
    client.set_cookie("lang", "en")
    value = last(day)
    response = catalogue(client, day, **{"closure-last_date": str(value)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'id="closure-last_date-error"><strong>Error:</strong>([^<]*)<', html)
    assert error and words in error.group(1)
    assert stored(app) == []


def test_a_year_is_the_longest_range(app, day):
    with app.app_context():
        closures, _ = closure_add(service=service_by_code("appointment"), actor=None,
                                  on_date=day, last_date=day + dt.timedelta(days=365),
                                  reason="x", today=today())
        assert len(closures) == 366
        db.session.rollback()


def test_a_range_with_bookings_reviews_all_days_then_handles_them_at_once(app, people, day):
    second = day + dt.timedelta(days=1)
    first_ref = book_at(app, local_at(day, 9), "13812345678")
    second_ref = book_at(app, local_at(second, 14), "13900001111")
    outside = book_at(app, local_at(second + dt.timedelta(days=1), 9), "13700002222")
    client = people["root"]
    client.set_cookie("lang", "en")
    refused = catalogue(client, day, **{"closure-last_date": second.isoformat()})
    assert refused.status_code == 422 and stored(app) == []
    looked = review(client, day, **{"closure-last_date": second.isoformat()})
    html = looked.get_data(as_text=True)
    assert looked.status_code == 200 and first_ref in html and second_ref in html
    assert outside not in html and stored(app) == []
    done = review(client, day, confirm="1", every="move",
                  **{"closure-last_date": second.isoformat()})
    assert done.status_code == 302
    assert [d for d, _, _ in stored(app)] == [day, second]
    for ref in (first_ref, second_ref):
        moved = stored_request(app, ref)
        assert moved.status is RequestStatus.BOOKED
        assert moved.starts_at.astimezone(SHANGHAI).date() > second  # after the whole range
    assert stored_request(app, outside).starts_at == local_at(second + dt.timedelta(days=1), 9)


def test_a_range_that_cannot_move_everything_closes_nothing(app, people, day):
    second = day + dt.timedelta(days=1)
    ref = book_at(app, local_at(second, 9), "13812345678")
    with app.app_context():  # the range ends on the last day residents may book
        service_by_code("appointment").book_ahead_days = (second - today()).days
        db.session.commit()
    client = people["root"]
    client.set_cookie("lang", "en")
    response = review(client, day, confirm="1", every="move",
                      **{"closure-last_date": second.isoformat()})
    assert response.status_code == 422
    assert f"There is no free time to move {ref} to" in response.get_data(as_text=True)
    assert stored(app) == [] and state(app, ref)["status"] is RequestStatus.BOOKED
