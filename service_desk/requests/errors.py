"""The domain errors of residents' requests. Every channel turns them into its own answer:
a form error, a 409/422 JSON error, an Open311 error, a CLI message."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class RequestError(ValueError):
    """A refused change, with a message for the person who asked and the field it is about
    (None when it is about the request as a whole, e.g. its state)."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotChangeable(RequestError):
    """The request is no longer in a state that allows this change."""


class SlotTaken(RequestError):
    """The slot filled up first; ``alternatives`` are the next free times."""

    def __init__(self, alternatives: list) -> None:
        super().__init__(_l("Sorry, that time was just taken. Please choose another time."),
                         "start")
        self.alternatives = alternatives


class StaleRequest(RequestError):
    """Someone else changed the request after this form was opened: nothing was saved."""

    def __init__(self, message=None) -> None:
        super().__init__(message or _l("This request was changed meanwhile by someone else. "
                                       "Its current state is shown below; check it and try "
                                       "again."))


class DuplicateBooking(RequestError):
    """The mobile number already holds as many active bookings of this service on that day
    as the service allows; ``existing`` is the first of them. The message names no
    reference: with the phone it is all it takes to cancel the booking, and a public channel
    must not hand it to whoever knows the phone (the hotline's operator reads it out)."""

    def __init__(self, existing) -> None:
        super().__init__(_l("This mobile number already has a booking for this service on that "
                            "day. To change its time, open “My booking” with the reference in "
                            "the text we sent, instead of booking again."))
        self.existing = existing
        self.reference = existing.reference
