"""The package's import rule, read from the code with `ast` so it stays true.

Wings, from the top down: cli -> reports -> checks -> metrics -> scope -> records | disclosure
-> primitives (errors, exports, period, policy, outputs, version). A module imports only from its
own wing or a wing below it; records and disclosure stand side by side and do not import each
other; `demo` imports records and primitives only. Imports inside functions count too
(laziness is for speed, never a way around the rule), and the import graph has no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "trc_analytics"
PRIMITIVES = {"errors", "exports", "period", "policy", "outputs", "version"}
#: wing -> rank; a module may import wings of a lower rank, and its own.
RANK = {
    "primitives": 0,
    "records": 1,
    "disclosure": 1,
    "demo": 2,
    "scope": 2,
    "metrics": 3,
    "checks": 4,
    "reports": 5,
    "cli": 6,
}
#: pairs of wings of one rank that still must not meet, and exceptions to rank order.
FORBIDDEN = {
    ("records", "disclosure"),
    ("disclosure", "records"),
    ("demo", "scope"),
    ("scope", "demo"),
}


def wing(module: str) -> str:
    """The wing a dotted module name (`trc_analytics.x.y`) belongs to."""
    parts = module.split(".")
    if len(parts) == 1:
        return "root"
    head = parts[1]
    if head in PRIMITIVES:
        return "primitives"
    if head == "__main__":
        return "cli"
    return head


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import of the package in a file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from trc_analytics.x import y` may import the submodule y
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                if (PACKAGE.parent / sub.replace(".", "/")).with_suffix(".py").exists() or (
                    PACKAGE.parent / sub.replace(".", "/")
                ).is_dir():
                    found.append((node.lineno, sub))
    return [(line, m) for line, m in found if m.split(".")[0] == "trc_analytics"]


def graph() -> dict[str, list[tuple[int, str]]]:
    return {
        module_name(p): imports(p)
        for p in sorted(PACKAGE.rglob("*.py"))
        if "template" not in p.parts
    }


def allowed(src: str, dst: str) -> bool:
    a, b = wing(src), wing(dst)
    if a == "root" or b == "root":  # the package root only names its exports lazily
        return a == "root"
    if a == b:
        return True
    if (a, b) in FORBIDDEN:
        return False
    return RANK[b] < RANK[a]


def test_every_module_belongs_to_a_known_wing():
    unknown = {m for m in graph() if wing(m) not in RANK and wing(m) != "root"}
    assert not unknown, f"modules outside every wing: {sorted(unknown)}"


def test_no_import_runs_upward_or_sideways():
    bad = [
        f"{src} (line {line}) imports {dst}: {wing(src)} may not import {wing(dst)}"
        for src, found in graph().items()
        for line, dst in found
        if not allowed(src, dst)
    ]
    assert not bad, "\n".join(bad)


def test_the_import_graph_has_no_cycle():
    g = graph()
    edges = {
        src: {d for _, d in found if d in g and d != src and not src.startswith(d + ".")}
        for src, found in g.items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_the_rule_catches_an_upward_import():
    assert not allowed("trc_analytics.metrics.caseload", "trc_analytics.reports.display")
    assert not allowed("trc_analytics.records.read", "trc_analytics.disclosure.guard")
    assert not allowed("trc_analytics.demo.clients", "trc_analytics.metrics.registry")
    assert allowed("trc_analytics.checks.safety", "trc_analytics.scope")
