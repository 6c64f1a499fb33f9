"""The API's tests send through ``api``: Flask's test client checking every answer against
the OpenAPI document (api_helpers.ApiClient)."""
from __future__ import annotations

import pytest

from .api_helpers import ApiClient


@pytest.fixture
def api(client):
    return ApiClient(client)
