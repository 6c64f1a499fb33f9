"""Supervisors push late items: overdue board, scorecard, notices, extension decisions."""
from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service_desk.accounts.models import User
from service_desk.audit.models import AuditEvent
from service_desk.extensions import db
from service_desk.matters.models import (
    Attachment,
    DeadlineExtension,
    ExtensionStatus,
    Matter,
    MatterStatus,
    MatterUpdate,
    SupervisionNotice,
    UpdateKind,
)
from service_desk.notifications.models import Notification
from service_desk.units.models import Unit

from ..factories import csrf_from, login, post_form
from ..factories import matter_get as get_matter
from ..factories import matter_set as set_matter


def form_post(client, page_url, url, data):
    return post_form(client, url, data, page_url=page_url)



def _today() -> dt.date:
    """The zone's date (Asia/Shanghai), read when used: the machine's date is UTC, a day
    behind for eight hours of every day, and a long run can cross midnight."""
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def people(app, seeded, make_user):
    """A supervisor and the centre's staff (S03's lead unit), each signed in."""
    make_user("supervisor", username="sup")
    make_user("staff", unit="gov-service-centre", username="centre")
    make_user("staff", unit="construction-bureau", username="builder")
    with app.app_context():
        for name in ("centre", "builder"):
            db.session.scalar(select(User).where(User.username == name)).email = f"{name}@zone.example"
        db.session.commit()
    clients = {}
    for name in ("sup", "centre", "builder"):
        clients[name] = app.test_client()
        login(clients[name], name)
    # S03 (centre) overdue by 10 days; S06 (construction) due in 3 days; S07 in 30 days
    set_matter(app, "S03", status=MatterStatus.IN_PROGRESS, progress=40,
               deadline=_today() - dt.timedelta(days=10))
    set_matter(app, "S06", status=MatterStatus.IN_PROGRESS, progress=70,
               deadline=_today() + dt.timedelta(days=3))
    set_matter(app, "S07", status=MatterStatus.IN_PROGRESS, progress=10,
               deadline=_today() + dt.timedelta(days=30))
    return clients


def test_the_overdue_board_groups_by_unit_with_days_overdue(people):
    html = people["sup"].get("/supervision/").get_data(as_text=True)
    assert "经开区政务服务中心" in html and "经开区建设局" in html
    assert "S03" in html and "S06" in html and "S07" not in html
    assert "逾期 10 天" in html
    # the seed's notes were written today: said so, not "0 天前"
    assert "0 天前" not in html and "今天" in html
    wider = people["sup"].get("/supervision/?days=31").get_data(as_text=True)
    assert "S07" in wider
    assert people["sup"].get("/supervision/?days=abc").status_code == 200


def test_the_overdue_board_exports_as_csv(app, people):
    set_matter(app, "S03", title="=HYPERLINK(\"http://evil\")")
    response = people["sup"].get("/supervision/?format=csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert "S06" in text


def test_staff_cannot_see_the_board_or_scorecard(people):
    for url in ("/supervision/", "/supervision/units", "/supervision/extensions"):
        assert people["centre"].get(url).status_code == 403


def test_the_scorecard_counts_each_unit_and_puts_the_worst_first(app, people):
    set_matter(app, "S13", deadline=_today() - dt.timedelta(days=400), status=MatterStatus.COMPLETED,
               completed_on=_today() - dt.timedelta(days=500))
    html = people["sup"].get("/supervision/units").get_data(as_text=True)
    assert html.index("经开区政务服务中心") < html.index("经开区建设局")
    response = people["sup"].get("/supervision/units?format=csv").get_data(as_text=True)
    centre = next(line for line in response.splitlines() if line.startswith("经开区政务服务中心"))
    assert centre.split(",")[1:5] == ["1", "0", "0", "1"]  # items, completed, on time, overdue


def test_a_notice_goes_to_the_unit_which_replies_and_it_is_all_in_the_history(app, people):
    due = (_today() + dt.timedelta(days=5)).isoformat()
    response = form_post(people["sup"], "/supervision/matters/S03/notice",
                         "/supervision/matters/S03/notice",
                         {"unit": "gov-service-centre", "body": "请本周内说明进展", "reply_due": due})
    assert response.status_code == 302
    with app.app_context():
        notice = db.session.scalar(select(SupervisionNotice))
        notice_id = notice.id
        mail = db.session.scalars(select(Notification)).all()
        assert [n.recipient for n in mail] == ["centre@zone.example"]
        assert "S03" in mail[0].subject
    listing = people["centre"].get("/supervision/notices").get_data(as_text=True)
    assert "S03" in listing
    assert people["builder"].get(f"/supervision/notices/{notice_id}").status_code == 403
    denied = form_post(people["builder"], "/", f"/supervision/notices/{notice_id}/reply",
                       {"reply": "not mine"})
    assert denied.status_code == 403
    empty = form_post(people["centre"], f"/supervision/notices/{notice_id}",
                      f"/supervision/notices/{notice_id}/reply", {"reply": "  "})
    assert empty.status_code == 422
    ok = form_post(people["centre"], f"/supervision/notices/{notice_id}",
                   f"/supervision/notices/{notice_id}/reply", {"reply": "已增派人手"})
    assert ok.status_code == 302
    page = people["sup"].get(f"/supervision/notices/{notice_id}").get_data(as_text=True)
    assert "已增派人手" in page and "已回复" in page
    with app.app_context():
        kinds = [u.kind for u in db.session.scalars(select(MatterUpdate).order_by(MatterUpdate.id))]
        assert UpdateKind.NOTICE in kinds and UpdateKind.NOTICE_REPLY in kinds
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "notice.reply"))


@pytest.mark.parametrize("data,error", [
    ({"unit": "gov-service-centre", "body": "x", "reply_due": "2021-13-40"}, "reply_due"),
    ({"unit": "gov-service-centre", "body": "x", "reply_due": "2020-01-01"}, "reply_due"),
    ({"unit": "gov-service-centre", "body": " ", "reply_due": "2099-01-01"}, "body"),
    ({"unit": "construction-bureau", "body": "x", "reply_due": "2099-01-01"}, "unit"),
])
def test_a_bad_notice_is_refused_with_a_field_error(app, people, data, error):
    response = form_post(people["sup"], "/supervision/matters/S03/notice",
                         "/supervision/matters/S03/notice", data)
    assert response.status_code == 422
    assert f'id="{error}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(SupervisionNotice).count() == 0


def test_notice_states_are_open_late_and_replied(app, people):
    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == "S03"))
        unit = db.session.scalar(select(Unit).where(Unit.code == "gov-service-centre"))
        db.session.add_all([
            SupervisionNotice(matter_id=matter.id, unit_id=unit.id, body="open one",
                              reply_due=_today() + dt.timedelta(days=2)),
            SupervisionNotice(matter_id=matter.id, unit_id=unit.id, body="late one",
                              reply_due=_today() - dt.timedelta(days=2)),
        ])
        db.session.commit()
    late = people["sup"].get("/supervision/notices?state=late").get_data(as_text=True)
    assert late.count("S03") == 1 and "已逾期" in late
    open_ = people["sup"].get("/supervision/notices?state=open").get_data(as_text=True)
    assert open_.count("S03") == 1


def test_an_extension_is_asked_decided_and_the_original_deadline_is_kept(app, people):
    original = get_matter(app, "S03").deadline
    bad = form_post(people["centre"], "/matters/S03", "/matters/S03/extension",
                    {"requested_deadline": "2021-02-30", "reason": "x"})
    assert bad.status_code == 422 and 'id="requested_deadline-error"' in bad.get_data(as_text=True)
    early = form_post(people["centre"], "/matters/S03", "/matters/S03/extension",
                      {"requested_deadline": original.isoformat(), "reason": "x"})
    assert early.status_code == 422
    wanted = _today() + dt.timedelta(days=20)
    ok = form_post(people["centre"], "/matters/S03", "/matters/S03/extension",
                   {"requested_deadline": wanted.isoformat(), "reason": "设备到货延迟"})
    assert ok.status_code == 302
    again = form_post(people["centre"], "/matters/S03", "/matters/S03/extension",
                      {"requested_deadline": wanted.isoformat(), "reason": "again"})
    assert again.status_code == 422
    assert form_post(people["builder"], "/", "/matters/S03/extension",
                     {"requested_deadline": wanted.isoformat(), "reason": "x"}).status_code == 403
    with app.app_context():
        ext_id = db.session.scalar(select(DeadlineExtension.id))
    prefix = f"e{ext_id}-"
    no_reason = form_post(people["sup"], "/supervision/extensions", f"/supervision/extensions/{ext_id}/decide",
                          {prefix + "decision": "approve", prefix + "decision_reason": ""})
    assert no_reason.status_code == 422
    assert get_matter(app, "S03").deadline == original
    staff_try = form_post(people["centre"], "/", f"/supervision/extensions/{ext_id}/decide",
                          {prefix + "decision": "approve", prefix + "decision_reason": "self"})
    assert staff_try.status_code == 403
    approved = form_post(people["sup"], "/supervision/extensions",
                         f"/supervision/extensions/{ext_id}/decide",
                         {prefix + "decision": "approve", prefix + "decision_reason": "理由充分"})
    assert approved.status_code == 302
    matter = get_matter(app, "S03")
    assert matter.deadline == wanted and matter.original_deadline == original
    with app.app_context():
        ext = db.session.get(DeadlineExtension, ext_id)
        assert ext.status is ExtensionStatus.APPROVED and ext.decision_reason == "理由充分"
    page = people["centre"].get("/matters/S03").get_data(as_text=True)
    assert "理由充分" in page


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _update_with_file(app, client, filename, content):
    page = client.get("/matters/S03").get_data(as_text=True)
    version = get_matter(app, "S03").version
    return client.post("/matters/S03/updates", data={
        "csrf_token": csrf_from(page), "status": "in_progress", "progress": "50", "note": "附照片",
        "version": str(version), "evidence": (io.BytesIO(content), filename)},
        content_type="multipart/form-data")


def test_evidence_is_stored_outside_the_web_root_and_served_only_to_staff(app, people):
    response = _update_with_file(app, people["centre"], "site.png", PNG)
    assert response.status_code == 302
    with app.app_context():
        att = db.session.scalar(select(Attachment))
        assert att.content_type == "image/png" and att.size == len(PNG)
        att_id = att.id
    url = f"/matters/S03/attachments/{att_id}"
    served = people["builder"].get(url)
    assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"
    assert app.test_client().get(url).status_code == 302  # anonymous: to the login page
    assert app.test_client().get(f"/static/{att_id}").status_code == 404


@pytest.mark.parametrize("filename,content", [
    ("virus.png", b"MZ\x90\x00 not a png"),
    ("notes.exe", b"MZ\x90\x00"),
    ("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024 + 1)),
])
def test_bad_evidence_is_refused_and_nothing_is_saved(app, people, filename, content):
    before = get_matter(app, "S03")
    response = _update_with_file(app, people["centre"], filename, content)
    assert response.status_code == 422
    assert 'id="evidence-error"' in response.get_data(as_text=True)
    after = get_matter(app, "S03")
    assert (after.version, after.progress) == (before.version, before.progress)
    with app.app_context():
        assert db.session.query(Attachment).count() == 0


def test_a_stale_save_says_what_changed_meanwhile(app, people, make_user):
    make_user("admin", username="boss")
    boss = app.test_client()
    login(boss, "boss")
    version = get_matter(app, "S03").version
    page = people["centre"].get("/matters/S03").get_data(as_text=True)
    form_post(boss, "/matters/S03", "/matters/S03/updates",
              {"status": "in_progress", "progress": "55", "note": "管理员补录", "version": str(version)})
    stale = people["centre"].post("/matters/S03/updates", data={
        "csrf_token": csrf_from(page), "status": "in_progress", "progress": "45",
        "note": "我的进展", "version": str(version)})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "管理员补录" in html and "我的进展" in html
    assert get_matter(app, "S03").progress == 55


def test_supervision_pages_issue_a_bounded_number_of_queries(app, people, count_queries):
    def measure():
        counts = []
        for url in ("/supervision/", "/supervision/units", "/supervision/notices"):
            with count_queries() as statements:
                assert people["sup"].get(url).status_code == 200
            counts.append(len(statements))
        return counts

    few = measure()
    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == "finance-bureau"))
        matter_id = db.session.scalar(select(Matter.id).where(Matter.number == "S03"))
        for i in range(40):
            db.session.add(Matter(number=f"X{i:03d}", title=f"synthetic {i}", origin="synthetic",
                                  is_synthetic=True, lead_unit_id=unit_id,
                                  status=MatterStatus.IN_PROGRESS,
                                  deadline=_today() - dt.timedelta(days=i % 5)))
            db.session.add(SupervisionNotice(matter_id=matter_id, unit_id=unit_id, body=str(i),
                                             reply_due=_today()))
        db.session.commit()
    assert measure() == few


def test_every_supervisor_list_exports_as_csv(app, people):
    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == "S03"))
        unit = db.session.scalar(select(Unit).where(Unit.code == "gov-service-centre"))
        db.session.add(DeadlineExtension(matter_id=matter.id, unit_id=unit.id,
                                         requested_deadline=_today() + dt.timedelta(days=9),
                                         reason="+设备延迟"))
        db.session.add(SupervisionNotice(matter_id=matter.id, unit_id=unit.id, body="催办",
                                         reply_due=_today()))
        db.session.commit()
    for url, expected in (("/supervision/?format=csv", "S03"),
                          ("/supervision/units?format=csv", "经开区政务服务中心"),
                          ("/supervision/notices?format=csv", "催办"),
                          ("/supervision/extensions?format=csv", "'+设备延迟"),
                          ("/matters/export.csv", "S03")):
        response = people["sup"].get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv", url
        assert expected in response.get_data(as_text=True), url
    assert people["centre"].get("/supervision/extensions?format=csv").status_code == 403
