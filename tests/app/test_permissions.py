"""The access matrix: roles × URLs, including per-object checks on a matter's unit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.matters.models import Matter, MatterUpdate

from ..factories import csrf_from, login

# S03 is led by gov-service-centre; S08 is led by sci-tech-bureau with finance-bureau helping
PERSONAS = {
    "anonymous": None,
    "operator": ("operator", None),
    "staff_lead": ("staff", "gov-service-centre"),
    "staff_other": ("staff", "construction-bureau"),
    "supervisor": ("supervisor", None),
    "admin": ("admin", None),
}
SIGNED_IN = ["operator", "staff_lead", "staff_other", "supervisor", "admin"]

# (method, url, personas allowed); anonymous visitors of protected pages go to /login
MATRIX = [
    ("GET", "/", list(PERSONAS)),
    ("GET", "/login", list(PERSONAS)),
    ("GET", "/healthz", list(PERSONAS)),
    ("GET", "/matters/", SIGNED_IN),
    ("GET", "/matters/S03", SIGNED_IN),
    ("POST", "/matters/S03/updates", ["staff_lead", "admin"]),
    ("GET", "/matters/export.xlsx", ["supervisor", "admin"]),
    ("GET", "/matters/export.csv", ["supervisor", "admin"]),
    ("GET", "/matters/import", ["supervisor", "admin"]),
    ("GET", "/supervision/", ["supervisor", "admin"]),
    ("GET", "/supervision/units", ["supervisor", "admin"]),
    ("GET", "/supervision/extensions", ["supervisor", "admin"]),
    ("GET", "/supervision/notices", ["staff_lead", "staff_other", "supervisor", "admin"]),
    ("GET", "/supervision/matters/S03/notice", ["supervisor", "admin"]),
    ("GET", "/admin/outbox", ["admin"]),
    ("GET", "/board/", list(PERSONAS)),
    ("GET", "/board/S03", list(PERSONAS)),
    ("GET", "/book", list(PERSONAS)),
    ("GET", "/book/appointment", list(PERSONAS)),
    ("GET", "/my-booking", list(PERSONAS)),
    ("GET", "/hotline/", ["operator", "admin"]),
    ("GET", "/hotline/report", ["operator", "admin"]),
    ("GET", "/requests/", SIGNED_IN),
    ("GET", "/requests/returned", ["supervisor", "admin"]),
    ("GET", "/schedule", ["staff_lead", "staff_other", "supervisor", "admin"]),
    ("GET", "/schedule/week", ["staff_lead", "staff_other", "supervisor", "admin"]),
    ("GET", "/admin/services", ["admin"]),
    ("GET", "/admin/services/appointment", ["admin"]),
    ("GET", "/admin/users", ["admin"]),
    ("GET", "/admin/audit", ["supervisor", "admin"]),
    ("GET", "/rectifications", ["staff_lead", "staff_other", "supervisor", "admin"]),
    ("GET", "/api/v1/units", list(PERSONAS)),
    ("GET", "/api/v1/matters", list(PERSONAS)),
]


@pytest.fixture
def as_persona(app, seeded, make_user):
    def sign_in(persona: str):
        client = app.test_client()
        spec = PERSONAS[persona]
        if spec is not None:
            name = make_user(spec[0], unit=spec[1], username=persona)
            assert login(client, name).status_code == 302
        return client

    return sign_in


def _request(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    home = client.get("/").get_data(as_text=True)  # signed in: the sign-out form has a token
    token = csrf_from(home if "csrf_token" in home else client.get("/login").get_data(as_text=True))
    with client.application.app_context():
        version = db.session.scalar(select(Matter.version).where(Matter.number == "S03"))
    return client.post(url, data={"csrf_token": token, "status": "in_progress", "progress": "50",
                                  "note": "matrix test", "version": str(version)})


@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize("method,url,allowed", MATRIX, ids=[f"{m} {u}" for m, u, _ in MATRIX])
def test_access_matrix(as_persona, persona, method, url, allowed):
    client = as_persona(persona)
    response = _request(client, method, url)
    if persona in allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert "/login" not in response.headers["Location"]
    elif persona == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == 403


def test_staff_of_another_unit_cannot_change_an_item_and_nothing_is_stored(app, as_persona):
    client = as_persona("staff_other")
    response = _request(client, "POST", "/matters/S03/updates")
    assert response.status_code == 403
    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == "S03"))
        assert matter.progress == 100 and matter.version == 1
        assert db.session.query(MatterUpdate).filter_by(matter_id=matter.id).count() == 1


def test_the_detail_page_offers_the_update_form_only_to_whoever_may_use_it(as_persona):
    lead = as_persona("staff_lead").get("/matters/S03").get_data(as_text=True)
    other = as_persona("staff_other").get("/matters/S03").get_data(as_text=True)
    assert 'action="/matters/S03/updates"' in lead
    assert 'action="/matters/S03/updates"' not in other
