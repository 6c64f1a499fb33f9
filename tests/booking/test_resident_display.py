"""What the residents' pages echo back: the mobile number as it will be stored, masked."""
from __future__ import annotations

import pytest

from ..factories import csrf_from, free_times, open_for_booking


@pytest.fixture
def resident(app, client, seeded):
    open_for_booking(app)
    client.set_cookie("lang", "en")
    return client


def test_the_check_step_shows_the_normalised_masked_number(app, resident):
    slot = free_times(app, "appointment", 1)[0]
    token = csrf_from(resident.get("/my-booking").get_data(as_text=True))
    response = resident.post("/book/appointment/details", query_string={
        "start": slot.start.isoformat()}, data={
        "name": " 王芳 ", "phone": "+86 139-0000-1111", "group": "elderly", "needs": "",
        "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Check your booking" in html
    shown = html.split("Mobile number</dt>", 1)[1].split("</dd>", 1)[0]
    assert shown.strip() == "<dd>139****1111"
    # what was typed still travels on, unchanged, in the hidden fields
    assert 'name="phone" value="+86 139-0000-1111"' in html
