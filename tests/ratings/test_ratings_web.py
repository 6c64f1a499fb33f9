"""好差评 on the web: a resident rates a finished service once from the completion text's link,
from My booking or after a look-up; an operator records a rating given on the phone; a bad
rating opens a rectification whose fix the resident rates. Bad input stores nothing."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from service_desk.accounts.models import User
from service_desk.base.calendar import add_working_days, deadline_after
from service_desk.base.links import rating_token
from service_desk.catalog.models import Channel, Service
from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.ratings.models import Rating, RatingSource, Rectification, RectificationStatus
from service_desk.ratings.services import rectification_callback, rectification_close
from service_desk.requests.models import RequestStatus
from service_desk.units.models import Unit

from ..factories import (
    DAY,
    PHONE,
    SHANGHAI,
    People,
    act,
    add_booking,
    audits,
    csrf_from,
    login,
    report,
    user_id,
)
from ..factories import count_rows as count
from ..factories import local_at as _at

RATE_LINK = re.compile(r"/rate/([A-Za-z0-9_.\-]+)")


@pytest.fixture
def people(app, seeded, make_user):
    """Signed-in staff (centre: 张三 of the service centre), operators, a supervisor..."""
    found = People(app, make_user)
    found["centre"]  # made now, so that its display name can be set
    with app.app_context():
        db.session.execute(update(User).where(User.username == "centre")
                           .values(display_name="张三"))
        db.session.commit()
    return found


@pytest.fixture
def resident(app):
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def post(client, url: str, data: dict, page: str = "/rate/"):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def complete_via_schedule(app, people, reference: str = "HALL2222") -> str:
    """An appointment the centre's staff mark completed; returns the rating link's token."""
    add_booking(app, reference=reference, start=_at(DAY, 9), status=RequestStatus.ARRIVED)
    centre = people["centre"]
    page = centre.get(f"/schedule/{reference}").get_data(as_text=True)
    response = centre.post(f"/schedule/{reference}/status", data={
        "csrf_token": csrf_from(page), "status": "completed", "note": "办结", "version": "1"})
    assert response.status_code == 302
    with app.app_context():
        text = db.session.scalar(select(Notification.body).where(
            Notification.kind == "appointment-completed"))
    match = RATE_LINK.search(text)
    assert match, text
    return match.group(1)


def stored_rating(app) -> Rating:
    with app.app_context():
        [rating] = db.session.scalars(select(Rating)).all()
        db.session.expunge(rating)
        return rating


def the_rect(app) -> Rectification:
    with app.app_context():
        rect = db.session.scalar(select(Rectification))
        db.session.expunge(rect)
        return rect


def token_for(app, reference: str, phone: str = PHONE) -> str:
    with app.app_context():
        return rating_token(reference, phone)


# ---- the link in the completion text ------------------------------------------------------

def test_a_bad_rating_from_the_link_is_stored_with_who_served_and_opens_a_rectification(
        app, people, resident):
    token = complete_via_schedule(app, people)
    page = resident.get(f"/rate/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Appointment booking" in html  # the service's English name on English pages
    assert "Government Service Centre of the Development Zone" in html
    assert '<dd class="served-by">张三</dd>' in html and "Staff member" not in html
    for words in ("Very satisfied", "Satisfied", "Fairly satisfied", "Dissatisfied",
                  "Very dissatisfied"):
        assert f">{words}</label>" in html
    assert html.index("Very satisfied") < html.index("Very dissatisfied")  # best first
    assert 'maxlength="500"' in html and "At most 500 characters." in html

    response = resident.post(f"/rate/{token}", data={
        "csrf_token": csrf_from(html), "level": "2", "comment": "等了很久", "via": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/rate/{token}/thanks")

    rating = stored_rating(app)
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "appointment"))
        assert (rating.unit_id, rating.service_id) == (service.unit_id, service.id)
    assert rating.staff_id == user_id(app, "centre")
    assert rating.level == 2 and rating.comment == "等了很久"
    assert rating.channel is Channel.PHONE and rating.source is RatingSource.LINK
    assert rating.recorded_by_id is None
    assert [a.after["source"] for a in audits(app, "rating.give")] == ["link"]

    rect = the_rect(app)
    assert rect.status is RectificationStatus.OPEN and rect.unit_id == rating.unit_id
    assert rect.due_at == deadline_after(rating.created_at, 5, SHANGHAI)
    local_due = rect.due_at.astimezone(SHANGHAI)
    assert local_due.date() == add_working_days(rating.created_at.astimezone(SHANGHAI).date(), 5)
    assert local_due.time() == dt.time(18)

    thanks = resident.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for your rating" in thanks and "Dissatisfied" in thanks
    assert "等了很久" in thanks
    assert "will call you back within 5 working days" in thanks
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        from service_desk.base.display import when

        assert when(rect.due_at, None) in thanks  # the deadline in Shanghai time, in words


def test_a_good_rating_opens_no_rectification(app, people, resident):
    token = complete_via_schedule(app, people)
    response = post(resident, f"/rate/{token}", {"level": "5", "comment": ""})
    assert response.status_code == 302
    assert stored_rating(app).level == 5 and stored_rating(app).comment is None
    assert count(app, Rectification) == 0
    thanks = resident.get(response.headers["Location"]).get_data(as_text=True)
    assert "Very satisfied" in thanks and "call you back" not in thanks


def test_a_second_rating_says_already_rated_and_stores_nothing(app, people, resident):
    token = complete_via_schedule(app, people)
    assert post(resident, f"/rate/{token}", {"level": "4"}).status_code == 302
    again = post(resident, f"/rate/{token}", {"level": "1", "comment": "再评一次"})
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "already been rated" in html and "Satisfied" in html
    assert count(app, Rating) == 1 and stored_rating(app).level == 4
    assert count(app, Rectification) == 0
    page = resident.get(f"/rate/{token}").get_data(as_text=True)  # reopened later: no form
    assert "You have already rated this service" in page and 'name="level"' not in page


@pytest.mark.parametrize("level", ["0", "6", "abc", "", "2.5", "-1", None])
def test_a_tampered_level_reshows_the_form_with_a_field_error(app, people, resident, level):
    token = complete_via_schedule(app, people)
    data = {"comment": "留言保留"} | ({} if level is None else {"level": level})
    response = post(resident, f"/rate/{token}", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Please correct the fields marked below." in html
    assert 'id="level-error"' in html and "Choose one of the five levels" in html
    assert "留言保留" in html  # what was typed is kept
    assert count(app, Rating) == 0 and count(app, Rectification) == 0


def test_a_comment_over_500_characters_is_refused_and_500_is_accepted(app, people, resident):
    token = complete_via_schedule(app, people)
    response = post(resident, f"/rate/{token}", {"level": "3", "comment": "长" * 501})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="comment-error"' in html and "500 characters at most (you wrote 501)" in html
    assert count(app, Rating) == 0
    assert post(resident, f"/rate/{token}", {"level": "3", "comment": "长" * 500}
                ).status_code == 302
    assert len(stored_rating(app).comment) == 500


def test_an_expired_link_says_so_and_offers_the_look_up(app, people, resident):
    token = complete_via_schedule(app, people)
    app.config["RATING_LINK_MAX_AGE"] = -1
    try:
        page = resident.get(f"/rate/{token}")
        posted = post(resident, f"/rate/{token}", {"level": "5"})
    finally:
        app.config["RATING_LINK_MAX_AGE"] = 30 * 24 * 3600
    assert page.status_code == posted.status_code == 404
    html = page.get_data(as_text=True)
    assert "This rating link has expired" in html and 'href="/rate/"' in html
    assert "HALL" not in html  # the service is not shown
    assert count(app, Rating) == 0


@pytest.mark.parametrize("token", ["not-a-token", "eyJhIjoxfQ.abc.def"])
def test_a_broken_link_says_it_does_not_work(app, people, resident, token):
    complete_via_schedule(app, people)
    response = resident.get(f"/rate/{token}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "This link does not work" in html and 'href="/rate/"' in html


def test_a_link_signed_for_another_phone_does_not_open_the_service(app, people, resident):
    complete_via_schedule(app, people)
    token = token_for(app, "HALL2222", "13900001111")
    assert resident.get(f"/rate/{token}").status_code == 404
    assert post(resident, f"/rate/{token}", {"level": "5"}).status_code == 404
    assert count(app, Rating) == 0


def test_a_service_not_finished_yet_cannot_be_rated(app, people, resident):
    add_booking(app, reference="BOOK2222", start=_at(DAY, 10))
    token = token_for(app, "BOOK2222")
    html = resident.get(f"/rate/{token}").get_data(as_text=True)
    assert "This service is not finished yet" in html and 'name="level"' not in html
    response = post(resident, f"/rate/{token}", {"level": "5"})
    assert response.status_code == 409
    assert "not finished yet" in response.get_data(as_text=True)
    assert count(app, Rating) == 0


def test_staff_of_the_unit_that_served_get_403(app, people):
    token = complete_via_schedule(app, people)
    centre = people["centre"]
    centre.set_cookie("lang", "en")
    page = centre.get(f"/rate/{token}")
    assert page.status_code == 403
    assert "Staff cannot rate their own unit's work" in page.get_data(as_text=True)
    token_field = csrf_from(centre.get("/rate/").get_data(as_text=True))
    assert centre.post(f"/rate/{token}", data={"csrf_token": token_field,
                                               "level": "5"}).status_code == 403
    assert count(app, Rating) == 0
    # someone signed in for another unit is not refused
    assert people["builder"].get(f"/rate/{token}").status_code == 200


def test_the_rating_page_costs_a_fixed_number_of_statements(app, people, resident,
                                                           count_queries):
    token = complete_via_schedule(app, people)
    with count_queries() as unrated:
        assert resident.get(f"/rate/{token}").status_code == 200
    post(resident, f"/rate/{token}", {"level": "1", "comment": "差"})
    with count_queries() as rated:
        assert resident.get(f"/rate/{token}").status_code == 200
    with count_queries() as thanks:
        assert resident.get(f"/rate/{token}/thanks").status_code == 200
    # one statement: the request with its service, unit, who served, rating and rectification
    assert len(unrated) == len(rated) == len(thanks) == 1, (unrated, rated, thanks)


# ---- My booking and the look-up ----------------------------------------------------------

def test_my_booking_offers_the_rating_of_a_finished_appointment(app, people, resident):
    complete_via_schedule(app, people)
    found = post(resident, "/my-booking", {"reference": "HALL2222", "phone": PHONE},
                 page="/my-booking")
    assert found.status_code == 302
    html = resident.get(found.headers["Location"]).get_data(as_text=True)
    link = re.search(r'id="rate" href="([^"]+)"', html)
    assert link and "Rate this service" in html and "via=booking" in link.group(1)
    page = resident.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert 'name="via" type="hidden" value="booking"' in page
    response = resident.post(link.group(1).split("?")[0], data={
        "csrf_token": csrf_from(page), "level": "4", "via": "booking"})
    assert response.status_code == 302
    assert stored_rating(app).source is RatingSource.BOOKING_PAGE
    html = resident.get(found.headers["Location"]).get_data(as_text=True)
    assert 'id="rate"' not in html and "You rated this service: Satisfied" in html


def test_the_look_up_opens_the_rating_of_a_resolved_problem_report(app, people, resident):
    ref = report(app)
    centre = people["centre"]
    assert act(centre, app, ref, "accept", note="收到").status_code == 302
    assert act(centre, app, ref, "resolve", reply="已修好").status_code == 302
    with app.app_context():
        text = db.session.scalar(select(Notification.body).where(
            Notification.kind == "request-resolved"))
    assert "/rate/" in text and "已修好" in text
    typed = f" {ref[:4].lower()} {ref[4:]} "
    found = post(resident, "/rate/", {"reference": typed, "phone": "+86 138-1234-5678"})
    assert found.status_code == 302 and "via=booking" in found.headers["Location"]
    page = resident.get(found.headers["Location"]).get_data(as_text=True)
    assert "Convenience hotline" in page and '<dd class="served-by">张三</dd>' in page
    token = RATE_LINK.search(found.headers["Location"]).group(1)
    assert resident.post(f"/rate/{token}", data={"csrf_token": csrf_from(page), "level": "5",
                                                 "via": "booking"}).status_code == 302
    rating = stored_rating(app)
    assert rating.source is RatingSource.BOOKING_PAGE and rating.staff_id == user_id(app, "centre")


def _without_typed_values(html: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', html)


def test_unknown_reference_and_wrong_phone_answer_alike(app, people, resident):
    complete_via_schedule(app, people)
    unknown = post(resident, "/rate/", {"reference": "ZZZZ2222", "phone": PHONE})
    wrong = post(resident, "/rate/", {"reference": "HALL2222", "phone": "13900001111"})
    assert unknown.status_code == wrong.status_code == 404
    text = unknown.get_data(as_text=True)
    assert "We could not find a service with this reference and mobile number" in text
    assert _without_typed_values(text) == _without_typed_values(wrong.get_data(as_text=True))


def test_a_look_up_with_bad_fields_says_which(app, seeded, resident):
    response = post(resident, "/rate/", {"reference": "", "phone": "12345"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Please correct the fields marked below." in html
    assert "Enter the reference code you were given." in html
    assert "11 digits" in html


def test_look_ups_are_rate_limited(app, seeded, resident):
    app.config["LOOKUP_RATE_LIMIT"] = "3 per minute"
    try:
        token = csrf_from(resident.get("/rate/").get_data(as_text=True))
        codes = [resident.post("/rate/", data={"reference": "ZZZZ2222", "phone": PHONE,
                                               "csrf_token": token}).status_code
                 for _ in range(4)]
        assert resident.get("/rate/").status_code == 200  # only look-ups count
    finally:
        app.config["LOOKUP_RATE_LIMIT"] = "1000 per minute"
    assert codes == [404, 404, 404, 429]


# ---- the hotline records a rating given on the phone ------------------------------------

def resolved_request(app, people) -> str:
    ref = report(app)
    centre = people["centre"]
    assert act(centre, app, ref, "accept", note="收到").status_code == 302
    assert act(centre, app, ref, "resolve", reply="已修好").status_code == 302
    return ref


def test_an_operator_records_the_callers_rating_and_the_console_shows_it(app, people):
    ref = resolved_request(app, people)
    op = people["op"]
    op.set_cookie("lang", "en")
    console = op.get(f"/hotline/?phone={PHONE}").get_data(as_text=True)
    assert f'href="/hotline/requests/{ref}/rating"' in console
    page = op.get(f"/hotline/requests/{ref}/rating")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Record the caller's rating" in html and "Very dissatisfied</label>" in html
    response = op.post(f"/hotline/requests/{ref}/rating", data={
        "csrf_token": csrf_from(html), "level": "1", "comment": "电话里说没修好"})
    assert response.status_code == 302 and f"phone={PHONE}" in response.headers["Location"]
    rating = stored_rating(app)
    assert rating.source is RatingSource.PHONE and rating.level == 1
    assert rating.recorded_by_id == user_id(app, "op")
    assert rating.staff_id == user_id(app, "centre")
    [audit] = audits(app, "rating.give")
    assert audit.actor_label == "op" and audit.after["source"] == "phone"
    assert count(app, Rectification) == 1
    console = op.get(f"/hotline/?phone={PHONE}").get_data(as_text=True)
    assert "Very dissatisfied" in console
    assert f'href="/hotline/requests/{ref}/rating"' not in console
    again = op.post(f"/hotline/requests/{ref}/rating", data={
        "csrf_token": csrf_from(html), "level": "5"})
    assert again.status_code == 409 and count(app, Rating) == 1


def test_a_phone_rating_with_a_bad_level_stores_nothing(app, people):
    ref = resolved_request(app, people)
    op = people["op"]
    op.set_cookie("lang", "en")
    html = op.get(f"/hotline/requests/{ref}/rating").get_data(as_text=True)
    response = op.post(f"/hotline/requests/{ref}/rating", data={
        "csrf_token": csrf_from(html), "level": "9"})
    assert response.status_code == 422
    assert "Choose one of the five levels" in response.get_data(as_text=True)
    assert count(app, Rating) == 0


def test_staff_and_an_operator_of_the_serving_unit_cannot_record_a_rating(app, people,
                                                                         make_user):
    ref = resolved_request(app, people)
    make_user("operator", unit="gov-service-centre", username="centre_op")
    centre_op = app.test_client()
    login(centre_op, "centre_op")
    for client in (people["centre"], people["builder"], people["sup"], centre_op):
        html = client.get("/").get_data(as_text=True)
        assert client.get(f"/hotline/requests/{ref}/rating").status_code == 403
        assert client.post(f"/hotline/requests/{ref}/rating", data={
            "csrf_token": csrf_from(html), "level": "5"}).status_code == 403
    assert count(app, Rating) == 0
    console = centre_op.get(f"/hotline/?phone={PHONE}").get_data(as_text=True)
    assert f'href="/hotline/requests/{ref}/rating"' not in console


def test_an_unfinished_request_cannot_be_rated_by_phone(app, people):
    ref = report(app)
    op = people["op"]
    op.set_cookie("lang", "en")
    html = op.get(f"/hotline/requests/{ref}/rating").get_data(as_text=True)
    assert "not finished yet" in html and 'name="level"' not in html
    response = op.post(f"/hotline/requests/{ref}/rating", data={
        "csrf_token": csrf_from(html), "level": "5"})
    assert response.status_code == 409 and count(app, Rating) == 0
    assert op.get("/hotline/requests/NOSUCH22/rating").status_code == 404


# ---- the resident rates the fix of a bad rating ------------------------------------------

def close_rectification(app, outcome=RectificationStatus.FIXED) -> None:
    with app.app_context():
        rect = db.session.scalar(select(Rectification))
        actor = db.session.scalar(select(User).where(User.username == "centre"))
        rectification_callback(rect=rect, actor=actor, note="已致电居民,道歉并说明",
                               expected_version=rect.version)
        rectification_close(rect=rect, actor=actor, outcome=outcome,
                            note="已安排专人当天办结", expected_version=rect.version)
        db.session.commit()


def test_the_resident_rates_the_fix_once_after_the_unit_closes_it(app, people, resident):
    token = complete_via_schedule(app, people)
    assert post(resident, f"/rate/{token}", {"level": "1", "comment": "太慢"}).status_code == 302
    html = resident.get(f"/rate/{token}").get_data(as_text=True)
    assert "will call you back" in html and 'name="level"' not in html
    early = post(resident, f"/rate/{token}/fix", {"level": "5"})
    assert early.status_code == 409
    assert "has not finished dealing with your rating" in early.get_data(as_text=True)

    close_rectification(app)
    html = resident.get(f"/rate/{token}").get_data(as_text=True)
    assert "已安排专人当天办结" in html and "The problem was put right" in html
    assert f'action="/rate/{token}/fix"' in html
    bad = post(resident, f"/rate/{token}/fix", {"level": "x"})
    assert bad.status_code == 422 and 'id="fix-level-error"' in bad.get_data(as_text=True)
    assert the_rect(app).fix_level is None

    done = post(resident, f"/rate/{token}/fix", {"level": "4", "comment": "满意"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/thanks?fix=1")
    thanks = resident.get(done.headers["Location"]).get_data(as_text=True)
    assert "Your rating of what the unit did was saved." in thanks
    rect = the_rect(app)
    assert (rect.fix_level, rect.fix_comment) == (4, "满意") and rect.fix_rated_at is not None
    again = post(resident, f"/rate/{token}/fix", {"level": "1"})
    assert again.status_code == 409
    assert "already rated how your rating was dealt with" in again.get_data(as_text=True)
    assert the_rect(app).fix_level == 4
    assert stored_rating(app).level == 1  # the first rating is unchanged


def test_a_good_rating_has_no_fix_to_rate(app, people, resident):
    token = complete_via_schedule(app, people)
    post(resident, f"/rate/{token}", {"level": "5"})
    response = post(resident, f"/rate/{token}/fix", {"level": "5"})
    assert response.status_code == 409
    assert "There is nothing to rate here" in response.get_data(as_text=True)


def test_the_units_name_and_rating_words_show_in_chinese_by_default(app, people):
    token = complete_via_schedule(app, people)
    with app.app_context():
        unit_name = db.session.scalar(select(Unit.name).where(Unit.code == "gov-service-centre"))
    html = app.test_client().get(f"/rate/{token}").get_data(as_text=True)
    assert unit_name in html
