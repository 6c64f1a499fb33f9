"""好差评 over the API: a resident rates a finished service once by reference + phone, and the
public satisfaction figures (evaluation rate, good-rating rate) overall and per unit."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.ratings.models import Rating, RatingSource, Rectification
from service_desk.requests.models import RequestStatus, ServiceRequest

from ..factories import EIGHT_TO_EIGHT, PHONE, open_every_day


@pytest.fixture
def bookable(app, seeded):
    open_every_day(app, capacity=5, ahead=30, periods=EIGHT_TO_EIGHT)


def booked(api, phone=PHONE) -> str:
    today = dt.date.today()
    slots = api.get(f"/api/v1/services/appointment/slots?from={today}"
                    f"&to={today + dt.timedelta(days=20)}").get_json()
    start = next(s["start"] for s in slots if s["remaining"])
    response = api.post("/api/v1/appointments", check_request=True, json={
        "service_code": "appointment", "start": start, "name": "李阿姨", "phone": phone,
        "group": "elderly"})
    assert response.status_code == 201
    return response.get_json()["reference"]


def complete(app, reference: str) -> None:
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference))
        item.status = RequestStatus.COMPLETED
        db.session.commit()


def rate(api, reference, **body):
    return api.post(f"/api/v1/appointments/{reference}/rating", json={"phone": PHONE, **body})


def test_a_completed_appointment_is_rated_once(app, api, bookable):
    ref = booked(api)
    early = rate(api, ref, level=5)
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "not_rateable"
    complete(app, ref)
    given = api.post(f"/api/v1/appointments/{ref}/rating", check_request=True,
                     json={"phone": PHONE, "level": 5, "comment": "办事快，态度好"})
    assert given.status_code == 201
    body = given.get_json()
    assert body["level"] == 5 and body["good"] is True and body["source"] == "api"
    again = rate(api, ref, level=1)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_rated"
    with app.app_context():
        (rating,) = db.session.scalars(select(Rating)).all()
        assert rating.level == 5 and rating.source is RatingSource.API
        assert rating.comment == "办事快，态度好"


def test_a_bad_rating_opens_a_rectification(app, api, bookable):
    ref = booked(api)
    complete(app, ref)
    assert rate(api, ref, level=1, comment="等了很久").status_code == 201
    with app.app_context():
        assert db.session.query(Rectification).count() == 1


def test_wrong_phone_and_unknown_reference_answer_the_same(app, api, bookable):
    ref = booked(api)
    complete(app, ref)
    wrong = api.post(f"/api/v1/appointments/{ref}/rating", json={"phone": "13912345678", "level": 5})
    unknown = rate(api, "ZZZZ2222", level=5)
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()


@pytest.mark.parametrize("body,field", [
    ({"level": "5"}, "level"), ({"level": 0}, "level"), ({"level": 6}, "level"),
    ({"level": True}, "level"), ({"level": 4.5}, "level"), ({"level": None}, "level"),
    ({}, "level"), ({"level": 5, "comment": "长" * 501}, "comment"),
    ({"level": 5, "comment": 7}, "comment"), ({"level": 5, "stars": 5}, "stars"),
])
def test_bad_levels_and_comments_answer_422_and_store_nothing(app, api, bookable, body, field):
    ref = booked(api)
    complete(app, ref)
    response = rate(api, ref, **body)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.query(Rating).count() == 0


def test_the_figures_are_public_overall_and_per_unit(app, api, bookable):
    empty = api.get("/api/v1/stats/ratings").get_json()
    assert empty["good_levels"] == [4, 5]
    assert empty["evaluation_rate"] is None and empty["good_rating_rate"] is None
    refs = []
    for _ in range(3):  # completed before the next: one phone holds one active booking a day
        refs.append(booked(api))
        complete(app, refs[-1])
    rate(api, refs[0], level=5)
    rate(api, refs[1], level=2)
    stats = api.get("/api/v1/stats/ratings").get_json()
    assert (stats["completed"], stats["rated"], stats["good"]) == (3, 2, 1)
    assert stats["evaluation_rate"] == pytest.approx(2 / 3)
    assert stats["good_rating_rate"] == pytest.approx(0.5)
    assert stats["levels"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    (unit,) = stats["units"]
    assert unit["code"] == "gov-service-centre" and unit["rated"] == 2
    assert unit["good_rating_rate"] == pytest.approx(0.5)
    month = dt.date.today().strftime("%Y-%m")
    filtered = api.get(f"/api/v1/stats/ratings?from={month}&to={month}&unit=gov-service-centre"
                       "&service=appointment&channel=web").get_json()
    assert filtered["completed"] == 3 and filtered["filters"]["unit"] == "gov-service-centre"
    other = api.get("/api/v1/stats/ratings?unit=construction-bureau").get_json()
    assert other["completed"] == 0 and other["evaluation_rate"] is None


@pytest.mark.parametrize("query,field", [
    ("from=2026-13", "from"), ("to=26-01", "to"), ("from=2026-05&to=2026-01", "to"),
    ("unit=nowhere", "unit"), ("service=nope", "service"), ("channel=fax", "channel"),
])
def test_bad_figure_filters_answer_422(api, seeded, query, field):
    response = api.get(f"/api/v1/stats/ratings?{query}")
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_the_figures_issue_a_bounded_number_of_queries(app, api, bookable, count_queries):
    with count_queries() as few:
        api.get("/api/v1/stats/ratings")
    for _ in range(4):
        ref = booked(api)
        complete(app, ref)
        rate(api, ref, level=4)
    with count_queries() as many:
        api.get("/api/v1/stats/ratings")
    assert len(many) == len(few) <= 10
