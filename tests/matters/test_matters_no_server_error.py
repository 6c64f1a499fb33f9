"""Numbers beyond the database's integers used to reach SQL from the ledger's pages (a page
number, a key-issue filter, the update form's hidden version) and answer 500; they are now
clamped, ignored or refused with a form error, and nothing is saved."""
from __future__ import annotations

import pytest

from ..factories import csrf_from, login, matter_get

HUGE = "100000000000000000000"  # 1e20


@pytest.fixture
def staff(app, client, seeded, make_user):
    make_user("staff", unit="gov-service-centre", username="centre")
    login(client, "centre")
    return client


@pytest.mark.parametrize("query", [f"page={HUGE}", "page=1e20", f"key_issue={HUGE}",
                                   "key_issue=1e20", "key_issue=%C2%B2", f"page=-{HUGE}",
                                   f"key_issue=-{HUGE}"])
def test_the_list_takes_any_number_in_the_query_string(staff, query):
    response = staff.get(f"/matters/?{query}")
    assert response.status_code == 200, query


def test_a_page_past_the_end_is_an_empty_page(staff):
    page = staff.get(f"/matters/?page={HUGE}").get_data(as_text=True)
    assert "S03" not in page and "S03" in staff.get("/matters/").get_data(as_text=True)


def test_the_public_board_takes_any_key_issue(client, seeded):
    for raw in (HUGE, "%C2%B2", "1e20"):
        assert client.get(f"/board?key_issue={raw}").status_code == 200, raw


def _post(client, number, **data):
    page = client.get(f"/matters/{number}").get_data(as_text=True)
    return client.post(f"/matters/{number}/updates", data={"csrf_token": csrf_from(page), **data})


@pytest.mark.parametrize("version", ["3638801282824155430912", str(2**31), str(-(2**31) - 1),
                                     "abc", "1.5"])
def test_a_version_no_item_can_have_is_refused_and_the_note_kept(app, staff, version):
    before = matter_get(app, "S03")
    response = _post(staff, "S03", status="in_progress", progress="60", note="热线坐席扩至 4 个",
                     version=version)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="version-error"' in page and "热线坐席扩至 4 个" in page
    after = matter_get(app, "S03")
    assert (after.version, after.progress) == (before.version, before.progress)
