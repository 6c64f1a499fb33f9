"""The package rules of ARCHITECTURE.md, checked on the import graph (grimp, the graph
import-linter builds; imports made inside functions count as much as top-level ones).

`make test` also runs `lint-imports` with the contracts in pyproject.toml (no cycles between
packages, the layers); these tests add what a contract cannot say, and prove the checks
catch what they should.
"""
from __future__ import annotations

import ast
from pathlib import Path

import grimp
import importlinter.configuration
import pytest
from importlinter.application.app_config import settings
from importlinter.application.use_cases import SUCCESS, lint_imports

PACKAGE = Path(__file__).resolve().parents[2] / "service_desk"
importlinter.configuration.configure()  # what its command line does before reading options


def graph() -> grimp.ImportGraph:
    """A fresh graph each time: tests add imports to theirs."""
    return grimp.build_graph("service_desk", cache_dir=None)


def _module_path(module: str) -> Path:
    parts = module.split(".")[1:]
    as_package = PACKAGE.joinpath(*parts, "__init__.py")
    return as_package if as_package.exists() else PACKAGE.joinpath(*parts).with_suffix(".py")


def _registers_views(module: str) -> bool:
    """A route module: it decorates functions with its blueprint (``@bp.get``, ``@bp.route``…)."""
    tree = ast.parse(_module_path(module).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == "bp"):
                    return True
    return False


def _feature(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else ""


def route_imports_across_features(g: grimp.ImportGraph) -> list[tuple[str, str]]:
    routes = {m for m in g.modules if m.count(".") >= 2 and _registers_views(m)}
    found = []
    for route in sorted(routes):
        for importer in sorted(g.find_modules_that_directly_import(route)):
            if importer != "service_desk" and _feature(importer) != _feature(route):
                found.append((importer, route))
    return found


def test_no_feature_imports_another_features_route_modules():
    assert route_imports_across_features(graph()) == []


def test_the_route_check_catches_an_import_of_another_features_views():
    g = graph()
    g.add_import(importer="service_desk.ratings.services", imported="service_desk.booking.manage",
                 line_number=1, line_contents="from ..booking import manage")
    assert ("service_desk.ratings.services", "service_desk.booking.manage") in \
        route_imports_across_features(g)


class _FixedGraph:
    """import-linter's graph builder, handing out a graph of ours."""

    def __init__(self, graph: grimp.ImportGraph) -> None:
        self.graph = graph

    def build(self, **kwargs) -> grimp.ImportGraph:
        return self.graph


def contracts_kept(g: grimp.ImportGraph | None = None) -> bool:
    """Whether the graph (the real one, or ``g``) keeps the contracts in pyproject.toml;
    import-linter prints which one broke and how."""
    builder = settings.GRAPH_BUILDER
    if g is not None:
        settings.configure(GRAPH_BUILDER=_FixedGraph(g))
    try:
        result = lint_imports(str(PACKAGE.parent / "pyproject.toml"), cache_dir=None,
                              no_logo=True, is_debug_mode=True)
    finally:
        settings.configure(GRAPH_BUILDER=builder)
    return result == SUCCESS


def test_the_import_contracts_hold():
    """The same check as `lint-imports` in `make test`: no cycle between packages, layers."""
    assert contracts_kept()


@pytest.mark.parametrize("importer, imported", [
    ("service_desk.catalog.models", "service_desk.requests.models"),  # a cycle through a model
    ("service_desk.base.calendar", "service_desk.matters.queries"),  # base importing a feature
    ("service_desk.requests.texts", "service_desk.ratings.services"),  # the old deferred import
])
def test_the_contracts_catch_a_cycle_and_a_wrong_way_import(importer, imported):
    g = graph()
    g.add_import(importer=importer, imported=imported, line_number=1, line_contents="import x")
    assert not contracts_kept(g)
