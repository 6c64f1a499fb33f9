"""One Open311 client must not break the public XML feed for everyone (issue 12, item 5):
characters XML 1.0 cannot carry are refused on the way in and left out on the way out."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import update

from service_desk.extensions import db
from service_desk.requests.models import ServiceRequest

from ..factories import count_rows, new_key

BASE = "/open311/v2"
FIELDS = {"service_code": "hotline", "address_string": "海峰路 1 号", "first_name": "大爷",
          "last_name": "王", "phone": "13812345678", "description": "小区路灯不亮已经三天"}


def test_a_post_with_control_characters_is_refused_naming_the_field(app, client, seeded):
    key = new_key(app)
    response = client.post(f"{BASE}/requests.xml", data={
        **FIELDS, "api_key": key, "description": "灯坏了\x01\x0b\x1b", "first_name": "大\x00爷"})
    assert response.status_code == 400
    root = ET.fromstring(response.data)  # the error answer itself is well-formed
    described = " ".join(e.findtext("description") for e in root.iter("error"))
    assert "description" in described and "first_name" in described
    assert count_rows(app) == 0


def test_the_feed_stays_well_formed_when_stored_text_holds_such_characters(app, client, seeded):
    key = new_key(app)
    posted = client.post(f"{BASE}/requests.json", data={**FIELDS, "api_key": key})
    reference = posted.get_json()[0]["service_request_id"]
    with app.app_context():  # text from another channel, or stored before the check
        db.session.execute(update(ServiceRequest).where(ServiceRequest.reference == reference)
                           .values(description="灯坏了\x01\x0b\x1b三天", address="海峰路\x0c1 号"))
        db.session.commit()
    for path in ("requests.xml", f"requests/{reference}.xml"):
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 200
        root = ET.fromstring(response.data)
        assert root.find("request").findtext("description") == "灯坏了三天"
        assert root.find("request").findtext("address") == "海峰路1 号"
