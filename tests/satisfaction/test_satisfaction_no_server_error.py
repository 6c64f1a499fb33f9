"""Months no calendar has (year 0) used to answer 500 on the dashboard and its exports; they
are ignored with a message like any other month not offered."""
from __future__ import annotations

import pytest

from service_desk.satisfaction.forms import parse_month

from ..factories import signed_in


@pytest.fixture
def supervisor(app, seeded, make_user):
    make_user("supervisor", username="sup")
    return signed_in(app, "sup", lang="en")


@pytest.mark.parametrize("query", ["from=0000-01&to=0000-02", "from=0000-01", "to=0000-12"])
def test_a_month_of_year_0_is_ignored_with_a_message(supervisor, query):
    response = supervisor.get(f"/satisfaction?{query}")
    assert response.status_code == 200
    assert "is not one of the months offered" in response.get_data(as_text=True)
    export = supervisor.get(f"/satisfaction/export.csv?{query}")
    assert export.status_code == 200 and export.mimetype == "text/csv"


def test_parse_month_reads_only_months_of_the_calendar():
    assert parse_month("0000-01") is None
    assert parse_month("0001-01").year == 1 and parse_month("9999-12").month == 12
