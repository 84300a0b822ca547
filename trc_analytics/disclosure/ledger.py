"""One release per report: every published figure registered once, audited by one attacker.

A report registers each table it publishes (cells and totals, with the rule each figure must
obey) and the relations between tables over the same population (`relate`: a compliance row's
examined cases are the sum of a table's referrals by region). `Release.protect` hides figures
that break a rule, then hides further figures until the attacker, who knows every published
figure and every relation at once, cannot derive any hidden one too closely; a table that
cannot be protected is refused as a whole. Sentences and charts read figures from the release
only (`figure`, `table`, `rates`), so no hidden value can reach a page.

    release = Release(policy)
    release.add_counts("sessions", per_coach, rows="region", cols="month", value="sessions",
                       contributor="coach_id")
    release.add_sums("hours", per_coach_hours, rows="region", cols="month", value="hours",
                     contributor="coach_id")
    release.protect()
    release.table("sessions").to_wide()          # "suppressed" where hidden
    release.figure("sessions", ALL, ALL).text()  # the grand total, or "suppressed"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from trc_analytics.disclosure.attacker import Attacker, Relation
from trc_analytics.disclosure.guard import CannotProtect, DisclosureError
from trc_analytics.disclosure.protect_release import protect_all
from trc_analytics.disclosure.release_tables import (
    ALL,
    NOT_SHOWN,
    Figure,
    FigureKey,
    ReleasedTable,
    TableSpec,
    figures_of_table,
    released_table,
)
from trc_analytics.policy import Policy

if TYPE_CHECKING:
    from trc_analytics.disclosure.sensitivity import Sensitivity

__all__ = ["ALL", "NOT_SHOWN", "Figure", "Release", "ReleasedTable"]


@dataclass
class _Figures:
    """The figures of a release, column by column (index = figure number)."""

    keys: list[FigureKey] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    floors: list[float] = field(default_factory=list)
    rules: list[list[Sensitivity]] = field(default_factory=list)
    publishable: list[bool] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    table: list[str] = field(default_factory=list)


class Release:
    """Every figure one report publishes, the relations between them, and what is hidden."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        self._figures = _Figures()
        self._index: dict[FigureKey, int] = {}
        self._relations: list[Relation] = []
        self._tables: dict[str, TableSpec] = {}
        self._hidden: np.ndarray | None = None
        self._refused: set[str] = set()

    # -- registration ---------------------------------------------------------------------

    def add_counts(
        self,
        name: str,
        frame: pl.DataFrame,
        *,
        rows: str,
        cols: str | None = None,
        value: str = "n",
        contributor: str | None = None,
        totals: bool = True,
        categories: Mapping[str, Sequence[object]] | None = None,
    ) -> None:
        """A table of counts (long form; one row per category, or per contributor and category
        when `contributor` is given: then each figure also obeys the contributor and dominance
        rules, as a count of what coaches did). Missing categories count 0; `categories` lists
        every row or column category in order, those without records included."""
        spec = TableSpec(name, rows, cols, value, "count", totals, categories=categories)
        self._add(spec, frame, contributor)

    def add_sums(
        self,
        name: str,
        frame: pl.DataFrame,
        *,
        rows: str,
        cols: str | None = None,
        value: str,
        contributor: str,
        totals: bool = True,
        categories: Mapping[str, Sequence[object]] | None = None,
    ) -> None:
        """A table of sums (hours), one row per contributor and category: contributor and
        dominance rules (`categories` as for `add_counts`)."""
        spec = TableSpec(name, rows, cols, value, "sum", totals, categories=categories)
        self._add(spec, frame, contributor)

    def add_rates(
        self,
        name: str,
        frame: pl.DataFrame,
        *,
        rows: str,
        numerator: str,
        denominator: str,
        contributor: str | None = None,
    ) -> None:
        """Proportions `numerator / denominator` by `rows` (one row per category, or per
        contributor and category). The numerator, the denominator and their difference (never
        published, but derivable) are counts; a row is shown whole or hidden whole."""
        spec = TableSpec(name, rows, None, denominator, "rate", False, numerator=numerator)
        self._add(spec, frame, contributor)

    def relate(self, total: FigureKey, members: Sequence[FigureKey]) -> None:
        """Tell the attacker that the figures `members` add up to `total` (across tables over
        the same population, e.g. a compliance row and the table it summarizes)."""
        self._check_open()
        missing = [k for k in (total, *members) if k not in self._index]
        if missing:
            raise DisclosureError(f"release: no figure {missing[0]!r} registered")
        values = self._figures.values
        whole = sum(values[self._index[m]] for m in members)
        if abs(whole - values[self._index[total]]) > 1e-6 * max(1.0, abs(whole)):
            raise DisclosureError(
                f"release: {total!r} is {values[self._index[total]]:g}, but the figures said to "
                f"add up to it make {whole:g}"
            )
        self._relations.append((tuple(self._index[m] for m in members), self._index[total]))

    def _add(self, spec: TableSpec, frame: pl.DataFrame, contributor: str | None) -> None:
        self._check_open()
        if spec.name in self._tables:
            raise DisclosureError(f"release: table {spec.name!r} registered twice")
        figures, relations, groups = figures_of_table(spec, frame, contributor, self.policy)
        first = len(self._figures.keys)
        for fig in figures:
            self._index[fig.key] = len(self._figures.keys)
            f = self._figures
            f.keys.append(fig.key)
            f.values.append(fig.value)
            f.integer.append(fig.integer)
            f.floors.append(fig.floor)
            f.rules.append(fig.rules)
            f.publishable.append(fig.publishable)
            f.weights.append(fig.weight)
            f.table.append(spec.name)
        self._relations.extend(
            (tuple(first + m for m in members), first + total) for members, total in relations
        )
        spec.groups = [tuple(first + g for g in group) for group in groups]
        spec.first, spec.count = first, len(figures)
        self._tables[spec.name] = spec

    def _check_open(self) -> None:
        if self._hidden is not None:
            raise DisclosureError("release: already protected; register everything first")

    # -- protection -----------------------------------------------------------------------

    def protect(self) -> None:
        """Hide what the rules hide, then further figures (or whole tables) until the one
        attacker who knows every published figure and relation derives no hidden figure too
        closely. Idempotent; registration ends here."""
        if self._hidden is not None:
            return
        f = self._figures
        groups = [g for spec in self._tables.values() for g in spec.groups]
        result = protect_all(
            values=np.array(f.values, dtype=float),
            integer=np.array(f.integer, dtype=bool),
            floors=np.array(f.floors, dtype=float),
            rules=f.rules,
            publishable=np.array(f.publishable, dtype=bool),
            weights=np.array(f.weights, dtype=float),
            tables=f.table,
            relations=self._relations,
            groups=groups,
        )
        self._hidden, self._refused = result.hidden, result.refused
        self._floors = result.floors

    def attacker_ranges(self) -> list[tuple[FigureKey, float, float, list[Sensitivity]]]:
        """(figure, low, high, rules) for every hidden figure: what the attacker can derive."""
        from_release = self._attacker()
        hidden = self._require()
        return [
            (self._figures.keys[n], *from_release.range_of(int(n)), self._figures.rules[n])
            for n in np.flatnonzero(hidden)
        ]

    def _attacker(self) -> Attacker:
        return Attacker(
            np.array(self._figures.values, dtype=float),
            self._require(),
            self._floors,
            np.array(self._figures.integer, dtype=bool),
            self._relations,
        )

    # -- reading what is published ------------------------------------------------------------

    def _require(self) -> np.ndarray:
        if self._hidden is None:
            raise DisclosureError("release: call protect() before reading any figure")
        return self._hidden

    def figure(self, table: str, row: object, col: object = None) -> Figure:
        """One published figure (`ALL` for a total), or a hidden marker: never a raw value."""
        hidden = self._require()
        key = (table, row, col)
        if key not in self._index:
            raise DisclosureError(f"release: no figure {key!r}")
        n = self._index[key]
        if hidden[n] or not self._figures.publishable[n]:
            return Figure(None, integer=self._figures.integer[n])
        return Figure(self._figures.values[n], integer=self._figures.integer[n])

    def row_keys(self, table: str) -> list[object]:
        """The row categories of a registered table, in order (none when not registered)."""
        spec = self._tables.get(table)
        return [] if spec is None or spec.row_keys is None else spec.row_keys.to_list()

    def counts(self) -> dict[str, int]:
        """How many figures were registered (publishable ones), hidden, and tables refused."""
        hidden = self._require()
        publishable = [n for n, p in enumerate(self._figures.publishable) if p]
        return {
            "registered": len(publishable),
            "hidden": int(sum(bool(hidden[n]) for n in publishable)),
            "tables": len(self._tables),
            "refused": len(self._refused),
        }

    def refused(self, table: str) -> bool:
        """Whether `table` is not shown at all (too few records to publish safely)."""
        self._require()
        return table in self._refused

    def table(self, name: str) -> ReleasedTable:
        """A table as published; raises `CannotProtect` ("Not shown: ...") when refused."""
        hidden = self._require()
        if name in self._refused:
            raise CannotProtect(NOT_SHOWN, table=name)
        spec = self._tables[name]
        values = np.array(self._figures.values, dtype=float)
        return released_table(spec, values, hidden, self.policy)

    def rates(self, name: str) -> pl.DataFrame:
        """A rate table as published: rows, numerator, denominator, rate (percent), null where
        hidden; raises `CannotProtect` when refused."""
        table = self.table(name)
        spec = self._tables[name]
        assert spec.numerator is not None
        return table.rate_frame(spec.numerator)

    def public_figures(self) -> dict[FigureKey, float | None]:
        """Every publishable figure: its value, or None where hidden (what a reader sees)."""
        hidden = self._require()
        return {
            k: (None if hidden[n] else self._figures.values[n])
            for n, k in enumerate(self._figures.keys)
            if self._figures.publishable[n]
        }

    def relations(self) -> list[tuple[FigureKey, tuple[FigureKey, ...]]]:
        """Every relation the attacker knows, as (total, members) figure keys."""
        keys = self._figures.keys
        return [(keys[t], tuple(keys[m] for m in members)) for members, t in self._relations]
