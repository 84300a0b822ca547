"""Every practice metric in one call, sharing the frames they have in common.

The metrics live in `caseload`, `referrals`, `competence`, `giving`, `standing`, `safety`,
`goals` and `association`; this module gathers their registry and computes them together (one
scope, one `polars.collect_all`), which is what reports and the benchmark use.
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
from trc_analytics.scope import By, Scope

#: Modules that define metrics, in report order.
MODULES = (
    "caseload",
    "referrals",
    "competence",
    "giving",
    "standing",
    "safety",
    "goals",
    "association",
)


def registry() -> dict[str, Metric]:
    """Every metric by name, in report order (importing the modules registers them)."""
    for name in MODULES:
        importlib.import_module(f"trc_analytics.metrics.{name}")
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
    metrics = registry()
    unknown = [n for n in names or () if n not in metrics]
    if unknown:
        raise ValueError(f"unknown metric(s): {', '.join(unknown)}")
    sc = Scope.make(ws, period, coaches=coaches, by=by, policy=policy)
    out: dict[str, pl.DataFrame | MissingTables] = {}
    plans: dict[str, pl.LazyFrame] = {}
    for name in names or metrics:
        try:
            plans[name] = plan(metrics[name], sc)
        except MissingTables as exc:
            out[name] = exc
    frames = pl.collect_all(plans.values())
    out.update(zip(plans, frames, strict=True))
    return {name: out[name] for name in names or metrics}
