"""The attacker audit across several published tables at once (the differencing attack).

Two tables that share categories (the same report for two periods one month apart, or with
and without one region) are linked: each published figure is a sum of the same underlying
counts ("atoms", one per combination of categories). `audit_together` gives the attacker every
figure of every table at once and checks every hidden small count of every table.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from itertools import product

import numpy as np

from trc_analytics.disclosure.audit import Violation, node_label
from trc_analytics.disclosure.solver import linprog
from trc_analytics.disclosure.suppression import Protected, is_protected


def audit_together(
    tables: Sequence[Protected],
    *,
    scopes: Sequence[Mapping[str, Collection[object]]] | None = None,
    min_cell: int | None = None,
) -> list[Violation]:
    """Every hidden small count of any table that the published figures of all tables together
    narrow down too much (see `suppression.is_protected`).

    Categories are matched by column name and value across tables. `scopes[i]` gives, for a
    category a table does not break down by, the values it covers (default: every value any
    table has), e.g. `{"region": ["North", "South"]}` for a table of the other regions only.
    """
    scopes = list(scopes) if scopes is not None else [{} for _ in tables]
    if len(scopes) != len(tables):
        raise ValueError("audit_together: give one scope per table")
    min_cell = min_cell or min(t.min_cell for t in tables)
    dims: list[str] = []
    universe: dict[str, list[object]] = {}
    for table, scope in zip(tables, scopes, strict=True):
        for axis in _axes(table):
            _extend(dims, [axis])
            _extend(universe.setdefault(axis, []), table.cells[axis].unique(maintain_order=True))
        for dim, values in scope.items():
            _extend(dims, [dim])
            _extend(universe.setdefault(dim, []), values)
    atoms = list(product(*(range(len(universe[d])) for d in dims)))
    codes = np.array(atoms, dtype=np.int64).reshape(len(atoms), len(dims))

    rows_eq, vals_eq, rows_hidden, floors, targets = [], [], [], [], []
    for t_index, (table, scope) in enumerate(zip(tables, scopes, strict=True)):
        axes = _axes(table)
        axis_values = {a: list(table.cells[a].unique(maintain_order=True)) for a in axes}
        for node in range(table.lattice.size):
            coord = table.lattice.coords[node]
            mask = np.ones(len(atoms), dtype=bool)
            for d_index, dim in enumerate(dims):
                if dim in axes:
                    k = coord[axes.index(dim)]
                    allowed = [axis_values[dim][k]] if k >= 0 else axis_values[dim]
                else:
                    allowed = list(scope.get(dim, universe[dim]))
                allowed_codes = [universe[dim].index(v) for v in allowed]
                mask &= np.isin(codes[:, d_index], allowed_codes)
            row = mask.astype(float)
            if table.hidden[node]:
                rows_hidden.append(row)
                floors.append(float(table.floor))
                if table.primary[node]:
                    targets.append((t_index, node, row))
            else:
                rows_eq.append(row)
                vals_eq.append(float(table.published[node]))

    n = len(atoms)
    a_eq = np.vstack(rows_eq) if rows_eq else None
    b_eq = np.array(vals_eq) if rows_eq else None
    a_ub = -np.vstack(rows_hidden) if rows_hidden else None
    b_ub = -np.array(floors) if rows_hidden else None
    out = []
    for t_index, node, row in targets:
        lo = _solve(row, a_eq, b_eq, a_ub, b_ub, n, sign=1.0)
        hi = _solve(row, a_eq, b_eq, a_ub, b_ub, n, sign=-1.0)
        if not is_protected(lo, hi, min_cell):
            where = f"table {t_index + 1}, {node_label(tables[t_index], node)}"
            out.append(Violation(where, lo, hi))
    return out


def _axes(table: Protected) -> list[str]:
    return [table.rows] if table.cols is None else [table.rows, table.cols]


def _extend(target: list[object], values: Collection[object]) -> None:
    for v in values:
        if v not in target:
            target.append(v)


def _solve(row, a_eq, b_eq, a_ub, b_ub, n: int, *, sign: float) -> float:
    res = linprog(
        sign * row,
        A_eq=a_eq,
        b_eq=b_eq,
        A_ub=a_ub,
        b_ub=b_ub,
        bounds=[(0, None)] * n,
        method="highs",
    )
    if res.status == 3:
        return np.inf
    if res.status != 0:
        raise RuntimeError(f"disclosure audit: linear program failed ({res.message})")
    value = sign * res.fun
    return float(np.ceil(value - 1e-6) if sign > 0 else np.floor(value + 1e-6))
