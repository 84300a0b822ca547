"""The attacker audit: for every hidden small count, the range derivable from what is published.

`audit` re-derives, from a `Protected` table's published figures and additivity alone, the
smallest and largest value each hidden count can have (linear programs, see `lattice.py`) and
returns every one that breaks the protection criterion (`suppression.is_protected`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trc_analytics.disclosure.lattice import LinearSystem
from trc_analytics.disclosure.suppression import Protected, is_protected


@dataclass(frozen=True)
class Violation:
    """A hidden small count an attacker can narrow to `low`..`high` (too narrow)."""

    where: str
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.where}: can be derived to lie in {self.low:g}..{self.high:g}"


def attacker_ranges(protected: Protected) -> list[tuple[str, float, float, bool]]:
    """(where, low, high, small) for every hidden number of the table: what can be derived.

    `small` says whether the hidden number is a small count (primary suppression); the others
    were hidden to protect those.
    """
    system = LinearSystem.from_lattice(
        protected.lattice, protected.published, protected.hidden, protected.floor
    )
    out = []
    for node in np.flatnonzero(protected.hidden):
        lo, hi = system.range_of(int(node))
        out.append((node_label(protected, int(node)), lo, hi, bool(protected.primary[node])))
    return out


def audit(protected: Protected) -> list[Violation]:
    """Every hidden small count whose derivable range breaks the protection criterion."""
    return [
        Violation(where, lo, hi)
        for where, lo, hi, small in attacker_ranges(protected)
        if small and not is_protected(lo, hi, protected.min_cell)
    ]


def node_label(protected: Protected, node: int) -> str:
    """Where a node sits, in words: "row X, column Y", "total of row X", "grand total"."""
    i, j = protected.lattice.coords[node]
    rows = protected.cells[protected.rows].unique(maintain_order=True)
    if protected.cols is None:
        return "grand total" if i < 0 else f"{protected.rows} {rows[i]}"
    cols = protected.cells[protected.cols].unique(maintain_order=True)
    if i < 0 and j < 0:
        return "grand total"
    if j < 0:
        return f"total of {protected.rows} {rows[i]}"
    if i < 0:
        return f"total of {protected.cols} {cols[j]}"
    return f"{protected.rows} {rows[i]}, {protected.cols} {cols[j]}"
