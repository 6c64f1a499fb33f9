"""Staff record progress on their unit's items; the ledger refuses bad and stale input."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service_desk.audit.models import AuditEvent
from service_desk.extensions import db
from service_desk.matters.models import Matter, MatterStatus, MatterUpdate

from ..factories import add_synthetic_matters, csrf_from, login, matter_get


@pytest.fixture
def staff(app, client, seeded, make_user):
    make_user("staff", unit="gov-service-centre", username="centre")
    login(client, "centre")
    return client


def _matter(app, number="S03") -> Matter:
    return matter_get(app, number)


def _post(client, number, **data):
    page = client.get(f"/matters/{number}").get_data(as_text=True)
    payload = {"csrf_token": csrf_from(page), **data}
    return client.post(f"/matters/{number}/updates", data=payload)


def test_staff_update_is_stored_with_history_and_audit(app, staff):
    response = _post(staff, "S03", status="in_progress", progress="60",
                     note="热线坐席扩至 4 个", version="1", is_public="y")
    assert response.status_code == 302
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "热线坐席扩至 4 个" in page
    matter = _matter(app)
    assert (matter.status, matter.progress, matter.version) == (MatterStatus.IN_PROGRESS, 60, 2)
    assert matter.completed_on is None
    with app.app_context():
        updates = db.session.scalars(select(MatterUpdate).where(MatterUpdate.matter_id == matter.id)
                                     .order_by(MatterUpdate.id)).all()
        assert [u.note for u in updates][-1] == "热线坐席扩至 4 个"
        assert updates[-1].status_before is MatterStatus.COMPLETED and updates[-1].progress_after == 60
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "matter.update"))
        assert event.actor_label == "centre" and event.object_id == "S03"
        assert event.before["progress"] == 100 and event.after["progress"] == 60


def test_a_stale_form_is_refused_with_a_message_and_the_note_is_kept(app, staff):
    assert _post(staff, "S03", status="in_progress", progress="50", note="first",
                 version="1").status_code == 302
    response = _post(staff, "S03", status="in_progress", progress="70", note="second, typed long ago",
                     version="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "second, typed long ago" in html  # nothing typed is lost
    assert 'name="version" type="hidden" value="2"' in html or 'value="2"' in html
    matter = _matter(app)
    assert matter.progress == 50 and matter.version == 2


@pytest.mark.parametrize("data,field", [
    ({"status": "in_progress", "progress": "101", "note": "x"}, "progress"),
    ({"status": "in_progress", "progress": "-1", "note": "x"}, "progress"),
    ({"status": "in_progress", "progress": "abc", "note": "x"}, "progress"),
    ({"status": "in_progress", "progress": "40", "note": "   "}, "note"),
    ({"status": "not_started", "progress": "40", "note": "x"}, "status"),
    ({"status": "flying", "progress": "40", "note": "x"}, "status"),
])
def test_bad_input_gets_a_field_error_and_changes_nothing(app, staff, data, field):
    response = _post(staff, "S03", version="1", **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html
    matter = _matter(app)
    assert matter.version == 1 and matter.progress == 100
    if data["note"].strip():
        assert data["note"] in html


def test_completing_sets_full_progress_and_the_completion_date(app, staff):
    _post(staff, "S03", status="in_progress", progress="10", note="reopened", version="1")
    response = _post(staff, "S03", status="completed", progress="80", note="全部完成", version="2")
    assert response.status_code == 302
    matter = _matter(app)
    assert matter.status is MatterStatus.COMPLETED and matter.progress == 100
    assert matter.completed_on is not None


def test_a_co_unit_adds_a_note_but_cannot_change_status(app, client, seeded, make_user):
    make_user("staff", unit="finance-bureau", username="fin")
    login(client, "fin")
    before = _matter(app, "S08")
    page = client.get("/matters/S08").get_data(as_text=True)
    assert 'name="status"' not in page
    response = client.post("/matters/S08/updates", data={
        "csrf_token": csrf_from(page), "status": "not_started", "progress": "0",
        "note": "已协助对接贷款", "version": str(before.version)})
    assert response.status_code == 302
    after = _matter(app, "S08")
    assert (after.status, after.progress) == (before.status, before.progress)
    with app.app_context():
        last = db.session.scalars(select(MatterUpdate).where(MatterUpdate.matter_id == after.id)
                                  .order_by(MatterUpdate.id.desc())).first()
        assert last.note == "已协助对接贷款"


def test_the_list_is_filtered_and_paginated(app, staff):
    app.config["PAGE_SIZE"] = 5
    try:
        first = staff.get("/matters/").get_data(as_text=True)
        assert first.count('class="matter-card"') == 5
        assert 'rel="next"' in first
        third = staff.get("/matters/?page=3").get_data(as_text=True)
        assert third.count('class="matter-card"') == 3
        by_unit = staff.get("/matters/?unit=construction-bureau").get_data(as_text=True)
        assert "S06" in by_unit and "S07" in by_unit and "S03" not in by_unit
        searched = staff.get("/matters/?q=盛德").get_data(as_text=True)
        assert "S06" in searched and "S01" not in searched
    finally:
        app.config["PAGE_SIZE"] = 50


def test_overdue_items_come_first_and_are_labelled_in_words(app, staff):
    import datetime as dt

    with app.app_context():
        m = db.session.scalar(select(Matter).where(Matter.number == "S10"))
        m.deadline, m.status, m.progress = dt.date(2021, 12, 31), MatterStatus.IN_PROGRESS, 30
        db.session.commit()
    html = staff.get("/matters/").get_data(as_text=True)
    assert html.index("S10") < html.index("S01")
    assert 'class="badge badge-overdue"' in html
    overdue_only = staff.get("/matters/?overdue=1").get_data(as_text=True)
    assert overdue_only.count('class="matter-card"') == 1


def test_the_list_page_issues_a_bounded_number_of_queries(app, staff, count_queries):
    with count_queries() as few:
        staff.get("/matters/")
    add_synthetic_matters(app, 60)
    with count_queries() as many:
        staff.get("/matters/")
    assert len(many) == len(few) <= 10
