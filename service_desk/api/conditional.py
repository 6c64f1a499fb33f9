"""Optimistic concurrency for staff writes: ETag on reads, If-Match (or a body ``version``).

A resource's ETag is its version number, quoted (``"7"``): strong, so it can be sent back in
If-Match. A write says which version it was based on, by either of:

- ``If-Match: "7"`` — when the item is no longer at version 7: 412 ``precondition_failed``;
- ``{"version": 7}`` in the body — when stale: 409 ``conflict`` (kept from before ETags).

Both answers carry ``current``: the item as it is now. With neither: 428
``precondition_required`` — a write is never applied blindly. ``If-Match: *`` is refused
the same way, since it says nothing about what the client read.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Response, request

from .body import ApiProblem


def etag_of(version: int) -> str:
    return f'"{version}"'


def with_etag(response: Response, version: int) -> Response:
    response.headers["ETag"] = etag_of(version)
    return response


def expected_version(*, current_version: int, body_version: int | None,
                     current: Callable[[], dict]) -> tuple[int, bool]:
    """The version the client based its change on, and whether it came from If-Match.

    Raises 428 when the client gave neither, 412 when If-Match does not name the current
    version. A stale body ``version`` is left to the service, which raises its own error.
    """
    if "If-Match" in request.headers:
        tags = request.if_match
        if tags.star_tag:
            raise ApiProblem(428, "precondition_required",
                             'If-Match must carry the ETag you read, such as "3", not *',
                             {"If-Match": "the ETag of the item you read"})
        if not tags.contains(str(current_version)):
            raise stale(current(), current_version, by_header=True)
        return current_version, True
    if body_version is None:
        raise ApiProblem(428, "precondition_required",
                         "say which version you changed: send If-Match with the ETag you read, "
                         "or version in the body",
                         {"version": "the version you last read (or an If-Match header)"})
    return body_version, False


def stale(current: dict, current_version: int, *, by_header: bool) -> ApiProblem:
    """412 for a failed If-Match, 409 for a stale body version; both with the item now."""
    if by_header:
        return ApiProblem(412, "precondition_failed",
                          "the item changed since you read it: If-Match does not match",
                          extra={"current": current}, headers={"ETag": etag_of(current_version)})
    return ApiProblem(409, "conflict", "the item changed since you read it",
                      extra={"current": current}, headers={"ETag": etag_of(current_version)})
