"""Only `scope.Scope` filters sessions by the period, read from the code with `ast`.

A period filter on sessions is a comparison, an `is_between` or an `in_period(...)` on the
`held_on` column whose bound is the period (`.start`, `.end`, `.as_of`, `.period`, or
`in_period` itself). Outside `trc_analytics/scope.py` none may exist: code asks the scope for
`held_in_period()`, `held_to_end()`, `held_before_period()` or `within_period(...)`. Community
service also has a `held_on` column; a filter on that table is not about sessions. No class
outside scope.py may offer its own `in_period` or `held*` methods (a second scope object).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "trc_analytics"
SCOPE = PACKAGE / "scope.py"
#: Files still filtering sessions themselves, each with the reason; the test fails when one of
#: them no longer does (so the entry is removed) or when any other file starts to.
KNOWN: dict[str, str] = {}
BOUNDS = {"start", "end", "as_of", "period"}
COMPARE = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq)


def _is_held_on(node: ast.AST) -> bool:
    """`pl.col("held_on")`, or the text "held_on"."""
    if isinstance(node, ast.Constant):
        return node.value == "held_on"
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "col"
        and len(node.args) == 1
        and _is_held_on(node.args[0])
    )


def _is_period_bound(node: ast.AST) -> bool:
    """The expression reads the period: an attribute named start/end/as_of/period."""
    return any(isinstance(n, ast.Attribute) and n.attr in BOUNDS for n in ast.walk(node))


def _period_filters(tree: ast.AST) -> list[ast.AST]:
    """Nodes that filter `held_on` by the period."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr, args = node.func.attr, node.args
            in_period = attr == "in_period" and bool(args) and _is_held_on(args[0])
            between = (
                attr == "is_between"
                and _is_held_on(node.func.value)
                and any(_is_period_bound(a) for a in args)
            )
            if in_period or between:
                found.append(node)
        elif isinstance(node, ast.Compare) and all(isinstance(op, COMPARE) for op in node.ops):
            sides = [node.left, *node.comparators]
            if any(_is_held_on(s) for s in sides) and any(
                _is_period_bound(s) for s in sides if not _is_held_on(s)
            ):
                found.append(node)
    return found


def _on_community_service(tree: ast.AST, target: ast.AST) -> bool:
    """The filter holding `target` is applied to the community_service table."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "filter"
            and any(target is n for a in node.args for n in ast.walk(a))
        ):
            return "community_service" in ast.unparse(node.func.value)
    return False


def _second_scopes(tree: ast.AST) -> list[str]:
    """Classes that offer their own period or held-session methods."""
    return [
        f"class {node.name}.{item.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        for item in node.body
        if isinstance(item, ast.FunctionDef)
        and (item.name == "in_period" or item.name.startswith("held"))
    ]


def violations(path: Path) -> list[str]:
    """Where a module filters sessions by the period, or declares a scope of its own."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = [
        f"line {node.lineno}: {ast.unparse(node)[:80]}"
        for node in _period_filters(tree)
        if not _on_community_service(tree, node)
    ]
    return out + _second_scopes(tree)


def _modules() -> list[Path]:
    """Every module but scope.py and the demo generator (it writes records for its own span of
    dates; it analyses no period and may not import the scope)."""
    demo = PACKAGE / "demo"
    return sorted(p for p in PACKAGE.rglob("*.py") if p != SCOPE and demo not in p.parents)


def test_only_scope_filters_sessions_by_period() -> None:
    found = {
        str(p.relative_to(PACKAGE)): v
        for p in _modules()
        if (v := violations(p)) and str(p.relative_to(PACKAGE)) not in KNOWN
    }
    assert not found, f"sessions filtered by period outside scope.py (ask the Scope): {found}"


def test_known_exceptions_are_still_needed() -> None:
    stale = [name for name in KNOWN if not violations(PACKAGE / name)]
    assert not stale, f"no longer filtering sessions by period, drop from KNOWN: {stale}"


def test_the_walk_sees_every_kind_of_period_filter(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import polars as pl\n"
        "a = sessions.filter(pl.col('held_on').is_between(ctx.period.start, ctx.period.end))\n"
        "b = sessions.filter(pl.col('held_on') <= sc.end)\n"
        "c = held.filter(sc.in_period('held_on', shift_days=3))\n"
        "d = sc.table('community_service').filter(sc.in_period('held_on'))\n"
        "e = sessions.filter(pl.col('held_on') >= pl.col('joined_on'))\n"
        "class Context:\n"
        "    def held(self): ...\n",
        encoding="utf-8",
    )
    found = violations(sample)
    assert [f.split(":")[0] for f in found] == ["line 2", "line 3", "line 4", "class Context.held"]


def test_scope_itself_is_where_sessions_are_filtered() -> None:
    assert _period_filters(ast.parse(SCOPE.read_text(encoding="utf-8")))
