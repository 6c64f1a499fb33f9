"""The booking API of the contract: services, slots, appointments by reference + phone."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_desk.catalog.models import OpeningHours, Service, Slot
from service_desk.extensions import db
from service_desk.requests.models import RequestStatus, ServiceRequest

from ..factories import EIGHT_TO_EIGHT, open_every_day, service_by_code


@pytest.fixture
def bookable(app, seeded):
    open_every_day(app, capacity=1, ahead=30, periods=EIGHT_TO_EIGHT)


def first_slots(client, n=2):
    today = dt.date.today()
    body = client.get(f"/api/v1/services/appointment/slots?from={today}&to={today + dt.timedelta(days=20)}")
    assert body.status_code == 200
    free = [s for s in body.get_json() if s["remaining"] > 0]
    assert len(free) >= n
    return free[:n]


def book(client, start, phone="13812345678", **extra):
    return client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": start, "name": "李阿姨", "phone": phone,
        "group": "elderly", **extra})


def test_services_are_listed_with_their_kind(client, seeded):
    items = {s["code"]: s for s in client.get("/api/v1/services").get_json()["items"]}
    assert items["appointment"]["kind"] == "appointment"
    assert items["hotline"]["kind"] == "dispatch"


def test_slots_have_the_contract_shape_with_offsets(client, bookable):
    slot = first_slots(client, 1)[0]
    assert set(slot) == {"start", "end", "capacity", "remaining"}
    assert dt.datetime.fromisoformat(slot["start"]).utcoffset() is not None


@pytest.mark.parametrize("query,field", [
    ("from=2026-13-01", "from"), ("from=2026-10-10&to=2026-10-01", "to"),
    ("from=2026-01-01&to=2026-12-31", "to"),
])
def test_bad_slot_ranges_answer_422(client, bookable, query, field):
    response = client.get(f"/api/v1/services/appointment/slots?{query}")
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_unknown_or_unbookable_services(client, bookable):
    assert client.get("/api/v1/services/nope/slots").status_code == 404
    assert client.get("/api/v1/services/hotline/slots").status_code == 422


def test_book_view_and_cancel_by_reference_and_phone(app, client, bookable):
    slot = first_slots(client, 1)[0]
    created = book(client, slot["start"], needs="需要轮椅")
    assert created.status_code == 201
    body = created.get_json()
    ref = body["reference"]
    assert body["phone"] == "138****5678" and body["status"] == "booked"
    seen = client.get(f"/api/v1/appointments/{ref}?phone=13812345678").get_json()
    assert seen["start"] == slot["start"] and seen["needs"] == "需要轮椅"
    full = book(client, slot["start"], phone="13912345678")
    assert full.status_code == 409
    assert full.get_json()["error"]["code"] == "slot_full" and full.get_json()["alternatives"]
    cancelled = client.post(f"/api/v1/appointments/{ref}/cancel", json={"phone": "13812345678"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    with app.app_context():
        assert db.session.scalar(select(Slot.booked)) == 0
    again = client.post(f"/api/v1/appointments/{ref}/cancel", json={"phone": "13812345678"})
    assert again.status_code == 409
    assert book(client, slot["start"], phone="13912345678").status_code == 201


def test_wrong_phone_and_unknown_reference_answer_the_same(client, bookable):
    ref = book(client, first_slots(client, 1)[0]["start"]).get_json()["reference"]
    wrong = client.get(f"/api/v1/appointments/{ref}?phone=13912345678")
    unknown = client.get("/api/v1/appointments/ZZZZ2222?phone=13812345678")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()
    assert client.post(f"/api/v1/appointments/{ref}/cancel", json={"phone": "139"}).status_code == 404


def test_reschedule_moves_the_booking_and_frees_the_old_place(app, client, bookable):
    first, second = first_slots(client, 2)
    ref = book(client, first["start"]).get_json()["reference"]
    moved = client.post(f"/api/v1/appointments/{ref}/reschedule",
                        json={"phone": "13812345678", "start": second["start"]})
    assert moved.status_code == 200 and moved.get_json()["start"] == second["start"]
    with app.app_context():
        counts = {s.starts_at.isoformat(): s.booked for s in db.session.scalars(select(Slot))}
    assert sorted(counts.values()) == [0, 1]


@pytest.mark.parametrize("payload,field", [
    ({"phone": "12345"}, "phone"), ({"name": ""}, "name"), ({"start": "tomorrow"}, "start"),
    ({"start": "2026-10-01T10:00:00"}, "start"), ({"service_code": "nope"}, "service_code"),
    ({"group": "martian"}, "group"), ({"channel": "fax"}, "channel"),
    ({"name": "张" * 51}, "name"), ({"needs": "要" * 1001}, "needs"),
])
def test_invalid_bookings_answer_422_with_the_field(app, client, bookable, payload, field):
    start = first_slots(client, 1)[0]["start"]
    body = {"service_code": "appointment", "start": start, "name": "李阿姨", "phone": "13812345678",
            "group": "elderly"}
    response = client.post("/api/v1/appointments", json=body | payload)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.query(ServiceRequest).count() == 0


def test_a_time_not_offered_answers_422(client, bookable):
    response = book(client, "2030-01-01T03:00:00+00:00")
    assert response.status_code == 422 and "start" in response.get_json()["error"]["fields"]


def test_lookups_are_rate_limited(app, client, bookable):
    app.config["LOOKUP_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [client.get("/api/v1/appointments/ZZZZ2222?phone=13812345678").status_code
                 for _ in range(4)]
    finally:
        app.config["LOOKUP_RATE_LIMIT"] = "1000 per minute"
    assert codes == [404, 404, 404, 429]
    assert client.get("/api/v1/appointments/ZZZZ2222?phone=1").get_json() is not None


def test_a_home_visit_needs_an_address(app, client, seeded):
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "home-visit"))
        service.min_notice_minutes, service.book_ahead_days = 0, 30
        for weekday in range(7):
            db.session.add(OpeningHours(service_id=service.id, weekday=weekday,
                                        opens=dt.time(8), closes=dt.time(20)))
        db.session.commit()
    today = dt.date.today()
    slots = client.get(f"/api/v1/services/home-visit/slots?from={today}&to={today + dt.timedelta(days=20)}").get_json()
    start = next(s["start"] for s in slots if s["remaining"])
    response = client.post("/api/v1/appointments", json={
        "service_code": "home-visit", "start": start, "name": "王奶奶", "phone": "13812345678",
        "group": "elderly"})
    assert response.status_code == 422 and "address" in response.get_json()["error"]["fields"]
    ok = client.post("/api/v1/appointments", json={
        "service_code": "home-visit", "start": start, "name": "王奶奶", "phone": "13812345678",
        "group": "elderly", "address": "皇冠街道长峰广安社区 3 号楼", "needs": "手语"})
    assert ok.status_code == 201 and ok.get_json()["group"] == "elderly"
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest))
        assert item.status is RequestStatus.BOOKED and item.address.startswith("皇冠街道")


def test_a_member_of_the_public_books_but_an_enterprise_only_service_refuses_them(app, client,
                                                                                  bookable):
    first, second, third = (s["start"] for s in first_slots(client, 3))
    body = {"service_code": "appointment", "name": "李阿姨"}
    no_group = client.post("/api/v1/appointments",
                           json=body | {"phone": "13812345678", "start": first})
    public = client.post("/api/v1/appointments",
                         json=body | {"phone": "13912345678", "group": "everyone", "start": second})
    assert (no_group.status_code, public.status_code) == (201, 201)
    assert (no_group.get_json()["group"], public.get_json()["group"]) == (None, "everyone")
    with app.app_context():
        service_by_code("appointment").eligible_groups = ["enterprise"]
        db.session.commit()
    for group in ("everyone", None, "elderly"):
        refused = client.post("/api/v1/appointments",
                              json=body | {"phone": "13712345678", "group": group,
                                           "start": third})
        assert refused.status_code == 422 and "group" in refused.get_json()["error"]["fields"]
