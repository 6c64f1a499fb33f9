"""Who may see and change a key project (permissions.can_view_project, can_edit_project)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from service_desk.permissions import (
    Role,
    can_answer_for_unit,
    can_edit_project,
    can_set_exchange_rates,
    can_view_project,
    can_view_project_totals,
)


def user(role: Role | None, *, uid: int = 1, unit_id: int | None = None):
    if role is None:
        return SimpleNamespace(is_authenticated=False)
    return SimpleNamespace(is_authenticated=True, role=role, id=uid, unit_id=unit_id)


PROJECT = SimpleNamespace(owner_unit_id=10, leader_user_id=7,
                          team=[SimpleNamespace(unit_id=20)])


@pytest.mark.parametrize(("who", "view", "edit"), [
    (user(None), False, False),
    (user(Role.OPERATOR), False, False),
    (user(Role.ADMIN), True, True),
    (user(Role.SUPERVISOR), True, False),
    (user(Role.LEADER, uid=7), True, False),
    (user(Role.LEADER, uid=8), False, False),
    (user(Role.STAFF, unit_id=10), True, True),  # the owner unit
    (user(Role.STAFF, unit_id=20), True, True),  # a unit on the task team
    (user(Role.STAFF, unit_id=30), False, False),  # another unit
])
def test_project_access_per_role_and_project(who, view, edit):
    assert can_view_project(who, PROJECT) is view
    assert can_edit_project(who, PROJECT) is edit


def test_totals_rates_and_answers():
    assert can_view_project_totals(user(Role.LEADER)) and can_view_project_totals(
        user(Role.SUPERVISOR))
    assert not can_view_project_totals(user(Role.STAFF, unit_id=10))
    assert can_set_exchange_rates(user(Role.SUPERVISOR))
    assert not can_set_exchange_rates(user(Role.LEADER))
    assert can_answer_for_unit(user(Role.STAFF, unit_id=20), 20)
    assert not can_answer_for_unit(user(Role.STAFF, unit_id=20), 10)
    assert not can_answer_for_unit(user(Role.LEADER), 10)
