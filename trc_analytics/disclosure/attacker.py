"""The one attacker of a release: every published figure and every linear relation at once.

`Attacker` turns the figures of a release (values, which are hidden, what each hidden one is
known to be at least, which are whole numbers) and the relations between them ("these add up
to that", within a table or across tables) into linear programs (HiGHS through SciPy) over the
hidden figures, and gives the smallest and largest value each hidden figure can have.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from trc_analytics.disclosure.solver import linprog

#: A relation: the figures in `members` add up to the figure `total` (indexes into a release).
Relation = tuple[tuple[int, ...], int]


@dataclass
class Attacker:
    """What can be derived from the published figures: ranges of hidden ones by LP."""

    values: np.ndarray
    hidden: np.ndarray
    floors: np.ndarray
    integer: np.ndarray
    relations: Sequence[Relation]
    _component: dict[int, int] = field(default_factory=dict, repr=False)
    _systems: dict[int, tuple[list[int], np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self._components()

    def range_of(self, node: int) -> tuple[float, float]:
        """(min, max) of hidden figure `node` given everything published (max may be inf)."""
        variables, a_eq, b_eq = self._system(self._component[node])
        k = variables.index(node)
        if a_eq.shape[0] == 0 or not a_eq[:, k].any():
            return float(self.floors[node]), math.inf
        bounds = [(float(self.floors[v]), None) for v in variables]
        lo = self._optimize(k, 1.0, a_eq, b_eq, bounds)
        hi = self._optimize(k, -1.0, a_eq, b_eq, bounds)
        if self.integer[node]:
            lo = math.ceil(lo - 1e-6)
            hi = hi if math.isinf(hi) else math.floor(hi + 1e-6)
        return lo, hi

    def _components(self) -> None:
        """Group hidden figures that share a relation (an LP needs only its own group)."""
        parent = {int(n): int(n) for n in np.flatnonzero(self.hidden)}

        def root(n: int) -> int:
            while parent[n] != n:
                parent[n] = parent[parent[n]]
                n = parent[n]
            return n

        for members, total in self.relations:
            nodes = [n for n in (*members, total) if self.hidden[n]]
            for other in nodes[1:]:
                parent[root(other)] = root(nodes[0])
        self._component = {n: root(n) for n in parent}

    def _system(self, component: int) -> tuple[list[int], np.ndarray, np.ndarray]:
        """A x = b over the hidden figures of one component (published ones moved right)."""
        if component in self._systems:
            return self._systems[component]
        variables = sorted(n for n, c in self._component.items() if c == component)
        index = {n: k for k, n in enumerate(variables)}
        rows, rhs = [], []
        for members, total in self.relations:
            if not any(n in index for n in (*members, total)):
                continue
            row = np.zeros(len(variables))
            b = 0.0
            for n, sign in [*((m, 1.0) for m in members), (total, -1.0)]:
                if n in index:
                    row[index[n]] += sign
                else:
                    b -= sign * float(self.values[n])
            rows.append(row)
            rhs.append(b)
        a_eq = np.vstack(rows) if rows else np.zeros((0, len(variables)))
        self._systems[component] = (variables, a_eq, np.asarray(rhs))
        return self._systems[component]

    @staticmethod
    def _optimize(k: int, sign: float, a_eq: np.ndarray, b_eq: np.ndarray, bounds: list) -> float:
        c = np.zeros(a_eq.shape[1])
        c[k] = sign
        res = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if res.status == 3:  # unbounded: only possible when maximizing
            return math.inf
        if res.status != 0:
            raise RuntimeError(f"disclosure audit: linear program failed ({res.message})")
        return float(sign * res.fun)
