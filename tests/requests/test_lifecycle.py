"""The request lifecycle as services (派单 签收 办理 办结 回访 退回): deadlines in working
days, reporting and dispatching, every transition outside the table refused, stale versions.
The same lifecycle through the staff pages is tests/dispatch/test_dispatch.py."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from service_desk.base.calendar import add_working_days, deadline_after, is_working_day
from service_desk.catalog.models import Channel, Service, ServiceKind
from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.requests.errors import RequestError, StaleRequest
from service_desk.requests.lifecycle import (
    TRANSITIONS,
    Action,
    report_create,
    request_accept,
    request_callback,
    request_handle,
    request_reassign,
    request_resolve,
    request_return,
)
from service_desk.requests.models import RequestEvent, RequestStatus, Satisfaction, ServiceRequest
from service_desk.requests.residents import Resident
from service_desk.units.models import Unit

from ..factories import PHONE, SHANGHAI, audits, report, state

# --- deadlines in working days (pure functions, fixed dates) ------------------------------

def test_the_deadline_skips_the_national_day_holidays_and_counts_the_make_up_saturday():
    # 2026-10-01..07 are days off (10-04 is a plain Sunday); 10-10 (Sat) is a make-up day 调休
    assert not any(is_working_day(dt.date(2026, 10, d)) for d in range(1, 8))
    assert is_working_day(dt.date(2026, 10, 10))
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    assert add_working_days(dt.date(2026, 9, 30), 4) == dt.date(2026, 10, 12)


def test_the_deadline_skips_a_weekend_and_a_public_holiday():
    assert add_working_days(dt.date(2026, 9, 11), 1) == dt.date(2026, 9, 14)  # Fri -> Mon
    # 2026-09-25 (Fri) is the Mid-Autumn Festival: Thu + 1 working day is the next Monday
    assert add_working_days(dt.date(2026, 9, 24), 1) == dt.date(2026, 9, 28)
    # 2026-09-20 is a Sunday worked in exchange for a National Day day off
    assert add_working_days(dt.date(2026, 9, 18), 1) == dt.date(2026, 9, 20)


def test_the_deadline_is_six_pm_shanghai_time_on_the_last_working_day():
    dispatched = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    due = deadline_after(dispatched, 3, SHANGHAI)
    assert due == dt.datetime(2026, 10, 10, 18, 0, tzinfo=SHANGHAI)
    assert due.tzinfo == dt.UTC and due.hour == 10
    # the local date counts, not the UTC one: 01:00 on Saturday 10 October in Shanghai (a
    # make-up working day) is still Friday the 9th in UTC
    after_midnight = dt.datetime(2026, 10, 9, 17, 0, tzinfo=dt.UTC)
    assert deadline_after(after_midnight, 1, SHANGHAI) == dt.datetime(2026, 10, 12, 18, 0,
                                                                      tzinfo=SHANGHAI)


# --- the lifecycle rules (service level) ---------------------------------------------------

def test_reporting_dispatches_to_the_services_unit_with_a_deadline_event_audit_and_receipt(
        app, seeded):
    now = dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
    ref = report(app, now=now)
    got = state(app, ref)
    assert got["status"] is RequestStatus.DISPATCHED and got["unit"] == "gov-service-centre"
    assert got["channel"] is Channel.PHONE
    # the default 5 working days: 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13
    assert got["due_at"] == dt.datetime(2026, 10, 13, 18, 0, tzinfo=SHANGHAI)
    assert got["events"] == [("dispatched", RequestStatus.DISPATCHED, "phone")]
    (audit,) = audits(app, "request.dispatch")
    assert audit.object_id == ref and audit.after["unit"] == "gov-service-centre"
    with app.app_context():
        receipt = db.session.scalar(select(Notification).where(Notification.kind == "request-received"))
        assert receipt.recipient == f"sms:{PHONE}" and ref in receipt.body


def test_reporting_refuses_a_service_without_a_unit_unless_one_is_chosen(app, seeded):
    with app.app_context():
        orphan = Service(code="no-unit", name="无单位服务", kind=ServiceKind.DISPATCH,
                         channels=["phone"], eligible_groups=[], dispatch_days=2)
        db.session.add(orphan)
        db.session.commit()
        resident = Resident(name="李四", phone=PHONE)
        with pytest.raises(RequestError) as refused:
            report_create(service=orphan, resident=resident, description="x",
                          channel=Channel.PHONE, actor=None)
        assert refused.value.field == "unit"
        booking = db.session.scalar(select(Service).where(Service.code == "appointment"))
        with pytest.raises(RequestError) as wrong_kind:
            report_create(service=booking, resident=resident, description="x",
                          channel=Channel.PHONE, actor=None)
        assert wrong_kind.value.field == "service"
        with pytest.raises(RequestError) as empty:
            report_create(service=orphan, resident=resident, description="  ",
                          channel=Channel.PHONE, actor=None,
                          unit=db.session.scalar(select(Unit).where(Unit.code == "zone")))
        assert empty.value.field == "description"
        db.session.rollback()
        assert db.session.scalar(select(func.count(ServiceRequest.id))) == 0
        item = report_create(service=orphan, resident=resident, description="路面塌陷",
                             channel=Channel.PHONE, actor=None,
                             unit=db.session.scalar(select(Unit).where(Unit.code == "zone")),
                             now=dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC))
        assert item.due_at == dt.datetime(2026, 10, 9, 18, 0, tzinfo=SHANGHAI)  # 2 working days
        db.session.rollback()


def _call(action: Action, item, service, unit):
    """Try one action with valid input; only the status can refuse it."""
    if action is Action.ACCEPT:
        request_accept(request=item, actor=None)
    elif action is Action.HANDLE:
        request_handle(request=item, actor=None, note="note")
    elif action is Action.RETURN:
        request_return(request=item, actor=None, reason="not ours")
    elif action is Action.RESOLVE:
        request_resolve(request=item, service=service, actor=None, reply="done")
    elif action is Action.REASSIGN:
        request_reassign(request=item, service=service, unit=unit, actor=None)
    else:
        request_callback(request=item, actor=None, satisfaction=Satisfaction.SATISFIED, note="ok")


def test_every_transition_not_in_the_table_is_refused_and_changes_nothing(app, seeded):
    ref = report(app)
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == ref))
        service = db.session.get(Service, item.service_id)
        unit = db.session.scalar(select(Unit).where(Unit.code == "zone"))
        refused = 0
        for status in RequestStatus:
            item.status = status
            db.session.commit()
            version, events = item.version, db.session.scalar(
                select(func.count(RequestEvent.id)).where(RequestEvent.request_id == item.id))
            for action in Action:
                if action in TRANSITIONS.get(status, ()):
                    continue
                with pytest.raises(RequestError) as exc:
                    _call(action, item, service, unit)
                assert str(exc.value.message)  # a message in words
                db.session.rollback()
                refused += 1
                assert (item.status, item.version) == (status, version)
                assert db.session.scalar(select(func.count(RequestEvent.id)).where(
                    RequestEvent.request_id == item.id)) == events
        assert refused == len(RequestStatus) * len(Action) - sum(map(len, TRANSITIONS.values()))
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "request-resolved")) == 0


@pytest.mark.commits  # a second connection changes the row between our read and our write
def test_a_form_older_than_the_request_is_refused(app, seeded):
    ref = report(app)
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == ref))
        with pytest.raises(StaleRequest):
            request_accept(request=item, actor=None, expected_version=item.version - 1)
        assert item.status is RequestStatus.DISPATCHED
        db.session.rollback()
        # a change that lands between our read and our write fails at the flush
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == ref))
        with db.engine.begin() as other:
            other.execute(update(ServiceRequest).where(ServiceRequest.id == item.id)
                          .values(version=ServiceRequest.version + 1))
        with pytest.raises(StaleDataError):
            request_accept(request=item, actor=None, expected_version=item.version)
        db.session.rollback()
    assert [e[0] for e in state(app, ref)["events"]] == ["dispatched"]
