"""A serving process keeps what it built to start out of the collector's full passes
(create_app's gc.freeze: a full pass over it cost a request about 90 ms)."""
from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = ("import gc; from service_desk import create_app; "
          "before = gc.get_freeze_count(); create_app(); "
          "print(before, gc.get_freeze_count())")


def test_a_serving_app_freezes_its_start_up_heap(tmp_path):
    env = {**os.environ, "SERVICE_DESK_SECRET_KEY": "test",
           "SERVICE_DESK_DATABASE_URL": "sqlite:///" + str(tmp_path / "gc.sqlite3"),
           "SERVICE_DESK_INSTANCE_PATH": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    before, after = map(int, run.stdout.split()[-2:])
    assert before == 0 and after > 50_000

