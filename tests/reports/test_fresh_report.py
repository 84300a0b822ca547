"""A single fresh report starts quickly (issue 13): what its kernel and its caller import, how
the caller hands the validated workspace and results over, and that nothing is left behind."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

MODULES_PROBE = """
import json, sys
import {module}
print(json.dumps(sorted(m for m in ("scipy", "pandas") if m in sys.modules)))
"""


@pytest.mark.parametrize(
    "module",
    [
        "trc_analytics.reports.supervisor",
        "trc_analytics.reports.self_audit",
        "trc_analytics.reports.render",
        "trc_analytics.disclosure",
    ],
)
def test_a_coach_report_does_not_import_scipy(module: str) -> None:
    """SciPy (about 0.5 s of a kernel's start) loads only when an audit solves a program."""
    code = MODULES_PROBE.format(module=module)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_solver_imports_scipy_when_it_solves() -> None:
    """The near miss: a linear program still gets solved, SciPy loading on the first one."""
    code = (
        "import sys\nfrom trc_analytics.disclosure.solver import linprog\n"
        "assert 'scipy' not in sys.modules\n"
        "res = linprog([1.0], bounds=[(2.0, None)], method='highs')\n"
        "print(res.status, round(float(res.x[0]), 6), 'scipy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.split() == ["0", "2.0", "True"]
