"""The shell every page shares: Chinese first, English second, elder mode, headers, health."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from ..factories import login

TRANSLATIONS = Path(__file__).resolve().parents[2] / "service_desk" / "translations"


def test_pages_are_in_chinese_by_default(client, seeded):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "为群众办实事" in html
    assert "清单共 168 项，已录入 0 项" in html  # the 13 seeded are the article's, not the list's
    assert "Practical matters for the people" not in html


def test_english_is_one_tap_away_and_sticks(client, seeded):
    response = client.get("/prefs?lang=en&next=/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "0 of the list's 168 items loaded" in html


def test_elder_mode_is_linked_from_every_page_and_enlarges_it(client, seeded, make_user):
    for url in ("/", "/login", "/nope"):
        assert "/prefs?elder=1" in client.get(url).get_data(as_text=True)
    client.get("/prefs?elder=1&next=/")
    html = client.get("/").get_data(as_text=True)
    assert '<body class="elder">' in html
    assert "/prefs?elder=0" in html


def test_the_prefs_link_never_redirects_off_site(client):
    assert client.get("/prefs?lang=en&next=//evil.example").headers["Location"] == "/"


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_every_message_is_translated(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_the_catalog_is_up_to_date_with_the_source(tmp_path):
    """Every string in code and templates is in the catalog (run `make extract-messages`)."""
    root = Path(__file__).resolve().parents[2]
    pot = tmp_path / "check.pot"  # each pass its own: make test runs two side by side
    pybabel = str(Path(sys.executable).parent / "pybabel")
    subprocess.run([pybabel, "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                    "-o", str(pot), "."], cwd=root, check=True)
    with open(pot, "rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with open(TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        have = {m.id for m in read_po(fh) if m.id}
    assert wanted - have == set()


def test_security_headers_on_every_response(client):
    for url in ("/", "/login", "/healthz", "/api/v1/units", "/nope"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user("operator", username="op")
    response = login(client, "op")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_inline_scripts_or_styles_and_no_external_assets(client, seeded):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_health_endpoints(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200


def test_readyz_answers_503_when_the_database_is_down(tmp_path):
    from service_desk import create_app

    app = create_app({"SECRET_KEY": "x", "DATABASE_URL":
                      "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_friendly_error_pages_speak_the_users_language(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "找不到" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_a_friendly_page_and_the_api_its_error_shape(tmp_path):
    from service_desk import create_app

    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/e.sqlite3"})

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaput")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("kaput")

    client = app.test_client()
    page = client.get("/boom")
    assert page.status_code == 500
    assert "kaput" not in page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in page.get_data(as_text=True)
    api = client.get("/api/v1/boom")
    assert api.status_code == 500 and api.get_json()["error"]["code"] == "internal_error"
