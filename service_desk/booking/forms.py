"""Residents' booking forms: the shape of the input and the words shown for stored values.

The rules about a resident's name, mobile number and address live in
``bookings.residents.resident_check``; these forms only carry and render what was typed.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField

from ..catalog.models import Service, ServiceLocation, SpecialGroup
from ..requests.models import RequestStatus

GROUP_LABELS = {
    SpecialGroup.ELDERLY: _l("An older person"),
    SpecialGroup.DISABLED: _l("A person with a disability"),
    SpecialGroup.PREGNANT: _l("A pregnant woman or a mother with a baby"),
    SpecialGroup.ENTERPRISE: _l("An enterprise"),
    # "everyone" on a service means the public may book too; the choice says so plainly
    SpecialGroup.EVERYONE: _l("None of these: a member of the public"),
}

# one plain line per kind of place, shown under each service's name
LOCATION_LINES = {
    ServiceLocation.HOME: _l("Staff come to your home at the time you choose."),
    ServiceLocation.HALL: _l("You come to the government service hall at the time you choose."),
    ServiceLocation.PARK: _l("Staff meet you at your industrial park at the time you choose."),
    ServiceLocation.PHONE: _l("Staff call you at the time you choose."),
}
DEFAULT_LOCATION_LINE = _l("Book a time with the government service centre.")

STATUS_LABELS = {
    RequestStatus.BOOKED: _l("Booked"),
    RequestStatus.ARRIVED: _l("You have arrived"),
    RequestStatus.NO_SHOW: _l("Missed"),
    RequestStatus.COMPLETED: _l("Finished"),
    RequestStatus.CANCELLED: _l("Cancelled"),
}

DRAFT_FIELDS = ("name", "phone", "address", "group", "needs")


def group_choices(service: Service) -> list[tuple[str, str]]:
    """The groups this service names, in a fixed order, "everyone" (none of these) last;
    empty when it names none. Only a service without "everyone" refuses the others."""
    wanted = set(service.eligible_groups or [])
    return [(g.value, GROUP_LABELS[g]) for g in SpecialGroup if g.value in wanted]


def location_line(service: Service):
    return LOCATION_LINES.get(service.location, DEFAULT_LOCATION_LINE)


class DetailsForm(FlaskForm):
    """Who the booking is for. Validated by resident_check, not by WTForms validators."""

    name = StringField(_l("Name"), render_kw={"autocomplete": "name", "maxlength": "50"})
    phone = StringField(_l("Mobile number"),
                        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "tel",
                                   "maxlength": "20"})
    address = StringField(_l("Address where staff should come"),
                          # street-address is for a textarea only: one line is address-line1
                          render_kw={"autocomplete": "address-line1", "maxlength": "200"})
    group = RadioField(_l("Who is the service for?"), choices=[], validate_choice=False)
    needs = TextAreaField(_l("What help do you need? (you may leave this empty)"),
                          render_kw={"rows": "4", "maxlength": "1000"})

    def for_service(self, service: Service) -> DetailsForm:
        self.group.choices = group_choices(service)
        return self

    def draft(self) -> dict[str, str]:
        """What was typed, to carry to the next page in hidden fields."""
        return {name: (getattr(self, name).data or "") for name in DRAFT_FIELDS}
