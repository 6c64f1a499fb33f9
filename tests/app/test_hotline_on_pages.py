"""The error pages and the residents' rating pages that say "call the convenience hotline"
show its number when it is set (a tel: link) and say it is not published here when it is not."""
from __future__ import annotations

import pytest

from service_desk import create_app

NUMBER = "0631-5620000"
LINK = '<a class="hotline-number" href="tel:06315620000">0631-5620000</a>'
UNSET = "number is not published on this site yet"


@pytest.fixture
def hotline(app):
    before = app.config.get("HOTLINE_NUMBER")
    yield lambda value: app.config.update(HOTLINE_NUMBER=value)
    app.config.update(HOTLINE_NUMBER=before)


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


PAGES = [
    ("/no-such-page", 404),
    ("/schedule/checkin/AB3D7KMN", 405),  # a POST-only address: the generic error page
    ("/rate/", 200),
    ("/rate/not-a-token", 404),  # the rating link's problem page
]


@pytest.mark.parametrize("url, status", PAGES)
def test_a_set_number_is_a_phone_link(english, hotline, seeded, url, status):
    hotline(NUMBER)
    response = english.get(url)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert LINK in html and UNSET not in html


@pytest.mark.parametrize("url, status", PAGES)
def test_unset_the_page_says_it_is_not_published(english, hotline, seeded, url, status):
    hotline(None)
    response = english.get(url)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert UNSET in html and 'href="tel:' not in html


@pytest.mark.parametrize("number", [NUMBER, None])
def test_the_500_page(tmp_path, number):
    app = create_app({"TESTING": False, "SECRET_KEY": "x", "HOTLINE_NUMBER": number,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
                      "RATELIMIT_STORAGE_URI": "memory://"})

    def boom():
        raise RuntimeError("planted")

    app.add_url_rule("/boom", "boom", boom)
    client = app.test_client()
    client.set_cookie("lang", "en")
    response = client.get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "Something went wrong on our side" in html
    assert (LINK in html) if number else (UNSET in html and 'href="tel:' not in html)


@pytest.mark.parametrize("number", [NUMBER, None])
def test_the_503_page_without_the_database(tmp_path, number):
    app = create_app({"TESTING": False, "SECRET_KEY": "x", "HOTLINE_NUMBER": number,
                      "DATABASE_URL": "sqlite:////nonexistent-service-desk-dir/nested/db.sqlite3",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
                      "RATELIMIT_STORAGE_URI": "memory://", "RETRY_AFTER_SECONDS": 30})
    client = app.test_client()
    client.set_cookie("lang", "en")
    response = client.get("/book")
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and html.lstrip().startswith("<!doctype html>")
    assert (LINK in html) if number else (UNSET in html and 'href="tel:' not in html)
