"""One guard before any view refuses NUL (PostgreSQL cannot store it in text: a 500 there) and
lone surrogates in the path, the query string and form fields: the friendly 400 page, or the
contract's error shape under /api. Open311 answers in its own format and is left out."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service_desk.accounts.models import User
from service_desk.audit.models import AuditEvent
from service_desk.extensions import db

from ..factories import csrf_from, signed_in


@pytest.mark.parametrize("url", ["/board?unit=%00", "/book/a%00b", "/book/a%00b/2026-01-01",
                                 "/board?%00=1", "/my-booking?ref=%00"])
def test_a_nul_in_a_public_page_address_answers_the_400_page(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "<html" in response.get_data(as_text=True).lower()


def test_a_nul_in_a_staff_search_answers_the_400_page(app, seeded, make_user):
    make_user("staff", unit="gov-service-centre", username="centre")
    client = signed_in(app, "centre")
    assert client.get("/matters/?q=a%00b").status_code == 400
    assert client.get("/matters/?q=ab").status_code == 200


@pytest.mark.parametrize("username, password", [("op\x00", "x"), ("op", "pass\x00word")])
def test_a_nul_in_the_login_form_answers_400_and_records_nothing(app, client, make_user,
                                                                username, password):
    make_user("operator", username="op")
    page = client.get("/login").get_data(as_text=True)
    with app.app_context():
        audits = len(db.session.scalars(select(AuditEvent)).all())
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_from(page)})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User.failed_logins).where(User.username == "op")) == 0
        assert len(db.session.scalars(select(AuditEvent)).all()) == audits


def test_the_api_answers_in_its_shape_naming_the_parameter(client, seeded):
    response = client.get("/api/v1/matters?q=a%00b")
    assert response.status_code == 400
    assert response.get_json() == {"error": {
        "code": "invalid_characters", "fields": {"q": response.get_json()["error"]["fields"]["q"]},
        "message": response.get_json()["error"]["message"]}}


def test_ordinary_text_passes(client, seeded):
    assert client.get("/board?unit=construction-bureau&q=%E7%8E%8B%F0%9F%98%80").status_code == 200
