"""Checking what a resident tells us: name, a Chinese mobile number, address, group, needs."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..base.phones import normalise_mobile
from ..catalog.models import SpecialGroup

# Enough to find the door of a home visit: at least ADDRESS_MIN characters, with a house
# number (any digit) or a word that names a door, a building or a village household. A rural
# address such as 崮山镇后双岛村 has no number and is accepted by 村; 海景小区 alone is
# refused: a whole estate is not a door.
ADDRESS_MIN = 4
DOOR_WORDS = re.compile(r"[0-9号栋幢楼室户村组屯庄弄巷]|单元|胡同")


def home_address_problem(address: str | None):
    """Why ``address`` is not enough for staff to find the door, or None when it is."""
    text = unicodedata.normalize("NFKC", address or "")  # full-width ８号 counts as 8号
    compact = "".join(text.split())
    if not compact:
        return _l("Enter the address where staff should come.")
    if len(compact) < ADDRESS_MIN or not DOOR_WORDS.search(compact):
        return _l("Enter the full address so that staff can find the door: the street or "
                  "village and the house number, for example 海峰路 8 号 3 单元 201 室, or "
                  "崮山镇后双岛村.")
    return None


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
    address = " ".join((address or "").split()) or None  # one line, whatever was typed
    if address and len(address) > 200:
        errors["address"] = _l("The address is too long (200 characters at most).")
    elif address_required and (problem := home_address_problem(address)) is not None:
        errors["address"] = problem
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
