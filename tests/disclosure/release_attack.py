"""An attacker written apart from the release's own audit: it reads only what a reader of the
report sees (published figures, hidden markers, the relations between figures) and solves its
own linear programs, so a bug in the release's audit cannot hide itself."""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linprog

from trc_analytics.disclosure import Release


def attack(release: Release, floors: dict | None = None, extra: tuple = ()) -> dict:
    """(low, high) of every figure the reader does not see, from everything published.

    Hidden counts in a table that is shown are at least 1 (zeros are shown as 0): `floors`
    maps a figure key to that knowledge; everything else is at least 0. `extra` adds
    relations (total, members) the test knows, whether or not the release was told.
    """
    public = release.public_figures()
    relations = [*release.relations(), *extra]
    unknown = sorted(
        {k for total, members in relations for k in (total, *members) if public.get(k) is None},
        key=repr,
    )
    index = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []
    for total, members in relations:
        row, b = np.zeros(len(unknown)), 0.0
        for key, sign in [*((m, 1.0) for m in members), (total, -1.0)]:
            if key in index:
                row[index[key]] += sign
            else:
                b -= sign * float(public[key])
        if row.any():
            rows.append(row)
            rhs.append(b)
        else:
            assert abs(b) < 1e-6, "published figures contradict a relation"
    floors = floors or {}
    bounds = [(floors.get(k, 0.0), None) for k in unknown]
    out = {}
    for key, k in index.items():
        c = np.zeros(len(unknown))
        c[k] = 1.0
        lo = linprog(c, A_eq=np.array(rows), b_eq=rhs, bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=np.array(rows), b_eq=rhs, bounds=bounds, method="highs")
        assert lo.status == 0 and hi.status in (0, 3)
        out[key] = (lo.fun, math.inf if hi.status == 3 else -hi.fun)
    return out


def count_safe(lo: float, hi: float, value: float, min_cell: int) -> bool:
    """A hidden count 1..min_cell-1: at least min_cell whole numbers possible, reaching min_cell."""
    lo, hi = math.ceil(lo - 1e-6), (hi if math.isinf(hi) else math.floor(hi + 1e-6))
    return hi >= min_cell and hi - lo >= min_cell - 1


def magnitude_safe(
    lo: float, hi: float, value: float, shares: list[float], policy, floor: float = 0.0
) -> bool:
    """A sum hidden by the contributor or dominance rule: not pinned within 10%, and the range
    reaches a value where neither the largest nor the two largest contributors dominate."""
    top = [*sorted(shares, reverse=True), 0.0, 0.0]
    need_hi = max(
        1.1 * value, top[0] / policy.dominance_one, (top[0] + top[1]) / policy.dominance_two
    )
    return hi >= need_hi - 1e-6 and lo <= max(0.9 * value, floor) + 1e-6
