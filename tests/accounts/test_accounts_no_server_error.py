"""A ``next`` holding a control character (CR LF would split the Location header) used to
sign the user in and then answer 500; it is now ignored like any unsafe target (the user lands on
their role's own work)."""
from __future__ import annotations

import pytest

from ..factories import login

CRLF = "/a%0d%0aX:1"


@pytest.mark.parametrize("target", [CRLF, "/a%0aX", "/a%09b", "/a%7fb", "/a%c2%85b"])
def test_login_with_a_control_character_in_next_goes_to_the_console(client, make_user, target):
    make_user("operator", username="op")
    response = login(client, "op", next_url=target)
    assert response.status_code == 302 and response.headers["Location"] == "/hotline/"
    again = client.get(f"/login?next={target}")  # signed in already: straight on
    assert again.status_code == 302 and again.headers["Location"] == "/hotline/"


def test_prefs_with_a_control_character_in_next_goes_home(client):
    response = client.get(f"/prefs?lang=en&next={CRLF}")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "lang=en" in response.headers["Set-Cookie"]


def test_a_plain_next_is_still_followed(client, make_user):
    make_user("operator", username="op")
    assert login(client, "op", next_url="/hotline").headers["Location"] == "/hotline"
    assert client.get("/prefs?elder=1&next=/board").headers["Location"] == "/board"
