"""The metric registry: each metric is declared once, with the tables it needs and its columns.

Every metric is a pure function `(ws, period, *, coaches=None, by="coach", policy=None)` that
returns a polars frame whose first column is the group key: `coach_id` (by="coach") or `region`
(by="region", all coaches of a region together). Ungrouped metrics take no `by`: case lists
(one row per engagement, flag, coach-area gap or credential) carry both `coach_id` and
`region`; `demand_vs_supply` is by region and area.

Missing tables (the one convention every metric follows): a metric whose needed tables are
absent from the workspace raises `MissingTables`. Its message is ready to print
("no sessions records"), `.tables` names what is absent and `.empty` is the frame the metric
would have returned, with its columns and no rows. `attempt(metric, ...)` turns that into a
`(frame, note)` pair for reports that prefer not to catch. Optional tables (e.g.
`group_members`) never raise: their absence is stated in the metric's docstring.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from trc_analytics.errors import MissingTables
from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.records.workspace import Workspace
from trc_analytics.scope import FLOAT_DECIMALS, KEYS, By, Scope


def attempt(fn: Callable[..., pl.DataFrame], *args: Any, **kwargs: Any):
    """Call a metric; return `(frame, None)`, or `(empty frame, "no <table> records")`."""
    try:
        return fn(*args, **kwargs), None
    except MissingTables as exc:
        return exc.empty, str(exc)


@dataclass(frozen=True)
class Metric:
    """A registered metric: its public function, the tables it needs and its output columns."""

    name: str
    module: str
    fn: Callable[..., pl.DataFrame]
    build: Callable[[Scope], pl.LazyFrame]
    #: tables needed; a tuple inside means "any one of these"
    needs: tuple[str | tuple[str, ...], ...]
    columns: dict[str, pl.DataType]
    grouped: bool
    title: str

    def schema(self, by: By = "coach") -> dict[str, pl.DataType]:
        """Output columns and dtypes of this metric for a grouping."""
        if not self.grouped:
            return dict(self.columns)
        return {KEYS[by]: pl.String(), **self.columns}

    def lazy(self, sc: Scope) -> pl.LazyFrame:
        """The metric's plan on `sc`, in its declared columns with floats rounded as its public
        function returns them (a caller that collects itself gets the same figures)."""
        return _finish(self.build(sc), self.schema(sc.by) if self.grouped else self.columns)

    def empty(self, by: By = "coach") -> pl.DataFrame:
        """The frame this metric returns when there is nothing to count."""
        return pl.DataFrame(schema=self.schema(by))


#: Every metric, in the order the report and `trc metrics` list them (filled on import).
METRICS: dict[str, Metric] = {}


def _finish(lf: pl.LazyFrame, schema: dict[str, pl.DataType]) -> pl.LazyFrame:
    """Columns in declared order and dtypes, so an empty and a full result look alike; floats
    rounded to `FLOAT_DECIMALS` so a result does not change from run to run."""
    return lf.select(
        [
            pl.col(c).cast(t).round(FLOAT_DECIMALS) if t.is_float() else pl.col(c).cast(t)
            for c, t in schema.items()
        ]
    )


def _register(
    needs: Sequence[str | tuple[str, ...]], columns: dict[str, pl.DataType], grouped: bool
) -> Callable[[Callable[[Scope], pl.LazyFrame]], Callable[..., pl.DataFrame]]:
    def wrap(build: Callable[[Scope], pl.LazyFrame]) -> Callable[..., pl.DataFrame]:
        title = (build.__doc__ or build.__name__).strip().splitlines()[0]

        if grouped:

            def public(
                ws: Workspace,
                period: Period,
                *,
                coaches: Sequence[str] | str | None = None,
                by: By = "coach",
                policy: Policy | None = None,
            ) -> pl.DataFrame:
                sc = Scope.make(ws, period, coaches=coaches, by=by, policy=policy, plans=1)
                return run(entry, sc)

        else:

            def public(  # type: ignore[misc]
                ws: Workspace,
                period: Period,
                *,
                coaches: Sequence[str] | str | None = None,
                policy: Policy | None = None,
            ) -> pl.DataFrame:
                return run(entry, Scope.make(ws, period, coaches=coaches, policy=policy, plans=1))

        # name and docstring of the build function; the signature stays the public one
        functools.update_wrapper(
            public, build, assigned=("__module__", "__name__", "__qualname__", "__doc__")
        )
        del public.__wrapped__
        entry = Metric(
            name=build.__name__,
            module=build.__module__,
            fn=public,
            build=build,
            needs=tuple(needs),
            columns=columns,
            grouped=grouped,
            title=title,
        )
        METRICS[entry.name] = entry
        public.metric = entry  # type: ignore[attr-defined]
        return public

    return wrap


def summary_metric(*, needs: Sequence[str | tuple[str, ...]], columns: dict[str, pl.DataType]):
    """Register a grouped metric: `build(scope) -> LazyFrame` with the key column first."""
    return _register(needs, columns, grouped=True)


def case_metric(*, needs: Sequence[str | tuple[str, ...]], columns: dict[str, pl.DataType]):
    """Register an ungrouped metric: one row per case (with coach_id and region) or per fixed
    breakdown (e.g. region and area); it takes no `by`."""
    return _register(needs, columns, grouped=False)


def plan(entry: Metric, sc: Scope) -> pl.LazyFrame:
    """The lazy query of a metric, or MissingTables when its tables are absent."""
    by = sc.by if entry.grouped else "coach"
    for need in entry.needs:
        options = (need,) if isinstance(need, str) else need
        if not any(t in sc.ws for t in options):
            raise MissingTables(options, entry.empty(by))
    return _finish(entry.build(sc), entry.schema(by))


def run(entry: Metric, sc: Scope) -> pl.DataFrame:
    """Compute one metric for a scope."""
    return plan(entry, sc).collect()
