"""Checking what a resident tells us: name, a Chinese mobile number, address, group, needs."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..base.phones import normalise_mobile
from ..catalog.models import SpecialGroup


class ResidentError(ValueError):
    def __init__(self, errors: dict[str, object]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Resident:
    name: str
    phone: str  # 11 digits, no country code
    address: str | None = None
    group: SpecialGroup | None = None
    needs: str | None = None


def resident_check(*, name: str | None, phone: str | None, address: str | None = None,
                   group: str | None = None, needs: str | None = None,
                   address_required: bool = False) -> Resident:
    errors: dict[str, object] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _l("Enter your name.")
    elif len(name) > 50:
        errors["name"] = _l("The name is too long (50 characters at most).")
    mobile = normalise_mobile(phone)
    if mobile is None:
        errors["phone"] = _l("Enter a mainland China mobile number of 11 digits, such as 13812345678.")
    address = (address or "").strip() or None
    if address_required and not address:
        errors["address"] = _l("Enter the address where staff should come.")
    elif address and len(address) > 200:
        errors["address"] = _l("The address is too long (200 characters at most).")
    parsed_group = None
    if group:
        try:
            parsed_group = SpecialGroup(group)
        except ValueError:
            errors["group"] = _l("Choose one of the groups listed.")
    needs = (needs or "").strip() or None
    if needs and len(needs) > 1000:
        errors["needs"] = _l("Please describe your needs in 1000 characters or fewer.")
    if errors:
        raise ResidentError(errors)
    return Resident(name=name, phone=mobile, address=address, group=parsed_group, needs=needs)
