"""The ethics check catalogue (SPEC section 4): declared checks, and a runner producing findings.

from trc_analytics.checks import CHECKS, run_checks
results = run_checks(ws, Period.parse("2026-01-01", "2026-06-30"))
results.findings      # one row per finding (FINDING_SCHEMA)
results.status        # one row per check: evaluated or why not, counts, compliance rate
results.compliance()  # examined / compliant per check and region
"""

from trc_analytics.checks.catalogue import CHECKS, get_check
from trc_analytics.checks.check import FINDING_SCHEMA, SEVERITIES, Check
from trc_analytics.checks.compare import (
    CHANGES,
    RATE_COLUMNS,
    change_counts,
    compare_findings,
    findings_per_100,
)
from trc_analytics.checks.runner import (
    CASES_SCHEMA,
    STATUS_SCHEMA,
    CheckResults,
    run_checks,
    run_checks_in,
)

__all__ = [
    "CASES_SCHEMA",
    "CHANGES",
    "CHECKS",
    "FINDING_SCHEMA",
    "RATE_COLUMNS",
    "SEVERITIES",
    "STATUS_SCHEMA",
    "Check",
    "CheckResults",
    "change_counts",
    "compare_findings",
    "findings_per_100",
    "get_check",
    "run_checks",
    "run_checks_in",
]
