"""A published table as linear algebra: counts (cells and totals) tied by "cells add up to total".

This is what an attacker sees: some numbers published, some hidden, and the additivity of the
table. `attacker_range` solves the small linear programs (HiGHS through SciPy) that give, for a
hidden number, the smallest and largest value consistent with everything published.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from trc_analytics.disclosure.solver import linprog

#: Kinds of node in a table: interior cell, row total, column total, grand total.
CELL, ROW_TOTAL, COL_TOTAL, GRAND_TOTAL = "cell", "row_total", "col_total", "total"


@dataclass(frozen=True)
class Lattice:
    """Nodes (cells and totals) of one table and the additive equations between them.

    `equations[e] = (members, total)`: the nodes in `members` add up to node `total`.
    """

    kinds: tuple[str, ...]
    #: (row index, col index) of each node; -1 where the node is a total over that axis.
    coords: tuple[tuple[int, int], ...]
    equations: tuple[tuple[tuple[int, ...], int], ...]

    @property
    def size(self) -> int:
        return len(self.kinds)

    def lines_of(self, node: int) -> list[int]:
        """Indexes of the equations the node takes part in (as a member or as the total)."""
        return [
            e
            for e, (members, total) in enumerate(self.equations)
            if node in members or node == total
        ]

    def nodes_of(self, equation: int) -> tuple[int, ...]:
        members, total = self.equations[equation]
        return (*members, total)


def build_lattice(n_rows: int, n_cols: int | None, *, totals: bool) -> Lattice:
    """The nodes and equations of an `n_rows` x `n_cols` table (1-D when `n_cols` is None).

    Node order: interior cells row by row, then row totals, column totals, grand total (2-D);
    interior cells then the grand total (1-D). Without totals there are no equations.
    """
    kinds: list[str] = []
    coords: list[tuple[int, int]] = []
    equations: list[tuple[tuple[int, ...], int]] = []
    cols = 1 if n_cols is None else n_cols
    for i in range(n_rows):
        for j in range(cols):
            kinds.append(CELL)
            coords.append((i, j if n_cols is not None else -1))
    if not totals:
        return Lattice(tuple(kinds), tuple(coords), ())
    if n_cols is None:
        kinds.append(GRAND_TOTAL)
        coords.append((-1, -1))
        equations.append((tuple(range(n_rows)), n_rows))
        return Lattice(tuple(kinds), tuple(coords), tuple(equations))
    base = n_rows * cols
    for i in range(n_rows):
        kinds.append(ROW_TOTAL)
        coords.append((i, -1))
    for j in range(cols):
        kinds.append(COL_TOTAL)
        coords.append((-1, j))
    kinds.append(GRAND_TOTAL)
    coords.append((-1, -1))
    grand = base + n_rows + cols
    for i in range(n_rows):
        equations.append((tuple(i * cols + j for j in range(cols)), base + i))
    for j in range(cols):
        equations.append((tuple(i * cols + j for i in range(n_rows)), base + n_rows + j))
    equations.append((tuple(base + i for i in range(n_rows)), grand))
    equations.append((tuple(base + n_rows + j for j in range(cols)), grand))
    return Lattice(tuple(kinds), tuple(coords), tuple(equations))


def attacker_range(
    lattice: Lattice, published: np.ndarray, hidden: np.ndarray, node: int
) -> tuple[float, float]:
    """Smallest and largest value of hidden `node` consistent with what is published.

    The attacker knows every published value, that the table adds up, and that every hidden
    number is a whole number of at least 1 (zeros are shown, so a hidden number is never 0,
    unless a table had to hide everything: see `suppression.protect_counts`). Bounds are
    rounded inward to whole numbers; the upper bound may be `math.inf`.
    """
    return LinearSystem.from_lattice(lattice, published, hidden).range_of(node)


@dataclass
class LinearSystem:
    """Equations over hidden numbers only: A x = b, x >= 1, in the attacker's unknowns."""

    variables: list[int]  # node index of each unknown
    a_eq: np.ndarray
    b_eq: np.ndarray
    #: smallest value a hidden number can have: 1, or 0 when the table hides zeros too
    floor: float = 1.0
    _unbounded: frozenset[int] | None = None

    @classmethod
    def from_lattice(
        cls, lattice: Lattice, published: np.ndarray, hidden: np.ndarray, floor: float = 1.0
    ) -> LinearSystem:
        variables = [int(n) for n in np.flatnonzero(hidden)]
        index = {n: k for k, n in enumerate(variables)}
        rows: list[np.ndarray] = []
        rhs: list[float] = []
        for members, total in lattice.equations:
            row = np.zeros(len(variables))
            b = 0.0
            for m in members:
                if hidden[m]:
                    row[index[m]] += 1.0
                else:
                    b -= float(published[m])
            if hidden[total]:
                row[index[total]] -= 1.0
            else:
                b += float(published[total])
            if row.any():
                rows.append(row)
                rhs.append(b)
        a_eq = np.vstack(rows) if rows else np.zeros((0, len(variables)))
        return cls(variables, a_eq, np.asarray(rhs), floor)

    def range_of(self, node: int) -> tuple[float, float]:
        """(min, max) of the unknown for `node` over the attacker's feasible set."""
        k = self.variables.index(node)
        if self.a_eq.shape[0] == 0 or not self.a_eq[:, k].any():
            return self.floor, math.inf
        lo = self._optimize(k, 1.0)
        hi = math.inf if node in self.unbounded() else self._optimize(k, -1.0)
        return lo, hi

    def unbounded(self) -> frozenset[int]:
        """Nodes the attacker cannot bound from above: some direction d >= 0 with A d = 0
        raises them. One linear program finds them all: maximize the number of coordinates
        t_k = min(d_k, 1) (the sum of rays is a ray, so the optimum covers every such node)."""
        if self._unbounded is not None:
            return self._unbounded
        n = len(self.variables)
        m = self.a_eq.shape[0]
        if m == 0:
            self._unbounded = frozenset(self.variables)
            return self._unbounded
        # variables [d (n), t (n)]: A d = 0, t - d <= 0, 0 <= t <= 1, d >= 0; maximize sum t
        a_eq = np.hstack([self.a_eq, np.zeros((m, n))])
        a_ub = np.hstack([-np.eye(n), np.eye(n)])
        res = linprog(
            np.concatenate([np.zeros(n), -np.ones(n)]),
            A_ub=a_ub,
            b_ub=np.zeros(n),
            A_eq=a_eq,
            b_eq=np.zeros(m),
            bounds=[(0, None)] * n + [(0, 1)] * n,
            method="highs",
        )
        if res.status != 0:
            raise RuntimeError(f"disclosure audit: linear program failed ({res.message})")
        reach = res.x[n:] > 1 - 1e-7
        self._unbounded = frozenset(self.variables[k] for k in np.flatnonzero(reach))
        return self._unbounded

    def _optimize(self, k: int, sign: float) -> float:
        c = np.zeros(len(self.variables))
        c[k] = sign
        res = linprog(
            c,
            A_eq=self.a_eq,
            b_eq=self.b_eq,
            bounds=[(self.floor, None)] * len(self.variables),
            method="highs",
        )
        if res.status == 3:  # unbounded: only possible when maximizing
            return math.inf
        if res.status != 0:
            raise RuntimeError(f"disclosure audit: linear program failed ({res.message})")
        value = sign * res.fun
        # whole numbers only: tighten inward (a stronger attacker, so a safer check)
        return math.ceil(value - 1e-6) if sign > 0 else math.floor(value + 1e-6)
