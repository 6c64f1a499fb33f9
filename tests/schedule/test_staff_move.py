"""Staff who cannot make a home visit move it, with a reason, and the resident is told."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.requests.models import RequestStatus

from ..factories import (
    PHONE,
    audits,
    csrf_from,
    free_times,
    open_every_day,
    state,
    stored_request,
)


def test_staff_move_a_home_visit_to_the_next_free_time(app, people):
    open_every_day(app, "home-visit", capacity=1, ahead=14)
    first, second = free_times(app, "home-visit", count=2)
    from service_desk.catalog.models import Channel, SpecialGroup
    from service_desk.requests.appointments import appointment_book
    from service_desk.requests.residents import Resident

    from ..factories import service_by_code
    with app.app_context():
        item = appointment_book(service=service_by_code("home-visit"), start=first.start,
                                channel=Channel.PHONE,
                                resident=Resident(name="李大爷", phone=PHONE, address="海峰路 8 号",
                                                  group=SpecialGroup.ELDERLY))
        ref = item.reference
        db.session.commit()
    client = people["centre"]
    page = client.get(f"/schedule/{ref}").get_data(as_text=True)
    assert 'action="/schedule/' + ref + '/move' in page
    version = str(state(app, ref)["version"])

    refused = client.post(f"/schedule/{ref}/move", data={
        "csrf_token": csrf_from(page), "when": "next", "reason": " ", "version": version})
    assert refused.status_code == 422 and stored_request(app, ref).starts_at == first.start

    moved = client.post(f"/schedule/{ref}/move", data={
        "csrf_token": csrf_from(page), "when": "next", "reason": "工作人员生病", "version": version})
    assert moved.status_code == 302
    item = stored_request(app, ref)
    assert item.status is RequestStatus.BOOKED and item.starts_at == second.start
    (audit,) = audits(app, "appointment.move_by_staff")
    assert audit.after["reason"] == "工作人员生病"
    with app.app_context():
        (text,) = db.session.scalars(select(Notification).where(
            Notification.kind == "appointment-moved-by-us")).all()
        assert ref in text.body and "工作人员生病" in text.body

    stale = client.post(f"/schedule/{ref}/move", data={
        "csrf_token": csrf_from(page), "when": "next", "reason": "x", "version": version})
    assert stale.status_code == 409


def test_a_time_that_is_not_offered_is_refused(app, people):
    open_every_day(app, "home-visit", capacity=1, ahead=14)
    (slot,) = free_times(app, "home-visit", count=1)
    from ..factories import add_booking
    ref = add_booking(app, service="home-visit", reference="HV1", start=slot.start,
                      address="海峰路 8 号")
    client = people["centre"]
    page = client.get(f"/schedule/{ref}").get_data(as_text=True)
    version = str(state(app, ref)["version"])
    for when in ("not-a-time", (slot.start + dt.timedelta(minutes=7)).isoformat()):
        response = client.post(f"/schedule/{ref}/move", data={
            "csrf_token": csrf_from(page), "when": when, "reason": "生病", "version": version})
        assert response.status_code == 422
    assert stored_request(app, ref).starts_at == slot.start
