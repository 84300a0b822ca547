"""Every metric and every check result is what the implementation before issue 13 computed.

The golden files (`expected/`) were written by `regenerate.py` from commit 3e9f368 on three
demo workspaces committed as Parquet fixtures (`fixtures/`, seeds 11-13), in three scenarios
(whole window by coach, a half-year by region, a quarter for three coaches). The test computes
the same with the package as it is and compares metric by metric, and the checks' findings,
status and cases row by row.

Metrics and checks added after that commit are skipped by name, and columns added to a metric
since are left out of the comparison (the golden files know only the columns they had); every
golden metric, column, check and row must still be there, with the same values (floats to
1e-9). When a result changes on purpose, regenerate from the commit that changed it:
`python tests/golden/regenerate.py --commit <commit>`.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from tests.golden import results

CASES = [(seed, name) for seed in results.SEEDS for name in results.SCENARIOS]


@pytest.fixture(scope="module")
def workspaces() -> dict[int, Any]:
    """The three fixture workspaces, loaded once."""
    return {seed: results.load_fixture(seed) for seed in results.SEEDS}


def same(a: Any, b: Any) -> bool:
    """Two JSON cells are equal; floats to 1e-9 (sums may add in another order)."""
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def differences(label: str, got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """How `got` differs from the golden `want` (its columns only), as short lines."""
    if "missing" in want or "missing" in got:
        return [] if got == want else [f"{label}: {got.get('missing')} vs {want.get('missing')}"]
    missing = [c for c in want["columns"] if c not in got["columns"]]
    if missing:
        return [f"{label}: columns gone: {missing}"]
    index = [got["columns"].index(c) for c in want["columns"]]
    dtypes = [got["dtypes"][i] for i in index]
    if dtypes != want["dtypes"]:
        return [f"{label}: dtypes {dtypes} != {want['dtypes']}"]
    rows = [[row[i] for i in index] for row in got["rows"]]
    rows.sort(key=lambda r: json.dumps(r))
    expected = sorted(want["rows"], key=lambda r: json.dumps(r))
    if len(rows) != len(expected):
        return [f"{label}: {len(rows)} rows, expected {len(expected)}"]
    bad = [(r, e) for r, e in zip(rows, expected, strict=True) if not same(r, e)]
    return [f"{label}: {len(bad)} rows differ, first {bad[0][0]} != {bad[0][1]}"] if bad else []


def only_checks(frame: dict[str, Any], checks: set[str]) -> dict[str, Any]:
    """A serialized check frame without the rows of checks the golden files do not know."""
    at = frame["columns"].index("check_id")
    return {**frame, "rows": [r for r in frame["rows"] if r[at] in checks]}


@pytest.mark.parametrize(("seed", "scenario"), CASES)
def test_every_metric_and_finding_unchanged(workspaces, seed: int, scenario: str) -> None:
    path = results.GOLDEN / f"seed-{seed}" / f"{scenario}.json"
    want = json.loads(path.read_text(encoding="utf-8"))
    got = results.scenario_results(workspaces[seed], scenario)
    problems = []
    for metric, frame in want["metrics"].items():
        if metric not in got["metrics"]:
            problems.append(f"{metric}: no longer computed")
            continue
        problems += differences(metric, got["metrics"][metric], frame)
    at = want["checks"]["status"]["columns"].index("check_id")
    known = {row[at] for row in want["checks"]["status"]["rows"]}
    for part, frame in want["checks"].items():
        problems += differences(part, only_checks(got["checks"][part], known), frame)
    assert not problems, "\n".join(problems)


def test_a_changed_value_is_caught(workspaces) -> None:
    """The comparison itself notices one value changed (a near miss: the same value passes)."""
    got = results.scenario_results(workspaces[11], "quarter-three-coaches")
    frame = got["metrics"]["fee_mix"]
    assert differences("fee_mix", frame, frame) == []
    at = frame["columns"].index("sessions")
    changed = {**frame, "rows": [list(r) for r in frame["rows"]]}
    changed["rows"][0][at] += 1
    assert differences("fee_mix", changed, frame)
