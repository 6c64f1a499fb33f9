"""好差评 domain: rating once, rectification steps, and the figures against a hand-counted set."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from service_desk.accounts.models import User
from service_desk.audit.models import AuditEvent
from service_desk.base.calendar import add_working_days
from service_desk.catalog.models import Channel, Service
from service_desk.extensions import db
from service_desk.ratings.models import Rating, RatingSource, Rectification, RectificationStatus
from service_desk.ratings.services import (
    AlreadyRated,
    NotRateable,
    RatingError,
    StaleRectification,
    fix_rate,
    rating_give,
    rectification_appeal,
    rectification_callback,
    rectification_close,
    rectification_decide,
)
from service_desk.ratings.stats import StatsFilter, rating_figures
from service_desk.requests.models import RequestEvent, RequestStatus, ServiceRequest
from service_desk.units.models import Unit

UTC = dt.UTC
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # a Friday, 12:00 in Shanghai


@pytest.fixture
def world(app, seeded, make_user):
    """Two units, two services, a staff member in each unit and a supervisor."""
    make_user("staff", "zone", username="hallstaff")
    make_user("staff", "commerce-bureau", username="civilstaff")
    make_user("supervisor", username="boss")
    with app.app_context():
        units = db.session.scalars(select(Unit).order_by(Unit.id)).all()
        services = db.session.scalars(select(Service).order_by(Service.id)).all()
        yield {"a": units[0].id, "b": units[1].id, "s1": services[0].id, "s2": services[1].id,
               "staff_a": db.session.scalar(select(User.id).where(User.username == "hallstaff")),
               "staff_b": db.session.scalar(select(User.id).where(User.username == "civilstaff")),
               "boss": db.session.scalar(select(User.id).where(User.username == "boss"))}
        db.session.remove()


def add_request(w, ref, *, unit, service, channel=Channel.WEB, status=RequestStatus.COMPLETED,
                finished=NOW, served_by=None) -> ServiceRequest:
    item = ServiceRequest(reference=ref, service_id=w[service], unit_id=w[unit], channel=channel,
                          status=status, resident_name="王秀英", resident_phone="13800138000",
                          resolved_at=finished if status is RequestStatus.COMPLETED else None,
                          served_by_id=served_by, created_at=finished, updated_at=finished)
    db.session.add(item)
    db.session.flush()
    return item


def user(uid) -> User:
    return db.session.get(User, uid)


# --- rating once ----------------------------------------------------------------------------

def test_a_rating_names_unit_service_channel_and_who_served(app, world):
    w = world
    item = add_request(w, "R1", unit="a", service="s1", channel=Channel.PHONE,
                       served_by=w["staff_a"])
    rating = rating_give(request=item, level=4, comment=" 很耐心 ", source=RatingSource.LINK,
                         now=NOW)
    db.session.commit()
    stored = db.session.get(Rating, rating.id)
    assert (stored.level, stored.comment, stored.unit_id, stored.service_id, stored.staff_id,
            stored.channel, stored.source) == (4, "很耐心", w["a"], w["s1"], w["staff_a"],
                                               Channel.PHONE, RatingSource.LINK)
    assert db.session.scalar(select(func.count(Rectification.id))) == 0  # good: no follow-up
    assert db.session.scalar(select(RequestEvent.action).where(
        RequestEvent.request_id == item.id)) == "rated"
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_id == "R1")) == "rating.give"


def test_rating_twice_is_refused_and_the_first_rating_stays(app, world):
    item = add_request(world, "R1", unit="a", service="s1")
    rating_give(request=item, level=5, comment=None, source=RatingSource.LINK, now=NOW)
    db.session.commit()
    with pytest.raises(AlreadyRated):
        rating_give(request=item, level=1, comment="改主意了", source=RatingSource.PHONE, now=NOW)
    db.session.rollback()
    assert db.session.scalars(select(Rating.level)).all() == [5]
    assert db.session.scalar(select(func.count(Rectification.id))) == 0


@pytest.mark.parametrize("status", [RequestStatus.BOOKED, RequestStatus.ARRIVED,
                                    RequestStatus.DISPATCHED, RequestStatus.ACCEPTED,
                                    RequestStatus.CANCELLED, RequestStatus.NO_SHOW])
def test_a_service_not_finished_cannot_be_rated(app, world, status):
    item = add_request(world, "R1", unit="a", service="s1", status=status)
    with pytest.raises(NotRateable):
        rating_give(request=item, level=5, comment=None, source=RatingSource.LINK, now=NOW)
    assert db.session.scalar(select(func.count(Rating.id))) == 0


@pytest.mark.parametrize("level", [0, 6, -1, "abc", "", None, True, 4.5, "5.0", [5]])
def test_a_tampered_level_is_refused_on_the_level_field(app, world, level):
    item = add_request(world, "R1", unit="a", service="s1")
    with pytest.raises(RatingError) as caught:
        rating_give(request=item, level=level, comment=None, source=RatingSource.API, now=NOW)
    assert caught.value.field == "level"
    assert db.session.scalar(select(func.count(Rating.id))) == 0


def test_the_level_may_come_as_form_text(app, world):
    item = add_request(world, "R1", unit="a", service="s1")
    assert rating_give(request=item, level="3", comment="", source=RatingSource.BOOKING_PAGE,
                       now=NOW).level == 3


def test_an_over_long_comment_is_refused_with_its_length(app, world):
    item = add_request(world, "R1", unit="a", service="s1")
    with pytest.raises(RatingError) as caught:
        rating_give(request=item, level=5, comment="好" * 501, source=RatingSource.LINK, now=NOW)
    assert caught.value.field == "comment" and "501" in str(caught.value.message)
    assert db.session.scalar(select(func.count(Rating.id))) == 0


# --- rectification --------------------------------------------------------------------------

def test_a_bad_rating_opens_a_rectification_due_in_five_working_days(app, world):
    item = add_request(world, "R1", unit="b", service="s2")
    # Friday 2026-09-25 noon in Shanghai: the National Day break (10-01 to 10-08) and the
    # make-up Sunday 09-28 and Saturday 10-11 decide the count
    friday = dt.datetime(2026, 9, 25, 4, 0, tzinfo=UTC)
    rating = rating_give(request=item, level=2, comment="等太久", source=RatingSource.LINK,
                         now=friday)
    rect = db.session.scalar(select(Rectification))
    assert rect.rating_id == rating.id and rect.unit_id == world["b"]
    assert rect.status is RectificationStatus.OPEN
    due_local = rect.due_at.astimezone(SHANGHAI)
    assert due_local.date() == add_working_days(dt.date(2026, 9, 25), 5)
    assert due_local.time() == dt.time(18, 0)


def test_rectification_days_are_configurable(app, world):
    item = add_request(world, "R1", unit="b", service="s2")
    app.config["RECTIFICATION_DAYS"] = 2
    try:
        rating_give(request=item, level=1, comment=None, source=RatingSource.LINK, now=NOW)
    finally:
        app.config["RECTIFICATION_DAYS"] = 5
    rect = db.session.scalar(select(Rectification))
    assert rect.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 11, 24)  # Fri + 2 working days


def _bad(world, ref="R1", level=2, now=NOW) -> Rectification:
    item = add_request(world, ref, unit="b", service="s2", finished=now)
    rating_give(request=item, level=level, comment="态度差", source=RatingSource.LINK, now=now)
    db.session.commit()
    return db.session.scalar(select(Rectification).join(Rating).where(
        Rating.request_id == item.id))


def test_closing_before_the_call_back_is_refused(app, world):
    rect = _bad(world)
    with pytest.raises(RatingError) as caught:
        rectification_close(rect=rect, actor=user(world["staff_b"]),
                            outcome=RectificationStatus.FIXED, note="已整改",
                            expected_version=rect.version)
    with force_locale("en"):  # outside a request the app speaks zh_CN
        assert "Call the resident back first" in str(caught.value.message)
    db.session.rollback()
    assert db.session.get(Rectification, rect.id).status is RectificationStatus.OPEN


def test_call_back_then_fix_closes_it_on_time_and_the_resident_rates_the_fix(app, world):
    rect = _bad(world)
    staff = user(world["staff_b"])
    rectification_callback(rect=rect, actor=staff, note="已致电道歉，约定重新办理",
                           expected_version=rect.version, now=NOW + dt.timedelta(hours=1))
    rectification_close(rect=rect, actor=staff, outcome=RectificationStatus.FIXED,
                        note="已上门补办", expected_version=rect.version,
                        now=NOW + dt.timedelta(days=1))
    fix_rate(rect=rect, level=5, comment="满意")
    db.session.commit()
    got = db.session.get(Rectification, rect.id)
    assert got.status is RectificationStatus.FIXED and got.closed_by_id == staff.id
    assert got.callback_note == "已致电道歉，约定重新办理" and got.action_note == "已上门补办"
    assert got.fix_level == 5
    with pytest.raises(RatingError):
        fix_rate(rect=got, level=1, comment=None)  # once
    actions = db.session.scalars(select(RequestEvent.action).order_by(RequestEvent.id)).all()
    assert actions == ["rated", "rectification_opened", "rectification_called_back",
                       "rectification_fixed", "rectification_rated"]


def test_the_fix_cannot_be_rated_while_open(app, world):
    rect = _bad(world)
    with pytest.raises(RatingError):
        fix_rate(rect=rect, level=5, comment=None)


def test_a_stale_form_is_refused(app, world):
    rect = _bad(world)
    old = rect.version
    rectification_callback(rect=rect, actor=user(world["staff_b"]), note="已回访",
                           expected_version=old)
    db.session.commit()
    with pytest.raises(StaleRectification):
        rectification_appeal(rect=rect, actor=user(world["staff_b"]), reason="恶意差评",
                             expected_version=old)


def test_an_upheld_appeal_closes_it_and_leaves_the_rating_out(app, world):
    rect = _bad(world, level=1)
    rectification_appeal(rect=rect, actor=user(world["staff_b"]), reason="评价人非办事群众",
                         expected_version=rect.version)
    with pytest.raises(RatingError):  # the unit cannot close it while the appeal waits
        rectification_close(rect=rect, actor=user(world["staff_b"]),
                            outcome=RectificationStatus.FIXED, note="x",
                            expected_version=rect.version)
    rectification_decide(rect=rect, actor=user(world["boss"]), uphold=True,
                         reason="核实为误评", expected_version=rect.version)
    db.session.commit()
    got = db.session.get(Rectification, rect.id)
    assert got.status is RectificationStatus.APPEAL_UPHELD and got.closed_at is not None
    assert db.session.get(Rating, got.rating_id).excluded is True
    assert rating_figures(now=NOW).overall.rated == 0


def test_a_rejected_appeal_goes_back_to_the_unit_with_the_same_deadline(app, world):
    rect = _bad(world)
    due = rect.due_at
    rectification_appeal(rect=rect, actor=user(world["staff_b"]), reason="不认可",
                         expected_version=rect.version)
    rectification_decide(rect=rect, actor=user(world["boss"]), uphold=False,
                         reason="证据不足，请整改", expected_version=rect.version)
    db.session.commit()
    got = db.session.get(Rectification, rect.id)
    assert got.status is RectificationStatus.OPEN and got.due_at == due
    assert db.session.get(Rating, got.rating_id).excluded is False
    with pytest.raises(RatingError):  # one appeal per rating
        rectification_appeal(rect=got, actor=user(world["staff_b"]), reason="再申诉",
                             expected_version=got.version)


@pytest.mark.parametrize("note", [None, "", "   "])
def test_each_step_needs_its_words(app, world, note):
    rect = _bad(world)
    with pytest.raises(RatingError) as caught:
        rectification_callback(rect=rect, actor=user(world["staff_b"]), note=note,
                               expected_version=rect.version)
    assert caught.value.field == "note"


# --- the figures, against a hand-counted set ------------------------------------------------

def build_hand_counted_set(w):
    """Eleven requests; the expected figures are counted by hand in the test below."""
    oct15 = dt.datetime(2026, 10, 15, 2, 0, tzinfo=UTC)
    nov10 = dt.datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
    # 2026-10-31 17:00 UTC is 01:00 on 1 November in Shanghai: it belongs to November
    boundary = dt.datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    rows = [  # ref, unit, service, channel, status, finished, level
        ("H01", "a", "s1", Channel.WEB, RequestStatus.COMPLETED, oct15, 5),
        ("H02", "a", "s1", Channel.WEB, RequestStatus.COMPLETED, oct15, 4),
        ("H03", "a", "s1", Channel.PHONE, RequestStatus.COMPLETED, oct15, 3),
        ("H04", "a", "s2", Channel.PHONE, RequestStatus.COMPLETED, oct15, None),
        ("H05", "b", "s2", Channel.WECHAT, RequestStatus.COMPLETED, nov10, 1),  # appeal upheld
        ("H06", "b", "s2", Channel.WECHAT, RequestStatus.COMPLETED, nov10, 2),  # fixed on time
        ("H07", "b", "s1", Channel.WEB, RequestStatus.COMPLETED, nov10, None),
        ("H08", "b", "s1", Channel.WEB, RequestStatus.BOOKED, nov10, None),  # not finished
        ("H09", "a", "s1", Channel.WEB, RequestStatus.CANCELLED, nov10, None),  # not finished
        ("H10", "a", "s1", Channel.WEB, RequestStatus.COMPLETED, boundary, 5),
        ("H11", "b", "s1", Channel.PHONE, RequestStatus.COMPLETED, nov10, 1),  # open, late
    ]
    items = {}
    for ref, unit, service, channel, status, finished, level in rows:
        items[ref] = add_request(w, ref, unit=unit, service=service, channel=channel,
                                 status=status, finished=finished)
        if level is not None:
            rating_give(request=items[ref], level=level, comment=None,
                        source=RatingSource.LINK, now=finished)
    db.session.flush()

    def rect_of(ref):
        return db.session.scalar(select(Rectification).join(Rating).where(
            Rating.request_id == items[ref].id))

    staff, boss = user(w["staff_b"]), user(w["boss"])
    r5 = rect_of("H05")
    rectification_appeal(rect=r5, actor=staff, reason="恶意", expected_version=r5.version,
                         now=nov10)
    rectification_decide(rect=r5, actor=boss, uphold=True, reason="属实",
                         expected_version=r5.version, now=nov10 + dt.timedelta(days=1))
    r6 = rect_of("H06")
    rectification_callback(rect=r6, actor=staff, note="已回访", expected_version=r6.version,
                           now=nov10)
    rectification_close(rect=r6, actor=staff, outcome=RectificationStatus.FIXED, note="已整改",
                        expected_version=r6.version, now=nov10 + dt.timedelta(days=2))
    db.session.commit()


def test_the_figures_match_a_hand_counted_set(app, world):
    build_hand_counted_set(world)
    stats = rating_figures(now=NOW)  # H11's deadline (5 working days after 10 Nov) has passed

    # finished: H01–H07, H10, H11 = 9; counted ratings: H01 H02 H03 H06 H10 H11 = 6 (H05 is out);
    # good (4 or 5): H01 H02 H10 = 3
    o = stats.overall
    assert (o.completed, o.rated, o.good, o.excluded) == (9, 6, 3, 1)
    assert o.evaluation_rate == pytest.approx(6 / 9) and o.good_rating_rate == pytest.approx(0.5)

    units = {row.key: row.figures for row in stats.by_unit}
    code_a = db.session.get(Unit, world["a"]).code
    code_b = db.session.get(Unit, world["b"]).code
    assert (units[code_a].completed, units[code_a].rated, units[code_a].good) == (5, 4, 3)
    assert (units[code_b].completed, units[code_b].rated, units[code_b].good,
            units[code_b].excluded) == (4, 2, 0, 1)
    assert units[code_a].evaluation_rate == pytest.approx(0.8)
    assert units[code_a].good_rating_rate == pytest.approx(0.75)
    assert units[code_b].good_rating_rate == 0.0
    assert [row.key for row in stats.unit_ranking] == [code_a, code_b]

    months = {row.key: row.figures for row in stats.by_month}
    assert (months["2026-10"].completed, months["2026-10"].rated, months["2026-10"].good) == (4, 3, 2)
    assert (months["2026-11"].completed, months["2026-11"].rated, months["2026-11"].good) == (5, 3, 1)

    channels = {row.key: row.figures for row in stats.by_channel}
    assert (channels["web"].completed, channels["web"].rated, channels["web"].good) == (4, 3, 3)
    assert (channels["phone"].completed, channels["phone"].rated) == (3, 2)
    assert (channels["wechat"].completed, channels["wechat"].rated,
            channels["wechat"].excluded) == (2, 1, 1)

    assert stats.levels == {1: 1, 2: 1, 3: 1, 4: 1, 5: 2}

    r = stats.rectification  # H05 (upheld), H06 (fixed in 2 days), H11 (open, late)
    assert (r.total, r.called_back, r.closed, r.closed_on_time, r.open_overdue,
            r.upheld_appeals) == (3, 1, 2, 2, 1, 1)
    assert r.callback_rate == pytest.approx(1 / 3) and r.on_time_rate == pytest.approx(2 / 3)


def test_filters_narrow_the_figures(app, world):
    build_hand_counted_set(world)
    october = rating_figures(StatsFilter(first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31)),
                             now=NOW).overall
    assert (october.completed, october.rated, october.good) == (4, 3, 2)
    unit_b = rating_figures(StatsFilter(unit_id=world["b"]), now=NOW)
    assert (unit_b.overall.completed, unit_b.overall.rated) == (4, 2)
    assert [row.key for row in unit_b.by_month] == ["2026-11"]
    wechat = rating_figures(StatsFilter(channel=Channel.WECHAT), now=NOW)
    assert wechat.overall.good_rating_rate == 0.0 and wechat.rectification.total == 2


def test_nothing_to_divide_gives_none_not_zero(app, world):
    stats = rating_figures(now=NOW)
    assert stats.overall.evaluation_rate is None and stats.overall.good_rating_rate is None
    assert stats.rectification.on_time_rate is None and stats.rectification.callback_rate is None
    add_request(world, "R1", unit="a", service="s1")
    only_done = rating_figures(now=NOW).overall
    assert only_done.evaluation_rate == 0.0 and only_done.good_rating_rate is None


def test_the_figures_take_a_fixed_number_of_statements(app, world, count_queries):
    build_hand_counted_set(world)
    with count_queries() as small:
        rating_figures(now=NOW)
    for n in range(30):
        item = add_request(world, f"X{n:02d}", unit="a" if n % 2 else "b", service="s1",
                           channel=Channel.WECHAT if n % 3 else Channel.WEB)
        rating_give(request=item, level=1 + n % 5, comment=None, source=RatingSource.API, now=NOW)
    db.session.commit()
    with count_queries() as large:
        rating_figures(now=NOW)
    assert len(large) == len(small) <= 10
