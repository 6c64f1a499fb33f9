"""A supervision notice (督办单) has a number, 督办〔year〕第n号, counted per year of issue in the
zone, distinct even when two are issued at once; it prints as a document on A4."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from service_desk.accounts.models import User
from service_desk.base.calendar import today
from service_desk.extensions import db
from service_desk.matters.models import Matter, SupervisionNotice
from service_desk.supervision.services import notice_issue, notice_number
from service_desk.units.models import Unit

from ..factories import People


@pytest.fixture
def people(app, seeded, make_user):
    return People(app, make_user, lang="en")


def _issue(body: str, number: str = "S03", unit: str = "gov-service-centre") -> SupervisionNotice:
    sup = db.session.scalar(select(User).where(User.username == "sup"))
    return notice_issue(matter=db.session.scalar(select(Matter).where(Matter.number == number)),
                        unit=db.session.scalar(select(Unit).where(Unit.code == unit)),
                        actor=sup, body=body, reply_due=today() + dt.timedelta(days=3))


def test_notices_are_numbered_in_order_within_the_zones_year(app, people):
    people["sup"]  # the account
    with app.app_context():
        first, second, third = (_issue(str(i)) for i in range(3))
        year = today().year
        assert [(n.year, n.serial) for n in (first, second, third)] == [
            (year, 1), (year, 2), (year, 3)]
        with force_locale("en"):
            assert notice_number(third) == f"Notice {year} No. 3"


def test_each_year_counts_from_one(app, people):
    people["sup"]
    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == "S03"))
        unit = db.session.scalar(select(Unit).where(Unit.code == "gov-service-centre"))
        last_year = today().year - 1
        for serial in (1, 2, 7):
            db.session.add(SupervisionNotice(matter_id=matter.id, unit_id=unit.id, body="old",
                                             reply_due=today(), year=last_year, serial=serial))
        db.session.flush()
        assert (_issue("new").year, _issue("newer").serial) == (today().year, 2)
        # a row written without a number (a seed, a test) gets its year's next one
        plain = SupervisionNotice(matter_id=matter.id, unit_id=unit.id, body="x", reply_due=today())
        db.session.add(plain)
        db.session.flush()
        assert (plain.year, plain.serial) == (today().year, 3)


@pytest.mark.commits  # two threads, each its own connection
def test_two_notices_issued_at_once_get_distinct_numbers(app, people):
    people["sup"]
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time: nothing runs at once")
    first_flushed, serials, errors = threading.Event(), [], []

    def first() -> None:
        with app.app_context():
            try:
                serials.append(_issue("first").serial)  # flushed: the number is taken, uncommitted
                first_flushed.set()
                # the second reads the same last number and waits on the unique index meanwhile
                threading.Event().wait(1.0)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
                first_flushed.set()
            finally:
                db.session.remove()

    def second() -> None:
        first_flushed.wait(30)
        with app.app_context():
            try:
                serials.append(_issue("second", number="S06",
                                      unit="construction-bureau").serial)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(serials) == [1, 2]
    with app.app_context():
        stored = db.session.execute(select(SupervisionNotice.year, SupervisionNotice.serial)).all()
        assert sorted(s for _, s in stored) == [1, 2]


def test_the_number_is_in_the_lists_and_the_document_prints(app, people):
    people["sup"], people["centre"]
    with app.app_context():
        notice = _issue("请本周内说明进展，并附整改材料")
        db.session.commit()
        notice_id, year, due = notice.id, notice.year, notice.reply_due
    label = f"Notice {year} No. 1"
    assert label in people["sup"].get("/supervision/notices").get_data(as_text=True)
    assert label in people["centre"].get("/supervision/notices").get_data(as_text=True)
    page = people["sup"].get(f"/supervision/notices/{notice_id}").get_data(as_text=True)
    assert label in page and f"/supervision/notices/{notice_id}/document" in page
    doc = people["centre"].get(f"/supervision/notices/{notice_id}/document")
    assert doc.status_code == 200
    html = doc.get_data(as_text=True)
    for shown in (label, "S03", "请本周内说明进展，并附整改材料", "Supervisor",
                  due.isoformat()):
        assert shown in html, shown
    assert 'class="notice-document"' in html
    assert people["builder"].get(f"/supervision/notices/{notice_id}/document").status_code == 403
    assert people["sup"].get("/supervision/notices/999999/document").status_code == 404
    csv = people["sup"].get("/supervision/notices?format=csv").get_data(as_text=True)
    assert label in csv
