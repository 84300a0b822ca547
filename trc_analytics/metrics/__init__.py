"""Every practice metric in one call, sharing the frames they have in common.

The metrics live in `caseload`, `referrals`, `competence`, `giving`, `standing`, `renewal`,
`safety`, `goals`, `association`, `supervision_cycle` and `credential_progress`; this module
gathers their registry and computes them together (one scope, whose shared frames are built
once; the plans collected a few at a time, `scope.collect`), which is what reports and the
benchmark use.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import polars as pl

from trc_analytics.errors import MissingTables
from trc_analytics.metrics.registry import METRICS, Metric, plan
from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.records.workspace import Workspace
from trc_analytics.scope import By, Scope, collect

#: Modules that define metrics, in report order.
MODULES = (
    "caseload",
    "referrals",
    "competence",
    "giving",
    "standing",
    "renewal",
    "safety",
    "goals",
    "association",
    "supervision_cycle",
    "credential_progress",
)


def registry() -> dict[str, Metric]:
    """Every metric by name, in report order (importing the modules registers them).

    The order is that of `MODULES`, then of definition, whichever module was imported first
    (the checks import `standing` before any report asks for the registry).
    """
    rank = {f"trc_analytics.metrics.{name}": i for i, name in enumerate(MODULES)}
    for name in MODULES:
        importlib.import_module(f"trc_analytics.metrics.{name}")
    ordered = sorted(METRICS.values(), key=lambda m: rank.get(m.module, len(rank)))
    if list(METRICS.values()) != ordered:
        METRICS.clear()
        METRICS.update((m.name, m) for m in ordered)
    return METRICS


def compute_all(
    ws: Workspace,
    period: Period,
    *,
    coaches: Sequence[str] | str | None = None,
    by: By = "coach",
    policy: Policy | None = None,
    names: Sequence[str] | None = None,
) -> dict[str, pl.DataFrame | MissingTables]:
    """Compute every metric (or those named) for one scope.

    Returns name -> frame, or name -> `MissingTables` for metrics whose tables are absent
    (its `.empty` is the frame with the right columns). Ungrouped metrics ignore `by`.
    """
    _check_names(names)
    plans = len(names) if names else None  # a few metrics: ids stay text (`codes_pay`)
    sc = Scope.make(ws, period, coaches=coaches, by=by, policy=policy, plans=plans)
    return compute_in(sc, names)


def compute_in(
    sc: Scope, names: Sequence[str] | None = None
) -> dict[str, pl.DataFrame | MissingTables]:
    """Compute every metric (or those named) in a scope already made.

    A report that also runs the checks passes the same scope to `run_checks_in`, so the frames
    both read (held sessions, credential standing) are built once.
    """
    metrics = _check_names(names)
    out: dict[str, pl.DataFrame | MissingTables] = {}
    plans: dict[str, pl.LazyFrame] = {}
    for name in names or metrics:
        try:
            plans[name] = plan(metrics[name], sc)
        except MissingTables as exc:
            out[name] = exc
    frames = collect(list(plans.values()))
    out.update(zip(plans, frames, strict=True))
    return {name: out[name] for name in names or metrics}


def _check_names(names: Sequence[str] | None) -> dict[str, Metric]:
    """The registry, after refusing unknown metric names with a clear ValueError."""
    metrics = registry()
    unknown = [n for n in names or () if n not in metrics]
    if unknown:
        raise ValueError(f"unknown metric(s): {', '.join(unknown)}")
    return metrics
