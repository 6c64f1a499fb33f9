"""Markup that other software reads: machine-readable times in the form HTML allows, one
charset in a Content-Type, a site icon (browsers ask for /favicon.ico on every first visit)."""
from __future__ import annotations

import re

# HTML's "valid global date and time string": seconds at most to milliseconds; Python's
# isoformat() writes microseconds, which the Nu HTML Checker refuses
VALID_DATETIME = re.compile(
    r"^\d{4}-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?)?$")


def time_attributes(html: str) -> list[str]:
    return re.findall(r'<time datetime="([^"]*)"', html)


def test_time_elements_carry_valid_datetimes(client, people):
    people["sup"]  # signing in writes an audit row with a time
    seen = []
    for who, url in ((client, "/board"), (client, "/board/S01"), (people["root"], "/admin/audit")):
        response = who.get(url)
        assert response.status_code == 200, url
        seen += time_attributes(response.get_data(as_text=True))
    assert seen, "no <time> element was rendered: the test checks nothing"
    bad = [value for value in seen if not VALID_DATETIME.match(value)]
    assert bad == []


def test_csv_export_names_its_charset_once(people):
    response = people["sup"].get("/matters/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].lower().count("charset") == 1


def test_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in {"image/vnd.microsoft.icon", "image/x-icon"}
    assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # the ICO header
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in page
