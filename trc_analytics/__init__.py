"""trc-analytics: supervision and practice analytics for Trauma Recovery Coaches.

The public API is imported lazily (PEP 562) so that the `trc` command starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Workspace": "trc_analytics.records.workspace",
    "WorkspaceError": "trc_analytics.records.workspace",
    "load_schema": "trc_analytics.records.schema",
    "load_workspace": "trc_analytics.records.load",
    "validate_workspace": "trc_analytics.records.validate",
    "MissingTables": "trc_analytics.errors",
    "TrcError": "trc_analytics.errors",
    "compute_all": "trc_analytics.metrics",
    "protect_counts": "trc_analytics.disclosure",
    "protect_magnitudes": "trc_analytics.disclosure",
    "protect_rate": "trc_analytics.disclosure",
    "CHECKS": "trc_analytics.checks",
    "Check": "trc_analytics.checks",
    "CheckResults": "trc_analytics.checks",
    "FINDING_SCHEMA": "trc_analytics.checks",
    "run_checks": "trc_analytics.checks",
    "generate_demo": "trc_analytics.demo",
    "write_demo": "trc_analytics.demo",
    "PLANTED_CHECKS": "trc_analytics.demo",
    "render_report": "trc_analytics.reports.render",
    "render": "trc_analytics.reports.render",
    "ReportRequest": "trc_analytics.reports.request",
    "open_report": "trc_analytics.reports.context",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from trc_analytics.version import package_version

        return package_version()
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'trc_analytics' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
