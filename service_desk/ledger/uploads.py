"""Uploaded files waiting for "Apply": kept under instance/imports/, never in the session.

The confirm form carries the stored name and the file's SHA-256; applying re-reads and
re-checks the file, so any process of the app can finish what another one started.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import time

from flask import current_app

PENDING_DIR = "imports"
MAX_AGE_SECONDS = 24 * 3600  # an upload nobody applied is swept after a day
_NAME = re.compile(r"[0-9a-f]{32}\.(?:xlsx|csv)")


def _directory() -> str:
    path = os.path.join(current_app.instance_path, PENDING_DIR)
    os.makedirs(path, exist_ok=True)
    return path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_pending(data: bytes, ext: str) -> tuple[str, str]:
    """Keep the upload for the confirm step; returns (stored name, SHA-256)."""
    _sweep()
    name = f"{secrets.token_hex(16)}.{ext}"
    with open(os.path.join(_directory(), name), "xb") as fh:
        fh.write(data)
    return name, sha256_of(data)


def load_pending(name: str, sha256: str) -> bytes | None:
    """The stored upload, or None when the name is malformed, gone, or the content differs."""
    if not _NAME.fullmatch(name or ""):
        return None
    try:
        with open(os.path.join(_directory(), name), "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    return data if secrets.compare_digest(sha256_of(data), sha256 or "") else None


def discard_pending(name: str) -> None:
    if _NAME.fullmatch(name or ""):
        try:
            os.remove(os.path.join(_directory(), name))
        except OSError:
            pass


def _sweep() -> None:
    directory = _directory()
    cutoff = time.time() - MAX_AGE_SECONDS
    for entry in os.scandir(directory):
        if _NAME.fullmatch(entry.name) and entry.stat().st_mtime < cutoff:
            try:
                os.remove(entry.path)
            except OSError:
                pass
