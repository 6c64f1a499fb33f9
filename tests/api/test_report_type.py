"""A report's 12345 type (投诉/咨询/建议/求助/表扬) over the API: optional when reporting,
named in the report and in staff's view of the request; answers checked against OpenAPI."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.requests.models import RequestType, ServiceRequest

from ..factories import PHONE

BASE = {"service_code": "hotline", "description": "小区路灯不亮", "name": "王大爷",
        "phone": PHONE}


@pytest.fixture
def staff_token(app, seeded, make_user, runner) -> str:
    make_user("staff", unit="gov-service-centre", username="centre")
    return runner.invoke(args=["tokens", "create", "centre"]).output.strip()


def test_a_report_gives_its_type_and_staff_read_it(app, api, staff_token):
    response = api.post("/api/v1/reports", check_request=True,
                        json={**BASE, "request_type": "suggestion"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["request_type"] == "suggestion"
    seen = api.get(f"/api/v1/reports/{body['reference']}?phone={PHONE}").get_json()
    assert seen["request_type"] == "suggestion"
    listed = api.as_user(staff_token).get("/api/v1/requests").get_json()
    assert listed["items"][0]["request_type"] == "suggestion"
    with app.app_context():
        assert db.session.scalar(select(ServiceRequest.request_type)) is RequestType.SUGGESTION


def test_the_type_is_optional_over_the_api(app, api, seeded):
    for extra in ({}, {"request_type": None}):
        response = api.post("/api/v1/reports", check_request=True, json={**BASE, **extra})
        assert response.status_code == 201 and response.get_json()["request_type"] is None


def test_an_unknown_type_is_refused_naming_the_field(app, api, seeded):
    response = api.post("/api/v1/reports", json={**BASE, "request_type": "angry"})
    assert response.status_code == 422
    assert "request_type" in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.query(ServiceRequest).count() == 0
