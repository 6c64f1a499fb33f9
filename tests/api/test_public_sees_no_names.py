"""The public sees no names anywhere: the API's matters hide the responsible person from
callers without a staff token, as the public board does (issue 12, item 7)."""
from __future__ import annotations

from sqlalchemy import select

from service_desk.accounts.models import User
from service_desk.accounts.services import token_create
from service_desk.extensions import db

from ..factories import matter_set


def _person(body: dict, number: str):
    return next(m for m in body["items"] if m["number"] == number)["responsible_person"]


def test_anonymous_callers_get_no_responsible_person(app, client, seeded):
    matter_set(app, "S07", responsible_person="张建国", is_public=True)
    listed = client.get("/api/v1/matters?per_page=100").get_json()
    one = client.get("/api/v1/matters/S07").get_json()
    assert _person(listed, "S07") is None and one["responsible_person"] is None
    assert "张建国" not in client.get("/api/v1/matters?q=S07").get_data(as_text=True)


def test_staff_with_a_token_still_see_who_is_responsible(app, client, seeded, make_user):
    matter_set(app, "S07", responsible_person="张建国", is_public=True)
    name = make_user("supervisor")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == name))
        raw = token_create(user=user, actor="test")
        db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/matters/S07", headers=headers).get_json()[
        "responsible_person"] == "张建国"
    listed = client.get("/api/v1/matters?per_page=100", headers=headers).get_json()
    assert _person(listed, "S07") == "张建国"
