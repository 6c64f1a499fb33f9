"""The API's tests send through ``api``: Flask's test client checking every answer against
the OpenAPI document (api_helpers.ApiClient)."""
from __future__ import annotations

import pytest

from .api_helpers import ApiClient


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def admin_api(api, seeded, make_user, runner):
    """``api`` with the bearer token of an administrator (made with the CLI, as operators do)."""
    make_user("admin", username="root")
    token = runner.invoke(args=["tokens", "create", "root"]).output.strip()
    return api.as_user(token)
