"""The item page's forms say what they need: the note is required with every save, and dates
are date inputs that also take 20261231 typed on a phone's digit keypad."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_desk.base.calendar import today as zone_today
from service_desk.extensions import db
from service_desk.matters.models import DeadlineExtension, MatterStatus

from ..factories import login, matter_get, matter_set, post_form


@pytest.fixture
def today(app):
    """The zone's date function, inside the app (the zone is a setting)."""
    def read() -> dt.date:
        with app.app_context():
            return zone_today()
    return read


@pytest.fixture
def centre(app, seeded, make_user):
    make_user("staff", unit="gov-service-centre", username="centre")
    client = app.test_client()
    client.set_cookie("lang", "en")
    login(client, "centre")
    return client


def test_the_note_hint_says_it_is_required_with_every_save(centre):
    html = centre.get("/matters/S03").get_data(as_text=True)
    assert "Required with every save" in html
    assert "When you complete the item, describe the result." not in html
    refused = post_form(centre, "/matters/S03/updates", {"status": "in_progress", "progress": "50",
                                                          "note": " ", "version": "1"},
                        page_url="/matters/S03")
    assert refused.status_code in (200, 422) and "the note is required" in refused.get_data(as_text=True)


def test_the_extension_date_is_a_date_input_with_this_years_example(app, centre, today):
    matter_set(app, "S03", status=MatterStatus.IN_PROGRESS, progress=40,
               deadline=today() + dt.timedelta(days=5))
    html = centre.get("/matters/S03").get_data(as_text=True)
    assert 'id="requested_deadline"' in html and 'type="date"' in html
    assert f"{today().year}-12-31" in html and "2021-12-31" not in html


def test_an_extension_date_typed_as_digits_is_read(app, centre, today):
    matter_set(app, "S03", status=MatterStatus.IN_PROGRESS, progress=40,
               deadline=today() + dt.timedelta(days=5))
    bad = post_form(centre, "/matters/S03/extension",
                    {"requested_deadline": "next month", "reason": "x"}, page_url="/matters/S03")
    assert bad.status_code == 422
    assert f"Enter a date like {today().year}-12-31" in bad.get_data(as_text=True)
    wanted = today() + dt.timedelta(days=40)
    response = post_form(centre, "/matters/S03/extension",
                         {"requested_deadline": wanted.strftime("%Y%m%d"), "reason": "设备到货延迟"},
                         page_url="/matters/S03")
    assert response.status_code == 302
    assert matter_get(app, "S03").deadline == today() + dt.timedelta(days=5)  # until approved
    with app.app_context():
        asked = db.session.scalar(select(DeadlineExtension.requested_deadline))
    assert asked == wanted
