"""The hotline's book and report forms: every error in one round, no answer preselected that
the service then refuses, and the 12345 type of a report (投诉/咨询/建议/求助/表扬)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.requests.models import RequestType, ServiceRequest

from ..factories import (
    PHONE,
    csrf_from,
    free_times,
    open_every_day,
    post_form,
    service_by_code,
)
from ..factories import count_rows as count_requests

CHECKED_NONE = re.compile(r'<input[^>]*checked[^>]*name="group"[^>]*value=""'
                          r'|<input[^>]*name="group"[^>]*value=""[^>]*checked')


def errors_in(html: str) -> set[str]:
    return set(re.findall(r'id="([a-z_]+)-error"', html))


@pytest.fixture
def op(people):
    client = people["op"]
    client.set_cookie("lang", "en")
    return client


def _details(op, code: str, start: dt.datetime) -> str:
    page = op.get("/hotline/book", query_string={"service": code, "start": start.isoformat(),
                                                 "phone": PHONE})
    assert page.status_code == 200
    return page.get_data(as_text=True)


# --- reports -------------------------------------------------------------------------------

def test_an_empty_report_flags_every_missing_field_in_one_round(app, op):
    response = post_form(op, "/hotline/report", {})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert {"request_type", "service", "description", "name", "phone"} <= errors_in(html)
    assert not CHECKED_NONE.search(html)  # nor chosen for the caller when shown again
    assert count_requests(app) == 0


def test_the_service_rule_is_flagged_with_the_form_errors_not_after_them(app, op):
    """An enterprise-only service for a caller of no group, with no description: both errors
    come back together (they used to come in two rounds)."""
    response = post_form(op, "/hotline/report", {
        "request_type": "help", "service": "open-on-completion", "description": "",
        "name": "王先生", "phone": PHONE, "group": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert errors_in(html) == {"group", "description"}
    assert "This service is for the groups listed" in html
    assert count_requests(app) == 0


def test_the_report_form_preselects_no_group_and_names_whom_each_service_is_for(app, op):
    html = op.get("/hotline/report").get_data(as_text=True)
    assert not CHECKED_NONE.search(html)
    assert 'name="group" type="radio" value=""' in html  # still offered, not chosen
    # every active service that takes reports, the limited ones saying for whom
    for code in ("hotline", "open-on-completion", "butler-help-desk"):
        assert f'name="service" type="radio" value="{code}"' in html
    assert "(for: Enterprise)" in html
    # the five 12345 types, none chosen
    for kind in RequestType:
        assert f'name="request_type" type="radio" value="{kind.value}"' in html
    assert not re.search(r'name="request_type"[^>]*checked|checked[^>]*name="request_type"', html)


@pytest.mark.parametrize("kind,label", [("complaint", "Complaint"), ("enquiry", "Enquiry"),
                                        ("suggestion", "Suggestion"),
                                        ("help", "Request for help"), ("praise", "Praise")])
def test_a_report_keeps_its_type_shown_on_the_request_and_the_staff_list(app, op, people, kind,
                                                                         label):
    response = post_form(op, "/hotline/report", {
        "request_type": kind, "service": "hotline", "description": "楼道灯坏了",
        "name": "刘先生", "phone": PHONE})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest))
        assert item.request_type is RequestType(kind)
        ref = item.reference
    page = op.get(f"/requests/{ref}").get_data(as_text=True)
    assert re.search(rf'<dd class="request-type">{label}</dd>', page)
    staff = people["centre"]
    staff.set_cookie("lang", "en")
    listed = staff.get("/requests/").get_data(as_text=True)
    assert ref in listed and label in listed


def test_a_report_without_a_type_is_refused_and_stores_nothing(app, op):
    response = post_form(op, "/hotline/report", {
        "service": "hotline", "description": "楼道灯坏了", "name": "刘先生", "phone": PHONE})
    assert response.status_code == 422
    assert errors_in(response.get_data(as_text=True)) == {"request_type"}
    assert count_requests(app) == 0


# --- bookings ------------------------------------------------------------------------------

def test_none_of_these_is_preselected_for_a_home_visit_and_accepted(app, op, seeded):
    open_every_day(app, "home-visit", capacity=2, ahead=14)
    start = free_times(app, "home-visit", 1)[0].start
    details = _details(op, "home-visit", start)
    assert CHECKED_NONE.search(details)
    response = op.post("/hotline/book", data={
        "csrf_token": csrf_from(details), "service": "home-visit", "start": start.isoformat(),
        "name": "张阿姨", "phone": PHONE, "address": "海峰路 8 号", "group": "",
        "caller": PHONE})
    assert response.status_code == 302
    assert count_requests(app) == 1


def test_an_empty_booking_flags_every_field_at_once_with_the_services_rule(app, op, seeded):
    """A home visit limited to some groups: name, phone, address and group in one round, and
    "None of these" neither preselected nor offered."""
    open_every_day(app, "home-visit", capacity=2, ahead=14)
    with app.app_context():
        service_by_code("home-visit").eligible_groups = ["elderly", "disabled"]
        db.session.commit()
        db.session.remove()
    start = free_times(app, "home-visit", 1)[0].start
    details = _details(op, "home-visit", start)
    assert 'name="group" type="radio" value=""' not in details
    assert 'name="group" type="radio" value="elderly"' in details
    assert not re.search(r'name="group"[^>]*checked|checked[^>]*name="group"', details)
    response = op.post("/hotline/book", data={
        "csrf_token": csrf_from(details), "service": "home-visit", "start": start.isoformat(),
        "name": "", "phone": "", "address": ""})
    assert response.status_code == 422
    assert errors_in(response.get_data(as_text=True)) == {"name", "phone", "address", "group"}
    assert count_requests(app) == 0
