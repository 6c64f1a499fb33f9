"""The public progress board: anyone sees progress, counts match the ledger, nothing private leaks."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update

from service_desk.base.calendar import today
from service_desk.db import utcnow
from service_desk.extensions import db
from service_desk.matters.models import (
    KeyIssue,
    Matter,
    MatterStatus,
    MatterUpdate,
    RecordOrigin,
    matter_co_units,
)
from service_desk.units.models import Unit, UnitKind

from ..factories import html_tables as tables
from ..factories import login
from ..factories import matter_set as _edit


@pytest.fixture
def board(app, client, seeded):
    """An anonymous visitor reading the board in English; the seed's notes a month old."""
    with app.app_context():
        db.session.execute(update(MatterUpdate).values(
            created_at=utcnow() - dt.timedelta(days=30)))
        db.session.commit()
    client.set_cookie("lang", "en")
    return client


def _note(app, number: str, text: str, *, public: bool, ago: dt.timedelta, author: str | None = None):
    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == number))
        author_id = None
        if author:
            from service_desk.accounts.models import User

            author_id = db.session.scalar(select(User.id).where(User.username == author))
        db.session.add(MatterUpdate(matter_id=matter.id, note=text, is_public=public,
                                    created_at=utcnow() - ago, author_id=author_id))
        db.session.commit()


def _unit_id(code: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.code == code))


def cards(html: str) -> dict[str, str]:
    """Each item card's text by item number."""
    found = {}
    for block in re.findall(r'<li class="matter-card">(.*?)</li>', html, re.DOTALL):
        number = re.search(r'<span class="number">([^<]+)</span>', block).group(1)
        found[number] = " ".join(re.sub(r"<[^>]+>", " ", block).split())
    return found


def test_anyone_sees_the_board_without_signing_in_and_it_may_be_cached_briefly(board):
    response = board.get("/board")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "13 of the 13 items shown are completed" in html
    assert "100% of the items shown are completed." in html
    # the 13 are initiatives the article reports, not items of the list
    assert "The list has 168 items; 0 of them have been loaded here." in html
    assert "The other 168 items of the list have not been loaded yet" in html
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert "Cookie" in response.headers["Vary"]  # language and elder mode come from cookies
    assert "Set-Cookie" not in response.headers
    assert len(cards(html)) == 13
    detail = board.get("/board/S03")
    assert detail.status_code == 200 and detail.headers["Cache-Control"] == "public, no-cache"
    assert board.get("/board/").status_code == 200


def test_a_signed_in_users_board_is_never_stored_in_shared_caches(client, seeded, make_user):
    make_user("staff", unit="gov-service-centre", username="centre")
    login(client, "centre")
    response = client.get("/board")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_the_board_is_linked_from_the_home_page_and_the_main_navigation(board):
    html = board.get("/").get_data(as_text=True)
    assert html.count('href="/board"') == 2
    assert 'href="/board" aria-current="page"' in board.get("/board").get_data(as_text=True)


def test_counts_by_lead_unit_match_the_database(app, board):
    _edit(app, "S04", status=MatterStatus.IN_PROGRESS, progress=40)
    _edit(app, "S05", status=MatterStatus.NOT_STARTED, progress=0)
    _edit(app, "S06", deadline=dt.date(2021, 12, 31), status=MatterStatus.IN_PROGRESS, progress=50)
    html = board.get("/board").get_data(as_text=True)
    rows = {r[0]: r[1:] for r in tables(html)["Items and completions by lead unit"][1:]}
    with app.app_context():
        matters = db.session.execute(select(Matter, func.coalesce(Unit.name_en, Unit.name)).outerjoin(
            Unit, Matter.lead_unit_id == Unit.id).where(Matter.is_public.is_(True))).all()
        now = today()
    expected: dict[str, list] = {}
    for matter, unit_name in matters:
        e = expected.setdefault(unit_name or "No lead unit stated", [0, 0, 0, 0])
        e[0] += 1
        e[1] += matter.status is MatterStatus.COMPLETED
        e[2] += matter.progress
        e[3] += bool(matter.deadline and matter.deadline < now
                     and matter.status is not MatterStatus.COMPLETED)
    assert set(rows) == set(expected)
    for name, (items, done, progress, overdue) in expected.items():
        assert rows[name] == [str(items), f"{done} ({round(100 * done / items)}%)",
                              f"{round(progress / items)}%", str(overdue)], name
    assert rows["Weihai Economic and Technological Development Zone"] == ["7", "5 (71%)", "77%", "0"]
    assert rows["Construction Bureau of the Development Zone"][3] == "1"
    assert "10 of the 13 items shown are completed" in html
    assert "77% of the items shown are completed." in html


def test_items_are_grouped_by_key_issue_and_unassigned_ones_together(app, board):
    with app.app_context():
        first = KeyIssue(number=1, title="老年人办事难", title_en="Hard for the elderly to get things done")
        second = KeyIssue(number=2, title="物业管理", title_en="Property management")
        db.session.add_all([first, second])
        db.session.flush()
        for number, issue in (("S01", first), ("S02", first), ("S06", second)):
            db.session.scalar(select(Matter).where(Matter.number == number)).key_issue_id = issue.id
        db.session.commit()
    _edit(app, "S06", status=MatterStatus.IN_PROGRESS, progress=60)
    html = board.get("/board").get_data(as_text=True)
    rows = tables(html)["Items and completions by key issue"][1:]
    assert rows == [
        ["Key issue 1: Hard for the elderly to get things done", "2", "2 (100%)", "100%", "0"],
        ["Key issue 2: Property management", "1", "0 (0%)", "60%", "0"],
        ["Not yet assigned to a key issue", "10", "10 (100%)", "100%", "0"],
    ]
    assert "The key issues have not been named here yet" not in html
    listed = cards(board.get("/board?key_issue=1").get_data(as_text=True))
    assert set(listed) == {"S01", "S02"}
    assert "Key issue Hard for the elderly to get things done" in listed["S01"]
    assert len(cards(board.get("/board?key_issue=none").get_data(as_text=True))) == 10


def test_completions_over_time_count_dated_items_by_month_and_keep_gaps_internal(app, board):
    _edit(app, "S01", completed_on=dt.date(2021, 6, 15))
    _edit(app, "S02", completed_on=dt.date(2021, 6, 30))
    _edit(app, "S03", completed_on=dt.date(2021, 8, 2))
    # reopened: no longer counts as a completion, even with a date left behind
    _edit(app, "S04", completed_on=dt.date(2021, 7, 1), status=MatterStatus.IN_PROGRESS)
    html = board.get("/board").get_data(as_text=True)
    assert tables(html)["Items completed per month"] == [
        ["Month", "Completed", "Completed so far"],
        ["Jun 2021", "2", "2"],
        ["Jul 2021", "0", "2"],
        ["Aug 2021", "1", "3"],
    ]
    chart = re.search(r'<svg[^>]*id="chart-months".*?</svg>', html, re.DOTALL).group(0)
    assert chart.count("<g>") == 3
    assert ">2 completed<" in chart and ">0 completed<" in chart and ">1 completed<" in chart
    # the nine completions without a date are a gap in the records: the public sees none of it
    assert "date not recorded" not in html.lower()


def test_without_dates_there_is_no_month_chart_but_the_count_is_said(board):
    html = board.get("/board").get_data(as_text=True)
    assert 'id="chart-months"' not in html
    assert "No completion dates have been recorded yet" in html
    assert "Items completed per month" not in tables(html)
    assert "date not recorded" not in html.lower()


def test_progress_bars_are_drawn_to_the_percent_they_state(app, board):
    _edit(app, "S06", status=MatterStatus.IN_PROGRESS, progress=68)
    html = board.get("/board").get_data(as_text=True)
    bar = re.search(r'aria-label="Progress 68%"><span class="bar-fill (w\d+)"', html)
    assert bar and bar.group(1) == "w68"
    with board.application.open_resource("static/css/app.css") as css:
        assert ".w68 { width: 68%; }" in css.read().decode()


def test_the_latest_public_note_is_shown_and_a_newer_private_one_is_not(app, board):
    _note(app, "S05", "公开进展：帮办中心已验收", public=True, ago=dt.timedelta(days=2))
    _note(app, "S05", "内部备注：经费尚未到位", public=False, ago=dt.timedelta(days=1))
    html = board.get("/board").get_data(as_text=True)
    card = cards(html)["S05"]
    assert "Latest public note" in card and "公开进展：帮办中心已验收" in card
    assert "内部备注" not in html
    detail = board.get("/board/S05").get_data(as_text=True)
    assert "公开进展：帮办中心已验收" in detail and "内部备注" not in detail
    # the seed's public note is older: it is history, not the latest
    history = detail.split("Public notes", 1)[1]
    assert history.index("公开进展") < history.index("在产业实体园区建立")


def test_a_private_item_is_absent_everywhere_and_its_page_is_not_found(app, board):
    _edit(app, "S13", is_public=False)
    with app.app_context():
        private = db.session.scalar(select(Matter).where(Matter.number == "S13"))
        titles = [private.title, private.title_en]
    _note(app, "S13", "私密事项的说明", public=True, ago=dt.timedelta(hours=1))
    _note(app, "S12", "内部备注：只给员工看", public=False, ago=dt.timedelta(hours=1))
    assert board.get("/board/S13").status_code == 404
    assert board.get("/board/NO-SUCH").status_code == 404
    pages = [board.get(url).get_data(as_text=True)
             for url in ("/board", "/board?page=2", "/board?unit=zone", "/board?status=completed")]
    pages += [board.get(f"/board/S{n:02d}").get_data(as_text=True) for n in range(1, 13)]
    board.set_cookie("lang", "zh_CN")
    pages.append(board.get("/board").get_data(as_text=True))
    for html in pages:
        for secret in titles + ["私密事项的说明", "内部备注", "S13"]:
            assert secret not in html
    assert "12 of the 12 items shown are completed" in pages[0]


def test_an_overdue_item_says_so_in_words_and_a_near_deadline_too(app, board):
    _edit(app, "S04", deadline=dt.date(2021, 12, 31), status=MatterStatus.IN_PROGRESS, progress=50)
    with app.app_context():
        soon = today() + dt.timedelta(days=3)
    _edit(app, "S05", deadline=soon, status=MatterStatus.IN_PROGRESS, progress=80)
    html = board.get("/board").get_data(as_text=True)
    found = cards(html)
    assert "In progress" in found["S04"] and "Overdue" in found["S04"]
    assert "Due soon" in found["S05"] and "Overdue" not in found["S05"]
    assert "Overdue" not in found["S01"] and "Due soon" not in found["S01"]
    assert next(iter(found)) == "S04"  # overdue first
    assert re.search(r"Overdue: past the deadline and not completed</dt><dd>1<", html)
    detail = board.get("/board/S04").get_data(as_text=True)
    assert "badge-overdue" in detail and "Overdue" in detail
    assert "Dec 31, 2021" in detail


def test_the_list_filters_by_unit_key_issue_status_and_deadline(app, board):
    _edit(app, "S04", deadline=dt.date(2021, 12, 31), status=MatterStatus.IN_PROGRESS, progress=50)
    assert len(cards(board.get("/board?unit=zone").get_data(as_text=True))) == 7
    # S02 names no unit; S08 names two together, with no lead (the article names no lead)
    assert set(cards(board.get("/board?unit=none").get_data(as_text=True))) == {"S02", "S08"}
    assert set(cards(board.get("/board?status=in_progress").get_data(as_text=True))) == {"S04"}
    assert set(cards(board.get("/board?overdue=1").get_data(as_text=True))) == {"S04"}
    assert len(cards(board.get("/board?status=flying").get_data(as_text=True))) == 13  # ignored
    html = board.get("/board?unit=no-such-unit").get_data(as_text=True)
    assert cards(html) == {} and "No items match these filters." in html
    html = board.get("/board?unit=zone&status=completed").get_data(as_text=True)
    assert len(cards(html)) == 6 and "6 items match." in html
    assert '<option value="zone" selected>' in html
    # the summary, tables and charts stay about every public item
    assert "12 of the 13 items shown are completed" in html


def test_the_list_is_paginated_and_keeps_its_filters(app, board):
    app.config["PAGE_SIZE"] = 5
    try:
        first = board.get("/board").get_data(as_text=True)
        assert len(cards(first)) == 5 and 'rel="next"' in first and "Page 1 of 3" in first
        third = board.get("/board?page=3").get_data(as_text=True)
        assert len(cards(third)) == 3 and 'rel="prev"' in third and 'rel="next"' not in third
        beyond = board.get("/board?page=99").get_data(as_text=True)
        assert set(cards(beyond)) == set(cards(third))
        seen = set()
        for page in (1, 2, 3):
            seen |= set(cards(board.get(f"/board?page={page}").get_data(as_text=True)))
        assert len(seen) == 13
        zone = board.get("/board?unit=zone").get_data(as_text=True)
        assert re.search(r'href="/board\?unit=zone&amp;page=2"', zone)
    finally:
        app.config["PAGE_SIZE"] = 50


def _add_imported(app, n: int) -> None:
    with app.app_context():
        zone, centre = _unit_id("zone"), _unit_id("gov-service-centre")
        issue = KeyIssue(number=7, title="合成问题")
        db.session.add(issue)
        db.session.flush()
        for i in range(n):
            done = i % 3 == 0
            matter = Matter(
                number=f"T{i:03d}", title=f"清单事项 {i}", origin=RecordOrigin.IMPORT,
                lead_unit_id=zone if i % 2 else centre,
                key_issue_id=issue.id if i % 4 else None,
                status=MatterStatus.COMPLETED if done else MatterStatus.IN_PROGRESS,
                progress=100 if done else i % 100,
                completed_on=dt.date(2021, 1 + i % 12, 1) if done else None,
                deadline=dt.date(2021, 12, 31) if i % 5 == 0 else None)
            db.session.add(matter)
            db.session.flush()
            db.session.add_all([
                MatterUpdate(matter_id=matter.id, note=f"public {i}", is_public=True),
                MatterUpdate(matter_id=matter.id, note=f"private {i}", is_public=False)])
        db.session.commit()


def test_the_board_costs_the_same_statements_for_13_or_73_items(app, board, count_queries):
    board.get("/board")  # warm up
    with count_queries() as small:
        assert board.get("/board").status_code == 200
    _add_imported(app, 60)
    with count_queries() as large:
        html = board.get("/board").get_data(as_text=True)
    # 7 for the items, 1 for the zone-wide ratings, 1 for the article's reported rates,
    # 1 for the key projects' public totals
    assert len(large) == len(small) <= 10
    assert len(cards(html)) == 50
    assert "The list has 168 items; 60 of them have been loaded here." in html
    assert "not confirmed as on the 168-item list" not in cards(html)["T000"]
    with count_queries() as detail:
        assert board.get("/board/T001").status_code == 200
    assert len(detail) <= 4


def test_no_synthetic_notice_ever(app, board):
    from ..factories import add_synthetic_matters

    add_synthetic_matters(app, 3)
    assert "synthetic" not in board.get("/board").get_data(as_text=True).lower()


def test_charts_are_accessible_svg_with_no_inline_style_or_script(app, board):
    _edit(app, "S01", completed_on=dt.date(2021, 9, 1))
    html = board.get("/board").get_data(as_text=True)
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, re.DOTALL)
    assert len(svgs) == 1  # completions per month; progress by lead unit is HTML bars
    for svg in svgs:
        assert 'role="img"' in svg and 'viewBox="0 0 360 ' in svg and 'width="100%"' in svg
        assert re.search(r"<title id=\"[^\"]+\">[^<]+</title>", svg)
        assert "<desc" in svg
    assert "Items completed per month</title>" in html
    assert "style=" not in html and "<script" not in html and "<style" not in html
    # the same numbers are in a table next to each chart
    assert "Items and completions by lead unit" in tables(html)
    assert "Items completed per month" in tables(html)


def test_elder_mode_draws_the_charts_with_larger_text(app, board):
    _edit(app, "S01", completed_on=dt.date(2021, 9, 1))
    board.set_cookie("elder", "1")
    html = board.get("/board").get_data(as_text=True)
    assert 'id="chart-months" role="img"' in html and 'viewBox="0 0 288 ' in html
    assert 'viewBox="0 0 360 ' not in html


def test_chart_labels_are_escaped(app, board):
    with app.app_context():
        unit = Unit(code="odd-unit", name='A&B <script>alert("x")</script>', kind=UnitKind.BUREAU)
        db.session.add(unit)
        db.session.flush()
        db.session.scalar(select(Matter).where(Matter.number == "S01")).lead_unit_id = unit.id
        db.session.commit()
    html = board.get("/board").get_data(as_text=True)
    assert "<script>" not in html
    assert "A&amp;B &lt;script&gt;" in html


def test_bar_chart_escapes_and_shortens_long_labels(app):
    from service_desk.base.charts import Bar, bar_chart, fit, text_width

    with app.test_request_context():
        svg = str(bar_chart([Bar("<b>", 0.5, "1 of 2"), Bar("x" * 200, 0.0, "0 of 1")],
                            chart_id="c", title="T & t", desc="D"))
    assert "&lt;b&gt;" in svg and "<b>" not in svg and "T &amp; t" in svg
    assert 'width="179"' in svg  # half of the 358-unit track
    assert "x" * 200 not in svg and "…" in svg
    assert text_width(fit("经开区行政审批服务局" * 5, 200)) <= 200


def test_no_personal_data_is_shown(app, board, make_user):
    make_user("staff", unit="zone", username="official-zhang-wei")
    _edit(app, "S01", responsible_person="王责任人")
    _note(app, "S01", "公开说明", public=True, ago=dt.timedelta(minutes=5),
          author="official-zhang-wei")
    for url in ("/board", "/board/S01"):
        html = board.get(url).get_data(as_text=True)
        assert "公开说明" in html
        assert "王责任人" not in html and "official-zhang-wei" not in html
        assert "Responsible person" not in html


def test_an_item_page_shows_its_deadline_units_and_public_history(app, board):
    _edit(app, "S08", deadline=dt.date(2022, 6, 30), original_deadline=dt.date(2022, 3, 31),
          status=MatterStatus.IN_PROGRESS, progress=30)
    html = board.get("/board/S08").get_data(as_text=True)
    assert "Jun 30, 2022" in html and "(first promised for Mar 31, 2022)" in html
    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == "S08"))
        assert matter.title_en in html
        co_units = db.session.scalars(select(Unit).join(
            matter_co_units, matter_co_units.c.unit_id == Unit.id)
            .where(matter_co_units.c.matter_id == matter.id)).all()
        assert co_units
        for unit in co_units:
            assert (unit.name_en or unit.name) in html
    assert "Public notes" in html and "In progress" in html


def test_demo_and_synthetic_services_count_in_no_public_figure(app, board):
    """The demo appointment of `make run` (flagged synthetic) and load-test requests are made
    up: the board's "completed services" counts real ones only."""
    from service_desk.requests.models import RequestStatus, ServiceRequest

    from ..factories import add_booking, local_at

    with app.app_context():
        day = today() - dt.timedelta(days=3)
    add_booking(app, reference="REALDONE", start=local_at(day, 10), status=RequestStatus.COMPLETED)
    add_booking(app, reference="DEMODONE", start=local_at(day, 11), status=RequestStatus.COMPLETED)
    with app.app_context():
        db.session.execute(update(ServiceRequest).where(ServiceRequest.reference == "DEMODONE")
                           .values(is_synthetic=True))
        db.session.commit()
    html = board.get("/board").get_data(as_text=True)
    figures = re.search(r"<dt>Completed services</dt><dd>(\d+)</dd>", html)
    assert figures and figures.group(1) == "1"
