"""What fuzzing the API with Schemathesis found (tests/api/test_fuzz_schemathesis.py), each
reproduced here on its own so that it stays fixed even if the fuzzer's draw changes."""
from __future__ import annotations

import re

import pytest

from service_desk.api.openapi import DOCUMENT

from .api_helpers import assert_error

# query filters the code reads as absent when empty (``?status=``: a plain HTML form sends that)
EMPTY_IS_ABSENT = {
    "/matters": ("q", "unit", "status"),
    "/requests": ("status", "unit"),
    "/stats/ratings": ("from", "to", "unit", "service", "channel"),
}


def _params(path: str) -> dict[str, dict]:
    return {p["name"]: p for p in DOCUMENT["paths"][path]["get"]["parameters"]}


@pytest.mark.parametrize("path", sorted(EMPTY_IS_ABSENT))
def test_the_document_admits_an_empty_filter_where_the_code_reads_it_as_absent(path):
    """Found: ``GET /stats/ratings?to=`` and ``GET /matters?status=`` answered 200 while the
    document's pattern and enum refused an empty value (Schemathesis: schema-violating request
    accepted). The code is right for forms; the document now says so."""
    params = _params(path)
    for name in EMPTY_IS_ABSENT[path]:
        assert params[name].get("allowEmptyValue") is True, name
        schema = params[name]["schema"]
        assert "" in schema.get("enum", [""]) and re.match(schema.get("pattern", ""), ""), name
    others = [n for n, p in params.items() if n not in EMPTY_IS_ABSENT[path]]
    assert all(not params[n].get("allowEmptyValue") for n in others)


# openapi-core warns that allowEmptyValue is deprecated (it is still OpenAPI 3.0.3, and the only
# way that version has to say so)
EMPTY_OK = pytest.mark.filterwarnings("ignore:Use of allowEmptyValue:DeprecationWarning")


@EMPTY_OK
def test_empty_rating_filters_are_no_filters_and_valid_requests(api, seeded):
    plain = api.get("/api/v1/stats/ratings").get_json()
    empty = api.get("/api/v1/stats/ratings?from=&to=&unit=&service=&channel=",
                    check_request=True)
    assert empty.status_code == 200
    assert {k: v for k, v in empty.get_json().items() if k != "filters"} == \
        {k: v for k, v in plain.items() if k != "filters"}


@EMPTY_OK
def test_empty_matter_filters_are_no_filters_and_valid_requests(api, seeded):
    plain = api.get("/api/v1/matters?per_page=5").get_json()
    empty = api.get("/api/v1/matters?per_page=5&q=&unit=&status=", check_request=True)
    assert empty.status_code == 200 and empty.get_json()["total"] == plain["total"]


@EMPTY_OK
def test_empty_request_filters_are_no_filters_and_valid_requests(admin_api):
    response = admin_api.get("/api/v1/requests?status=&unit=", check_request=True)
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["key_issue=", "overdue=", "page=", "per_page="])
def test_an_empty_number_or_flag_is_still_refused(api, seeded, query):
    """Only text filters read empty as absent: an empty number or flag is a mistake."""
    assert assert_error(api.get(f"/api/v1/matters?{query}"), 422)["code"] == "invalid_parameter"


@pytest.mark.parametrize("path, name, refused", [
    ("/matters", "page", 10**6 + 1), ("/requests", "page", 10**6 + 1),
    ("/matters", "key_issue", 1001),
])
def test_the_document_gives_the_ranges_the_code_enforces(path, name, refused):
    """Found (schema-valid request rejected): ``page=221533322`` and ``key_issue=1001`` are
    refused with 422 while the document set no maximum."""
    schema = _params(path)[name]["schema"]
    assert schema["maximum"] == refused - 1


def test_the_document_refuses_the_month_of_year_0(api, seeded):
    """Found: ``from=0000-01`` is refused (there is no year 0) though the pattern took it."""
    pattern = _params("/stats/ratings")["from"]["schema"]["pattern"]
    assert re.match(pattern, "0000-01") is None
    for month in ("0001-01", "2026-12", "9999-12", ""):
        assert re.match(pattern, month), month
    assert assert_error(api.get("/api/v1/stats/ratings?from=0000-01"), 422)


@pytest.mark.parametrize("template", sorted(DOCUMENT["paths"]))
def test_every_json_405_says_which_methods_the_document_lists(client, seeded, template):
    """On every documented path, a method it does not take answers 405 in the contract's
    shape with ``Allow`` naming exactly the documented methods (HEAD and OPTIONS aside)."""
    url = "/api/v1" + re.sub(r"\{[^}]+\}", "S07", template)
    documented = {m.upper() for m in DOCUMENT["paths"][template]}
    response = client.open(url, method="DELETE" if "DELETE" not in documented else "PUT")
    assert assert_error(response, 405)["code"] == "method_not_allowed"
    allowed = {m.strip() for m in response.headers["Allow"].split(",")} - {"HEAD", "OPTIONS"}
    assert allowed == documented
