"""A test client for /api/v1 that validates every response against the OpenAPI document.

``ApiClient(client)`` sends like Flask's test client and checks each answer with openapi-core
(status documented, body and headers matching the schema); ``seen`` records which
operations (method, path template) were exercised, so a test can demand all of them.
"""
from __future__ import annotations

import json
from functools import lru_cache

from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse

from service_desk.api.openapi import DOCUMENT


@lru_cache(maxsize=1)
def spec() -> OpenAPI:
    return OpenAPI.from_dict(DOCUMENT)


class _SentRequest(WerkzeugOpenAPIRequest):
    """The request as sent: the app has read its body stream already, so keep the bytes."""

    def __init__(self, request, body: bytes | None) -> None:
        super().__init__(request)
        self._body = body

    @property
    def body(self) -> bytes | None:
        return self._body


def validate_response(response, *, body: bytes | None = None, check_request: bool = False) -> None:
    """Raise when ``response`` (a Flask test response) disagrees with the document."""
    request = _SentRequest(response.request, body)
    if check_request:
        spec().validate_request(request)
    spec().validate_response(request, WerkzeugOpenAPIResponse(response))


def operation_of(method: str, url_path: str) -> tuple[str, str]:
    """The documented (METHOD, /template) a concrete path belongs to."""
    path = url_path.split("?")[0].removeprefix("/api/v1")
    parts = path.strip("/").split("/")
    for template in DOCUMENT["paths"]:
        tparts = template.strip("/").split("/")
        if (len(tparts) == len(parts) and method.lower() in DOCUMENT["paths"][template]
                and all(t.startswith("{") or t == p for t, p in zip(tparts, parts))):
            return method.upper(), template
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


class ApiClient:
    def __init__(self, client, token: str | None = None) -> None:
        self.client = client
        self.token = token
        self.seen: set[tuple[str, str, int]] = set()

    def as_user(self, token: str | None) -> ApiClient:
        other = ApiClient(self.client, token)
        other.seen = self.seen
        return other

    def open(self, method: str, url: str, *, check_request: bool = False, **kwargs):
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        if "json" in kwargs:
            kwargs["data"] = json.dumps(kwargs.pop("json"))
            kwargs["content_type"] = "application/json"
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        data = kwargs.get("data")
        validate_response(response, body=data.encode() if isinstance(data, str) else data,
                          check_request=check_request)
        method_up, template = operation_of(method, url)
        self.seen.add((method_up, template, response.status_code))
        return response

    def get(self, url, **kw):
        return self.open("GET", url, **kw)

    def post(self, url, **kw):
        return self.open("POST", url, **kw)

    def patch(self, url, **kw):
        return self.open("PATCH", url, **kw)


def assert_error(response, status: int | tuple) -> dict:
    """The contract's error shape with one of the ``status`` codes; returns the error."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True))
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    return error
