"""An administrator sets what residents should bring to a service, on its settings page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service_desk.catalog.models import Service
from service_desk.extensions import db

from ..factories import audits, csrf_from, login

URL = "/admin/services/appointment"


@pytest.fixture
def admin(client, seeded, make_user):
    make_user("admin", username="boss")
    login(client, "boss")
    client.set_cookie("lang", "en")
    return client


def stored(app) -> str | None:
    with app.app_context():
        return db.session.scalar(select(Service.what_to_bring)
                                 .where(Service.code == "appointment"))


def save(client, text: str):
    token = csrf_from(client.get(URL).get_data(as_text=True))
    return client.post(f"{URL}/what-to-bring",
                       data={"csrf_token": token, "bring-what_to_bring": text})


def test_the_admin_saves_and_clears_what_to_bring_and_each_change_is_audited(app, admin):
    page = admin.get(URL).get_data(as_text=True)
    assert 'id="bring-heading"' in page and 'name="bring-what_to_bring"' in page
    response = save(admin, "  身份证原件\r\n营业执照复印件  ")
    assert response.status_code == 302 and stored(app) == "身份证原件\n营业执照复印件"
    assert "营业执照复印件" in admin.get(URL).get_data(as_text=True)
    assert save(admin, "身份证原件\n营业执照复印件").status_code == 302  # unchanged
    assert save(admin, "").status_code == 302 and stored(app) is None
    changes = audits(app, "service.what_to_bring")
    assert [a.after["what_to_bring"] for a in changes] == ["身份证原件\n营业执照复印件", None]


def test_too_long_or_unstorable_text_is_refused_and_nothing_changes(app, admin):
    too_long = save(admin, "证" * 1001)
    html = too_long.get_data(as_text=True)
    assert too_long.status_code == 422 and 'id="bring-what_to_bring-error"' in html
    assert "Write at most 1000 characters." in html
    nul = save(admin, "身份证\x00")
    assert nul.status_code in (400, 422)
    assert stored(app) is None and audits(app, "service.what_to_bring") == []


def test_staff_who_do_not_manage_services_cannot_save_it(app, client, seeded, make_user):
    make_user("staff", unit="gov-service-centre", username="clerk")
    login(client, "clerk")
    token = csrf_from(client.get("/my-booking").get_data(as_text=True))
    response = client.post(f"{URL}/what-to-bring",
                           data={"csrf_token": token, "bring-what_to_bring": "x"})
    assert response.status_code == 403 and stored(app) is None
