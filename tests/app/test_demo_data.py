"""Synthetic data comes only from the generator, and is flagged as such."""
from sqlalchemy import func, select

from service_desk.extensions import db
from service_desk.matters.models import Matter, MatterUpdate
from service_desk.requests.models import ServiceRequest


def test_demo_data_is_flagged_synthetic_and_never_counted_as_the_list(ctx, runner, seeded, client):
    result = runner.invoke(args=["demo-data", "--matters", "30", "--updates-per-matter", "3",
                                 "--appointments", "12"])
    assert result.exit_code == 0, result.output
    assert "30 items, 90 updates, 12 appointments" in result.output
    synthetic = db.session.scalars(select(Matter).where(Matter.is_synthetic.is_(True))).all()
    assert len(synthetic) == 30 and all(m.number.startswith("SYN-") for m in synthetic)
    assert db.session.scalar(select(func.count(MatterUpdate.id))
                             .where(MatterUpdate.is_synthetic.is_(True))) == 90
    assert db.session.scalar(select(func.count(ServiceRequest.id))
                             .where(ServiceRequest.is_synthetic.is_(True))) == 12
    from service_desk.catalog.models import Slot

    assert db.session.scalar(select(func.sum(Slot.booked))) == 12  # counters match the rows
    assert all(r.slot_id and r.starts_at < r.created_at for r in db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.is_synthetic.is_(True))))
    more = runner.invoke(args=["demo-data", "--appointments", "50"])
    assert more.exit_code == 0, more.output
    assert db.session.scalar(select(func.sum(Slot.booked))) == 62
    client.set_cookie("lang", "en")
    home = client.get("/").get_data(as_text=True)  # real items only
    assert "0 of the list&#39;s 168 items loaded" in home or "0 of the list's 168 items loaded" in home
    assert "13 initiatives the source article reports are shown too" in home
    again = runner.invoke(args=["demo-data", "--matters", "5", "--updates-per-matter", "0"])
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count(Matter.id)).where(Matter.is_synthetic.is_(True))) == 35


def test_demo_data_needs_the_seed_first(ctx, runner):
    result = runner.invoke(args=["demo-data", "--matters", "5"])
    assert result.exit_code != 0 and "seed" in result.output


def test_demo_hours_open_bookable_services_once_and_leave_set_hours_alone(ctx, runner, seeded):
    from service_desk.catalog.models import OpeningHours, Service

    first = runner.invoke(args=["demo-hours"])
    assert first.exit_code == 0 and "appointment" in first.output and "Demo" in first.output
    count = db.session.query(OpeningHours).count()
    bookable = db.session.scalars(select(Service).where(Service.kind == "appointment")).all()
    assert count == len(bookable) * 10
    second = runner.invoke(args=["demo-hours"])
    assert "already" in second.output and db.session.query(OpeningHours).count() == count
