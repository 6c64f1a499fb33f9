"""The texts that ask a resident to call name the convenience hotline's number when it is set,
and stay as they were (no number, no placeholder) while it is not."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_desk.catalog.models import Service
from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.requests.models import ServiceRequest
from service_desk.requests.texts import cancelled_with_reason_text, moved_with_reason_text

from ..factories import DAY, add_booking
from ..factories import local_at as _at

NUMBER = "0631-5620000"


@pytest.fixture
def hotline(app):
    before = app.config.get("HOTLINE_NUMBER")
    yield lambda value: app.config.update(HOTLINE_NUMBER=value)
    app.config.update(HOTLINE_NUMBER=before)


def body_of(app, what: str) -> str:
    add_booking(app, reference="HALL2222", start=_at(DAY, 10))
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == "HALL2222"))
        service = db.session.get(Service, item.service_id)
        if what == "moved":
            moved_with_reason_text(item, service, old=_at(DAY, 9) - dt.timedelta(days=1),
                                   reason="停电检修")
        else:
            cancelled_with_reason_text(item, service, reason="停电检修")
        row = db.session.scalar(select(Notification).where(
            Notification.kind == f"appointment-{what}-by-us"))
        body = row.body
        db.session.rollback()
        return body


@pytest.mark.parametrize("what", ["moved", "cancelled"])
def test_a_set_number_is_in_the_text(app, seeded, hotline, what):
    hotline(NUMBER)
    body = body_of(app, what)
    assert NUMBER in body and "HALL2222" in body and "停电检修" in body


@pytest.mark.parametrize("what", ["moved", "cancelled"])
@pytest.mark.parametrize("unset", [None, "", "   "])
def test_unset_the_text_names_no_number(app, seeded, hotline, what, unset):
    hotline(unset)
    body = body_of(app, what)
    assert "HALL2222" in body and "None" not in body and "%(" not in body
    assert NUMBER not in body
