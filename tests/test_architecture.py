"""Imports go one way: ui → bot → {knowledge, guards}; evals → bot (and the leaves, for their own
benchmarks). knowledge/ and guards/ import nothing from bot/, ui/ or evals/; bot/ nothing from ui/ or
evals/; ui/ nothing from evals/. No import cycles between packages or between modules. Lazy
imports inside functions count: they are imports all the same."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("knowledge", "guards", "bot", "ui", "evals")
ALLOWED = {
    "knowledge": set(),
    "guards": set(),
    "bot": {"knowledge", "guards"},
    "ui": {"bot", "knowledge", "guards"},
    "evals": {"bot", "knowledge", "guards"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    mod = _module_name(path)
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import
                base = mod.split(".")[: -node.level] if path.name != "__init__.py" else mod.split(".")[: len(mod.split(".")) - node.level + 1]
                out.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                out.add(node.module)
                out.update(f"{node.module}.{a.name}" for a in node.names)
    return {i for i in out if i.split(".")[0] in PACKAGES}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imp in _imports(path):
            while imp and imp not in modules:  # `from pkg.mod import name` -> pkg.mod
                imp = imp.rpartition(".")[0]
            if imp and imp != name:
                targets.add(imp)
        graph[name] = targets
    return graph


GRAPH = _graph()


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_go_one_way(package):
    wrong = sorted(f"{m} imports {t}" for m, ts in GRAPH.items() if m.split(".")[0] == package
                   for t in ts if t.split(".")[0] not in ALLOWED[package] | {package})
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles_between_modules():
    """Module-level cycles (a package __init__ re-exporting its own submodules is not a cycle)."""
    def is_parent(a: str, b: str) -> bool:
        return b.startswith(a + ".")

    seen: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[str] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in GRAPH.get(node, ()):
            if is_parent(node, nxt) or is_parent(nxt, node):
                continue
            if seen.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for node in sorted(GRAPH):
        if node not in seen:
            visit(node)
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("package", PACKAGES)
def test_modules_stay_small(package):
    """One job per module: under ~400 lines (the widget's single-file JS is not Python)."""
    big = [f"{p.relative_to(ROOT)}: {n}" for p in (ROOT / package).rglob("*.py")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400]
    assert not big, big
