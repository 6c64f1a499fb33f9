"""Closing a day that has bookings: the administrator sees them first, then each is moved to
the next free time or cancelled with the reason, in one go, and each resident gets a text."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from service_desk.catalog.models import Channel, Closure, SpecialGroup
from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.requests.appointments import appointment_book
from service_desk.requests.models import RequestStatus
from service_desk.requests.residents import Resident

from ..factories import (
    SHANGHAI,
    audits,
    csrf_from,
    events_of,
    free_times,
    open_every_day,
    service_by_code,
    state,
    stored_request,
)

PHONES = ("13812345678", "13900001111")


@pytest.fixture
def day_with_two(app, seeded):
    """Two bookings at the first two times of a day (one place a slot); returns the day,
    the references and the free times after that day."""
    open_every_day(app, "appointment", capacity=1, ahead=30)
    times = free_times(app, "appointment", count=200, days=30)
    day = times[0].start.astimezone(SHANGHAI).date() + dt.timedelta(days=2)
    on_day = [s for s in times if s.start.astimezone(SHANGHAI).date() == day]
    after = [s.start for s in times if s.start.astimezone(SHANGHAI).date() > day]
    refs = []
    with app.app_context():
        svc = service_by_code("appointment")
        for slot, phone in zip(on_day[:2], PHONES, strict=True):
            item = appointment_book(service=svc, start=slot.start, channel=Channel.PHONE,
                                    resident=Resident(name="王芳", phone=phone,
                                                      group=SpecialGroup.ELDERLY))
            refs.append(item.reference)
        db.session.commit()
        db.session.remove()
    return day, refs, after


def close(client, day, **extra):
    page = client.get("/schedule/closures/appointment").get_data(as_text=True)
    token = re.search(r'name="closure-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/schedule/closures/appointment", data={
        "closure-csrf_token": token, "closure-on_date": day.isoformat(),
        "closure-reason": "停电检修", "closure-scope": "service", **extra})


def texts(app, kind):
    with app.app_context():
        return [(n.recipient, n.body) for n in db.session.scalars(
            select(Notification).where(Notification.kind == kind).order_by(Notification.id))]


def closed_days(app):
    with app.app_context():
        return list(db.session.scalars(select(Closure.on_date)))


def test_the_bookings_are_shown_first_and_nothing_is_closed_by_looking(app, people, day_with_two):
    day, refs, _ = day_with_two
    response = close(people["root"], day)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for ref in refs:
        assert ref in html
    assert "138****5678" in html and "139****1111" in html and "13812345678" not in html
    assert closed_days(app) == []
    assert all(state(app, r)["status"] is RequestStatus.BOOKED for r in refs)


def test_moving_both_puts_them_at_the_next_free_times_with_a_text(app, people, day_with_two):
    day, refs, after = day_with_two
    response = close(people["root"], day, confirm="1", every="move")
    assert response.status_code == 302
    assert closed_days(app) == [day]
    for ref, expected in zip(refs, after[:2], strict=True):
        item = stored_request(app, ref)
        assert item.status is RequestStatus.BOOKED and item.starts_at == expected
        assert [e.action for e in events_of(app, ref)] == ["booked", "rescheduled"]
    assert [a.object_id for a in audits(app, "appointment.reschedule")] == refs
    (summary,) = audits(app, "closure.bookings")
    assert summary.after["moved"] == refs
    sent = texts(app, "appointment-moved-by-us")
    assert [phone for phone, _ in sent] == [f"sms:{p}" for p in PHONES]
    for (_, body), ref in zip(sent, refs, strict=True):
        assert ref in body and "停电检修" in body
    assert texts(app, "appointment-rescheduled") == []  # the fuller text replaces it


def test_cancelling_gives_the_reason_in_the_history_and_the_text(app, people, day_with_two):
    day, refs, _ = day_with_two
    response = close(people["root"], day, confirm="1",
                     **{f"decision-{refs[0]}": "cancel", f"decision-{refs[1]}": "move"})
    assert response.status_code == 302
    assert state(app, refs[0])["status"] is RequestStatus.CANCELLED
    assert state(app, refs[0])["events"][-1] == ("cancelled", RequestStatus.CANCELLED, "停电检修")
    assert state(app, refs[1])["status"] is RequestStatus.BOOKED
    ((phone, body),) = texts(app, "appointment-cancelled-by-us")
    assert phone == f"sms:{PHONES[0]}" and refs[0] in body and "停电检修" in body
    assert len(texts(app, "appointment-moved-by-us")) == 1


def test_a_booking_without_a_decision_closes_nothing(app, people, day_with_two):
    day, refs, _ = day_with_two
    client = people["root"]
    client.set_cookie("lang", "en")
    response = close(client, day, confirm="1", **{f"decision-{refs[0]}": "move"})
    assert response.status_code == 409
    assert "nothing was saved" in response.get_data(as_text=True)
    assert closed_days(app) == []
    assert all(state(app, r)["status"] is RequestStatus.BOOKED for r in refs)


def test_no_free_time_refuses_the_move_and_cancelling_works(app, people, day_with_two):
    day, refs, _ = day_with_two
    with app.app_context():  # the closed day is the last one residents may book
        svc = service_by_code("appointment")
        svc.book_ahead_days = (day - dt.datetime.now(SHANGHAI).date()).days
        db.session.commit()
    client = people["root"]
    client.set_cookie("lang", "en")
    response = close(client, day, confirm="1", every="move")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"There is no free time to move {refs[0]} to: cancel it instead." in html
    assert closed_days(app) == [] and texts(app, "appointment-moved-by-us") == []
    response = close(client, day, confirm="1", every="cancel")
    assert response.status_code == 302
    assert closed_days(app) == [day]
    assert all(state(app, r)["status"] is RequestStatus.CANCELLED for r in refs)
    assert len(texts(app, "appointment-cancelled-by-us")) == 2


def test_the_catalogue_refuses_to_close_a_booked_day_on_its_own(app, people, day_with_two):
    day, _, _ = day_with_two
    client = people["root"]
    page = client.get("/admin/services/appointment").get_data(as_text=True)
    token = re.search(r'name="closure-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert 'action="/schedule/closures/appointment"' in page
    response = client.post("/admin/services/appointment/closures", data={
        "closure-csrf_token": token, "closure-on_date": day.isoformat(),
        "closure-reason": "x", "closure-scope": "service"})
    assert response.status_code == 422 and closed_days(app) == []


def test_staff_see_the_closure_on_their_day(app, people, day_with_two):
    day, _, _ = day_with_two
    close(people["root"], day, confirm="1", every="move")
    html = people["centre"].get(f"/schedule?day={day.isoformat()}").get_data(as_text=True)
    assert "停电检修" in html and 'class="notice closure-banner"' in html
    week = people["centre"].get(f"/schedule/week?start={day.isoformat()}").get_data(as_text=True)
    assert "停电检修" in week
    assert csrf_from(html)


def test_bad_input_closes_nothing_and_says_why(app, people, day_with_two):
    day, refs, _ = day_with_two
    client = people["root"]
    client.set_cookie("lang", "en")
    response = close(client, day, **{"closure-reason": "  ", "closure-on_date": "next monday"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give the reason for the closure." in html and refs[0] not in html
    past = close(client, dt.date(2020, 1, 6), confirm="1", every="move")
    assert past.status_code == 422 and "The date is in the past" in past.get_data(as_text=True)
    assert closed_days(app) == []


def test_closing_every_service_handles_the_bookings_of_each(app, people, day_with_two):
    day, refs, _ = day_with_two
    open_every_day(app, "sign-language", capacity=1, ahead=30)
    (slot,) = [s for s in free_times(app, "sign-language", count=200, days=30)
               if s.start.astimezone(SHANGHAI).date() == day][:1]
    with app.app_context():
        other = appointment_book(service=service_by_code("sign-language"), start=slot.start,
                                 channel=Channel.PHONE,
                                 resident=Resident(name="张伟", phone="13700002222",
                                                   group=SpecialGroup.DISABLED))
        db.session.commit()
        other_ref = other.reference
    review = close(people["root"], day, **{"closure-scope": "all"}).get_data(as_text=True)
    assert all(ref in review for ref in [*refs, other_ref])
    response = close(people["root"], day, confirm="1", every="cancel",
                     **{"closure-scope": "all"})
    assert response.status_code == 302
    assert all(state(app, r)["status"] is RequestStatus.CANCELLED for r in [*refs, other_ref])
    with app.app_context():
        assert db.session.scalar(select(Closure.service_id)) is None
