"""One report request: what is asked for (kind, period, subject, policy) and its checks.

The CLI, the batch and the notebooks build a `ReportRequest`; `render.py` and `context.py` read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trc_analytics.period import Period

if TYPE_CHECKING:
    from trc_analytics.records.workspace import Workspace

#: Report kind -> (notebook file, human title).
KINDS: dict[str, tuple[str, str]] = {
    "supervisor": ("supervisor_review.ipynb", "Supervisor review"),
    "self-audit": ("coach_self_audit.ipynb", "Coach self-audit"),
    "association": ("association_report.ipynb", "Association report"),
}


class ReportError(Exception):
    """The report could not be produced; the message says why in plain words."""


class ReportUsageError(ReportError):
    """The report was asked for with parameters it refuses (`trc report` exits 2)."""


@dataclass(frozen=True)
class ReportRequest:
    """Everything that identifies one report (what the footer echoes)."""

    kind: str
    period: Period
    coach: str | None = None
    supervisor: str | None = None
    policy_file: str | None = None
    keep_valid: bool = False
    min_cell: int | None = None

    @property
    def subject(self) -> str:
        """Coach id, `portfolio-<supervisor id>`, or `all` for the association."""
        if self.kind == "association":
            return "all"
        if self.supervisor:
            return f"portfolio-{self.supervisor}"
        return str(self.coach)

    def file_name(self) -> str:
        """`<kind>_<subject>_<from>_<to>.html`, safe on every file system."""
        subject = re.sub(r"[^A-Za-z0-9._-]+", "_", self.subject)
        return f"{self.kind}_{subject}_{self.period.label()}.html"

    def check(self) -> None:
        """Raise `ReportError` when the subject does not fit the kind."""
        if self.kind not in KINDS:
            raise ReportError(f"unknown report {self.kind!r}; choose one of {', '.join(KINDS)}")
        if self.kind == "association":
            if self.coach or self.supervisor:
                raise ReportError(
                    "the association report covers all coaches; do not give --coach or --supervisor"
                )
        elif self.kind == "self-audit":
            if not self.coach or self.supervisor:
                raise ReportError("a self-audit is about one coach: give --coach ID")
        elif bool(self.coach) == bool(self.supervisor):
            raise ReportError(
                "a supervisor review needs either --coach ID (one coach) or --supervisor ID "
                "(that supervisor's portfolio)"
            )


def check_subject(ws: Workspace, request: ReportRequest) -> None:
    """Raise `ReportError` when the coach or supervisor is not in the workspace."""
    import polars as pl

    coaches = ws["coaches"]
    source = ws.sources.get("coaches", "coaches")
    if request.coach and coaches.filter(pl.col("coach_id") == request.coach).is_empty():
        raise ReportError(f"coach {request.coach} is not in {source} (column coach_id)")
    if (
        request.supervisor
        and coaches.filter(pl.col("supervisor_id") == request.supervisor).is_empty()
    ):
        raise ReportError(
            f"no coach in {source} has supervisor_id {request.supervisor}: nothing to review"
        )
