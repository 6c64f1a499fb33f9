"""The appointments issue's "done when", as one story across residents, staff and the hotline.

(The phone-sized browser walk of the same booking is tests/e2e/test_resident_booking.py; the
dispatch lifecycle through the pages is tests/dispatch/test_dispatch.py.)
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from service_desk.catalog.models import OpeningHours, Service
from service_desk.extensions import db
from service_desk.requests.models import RequestEvent, RequestStatus, ServiceRequest

from ..factories import csrf_from, login

PHONE = "13812345678"


def test_a_home_visit_is_booked_moved_and_completed_by_the_unit(app, client, seeded, make_user):
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "home-visit"))
        service.unit_id = db.session.scalar(select(Service.unit_id).where(Service.code == "appointment"))
        service.min_notice_minutes, service.book_ahead_days, service.capacity = 0, 21, 1
        for weekday in range(7):
            db.session.add(OpeningHours(service_id=service.id, weekday=weekday,
                                        opens=dt.time(9), closes=dt.time(17)))
        db.session.commit()
    today = dt.date.today()
    slots = [s for s in client.get(
        f"/api/v1/services/home-visit/slots?from={today + dt.timedelta(days=1)}"
        f"&to={today + dt.timedelta(days=20)}").get_json() if s["remaining"]]
    booked = client.post("/api/v1/appointments", json={
        "service_code": "home-visit", "start": slots[0]["start"], "name": "王奶奶",
        "phone": PHONE, "address": "皇冠街道长峰广安社区 3 号楼 2 单元", "group": "elderly",
        "needs": "需要轮椅，听力不好"})
    assert booked.status_code == 201
    ref = booked.get_json()["reference"]
    moved = client.post(f"/api/v1/appointments/{ref}/reschedule",
                        json={"phone": PHONE, "start": slots[3]["start"]})
    assert moved.status_code == 200

    # the unit's staff see it on that day's schedule, with the needs and a masked phone
    make_user("staff", unit="gov-service-centre", username="centre")
    staff = app.test_client()
    login(staff, "centre")
    day = dt.datetime.fromisoformat(slots[3]["start"]).astimezone(ZoneInfo("Asia/Shanghai")).date()
    schedule = staff.get(f"/schedule?day={day.isoformat()}").get_data(as_text=True)
    assert ref in schedule and "需要轮椅" in schedule and "138****5678" in schedule
    assert PHONE not in schedule
    page = staff.get(f"/schedule/{ref}").get_data(as_text=True)
    with app.app_context():
        version = db.session.scalar(select(ServiceRequest.version).where(ServiceRequest.reference == ref))
    done = staff.post(f"/schedule/{ref}/status", data={
        "csrf_token": csrf_from(page), "status": "completed", "note": "已上门办结",
        "version": str(version)})
    assert done.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == ref))
        assert item.status is RequestStatus.COMPLETED and item.resolved_at is not None
        actions = db.session.scalars(select(RequestEvent.action).where(
            RequestEvent.request_id == item.id).order_by(RequestEvent.id)).all()
        assert actions == ["booked", "rescheduled", "completed"]
    # the resident sees the outcome with their reference and phone
    seen = client.get(f"/api/v1/appointments/{ref}?phone={PHONE}").get_json()
    assert seen["status"] == "completed"
