"""Dispatched requests over the API: residents report and follow a problem; staff with a
bearer token list, read and move requests through the lifecycle, per unit and role, with
If-Match / version guards. Every response is checked against the OpenAPI document."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service_desk.audit.models import AuditEvent
from service_desk.extensions import db
from service_desk.requests.models import RequestStatus, ServiceRequest

from ..factories import PHONE


@pytest.fixture
def people(app, seeded, make_user, runner):
    """Tokens by name: staff of the centre (hotline's unit) and of another unit, an operator,
    a supervisor and an admin."""
    out = {}
    for name, role, unit in (("centre", "staff", "gov-service-centre"),
                             ("builder", "staff", "construction-bureau"),
                             ("op", "operator", None), ("sup", "supervisor", None),
                             ("adm", "admin", None)):
        make_user(role, unit=unit, username=name)
        out[name] = runner.invoke(args=["tokens", "create", name]).output.strip()
    return out


def report(api, **extra) -> dict:
    response = api.post("/api/v1/reports", check_request=True, json={
        "service_code": "hotline", "description": "小区路灯不亮三天了", "name": "王大爷",
        "phone": PHONE, "address": "海峰路 1 号", **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_resident_reports_a_problem_and_follows_it_by_reference_and_phone(app, api, people):
    body = report(api)
    assert body["status"] == "dispatched" and body["unit"] == "gov-service-centre"
    assert body["phone"] == "138****5678" and body["due_at"].endswith("+00:00")
    ref = body["reference"]
    seen = api.get(f"/api/v1/reports/{ref}?phone={PHONE}")
    assert seen.status_code == 200 and seen.get_json()["description"] == "小区路灯不亮三天了"
    wrong = api.get(f"/api/v1/reports/{ref}?phone=13912345678")
    unknown = api.get(f"/api/v1/reports/ZZZZ2222?phone={PHONE}")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == ref))
        assert item.status is RequestStatus.DISPATCHED and item.channel.value == "web"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "request.dispatch"))


@pytest.mark.parametrize("payload,field", [
    ({"service_code": "appointment"}, "service_code"), ({"phone": "123"}, "phone"),
    ({"description": "  "}, "description"), ({"unit": "nowhere"}, "unit"),
    ({"channel": "fax"}, "channel"), ({"description": "长" * 4001}, "description"),
    ({"group": "martian"}, "group"), ({"name": 5}, "name"), ({"extra": 1}, "extra"),
])
def test_invalid_reports_answer_422_naming_the_field_and_store_nothing(app, api, seeded,
                                                                       payload, field):
    base = {"service_code": "hotline", "description": "路灯不亮", "name": "王大爷", "phone": PHONE}
    response = api.post("/api/v1/reports", json=base | payload)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.query(ServiceRequest).count() == 0


def test_staff_work_their_units_request_through_the_lifecycle(app, api, people):
    ref = report(api)["reference"]
    staff = api.as_user(people["centre"])
    listed = staff.get("/api/v1/requests").get_json()
    assert [r["reference"] for r in listed["items"]] == [ref]
    assert listed["items"][0]["phone"] == "138****5678"
    assert listed["items"][0]["actions"] == ["accept", "return"]
    detail = staff.get(f"/api/v1/requests/{ref}")
    etag = detail.headers["ETag"]
    assert etag == f'"{detail.get_json()["version"]}"'
    assert [h["action"] for h in detail.get_json()["history"]] == ["dispatched"]
    accepted = staff.post(f"/api/v1/requests/{ref}/accept", check_request=True,
                          headers={"If-Match": etag}, json={"note": "已签收"})
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    etag = accepted.headers["ETag"]
    handled = staff.post(f"/api/v1/requests/{ref}/handle", headers={"If-Match": etag},
                         json={"note": "已派电工"})
    assert handled.status_code == 200
    resolved = staff.post(f"/api/v1/requests/{ref}/resolve",
                          json={"reply": "路灯已修好", "version": handled.get_json()["version"]})
    assert resolved.status_code == 200 and resolved.get_json()["status"] == "resolved"
    # the operator calls the resident back
    op = api.as_user(people["op"])
    version = op.get(f"/api/v1/requests/{ref}").get_json()["version"]
    done = op.post(f"/api/v1/requests/{ref}/callback",
                   json={"satisfaction": "very_satisfied", "note": "很满意", "version": version})
    assert done.status_code == 200 and done.get_json()["status"] == "called_back"
    history = op.get(f"/api/v1/requests/{ref}").get_json()["history"]
    assert [h["action"] for h in history] == ["dispatched", "accepted", "handled", "resolved",
                                              "called_back"]
    assert history[-1]["satisfaction"] == "very_satisfied" and history[-1]["note"] == "很满意"
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"request.accept", "request.handle", "request.resolve", "request.callback"} <= actions
    # the resident sees the reply, and can rate it
    assert api.get(f"/api/v1/reports/{ref}?phone={PHONE}").get_json()["reply"] == "路灯已修好"


def test_who_sees_and_works_which_requests(app, api, people):
    ref = report(api)["reference"]
    builder = api.as_user(people["builder"])
    assert builder.get("/api/v1/requests").get_json()["total"] == 0
    assert builder.get(f"/api/v1/requests/{ref}").status_code == 403
    version = api.as_user(people["sup"]).get(f"/api/v1/requests/{ref}").get_json()["version"]
    refused = builder.post(f"/api/v1/requests/{ref}/accept", json={"version": version})
    assert refused.status_code == 403
    for name in ("op", "sup", "adm"):
        assert api.as_user(people[name]).get("/api/v1/requests").get_json()["total"] == 1
    # operators and supervisors see but do not work a unit's request
    for name in ("op", "sup"):
        response = api.as_user(people[name]).post(f"/api/v1/requests/{ref}/accept",
                                                   json={"version": version})
        assert response.status_code == 403
    assert api.get("/api/v1/requests").status_code == 401
    assert api.as_user("not-a-token").get(f"/api/v1/requests/{ref}").status_code == 401
    assert api.as_user(people["adm"]).get("/api/v1/requests/NOPE1234").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(ServiceRequest.status)) is RequestStatus.DISPATCHED


def test_filters_and_pages_of_the_requests_list(api, people):
    refs = [report(api, description=f"问题 {n}")["reference"] for n in range(3)]
    sup = api.as_user(people["sup"])
    first = sup.get("/api/v1/requests?per_page=2").get_json()
    assert first["total"] == 3 and len(first["items"]) == 2 and "page=2" in first["links"]["next"]
    assert sup.get("/api/v1/requests?unit=construction-bureau").get_json()["total"] == 0
    assert sup.get("/api/v1/requests?status=accepted").get_json()["total"] == 0
    assert sup.get("/api/v1/requests?status=dispatched").get_json()["total"] == 3
    bad = sup.get("/api/v1/requests?status=flying")
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["fields"]
    assert sup.get("/api/v1/requests?per_page=0").status_code == 422
    assert set(refs) >= {r["reference"] for r in first["items"]}


def test_stale_and_refused_steps_change_nothing(app, api, people):
    ref = report(api)["reference"]
    staff = api.as_user(people["centre"])
    version = staff.get(f"/api/v1/requests/{ref}").get_json()["version"]
    stale_header = staff.post(f"/api/v1/requests/{ref}/accept", headers={"If-Match": '"999"'},
                              json={})
    assert stale_header.status_code == 412
    assert stale_header.get_json()["current"]["version"] == version
    assert stale_header.headers["ETag"] == f'"{version}"'
    stale_body = staff.post(f"/api/v1/requests/{ref}/accept", json={"version": version - 1})
    assert stale_body.status_code == 409 and stale_body.get_json()["error"]["code"] == "conflict"
    missing = staff.post(f"/api/v1/requests/{ref}/accept", json={})
    assert missing.status_code == 428
    star = staff.post(f"/api/v1/requests/{ref}/accept", headers={"If-Match": "*"}, json={})
    assert star.status_code == 428
    not_now = staff.post(f"/api/v1/requests/{ref}/resolve",
                         json={"reply": "好了", "version": version})
    assert not_now.status_code == 409 and not_now.get_json()["error"]["code"] == "not_allowed"
    no_reason = staff.post(f"/api/v1/requests/{ref}/return", json={"version": version,
                                                                    "reason": " "})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest))
        assert item.status is RequestStatus.DISPATCHED and item.version == version


def test_a_returned_request_is_reassigned_by_a_supervisor(app, api, people):
    ref = report(api)["reference"]
    staff = api.as_user(people["centre"])
    etag = staff.get(f"/api/v1/requests/{ref}").headers["ETag"]
    returned = staff.post(f"/api/v1/requests/{ref}/return", headers={"If-Match": etag},
                          json={"reason": "不属于本单位"})
    assert returned.status_code == 200 and returned.get_json()["status"] == "returned"
    sup = api.as_user(people["sup"])
    etag = sup.get(f"/api/v1/requests/{ref}").headers["ETag"]
    unknown = sup.post(f"/api/v1/requests/{ref}/reassign", headers={"If-Match": etag},
                       json={"unit": "nowhere"})
    assert unknown.status_code == 422 and "unit" in unknown.get_json()["error"]["fields"]
    moved = sup.post(f"/api/v1/requests/{ref}/reassign", headers={"If-Match": etag},
                     json={"unit": "construction-bureau", "note": "请建设局处理"})
    assert moved.status_code == 200
    assert moved.get_json()["unit"] == "construction-bureau" and moved.get_json()["status"] == "dispatched"
    assert api.as_user(people["builder"]).get("/api/v1/requests").get_json()["total"] == 1
    assert api.as_user(people["centre"]).get(f"/api/v1/requests/{ref}").status_code == 403


def test_the_requests_list_issues_a_bounded_number_of_queries(api, people, count_queries):
    report(api)
    sup = api.as_user(people["sup"])
    with count_queries() as few:
        sup.get("/api/v1/requests")
    for n in range(6):
        report(api, description=f"问题 {n}")
    with count_queries() as many:
        sup.get("/api/v1/requests")
    assert len(many) == len(few) <= 6
