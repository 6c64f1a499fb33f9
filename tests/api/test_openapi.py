"""The OpenAPI document is valid OpenAPI 3, and real responses of every operation — success
and error — match it (openapi-core), so the document and the code cannot drift apart."""
from __future__ import annotations

import datetime as dt

import pytest
from openapi_core.validation.response.exceptions import InvalidData
from openapi_spec_validator import validate
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.requests.models import RequestStatus, ServiceRequest

from ..factories import EIGHT_TO_EIGHT, PHONE, open_every_day
from .api_helpers import DOCUMENT, ApiClient, validate_response


def test_the_document_is_valid_openapi_3(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.get_json() == DOCUMENT
    validate(served.get_json())


def test_the_check_catches_a_response_that_drifted(app, client, seeded, monkeypatch):
    """A field added to a serializer without documenting it fails the check."""
    from service_desk.api import routes

    original = routes.unit_json
    monkeypatch.setattr(routes, "unit_json", lambda unit: original(unit) | {"secret": 1})
    response = client.get("/api/v1/units")
    with pytest.raises(InvalidData):
        validate_response(response)
    monkeypatch.undo()
    validate_response(client.get("/api/v1/units"))


@pytest.fixture
def world(app, seeded, make_user, runner):
    open_every_day(app, capacity=1, ahead=30, periods=EIGHT_TO_EIGHT)
    tokens = {}
    for name, role, unit in (("centre", "staff", "gov-service-centre"), ("sup", "supervisor", None),
                             ("op", "operator", None), ("builder", "staff", "construction-bureau"),
                             ("trade", "staff", "commerce-bureau")):
        make_user(role, unit=unit, username=name)
        tokens[name] = runner.invoke(args=["tokens", "create", name]).output.strip()
    return tokens


def test_every_operation_answers_as_documented(app, client, world):
    api = ApiClient(client)
    staff, sup, op = (api.as_user(world[n]) for n in ("centre", "sup", "op"))
    builder = api.as_user(world["builder"])
    # ledger
    api.get("/api/v1/units")
    api.get("/api/v1/key-issues")
    api.get("/api/v1/matters?per_page=2")
    api.get("/api/v1/matters?status=flying")
    etag = api.get("/api/v1/matters/S03").headers["ETag"]
    api.get("/api/v1/matters/NOPE")
    api.patch("/api/v1/matters/S03", json={"note": "x"})  # 401
    builder.patch("/api/v1/matters/S03", json={"note": "x", "progress": 5})  # 403
    staff.patch("/api/v1/matters/S03", data="{", content_type="application/json")  # 400
    staff.patch("/api/v1/matters/S03", json={"note": "x"})  # 428
    staff.patch("/api/v1/matters/S03", json={"note": "x", "progress": 500, "version": 1})  # 409/422
    staff.patch("/api/v1/matters/S03", data='{"note": "' + "x" * 70000 + '"}',
                content_type="application/json")  # 413
    ok = staff.patch("/api/v1/matters/S03", check_request=True, headers={"If-Match": etag},
                     json={"note": "进展", "progress": 30, "status": "in_progress"})
    assert ok.status_code == 200
    assert staff.patch("/api/v1/matters/S03", headers={"If-Match": etag},
                       json={"note": "x"}).status_code == 412
    # key projects (issue 14)
    trade = api.as_user(world["trade"])
    api.get("/api/v1/projects")  # 401
    sup.get("/api/v1/projects?per_page=2")
    sup.get("/api/v1/projects?stage=flying")  # 422
    etag = trade.get("/api/v1/projects/hongrui-medical").headers["ETag"]
    staff.get("/api/v1/projects/hongrui-medical")  # 404: another unit's
    sup.patch("/api/v1/projects/hongrui-medical", headers={"If-Match": etag},
              json={"stage": "approval"})  # 403: reads, may not change
    trade.patch("/api/v1/projects/hongrui-medical", json={"stage": "approval"})  # 428
    trade.patch("/api/v1/projects/hongrui-medical", headers={"If-Match": etag},
                json={"signing_actual": "2021-02-30"})  # 422
    assert trade.patch("/api/v1/projects/hongrui-medical", check_request=True,
                       headers={"If-Match": etag},
                       json={"stage": "approval", "signing_planned": "2021-Q3"}).status_code == 200
    assert trade.patch("/api/v1/projects/hongrui-medical", headers={"If-Match": etag},
                       json={"stage": "land_supply"}).status_code == 412
    # appointments
    api.get("/api/v1/services")
    today = dt.date.today()
    slots = api.get(f"/api/v1/services/appointment/slots?from={today}"
                    f"&to={today + dt.timedelta(days=20)}").get_json()
    api.get("/api/v1/services/nope/slots")
    api.get("/api/v1/services/appointment/slots?from=2026-13-01")
    free = [s["start"] for s in slots if s["remaining"]]
    booking = {"service_code": "appointment", "start": free[0], "name": "李阿姨", "phone": PHONE,
               "group": "elderly"}
    ref = api.post("/api/v1/appointments", check_request=True, json=booking).get_json()["reference"]
    assert api.post("/api/v1/appointments", json=booking | {"phone": "13912345678"}).status_code == 409
    api.post("/api/v1/appointments", json=booking | {"phone": "1"})
    api.get(f"/api/v1/appointments/{ref}?phone={PHONE}")
    api.get(f"/api/v1/appointments/{ref}?phone=13912345678")
    api.post(f"/api/v1/appointments/{ref}/reschedule", check_request=True,
             json={"phone": PHONE, "start": free[1]})
    api.post(f"/api/v1/appointments/{ref}/reschedule", json={"phone": PHONE, "start": "soon"})
    api.post(f"/api/v1/appointments/{ref}/rating", json={"phone": PHONE, "level": 5})  # 409
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == ref))
        item.status = RequestStatus.COMPLETED
        db.session.commit()
    api.post(f"/api/v1/appointments/{ref}/rating", json={"phone": PHONE, "level": 9})
    api.post(f"/api/v1/appointments/{ref}/rating", check_request=True,
             json={"phone": PHONE, "level": 4, "comment": "不错"})
    api.post(f"/api/v1/appointments/{ref}/cancel", json={"phone": PHONE})  # 409: completed
    api.post("/api/v1/appointments/ZZZZ2222/cancel", json={"phone": PHONE})  # 404
    second = api.post("/api/v1/appointments", json=booking | {"start": free[2]}).get_json()
    api.post(f"/api/v1/appointments/{second['reference']}/cancel", check_request=True,
             json={"phone": PHONE, "reason": "有事"})
    api.get("/api/v1/stats/ratings")
    api.get("/api/v1/stats/ratings?from=2026-13")
    # reports and the lifecycle
    report = api.post("/api/v1/reports", check_request=True, json={
        "service_code": "hotline", "description": "路灯不亮", "name": "王大爷", "phone": PHONE})
    rref = report.get_json()["reference"]
    api.post("/api/v1/reports", json={"service_code": "hotline"})
    api.get(f"/api/v1/reports/{rref}?phone={PHONE}")
    api.get(f"/api/v1/reports/{rref}?phone=13912345678")
    api.get("/api/v1/requests")
    builder.get("/api/v1/requests")
    staff.get("/api/v1/requests?status=flying")
    builder.get(f"/api/v1/requests/{rref}")
    staff.get("/api/v1/requests/NOPE1234")
    etag = staff.get(f"/api/v1/requests/{rref}").headers["ETag"]
    staff.post(f"/api/v1/requests/{rref}/resolve", headers={"If-Match": etag}, json={"reply": "x"})
    builder.post(f"/api/v1/requests/{rref}/accept", json={})  # 403
    staff.post(f"/api/v1/requests/{rref}/handle", headers={"If-Match": etag}, json={})  # 422
    staff.post(f"/api/v1/requests/{rref}/return", headers={"If-Match": '"0"'},
               json={"reason": "x"})  # 412
    staff.post(f"/api/v1/requests/{rref}/reassign", json={"unit": "x"})  # 403
    for action, body in (("accept", {}), ("handle", {"note": "派人"}), ("return", {"reason": "错派"})):
        etag = staff.get(f"/api/v1/requests/{rref}").headers["ETag"]
        assert staff.post(f"/api/v1/requests/{rref}/{action}", check_request=True,
                          headers={"If-Match": etag}, json=body).status_code == 200
    version = sup.get(f"/api/v1/requests/{rref}").get_json()["version"]
    sup.post(f"/api/v1/requests/{rref}/reassign", json={"unit": "gov-service-centre",
                                                        "version": version})
    for action, body in (("accept", {}), ("resolve", {"reply": "已修好"})):
        etag = staff.get(f"/api/v1/requests/{rref}").headers["ETag"]
        staff.post(f"/api/v1/requests/{rref}/{action}", headers={"If-Match": etag}, json=body)
    version = op.get(f"/api/v1/requests/{rref}").get_json()["version"]
    op.post(f"/api/v1/requests/{rref}/callback", json={"satisfaction": "maybe", "note": "x",
                                                       "version": version})
    op.post(f"/api/v1/requests/{rref}/callback", check_request=True,
            json={"satisfaction": "satisfied", "note": "满意", "version": version})
    op.post(f"/api/v1/requests/{rref}/callback", json={"satisfaction": "satisfied", "note": "x",
                                                       "version": version + 1})  # not allowed
    # every documented operation was called, with a success and with an error
    operations = {(m.upper(), p) for p, ops in DOCUMENT["paths"].items() for m in ops}
    succeeded = {(m, p) for m, p, status in api.seen if status < 300}
    failed = {(m, p) for m, p, status in api.seen if status >= 400}
    assert operations - succeeded == set()
    assert operations - failed - {("GET", "/units"), ("GET", "/key-issues"),
                                  ("GET", "/services")} == set()
