"""Each role lands on its own work after signing in; a safe `next` still wins."""
from __future__ import annotations

import datetime as dt

import pytest

from ..factories import add_booking, local_at, login, open_for_booking, signed_in

LANDINGS = [
    ("staff", "gov-service-centre", "/work"),
    ("operator", None, "/hotline/"),
    ("supervisor", None, "/supervision/"),
    ("admin", None, "/admin/users"),
]


@pytest.mark.parametrize(("role", "unit", "landing"), LANDINGS)
def test_each_role_lands_on_its_own_work(client, seeded, make_user, role, unit, landing):
    make_user(role, unit=unit, username="someone")
    response = login(client, "someone")
    assert response.status_code == 302 and response.headers["Location"] == landing
    assert client.get(landing).status_code == 200
    # signed in already: /login goes straight on to the same page
    assert client.get("/login").headers["Location"] == landing


@pytest.mark.parametrize(("role", "unit", "landing"), LANDINGS)
def test_a_safe_next_still_wins(client, seeded, make_user, role, unit, landing):
    make_user(role, unit=unit, username="someone")
    assert login(client, "someone", next_url="/board/").headers["Location"] == "/board/"


def test_an_unsafe_next_is_ignored_for_the_role_s_work(client, seeded, make_user):
    make_user("supervisor", username="sup")
    response = login(client, "sup", next_url="//evil.example/")
    assert response.headers["Location"] == "/supervision/"


@pytest.mark.parametrize(("role", "unit", "landing"), LANDINGS)
def test_the_home_page_links_a_signed_in_user_to_their_work(app, seeded, make_user, role, unit,
                                                            landing):
    make_user(role, unit=unit, username="someone")
    html = signed_in(app, "someone", lang="en").get("/").get_data(as_text=True)
    assert f'<a class="button primary" href="{landing}">Go to my work</a>' in html


def test_residents_see_no_work_link(client, seeded):
    assert "Go to my work" not in client.get("/?lang=en").get_data(as_text=True)


def test_staff_work_page_shows_the_unit_s_items_and_today_s_appointments(app, seeded,
                                                                        make_user):
    from service_desk.base.calendar import today

    with app.app_context():
        day = today()
    open_for_booking(app)
    add_booking(app, reference="WORK1234", start=local_at(day, 10))
    add_booking(app, reference="WORK5678", start=local_at(day + dt.timedelta(days=1), 10))
    make_user("staff", unit="gov-service-centre", username="centre")
    client = signed_in(app, "centre", lang="en")
    html = client.get("/work").get_data(as_text=True)
    assert "<h1>My work</h1>" in html
    assert "WORK1234" in html and "WORK5678" not in html  # today's only
    assert "/matters/S03" in html  # the centre's item (lead unit)
    assert "/matters/S06" not in html  # the construction bureau's


def test_the_work_page_is_for_staff_only(app, seeded, make_user, client):
    make_user("supervisor", username="sup")
    assert signed_in(app, "sup").get("/work").status_code == 403
    assert client.get("/work").status_code == 302  # anonymous: to the login page
