"""Database down: pages answered 500, and a signed-in user got a bare "Internal Server Error"
(the error page loaded the user again, from the dead database). Now every channel answers 503
with Retry-After: the friendly page rendered without the database, the API's error shape,
Open311's error array; /readyz says the database is unreachable.

Real failures, no mocks: an app pointed at a PostgreSQL port where nothing listens, and one at
a SQLite file in a directory that does not exist. TESTING is off, as in production (Flask
would otherwise re-raise an exception its error handler could not answer)."""
from __future__ import annotations

import pytest
from werkzeug.http import parse_options_header

from service_desk import create_app

BROKEN = {
    "postgresql": ("postgresql://postgres@127.0.0.1:1/none",
                   {"pool_pre_ping": True, "connect_args": {"connect_timeout": 1}}),
    "sqlite": ("sqlite:////nonexistent-service-desk-dir/nested/db.sqlite3", {"pool_pre_ping": True}),
}


@pytest.fixture(scope="module", params=sorted(BROKEN))
def down_app(request):
    url, engine_options = BROKEN[request.param]
    app = create_app({
        "TESTING": False, "ENV_NAME": "testing", "SECRET_KEY": "test-secret",
        "DATABASE_URL": url, "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "RATELIMIT_STORAGE_URI": "memory://", "RETRY_AFTER_SECONDS": 30,
    })
    yield app
    from service_desk.extensions import db

    with app.app_context():
        db.engine.dispose()


def english(client):
    client.set_cookie("lang", "en")  # the new page's words, before the catalogue has them
    return client


def signed_in_client(app):
    """A browser holding a staff session (Flask-Login's "id:session_version"): the user is
    loaded from the database on the first look at current_user."""
    client = english(app.test_client())
    with client.session_transaction() as session:
        session["_user_id"] = "1:0"
        session["_fresh"] = True
    return client


def assert_friendly_503(response):
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert parse_options_header(response.headers["Content-Type"])[0] == "text/html"
    body = response.get_data(as_text=True)
    assert "Internal Server Error" not in body and "Traceback" not in body
    assert "OperationalError" not in body and 'href="/static/css/app.css"' in body
    assert "<h1>Service briefly unavailable</h1>" in body and "try again in a few minutes" in body


@pytest.mark.parametrize("path", ["/", "/book", "/board"])
def test_pages_answer_503_with_the_friendly_page(down_app, path):
    assert_friendly_503(english(down_app.test_client()).get(path))


def test_pages_that_need_no_database_still_answer(down_app):
    client = down_app.test_client()
    assert client.get("/matters/").status_code == 302  # to the sign-in page
    assert client.get("/no-such-page").status_code == 404


@pytest.mark.parametrize("path", ["/", "/matters/", "/no-such-page"])
def test_a_signed_in_user_gets_the_friendly_page_not_a_bare_error(down_app, path):
    assert_friendly_503(signed_in_client(down_app).get(path))


def test_a_signed_in_form_post_answers_503(down_app):
    """CSRF refuses the post before any view; its error page would load the user."""
    response = signed_in_client(down_app).post("/matters/M001/updates", data={"note": "x"})
    assert_friendly_503(response)
    assert "Try again" not in response.get_data(as_text=True)  # a link would GET, not re-post


def test_the_api_answers_its_error_shape_with_503(down_app):
    response = down_app.test_client().get("/api/v1/services")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    error = response.get_json()["error"]
    assert error["code"] == "unavailable" and error["message"] and error["fields"] == {}
    # a bearer token is looked up in the database before any view
    response = down_app.test_client().get("/api/v1/requests",
                                          headers={"Authorization": "Bearer abc"})
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "unavailable"


def test_the_api_document_lists_the_503_of_every_operation():
    from service_desk.api.openapi import DOCUMENT

    operations = [(url, method, op) for url, item in DOCUMENT["paths"].items()
                  for method, op in item.items() if isinstance(op, dict) and "responses" in op]
    assert operations
    assert [(url, method) for url, method, op in operations if "503" not in op["responses"]] == []
    answer = DOCUMENT["components"]["responses"]["E503"]
    assert "Retry-After" in answer["headers"]


def test_open311_answers_its_error_array_with_503(down_app):
    response = down_app.test_client().get("/open311/v2/services.json")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    [error] = response.get_json()
    assert error["code"] == 503 and error["description"]
    xml = down_app.test_client().get("/open311/v2/services.xml")
    assert xml.status_code == 503 and b"<errors>" in xml.data


def test_readyz_says_the_database_is_unreachable(down_app):
    response = down_app.test_client().get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert down_app.test_client().get("/healthz").status_code == 200  # alive, though not ready


def test_the_failure_is_logged_with_its_traceback(down_app, caplog):
    with caplog.at_level("ERROR", logger="service_desk"):
        down_app.test_client().get("/")
    [record] = [r for r in caplog.records if r.name == "service_desk" and r.exc_info]
    assert record.levelname == "ERROR" and record.request_id
