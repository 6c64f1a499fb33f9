"""Every text message to a resident about a request, composed in one place and queued in the
outbox in the same transaction as the change it announces (sent once a gateway is set).

Texts are written in Chinese whatever the page's language: they go to a phone, not a page.
"""
from __future__ import annotations

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, format_datetime, gettext

from ..base.links import rating_token
from ..catalog.models import Service
from ..notifications.outbox import queue_text
from .models import ServiceRequest


def _queue(*, kind: str, request: ServiceRequest, subject: str, body: str, key: str) -> None:
    queue_text(kind=kind, phone=request.resident_phone, subject=subject, body=body,
               dedupe_key=key)


def appointment_text(request: ServiceRequest, service: Service, what: str) -> None:
    """``what``: booked, rescheduled or cancelled. One text per version of the booking."""
    with force_locale("zh_CN"):
        when = format_datetime(request.starts_at, "medium") if request.starts_at else ""
        bodies = {
            "booked": gettext("Booked: %(service)s at %(when)s. Reference %(ref)s.",
                              service=service.name, when=when, ref=request.reference),
            "rescheduled": gettext("Moved: %(service)s is now at %(when)s. Reference %(ref)s.",
                                   service=service.name, when=when, ref=request.reference),
            "cancelled": gettext("Cancelled: %(service)s, reference %(ref)s.",
                                 service=service.name, ref=request.reference),
        }
        subject = gettext("Service Desk appointment %(ref)s", ref=request.reference)
    _queue(kind=f"appointment-{what}", request=request, subject=subject, body=bodies[what],
           key=f"appointment-{what}:{request.id}:{request.version}")


def received_text(request: ServiceRequest, service: Service) -> None:
    """A reported problem was dispatched to the unit in charge."""
    with force_locale("zh_CN"):
        body = gettext("Received: your request %(ref)s (%(service)s) was sent to the unit in "
                       "charge.", ref=request.reference, service=service.name)
        subject = gettext("Service Desk request %(ref)s", ref=request.reference)
    _queue(kind="request-received", request=request, subject=subject, body=body,
           key=f"request-received:{request.id}")


def rating_url(request: ServiceRequest) -> str:
    """The public address of the rating page (好差评). PUBLIC_BASE_URL, when set, wins over the
    host of the current request, so a text never carries an internal host name; outside a
    request (the CLI) it is needed for an absolute link."""
    token = rating_token(request.reference, request.resident_phone)
    base = current_app.config.get("PUBLIC_BASE_URL")
    if has_request_context() and not base:
        return url_for("ratings.rate", token=token, _external=True)
    with current_app.test_request_context("/", base_url=base or "http://localhost"):
        return url_for("ratings.rate", token=token, _external=bool(base))


def completion_text(*, request: ServiceRequest, service: Service, reply: str | None = None) -> None:
    """The service is finished (an appointment completed, or a report resolved with the unit's
    reply): tell the resident, with the link to rate it."""
    link = rating_url(request)
    with force_locale("zh_CN"):
        if reply:
            body = gettext("Your request %(ref)s (%(service)s) has been resolved: %(reply)s "
                           "Please rate our service: %(link)s",
                           ref=request.reference, service=service.name, reply=reply, link=link)
        else:
            body = gettext("Your appointment %(ref)s (%(service)s) is completed. Please rate our "
                           "service: %(link)s", ref=request.reference, service=service.name,
                           link=link)
        subject = gettext("Service Desk request %(ref)s", ref=request.reference)
    kind = "request-resolved" if reply else "appointment-completed"
    _queue(kind=kind, request=request, subject=subject, body=body, key=f"{kind}:{request.id}")
