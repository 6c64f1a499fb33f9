"""The lock file installs what pyproject.toml asks for: every direct dependency (and the dev
extra) pinned exactly, inside its range, with hashes. A dependency added to pyproject.toml
without `make lock` fails here, before a machine installs something else."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def locked() -> dict[str, tuple[str, int]]:
    """name → (version, number of hashes) for each pin of requirements.lock."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def wanted() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]]


def test_every_dependency_is_pinned_in_range_with_hashes():
    pins = locked()
    problems = []
    for req in wanted():
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name}: not in requirements.lock (run make lock)")
            continue
        version, hashes = pins[name]
        if not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} is outside {req.specifier} (run make lock)")
        if hashes == 0:
            problems.append(f"{req.name}: no hash")
    assert not problems, "\n".join(problems)


def test_every_pin_has_a_hash():
    """pip --require-hashes refuses the whole file if one pin lacks a hash."""
    pins = locked()
    assert len(pins) > 20  # the parser read the file
    assert [name for name, (_, hashes) in pins.items() if hashes == 0] == []


def test_the_makefile_installs_from_the_lock():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r $(LOCK)" in makefile
    assert "--no-deps -e ." in makefile
