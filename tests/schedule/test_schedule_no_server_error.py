"""Dates at the calendar's ends used to answer 500 (the page steps a day or a week either way
and converts to UTC); they are replaced by today with the date message, like a typo."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("url", ["/schedule?day=9999-12-31", "/schedule?day=0001-01-01",
                                 "/schedule/week?start=9999-12-31",
                                 "/schedule/week?start=0001-01-01"])
def test_a_date_at_the_calendars_end_is_replaced_by_today(app, seeded, make_user, url):
    from ..factories import signed_in

    make_user("staff", unit="gov-service-centre", username="centre")
    client = signed_in(app, "centre", lang="en")
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert "Enter a date like" in response.get_data(as_text=True)  # this year's example


def test_a_date_well_inside_the_calendar_is_shown(app, seeded, make_user):
    from ..factories import signed_in

    make_user("staff", unit="gov-service-centre", username="centre")
    client = signed_in(app, "centre", lang="en")
    page = client.get("/schedule?day=9999-12-01").get_data(as_text=True)
    assert "Enter a date like" not in page and "9999-12-02" in page
