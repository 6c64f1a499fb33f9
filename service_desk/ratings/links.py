"""The completion text: "your service is done, rate it here" with a signed link."""
from __future__ import annotations

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, gettext

from ..bookings.models import ServiceRequest
from ..catalog.models import Service
from ..extensions import db
from ..notifications.models import Notification
from .tokens import rating_token


def rating_url(request: ServiceRequest) -> str:
    """The public address of the rating page. PUBLIC_BASE_URL, when set, wins over the host
    of the current request, so a text never carries an internal host name; outside a request
    (the CLI) it is needed for an absolute link."""
    token = rating_token(request.reference, request.resident_phone)
    base = current_app.config.get("PUBLIC_BASE_URL")
    if has_request_context() and not base:
        return url_for("ratings.rate", token=token, _external=True)
    with current_app.test_request_context("/", base_url=base or "http://localhost"):
        return url_for("ratings.rate", token=token, _external=bool(base))


def completion_text(*, request: ServiceRequest, service: Service, reply: str | None = None) -> None:
    """Queue the text that tells the resident the service is finished and asks for a rating."""
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
    db.session.add(Notification(
        kind=kind, recipient=f"sms:{request.resident_phone}", subject=subject,
        body=body, dedupe_key=f"{kind}:{request.id}"))
