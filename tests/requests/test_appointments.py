"""The booking core: when a service is open, and capacity that holds under concurrency."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from service_desk.base.calendar import is_makeup_workday
from service_desk.base.phones import normalise_mobile
from service_desk.catalog.hours import periods_on
from service_desk.catalog.models import (
    Channel,
    Closure,
    OpeningHours,
    Service,
    Slot,
    SpecialGroup,
)
from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.requests.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from service_desk.requests.availability import free_slots
from service_desk.requests.errors import RequestError, SlotTaken
from service_desk.requests.models import RequestEvent, RequestStatus, ServiceRequest
from service_desk.requests.references import find_booking
from service_desk.requests.residents import ResidentError, resident_check

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# a Monday before the 2026 National Day week, at 08:00 Shanghai time
NOW = dt.datetime(2026, 9, 28, 0, 0, tzinfo=dt.UTC)


def open_service(code="appointment", *, capacity=2, minutes=30, ahead=30, notice=60):
    service = db.session.scalar(select(Service).where(Service.code == code))
    service.capacity, service.duration_minutes = capacity, minutes
    service.book_ahead_days, service.min_notice_minutes = ahead, notice
    for weekday in range(5):
        db.session.add_all([
            OpeningHours(service_id=service.id, weekday=weekday, opens=dt.time(9), closes=dt.time(12)),
            OpeningHours(service_id=service.id, weekday=weekday, opens=dt.time(13, 30),
                         closes=dt.time(17))])
    db.session.commit()
    return service


def at(day: str, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(h, m),
                               tzinfo=SHANGHAI).astimezone(dt.UTC)


def resident(**kw):
    return resident_check(**({"name": "张大爷", "phone": "13812345678", "group": "elderly"} | kw))


def test_a_working_day_has_morning_and_afternoon_slots_around_lunch(ctx, seeded):
    service = open_service()
    slots = free_slots(service, first=dt.date(2026, 9, 29), last=dt.date(2026, 9, 29), now=NOW)
    starts = [s.start.astimezone(SHANGHAI).strftime("%H:%M") for s in slots]
    assert starts[:2] == ["09:00", "09:30"] and "12:00" not in starts and "13:30" in starts
    assert len(starts) == 6 + 7 and all(s.remaining == 2 for s in slots)


def test_public_holidays_close_and_makeup_working_days_open(ctx, seeded):
    service = open_service()
    days = {s.start.astimezone(SHANGHAI).date()
            for s in free_slots(service, first=dt.date(2026, 9, 29), last=dt.date(2026, 10, 12),
                                now=NOW)}
    assert not any(dt.date(2026, 10, d) in days for d in range(1, 8))  # National Day week
    assert is_makeup_workday(dt.date(2026, 10, 10))  # 调休: Saturday is a working day
    assert dt.date(2026, 10, 10) in days
    assert dt.date(2026, 10, 11) not in days  # an ordinary Sunday stays closed
    assert periods_on(dt.date(2026, 10, 1), {0: [(dt.time(9), dt.time(12))]}) == []


def test_closures_the_window_and_minimum_notice_are_respected(ctx, seeded):
    service = open_service(ahead=3, notice=90)
    db.session.add(Closure(service_id=service.id, on_date=dt.date(2026, 9, 29), reason="系统升级"))
    db.session.commit()
    slots = free_slots(service, first=dt.date(2026, 9, 28), last=dt.date(2026, 10, 30), now=NOW)
    days = {s.start.astimezone(SHANGHAI).date() for s in slots}
    assert days == {dt.date(2026, 9, 28), dt.date(2026, 9, 30)}  # 29 closed, then the holiday
    first_today = min(s.start for s in slots)
    assert first_today == at("2026-09-28", "09:30")  # 08:00 now + 90 minutes' notice


def test_availability_costs_the_same_statements_for_a_day_or_a_month(app, seeded, count_queries):
    with app.app_context():
        service = open_service(ahead=60)
        service_id = service.id
    counts = []
    for days in (1, 45):
        with app.app_context():
            service = db.session.get(Service, service_id)
            with count_queries() as statements:
                free_slots(service, first=dt.date(2026, 9, 28),
                           last=dt.date(2026, 9, 28) + dt.timedelta(days=days), now=NOW)
            counts.append(len(statements))
    assert counts[0] == counts[1] <= 3


def test_booking_takes_a_place_and_the_last_place_then_says_just_taken(ctx, seeded):
    service = open_service(capacity=2)
    start = at("2026-09-29", "10:00")
    first = appointment_book(service=service, start=start, resident=resident(),
                             channel=Channel.WEB, now=NOW)
    appointment_book(service=service, start=start, resident=resident(phone="13912345678"),
                     channel=Channel.WECHAT, now=NOW)
    db.session.commit()
    assert len(first.reference) == 8
    with pytest.raises(SlotTaken) as taken:
        appointment_book(service=service, start=start, resident=resident(phone="13712345678"),
                         channel=Channel.WEB, now=NOW)
    db.session.rollback()
    assert taken.value.alternatives[0].start == at("2026-09-29", "10:30")
    slot = db.session.scalar(select(Slot).where(Slot.starts_at == start))
    assert (slot.booked, slot.capacity) == (2, 2)
    assert db.session.query(ServiceRequest).count() == 2
    events = db.session.scalars(select(RequestEvent.action)).all()
    assert events == ["booked", "booked"]
    texts = db.session.scalars(select(Notification.recipient)).all()
    assert sorted(texts) == ["sms:13812345678", "sms:13912345678"]


def test_a_time_that_is_not_offered_cannot_be_booked(ctx, seeded):
    service = open_service()
    for start in (at("2026-10-01", "10:00"), at("2026-09-29", "12:15"), at("2026-09-29", "10:10"),
                  at("2026-09-28", "08:30")):
        with pytest.raises(RequestError):
            appointment_book(service=service, start=start, resident=resident(),
                             channel=Channel.WEB, now=NOW)
        db.session.rollback()
    assert db.session.query(Slot).count() == 0


def test_reschedule_frees_the_old_place_and_cancel_frees_the_new(ctx, seeded):
    service = open_service(capacity=1)
    old, new = at("2026-09-29", "09:00"), at("2026-09-29", "14:00")
    booking = appointment_book(service=service, start=old, resident=resident(),
                               channel=Channel.WEB, now=NOW)
    db.session.commit()
    appointment_reschedule(request=booking, service=service, start=new, now=NOW)
    db.session.commit()
    counts = dict(db.session.execute(select(Slot.starts_at, Slot.booked)).all())
    assert counts == {old: 0, new: 1}
    appointment_cancel(request=booking, service=service, note="家中有事", now=NOW)
    db.session.commit()
    assert db.session.scalar(select(Slot.booked).where(Slot.starts_at == new)) == 0
    assert booking.status is RequestStatus.CANCELLED
    with pytest.raises(RequestError):
        appointment_cancel(request=booking, service=service, now=NOW)
    db.session.rollback()


def test_a_booking_is_found_only_with_its_own_phone(ctx, seeded):
    service = open_service()
    booking = appointment_book(service=service, start=at("2026-09-29", "09:00"),
                               resident=resident(), channel=Channel.WEB, now=NOW)
    db.session.commit()
    spaced = " ".join([booking.reference[:4].lower(), booking.reference[4:]])
    assert find_booking(reference=spaced, phone="13812345678") == booking
    assert find_booking(reference=booking.reference, phone="13912345678") is None
    assert find_booking(reference="ZZZZZZZZ", phone="13812345678") is None


@pytest.mark.parametrize("raw,expected", [
    ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"), ("12345678901", None), ("010-12345678", None),
    ("1381234567", None), ("", None), ("abc", None),
])
def test_only_chinese_mobile_numbers_are_accepted(raw, expected):
    assert normalise_mobile(raw) == expected


def test_a_member_of_the_public_books_but_an_enterprise_only_service_refuses_them(ctx, seeded):
    service = open_service()  # the article: special groups and 企业群众 (enterprises, the public)
    for n, group in enumerate(("everyone", None)):
        booked = appointment_book(service=service, start=at("2026-09-29", "09:00"),
                                  resident=resident(group=group, phone=f"1381234000{n}"),
                                  channel=Channel.WEB, now=NOW)
        assert booked.special_group == (SpecialGroup.EVERYONE if group else None)
    db.session.rollback()
    service.eligible_groups = ["enterprise"]
    db.session.commit()
    for group in ("everyone", None, "elderly"):
        with pytest.raises(RequestError) as refused:
            appointment_book(service=service, start=at("2026-09-29", "09:00"),
                             resident=resident(group=group), channel=Channel.WEB, now=NOW)
        db.session.rollback()
        assert refused.value.field == "group"
    assert db.session.query(ServiceRequest).count() == 0


def test_resident_details_are_checked_field_by_field():
    with pytest.raises(ResidentError) as bad:
        resident_check(name=" ", phone="123", address="", group="alien", address_required=True)
    assert set(bad.value.errors) == {"name", "phone", "address", "group"}


@pytest.mark.postgres
@pytest.mark.commits  # twenty threads, each its own connection
@pytest.mark.parametrize("commit", [False, True])
def test_twenty_people_racing_for_one_slot_never_overbook(app, seeded, commit):
    """Real concurrency on PostgreSQL: exactly the capacity succeed, the rest hear "just taken"
    — the booking committed by its caller, or with its writing statement (the API's)."""
    with app.app_context():
        service_id = open_service(capacity=3).id
    start = at("2026-09-29", "10:00")
    barrier = threading.Barrier(20, timeout=30)
    results: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        with app.app_context():
            service = db.session.get(Service, service_id)
            who = resident(phone=f"1381234{i:04d}")
            db.session.commit()  # give the connection back: the pool has fewer than 20
            barrier.wait()
            try:
                appointment_book(service=service, start=start, resident=who,
                                 channel=Channel.WEB, now=NOW, commit=commit)
                db.session.commit()
                outcome = "booked"
            except SlotTaken as exc:
                db.session.rollback()
                outcome = "taken" if exc.alternatives else "taken-without-alternatives"
            finally:
                db.session.remove()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["booked"] * 3 + ["taken"] * 17
    with app.app_context():
        assert db.session.scalar(select(Slot.booked).where(Slot.starts_at == start)) == 3
        assert db.session.query(ServiceRequest).count() == 3


@pytest.mark.postgres
@pytest.mark.commits  # six threads, each its own connection
def test_concurrent_cancels_and_reschedules_keep_the_counter_right(app, seeded):
    with app.app_context():
        service = open_service(capacity=1)
        old = at("2026-09-29", "09:00")
        booking = appointment_book(service=service, start=old, resident=resident(),
                                   channel=Channel.WEB, now=NOW)
        db.session.commit()
        booking_id, service_id = booking.id, service.id
    barrier = threading.Barrier(6, timeout=30)
    outcomes: list[str] = []

    def act(i: int) -> None:
        from sqlalchemy.orm.exc import StaleDataError

        with app.app_context():
            item = db.session.get(ServiceRequest, booking_id)
            service = db.session.get(Service, service_id)
            barrier.wait()
            try:
                if i % 2:
                    appointment_cancel(request=item, service=service, now=NOW)
                else:
                    appointment_reschedule(request=item, service=service,
                                           start=at("2026-09-29", f"1{i}:00"), now=NOW)
                db.session.commit()
                outcomes.append("ok")
            except (StaleDataError, RequestError):
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=act, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    with app.app_context():
        item = db.session.get(ServiceRequest, booking_id)
        held = dict(db.session.execute(select(Slot.id, Slot.booked)).all())
        if item.status is RequestStatus.CANCELLED:
            assert sum(held.values()) == 0
        else:
            assert held[item.slot_id] == 1 and sum(held.values()) == 1


def test_a_weekend_inside_a_holiday_break_is_closed_even_for_a_weekend_service(ctx, seeded):
    weekend_hours = {wd: [(dt.time(9), dt.time(12))] for wd in range(7)}
    assert periods_on(dt.date(2026, 10, 4), weekend_hours) == []  # Sunday in Golden Week
    assert periods_on(dt.date(2026, 10, 11), weekend_hours) != []  # an ordinary Sunday
    assert periods_on(dt.date(2026, 9, 27), weekend_hours) != []  # the Sunday before the break


def test_a_closure_or_new_hours_bind_the_next_booking_of_a_day_already_booked(ctx, seeded):
    """The day's offered slots are kept between bookings (availability._offered_on), keyed by
    the calendar each booking reads: a part-day closure added, or hours changed, after a
    booking of that day binds the very next one."""
    service = open_service(capacity=5)
    book = {"service": service, "channel": Channel.WEB, "now": NOW}
    appointment_book(start=at("2026-09-29", "10:00"), resident=resident(phone="13812340001"),
                     **book)
    db.session.commit()
    db.session.add(Closure(service_id=service.id, on_date=dt.date(2026, 9, 29), reason="停电",
                           starts=dt.time(10), ends=dt.time(11)))
    db.session.commit()
    with pytest.raises(RequestError):
        appointment_book(start=at("2026-09-29", "10:30"), resident=resident(phone="13812340002"),
                         **book)
    db.session.rollback()
    appointment_book(start=at("2026-09-29", "14:00"), resident=resident(phone="13812340003"),
                     **book)
    db.session.commit()
    hours = db.session.scalars(select(OpeningHours).where(
        OpeningHours.service_id == service.id, OpeningHours.weekday == 1)).all()
    for row in hours:
        if row.opens == dt.time(13, 30):
            row.closes = dt.time(15)
    db.session.commit()
    with pytest.raises(RequestError):  # after the new closing time
        appointment_book(start=at("2026-09-29", "16:00"), resident=resident(phone="13812340004"),
                         **book)
    db.session.rollback()
