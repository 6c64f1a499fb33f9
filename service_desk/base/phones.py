"""Mainland China mobile numbers: read what people type, show them masked."""
from __future__ import annotations

import phonenumbers


def normalise_mobile(raw: str | None) -> str | None:
    """A valid mainland China mobile number as 11 digits, or None."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                               phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    return str(number.national_number)


def mask_phone(phone: str | None) -> str:
    """138****1234: lists never show a resident's full number."""
    if not phone:
        return ""
    digits = phone[-11:] if len(phone) >= 11 else phone
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
