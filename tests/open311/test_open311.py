"""Open311 GeoReport v2 under /open311/v2: discovery, services and their definitions, posting
a request with an api_key (it lands in the unit's queue like any other), following it as staff
work on it, the filters of GET requests, tokens, the error format, and `api-keys`."""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select, update

from service_desk.accounts.models import ApiKey
from service_desk.audit.models import AuditEvent
from service_desk.catalog.models import Channel
from service_desk.db import utcnow
from service_desk.extensions import db
from service_desk.requests.models import RequestStatus, ServiceRequest
from service_desk.units.models import Unit

from ..factories import act, count_rows, new_key, report, signed_in
from ..factories import stored_request as stored

BASE = "/open311/v2"
OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords",
                  "group"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description", "order",
                    "description", "values"]


# --- helpers --------------------------------------------------------------------------------

def fields(**extra) -> dict:
    data = {"service_code": "hotline", "lat": "37.5129", "long": "122.1201",
            "address_string": "海峰路 1 号", "first_name": "大爷", "last_name": "王",
            "phone": "13812345678", "email": "wang@example.cn",
            "description": "小区路灯不亮已经三天", "media_url": "https://img.example.cn/1.jpg"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def post(client, key: str | None, fmt: str = "json", **extra):
    data = fields(**extra)
    if key is not None:
        data["api_key"] = key
    return client.post(f"{BASE}/requests.{fmt}", data=data)


def posted_id(client, key: str, **extra) -> str:
    response = post(client, key, **extra)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()[0]["service_request_id"]


def count(app) -> int:
    return count_rows(app, ServiceRequest)


def xml(response) -> ET.Element:
    assert response.content_type == "text/xml; charset=utf-8"
    body = response.get_data()
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(body)


def errors_of(response) -> list[tuple[int, str]]:
    """The specification's error array, from either format."""
    if response.content_type.startswith("text/xml"):
        root = xml(response)
        assert root.tag == "errors"
        assert all(e.tag == "error" and [c.tag for c in e] == ["code", "description"] for e in root)
        return [(int(e.findtext("code")), e.findtext("description")) for e in root]
    assert response.content_type == "application/json; charset=utf-8"
    body = response.get_json()
    assert isinstance(body, list) and body
    assert all(set(e) == {"code", "description"} for e in body)
    return [(e["code"], e["description"]) for e in body]


def fields_in(response) -> set[str]:
    """The parameter each error names (the description starts with it)."""
    return {description.split(":", 1)[0] for _, description in errors_of(response)}


def set_created(app, reference: str, when: dt.datetime) -> None:
    with app.app_context():
        db.session.execute(update(ServiceRequest).where(ServiceRequest.reference == reference)
                           .values(created_at=when))
        db.session.commit()
        db.session.remove()


# --- discovery and services -----------------------------------------------------------------

def test_discovery_names_the_georeport_v2_endpoint_in_json_and_xml(client):
    body = client.get(f"{BASE}/discovery.json").get_json()
    assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://localhost/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    formats = root.find("endpoints/endpoint/formats")
    assert [(f.tag, f.text) for f in formats] == [("format", "text/xml"),
                                                  ("format", "application/json")]


def test_services_list_the_request_services_with_the_specifications_fields(client, seeded):
    body = client.get(f"{BASE}/services.json").get_json()
    by_code = {s["service_code"]: s for s in body}
    # appointments are booked elsewhere (/api/v1, the booking pages): not Open311 services
    assert set(by_code) == {"hotline", "open-on-completion", "butler-help-desk"}
    assert all(list(s) == SERVICE_FIELDS for s in body)
    # every service asks for the resident's name and mobile (the definition's attributes)
    assert {s["metadata"] for s in body} == {True}
    assert {s["type"] for s in body} == {"realtime"}
    assert by_code["hotline"]["service_name"] == "便民热线"
    assert by_code["hotline"]["group"] == "经开区政务服务中心"

    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert [s.tag for s in root] == ["service"] * 3
    assert all([c.tag for c in s] == SERVICE_FIELDS for s in root)
    hotline = next(s for s in root if s.findtext("service_code") == "hotline")
    assert hotline.findtext("metadata") == "true" and hotline.findtext("type") == "realtime"


def test_service_names_follow_the_language_asked_for(client, seeded):
    client.set_cookie("lang", "en")
    body = client.get(f"{BASE}/services.json").get_json()
    assert {s["service_name"] for s in body} >= {"Convenience hotline"}


def test_a_service_definition_lists_its_attributes_in_both_formats(client, seeded):
    body = client.get(f"{BASE}/services/butler-help-desk.json").get_json()
    assert body["service_code"] == "butler-help-desk"
    _name, _phone, group, needs = body["attributes"]
    assert list(group) == ATTRIBUTE_FIELDS
    assert (group["code"], group["datatype"], group["required"], group["order"],
            group["variable"]) == ("group", "singlevaluelist", True, 3, True)
    assert [v["key"] for v in group["values"]] == ["enterprise"]
    assert (needs["code"], needs["datatype"], needs["required"]) == ("needs", "text", False)

    root = xml(client.get(f"{BASE}/services/butler-help-desk.xml"))
    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]
    attribute = root.find("attributes/attribute[code='group']")
    assert [c.tag for c in attribute] == ATTRIBUTE_FIELDS
    assert attribute.findtext("required") == "true"
    value = attribute.find("values/value")
    assert [c.tag for c in value] == ["key", "name"] and value.findtext("key") == "enterprise"

    plain = client.get(f"{BASE}/services/hotline.json").get_json()
    assert [a["code"] for a in plain["attributes"]] == ["name", "phone"]


def test_the_singular_service_path_of_older_clients_works_too(client, seeded):
    assert client.get(f"{BASE}/service/butler-help-desk.json").get_json() == \
        client.get(f"{BASE}/services/butler-help-desk.json").get_json()
    assert xml(client.get(f"{BASE}/service/hotline.xml")).tag == "service_definition"


@pytest.mark.parametrize("code", ["no-such-service", "appointment"])
def test_an_unknown_service_is_404_in_the_error_format_of_the_extension(client, seeded, code):
    as_json = client.get(f"{BASE}/services/{code}.json")
    assert as_json.status_code == 404
    assert errors_of(as_json)[0][0] == 404 and fields_in(as_json) == {"service_code"}
    as_xml = client.get(f"{BASE}/services/{code}.xml")
    assert as_xml.status_code == 404 and errors_of(as_xml)[0][0] == 404


def test_unknown_paths_wrong_methods_and_crashes_answer_in_the_open311_format(client, app):
    missing = client.get(f"{BASE}/nothing-here.xml")
    assert missing.status_code == 404 and errors_of(missing)[0][0] == 404
    assert errors_of(client.get(f"{BASE}/nothing-here"))[0][0] == 404  # JSON by default
    wrong = client.put(f"{BASE}/requests.json")
    assert wrong.status_code == 405 and errors_of(wrong)[0][0] == 405
    assert "POST" in wrong.headers["Allow"]
    assert client.post(f"{BASE}/services.xml").status_code == 405


def test_a_crash_answers_500_in_the_open311_format(tmp_path):
    from service_desk import create_app

    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/e.sqlite3"})

    @app.get("/open311/v2/boom.xml")
    def boom():
        raise RuntimeError("kaput")

    response = app.test_client().get("/open311/v2/boom.xml")
    assert response.status_code == 500
    assert errors_of(response)[0][0] == 500 and "kaput" not in response.get_data(as_text=True)


def test_too_many_calls_are_429_in_the_open311_format(client, app, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN311_RATE_LIMIT", "2 per minute")
    assert client.get(f"{BASE}/services.json").status_code == 200
    assert client.get(f"{BASE}/services.json").status_code == 200
    limited = client.get(f"{BASE}/services.xml")
    assert limited.status_code == 429 and errors_of(limited)[0][0] == 429


# --- posting a request ----------------------------------------------------------------------

def test_a_request_posted_with_an_api_key_is_dispatched_to_the_units_queue(app, client, seeded,
                                                                          make_user):
    key = new_key(app)
    response = post(client, key)  # no CSRF token: the api_key authenticates
    assert response.status_code == 200
    (answer,) = response.get_json()
    assert list(answer) == ["service_request_id", "service_notice", "account_id"]
    assert answer["account_id"] is None and answer["service_notice"]
    reference = answer["service_request_id"]

    item = stored(app, reference)
    with app.app_context():
        unit = db.session.get(Unit, item.unit_id)
        key_row = db.session.get(ApiKey, item.api_key_id)
        audit = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "request.dispatch", AuditEvent.object_id == reference))
        db.session.remove()
    assert unit.code == "gov-service-centre" and key_row.name == "城市随手拍"
    assert item.channel is Channel.OPEN311 and item.status is RequestStatus.DISPATCHED
    assert (item.resident_name, item.resident_phone) == ("王大爷", "13812345678")
    assert (item.lat, item.long, item.address) == (37.5129, 122.1201, "海峰路 1 号")
    assert item.resident_email == "wang@example.cn"
    assert item.media_url == "https://img.example.cn/1.jpg"
    assert item.description == "小区路灯不亮已经三天" and item.due_at is not None
    assert item.open311_token
    assert audit.actor_label == "open311:城市随手拍"

    staff = signed_in(app, make_user("staff", "gov-service-centre"))
    queue = staff.get("/requests/?lang=en").get_data(as_text=True)
    assert reference in queue
    other = signed_in(app, make_user("staff", "construction-bureau"))
    assert reference not in other.get("/requests/").get_data(as_text=True)


def test_the_xml_answer_to_a_post_has_the_specifications_elements(app, client, seeded):
    response = post(client, new_key(app), fmt="xml")
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "service_requests"
    (request,) = root
    assert request.tag == "request"
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    assert request.find("account_id").text is None


def test_attributes_of_the_definition_are_kept_with_the_request(app, client, seeded):
    reference = posted_id(client, new_key(app), service_code="butler-help-desk",
                          **{"attribute[group]": "enterprise", "attribute[needs]": "需要手语"})
    item = stored(app, reference)
    assert item.attributes == {"group": "enterprise", "needs": "需要手语"}
    assert item.special_group.value == "enterprise" and item.needs == "需要手语"
    with app.app_context():
        assert db.session.get(Unit, item.unit_id).code == "zone"


def test_only_coordinates_are_enough_and_staff_see_them_as_the_address(app, client, seeded):
    reference = posted_id(client, new_key(app), address_string=None)
    assert stored(app, reference).address == "37.512900, 122.120100 (WGS84)"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("how", ["missing", "wrong", "revoked", "empty"])
def test_a_post_without_a_valid_api_key_is_403(app, client, seeded, how, fmt):
    key = {"missing": None, "wrong": "not-a-key", "empty": "", "revoked": new_key(app)}[how]
    if how == "revoked":
        from service_desk.open311.keys import api_key_revoke

        with app.app_context():
            key_id = db.session.scalar(select(ApiKey.id))
            api_key_revoke(key_id=key_id, actor="test")
            db.session.commit()
            db.session.remove()
    response = post(client, key, fmt=fmt)
    assert response.status_code == 403
    assert errors_of(response) and errors_of(response)[0][0] == 403
    assert fields_in(response) == {"api_key"}
    assert count(app) == 0


@pytest.mark.parametrize("change, expected", [
    ({"lat": None, "long": None, "address_string": None}, {"location"}),
    ({"lat": None, "long": None, "address_string": None, "address_id": "A-1"}, {"address_id"}),
    ({"long": None}, {"long"}),
    ({"lat": "91", "long": "east"}, {"lat", "long"}),
    ({"phone": None}, {"phone"}),
    ({"phone": "12345"}, {"phone"}),
    ({"first_name": None, "last_name": None}, {"first_name"}),
    ({"description": None}, {"description"}),
    ({"description": "x" * 4001}, {"description"}),
    ({"media_url": "ftp://files.example.cn/a.jpg"}, {"media_url"}),
    ({"media_url": "javascript:alert(1)"}, {"media_url"}),
    ({"email": "not-an-address"}, {"email"}),
    ({"attribute[colour]": "red"}, {"attribute[colour]"}),
    ({"service_code": "butler-help-desk"}, {"attribute[group]"}),
    ({"service_code": "butler-help-desk", "attribute[group]": "elderly"}, {"attribute[group]"}),
    ({"phone": None, "description": None, "media_url": "nope"},
     {"phone", "description", "media_url"}),
])
def test_a_post_with_missing_or_bad_fields_is_400_naming_each(app, client, seeded, change,
                                                              expected):
    response = post(client, new_key(app), **change)
    assert response.status_code == 400
    assert {code for code, _ in errors_of(response)} == {400}
    assert fields_in(response) == expected
    assert count(app) == 0


def test_a_post_without_service_code_is_400_and_with_an_unknown_one_404(app, client, seeded):
    key = new_key(app)
    missing = post(client, key, fmt="xml", service_code="")
    assert missing.status_code == 400 and fields_in(missing) == {"service_code"}
    unknown = post(client, key, service_code="potholes")
    assert unknown.status_code == 404 and fields_in(unknown) == {"service_code"}
    appointment = post(client, key, service_code="home-visit")  # booked elsewhere
    assert appointment.status_code == 404
    assert count(app) == 0


# --- reading requests -----------------------------------------------------------------------

def test_a_request_reads_back_with_every_field_and_times_with_their_offset(app, client, seeded):
    reference = posted_id(client, new_key(app))
    (item,) = client.get(f"{BASE}/requests/{reference}.json").get_json()
    assert list(item) == REQUEST_FIELDS
    assert item["service_request_id"] == reference and item["status"] == "open"
    assert item["service_code"] == "hotline" and item["service_name"] == "便民热线"
    assert item["agency_responsible"] == "经开区政务服务中心"
    assert (item["lat"], item["long"]) == (37.5129, 122.1201)
    assert item["media_url"] == "https://img.example.cn/1.jpg"
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert OFFSET.match(item[name]), item[name]
        assert item[name].endswith("+08:00")
    stored_item = stored(app, reference)
    assert dt.datetime.fromisoformat(item["expected_datetime"]) == stored_item.due_at
    assert "13812345678" not in str(item) and "wang@" not in str(item)

    root = xml(client.get(f"{BASE}/requests/{reference}.xml"))
    assert root.tag == "service_requests"
    assert [c.tag for c in root[0]] == REQUEST_FIELDS
    assert root[0].findtext("status") == "open"

    missing = client.get(f"{BASE}/requests/NOSUCHID.xml")
    assert missing.status_code == 404 and fields_in(missing) == {"service_request_id"}


def test_requests_reported_on_the_hotline_are_not_published(app, client, seeded):
    hotline_ref = report(app)
    assert client.get(f"{BASE}/requests/{hotline_ref}.json").status_code == 404
    assert client.get(f"{BASE}/requests.json").get_json() == []


def test_get_requests_filters(app, client, seeded):
    key = new_key(app)
    now = utcnow()
    a = posted_id(client, key)
    b = posted_id(client, key, service_code="butler-help-desk",
                  **{"attribute[group]": "enterprise"})
    c = posted_id(client, key)
    old = posted_id(client, key)
    set_created(app, c, now - dt.timedelta(days=10))
    set_created(app, old, now - dt.timedelta(days=200))
    with app.app_context():
        db.session.execute(update(ServiceRequest).where(ServiceRequest.reference == b)
                           .values(status=RequestStatus.RESOLVED, reply="已办结"))
        db.session.commit()
        db.session.remove()

    def ids(query: str = "") -> list[str]:
        response = client.get(f"{BASE}/requests.json{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [r["service_request_id"] for r in response.get_json()]

    # default: the most recent 90 days, newest first
    assert ids() == [b, a, c]
    # service_request_id, comma delimited, overrides every other argument
    assert set(ids(f"?service_request_id={a},{old}&status=closed&service_code=x")) == {a, old}
    assert ids(f"?service_request_id={b.lower()}") == [b]
    # service_code, comma delimited or declared twice
    assert ids("?service_code=butler-help-desk") == [b]
    assert set(ids("?service_code=hotline,butler-help-desk")) == {a, b, c}
    assert set(ids("?service_code=hotline&service_code=butler-help-desk")) == {a, b, c}
    # status
    assert ids("?status=closed") == [b]
    assert set(ids("?status=open")) == {a, c}
    assert set(ids("?status=open,closed")) == {a, b, c}
    # start_date / end_date (w3 format; an unescaped + arrives as a space)
    start = (now - dt.timedelta(days=220)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - dt.timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert ids(f"?start_date={start}&end_date={end.replace('+', '%2B')}") == [old]
    assert ids(f"?start_date={start}&end_date={end}") == [old]
    assert ids(f"?start_date={start}") == [old]  # 90 days from the start
    recent = (now - dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert set(ids(f"?start_date={recent}")) == {a, b}
    assert ids(f"?end_date={(now - dt.timedelta(days=5)).strftime('%Y-%m-%d')}") == [c]


@pytest.mark.parametrize("query, field", [
    ("?status=pending", "status"),
    ("?start_date=yesterday", "start_date"),
    ("?end_date=2024-13-01", "end_date"),
    ("?start_date=2024-01-01T00:00:00Z&end_date=2024-06-01T00:00:00Z", "end_date"),
    ("?start_date=2024-06-01T00:00:00Z&end_date=2024-01-01T00:00:00Z", "end_date"),
])
def test_bad_filters_are_400(client, query, field):
    response = client.get(f"{BASE}/requests.xml{query}")
    assert response.status_code == 400 and fields_in(response) == {field}


def test_the_list_of_requests_takes_a_constant_number_of_statements(app, client, seeded,
                                                                  count_queries):
    key = new_key(app)
    posted_id(client, key)

    def statements() -> int:
        with count_queries() as seen:
            assert client.get(f"{BASE}/requests.json").status_code == 200
        return len(seen)

    few = statements()
    for _ in range(6):
        posted_id(client, key)
    assert statements() == few <= 3


# --- tokens ---------------------------------------------------------------------------------

def test_a_token_gives_back_the_request_id(app, client, seeded):
    reference = posted_id(client, new_key(app))
    token = stored(app, reference).open311_token
    assert client.get(f"{BASE}/tokens/{token}.json").get_json() == [
        {"service_request_id": reference, "token": token}]
    root = xml(client.get(f"{BASE}/tokens/{token}.xml"))
    assert root.tag == "service_requests"
    assert [c.tag for c in root[0]] == ["service_request_id", "token"]
    missing = client.get(f"{BASE}/tokens/nope.json")
    assert missing.status_code == 404 and fields_in(missing) == {"token"}


def test_batch_services_answer_a_post_with_a_token_only(app, client, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN311_SERVICE_TYPE", "batch")
    assert {s["type"] for s in client.get(f"{BASE}/services.json").get_json()} == {"batch"}
    (answer,) = post(client, new_key(app)).get_json()
    assert "service_request_id" not in answer  # the specification: one or the other
    (found,) = client.get(f"{BASE}/tokens/{answer['token']}.json").get_json()
    assert client.get(f"{BASE}/requests/{found['service_request_id']}.json").status_code == 200


# --- jurisdiction_id ------------------------------------------------------------------------

def test_jurisdiction_id_is_optional_and_must_be_ours_when_given(app, client, seeded):
    key = new_key(app)
    ours = "weihai-etdz.gov.cn"
    assert client.get(f"{BASE}/services.json?jurisdiction_id={ours}").status_code == 200
    assert client.get(f"{BASE}/services.json?jurisdiction_id=").status_code == 200
    wrong = client.get(f"{BASE}/services.xml?jurisdiction_id=sfgov.org")
    assert wrong.status_code == 404 and fields_in(wrong) == {"jurisdiction_id"}
    assert client.get(f"{BASE}/requests.json?jurisdiction_id=sfgov.org").status_code == 404
    assert post(client, key, jurisdiction_id=ours).status_code == 200
    refused = post(client, key, jurisdiction_id="sfgov.org")
    assert refused.status_code == 404 and count(app) == 1


# --- the story: posted through Open311, resolved by the unit, closed on Open311 -------------

def test_done_when_posted_through_open311_resolved_by_staff_closed_with_the_reply(
        app, client, seeded, make_user):
    key = new_key(app)
    reference = posted_id(client, key)
    staff = signed_in(app, make_user("staff", "gov-service-centre"))
    assert reference in staff.get("/requests/").get_data(as_text=True)
    detail = staff.get(f"/requests/{reference}?lang=en")
    assert detail.status_code == 200 and "小区路灯不亮已经三天" in detail.get_data(as_text=True)

    assert act(staff, app, reference, "accept").status_code == 302
    assert act(staff, app, reference, "handle", note="已联系供电所，明天更换灯泡").status_code == 302
    (item,) = client.get(f"{BASE}/requests/{reference}.json").get_json()
    assert item["status"] == "open" and item["status_notes"] == "已联系供电所，明天更换灯泡"

    assert act(staff, app, reference, "resolve", reply="路灯已修复，感谢反映。").status_code == 302
    (item,) = client.get(f"{BASE}/requests/{reference}.json").get_json()
    assert item["status"] == "closed"
    assert item["status_notes"] == "路灯已修复，感谢反映。"
    resolved_at = stored(app, reference).resolved_at
    assert dt.datetime.fromisoformat(item["updated_datetime"]) == resolved_at.replace(
        microsecond=0)
    root = xml(client.get(f"{BASE}/requests.xml?status=closed"))
    assert [(r.findtext("service_request_id"), r.findtext("status"), r.findtext("status_notes"))
            for r in root] == [(reference, "closed", "路灯已修复，感谢反映。")]


def test_a_returned_request_stays_open_without_publishing_the_reason(app, client, seeded,
                                                                     make_user):
    reference = posted_id(client, new_key(app))
    staff = signed_in(app, make_user("staff", "gov-service-centre"))
    assert act(staff, app, reference, "return", reason="内部：不归我单位管").status_code == 302
    (item,) = client.get(f"{BASE}/requests/{reference}.json").get_json()
    assert item["status"] == "open" and item["status_notes"] is None


# --- api-keys on the command line -----------------------------------------------------------

def test_api_keys_create_prints_a_working_key_and_stores_only_its_hash(app, runner, client,
                                                                      seeded):
    made = runner.invoke(args=["api-keys", "create", "微信小程序"])
    assert made.exit_code == 0, made.output
    raw = made.output.strip()
    assert len(raw) >= 40
    with app.app_context():
        (row,) = db.session.scalars(select(ApiKey)).all()
        assert row.name == "微信小程序" and row.key_hash != raw and raw not in row.key_hash
        assert len(row.key_hash) == 64
        key_id = row.id
        db.session.remove()
    assert post(client, raw).status_code == 200

    listed = runner.invoke(args=["api-keys", "list"])
    assert listed.exit_code == 0 and "微信小程序" in listed.output and raw not in listed.output
    assert "active" in listed.output
    revoked = runner.invoke(args=["api-keys", "revoke", str(key_id)])
    assert revoked.exit_code == 0
    assert post(client, raw).status_code == 403
    assert "revoked" in runner.invoke(args=["api-keys", "list"]).output
    assert runner.invoke(args=["api-keys", "revoke", "999"]).exit_code != 0
    assert runner.invoke(args=["api-keys", "create", "  "]).exit_code != 0
