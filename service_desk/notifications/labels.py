"""What the outbox page says about a message in words of the page's language: its kind, and
the reason a try failed (the senders store a short English reason; it is read back here).

The outbox imports no feature, so the kinds are named by the strings the features store;
tests/notifications/test_outbox_labels.py finds every kind queued in the code and checks it
has a label here.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "matter-due-soon": _l("Item due soon"),  # matters/reminders.py
    "matter-overdue": _l("Item overdue"),
    "notice-reply-due": _l("Notice reply due"),
    "notice-late": _l("Notice reply late"),
    "notice-issued": _l("Supervision notice issued"),  # supervision/services.py
    "appointment-booked": _l("Appointment booked"),  # requests/texts.py
    "appointment-rescheduled": _l("Appointment moved"),
    "appointment-cancelled": _l("Appointment cancelled"),
    "appointment-completed": _l("Appointment completed"),
    "appointment-moved-by-us": _l("Appointment moved by us"),
    "appointment-cancelled-by-us": _l("Appointment cancelled by us"),
    "appointment-reminder": _l("Appointment reminder"),  # requests/reminders.py
    "request-received": _l("Request received"),
    "request-resolved": _l("Request resolved"),
}


def kind_label(kind: str) -> str:
    """The kind in words; a kind added without a label is shown as stored."""
    return str(KIND_LABELS.get(kind, kind))


@dataclass(frozen=True)
class ShownError:
    words: str  # in the page's language
    detail: str | None  # what the server or provider said, kept for whoever fixes it


def _mail_words(exception: str) -> str | None:
    if exception == "SMTPAuthenticationError":
        return _("The mail server refused the sign-in: check the user and password in the "
                 "mail server setting.")
    if exception in ("SMTPRecipientsRefused", "SMTPSenderRefused"):
        return _("The mail server refused the address.")
    if exception.startswith("SMTP"):
        return _("The mail server refused the message.")
    if exception in ("ConnectionRefusedError", "TimeoutError", "gaierror", "OSError",
                     "ConnectionResetError", "SSLError", "socket.timeout"):
        return _("The mail server could not be reached.")
    return None


# (pattern of the stored reason, its words); the first match wins
_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"daily limit: (\d+) texts already sent to this phone today"),
     lambda m: _("Not sent: this phone has had its %(n)s texts for today (the daily limit).",
                 n=m.group(1))),
    (re.compile(r"gateway answered HTTP (\d+)"),
     lambda m: _("The text gateway refused the message (HTTP %(code)s).", code=m.group(1))),
    (re.compile(r"gateway unreachable: .*", re.DOTALL),
     lambda m: _("The text gateway could not be reached.")),
    (re.compile(r"no Alibaba Cloud template for kind '([^']*)'.*", re.DOTALL),
     lambda m: _("No Alibaba Cloud text template is set for “%(kind)s”.",
                 kind=kind_label(m.group(1)))),
    (re.compile(r"Alibaba Cloud unreachable: .*", re.DOTALL),
     lambda m: _("Alibaba Cloud SMS could not be reached.")),
    (re.compile(r"Alibaba Cloud: ([^:]+): .*", re.DOTALL),
     lambda m: _("Alibaba Cloud SMS refused the message (%(code)s).", code=m.group(1))),
]


def shown_error(stored: str | None) -> ShownError | None:
    """A stored failure reason in words, with the original kept as the detail."""
    if not stored:
        return None
    for pattern, words in _PATTERNS:
        match = pattern.fullmatch(stored.strip())
        if match:
            return ShownError(words(match), stored)
    # the mail sender stores "ExceptionName: message"
    mail = _mail_words(stored.split(":", 1)[0].strip())
    return ShownError(mail or _("Sending failed."), stored)
