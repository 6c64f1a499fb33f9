"""Who can book: the public too, for the hall appointment and the home visit; the groups stay
as a choice to prioritise and prepare."""
from __future__ import annotations

import re

from sqlalchemy import select

from service_desk.catalog.models import SpecialGroup
from service_desk.extensions import db
from service_desk.requests.models import ServiceRequest

from ..factories import csrf_from, free_times, open_for_booking

DETAILS = {"name": "刘先生", "phone": "13812345678", "address": "海埠路 1 号", "needs": ""}


def test_the_details_step_offers_none_of_these_and_books_with_it(app, client, seeded):
    open_for_booking(app)
    client.set_cookie("lang", "en")
    for code in ("appointment", "home-visit"):
        start = free_times(app, code, 1)[0].start.isoformat()
        page = client.get(f"/book/{code}/details?start={start}").get_data(as_text=True)
        values = re.findall(r'<input[^>]*name="group"[^>]*value="([^"]*)"', page)
        assert values == ["elderly", "disabled", "pregnant", "enterprise", "everyone"]
        assert "None of these: a member of the public" in page
        checked = client.post(f"/book/{code}/details?start={start}", data={
            **DETAILS, "group": "everyone", "start": start, "csrf_token": csrf_from(page)})
        assert checked.status_code == 200 and 'id="confirm"' in checked.get_data(as_text=True)
        nothing = client.post(f"/book/{code}/details?start={start}", data={
            **DETAILS, "start": start, "csrf_token": csrf_from(page)})
        assert nothing.status_code == 422  # a choice is still asked for, "none" among them
        html = checked.get_data(as_text=True)
        token = re.search(r'name="confirm_token" value="([^"]+)"', html).group(1)
        done = client.post(f"/book/{code}/confirm", data={
            **DETAILS, "phone": f"1381234567{len(code) % 10}", "group": "everyone",
            "start": start, "confirm_token": token, "csrf_token": csrf_from(html)})
        assert done.status_code == 302
    with app.app_context():
        groups = db.session.scalars(select(ServiceRequest.special_group)).all()
    assert groups == [SpecialGroup.EVERYONE, SpecialGroup.EVERYONE]


def test_the_home_page_says_residents_and_enterprises_can_book(client, seeded):
    client.set_cookie("lang", "en")
    html = client.get("/").get_data(as_text=True)
    assert "Residents and enterprises with a real need can book" in html
    assert "Residents with difficulty travelling, and enterprises" not in html
