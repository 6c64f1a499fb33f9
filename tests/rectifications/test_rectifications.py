"""差评整改: a bad rating opens a rectification the unit works through its pages — call the
resident back, close it as fixed or explained, or appeal to a supervisor — with access per
unit, stale forms refused, the supervisors' overdue board, and a bounded number of queries."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from service_desk.accounts.models import User
from service_desk.catalog.models import Channel, Service
from service_desk.db import utcnow
from service_desk.extensions import db
from service_desk.ratings.models import Rating, RatingSource, Rectification, RectificationStatus
from service_desk.ratings.services import fix_rate, rating_give, rectification_callback
from service_desk.ratings.stats import rating_figures
from service_desk.requests.models import RequestStatus, ServiceRequest
from service_desk.units.models import Unit

from ..factories import MASKED, PHONE, People, audits, csrf_from, events_of, user_id


@pytest.fixture
def people(app, seeded, make_user):
    """Signed-in clients by name, on English pages (messages are asserted in English)."""
    return People(app, make_user, lang="en")


def completed(app, reference: str, *, service: str = "appointment", served_by: str | None = None,
              status: RequestStatus = RequestStatus.COMPLETED) -> None:
    """A finished service of the centre, inserted as a row (the booking rules are not under
    test here)."""
    with app.app_context():
        svc = db.session.scalar(select(Service).where(Service.code == service))
        start = utcnow() - dt.timedelta(days=1)
        db.session.add(ServiceRequest(
            reference=reference, service_id=svc.id, channel=Channel.PHONE, status=status,
            resident_name="王秀英", resident_phone=PHONE, starts_at=start,
            ends_at=start + dt.timedelta(minutes=30), unit_id=svc.unit_id,
            served_by_id=user_id(app, served_by) if served_by else None,
            description="办理社保卡" if service != "appointment" else None))
        db.session.commit()
        db.session.remove()


def rate(app, reference: str, level: int = 2, comment: str | None = "等了很久,态度不好") -> int:
    """The resident's rating; returns the rectification's id (when it opens one)."""
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference))
        rating = rating_give(request=item, level=level, comment=comment, source=RatingSource.LINK)
        db.session.commit()
        rect_id = db.session.scalar(select(Rectification.id)
                                    .where(Rectification.rating_id == rating.id))
        db.session.remove()
    return rect_id


def bad_rating(app, reference: str = "A20260301", **kwargs) -> int:
    completed(app, reference, **kwargs)
    return rate(app, reference)


def rect_row(app, rect_id: int) -> Rectification:
    with app.app_context():
        rect = db.session.get(Rectification, rect_id)
        db.session.expunge(rect)
        return rect


def excluded(app, rect_id: int) -> bool:
    with app.app_context():
        return db.session.scalar(select(Rating.excluded).join(
            Rectification, Rectification.rating_id == Rating.id).where(Rectification.id == rect_id))


def events(app, reference: str) -> list[str]:
    return [event.action for event in events_of(app, reference)]


def step(client, app, rect_id: int, name: str, version: int | None = None, **data):
    """POST a step like a browser, with the rectification's current version by default."""
    token = csrf_from(client.get("/").get_data(as_text=True))
    if version is None:
        version = rect_row(app, rect_id).version
    return client.post(f"/rectifications/{rect_id}/{name}",
                       data={"csrf_token": token, "version": str(version), **data})


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the list -------------------------------------------------------------------------------

def test_a_bad_rating_is_listed_for_its_unit_with_the_level_in_words_and_a_masked_phone(
        app, people):
    rect_id = bad_rating(app)
    html = text(people["centre"].get("/rectifications"))
    assert "A20260301" in html and f"/rectifications/{rect_id}" in html
    assert "Dissatisfied" in html and "等了很久,态度不好" in html
    assert "Not yet" in html  # called back: not yet
    assert "Open: call back and act" in html
    assert MASKED in html and PHONE not in html
    # another unit's staff do not see it; supervisors see every unit's, with the unit
    assert "A20260301" not in text(people["builder"].get("/rectifications"))
    sup = text(people["sup"].get("/rectifications"))
    assert "A20260301" in sup and "经开区政务服务中心" in sup


def test_a_good_or_fair_rating_opens_no_rectification(app, people):
    completed(app, "A1")
    completed(app, "A2")
    assert rate(app, "A1", level=3) is None
    assert rate(app, "A2", level=5) is None
    assert "No rectifications match." in text(people["centre"].get("/rectifications"))


def test_the_list_filters_by_state_and_unit(app, people):
    late = bad_rating(app, "A1")
    fresh = bad_rating(app, "A2")
    with app.app_context():
        db.session.execute(update(Rectification).where(Rectification.id == late)
                           .values(due_at=utcnow() - dt.timedelta(days=2)))
        db.session.commit()
    sup = people["sup"]
    overdue = text(sup.get("/rectifications?state=overdue"))
    assert f"/rectifications/{late}\"" in overdue and f"/rectifications/{fresh}\"" not in overdue
    assert "Overdue" in overdue
    assert "A1" not in text(sup.get("/rectifications?state=closed")).split("match.")[1]
    assert "No rectifications match." in text(sup.get("/rectifications?state=appealed"))
    assert "No rectifications match." in text(sup.get("/rectifications?unit=construction-bureau"))
    assert "A2" in text(sup.get("/rectifications?unit=gov-service-centre&state=open"))
    assert sup.get("/rectifications?state=nonsense&page=abc").status_code == 200


def test_operators_cannot_list_rectifications(app, people):
    assert people["op"].get("/rectifications").status_code == 403
    assert app.test_client().get("/rectifications").status_code == 302  # to sign in


def test_the_nav_shows_the_units_open_rectifications(app, people):
    bad_rating(app, "A1")
    bad_rating(app, "A2")
    assert "2 open" in text(people["centre"].get("/"))
    assert "open</span>" not in text(people["builder"].get("/"))


# --- access ---------------------------------------------------------------------------------

def test_staff_of_another_unit_can_neither_see_nor_act_and_nothing_changes(app, people):
    rect_id = bad_rating(app)
    builder = people["builder"]
    assert builder.get(f"/rectifications/{rect_id}").status_code == 403
    for name, data in (("callback", {"note": "x"}), ("close", {"outcome": "fixed", "note": "x"}),
                       ("appeal", {"reason": "x"}), ("decide", {"decision": "uphold",
                                                                "reason": "x"}),
                       ("phone", {})):
        assert step(builder, app, rect_id, name, **data).status_code == 403, name
    rect = rect_row(app, rect_id)
    assert (rect.status, rect.version, rect.called_back_at) == (RectificationStatus.OPEN, 1, None)
    assert audits(app, "request.phone_view") == []
    assert people["centre"].get("/rectifications/999999").status_code == 404


def test_supervisors_see_but_do_not_work_a_units_rectification(app, people):
    rect_id = bad_rating(app)
    html = text(people["sup"].get(f"/rectifications/{rect_id}"))
    assert "A20260301" in html and 'id="callback-note"' not in html
    assert step(people["sup"], app, rect_id, "callback", note="我来回访").status_code == 403
    # the unit cannot decide its own appeal
    assert step(people["centre"], app, rect_id, "decide", decision="uphold",
                reason="x").status_code == 403
    assert rect_row(app, rect_id).called_back_at is None


# --- the steps ------------------------------------------------------------------------------

def test_closing_before_the_call_back_is_refused_with_a_message_and_nothing_changes(app, people):
    rect_id = bad_rating(app)
    response = step(people["centre"], app, rect_id, "close", outcome="fixed", note="已重新办理")
    html = text(response)
    assert response.status_code == 422
    assert "Call the resident back first" in html
    assert "已重新办理" in html  # the typed text is kept
    rect = rect_row(app, rect_id)
    assert (rect.status, rect.version, rect.closed_at) == (RectificationStatus.OPEN, 1, None)
    assert audits(app, "rectification.close") == []


def test_call_back_then_close_as_fixed_runs_to_closure(app, people):
    people["colleague"]  # the account that served: made on first use
    completed(app, "A20260301", served_by="colleague")
    rect_id = rate(app, "A20260301")
    centre = people["centre"]
    page = text(centre.get(f"/rectifications/{rect_id}"))
    assert "Served by" in page and "colleague" in page
    assert 'href="/schedule/A20260301"' in page
    assert "First call the resident back" in page

    empty = step(centre, app, rect_id, "callback", note="  ")
    assert empty.status_code == 422 and "Note what the resident said" in text(empty)

    response = step(centre, app, rect_id, "callback", note="居民说窗口等候太久")
    assert response.status_code == 302
    html = text(centre.get(response.headers["Location"]))
    assert "The call-back was recorded." in html and "居民说窗口等候太久" in html
    assert 'id="callback-note"' not in html  # called back once

    no_outcome = step(centre, app, rect_id, "close", note="已处理")
    assert no_outcome.status_code == 422 and "Say whether it was fixed" in text(no_outcome)

    response = step(centre, app, rect_id, "close", outcome="fixed", note="增加了窗口,向居民致歉")
    assert response.status_code == 302
    rect = rect_row(app, rect_id)
    assert rect.status is RectificationStatus.FIXED
    assert rect.closed_at is not None and rect.closed_by_id == user_id(app, "centre")
    assert rect.called_back_by_id == user_id(app, "centre")
    assert rect.action_note == "增加了窗口,向居民致歉"
    assert events(app, "A20260301")[-4:] == ["rated", "rectification_opened",
                                             "rectification_called_back", "rectification_fixed"]
    assert [a.object_id for a in audits(app, "rectification.callback")] == [str(rect_id)]
    assert audits(app, "rectification.close")[0].after["status"] == "fixed"
    html = text(centre.get(f"/rectifications/{rect_id}"))
    assert "Closed: fixed" in html and "增加了窗口" in html
    assert 'id="close-note"' not in html and 'id="appeal-reason"' not in html
    # closed: any further step is refused
    again = step(centre, app, rect_id, "close", outcome="explained", note="再关一次")
    assert again.status_code == 409 and rect_row(app, rect_id).status is RectificationStatus.FIXED

    # the resident rates the fix; the page shows it
    with app.app_context():
        fix_rate(rect=db.session.get(Rectification, rect_id), level=4, comment="改进了")
        db.session.commit()
    html = text(centre.get(f"/rectifications/{rect_id}"))
    assert "rating of the rectification" in html and "Satisfied" in html and "改进了" in html


def test_closing_as_cannot_be_fixed_is_stored_as_explained(app, people):
    rect_id = bad_rating(app)
    centre = people["centre"]
    assert step(centre, app, rect_id, "callback", note="已回访").status_code == 302
    assert step(centre, app, rect_id, "close", outcome="explained",
                note="政策规定必须本人到场,已解释").status_code == 302
    assert rect_row(app, rect_id).status is RectificationStatus.EXPLAINED
    assert events(app, "A20260301")[-1] == "rectification_explained"


def test_an_upheld_appeal_leaves_the_rating_out_of_the_figures_and_says_so(app, people):
    rect_id = bad_rating(app)
    with app.app_context():
        assert rating_figures().overall.rated == 1
    centre, sup = people["centre"], people["sup"]
    assert step(centre, app, rect_id, "appeal", reason="  ").status_code == 422
    response = step(centre, app, rect_id, "appeal", reason="该居民当天未到场,评价系误评")
    assert response.status_code == 302
    assert rect_row(app, rect_id).status is RectificationStatus.APPEALED
    html = text(sup.get(f"/rectifications/{rect_id}"))
    assert "Decide the appeal" in html and "该居民当天未到场" in html
    assert "Decide the appeal" not in text(centre.get(f"/rectifications/{rect_id}"))

    no_choice = step(sup, app, rect_id, "decide", reason="核实属实")
    assert no_choice.status_code == 422 and "uphold or reject" in text(no_choice)
    response = step(sup, app, rect_id, "decide", decision="uphold", reason="核实属实")
    assert response.status_code == 302
    rect = rect_row(app, rect_id)
    assert rect.status is RectificationStatus.APPEAL_UPHELD
    assert rect.decided_by_id == user_id(app, "sup") and rect.closed_at is not None
    assert excluded(app, rect_id) is True
    with app.app_context():
        figures = rating_figures().overall
    assert (figures.rated, figures.excluded) == (0, 1)
    assert audits(app, "rectification.appeal_upheld")[0].after["rating_excluded"] is True
    html = text(centre.get(f"/rectifications/{rect_id}"))
    assert "This rating is left out of the figures (appeal upheld: 核实属实)." in html
    assert events(app, "A20260301")[-2:] == ["rectification_appealed",
                                             "rectification_appeal_upheld"]


def test_a_rejected_appeal_goes_back_to_open_with_the_deadline_unchanged(app, people):
    rect_id = bad_rating(app)
    due = rect_row(app, rect_id).due_at
    centre, sup = people["centre"], people["sup"]
    assert step(centre, app, rect_id, "appeal", reason="恶意差评").status_code == 302
    assert step(sup, app, rect_id, "decide", decision="reject",
                reason="居民反映属实").status_code == 302
    rect = rect_row(app, rect_id)
    assert rect.status is RectificationStatus.OPEN and rect.due_at == due
    assert excluded(app, rect_id) is False
    html = text(centre.get(f"/rectifications/{rect_id}"))
    assert "Rejected" in html and "居民反映属实" in html
    assert 'id="appeal-reason"' not in html and 'id="callback-note"' in html
    # a second appeal, posted directly, is refused
    again = step(centre, app, rect_id, "appeal", reason="再申诉")
    assert again.status_code == 422 and "cannot be appealed again" in text(again)
    assert rect_row(app, rect_id).status is RectificationStatus.OPEN


def test_a_stale_form_shows_the_current_state_keeps_the_typed_text_and_overwrites_nothing(
        app, people):
    rect_id = bad_rating(app)
    people["colleague"]  # the colleague's account: made on first use
    with app.app_context():  # a colleague calls back meanwhile (version 1 -> 2)
        colleague = db.session.scalar(select(User).where(User.username == "colleague"))
        rectification_callback(rect=db.session.get(Rectification, rect_id), actor=colleague,
                               note="同事已回访", expected_version=1)
        db.session.commit()
    centre = people["centre"]
    response = step(centre, app, rect_id, "appeal", version=1, reason="我写的申诉理由")
    html = text(response)
    assert response.status_code == 409
    assert "changed meanwhile" in html
    assert "我写的申诉理由" in html and "同事已回访" in html
    assert re.search(r'name="version" value="2"', html)  # the form comes back current
    rect = rect_row(app, rect_id)
    assert (rect.status, rect.appeal_reason, rect.version) == (RectificationStatus.OPEN, None, 2)
    # no version at all is stale too
    token = csrf_from(text(centre.get("/")))
    blind = centre.post(f"/rectifications/{rect_id}/close",
                        data={"csrf_token": token, "outcome": "fixed", "note": "盲改"})
    assert blind.status_code == 409 and rect_row(app, rect_id).status is RectificationStatus.OPEN


def test_an_unknown_step_is_not_found(app, people):
    rect_id = bad_rating(app)
    assert step(people["centre"], app, rect_id, "delete").status_code == 404


# --- the resident's phone and the request's page ------------------------------------------

def test_the_full_number_is_behind_a_button_and_each_view_is_audited(app, people):
    rect_id = bad_rating(app)
    centre = people["centre"]
    page = text(centre.get(f"/rectifications/{rect_id}"))
    assert MASKED in page and PHONE not in page
    response = centre.post(f"/rectifications/{rect_id}/phone", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 200 and PHONE in text(response)
    assert "recorded in the audit trail" in text(response)
    rows = audits(app, "request.phone_view")
    assert [(r.object_id, r.actor_id) for r in rows] == [("A20260301", user_id(app, "centre"))]
    assert centre.post(f"/rectifications/{rect_id}/phone", data={}).status_code == 400


def test_a_dispatched_requests_rectification_links_to_the_request_page(app, people):
    completed(app, "R20260301", service="hotline", status=RequestStatus.RESOLVED)
    rect_id = rate(app, "R20260301", level=1)
    html = text(people["centre"].get(f"/rectifications/{rect_id}"))
    assert 'href="/requests/R20260301"' in html and "Very dissatisfied" in html
    assert "办理社保卡" in html


# --- the supervisors' overdue board -------------------------------------------------------

def board_rows(html: str) -> str:
    return html.split('id="rectifications-heading"')[1]


def test_an_overdue_rectification_is_on_the_board_until_it_is_closed(app, people):
    rect_id = bad_rating(app)
    with app.app_context():
        db.session.execute(update(Rectification).where(Rectification.id == rect_id)
                           .values(due_at=utcnow() - dt.timedelta(days=3)))
        db.session.commit()
    sup = people["sup"]
    section = board_rows(text(sup.get("/supervision/")))
    assert f"/rectifications/{rect_id}" in section and "3 days overdue" in section
    assert "经开区政务服务中心" in section and "Dissatisfied" in section
    csv = text(sup.get("/supervision/?format=csv&section=rectifications"))
    assert "A20260301" in csv and "经开区政务服务中心" in csv
    centre = people["centre"]
    assert step(centre, app, rect_id, "callback", note="已回访").status_code == 302
    assert step(centre, app, rect_id, "close", outcome="fixed", note="已整改").status_code == 302
    section = board_rows(text(sup.get("/supervision/")))
    assert f"/rectifications/{rect_id}" not in section
    assert "No rectification is late or due soon." in section


def test_the_board_shows_rectifications_due_within_its_window_only(app, people):
    rect_id = bad_rating(app)  # due in five working days: a week or more away
    sup = people["sup"]
    assert f"/rectifications/{rect_id}" not in board_rows(text(sup.get("/supervision/?days=1")))
    assert f"/rectifications/{rect_id}" in board_rows(text(sup.get("/supervision/?days=30")))


# --- bounded queries ----------------------------------------------------------------------

def test_the_list_the_detail_and_the_board_need_the_same_number_of_queries_for_1_and_20(
        app, people, count_queries):
    first = bad_rating(app, "A0")
    centre, sup = people["centre"], people["sup"]

    def measure():
        counts = []
        for client, url in ((centre, "/rectifications"), (sup, "/rectifications"),
                            (sup, "/rectifications?state=open&unit=gov-service-centre"),
                            (centre, f"/rectifications/{first}"),
                            (sup, "/supervision/?days=30")):
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            counts.append(len(statements))
        return counts

    few = measure()
    for i in range(1, 20):
        bad_rating(app, f"A{i}")
    assert measure() == few
    assert len(re.findall(r'class="rectification-row"', text(sup.get("/rectifications")))) == 20


# --- helpers are real: the unit of a rectification is the rated unit ----------------------

def test_a_rectification_belongs_to_the_unit_that_served(app, people):
    rect_id = bad_rating(app)
    with app.app_context():
        centre_id = db.session.scalar(select(Unit.id).where(Unit.code == "gov-service-centre"))
    assert rect_row(app, rect_id).unit_id == centre_id


def test_a_stale_step_that_is_no_longer_possible_still_shows_what_was_typed(app, people):
    rect_id = bad_rating(app)
    people["colleague"]  # the colleague's account: made on first use
    with app.app_context():
        colleague = db.session.scalar(select(User).where(User.username == "colleague"))
        rectification_callback(rect=db.session.get(Rectification, rect_id), actor=colleague,
                               note="同事已回访", expected_version=1)
        db.session.commit()
    response = step(people["centre"], app, rect_id, "callback", version=1, note="我的回访记录")
    html = text(response)
    assert response.status_code == 409 and "changed meanwhile" in html
    assert "What you wrote (not saved)" in html and "我的回访记录" in html
    assert rect_row(app, rect_id).callback_note == "同事已回访"


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("op", 403), ("centre", 200),
                                        ("builder", 403), ("sup", 200), ("root", 200)])
def test_who_may_open_a_rectification(app, people, who, status):
    rect_id = bad_rating(app)
    client = app.test_client() if who == "anonymous" else people[who]
    response = client.get(f"/rectifications/{rect_id}")
    assert response.status_code == status
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login")
