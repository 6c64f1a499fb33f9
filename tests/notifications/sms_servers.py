"""Local HTTP servers standing in for an SMS gateway and for Alibaba Cloud's SMS endpoint.

Each runs in a thread on 127.0.0.1 and a free port, records what it receives, checks it, and
answers from a script (a list of answers, then the default one).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    query: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


class LocalServer:
    """Answers every POST with ``answer(received) -> (status, json)``; keeps what it got."""

    def __init__(self, delay: float = 0.0):
        self.received: list[Received] = []
        self.script: list[tuple[int, dict]] = []
        self.delay = delay
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                got = Received(path=self.path, headers=dict(self.headers),
                               body=self.rfile.read(length),
                               query=dict(parse_qsl(urlsplit(self.path).query)))
                with owner.lock:
                    owner.received.append(got)
                    status, answer = owner.answer(got)
                if owner.delay:
                    time.sleep(owner.delay)
                out = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, got: Received) -> tuple[int, dict]:
        if self.script:
            return self.script.pop(0)
        return self.default(got)

    def default(self, got: Received) -> tuple[int, dict]:
        return 200, {}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Gateway(LocalServer):
    """The generic gateway: checks X-Signature against the shared secret."""

    def __init__(self, secret: str, delay: float = 0.0):
        self.secret = secret.encode()
        super().__init__(delay=delay)
        self.url = f"http://127.0.0.1:{self.port}/sms"

    def signed(self, got: Received) -> bool:
        expected = "sha256=" + hmac.new(self.secret, got.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(got.headers.get("X-Signature", ""), expected)

    def default(self, got: Received) -> tuple[int, dict]:
        if not self.signed(got):
            return 401, {"error": "bad signature"}
        return 200, {"id": f"gw-{len(self.received)}"}

    def accepted(self) -> list[dict]:
        """The texts this gateway accepted: signed, answered 2xx, duplicates dropped by id."""
        return list({r.json()["id"]: r.json() for r in self.received if self.signed(r)}.values())


class AliyunEndpoint(LocalServer):
    """Alibaba Cloud's dysmsapi: a SendSms call carries its parameters in the query string."""

    def default(self, got: Received) -> tuple[int, dict]:
        return 200, {"Code": "OK", "Message": "OK", "BizId": f"biz-{len(self.received)}",
                     "RequestId": "req"}
