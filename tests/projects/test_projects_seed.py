"""The seed, read again (issue 14): nothing read into the 12 records, dates only where the
article gives them, enterprises apart from the 44 projects, every record with its quote."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service_desk.extensions import db
from service_desk.projects.models import DatePrecision, KeyProject, MilestoneKind, RecordKind
from service_desk.projects.queries import project_by_code
from service_desk.seeding import read_seed, seed_load


def test_hongrui_is_a_decided_investment_with_nothing_read_into_it(ctx):
    seed_load()
    hongrui = project_by_code("hongrui-medical")
    assert hongrui.stage is None  # decided and to settle; the article names no link of the chain
    assert hongrui.category is None
    assert hongrui.expected_sales == 4_000_000_000 and hongrui.expected_sales_approximate
    assert not hongrui.investment_approximate
    assert "拟落户威海经济技术开发区" in hongrui.facts
    assert any("确定项目正式投资不足48小时" in f for f in hongrui.facts)


def test_enterprises_the_article_names_are_not_projects_of_the_44(ctx):
    seed_load()
    kinds = dict(db.session.execute(select(KeyProject.code, KeyProject.record_kind)).all())
    assert {c for c, k in kinds.items() if k is RecordKind.ENTERPRISE} == {
        "ansuda-supply-chain", "weihai-livestream-ecommerce-base"}


def test_dates_are_the_articles_own_and_none_is_today(ctx):
    seed_load()
    weidong = project_by_code("weidong-cbec")
    by_kind = {m.kind: m for m in weidong.milestones}
    signing = by_kind[MilestoneKind.SIGNING]
    assert signing.actual_on == dt.date(2021, 1, 1)
    assert signing.actual_precision is DatePrecision.QUARTER and signing.planned_on is None
    registration = by_kind[MilestoneKind.REGISTRATION]
    assert registration.actual_on == dt.date(2021, 4, 1) and registration.done
    funds = by_kind[MilestoneKind.FUNDS_ARRIVAL]
    assert funds.planned_on == dt.date(2021, 6, 1) and not funds.done
    assert funds.amount == 10_000_000 and funds.currency == "USD"
    for code in db.session.scalars(select(KeyProject.code)).all():
        for m in project_by_code(code).milestones:
            for day in (m.planned_on, m.actual_on):
                assert day is None or day.year == 2021, (code, m.kind)


def test_every_record_keeps_its_quote(ctx):
    """(tests/app/test_seeds.py checks each quote is verbatim in the article.)"""
    seed_load()
    for rec in read_seed("key_projects.yaml"):
        assert rec["source"], rec["code"]
        for ms in rec.get("milestones", []):
            assert ms["source"], rec["code"]
            assert "done" not in ms  # done follows from an actual date
        assert "status" not in rec
    assert all(p.source_quote for p in db.session.scalars(select(KeyProject)))
