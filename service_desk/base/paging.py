"""Offset paging: one count and one page of rows, the same for every list."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from ..extensions import db


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


MAX_PAGE = 10**6  # far past any list's last page; the offset stays a small number for SQL


def page_arg(name: str = "page") -> int:
    """The page asked for in the query string; anything unreadable or below 1 is page 1, and a
    page past MAX_PAGE is MAX_PAGE (an empty page, never an offset beyond the database's
    integers)."""
    return min(MAX_PAGE, max(1, request.args.get(name, 1, type=int) or 1))


def paginate(stmt: Select, *, page: int, per_page: int, count: Select | None = None,
             rows: bool = False, unique: bool = False,
             wrap: Callable[[Any], Any] | None = None) -> Page:
    """Two statements: the total (``count``, or a count of ``stmt``), then the page's rows.

    ``rows`` keeps whole result rows (for selects of several columns); otherwise scalars.
    ``wrap`` turns each row into what the page shows."""
    page = min(MAX_PAGE, max(1, page))
    if count is None:
        count = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = db.session.scalar(count) or 0
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(limited) if rows else db.session.scalars(limited)
    if unique:
        result = result.unique()
    items = list(result)
    if wrap is not None:
        items = [wrap(item) for item in items]
    return Page(items=items, total=total, page=page, per_page=per_page)
