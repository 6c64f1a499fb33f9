"""Dispatched requests (派单 签收 办理 办结 回访 退回) on the staff pages: the lifecycle
through the pages, refused transitions, access per unit, masked phones, the overdue board.
The lifecycle's rules as services are tests/requests/test_lifecycle.py."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from service_desk.db import utcnow
from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.requests.models import RequestStatus, ServiceRequest

from ..factories import (
    MASKED,
    PHONE,
    SHANGHAI,
    act,
    audits,
    report,
    state,
    user_id,
)

# --- the lifecycle through the pages ---------------------------------------------------------

def test_the_whole_lifecycle_is_stored_with_events_audit_and_the_reply_sent(app, people):
    ref = report(app)
    centre, op = people["centre"], people["op"]
    page = centre.get(f"/requests/{ref}").get_data(as_text=True)
    assert f'action="/requests/{ref}/accept"' in page
    assert f'action="/requests/{ref}/resolve"' not in page  # not before accepting

    assert act(centre, app, ref, "accept", note="收到").status_code == 302
    assert state(app, ref)["assignee_id"] == user_id(app, "centre")
    assert act(centre, app, ref, "handle", note="已联系物业更换灯泡").status_code == 302
    assert state(app, ref)["status"] is RequestStatus.ACCEPTED
    response = act(centre, app, ref, "resolve", reply="路灯已修好,感谢来电。")
    assert response.status_code == 302
    got = state(app, ref)
    assert got["status"] is RequestStatus.RESOLVED and got["reply"] == "路灯已修好,感谢来电。"
    with app.app_context():
        sms = db.session.scalar(select(Notification).where(Notification.kind == "request-resolved"))
        assert sms.recipient == f"sms:{PHONE}" and "路灯已修好" in sms.body
        item_id = db.session.scalar(select(ServiceRequest.id).where(ServiceRequest.reference == ref))
        assert sms.dedupe_key == f"request-resolved:{item_id}"

    # the operator calls the resident back
    page = op.get(f"/requests/{ref}").get_data(as_text=True)
    assert f'action="/requests/{ref}/callback"' in page
    assert act(op, app, ref, "callback", satisfaction="satisfied",
               note="居民表示满意").status_code == 302
    got = state(app, ref)
    assert got["status"] is RequestStatus.CALLED_BACK
    assert [(a, s) for a, s, _ in got["events"]] == [
        ("dispatched", RequestStatus.DISPATCHED), ("accepted", RequestStatus.ACCEPTED),
        ("handled", RequestStatus.ACCEPTED), ("resolved", RequestStatus.RESOLVED),
        ("called_back", RequestStatus.CALLED_BACK)]
    assert got["events"][2][2] == "已联系物业更换灯泡"
    assert [a.action for a in audits(app, "request.callback")] == ["request.callback"]
    assert audits(app, "request.callback")[0].after["satisfaction"] == "satisfied"
    for action in ("request.accept", "request.handle", "request.resolve"):
        assert len(audits(app, action)) == 1

    # the history tells it in words, the answer included; no action is left
    op.set_cookie("lang", "en")
    page = op.get(f"/requests/{ref}").get_data(as_text=True)
    assert "Satisfied" in page and "居民表示满意" in page and "Called back" in page
    assert "Resolved, reply sent to the resident" in page
    assert 'action="/requests/' + ref + '/' not in page.replace(f"/requests/{ref}/phone", "")


def test_refused_actions_through_the_pages_say_why_and_change_nothing(app, people):
    ref = report(app)
    root = people["root"]  # an administrator may do every action: only the status refuses
    root.set_cookie("lang", "en")
    before = state(app, ref)
    for action, data in [("resolve", {"reply": "done"}), ("handle", {"note": "x"}),
                         ("reassign", {"unit": "zone"}),
                         ("callback", {"satisfaction": "satisfied", "note": "x"})]:
        response = act(root, app, ref, action, **data)
        html = response.get_data(as_text=True)
        assert response.status_code == 409, action
        assert 'role="alert"' in html and "Error:" in html
        assert state(app, ref) == before
    response = act(root, app, ref, "fly")
    assert response.status_code == 404
    assert state(app, ref) == before


@pytest.mark.parametrize("action,data,field", [
    ("resolve", {"reply": "   "}, "resolve-reply"),
    ("handle", {"note": ""}, "handle-note"),
    ("return", {"reason": ""}, "return-reason"),
])
def test_required_texts_are_asked_for_and_nothing_is_stored(app, people, action, data, field):
    ref = report(app)
    centre = people["centre"]
    assert act(centre, app, ref, "accept").status_code == 302
    before = state(app, ref)
    response = act(centre, app, ref, action, **data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert state(app, ref) == before


def test_a_stale_form_is_refused_and_what_was_typed_is_kept(app, people):
    ref = report(app)
    centre = people["centre"]
    centre.set_cookie("lang", "en")
    act(centre, app, ref, "accept")
    version = state(app, ref)["version"]
    assert act(centre, app, ref, "handle", version=version, note="first").status_code == 302
    response = act(centre, app, ref, "handle", version=version, note="typed long ago")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "typed long ago" in html and "changed meanwhile" in html
    assert [e[2] for e in state(app, ref)["events"] if e[0] == "handled"] == ["first"]


def test_a_unit_returns_a_request_and_a_supervisor_reassigns_it(app, people):
    ref = report(app)
    centre, builder, sup = people["centre"], people["builder"], people["sup"]
    assert act(centre, app, ref, "return", reason="这是住建局的事").status_code == 302
    assert state(app, ref)["status"] is RequestStatus.RETURNED
    # staff cannot reassign; the supervisors' queue shows it
    assert act(centre, app, ref, "reassign", unit="construction-bureau").status_code == 403
    queue = sup.get("/requests/returned").get_data(as_text=True)
    assert ref in queue
    page = sup.get(f"/requests/{ref}").get_data(as_text=True)
    assert "这是住建局的事" in page and f'action="/requests/{ref}/reassign"' in page
    assert act(sup, app, ref, "reassign", unit="").status_code == 422
    old_due = state(app, ref)["due_at"]
    assert act(sup, app, ref, "reassign", unit="construction-bureau",
               note="请住建局处理").status_code == 302
    got = state(app, ref)
    assert got["status"] is RequestStatus.DISPATCHED and got["unit"] == "construction-bureau"
    assert got["due_at"] >= old_due
    assert [a for a, _, _ in got["events"]] == ["dispatched", "returned", "reassigned"]
    (audit,) = audits(app, "request.reassign")
    assert audit.before["unit"] == "gov-service-centre" and audit.after["unit"] == "construction-bureau"
    assert ref not in sup.get("/requests/returned").get_data(as_text=True)
    # now it is the construction bureau's, no longer the centre's
    assert centre.get(f"/requests/{ref}").status_code == 403
    assert builder.get(f"/requests/{ref}").status_code == 200
    assert act(builder, app, ref, "accept").status_code == 302


def test_staff_of_another_unit_get_403_and_nothing_changes(app, people):
    ref = report(app)
    builder = people["builder"]
    before = state(app, ref)
    assert builder.get(f"/requests/{ref}").status_code == 403
    for action in ("accept", "return", "phone"):
        assert act(builder, app, ref, action, reason="x").status_code == 403
    assert state(app, ref) == before
    assert audits(app, "request.phone_view") == []
    assert ref not in builder.get("/requests/").get_data(as_text=True)
    # operators and supervisors read but do not work the request
    assert act(people["op"], app, ref, "accept").status_code == 403
    assert act(people["sup"], app, ref, "accept").status_code == 403
    assert state(app, ref) == before


def test_the_phone_is_masked_in_lists_and_shown_in_full_only_after_asking(app, people):
    ref = report(app)
    report(app, now=utcnow() - dt.timedelta(days=30), phone="13987654321")  # overdue
    for name, url in [("centre", "/requests/"), ("sup", "/requests/"), ("op", "/requests/"),
                      ("sup", "/supervision/")]:
        html = people[name].get(url).get_data(as_text=True)
        assert "13812345678" not in html and "13987654321" not in html, (name, url)
    assert MASKED in people["centre"].get("/requests/").get_data(as_text=True)
    centre = people["centre"]
    detail = centre.get(f"/requests/{ref}").get_data(as_text=True)
    assert PHONE not in detail and MASKED in detail
    assert f'action="/requests/{ref}/phone"' in detail
    shown = act(centre, app, ref, "phone")
    assert shown.status_code == 200 and PHONE in shown.get_data(as_text=True)
    act(people["op"], app, ref, "phone")
    views = audits(app, "request.phone_view")
    assert [(v.object_id, v.actor_label) for v in views] == [(ref, "centre"), (ref, "op")]
    assert PHONE not in centre.get(f"/requests/{ref}").get_data(as_text=True)


def test_staff_see_their_units_requests_with_deadline_words(app, people):
    overdue = report(app, now=utcnow() - dt.timedelta(days=30))
    fresh = report(app)
    elsewhere = report(app, unit="construction-bureau")
    centre = people["centre"]
    centre.set_cookie("lang", "en")
    html = centre.get("/requests/").get_data(as_text=True)
    assert overdue in html and fresh in html and elsewhere not in html
    row = re.search(rf"<tr class=\"request-row\">(?:(?!</tr>).)*{overdue}(?:(?!</tr>).)*</tr>", html,
                    re.DOTALL).group(0)
    assert "Overdue" in row
    assert html.index(overdue) < html.index(fresh)  # the late one first
    sup = people["sup"]
    assert elsewhere in sup.get("/requests/?unit=construction-bureau").get_data(as_text=True)
    assert fresh not in sup.get("/requests/?unit=construction-bureau").get_data(as_text=True)
    assert fresh not in sup.get("/requests/?status=resolved").get_data(as_text=True)


def test_the_supervision_board_lists_overdue_requests(app, people):
    late = report(app, now=utcnow() - dt.timedelta(days=30), unit="construction-bureau")
    on_time = report(app)
    resolved_late = report(app, now=utcnow() - dt.timedelta(days=30))
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == resolved_late))
        item.status = RequestStatus.RESOLVED
        db.session.commit()
    sup = people["sup"]
    sup.set_cookie("lang", "en")
    html = sup.get("/supervision/").get_data(as_text=True)
    section = html[html.index('id="overdue-requests-heading"'):]
    assert "Overdue requests" in html
    assert late in section and on_time not in section and resolved_late not in section
    row = section[section.index(late):section.index("</tr>", section.index(late))]
    days = (utcnow().astimezone(SHANGHAI).date() - state(app, late)["due_at"].astimezone(SHANGHAI).date()).days
    assert days >= 20
    assert f"{days} days overdue" in row and "经开区建设局" in row and "便民热线" in row


def test_list_and_board_need_the_same_number_of_statements_for_few_and_many(app, people,
                                                                         count_queries):
    def counts():
        out = {}
        for name, url in [("centre", "/requests/"), ("sup", "/requests/"),
                          ("sup", "/requests/returned"), ("sup", "/supervision/")]:
            with count_queries() as statements:
                assert people[name].get(url).status_code == 200
            out[(name, url)] = len(statements)
        return out

    people["centre"], people["sup"]  # signed in before counting
    for _ in range(2):
        report(app, now=utcnow() - dt.timedelta(days=10))
    few = counts()
    for i in range(10):
        report(app, now=utcnow() - dt.timedelta(days=i), unit="gov-service-centre")
    assert counts() == few
