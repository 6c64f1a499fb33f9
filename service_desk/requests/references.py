"""Reference codes: made up for every new request, read back with the resident's phone.

A typed reference is read by ``normalise_reference`` (any spacing, dashes, case, full-width
characters). It lives in ``base.display`` so that the base look-up form and every channel can
call the same one; it is re-exported here for the request domain."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from ..base.display import normalise_reference
from ..extensions import db
from .models import ServiceRequest

# no 0/O, 1/I/L: a reference read out over the phone is not misheard
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8

__all__ = ["draw_reference", "find_booking", "new_reference", "normalise_reference", "request_id_of"]


def draw_reference() -> str:
    """A random reference, not yet checked against the stored ones: the caller inserts it
    with ON CONFLICT (reference) DO NOTHING and draws again when nothing was inserted."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def new_reference() -> str:
    while True:
        ref = draw_reference()
        if db.session.scalar(select(ServiceRequest.id).where(ServiceRequest.reference == ref)) is None:
            return ref  # the UNIQUE index is the last word if two draws ever collide


def find_booking(*, reference: str, phone: str | None) -> ServiceRequest | None:
    """A request by its reference and the resident's phone; an unknown reference and a wrong
    phone look the same to the caller: None."""
    if not phone:
        return None
    return db.session.scalar(select(ServiceRequest).where(
        ServiceRequest.reference == normalise_reference(reference),
        ServiceRequest.resident_phone == phone))


def request_id_of(reference: str | None) -> int | None:
    ref = normalise_reference(reference)
    if not ref:
        return None
    return db.session.scalar(select(ServiceRequest.id).where(ServiceRequest.reference == ref))
