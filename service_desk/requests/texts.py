"""Every text message to a resident about a request, composed in one place and queued in the
outbox in the same transaction as the change it announces (sent once a gateway is set).

Texts are written in Chinese whatever the page's language: they go to a phone, not a page.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, format_datetime, get_locale, get_timezone, gettext
from sqlalchemy import Table, select

from ..base.links import rating_token
from ..catalog.models import Service, ServiceLocation
from ..extensions import db
from ..notifications.models import Notification
from ..notifications.outbox import SMS_PREFIX, Draft, queue_text, text_row
from .models import ServiceRequest


def _when(request: ServiceRequest) -> str:
    """The request's time as the texts say it (call it under force_locale("zh_CN"))."""
    if not request.starts_at:
        return ""
    return _formatted(request.starts_at, str(get_locale()), str(get_timezone()))


@lru_cache(maxsize=2048)
def _formatted(when: dt.datetime, locale: str, zone: str) -> str:
    # one Babel formatting per time, locale and zone: the bookings of a popular time share it,
    # and it was a twentieth of a booking's CPU (issue 13). ``locale`` is forced (a no-op
    # when in force already), so a caller outside force_locale gets it too
    with force_locale(locale):
        return format_datetime(when, "medium")


def _params(request: ServiceRequest, service: Service, *, when: str | None = None,
            **more: str) -> dict[str, str]:
    """The variables a provider's approved template gets (Alibaba Cloud's TemplateParam):
    the same few names for every kind, so one set of templates fits. ``when``: the time
    already formatted by the caller."""
    if when is None:
        with force_locale("zh_CN"):
            when = _when(request)
    return {"ref": request.reference, "service": service.name, "time": when, **more}


def _queue(*, kind: str, request: ServiceRequest, subject: str, body: str, key: str,
           service: Service, urgent: bool = False, when: str | None = None,
           row: bool = False, **more: str):
    """``urgent``: it confirms what the resident has just done, so it may go out at once even
    in the quiet hours; everything else waits for the morning there. ``row``: return the
    outbox row as (table, values) instead of queueing it (text_row)."""
    text = {"kind": kind, "phone": request.resident_phone, "subject": subject, "body": body,
            "dedupe_key": key, "urgent": urgent,
            "params": _params(request, service, when=when, **more)}
    if row:
        return text_row(**text)
    queue_text(**text)
    return None


@lru_cache(maxsize=1)
def _appointment_templates() -> dict[str, str]:
    """The appointment texts' Chinese templates, translated once per process: a forced
    locale and two translations were a fortieth of a booking's CPU (issue 13). gettext
    without variables gives the template itself; the package's catalogues are the same for
    every app."""
    with force_locale("zh_CN"):
        return {
            "booked": gettext("Booked: %(service)s at %(when)s. Reference %(ref)s."),
            "rescheduled": gettext("Moved: %(service)s is now at %(when)s. Reference %(ref)s."),
            "cancelled": gettext("Cancelled: %(service)s, reference %(ref)s."),
            "subject": gettext("Service Desk appointment %(ref)s"),
        }


def _appointment_text(request: ServiceRequest, service: Service, what: str, *, urgent: bool,
                      row: bool):
    templates = _appointment_templates()
    if what not in templates or what == "subject":
        raise KeyError(what)
    when = _formatted(request.starts_at, "zh_CN", str(get_timezone())) if request.starts_at else ""
    body = templates[what] % {"service": service.name, "when": when, "ref": request.reference}
    subject = templates["subject"] % {"ref": request.reference}
    return _queue(kind=f"appointment-{what}", request=request, subject=subject, body=body,
                  key=f"appointment-{what}:{request.id}:{request.version}", service=service,
                  urgent=urgent, when=when, row=row)


def appointment_text(request: ServiceRequest, service: Service, what: str, *,
                     urgent: bool = False) -> None:
    """``what``: booked, rescheduled or cancelled. One text per version of the booking.
    ``urgent`` when the resident (or the operator on the phone with them) just did it."""
    _appointment_text(request, service, what, urgent=urgent, row=False)


def appointment_text_row(request: ServiceRequest, service: Service, what: str, *,
                         urgent: bool = False) -> tuple[Table, dict]:
    """``appointment_text``'s outbox row as (table, values), for a caller that inserts it
    with Core (the booking, issue 13)."""
    return _appointment_text(request, service, what, urgent=urgent, row=True)


def received_text(request: ServiceRequest, service: Service) -> None:
    """A reported problem was dispatched to the unit in charge."""
    with force_locale("zh_CN"):
        body = gettext("Received: your request %(ref)s (%(service)s) was sent to the unit in "
                       "charge.", ref=request.reference, service=service.name)
        subject = gettext("Service Desk request %(ref)s", ref=request.reference)
    # the resident (or the operator on the phone with them) has just reported it
    _queue(kind="request-received", request=request, subject=subject, body=body,
           key=f"request-received:{request.id}", service=service, urgent=True)


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
    _queue(kind=kind, request=request, subject=subject, body=body, key=f"{kind}:{request.id}",
           service=service, link=link)


def _hotline() -> str | None:
    """The convenience hotline's number (setting HOTLINE_NUMBER), for the texts that ask the
    resident to call; None while unset, and then the text names no number."""
    return (current_app.config.get("HOTLINE_NUMBER") or "").strip() or None


def _withdraw(key: str) -> None:
    """Drop a text queued earlier in this same transaction, which a fuller one replaces (the
    booking rules queue the plain "moved"/"cancelled" text; the reason belongs in it)."""
    row = db.session.scalar(select(Notification).where(Notification.dedupe_key == key))
    if row is not None:
        db.session.delete(row)


def moved_with_reason_text(request: ServiceRequest, service: Service, *, old: dt.datetime,
                           reason: str) -> None:
    """We moved the booking (a closure, or staff who cannot come): old and new time and why.
    It replaces the plain "moved" text of the same change."""
    _withdraw(f"appointment-rescheduled:{request.id}:{request.version}")
    with force_locale("zh_CN"):
        moved = {"service": service.name, "ref": request.reference, "reason": reason,
                 "old": format_datetime(old, "medium"),
                 "new": format_datetime(request.starts_at, "medium")}
        if hotline := _hotline():
            body = gettext("Moved by us: %(service)s, reference %(ref)s, from %(old)s to %(new)s. "
                           "Reason: %(reason)s. To change or cancel it, use My booking or call "
                           "%(hotline)s.", hotline=hotline, **moved)
        else:
            body = gettext("Moved by us: %(service)s, reference %(ref)s, from %(old)s to %(new)s. "
                           "Reason: %(reason)s. To change or cancel it, use My booking or call us.",
                           **moved)
        subject = gettext("Service Desk appointment %(ref)s", ref=request.reference)
    _queue(kind="appointment-moved-by-us", request=request, subject=subject, body=body,
           key=f"appointment-moved-by-us:{request.id}:{request.version}", service=service)


def cancelled_with_reason_text(request: ServiceRequest, service: Service, *, reason: str) -> None:
    """We cancelled the booking (its day was closed and no time was free): the reason too.
    It replaces the plain "cancelled" text of the same change."""
    _withdraw(f"appointment-cancelled:{request.id}:{request.version}")
    with force_locale("zh_CN"):
        when = format_datetime(request.starts_at, "medium") if request.starts_at else ""
        cancelled = {"service": service.name, "when": when, "ref": request.reference,
                     "reason": reason}
        if hotline := _hotline():
            body = gettext("Cancelled by us: %(service)s at %(when)s, reference %(ref)s. Reason: "
                           "%(reason)s. We are sorry; please book another time or call "
                           "%(hotline)s.", hotline=hotline, **cancelled)
        else:
            body = gettext("Cancelled by us: %(service)s at %(when)s, reference %(ref)s. Reason: "
                           "%(reason)s. We are sorry; please book another time.", **cancelled)
        subject = gettext("Service Desk appointment %(ref)s", ref=request.reference)
    _queue(kind="appointment-cancelled-by-us", request=request, subject=subject, body=body,
           key=f"appointment-cancelled-by-us:{request.id}:{request.version}", service=service)


def _my_booking_url() -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if has_request_context() and not base:
        return url_for("booking.lookup", _external=True)
    with current_app.test_request_context("/", base_url=base or "http://localhost"):
        return url_for("booking.lookup", _external=bool(base))


def reminder_draft(request: ServiceRequest, service: Service) -> Draft:
    """The reminder before an appointment: time, place and how to change it. One per booking
    and time (a booking moved later gets one for its new time)."""
    link = _my_booking_url()
    with force_locale("zh_CN"):
        if service.location is ServiceLocation.HOME:
            place = gettext("at your address: %(address)s", address=request.address or "")
        elif service.location is ServiceLocation.PHONE:
            place = gettext("by phone: we will call you")
        else:
            # the hall's address is a setting; without it the text still says where
            place = current_app.config.get("HALL_ADDRESS") or gettext("the government service hall")
        body = gettext("Reminder: %(service)s at %(when)s, %(place)s. Reference %(ref)s. To "
                       "change or cancel it: %(link)s",
                       service=service.name, when=format_datetime(request.starts_at, "medium"),
                       place=place, ref=request.reference, link=link)
        subject = gettext("Service Desk appointment %(ref)s", ref=request.reference)
    return Draft(kind="appointment-reminder", recipient=f"{SMS_PREFIX}{request.resident_phone}",
                 subject=subject, body=body,
                 dedupe_key=f"appointment-reminder:{request.id}:{request.starts_at.isoformat()}",
                 params=_params(request, service, link=link))
