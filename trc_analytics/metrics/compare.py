"""Headline figures of two periods side by side ("then → now"), for the coach reports.

The figures themselves come from the registry (`headline`); this module only pairs a figure of
the comparison period with the same figure of the period, so the reports present the change
without computing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FigureChange:
    """One figure of the comparison period (`then`) and of the period (`now`)."""

    name: str
    then: Any
    now: Any

    @property
    def difference(self) -> float | None:
        """now - then, or None when either is unknown."""
        if self.then is None or self.now is None:
            return None
        return float(self.now) - float(self.then)


def figure_changes(
    then: dict[str, Any], now: dict[str, Any], names: tuple[str, ...]
) -> dict[str, FigureChange]:
    """name -> FigureChange for each name; a figure absent from a period's row is None
    (no records, not zero)."""
    return {n: FigureChange(n, then.get(n), now.get(n)) for n in names}
