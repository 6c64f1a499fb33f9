"""Residents' requests: timed appointments and problem reports dispatched to a unit."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, false, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog.models import Channel, Service, SpecialGroup
from ..db import enum_type, utcnow
from ..extensions import db
from ..units.models import Unit


class RequestStatus(enum.Enum):
    # appointments
    BOOKED = "booked"
    ARRIVED = "arrived"
    NO_SHOW = "no_show"
    # dispatched requests (the 12345 lifecycle)
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    RESOLVED = "resolved"
    CALLED_BACK = "called_back"
    # both
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class RequestType(enum.Enum):
    """What a reported request is, as the 12345 hotline sorts calls (投诉/咨询/建议/求助/表扬)."""

    COMPLAINT = "complaint"
    ENQUIRY = "enquiry"
    SUGGESTION = "suggestion"
    HELP = "help"
    PRAISE = "praise"


class Satisfaction(enum.Enum):
    """The resident's answer on the call-back, on the national five levels (好差评)."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    FAIRLY_SATISFIED = "fairly_satisfied"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"


class ServiceRequest(db.Model):
    """One booking or report. No ID-card number is ever stored."""

    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    status: Mapped[RequestStatus] = mapped_column(enum_type(RequestStatus), index=True)
    resident_name: Mapped[str] = mapped_column(String(100))
    resident_phone: Mapped[str] = mapped_column(String(20), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    special_group: Mapped[SpecialGroup | None] = mapped_column(enum_type(SpecialGroup))
    needs: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    # reports only: 投诉/咨询/建议/求助/表扬 (None for bookings and older or Open311 reports)
    request_type: Mapped[RequestType | None] = mapped_column(enum_type(RequestType))
    starts_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime | None]
    # the capacity counter this booking holds a place in (appointments only)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    due_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    resolved_at: Mapped[dt.datetime | None]
    # who finished it (completed the appointment or resolved the request): named on its rating
    served_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    reply: Mapped[str | None] = mapped_column(Text)
    # the call-back (回访) after resolution: the resident's answer and the operator's words
    callback_answer: Mapped[Satisfaction | None] = mapped_column(
        enum_type(Satisfaction, "callback_answer"))
    callback_note: Mapped[str | None] = mapped_column(Text)
    called_back_at: Mapped[dt.datetime | None]
    # Open311 GeoReport v2 (requests posted by client applications)
    lat: Mapped[float | None]
    long: Mapped[float | None]
    resident_email: Mapped[str | None] = mapped_column(String(254))
    media_url: Mapped[str | None] = mapped_column(String(500))
    attributes: Mapped[dict | None] = mapped_column(JSON)
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"))
    open311_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # the one-time token of the web confirm form: a resubmission finds this booking
    confirm_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_synthetic: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    service: Mapped[Service] = relationship(lazy="raise")
    unit: Mapped[Unit | None] = relationship(lazy="raise")


# The board's and dashboards' rating figures read finished, real requests by when they ended;
# without this partial index that is a scan of every request (226 ms at 1,000,000).
Index("ix_service_requests_finished_public",
      func.coalesce(ServiceRequest.resolved_at, ServiceRequest.updated_at),
      postgresql_where=text("is_synthetic IS false AND status IN "
                            "('completed', 'resolved', 'called_back')"),
      sqlite_where=text("is_synthetic = 0 AND status IN ('completed', 'resolved', 'called_back')"))


class RequestEvent(db.Model):
    """What happened to a request: booked, rescheduled, dispatched, accepted, returned,
    resolved, called back, a note… — append-only, shown as its history."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    status_after: Mapped[RequestStatus | None] = mapped_column(
        enum_type(RequestStatus, "event_status_after"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    note: Mapped[str | None] = mapped_column(Text)


class CallLog(db.Model):
    """One hotline call: the caller, the operator's note, and (``CallRequest``) every request
    booked or reported during it. Open while ``ended_at`` is empty: the operator's bookings
    and reports for the same caller join it; noting the call ends it."""

    __tablename__ = "call_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    caller_phone: Mapped[str] = mapped_column(String(20), index=True)
    caller_name: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text)
    # the request the call was about, typed in the note (an earlier one, say)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_requests.id", ondelete="SET NULL"))
    ended_at: Mapped[dt.datetime | None]


class CallRequest(db.Model):
    """A request booked or reported during a call."""

    __tablename__ = "call_requests"

    call_id: Mapped[int] = mapped_column(
        ForeignKey("call_logs.id", ondelete="CASCADE"), primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), primary_key=True, index=True)
    action: Mapped[str] = mapped_column(String(32))  # "booked" or "reported"
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
