"""Shared test data and helpers: plain functions, plus the fixtures at the bottom (registered
for the whole suite by ``pytest_plugins`` in tests/conftest.py).

Each function opens its own app context and commits, so it works the same with the wiped
tables and with the rolled-back transaction of tests/conftest.py.
"""
from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service_desk.accounts.models import User
from service_desk.audit.models import AuditEvent
from service_desk.catalog.models import Channel, OpeningHours, Service
from service_desk.extensions import db
from service_desk.requests.models import RequestEvent, RequestStatus, ServiceRequest
from service_desk.units.models import Unit

PASSWORD = "correct-horse-battery"
PHONE = "13812345678"
MASKED = "138****5678"
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 2)  # a Monday


# --- forms and signing in --------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in page"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD, next_url: str | None = None):
    page = client.get("/login")
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password,
                                  "csrf_token": csrf_from(page.get_data(as_text=True))})


def post_form(client, url: str, data: dict, page_url: str | None = None):
    """POST like a browser: fetch the page that holds the form for its CSRF token first."""
    page = client.get(page_url or url)
    return client.post(url, data={**data, "csrf_token": csrf_from(page.get_data(as_text=True))})


def signed_in(app, username: str, *, lang: str | None = None):
    """A new test client signed in as ``username`` (``lang="en"``: English pages)."""
    client = app.test_client()
    if lang:
        client.set_cookie("lang", lang)
    assert login(client, username).status_code == 302
    return client


PEOPLE = {"centre": ("staff", "gov-service-centre"), "colleague": ("staff", "gov-service-centre"),
          "builder": ("staff", "construction-bureau"), "op": ("operator", None),
          "op2": ("operator", None), "sup": ("supervisor", None), "root": ("admin", None)}


class People(dict):
    """Signed-in clients by name (see PEOPLE), each account made on first use (hashing
    passwords is slow)."""

    def __init__(self, app, make_user, *, lang: str | None = None):
        super().__init__()
        self.app, self.make_user, self.lang = app, make_user, lang

    def __missing__(self, name: str):
        role, unit = PEOPLE[name]
        self.make_user(role, unit=unit, username=name)
        self[name] = signed_in(self.app, name, lang=self.lang)
        return self[name]


# --- services open for booking ---------------------------------------------------------------

LUNCH_BREAK = ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17)))
EIGHT_TO_EIGHT = ((dt.time(8), dt.time(20)),)


def service_by_code(code: str) -> Service:
    """Inside an app context."""
    return db.session.scalar(select(Service).where(Service.code == code))


def open_every_day(app, code: str = "appointment", *, capacity: int, ahead: int,
                   notice: int = 0, minutes: int = 30, periods=LUNCH_BREAK) -> None:
    """Open ``code`` every day of the week in ``periods``, ``capacity`` places a slot of
    ``minutes``, bookable ``ahead`` days ahead with ``notice`` minutes' notice."""
    with app.app_context():
        service = service_by_code(code)
        service.capacity, service.duration_minutes = capacity, minutes
        service.book_ahead_days, service.min_notice_minutes = ahead, notice
        for weekday in range(7):
            for opens, closes in periods:
                db.session.add(OpeningHours(service_id=service.id, weekday=weekday,
                                            opens=opens, closes=closes))
        db.session.commit()
        db.session.remove()


def open_for_booking(app, capacity: dict[str, int] | None = None) -> None:
    """The residents' three services every day 09:00–12:00 and 13:30–17:00, 30-minute slots,
    two weeks ahead, an hour's notice; one place a slot unless ``capacity`` says otherwise."""
    capacity = capacity or {}
    for code in ("home-visit", "appointment", "sign-language"):
        open_every_day(app, code, capacity=capacity.get(code, 1), ahead=14, notice=60)


def free_times(app, code: str = "appointment", count: int = 3, *, days: int = 14):
    """Free slots from tomorrow on (today's may close while the test runs)."""
    from service_desk.base.calendar import zone
    from service_desk.db import utcnow
    from service_desk.requests.availability import free_slots

    with app.app_context():
        now = utcnow()
        today = now.astimezone(zone()).date()
        slots = free_slots(service_by_code(code), first=today + dt.timedelta(days=1),
                           last=today + dt.timedelta(days=days), now=now)
        return [s for s in slots if s.remaining > 0][:count]


# --- requests --------------------------------------------------------------------------------

def local_at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A local (Shanghai) time as aware UTC, as stored."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI).astimezone(dt.UTC)


def report(app, *, service: str = "hotline", unit: str | None = None, phone: str = PHONE,
           name: str = "王大爷", now: dt.datetime | None = None,
           description: str = "小区路灯不亮") -> str:
    """A request reported and dispatched (as the hotline would); returns its reference."""
    from service_desk.requests.eligibility import groups_of
    from service_desk.requests.lifecycle import report_create
    from service_desk.requests.residents import Resident

    with app.app_context():
        svc = service_by_code(service)
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


def add_booking(app, *, service="appointment", reference, start, name="王秀英", phone=PHONE,
                needs=None, group=None, address=None, status=RequestStatus.BOOKED,
                unit=None, minutes=30, assignee=None) -> str:
    """Insert an appointment row directly (for tests where the booking rules are not under
    test). ``unit`` defaults to the service's unit."""
    with app.app_context():
        svc = service_by_code(service)
        unit_id = svc.unit_id
        if unit is not None:
            unit_id = db.session.scalar(select(Unit.id).where(Unit.code == unit))
        assignee_id = (db.session.scalar(select(User.id).where(User.username == assignee))
                       if assignee else None)
        db.session.add(ServiceRequest(
            reference=reference, service_id=svc.id, channel=Channel.PHONE, status=status,
            resident_name=name, resident_phone=phone, address=address, special_group=group,
            needs=needs, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes),
            unit_id=unit_id, assignee_id=assignee_id))
        db.session.commit()
        db.session.remove()
    return reference


def act(client, app, reference: str, action: str, version: int | None = None, **data):
    """POST a lifecycle form (/requests/<ref>/<action>) like a browser, with the request's
    current version."""
    token = csrf_from(client.get("/").get_data(as_text=True))
    if version is None:
        version = state(app, reference)["version"]
    return client.post(f"/requests/{reference}/{action}",
                       data={"csrf_token": token, "version": str(version), **data})


def new_key(app, name: str = "城市随手拍") -> str:
    """A new Open311 api_key; returns the raw key."""
    from service_desk.open311.keys import api_key_create

    with app.app_context():
        _, raw = api_key_create(name=name, actor="test")
        db.session.commit()
        db.session.remove()
    return raw


# --- reading back what was stored ------------------------------------------------------------

def stored_request(app, reference: str) -> ServiceRequest:
    """The request row, detached."""
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference))
        db.session.expunge(item)
        return item


def state(app, reference: str) -> dict:
    """A request's fields and its events as (action, status after, note)."""
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference))
        unit = db.session.get(Unit, item.unit_id) if item.unit_id else None
        events = db.session.scalars(select(RequestEvent).where(RequestEvent.request_id == item.id)
                                    .order_by(RequestEvent.at, RequestEvent.id)).all()
        return {"status": item.status, "version": item.version,
                "unit": unit.code if unit else None, "due_at": item.due_at, "reply": item.reply,
                "assignee_id": item.assignee_id,
                "events": [(e.action, e.status_after, e.note) for e in events],
                "channel": item.channel, "created_by_id": item.created_by_id}


def events_of(app, reference: str) -> list[RequestEvent]:
    """A request's events in the order written, detached."""
    with app.app_context():
        rows = db.session.scalars(
            select(RequestEvent).join(ServiceRequest, ServiceRequest.id == RequestEvent.request_id)
            .where(ServiceRequest.reference == reference).order_by(RequestEvent.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def audits(app, action: str) -> list[AuditEvent]:
    """The audit events of ``action``, oldest first, detached."""
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def count_rows(app, model=ServiceRequest) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# --- reading pages -------------------------------------------------------------------------

class _Tables(HTMLParser):
    """Rows of cell texts of every table, by caption."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = self._cell = None
        self._rows: list[list[str]] | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption.strip()] = [r for r in self._rows if r]
            self._rows = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell += data


def html_tables(html: str) -> dict[str, list[list[str]]]:
    """Rows of cell texts of every table of a page, by caption."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


# --- matters ---------------------------------------------------------------------------------

def matter_set(app, number: str, **values) -> None:
    """Set fields of the matter ``number`` directly and commit."""
    from service_desk.matters.models import Matter

    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == number))
        for key, value in values.items():
            setattr(matter, key, value)
        db.session.commit()


def add_synthetic_matters(app, n: int, unit: str = "construction-bureau") -> None:
    """``n`` synthetic matters X000… led by ``unit`` (for counting statements at size)."""
    from service_desk.matters.models import Matter

    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == unit))
        for i in range(n):
            db.session.add(Matter(number=f"X{i:03d}", title=f"synthetic {i}", origin="synthetic",
                                  is_synthetic=True, lead_unit_id=unit_id))
        db.session.commit()


def matter_get(app, number: str):
    """The matter ``number``, detached."""
    from service_desk.matters.models import Matter

    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == number))
        db.session.expunge(matter)
        return matter


# --- fixtures --------------------------------------------------------------------------------

@pytest.fixture
def people(app, seeded, make_user):
    """Signed-in clients by name (PEOPLE): staff of the hotline's unit and of another unit,
    operators, a supervisor, an admin. A test module may override it."""
    return People(app, make_user)
