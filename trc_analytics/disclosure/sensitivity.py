"""Why a figure must be hidden, and how wide an attacker's range must stay for it to be safe.

One criterion per rule: a small count (`count_rule`) must keep a range of at least `min_cell`
whole numbers reaching `min_cell`; a sum hidden by the contributor or dominance rule
(`magnitude_rule`) must keep a range that reaches values where no coach would dominate it and
that does not pin the sum within 10% (the upper and lower protection levels of cell
suppression). `Release` (ledger.py) audits every hidden figure against its criteria.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trc_analytics.disclosure.suppression import is_protected

if TYPE_CHECKING:
    from trc_analytics.policy import Policy

#: A hidden sum must not be narrowed to within this share of its value, either way.
PIN_MARGIN = 0.10


@dataclass(frozen=True)
class Sensitivity:
    """One rule a hidden figure broke, as the range an attacker must not get inside.

    For a count: `min_cell` (the small-count criterion). For a sum: the attacker's upper bound
    must reach `upper` and the lower bound must not exceed `lower` (or the floor every hidden
    figure has anyway).
    """

    reason: str
    min_cell: int | None = None
    upper: float = -math.inf
    lower: float = math.inf

    def protected(self, lo: float, hi: float, floor: float = 0.0) -> bool:
        """Whether the attacker's range [lo, hi] keeps the figure safe under this rule."""
        if self.min_cell is not None:
            return is_protected(lo, hi, self.min_cell)
        return hi >= self.upper - 1e-9 and lo <= max(self.lower, floor) + 1e-9

    def shortfall(self, lo: float, hi: float, floor: float = 0.0) -> float:
        """How far [lo, hi] is from `protected`, relative to the figure (0 when protected)."""
        if self.protected(lo, hi, floor):
            return 0.0
        if self.min_cell is not None:
            m = self.min_cell
            return (max(0.0, m - hi) + max(0.0, (m - 1) - (hi - lo))) / m
        scale = max(abs(self.upper), 1.0)
        up = 0.0 if math.isinf(hi) else max(0.0, self.upper - hi)
        return (up + max(0.0, lo - max(self.lower, floor))) / scale


def count_rule(value: float, min_cell: int) -> Sensitivity | None:
    """The small-count rule: counts from 1 to `min_cell` - 1 are hidden."""
    if 0 < value < min_cell:
        return Sensitivity(f"a count below {min_cell}", min_cell=int(min_cell))
    return None


def magnitude_rule(
    value: float, top: Sequence[float], contributors: int, policy: Policy
) -> Sensitivity | None:
    """The contributor and dominance rules for a sum of `contributors` coaches' shares, the
    largest first in `top` (two are enough).

    Hidden when fewer than `policy.min_contributors` coaches contribute, or one coach holds
    more than `dominance_one` of it, or two more than `dominance_two`. Safe when the attacker
    cannot bound it below `top1 / dominance_one` and `(top1 + top2) / dominance_two` (so no
    range shows the largest contributors dominate) nor pin it within `PIN_MARGIN`.
    """
    ordered = sorted((float(c) for c in top), reverse=True)
    top1 = ordered[0] if ordered else 0.0
    top2 = top1 + (ordered[1] if len(ordered) > 1 else 0.0)
    few = contributors < policy.min_contributors
    dominated = value > 0 and (
        top1 > policy.dominance_one * value or top2 > policy.dominance_two * value
    )
    if not (few or dominated) or value <= 0:
        return None
    reason = (
        f"fewer than {policy.min_contributors} coaches contribute"
        if few
        else "one or two coaches dominate it"
    )
    upper = max((1 + PIN_MARGIN) * value, top1 / policy.dominance_one, top2 / policy.dominance_two)
    return Sensitivity(reason, upper=upper, lower=(1 - PIN_MARGIN) * value)
