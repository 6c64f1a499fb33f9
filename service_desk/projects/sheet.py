"""The bureau's spreadsheet of key projects (重点项目台账): its columns, and each cell both ways.

The headers and words are the file format the bureau uses, so they are fixed Chinese text,
not interface strings: a file exported in the English interface imports the same. One row per
project; one pair of columns (planned, actual) per kind of milestone, each date written at its
precision: a date cell for a day, "2021年6月" for a month, "2021年一季度" for a quarter. A
project holding several milestones of one kind shows (and the import changes) the first.
Money is in 万 (ten thousands) of the currency beside it, as the bureau reports it.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from flask_babel import gettext as _

from .models import (
    CATEGORIES,
    ORIGINS,
    DatePrecision,
    KeyProject,
    MilestoneKind,
    ProjectMilestone,
    ProjectStage,
    RecordKind,
)

SHEET_TITLE = "重点项目台账"
TEN_THOUSAND = Decimal(10_000)
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999999.99")  # Numeric(18, 2)


class Column(NamedTuple):
    key: str  # field name in the parsed row dicts
    header: str  # the Chinese header in the file
    width: int  # column width in the exported sheet (characters)


MILESTONE_WORDS: dict[MilestoneKind, str] = {
    MilestoneKind.SIGNING: "签约",
    MilestoneKind.REGISTRATION: "注册",
    MilestoneKind.FUNDS_ARRIVAL: "资金到账",
    MilestoneKind.LAND_SUPPLY: "供地",
    MilestoneKind.CONSTRUCTION_START: "开工",
    MilestoneKind.COMPLETION: "竣工",
    MilestoneKind.OPENING: "开业",
}


def planned_key(kind: MilestoneKind) -> str:
    return f"{kind.value}_planned"


def actual_key(kind: MilestoneKind) -> str:
    return f"{kind.value}_actual"


def _milestone_columns() -> list[Column]:
    columns = []
    for kind, word in MILESTONE_WORDS.items():
        columns += [Column(planned_key(kind), f"{word}（计划）", 14),
                    Column(actual_key(kind), f"{word}（实际）", 14)]
        if kind is MilestoneKind.FUNDS_ARRIVAL:
            columns += [Column("funds_amount", "到账金额（万）", 12),
                        Column("funds_currency", "到账币种", 8)]
    return columns


COLUMNS: tuple[Column, ...] = (
    Column("code", "项目编号", 26),
    Column("name", "项目名称", 44),
    Column("record_kind", "类型", 6),
    Column("investor", "投资方", 24),
    Column("origin", "内外资", 8),
    Column("category", "产业类别", 12),
    Column("total_investment", "总投资（万）", 14),
    Column("currency", "币种", 8),
    Column("approximate", "约数", 6),
    Column("unit", "责任单位", 20),
    Column("leader", "包保区领导", 14),
    Column("team", "工作专班", 44),
    Column("stage", "当前阶段", 10),
    *_milestone_columns(),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
HEADER_OF: dict[str, str] = {c.key: c.header for c in COLUMNS}
KEY_OF: dict[str, str] = {c.header: c.key for c in COLUMNS}
REQUIRED_KEYS = ("code", "name")
MAX_LENGTH = {"code": 64, "name": 200, "investor": 200, "leader": 100}

KIND_WORDS = {RecordKind.PROJECT: "项目", RecordKind.ENTERPRISE: "企业"}
ORIGIN_WORDS = dict(zip(ORIGINS, ("内资", "外资"), strict=True))
CATEGORY_WORDS = dict(zip(CATEGORIES, ("制造业", "跨境电商", "现代服务业"), strict=True))
STAGE_WORDS = {
    ProjectStage.ATTRACTION: "招商引资",
    ProjectStage.APPRAISAL: "项目论证",
    ProjectStage.DUE_DILIGENCE: "尽职调查",
    ProjectStage.APPROVAL: "审批",
    ProjectStage.LAND_SUPPLY: "供地",
    ProjectStage.CONSTRUCTION: "建设",
    ProjectStage.OPENED: "投产/开业",
}
CURRENCY_WORDS = {"CNY": "人民币", "USD": "美元", "HKD": "港元", "EUR": "欧元", "JPY": "日元",
                  "KRW": "韩元", "GBP": "英镑"}
YES, NO = "是", "否"
QUARTER_WORDS = "一二三四"
TEAM_SEPARATOR = "；"
_TEAM_SPLIT = re.compile(r"[；;\n]+")
# 单位 / 单位：姓名 / 单位：姓名（职责）
_MEMBER = re.compile(r"(?P<unit>[^：:（(]+?)\s*(?:[：:]\s*(?P<name>[^（(]*?)\s*)?"
                     r"(?:[（(](?P<duty>[^）)]*)[）)])?")


class Bad(ValueError):
    """A cell's value is refused; the message says why."""


def _words(table: dict, extra: dict | None = None) -> dict[str, Any]:
    """Word → value, accepting the stored value itself (any case) too."""
    out: dict[str, Any] = {}
    for value, word in table.items():
        out[word] = value
        out[getattr(value, "value", value).lower()] = value
    out.update(extra or {})
    return out


_KIND_BY_WORD = _words(KIND_WORDS)
_ORIGIN_BY_WORD = _words(ORIGIN_WORDS, {"外商投资": "foreign", "内资项目": "domestic"})
_CATEGORY_BY_WORD = _words(CATEGORY_WORDS, {"现代服务": "modern_services",
                                            "跨境电子商务": "cross_border_ecommerce"})
_STAGE_BY_WORD = _words(STAGE_WORDS, {"投产": ProjectStage.OPENED, "开业": ProjectStage.OPENED,
                                      "投产开业": ProjectStage.OPENED})
_CURRENCY_BY_WORD = _words({c: w for c, w in CURRENCY_WORDS.items()},
                           {"元": "CNY", "rmb": "CNY", "美金": "USD", "港币": "HKD"})


# ---- writing ---------------------------------------------------------------------------------

def date_text(day: dt.date | None, precision: DatePrecision | None) -> dt.date | str | None:
    """A date as the sheet shows it: a date for a day, words for a month or a quarter."""
    if day is None:
        return None
    if precision is DatePrecision.MONTH:
        return f"{day.year}年{day.month}月"
    if precision is DatePrecision.QUARTER:
        return f"{day.year}年{QUARTER_WORDS[(day.month - 1) // 3]}季度"
    return day


def wan(amount: Decimal | None) -> Decimal | None:
    """A stored amount (whole currency units) in 万, without trailing zeros."""
    if amount is None:
        return None
    value = (amount / TEN_THOUSAND).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def currency_word(code: str | None) -> str | None:
    return CURRENCY_WORDS.get(code, code) if code else None


def team_text(project: KeyProject) -> str | None:
    parts = []
    for member in project.team:
        text = member.unit.name
        if member.name:
            text += f"：{member.name}"
        if member.duty:
            text += f"（{member.duty}）"
        parts.append(text)
    return TEAM_SEPARATOR.join(parts) or None


def first_milestones(project: KeyProject) -> dict[MilestoneKind, ProjectMilestone]:
    """The milestone the sheet shows for each kind: the first planned (then the first made)."""
    out: dict[MilestoneKind, ProjectMilestone] = {}
    ordered = sorted(project.milestones, key=lambda m: (
        m.planned_on or m.actual_on or dt.date.max, m.id or 0))
    for milestone in ordered:
        out.setdefault(milestone.kind, milestone)
    return out


def row_values(project: KeyProject) -> list[Any]:
    """One project as a row of the sheet, in COLUMNS order (needs owner_unit, team with units,
    milestones loaded)."""
    values: dict[str, Any] = {
        "code": project.code, "name": project.name,
        "record_kind": KIND_WORDS[project.record_kind], "investor": project.investor,
        "origin": ORIGIN_WORDS.get(project.origin or "", project.origin),
        "category": CATEGORY_WORDS.get(project.category or "", project.category),
        "total_investment": wan(project.total_investment),
        "currency": currency_word(project.total_investment_currency),
        "approximate": YES if project.investment_approximate else NO,
        "unit": project.owner_unit.name if project.owner_unit else None,
        "leader": project.leader, "team": team_text(project),
        "stage": STAGE_WORDS[project.stage] if project.stage else None,
    }
    for kind, milestone in first_milestones(project).items():
        values[planned_key(kind)] = date_text(milestone.planned_on, milestone.precision)
        values[actual_key(kind)] = date_text(milestone.actual_on, milestone.actual_precision)
        if kind is MilestoneKind.FUNDS_ARRIVAL:
            values["funds_amount"] = wan(milestone.amount)
            values["funds_currency"] = currency_word(milestone.currency)
    return [values.get(column.key) for column in COLUMNS]


# ---- reading ---------------------------------------------------------------------------------

def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_DAY = (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?"),
        re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"))
_MONTH = (re.compile(r"(\d{4})[-/.](\d{1,2})"), re.compile(r"(\d{4})年(\d{1,2})月(?:份)?"))
_QUARTER = (re.compile(r"(\d{4})[-\s]?[Qq]([1-4])"),
            re.compile(r"(\d{4})年(?:第)?([1-4一二三四])(?:季度|季)"))


def parse_date(value: Any) -> tuple[dt.date, DatePrecision] | None:
    """A cell as (first day of the period, precision); None when empty; Bad otherwise."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise Bad(_("“%(value)s” is not a date.", value=text_of(value)))
        return value.date(), DatePrecision.DAY
    if isinstance(value, dt.date):
        return value, DatePrecision.DAY
    text = text_of(value).replace(" ", "")
    if not text:
        return None
    try:
        for pattern in _DAY:
            if match := pattern.fullmatch(text):
                return dt.date(*(int(g) for g in match.groups())), DatePrecision.DAY
        for pattern in _MONTH:
            if match := pattern.fullmatch(text):
                return dt.date(int(match[1]), int(match[2]), 1), DatePrecision.MONTH
        for pattern in _QUARTER:
            if match := pattern.fullmatch(text):
                quarter = match[2]
                number = QUARTER_WORDS.index(quarter) + 1 if quarter in QUARTER_WORDS else int(
                    quarter)
                return dt.date(int(match[1]), 3 * number - 2, 1), DatePrecision.QUARTER
    except ValueError:
        pass
    raise Bad(_("“%(value)s” is not a date. Write a day (2021-06-30 or a date cell), a month "
                "(2021年6月) or a quarter (2021年一季度).", value=text))


def parse_wan(value: Any) -> Decimal | None:
    """An amount in 万 → whole currency units, to the cent."""
    if isinstance(value, bool):
        raise Bad(_("“%(value)s” is not an amount.", value=text_of(value)))
    text = text_of(value).replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        # repr of a float is the shortest text that reads back the same: no binary noise
        amount = (Decimal(repr(value) if isinstance(value, float) else text)
                  * TEN_THOUSAND).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise Bad(_("“%(value)s” is not an amount: write a number of 万 (ten thousands), "
                    "such as 5000 or 3.6.", value=text)) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise Bad(_("“%(value)s” is not an amount: write a number of 万 (ten thousands), "
                    "such as 5000 or 3.6.", value=text))
    return amount


def _word(value: Any, table: dict[str, Any], message: str) -> Any:
    text = text_of(value)
    if not text:
        return None
    found = table.get(text, table.get(text.lower()))
    if found is None:
        raise Bad(message % {"value": text})
    return found


def parse_kind(value: Any) -> RecordKind | None:
    return _word(value, _KIND_BY_WORD, _("Unknown type “%(value)s”: write 项目 or 企业."))


def parse_origin(value: Any) -> str | None:
    return _word(value, _ORIGIN_BY_WORD, _("Unknown origin “%(value)s”: write 内资 or 外资."))


def parse_category(value: Any) -> str | None:
    return _word(value, _CATEGORY_BY_WORD,
                 _("Unknown category “%(value)s”: write 制造业, 跨境电商 or 现代服务业."))


def parse_stage(value: Any) -> ProjectStage | None:
    return _word(value, _STAGE_BY_WORD, _(
        "Unknown stage “%(value)s”: write one of 招商引资, 项目论证, 尽职调查, 审批, 供地, 建设, "
        "投产/开业."))


def parse_currency(value: Any) -> str | None:
    text = text_of(value)
    if re.fullmatch(r"[A-Za-z]{3}", text):
        return text.upper()
    return _word(value, _CURRENCY_BY_WORD, _(
        "Unknown currency “%(value)s”: write 人民币, 美元 or a three-letter code such as USD."))


def parse_yes_no(value: Any) -> bool | None:
    text = text_of(value)
    if not text:
        return None
    if text in (YES, "Y", "y", "yes", "true", "1", "近", "约"):
        return True
    if text in (NO, "N", "n", "no", "false", "0"):
        return False
    raise Bad(_("Write 是 or 否, not “%(value)s”.", value=text))


def parse_team(value: Any) -> list[tuple[str, str | None, str | None]] | None:
    """(unit name or code, person, duty) for each member; None when the cell is empty."""
    text = text_of(value)
    if not text:
        return None
    members = []
    for part in _TEAM_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        match = _MEMBER.fullmatch(part)
        if match is None:
            raise Bad(_("Cannot read the team member “%(value)s”: write 单位：姓名（职责）, "
                        "members separated by ；.", value=part))
        name, duty = (match["name"] or "").strip(), (match["duty"] or "").strip()
        if len(name) > 100:
            raise Bad(_("Too long: at most %(n)d characters.", n=100))
        members.append((match["unit"].strip(), name or None, duty or None))
    return members
