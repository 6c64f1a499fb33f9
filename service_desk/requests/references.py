"""Reference codes: made up for every new request, read back with the resident's phone."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from ..base.display import normalise_reference
from ..extensions import db
from .models import ServiceRequest

# no 0/O, 1/I/L: a reference read out over the phone is not misheard
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    while True:
        ref = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
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
