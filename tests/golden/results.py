"""Every metric and every check result of a workspace, serialized so two implementations compare.

Used two ways:
- by `test_results_unchanged.py`, on the package under test;
- by `regenerate.py`, in a separate process whose `trc_analytics` is an older commit's, to
  write the golden files the test compares against.

So this module imports only what every version of the package has had since the golden
commit: `compute_all`, `run_checks`, `Workspace.from_frames`, `Period`.

Serialization: each frame becomes {"columns", "dtypes", "rows"}, its rows sorted by every
column (nulls first) so the order a plan happens to produce does not matter; dates are ISO
text and floats are kept as JSON numbers (the test compares them to 1e-9). Enum dtypes are
written as "Enum" (their categories grow when a vocabulary does).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

#: The demo workspaces the golden files cover: seed -> folder name under fixtures/.
SEEDS = (11, 12, 13)
#: The fixtures' window (`trc demo --coaches 10 --months 15 --start 2025-01-01`).
FIRST, LAST = dt.date(2025, 1, 1), dt.date(2026, 3, 31)
#: Scenarios: name -> (period start, period end, by, coaches (None = all, else the first n)).
SCENARIOS: dict[str, tuple[dt.date, dt.date, str, int | None]] = {
    "window-by-coach": (FIRST, LAST, "coach", None),
    "half-year-by-region": (dt.date(2025, 10, 1), LAST, "region", None),
    "quarter-three-coaches": (dt.date(2025, 4, 1), dt.date(2025, 6, 30), "coach", 3),
}
HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "expected"


def load_fixture(seed: int):
    """The Parquet demo workspace of one seed, as an in-memory `Workspace`."""
    from trc_analytics.records.workspace import Workspace

    folder = FIXTURES / f"seed-{seed}"
    return Workspace.from_frames({p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*"))})


def dtype_name(dtype: pl.DataType) -> str:
    """The dtype as text; every Enum reads "Enum" (its categories are not the result)."""
    return "Enum" if isinstance(dtype, pl.Enum) else str(dtype)


def plain(value: Any) -> Any:
    """A cell as a JSON value."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def frame_json(df: pl.DataFrame) -> dict[str, Any]:
    """A frame as columns, dtypes and rows sorted by every column."""
    sortable = [c for c, t in df.schema.items() if not isinstance(t, (pl.List, pl.Struct))]
    if sortable:
        text = df.select(
            pl.col(c).cast(pl.String) if isinstance(df.schema[c], pl.Enum) else pl.col(c)
            for c in df.columns
        )
        order = text.with_row_index("_i").sort(sortable, nulls_last=False)["_i"]
        df = df[order]
    return {
        "columns": df.columns,
        "dtypes": [dtype_name(t) for t in df.dtypes],
        "rows": [[plain(v) for v in row] for row in df.iter_rows()],
    }


def scenario_results(ws: Any, name: str) -> dict[str, Any]:
    """Every metric frame and the checks' findings, status and cases for one scenario."""
    from trc_analytics.checks import run_checks
    from trc_analytics.errors import MissingTables
    from trc_analytics.metrics import compute_all
    from trc_analytics.period import Period

    start, end, by, first_n = SCENARIOS[name]
    coaches = None
    if first_n is not None:
        coaches = sorted(ws["coaches"]["coach_id"].to_list())[:first_n]
    period = Period(start, end)
    metrics = compute_all(ws, period, coaches=coaches, by=by)
    out: dict[str, Any] = {"metrics": {}}
    for metric, frame in metrics.items():
        out["metrics"][metric] = (
            {"missing": str(frame)} if isinstance(frame, MissingTables) else frame_json(frame)
        )
    checks = run_checks(ws, period, coaches=coaches)
    out["checks"] = {
        "findings": frame_json(checks.findings),
        "status": frame_json(checks.status),
        "cases": frame_json(checks.cases),
    }
    return out
