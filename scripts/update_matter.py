#!/usr/bin/env python3
"""Record progress on a practical matter through the JSON API with a bearer token.

    export SERVICE_DESK_TOKEN=...        # service-desk tokens create USERNAME, or the API tokens page
    python3 scripts/update_matter.py S03 --progress 60 --status in_progress --note "完成选址"

It reads the item first, then sends the change with ``If-Match`` set to the ETag it read:
if someone changed the item in between, the server answers 412 and nothing is overwritten.
Standard library only, so it runs anywhere Python 3.9+ does.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request


def call(method: str, url: str, token: str, body: dict | None = None,
         headers: dict | None = None) -> tuple[int, dict, dict]:
    """(status, headers, JSON body) of one API call; HTTP errors are returned, not raised."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Accept": "application/json",
        **({"Content-Type": "application/json"} if data is not None else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"{}")


def update(base_url: str, token: str, number: str, *, note: str, progress: int | None = None,
           status: str | None = None, is_public: bool = False) -> tuple[int, dict]:
    """GET the item for its ETag, then PATCH with If-Match; returns (status, JSON body)."""
    url = f"{base_url.rstrip('/')}/api/v1/matters/{number}"
    code, headers, item = call("GET", url, token)
    if code != 200:
        return code, item
    change: dict = {"note": note, "is_public": is_public}
    if progress is not None:
        change["progress"] = progress
    if status is not None:
        change["status"] = status
    code, _headers, body = call("PATCH", url, token, change, {"If-Match": headers["ETag"]})
    return code, body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("number", help="the item's number, such as S03")
    parser.add_argument("--note", required=True, help="what was done (required)")
    parser.add_argument("--progress", type=int, help="0 to 100")
    parser.add_argument("--status", choices=["not_started", "in_progress", "completed"])
    parser.add_argument("--public", action="store_true", help="show the note on the public board")
    parser.add_argument("--base-url", default=os.environ.get("SERVICE_DESK_URL",
                                                             "http://127.0.0.1:5000"))
    parser.add_argument("--token", default=os.environ.get("SERVICE_DESK_TOKEN"),
                        help="the bearer token (default: $SERVICE_DESK_TOKEN)")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token or set SERVICE_DESK_TOKEN")
    code, body = update(args.base_url, args.token, args.number, note=args.note,
                        progress=args.progress, status=args.status, is_public=args.public)
    if code != 200:
        error = body.get("error", {})
        print(f"{code} {error.get('code')}: {error.get('message')} {error.get('fields') or ''}",
              file=sys.stderr)
        return 1
    print(f"{body['number']}: {body['status']} {body['progress']}% (version {body['version']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
