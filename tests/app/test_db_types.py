"""Aware UTC datetimes behave the same on SQLite and PostgreSQL."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service_desk.audit.models import AuditEvent
from service_desk.extensions import db


def test_datetimes_come_back_aware_in_utc_whatever_zone_they_were_given_in(ctx):
    shanghai = dt.datetime(2021, 6, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    db.session.add(AuditEvent(actor_label="t", action="x", at=shanghai))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalar(select(AuditEvent))
    assert stored.at.tzinfo is not None
    assert stored.at.utcoffset() == dt.timedelta(0)
    assert stored.at == dt.datetime(2021, 6, 1, 1, 30, tzinfo=dt.UTC)


def test_naive_datetimes_are_refused(ctx):
    db.session.add(AuditEvent(actor_label="t", action="x", at=dt.datetime(2021, 6, 1, 9, 30)))
    with pytest.raises(Exception, match="naive datetime"):
        db.session.commit()
    db.session.rollback()
