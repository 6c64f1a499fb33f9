"""What the texts tell the sender: a confirmation of what the resident has just done is urgent
(it may go out in the quiet hours); what staff or the system do waits for the morning. Every
text carries its template variables (ref, service, time) for a provider like Alibaba Cloud."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from service_desk.extensions import db
from service_desk.notifications.models import Notification

from ..factories import EIGHT_TO_EIGHT, PHONE, add_booking, free_times, open_every_day

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def texts(app) -> dict[str, tuple[bool, dict]]:
    with app.app_context():
        return {n.kind: (n.urgent, json.loads(n.params or "{}"))
                for n in db.session.scalars(select(Notification).order_by(Notification.id))}


def test_the_residents_own_booking_and_cancel_are_urgent_and_carry_the_reference(
        app, client, seeded):
    open_every_day(app, capacity=2, ahead=14, periods=EIGHT_TO_EIGHT)
    start = free_times(app, count=1)[0].start
    booked = client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": start.isoformat(), "name": "李阿姨",
        "phone": PHONE, "group": "elderly"})
    assert booked.status_code == 201
    reference = booked.get_json()["reference"]
    assert client.post(f"/api/v1/appointments/{reference}/cancel",
                       json={"phone": PHONE}).status_code == 200
    found = texts(app)
    for kind in ("appointment-booked", "appointment-cancelled"):
        urgent, params = found[kind]
        assert urgent is True, kind
        assert params["ref"] == reference and params["service"] and params["time"], kind


def test_a_staff_cancel_and_a_reminder_are_not_urgent(app, seeded, runner):
    start = NOW + dt.timedelta(hours=3)
    add_booking(app, reference="STAFF1", start=start)
    assert runner.invoke(args=["notify"]).exit_code == 0  # queues the reminder
    found = texts(app)
    urgent, params = found["appointment-reminder"]
    assert urgent is False and params["ref"] == "STAFF1" and "my-booking" in params["link"]
    with app.app_context():
        from service_desk.catalog.models import Service
        from service_desk.requests.appointments import appointment_cancel
        from service_desk.requests.models import ServiceRequest

        item = db.session.scalar(select(ServiceRequest).where(
            ServiceRequest.reference == "STAFF1"))
        appointment_cancel(request=item, service=db.session.get(Service, item.service_id),
                           actor="test-staff", note="办事员生病")
        db.session.commit()
    assert texts(app)["appointment-cancelled"][0] is False
