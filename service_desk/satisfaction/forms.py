"""The dashboard's filters (period, unit, service, channel, demo data), read from the query
string.

A GET form of select lists: nothing is stored, so no WTForms/CSRF. A value that is not one
of the choices offered is not an error page: the page says what was ignored and falls back
to the default (the last 12 months, every unit, service and channel).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..catalog.models import Channel, Service
from ..ratings.stats import StatsFilter
from ..units.models import Unit

ALL_TIME = "all"
MONTHS_OFFERED = 36  # the select lists go back three years; "all time" covers older data
DEFAULT_MONTHS = 12
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def month_key(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def parse_month(raw: str | None) -> dt.date | None:
    match = _MONTH_RE.match(raw or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < dt.MINYEAR:
        return None  # 0000-01: no such month
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def months_offered(today: dt.date) -> list[dt.date]:
    """Newest first: this month and the MONTHS_OFFERED - 1 before it."""
    current = month_start(today)
    return [add_months(current, -i) for i in range(MONTHS_OFFERED)]


@dataclass
class DashboardFilters:
    first_month: dt.date | None  # None: all time
    last_month: dt.date
    unit: Unit | None = None
    service: Service | None = None
    channel: Channel | None = None
    include_demo: bool = False  # the demo appointment and load-test rows, flagged synthetic
    messages: list[str] = field(default_factory=list)  # what was ignored, in words

    @property
    def all_time(self) -> bool:
        return self.first_month is None

    def stats_filter(self) -> StatsFilter:
        return StatsFilter(first=self.first_month, last=month_end(self.last_month),
                           unit_id=self.unit.id if self.unit else None,
                           service_id=self.service.id if self.service else None,
                           channel=self.channel, include_demo=self.include_demo)

    def query_args(self) -> dict[str, str]:
        """The same filters as query-string arguments (export links, chart links)."""
        args = {"from": ALL_TIME if self.all_time else month_key(self.first_month),
                "to": month_key(self.last_month)}
        if self.unit:
            args["unit"] = self.unit.code
        if self.service:
            args["service"] = self.service.code
        if self.channel:
            args["channel"] = self.channel.value
        if self.include_demo:
            args["demo"] = "1"
        return args


def filters_from_args(args, *, today: dt.date, units: list[Unit],
                      services: list[Service]) -> DashboardFilters:
    """Read and check every filter; bad values are dropped with a message, never a 500."""
    offered = set(months_offered(today))
    current = month_start(today)
    messages: list[str] = []

    def month_arg(name: str, default: dt.date | None, *, allow_all: bool) -> dt.date | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return default
        if allow_all and raw == ALL_TIME:
            return None
        month = parse_month(raw)
        if month is None or month not in offered:
            messages.append(_("“%(value)s” is not one of the months offered (the last %(n)d "
                              "months, as YYYY-MM); the default is used instead.",
                              value=raw[:20], n=MONTHS_OFFERED))
            return default
        return month

    first = month_arg("from", add_months(current, 1 - DEFAULT_MONTHS), allow_all=True)
    last = month_arg("to", current, allow_all=False)
    if first is not None and first > last:
        messages.append(_("The first month was after the last one; the two were swapped."))
        first, last = last, first

    unit = service = channel = None
    raw_unit = (args.get("unit") or "").strip()
    if raw_unit:
        unit = next((u for u in units if u.code == raw_unit), None)
        if unit is None:
            messages.append(_("There is no unit “%(value)s”; every unit is shown.",
                              value=raw_unit[:64]))
    raw_service = (args.get("service") or "").strip()
    if raw_service:
        service = next((s for s in services if s.code == raw_service), None)
        if service is None:
            messages.append(_("There is no service “%(value)s”; every service is shown.",
                              value=raw_service[:64]))
    raw_channel = (args.get("channel") or "").strip()
    if raw_channel:
        channel = next((c for c in Channel if c.value == raw_channel), None)
        if channel is None:
            messages.append(_("There is no channel “%(value)s”; every channel is shown.",
                              value=raw_channel[:32]))
    return DashboardFilters(first_month=first, last_month=last, unit=unit, service=service,
                            channel=channel, include_demo=args.get("demo") == "1",
                            messages=messages)
