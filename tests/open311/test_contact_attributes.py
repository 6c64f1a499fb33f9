"""GeoReport v2 makes ``first_name``, ``last_name`` and ``phone`` optional; the desk replies by
text message and calls the resident back on the mobile number, so every service definition
declares ``name`` and ``phone`` as required attributes. A generic client shows them in its
form and posts ``attribute[name]``/``attribute[phone]``; a client that knows the desk may send
the specification's fields instead."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from service_desk.requests.models import ServiceRequest

from ..factories import count_rows, new_key
from ..factories import stored_request as stored

BASE = "/open311/v2"
GENERIC = {"service_code": "hotline", "lat": "37.5129", "long": "122.1201",
           "description": "小区路灯不亮已经三天"}


def post(client, key: str, fmt: str = "json", **extra):
    data = {**GENERIC, "api_key": key, **extra}
    return client.post(f"{BASE}/requests.{fmt}", data={k: v for k, v in data.items()
                                                       if v is not None})


def answer(response) -> dict:
    """The one answer of a POST, or the error array as {parameter: description}, from
    either format."""
    if response.content_type.startswith("text/xml"):
        root = ET.fromstring(response.get_data())
        if root.tag == "errors":
            return dict(e.findtext("description").split(": ", 1) for e in root)
        return {c.tag: c.text for c in root.find("request")}
    body = response.get_json()
    if response.status_code >= 400:
        return dict(e["description"].split(": ", 1) for e in body)
    return body[0]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_service_definition_asks_for_the_name_and_mobile_as_required(client, seeded,
                                                                          fmt):
    client.set_cookie("lang", "en")
    for code in ("hotline", "open-on-completion", "butler-help-desk"):
        response = client.get(f"{BASE}/services/{code}.{fmt}")
        assert response.status_code == 200
        if fmt == "json":
            attributes = response.get_json()["attributes"]
        else:
            attributes = [{c.tag: c.text for c in a}
                          for a in ET.fromstring(response.get_data()).find("attributes")]
            for a in attributes:
                a["required"], a["variable"] = a["required"] == "true", a["variable"] == "true"
                a["order"] = int(a["order"])
        name, phone = attributes[:2]
        assert (name["code"], name["datatype"], name["required"], name["variable"],
                name["order"]) == ("name", "string", True, True, 1)
        assert (phone["code"], phone["datatype"], phone["required"], phone["variable"],
                phone["order"]) == ("phone", "string", True, True, 2)
        # the definition says why and how, for the person writing the client
        assert "text message" in phone["description"] and "phone" in phone["description"]
        assert "first_name" in name["description"]
    listed = client.get(f"{BASE}/services.json").get_json()
    assert {s["metadata"] for s in listed} == {True}  # clients fetch the definition


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_generic_client_sending_the_definitions_attributes_is_accepted(app, client, seeded,
                                                                         fmt):
    response = post(client, new_key(app), fmt,
                    **{"attribute[name]": "王大爷", "attribute[phone]": "138 1234 5678"})
    assert response.status_code == 200, response.get_data(as_text=True)
    item = stored(app, answer(response)["service_request_id"])
    assert (item.resident_name, item.resident_phone) == ("王大爷", "13812345678")
    assert item.attributes is None  # the contact is the request's, not kept twice


def test_the_contact_attributes_go_with_a_services_own(app, client, seeded):
    response = post(client, new_key(app), service_code="butler-help-desk",
                    **{"attribute[name]": "李经理", "attribute[phone]": "13912345678",
                       "attribute[group]": "enterprise"})
    assert response.status_code == 200, response.get_data(as_text=True)
    item = stored(app, answer(response)["service_request_id"])
    assert (item.resident_name, item.resident_phone) == ("李经理", "13912345678")
    assert item.attributes == {"group": "enterprise"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_without_a_name_or_mobile_anywhere_the_400_says_how_to_send_them(app, client, seeded,
                                                                        fmt):
    client.set_cookie("lang", "en")
    response = post(client, new_key(app), fmt)
    assert response.status_code == 400
    errors = answer(response)
    assert set(errors) == {"phone", "first_name"}
    assert "attribute[phone]" in errors["phone"] and "text message" in errors["phone"]
    assert "attribute[name]" in errors["first_name"]
    assert count_rows(app, ServiceRequest) == 0


@pytest.mark.parametrize("extra, named", [
    ({"phone": "13812345678", "attribute[phone]": "13900000000", "attribute[name]": "王大爷"},
     "attribute[phone]"),
    ({"first_name": "大爷", "last_name": "王", "attribute[name]": "李四",
      "attribute[phone]": "13812345678"}, "attribute[name]"),
    ({"attribute[name]": "王大爷", "attribute[phone]": "12345"}, "attribute[phone]"),
    ({"attribute[name]": "王" * 51, "attribute[phone]": "13812345678"}, "attribute[name]"),
])
def test_a_contact_that_differs_or_is_wrong_is_400_naming_where_it_came_from(app, client,
                                                                             seeded, extra,
                                                                             named):
    response = post(client, new_key(app), **extra)
    assert response.status_code == 400
    assert set(answer(response)) == {named}
    assert count_rows(app, ServiceRequest) == 0


def test_two_numbers_in_one_attribute_are_refused_and_the_same_number_twice_is_fine(
        app, client, seeded):
    key = new_key(app)
    client.set_cookie("lang", "en")
    twice = client.post(f"{BASE}/requests.json", data={
        **GENERIC, "api_key": key, "attribute[name]": "王大爷",
        "attribute[phone]": ["13812345678", "13900000000"]})
    assert twice.status_code == 400 and set(answer(twice)) == {"attribute[phone]"}
    same = post(client, key, phone="13812345678", first_name="大爷", last_name="王",
                **{"attribute[phone]": "+86 138-1234-5678", "attribute[name]": "王大爷"})
    assert same.status_code == 200, same.get_data(as_text=True)
