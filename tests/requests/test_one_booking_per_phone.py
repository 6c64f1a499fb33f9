"""One phone, at most ``max_active_per_phone_per_day`` active bookings of a service a day
(one by default), and a confirm token that never books twice."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from service_desk.catalog.models import Channel, OpeningHours, Service, Slot
from service_desk.extensions import db
from service_desk.requests.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from service_desk.requests.errors import DuplicateBooking, RequestError
from service_desk.requests.models import ServiceRequest
from service_desk.requests.residents import resident_check

from ..factories import local_at

NOW = dt.datetime(2026, 9, 28, 0, 0, tzinfo=dt.UTC)  # a Monday, 08:00 in Shanghai
PHONE = "13812345678"


def open_service(code: str = "appointment", *, capacity: int = 2) -> Service:
    service = db.session.scalar(select(Service).where(Service.code == code))
    service.capacity, service.duration_minutes = capacity, 30
    service.book_ahead_days, service.min_notice_minutes = 30, 0
    db.session.add_all(OpeningHours(service_id=service.id, weekday=weekday, opens=dt.time(9),
                                    closes=dt.time(17)) for weekday in range(5))
    db.session.commit()
    return service


def at(day: str, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return local_at(dt.date.fromisoformat(day), h, m)


def book(service: Service, start: dt.datetime, phone: str = PHONE, **kw) -> ServiceRequest:
    who = resident_check(name="张大爷", phone=phone, group="elderly")
    return appointment_book(service=service, start=start, resident=who, channel=Channel.WEB,
                            now=NOW, **kw)


def test_a_second_booking_that_day_is_refused_with_the_first_and_nothing_is_taken(ctx, seeded):
    service = open_service()
    first = book(service, at("2026-09-29", "10:00"))
    db.session.commit()
    with pytest.raises(DuplicateBooking) as refused:
        book(service, at("2026-09-29", "15:00"))
    db.session.rollback()
    assert refused.value.reference == first.reference and refused.value.field is None
    # the message goes to public channels: it never names the reference (the hotline adds it)
    assert first.reference not in str(refused.value.message)
    assert db.session.scalar(select(func.count(ServiceRequest.id))) == 1
    assert db.session.scalar(select(func.sum(Slot.booked))) == 1


def test_a_phone_holding_its_day_is_told_so_before_that_the_time_is_not_open(ctx, seeded):
    """The order of the answers holds where the phone's day is checked inside the writing
    statement (PostgreSQL): a time that is not offered does not hide the duplicate."""
    service = open_service()
    first = book(service, at("2026-09-29", "10:00"))
    db.session.commit()
    with pytest.raises(DuplicateBooking) as refused:
        book(service, at("2026-09-29", "20:00"))  # after closing
    db.session.rollback()
    assert refused.value.reference == first.reference
    with pytest.raises(RequestError) as not_open:  # another phone: the time itself is the answer
        book(service, at("2026-09-29", "20:00"), phone="13812345679")
    db.session.rollback()
    assert not isinstance(not_open.value, DuplicateBooking)


def test_another_day_another_service_another_phone_or_a_cancelled_one_do_not_count(ctx, seeded):
    service, other = open_service(), open_service("sign-language")
    first = book(service, at("2026-09-29", "10:00"))
    book(service, at("2026-09-30", "10:00"))  # the next day
    book(other, at("2026-09-29", "10:00"))  # another service
    book(service, at("2026-09-29", "10:00"), phone="13912345678")  # another phone
    appointment_cancel(request=first, service=service, now=NOW)
    book(service, at("2026-09-29", "11:00"))  # the cancelled one no longer holds the day
    assert db.session.scalar(select(func.count(ServiceRequest.id))) == 5


def test_the_allowance_is_a_setting_of_the_service(ctx, seeded):
    service = open_service()
    service.max_active_per_phone_per_day = 2
    first = book(service, at("2026-09-29", "09:00"))
    book(service, at("2026-09-29", "10:00"))
    with pytest.raises(DuplicateBooking) as refused:
        book(service, at("2026-09-29", "11:00"))
    assert refused.value.reference == first.reference


def test_a_move_onto_a_day_already_held_is_refused_but_within_its_own_day_it_is_not(ctx, seeded):
    service = open_service()
    monday = book(service, at("2026-09-29", "10:00"))
    tuesday = book(service, at("2026-09-30", "10:00"))
    db.session.commit()  # the refused move's rollback must not take the bookings with it
    with pytest.raises(DuplicateBooking) as refused:
        appointment_reschedule(request=tuesday, service=service, start=at("2026-09-29", "14:00"),
                               now=NOW)
    db.session.rollback()
    assert refused.value.reference == monday.reference
    appointment_reschedule(request=monday, service=service, start=at("2026-09-29", "14:00"),
                           now=NOW)
    assert monday.starts_at == at("2026-09-29", "14:00")


def test_the_same_confirm_token_returns_the_booking_already_made(ctx, seeded):
    service = open_service()
    service.max_active_per_phone_per_day = 5  # not the day rule: the token alone
    first = book(service, at("2026-09-29", "10:00"), confirm_token="t" * 32)
    db.session.commit()
    again = book(service, at("2026-09-29", "10:00"), confirm_token="t" * 32)
    assert again.id == first.id
    other = book(service, at("2026-09-29", "10:00"), confirm_token="u" * 32)
    assert other.id != first.id
    assert db.session.scalar(select(Slot.booked)) == 2


@pytest.mark.commits  # two threads, each its own connection
def test_two_simultaneous_bookings_of_one_phone_cannot_both_pass(app, seeded):
    """Different times of the same day, so the slot counter does not serialise them: the
    phone-and-day lock (PostgreSQL) or the single writer (SQLite) must."""
    with app.app_context():
        service_id = open_service(capacity=5).id
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(hhmm: str) -> None:
        with app.app_context():
            service = db.session.get(Service, service_id)
            db.session.commit()
            barrier.wait()
            try:
                book(service, at("2026-09-29", hhmm))
                db.session.commit()
                outcome = "booked"
            except DuplicateBooking:
                db.session.rollback()
                outcome = "refused"
            finally:
                db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(t,)) for t in ("10:00", "14:00")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked", "refused"]
    with app.app_context():
        assert db.session.scalar(select(func.count(ServiceRequest.id))) == 1
        assert db.session.scalar(select(func.sum(Slot.booked))) == 1


def test_staff_moving_a_booking_are_not_held_to_the_residents_rule(ctx, seeded, make_user):
    from service_desk.accounts.models import User

    service = open_service()
    book(service, at("2026-09-29", "10:00"))
    tuesday = book(service, at("2026-09-30", "10:00"))
    staff = db.session.scalar(select(User).where(
        User.username == make_user("staff", unit="gov-service-centre")))
    appointment_reschedule(request=tuesday, service=service, start=at("2026-09-29", "14:00"),
                           actor=staff, now=NOW)  # e.g. off a closed day: where there is room
    assert tuesday.starts_at == at("2026-09-29", "14:00")
