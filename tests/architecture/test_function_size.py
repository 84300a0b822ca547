"""No function of the package outside `demo/` is longer than 80 lines.

A long function hides its parts; split it where a name explains the part. The demo generator
is exempt: its builders draw many columns of one table in one place, on purpose (see
docs/decisions.md, "One house").
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "trc_analytics"
LIMIT = 80


def long_functions(root: Path) -> list[str]:
    """`path:name (lines)` for every function over LIMIT lines below `root`, demo/ excluded."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "demo" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > LIMIT:
                    found.append(f"{path.relative_to(root)}:{node.name} ({lines} lines)")
    return found


def test_no_function_outside_demo_is_over_80_lines():
    assert not long_functions(PACKAGE)


def test_the_measure_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(LIMIT))
    (tmp_path / "m.py").write_text(f"def f():\n{body}\n")
    assert long_functions(tmp_path) == [f"m.py:f ({LIMIT + 1} lines)"]
