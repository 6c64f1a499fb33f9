"""Issue 5's "done when", walked across roles through the pages a person would use:

the completed demo appointment is rated bad from the link in its completion text, the
unit calls the resident back and closes the rectification, the resident rates the fix, and
the supervisors' dashboard changes at each step, from the stored ratings.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.ratings.models import Rating, Rectification, RectificationStatus

from ..factories import csrf_from, login

LINK = re.compile(r"(/rate/[A-Za-z0-9._\-]+)")


def _cli(runner, *args) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _password(output: str, username: str) -> str:
    match = re.search(rf"{re.escape(username)}\s+(\S+)", output)
    assert match, output
    return match.group(1)


def _figure(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    assert match, element_id
    return match.group(1).strip()


def _dashboard(client, demo: str = "1") -> dict[str, str]:
    """The figures with demo data included (the walk rates the demo appointment)."""
    html = client.get(f"/satisfaction?period=all&demo={demo}").get_data(as_text=True)
    return {name: _figure(html, name) for name in
            ("evaluation-rate", "good-rating-rate", "callback-rate", "on-time-rate")}


def test_a_demo_appointment_rated_bad_runs_to_closure_and_the_figures_follow(app, runner):
    _cli(runner, "seed")
    accounts = _cli(runner, "demo-accounts")
    _cli(runner, "demo-hours")
    assert "DEMO0001" in _cli(runner, "demo-bookings")
    with app.app_context():
        text = db.session.scalar(select(Notification).where(
            Notification.kind == "appointment-completed"))
        assert text.recipient == "sms:13800000000"
        link = LINK.search(text.body).group(1)

    supervisor, staff, resident = app.test_client(), app.test_client(), app.test_client()
    for client in (supervisor, staff, resident):
        client.set_cookie("lang", "en")
    assert login(supervisor, "demo-supervisor", _password(accounts, "demo-supervisor")
                 ).status_code == 302
    # the demo appointment is made up: the figures leave it out unless asked to include it
    assert _dashboard(supervisor, demo="") == {"evaluation-rate": "—", "good-rating-rate": "—",
                                               "callback-rate": "—", "on-time-rate": "—"}
    # one completed service, nothing rated yet
    assert _dashboard(supervisor) == {"evaluation-rate": "0.0%", "good-rating-rate": "—",
                                      "callback-rate": "—", "on-time-rate": "—"}

    # the resident opens the link from the text and rates it 不满意 (2)
    page = resident.get(link)
    assert page.status_code == 200 and "Appointment booking" in page.get_data(as_text=True)
    done = resident.post(link, data={"level": "2", "comment": "排队太久，没人指引",
                                     "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert done.status_code == 302
    thanks = resident.get(done.headers["Location"]).get_data(as_text=True)
    assert "call you back" in thanks
    with app.app_context():
        rating = db.session.scalar(select(Rating))
        assert (rating.level, rating.comment) == (2, "排队太久，没人指引")
        rect = db.session.scalar(select(Rectification))
        assert rect.status is RectificationStatus.OPEN
        rect_id = rect.id
    assert _dashboard(supervisor) == {"evaluation-rate": "100.0%", "good-rating-rate": "0.0%",
                                      "callback-rate": "0.0%", "on-time-rate": "—"}
    # the open rectification is on the supervisors' board when it falls due within the
    # board's window: five working days can span nine calendar days (a weekend, 调休)
    board = supervisor.get("/supervision/?days=14").get_data(as_text=True)
    assert f"/rectifications/{rect_id}" in board

    # the unit's staff call back, then close it as fixed
    assert login(staff, "demo-staff", _password(accounts, "demo-staff")).status_code == 302
    listing = staff.get("/rectifications").get_data(as_text=True)
    assert f"/rectifications/{rect_id}" in listing
    url = f"/rectifications/{rect_id}"

    def step(name: str, **data):
        page = staff.get(url).get_data(as_text=True)
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        return staff.post(f"{url}/{name}", data={**data, "version": version,
                                                  "csrf_token": csrf_from(page)})

    refused = step("close", outcome="fixed", note="已整改")
    assert refused.status_code == 422 and "Call the resident back first" in refused.get_data(
        as_text=True)
    assert step("callback", note="已致电致歉，下次预约安排专人引导").status_code == 302
    assert step("close", outcome="fixed", note="大厅增设引导岗，已告知居民").status_code == 302
    with app.app_context():
        rect = db.session.get(Rectification, rect_id)
        assert rect.status is RectificationStatus.FIXED and rect.called_back_at is not None
    figures = _dashboard(supervisor)
    assert figures["callback-rate"] == "100.0%" and figures["on-time-rate"] == "100.0%"
    assert f"/rectifications/{rect_id}" not in supervisor.get("/supervision/?days=14").get_data(
        as_text=True)

    # the resident sees what was done and rates the fix
    page = resident.get(link).get_data(as_text=True)
    assert "大厅增设引导岗" in page
    fixed = resident.post(f"{link}/fix", data={"level": "5", "comment": "",
                                               "csrf_token": csrf_from(page)})
    assert fixed.status_code == 302
    with app.app_context():
        assert db.session.get(Rectification, rect_id).fix_level == 5
    # the fix's rating does not rewrite the service's rating: still one bad rating
    assert _dashboard(supervisor)["good-rating-rate"] == "0.0%"
