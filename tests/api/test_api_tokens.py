"""API tokens in the web UI: create one (shown once, with a label), list and revoke your own;
administrators revoke anyone's; a revoked token stops working at once; all audited."""
from __future__ import annotations

import re

from sqlalchemy import select

from service_desk.accounts.models import ApiToken
from service_desk.audit.models import AuditEvent
from service_desk.extensions import db

from ..factories import csrf_from, login, post_form


def english(client):
    client.set_cookie("lang", "en")
    return client


TOKEN_RE = re.compile(r'<code id="new-token">([^<]+)</code>')


def create(client, label: str) -> str:
    response = post_form(client, "/account/tokens", {"label": label})
    assert response.status_code == 200
    match = TOKEN_RE.search(response.get_data(as_text=True))
    assert match, "the new token is shown"
    return match.group(1)


def revoke_url(app, label: str) -> str:
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.label == label))
    return f"/account/tokens/{token_id}/revoke"


def test_staff_create_a_token_shown_once_that_works_until_revoked(app, client, seeded, make_user):
    make_user("staff", unit="gov-service-centre", username="centre")
    login(english(client), "centre")
    page = client.get("/account/tokens")
    assert page.status_code == 200 and "API tokens" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    raw = create(client, "progress script")
    api = app.test_client()  # no session cookie: the bearer token alone
    auth = {"Authorization": f"Bearer {raw}"}
    assert api.get("/api/v1/requests", headers=auth).status_code == 200
    listed = client.get("/account/tokens").get_data(as_text=True)
    assert "progress script" in listed and raw not in listed
    with app.app_context():
        stored = db.session.scalar(select(ApiToken))
        assert stored.token_hash != raw and raw not in stored.token_hash
    revoked = post_form(client, revoke_url(app, "progress script"), {},
                        page_url="/account/tokens")
    assert revoked.status_code == 302
    assert api.get("/api/v1/requests", headers=auth).status_code == 401
    assert "Revoked" in client.get("/account/tokens").get_data(as_text=True)
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert "token.create" in actions and "token.revoke" in actions


def test_a_label_is_required_and_the_form_needs_its_csrf_token(app, client, seeded, make_user):
    make_user("operator", username="op")
    login(english(client), "op")
    empty = post_form(client, "/account/tokens", {"label": "  "})
    assert empty.status_code == 422 and "Error:" in empty.get_data(as_text=True)
    assert client.post("/account/tokens", data={"label": "x"}).status_code in (400, 422)
    with app.app_context():
        assert db.session.query(ApiToken).count() == 0


def test_only_the_owner_or_an_admin_revokes_a_token(app, client, seeded, make_user):
    make_user("staff", unit="gov-service-centre", username="owner")
    make_user("staff", unit="construction-bureau", username="other")
    make_user("admin", username="root")
    login(english(client), "owner")
    raw = create(client, "kiosk-board-7")
    url = revoke_url(app, "kiosk-board-7")
    intruder = english(app.test_client())
    login(intruder, "other")
    assert "kiosk-board-7" not in intruder.get("/account/tokens").get_data(as_text=True)
    page = intruder.get("/account/tokens").get_data(as_text=True)
    assert intruder.post(url, data={"csrf_token": csrf_from(page)}).status_code == 404
    assert app.test_client().get("/api/v1/requests",
                                 headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    admin = english(app.test_client())
    login(admin, "root")
    listing = admin.get("/account/tokens").get_data(as_text=True)
    assert "kiosk-board-7" in listing and "owner" in listing
    assert post_form(admin, url, {}, page_url="/account/tokens").status_code == 302
    assert app.test_client().get("/api/v1/requests",
                                 headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_the_tokens_page_needs_a_sign_in_and_is_linked_from_the_menu(client, seeded, make_user):
    assert client.get("/account/tokens").status_code == 302
    make_user("supervisor", username="sup")
    login(english(client), "sup")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/account/tokens"' in home
