"""Reads for the rating pages and the hotline console; each is one statement."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..accounts.models import User
from ..base.display import normalise_reference
from ..catalog.models import Service
from ..extensions import db
from ..requests.models import ServiceRequest
from ..units.models import Unit
from .models import Rating, Rectification


@dataclass
class RatedItem:
    """A finished (or not yet finished) service as the rating page shows it."""

    item: ServiceRequest
    service: Service
    unit: Unit | None
    staff_name: str | None  # display name of who served; never the username
    rating: Rating | None
    rect: Rectification | None


def rated_item(reference: str) -> RatedItem | None:
    """The request with its service, unit, who served, its rating and rectification."""
    row = db.session.execute(
        select(ServiceRequest, Service, Unit, User.display_name, Rating, Rectification)
        .join(Service, Service.id == ServiceRequest.service_id)
        .outerjoin(Unit, Unit.id == ServiceRequest.unit_id)
        .outerjoin(User, User.id == ServiceRequest.served_by_id)
        .outerjoin(Rating, Rating.request_id == ServiceRequest.id)
        .outerjoin(Rectification, Rectification.rating_id == Rating.id)
        .where(ServiceRequest.reference == normalise_reference(reference))).first()
    if row is None:
        return None
    return RatedItem(*row)


def ratings_for(request_ids: list[int]) -> dict[int, Rating]:
    """The ratings of these requests, by request id (a page of the hotline console)."""
    if not request_ids:
        return {}
    return {r.request_id: r for r in db.session.scalars(
        select(Rating).where(Rating.request_id.in_(request_ids)))}
