"""Input that used to answer 500 under /api: out-of-range months, lone surrogates and NUL
characters, integers beyond the database's range, and 405 answers without ``Allow``. Each
now answers 4xx in the contract's shape and changes nothing."""
from __future__ import annotations

import pytest

from ..factories import matter_get
from .api_helpers import assert_error


@pytest.mark.parametrize("query, field", [("from=0000-01", "from"), ("to=0000-12", "to"),
                                          ("from=0000-01&to=0000-02", "from")])
def test_rating_stats_refuse_a_month_of_year_0(api, seeded, query, field):
    error = assert_error(api.get(f"/api/v1/stats/ratings?{query}"), 422)
    assert error["code"] == "invalid_parameter" and field in error["fields"]


@pytest.mark.parametrize("query", ["to=9999-12", "from=0001-01", "from=0001-01&to=9999-12",
                                   "from=9999-12"])
def test_rating_stats_take_the_calendars_first_and_last_months(api, seeded, query):
    response = api.get(f"/api/v1/stats/ratings?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["completed"] == 0


@pytest.mark.parametrize("raw", ['"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"'])
def test_a_lone_surrogate_in_a_body_is_refused(app, admin_api, raw):
    before = matter_get(app, "S07").version
    response = admin_api.patch("/api/v1/matters/S07", data=(
        f'{{"note": {raw}, "version": {before}}}'), content_type="application/json")
    error = assert_error(response, 422)
    assert error["code"] == "invalid_fields" and "note" in error["fields"]
    assert matter_get(app, "S07").version == before


def test_a_lone_surrogate_in_a_field_name_is_refused_without_echoing_it(app, admin_api):
    response = admin_api.patch("/api/v1/matters/S07", data='{"\\ud800": 1, "note": "x"}',
                               content_type="application/json")
    assert_error(response, 400)  # the name cannot be echoed back: not valid Unicode


def test_a_paired_surrogate_is_an_ordinary_character(app, admin_api):
    before = matter_get(app, "S07").version
    response = admin_api.patch("/api/v1/matters/S07", data=(
        f'{{"note": "\\ud83d\\ude00 done", "version": {before}}}'),
        content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_nul_in_a_body_string_is_refused(app, admin_api):
    before = matter_get(app, "S07").version
    response = admin_api.patch("/api/v1/matters/S07", json={"note": "a\u0000b", "version": before})
    error = assert_error(response, 422)
    assert "note" in error["fields"]
    assert matter_get(app, "S07").version == before


@pytest.mark.parametrize("url, field", [
    ("/api/v1/matters?q=a%00b", "q"),
    ("/api/v1/matters?unit=%00", "unit"),
    ("/api/v1/matters?a%00b=1", "a\u0000b"),
    ("/api/v1/reports/a%00b?phone=13812345678", "path"),
    ("/api/v1/appointments/a%00b?phone=13812345678", "path"),
])
def test_a_nul_in_the_path_or_query_string_is_refused(api, seeded, url, field):
    error = assert_error(api.get(url), 400)
    assert error["code"] == "invalid_characters" and field in error["fields"]


@pytest.mark.parametrize("version", [3638801282824155430912, 2**31, -(2**31) - 1, 2**63])
def test_a_version_beyond_the_database_range_is_refused(app, admin_api, version):
    before = matter_get(app, "S07")
    response = admin_api.patch("/api/v1/matters/S07", json={
        "note": "x", "progress": 10, "version": version})
    error = assert_error(response, 422)
    assert error["code"] == "invalid_fields" and "version" in error["fields"]
    after = matter_get(app, "S07")
    assert (after.version, after.progress) == (before.version, before.progress)


def test_a_json_405_says_which_methods_are_allowed(client, seeded):
    response = client.delete("/api/v1/matters/S07")
    error = assert_error(response, 405)
    assert error["code"] == "method_not_allowed"
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "PATCH"}
