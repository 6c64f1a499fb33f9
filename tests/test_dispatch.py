"""Dispatched requests (派单 签收 办理 办结 回访 退回): deadlines in working days, the lifecycle
through the pages, refused transitions, access per unit, masked phones, the overdue board."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from service_desk.accounts.models import User
from service_desk.audit.models import AuditEvent
from service_desk.base.calendar import add_working_days, deadline_after, is_working_day
from service_desk.catalog.models import Channel, Service, ServiceKind
from service_desk.db import utcnow
from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.requests.eligibility import groups_of
from service_desk.requests.errors import RequestError, StaleRequest
from service_desk.requests.lifecycle import (
    TRANSITIONS,
    Action,
    Satisfaction,
    report_create,
    request_accept,
    request_callback,
    request_handle,
    request_reassign,
    request_resolve,
    request_return,
)
from service_desk.requests.models import RequestEvent, RequestStatus, ServiceRequest
from service_desk.requests.residents import Resident
from service_desk.units.models import Unit

from .conftest import csrf_from, login

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13812345678"
MASKED = "138****5678"


# --- helpers shared with test_hotline ------------------------------------------------------

def report(app, *, service: str = "hotline", unit: str | None = None, phone: str = PHONE,
           name: str = "王大爷", now: dt.datetime | None = None,
           description: str = "小区路灯不亮") -> str:
    """A request reported and dispatched (as the hotline would); returns its reference."""
    with app.app_context():
        svc = db.session.scalar(select(Service).where(Service.code == service))
        target = db.session.scalar(select(Unit).where(Unit.code == unit)) if unit else None
        groups = groups_of(svc)  # a service for some groups only: report for the first of them
        item = report_create(service=svc, resident=Resident(name=name, phone=phone,
                                                            address="海峰路 1 号",
                                                            group=groups[0] if groups else None),
                             description=description, channel=Channel.PHONE, actor=None,
                             unit=target, now=now)
        reference = item.reference
        db.session.commit()
        db.session.remove()
    return reference


def state(app, reference: str) -> dict:
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference))
        unit = db.session.get(Unit, item.unit_id) if item.unit_id else None
        events = db.session.scalars(select(RequestEvent).where(RequestEvent.request_id == item.id)
                                    .order_by(RequestEvent.at, RequestEvent.id)).all()
        out = {"status": item.status, "version": item.version, "unit": unit.code if unit else None,
               "due_at": item.due_at, "reply": item.reply, "assignee_id": item.assignee_id,
               "events": [(e.action, e.status_after, e.note) for e in events],
               "channel": item.channel, "created_by_id": item.created_by_id}
        db.session.remove()
        return out


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def audits(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def act(client, app, reference: str, action: str, version: int | None = None, **data):
    """POST a lifecycle form like a browser, with the request's current version."""
    token = csrf_from(client.get("/").get_data(as_text=True))
    if version is None:
        version = state(app, reference)["version"]
    return client.post(f"/requests/{reference}/{action}",
                       data={"csrf_token": token, "version": str(version), **data})


def signed_in(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


PEOPLE = {"centre": ("staff", "gov-service-centre"), "builder": ("staff", "construction-bureau"),
          "op": ("operator", None), "op2": ("operator", None), "sup": ("supervisor", None),
          "root": ("admin", None)}


class People(dict):
    """Signed-in clients, each account made on first use (hashing passwords is slow)."""

    def __init__(self, app, make_user):
        super().__init__()
        self.app, self.make_user = app, make_user

    def __missing__(self, name: str):
        role, unit = PEOPLE[name]
        self.make_user(role, unit=unit, username=name)
        self[name] = signed_in(self.app, name)
        return self[name]


@pytest.fixture
def people(app, seeded, make_user):
    """Staff of the hotline's unit and of another unit, operators, a supervisor, an admin."""
    return People(app, make_user)


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


# --- the lifecycle through the pages ---------------------------------------------------------

def test_the_whole_lifecycle_is_stored_with_events_audit_and_the_reply_sent(app, people):
    ref = report(app)
    centre, op = people["centre"], people["op"]
    page = centre.get(f"/requests/{ref}").get_data(as_text=True)
    assert f'action="/requests/{ref}/accept"' in page
    assert f'action="/requests/{ref}/resolve"' not in page  # not before accepting

    assert act(centre, app, ref, "accept", note="收到").status_code == 302
    assert state(app, ref)["assignee_id"] == user_id(app, "centre")
    assert act(centre, app, ref, "handle", note="已联系物业更换灯泡").status_code == 302
    assert state(app, ref)["status"] is RequestStatus.ACCEPTED
    response = act(centre, app, ref, "resolve", reply="路灯已修好,感谢来电。")
    assert response.status_code == 302
    got = state(app, ref)
    assert got["status"] is RequestStatus.RESOLVED and got["reply"] == "路灯已修好,感谢来电。"
    with app.app_context():
        sms = db.session.scalar(select(Notification).where(Notification.kind == "request-resolved"))
        assert sms.recipient == f"sms:{PHONE}" and "路灯已修好" in sms.body
        item_id = db.session.scalar(select(ServiceRequest.id).where(ServiceRequest.reference == ref))
        assert sms.dedupe_key == f"request-resolved:{item_id}"

    # the operator calls the resident back
    page = op.get(f"/requests/{ref}").get_data(as_text=True)
    assert f'action="/requests/{ref}/callback"' in page
    assert act(op, app, ref, "callback", satisfaction="satisfied",
               note="居民表示满意").status_code == 302
    got = state(app, ref)
    assert got["status"] is RequestStatus.CALLED_BACK
    assert [(a, s) for a, s, _ in got["events"]] == [
        ("dispatched", RequestStatus.DISPATCHED), ("accepted", RequestStatus.ACCEPTED),
        ("handled", RequestStatus.ACCEPTED), ("resolved", RequestStatus.RESOLVED),
        ("called_back", RequestStatus.CALLED_BACK)]
    assert got["events"][2][2] == "已联系物业更换灯泡"
    assert [a.action for a in audits(app, "request.callback")] == ["request.callback"]
    assert audits(app, "request.callback")[0].after["satisfaction"] == "satisfied"
    for action in ("request.accept", "request.handle", "request.resolve"):
        assert len(audits(app, action)) == 1

    # the history tells it in words, the answer included; no action is left
    op.set_cookie("lang", "en")
    page = op.get(f"/requests/{ref}").get_data(as_text=True)
    assert "Satisfied" in page and "居民表示满意" in page and "Called back" in page
    assert "Resolved, reply sent to the resident" in page
    assert 'action="/requests/' + ref + '/' not in page.replace(f"/requests/{ref}/phone", "")


def test_refused_actions_through_the_pages_say_why_and_change_nothing(app, people):
    ref = report(app)
    root = people["root"]  # an administrator may do every action: only the status refuses
    root.set_cookie("lang", "en")
    before = state(app, ref)
    for action, data in [("resolve", {"reply": "done"}), ("handle", {"note": "x"}),
                         ("reassign", {"unit": "zone"}),
                         ("callback", {"satisfaction": "satisfied", "note": "x"})]:
        response = act(root, app, ref, action, **data)
        html = response.get_data(as_text=True)
        assert response.status_code == 409, action
        assert 'role="alert"' in html and "Error:" in html
        assert state(app, ref) == before
    response = act(root, app, ref, "fly")
    assert response.status_code == 404
    assert state(app, ref) == before


@pytest.mark.parametrize("action,data,field", [
    ("resolve", {"reply": "   "}, "resolve-reply"),
    ("handle", {"note": ""}, "handle-note"),
    ("return", {"reason": ""}, "return-reason"),
])
def test_required_texts_are_asked_for_and_nothing_is_stored(app, people, action, data, field):
    ref = report(app)
    centre = people["centre"]
    assert act(centre, app, ref, "accept").status_code == 302
    before = state(app, ref)
    response = act(centre, app, ref, action, **data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert state(app, ref) == before


def test_a_stale_form_is_refused_and_what_was_typed_is_kept(app, people):
    ref = report(app)
    centre = people["centre"]
    centre.set_cookie("lang", "en")
    act(centre, app, ref, "accept")
    version = state(app, ref)["version"]
    assert act(centre, app, ref, "handle", version=version, note="first").status_code == 302
    response = act(centre, app, ref, "handle", version=version, note="typed long ago")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "typed long ago" in html and "changed meanwhile" in html
    assert [e[2] for e in state(app, ref)["events"] if e[0] == "handled"] == ["first"]


def test_a_unit_returns_a_request_and_a_supervisor_reassigns_it(app, people):
    ref = report(app)
    centre, builder, sup = people["centre"], people["builder"], people["sup"]
    assert act(centre, app, ref, "return", reason="这是住建局的事").status_code == 302
    assert state(app, ref)["status"] is RequestStatus.RETURNED
    # staff cannot reassign; the supervisors' queue shows it
    assert act(centre, app, ref, "reassign", unit="construction-bureau").status_code == 403
    queue = sup.get("/requests/returned").get_data(as_text=True)
    assert ref in queue
    page = sup.get(f"/requests/{ref}").get_data(as_text=True)
    assert "这是住建局的事" in page and f'action="/requests/{ref}/reassign"' in page
    assert act(sup, app, ref, "reassign", unit="").status_code == 422
    old_due = state(app, ref)["due_at"]
    assert act(sup, app, ref, "reassign", unit="construction-bureau",
               note="请住建局处理").status_code == 302
    got = state(app, ref)
    assert got["status"] is RequestStatus.DISPATCHED and got["unit"] == "construction-bureau"
    assert got["due_at"] >= old_due
    assert [a for a, _, _ in got["events"]] == ["dispatched", "returned", "reassigned"]
    (audit,) = audits(app, "request.reassign")
    assert audit.before["unit"] == "gov-service-centre" and audit.after["unit"] == "construction-bureau"
    assert ref not in sup.get("/requests/returned").get_data(as_text=True)
    # now it is the construction bureau's, no longer the centre's
    assert centre.get(f"/requests/{ref}").status_code == 403
    assert builder.get(f"/requests/{ref}").status_code == 200
    assert act(builder, app, ref, "accept").status_code == 302


def test_staff_of_another_unit_get_403_and_nothing_changes(app, people):
    ref = report(app)
    builder = people["builder"]
    before = state(app, ref)
    assert builder.get(f"/requests/{ref}").status_code == 403
    for action in ("accept", "return", "phone"):
        assert act(builder, app, ref, action, reason="x").status_code == 403
    assert state(app, ref) == before
    assert audits(app, "request.phone_view") == []
    assert ref not in builder.get("/requests/").get_data(as_text=True)
    # operators and supervisors read but do not work the request
    assert act(people["op"], app, ref, "accept").status_code == 403
    assert act(people["sup"], app, ref, "accept").status_code == 403
    assert state(app, ref) == before


def test_the_phone_is_masked_in_lists_and_shown_in_full_only_after_asking(app, people):
    ref = report(app)
    report(app, now=utcnow() - dt.timedelta(days=30), phone="13987654321")  # overdue
    for name, url in [("centre", "/requests/"), ("sup", "/requests/"), ("op", "/requests/"),
                      ("sup", "/supervision/")]:
        html = people[name].get(url).get_data(as_text=True)
        assert "13812345678" not in html and "13987654321" not in html, (name, url)
    assert MASKED in people["centre"].get("/requests/").get_data(as_text=True)
    centre = people["centre"]
    detail = centre.get(f"/requests/{ref}").get_data(as_text=True)
    assert PHONE not in detail and MASKED in detail
    assert f'action="/requests/{ref}/phone"' in detail
    shown = act(centre, app, ref, "phone")
    assert shown.status_code == 200 and PHONE in shown.get_data(as_text=True)
    act(people["op"], app, ref, "phone")
    views = audits(app, "request.phone_view")
    assert [(v.object_id, v.actor_label) for v in views] == [(ref, "centre"), (ref, "op")]
    assert PHONE not in centre.get(f"/requests/{ref}").get_data(as_text=True)


def test_staff_see_their_units_requests_with_deadline_words(app, people):
    overdue = report(app, now=utcnow() - dt.timedelta(days=30))
    fresh = report(app)
    elsewhere = report(app, unit="construction-bureau")
    centre = people["centre"]
    centre.set_cookie("lang", "en")
    html = centre.get("/requests/").get_data(as_text=True)
    assert overdue in html and fresh in html and elsewhere not in html
    row = re.search(rf"<tr class=\"request-row\">(?:(?!</tr>).)*{overdue}(?:(?!</tr>).)*</tr>", html,
                    re.DOTALL).group(0)
    assert "Overdue" in row
    assert html.index(overdue) < html.index(fresh)  # the late one first
    sup = people["sup"]
    assert elsewhere in sup.get("/requests/?unit=construction-bureau").get_data(as_text=True)
    assert fresh not in sup.get("/requests/?unit=construction-bureau").get_data(as_text=True)
    assert fresh not in sup.get("/requests/?status=resolved").get_data(as_text=True)


def test_the_supervision_board_lists_overdue_requests(app, people):
    late = report(app, now=utcnow() - dt.timedelta(days=30), unit="construction-bureau")
    on_time = report(app)
    resolved_late = report(app, now=utcnow() - dt.timedelta(days=30))
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == resolved_late))
        item.status = RequestStatus.RESOLVED
        db.session.commit()
    sup = people["sup"]
    sup.set_cookie("lang", "en")
    html = sup.get("/supervision/").get_data(as_text=True)
    section = html[html.index('id="overdue-requests-heading"'):]
    assert "Overdue requests" in html
    assert late in section and on_time not in section and resolved_late not in section
    row = section[section.index(late):section.index("</tr>", section.index(late))]
    days = (utcnow().astimezone(SHANGHAI).date() - state(app, late)["due_at"].astimezone(SHANGHAI).date()).days
    assert days >= 20
    assert f"{days} days overdue" in row and "经开区建设局" in row and "便民热线" in row


def test_list_and_board_need_the_same_number_of_statements_for_few_and_many(app, people,
                                                                         count_queries):
    def counts():
        out = {}
        for name, url in [("centre", "/requests/"), ("sup", "/requests/"),
                          ("sup", "/requests/returned"), ("sup", "/supervision/")]:
            with count_queries() as statements:
                assert people[name].get(url).status_code == 200
            out[(name, url)] = len(statements)
        return out

    people["centre"], people["sup"]  # signed in before counting
    for _ in range(2):
        report(app, now=utcnow() - dt.timedelta(days=10))
    few = counts()
    for i in range(10):
        report(app, now=utcnow() - dt.timedelta(days=i), unit="gov-service-centre")
    assert counts() == few
