"""Protecting a whole release: primary suppression, then complementary suppression driven by
one attacker who knows every published figure and every relation, then refusal of tables.

`protect_all` hides every figure a rule hides (and the rest of its group, e.g. a rate row),
then repeats: ask the attacker for a hidden figure it narrows too much; hide the cheapest
published figure that protects it (figures on its own relations first); when nothing is left
to hide around it, refuse its table (every figure hidden, zeros included), then the tables
related to it. Each step hides at least one more figure, so it ends; it never returns a
pattern the attacker can break.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from trc_analytics.disclosure.attacker import Attacker, Relation
from trc_analytics.disclosure.guard import CannotProtect
from trc_analytics.disclosure.sensitivity import Sensitivity

#: Candidates tried per step before settling for the one that narrows the gap most.
MAX_TRIALS = 40


@dataclass(frozen=True)
class Protection:
    """The outcome: which figures are hidden, the tables refused, the attacker's floors."""

    hidden: np.ndarray
    refused: set[str]
    floors: np.ndarray


@dataclass
class _State:
    """Everything the search reads, and the mask it grows."""

    values: np.ndarray
    integer: np.ndarray
    floors: np.ndarray
    rules: Sequence[list[Sensitivity]]
    publishable: np.ndarray
    cost: np.ndarray
    tables: np.ndarray
    relations: Sequence[Relation]
    groups: Sequence[tuple[int, ...]]
    hidden: np.ndarray
    refused: set[str]
    #: hidden figures found safe: hiding more only widens every range, so they stay safe
    safe: set[int] = field(default_factory=set)

    def attacker(self, hidden: np.ndarray | None = None) -> Attacker:
        mask = self.hidden if hidden is None else hidden
        return Attacker(self.values, mask, self.floors, self.integer, self.relations)

    def close_groups(self, mask: np.ndarray) -> None:
        """A group (a rate row) is hidden whole as soon as one of it is hidden."""
        for group in self.groups:
            idx = list(group)
            if mask[idx].any():
                mask[idx] = True

    def gap(self, node: int, lo: float, hi: float) -> float:
        """How far the attacker's range for `node` is from every rule it must obey."""
        return sum(r.shortfall(lo, hi, float(self.floors[node])) for r in self.rules[node])

    def first_violation(self, attacker: Attacker) -> tuple[int, float] | None:
        """A hidden figure the attacker narrows too much, and by how much (None: all safe)."""
        for node in np.flatnonzero(self.hidden):
            if not self.rules[node] or int(node) in self.safe:
                continue
            lo, hi = attacker.range_of(int(node))
            gap = self.gap(int(node), lo, hi)
            if gap > 0:
                return int(node), gap
            self.safe.add(int(node))
        return None


def protect_all(
    *,
    values: np.ndarray,
    integer: np.ndarray,
    floors: np.ndarray,
    rules: Sequence[list[Sensitivity]],
    publishable: np.ndarray,
    weights: np.ndarray,
    tables: Sequence[str],
    relations: Sequence[Relation],
    groups: Sequence[tuple[int, ...]],
) -> Protection:
    """Hide figures of a release until no hidden figure breaks its rules (see module doc)."""
    table_arr = np.array(tables, dtype=object)
    cost = weights * (1.0 + values / np.maximum(_table_max(values, table_arr), 1.0))
    primary = np.array([bool(r) for r in rules]) | ~publishable
    state = _State(
        values,
        integer,
        floors.copy(),
        rules,
        publishable,
        cost,
        table_arr,
        relations,
        groups,
        primary.copy(),
        set(),
    )
    state.close_groups(state.hidden)
    while True:
        bad = state.first_violation(state.attacker())
        if bad is None:
            return Protection(state.hidden, state.refused, state.floors)
        node, gap = bad
        chosen = _complement(state, node, gap)
        # hiding a published figure frees a number the attacker knew (a point inside the range
        # it may now take), and a refusal lowers floors: every range only widens
        if chosen is None:
            _refuse(state, node)
        else:
            state.hidden[chosen] = True
            state.close_groups(state.hidden)


def _table_max(values: np.ndarray, tables: np.ndarray) -> np.ndarray:
    """The largest value of each figure's table (hiding cost grows with the value)."""
    out = np.zeros_like(values)
    for name in set(tables.tolist()):
        mask = tables == name
        out[mask] = values[mask].max() if mask.any() else 0.0
    return out


def _complement(state: _State, node: int, gap: float) -> int | None:
    """The published figure to hide next to protect `node`: the cheapest that protects it,
    else the one that narrows its gap most, else the cheapest near it (None: none left)."""
    free = (
        state.publishable
        & ~state.hidden
        & (state.values > 0)
        & ~np.isin(state.tables, list(state.refused))
    )
    if not free.any():
        return None
    near = {n for members, t in state.relations if node in (*members, t) for n in (*members, t)}
    component = _component_of(state, node)
    touching = {
        n for members, t in state.relations if component & {*members, t} for n in (*members, t)
    }
    candidates = [int(n) for n in np.flatnonzero(free)]
    tiers = [
        sorted((n for n in candidates if n in near), key=lambda n: state.cost[n]),
        sorted(
            (n for n in candidates if n in touching and n not in near), key=lambda n: state.cost[n]
        ),
    ]
    if not any(tiers):
        return None
    best, best_gap, trials = None, gap, 0
    for tier in tiers:
        for cand in tier:
            if trials >= MAX_TRIALS:
                break
            trials += 1
            trial = state.hidden.copy()
            trial[cand] = True
            state.close_groups(trial)
            lo, hi = state.attacker(trial).range_of(node)
            new_gap = state.gap(node, lo, hi)
            if new_gap == 0:
                return cand
            if new_gap < best_gap - 1e-12:
                best, best_gap = cand, new_gap
    if best is not None:
        return best
    return next(t[0] for t in tiers if t)


def _component_of(state: _State, node: int) -> set[int]:
    """Hidden figures linked to `node` through relations among hidden figures."""
    seen, todo = {node}, [node]
    while todo:
        n = todo.pop()
        for members, t in state.relations:
            nodes = (*members, t)
            if n in nodes:
                for m in nodes:
                    if state.hidden[m] and m not in seen:
                        seen.add(m)
                        todo.append(m)
    return seen


def _refuse(state: _State, node: int) -> None:
    """Refuse the table of `node` (all of it hidden, zeros included); if it is refused
    already, refuse every table related to it."""
    table = state.tables[node]
    targets = {table}
    if table in state.refused:
        mine = set(np.flatnonzero(state.tables == table).tolist())
        for members, t in state.relations:
            nodes = {*members, t}
            if nodes & mine:
                targets |= {state.tables[n] for n in nodes}
        targets -= state.refused
        if not targets:
            raise CannotProtect(
                f"{table}: no pattern of hidden figures keeps it safe", table=str(table)
            )
    for name in targets:
        mask = state.tables == name
        state.hidden[mask] = True
        state.floors[mask] = 0.0
        state.refused.add(str(name))
