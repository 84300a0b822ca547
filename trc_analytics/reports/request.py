"""One report request: what is asked for (kind, period, subject, policy) and its checks.

The CLI, the batch, `render_report` and the notebooks' `open_report` build a `ReportRequest` and
check it with its one `validate()`; `parameters()` / `from_parameters()` carry it into the kernel.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trc_analytics.checks.runner import check_severity_policy
from trc_analytics.errors import unknown_id_message
from trc_analytics.metrics.requirements import Requirements, RequirementsError, load_requirements
from trc_analytics.period import Period, parse_date
from trc_analytics.policy import Policy
from trc_analytics.records.workspace import WorkspaceError
from trc_analytics.reports.target import (  # the errors live there, without polars
    ReportError,  # noqa: F401 (re-exported: every caller imports it from here)
    ReportUsageError,
    report_file_name,
    report_subject,
)
from trc_analytics.reports.theme import DEFAULT_PAPER, PAPERS

if TYPE_CHECKING:
    from trc_analytics.records.workspace import Workspace

#: Report kind -> (notebook file, human title).
KINDS: dict[str, tuple[str, str]] = {
    "supervisor": ("supervisor_review.ipynb", "Supervisor review"),
    "self-audit": ("coach_self_audit.ipynb", "Coach self-audit"),
    "association": ("association_report.ipynb", "Association report"),
}


class NotebookParameterError(ReportUsageError):
    """A report notebook's parameters refused, in one sentence naming the parameter.

    Jupyter shows `_render_traceback_` instead of a traceback: a coach who set both `coach`
    and `supervisor` reads what to change, not the package's call stack.
    """

    def _render_traceback_(self) -> list[str]:
        return [str(self)]

    @classmethod
    def of(cls, exc: ReportUsageError) -> NotebookParameterError:
        """The notebook wording of a refusal."""
        return cls(exc.notebook)


#: Problems an invalid workspace names in a notebook's one message (`trc validate` lists all).
NOTEBOOK_PROBLEMS_SHOWN = 5


class NotebookWorkspaceError(WorkspaceError):
    """An invalid workspace opened by a report notebook, in one message: how many problems,
    the first few with file, row and column, and what to change in the parameters cell.

    Like `NotebookParameterError`, Jupyter shows `_render_traceback_` instead of a traceback:
    a coach who opened a report on a workspace with a bad date reads which cell to fix, not
    the package's call stack. `problems` keeps the whole list (a WorkspaceError's).
    """

    def _render_traceback_(self) -> list[str]:
        return [str(self)]

    @classmethod
    def of(cls, exc: WorkspaceError, label: str, *, keep_valid: bool) -> NotebookWorkspaceError:
        """`exc` in the words of a notebook; `label` names the workspace (a folder's name)."""
        return cls(workspace_problems_text(exc, label, keep_valid=keep_valid), exc.problems)


def workspace_problems_text(exc: WorkspaceError, label: str, *, keep_valid: bool) -> str:
    """`The workspace ws is invalid, so no report was made: 1 problem: coaches.csv row 2,
    column coach_training_started_on: '2025-13-01' (impossible date; expected ...). Fix ...`"""
    problems = exc.problems
    if problems.is_empty():  # a WorkspaceError without a list (cannot be read at all)
        return f"The workspace {label} cannot be used, so no report was made: {exc}"
    shown = [_problem_text(p) for p in problems.head(NOTEBOOK_PROBLEMS_SHOWN).iter_rows(named=True)]
    more = problems.height - len(shown)
    listed = "; ".join(shown) + (f"; and {more:,} more" if more else "")
    fix = (
        "Fix the rows listed: even with `keep_valid` no usable coaches table is left"
        if keep_valid
        else "Fix the rows listed, or set `keep_valid = True` in the parameters cell to leave "
        "the invalid rows out of every figure"
    )
    n = problems.height
    return (
        f"The workspace {label} is invalid, so no report was made: {n:,} "
        f"problem{'s' if n != 1 else ''}: {listed}. {fix} (`trc validate` lists every problem)."
    )


def _problem_text(p: dict[str, Any]) -> str:
    """One problem: `coaches.csv row 2, column x: '2025-13-01' (impossible date; expected a
    real calendar date as YYYY-MM-DD)` (file, sheet, row and column when it has them)."""
    where = p["file"] + (f" / {p['sheet']}" if p.get("sheet") else "")
    if p.get("row") is not None:
        where += f" row {p['row']}"
    if p.get("column"):
        where += f", column {p['column']}"
    value = f" {p['value']!r}" if p.get("value") is not None else ""
    expected = f"; expected {p['expected']}" if p.get("expected") else ""
    return f"{where}:{value} ({str(p['problem']).replace('_', ' ')}{expected})"


#: A notebook parameter as a sentence names it.
def _param(name: str) -> str:
    return f"`{name}` in the parameters cell"


@dataclass(frozen=True)
class ReportRequest:
    """Everything that identifies one report (what the footer echoes and the notebook receives).

    The CLI, the batch, `render_report` and the notebooks' `open_report` all build this one
    shape and check it with the one `validate()`.
    """

    kind: str
    period: Period
    coach: str | None = None
    supervisor: str | None = None
    policy_file: str | None = None
    keep_valid: bool = False
    min_cell: int | None = None
    #: the workspace as the user named it; None means `TRC_DATA` or the bundled demo workspace
    data: str | None = None
    #: the period a coach report compares with: None is the period of the same length just
    #: before; `NO_COMPARISON` turns the comparison off (`--compare-to none`)
    compare_to: Period | str | None = None
    #: the day the request is judged on (a period may not end after it); None is today
    today: dt.date | None = None
    #: the paper the page prints on (`theme.PAPERS`): only the stylesheet's `@page size`
    paper: str = DEFAULT_PAPER
    #: an association's credential levels (TOML, the form of the ICF's), shown after the ICF's
    #: in the coach reports' credential progress; None: the ICF's levels only
    requirements_file: str | None = None

    @classmethod
    def from_parameters(cls, kind: str, **parameters: Any) -> ReportRequest:
        """The request a notebook's `parameters` cell describes (dates as YYYY-MM-DD text).

        A bad date or `compare_to` raises `ReportUsageError` whose `notebook` wording names
        the parameter."""
        policy_file = parameters.get("policy_file")
        requirements_file = parameters.get("requirements_file")
        data = parameters.get("data")
        return cls(
            kind=kind,
            period=_period_parameters(parameters["date_from"], parameters["date_to"]),
            coach=parameters.get("coach"),
            supervisor=parameters.get("supervisor"),
            policy_file=str(policy_file) if policy_file else None,
            keep_valid=bool(parameters.get("keep_valid", False)),
            min_cell=parameters.get("min_cell"),
            data=str(data) if data else None,
            compare_to=parse_compare_to(parameters.get("compare_to")),
            requirements_file=str(requirements_file) if requirements_file else None,
        )

    def parameters(self, data: Path) -> dict[str, Any]:
        """The values papermill injects into the notebook (paths absolute, no secret).

        `data` is the resolved workspace path; `from_parameters` reads these back.
        """
        params: dict[str, Any] = {
            "data": str(data),
            "date_from": self.period.start.isoformat(),
            "date_to": self.period.end.isoformat(),
            "policy_file": str(Path(self.policy_file).resolve()) if self.policy_file else None,
            "keep_valid": self.keep_valid,
        }
        if self.kind == "association":
            params["min_cell"] = self.min_cell
        else:
            params["coach"] = self.coach
            params["compare_to"] = compare_to_text(self.compare_to)
            params["requirements_file"] = (
                str(Path(self.requirements_file).resolve()) if self.requirements_file else None
            )
        if self.kind == "supervisor":
            params["supervisor"] = self.supervisor
        return params

    @property
    def subject(self) -> str:
        """Coach id, `portfolio-<supervisor id>`, or `all` for the association."""
        return report_subject(self.kind, self.coach, self.supervisor)

    @property
    def title(self) -> str:
        """The report's human name: `Supervisor review`, `Coach self-audit`, ..."""
        return KINDS[self.kind][1]

    def file_name(self) -> str:
        """`<kind>_<subject>_<from>_<to>.html`, safe on every file system."""
        return report_file_name(self.kind, self.subject, self.period)

    def validate(self) -> Policy:
        """Check the request before any data is read; return the policy the report uses.

        Raises `ReportUsageError` for a subject that does not fit the kind, an unknown paper, an
        unreadable or invalid policy, and for the association report a `min_cell` below the
        floor or a period that is not whole calendar months. The CLI, the renderer and the
        kernel all call this.
        """
        self._check_subject_fits()
        self._check_not_future()
        if self.paper not in PAPERS:
            raise ReportUsageError(
                f"--paper: {self.paper!r} is not a paper size; choose one of {', '.join(PAPERS)}"
            )
        try:
            policy = Policy.load(self.policy_file, min_cell=self.min_cell)
            check_severity_policy(policy)
        except ValueError as exc:
            raise ReportUsageError(str(exc)) from None
        if self.kind == "association":
            self._check_release(policy)
        self.requirements()
        return policy

    def requirements(self) -> Requirements:
        """The credential levels the coach reports show: the ICF's, plus the association's
        `requirements_file`. A file that cannot be used, or one given for the association
        report (which shows no credential progress), is a `ReportUsageError` naming the file
        and the key (`--requirements`; in a notebook, `requirements_file`)."""
        if self.requirements_file and self.kind == "association":
            raise ReportUsageError(
                "--requirements is for the coach reports (credential progress), not the "
                "association report",
                notebook=f"The association report shows no credential progress: set "
                f"{_param('requirements_file')} to None.",
            )
        try:
            return load_requirements(self.requirements_file)
        except (RequirementsError, OSError) as exc:
            raise ReportUsageError(
                f"--requirements: {exc}",
                notebook=f"{_param('requirements_file')} cannot be used: {exc}",
            ) from None

    def _check_release(self, policy: Policy) -> None:
        """The association report's release conditions (`check_release`): a `min_cell` at the
        floor or above, and whole calendar months.

        The disclosure package is imported here, for the association report only: importing
        it loads its audits and NumPy, about 0.1 s CPU that a coach report's kernel and
        `trc report` would otherwise spend before their first cell (issue 13)."""
        from trc_analytics.disclosure.release import (
            MIN_CELL_FLOOR,
            ReleaseRefused,
            check_min_cell,
            check_release,
        )

        try:
            check_min_cell(policy.min_cell)
        except ReleaseRefused as exc:
            raise ReportUsageError(
                str(exc),
                notebook=f"min_cell {policy.min_cell} is below the floor of {MIN_CELL_FLOOR}: "
                f"the association report never shows counts smaller than {MIN_CELL_FLOOR}. "
                f"Set {_param('min_cell')} (or the policy file's min_cell) to "
                f"{MIN_CELL_FLOOR} or more.",
            ) from None
        try:
            check_release(min_cell=policy.min_cell, period=self.period)
        except ReleaseRefused as exc:
            start, end = self.period.start, self.period.end
            last = calendar.monthrange(end.year, end.month)[1]
            raise ReportUsageError(
                str(exc),
                notebook="The association report covers whole calendar months: set "
                f"{_param('date_from')} to a 1st and `date_to` to a month's last day, e.g. "
                f'date_from = "{start.replace(day=1).isoformat()}" and '
                f'date_to = "{end.replace(day=last).isoformat()}".',
            ) from None

    def check(self) -> None:
        """Raise `ReportUsageError` when the subject does not fit the kind."""
        self._check_subject_fits()

    def _check_not_future(self) -> None:
        """A period (or the period compared with) ending after today describes records that
        cannot exist yet: refused rather than reported as an all-clear."""
        try:
            self.period.refuse_after(self.today)
        except ValueError as exc:
            notebook = _future("date_to", self.period, self.today)
            raise ReportUsageError(str(exc), notebook=notebook) from None
        if isinstance(self.compare_to, Period):
            try:
                self.compare_to.refuse_after(self.today, name="--compare-to")
            except ValueError as exc:
                notebook = _future("compare_to", self.compare_to, self.today)
                raise ReportUsageError(str(exc), notebook=notebook) from None

    @property
    def comparison(self) -> Period | None:
        """The period a coach report compares with (None: no comparison).

        By default the period of the same length just before; the association report has none.
        """
        if self.kind == "association" or self.compare_to == NO_COMPARISON:
            return None
        if isinstance(self.compare_to, Period):
            return self.compare_to
        return previous_period(self.period)

    def _check_subject_fits(self) -> None:
        if self.kind not in KINDS:
            raise ReportUsageError(
                f"unknown report {self.kind!r}; choose one of {', '.join(KINDS)}"
            )
        if self.kind == "association":
            if self.coach or self.supervisor:
                raise ReportUsageError(
                    "the association report covers all coaches; do not give --coach or "
                    "--supervisor",
                    notebook="The association report covers all coaches: take `coach` and "
                    "`supervisor` out of the parameters cell.",
                )
        elif self.kind == "self-audit":
            if not self.coach:
                raise ReportUsageError(
                    "a self-audit is about one coach: give --coach ID",
                    notebook=f'Set {_param("coach")} to your coach id, e.g. coach = "C-0001".',
                )
            if self.supervisor:
                raise ReportUsageError(
                    "a self-audit is about one coach: give --coach, not --supervisor",
                    notebook="A self-audit is about one coach: set `coach` in the parameters "
                    "cell, not `supervisor`.",
                )
        elif self.coach and self.supervisor:
            raise ReportUsageError(
                "a supervisor review is of one coach or one portfolio: "
                "give --coach or --supervisor, not both",
                notebook="Set either `coach` or `supervisor` in the parameters cell, not both.",
            )
        elif not self.coach and not self.supervisor:
            raise ReportUsageError(
                "a supervisor review needs --coach ID (one coach) or --supervisor ID "
                "(that supervisor's portfolio)",
                notebook="Set `coach` (one coach) or `supervisor` (that supervisor's "
                "portfolio) in the parameters cell.",
            )


#: `--compare-to none`: the coach report makes no comparison.
NO_COMPARISON = "none"


def previous_period(period: Period) -> Period:
    """The period of the same length ending the day before `period` starts: the same number of
    whole calendar months when `period` is whole months (January-June -> July-December), else
    the same number of days."""
    end = period.start - dt.timedelta(days=1)
    next_day = period.end + dt.timedelta(days=1)
    if period.start.day == 1 and next_day.day == 1:
        months = len(period.months())
        start = end.replace(day=1)
        for _ in range(months - 1):
            start = (start - dt.timedelta(days=1)).replace(day=1)
        return Period(start, end)
    return Period(end - (period.end - period.start), end)


def parse_compare_to(value: object) -> Period | str | None:
    """`FROM..TO`, `none`, or nothing (the previous period); a ReportUsageError names a bad
    value."""
    if isinstance(value, Period):
        return value
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.lower() == NO_COMPARISON:
        return NO_COMPARISON
    start, sep, end = text.partition("..")
    notebook = (
        f'{_param("compare_to")} is {text!r}: write "FROM..TO" (YYYY-MM-DD..YYYY-MM-DD), '
        '"none" (no comparison) or None (the period just before).'
    )
    if not sep:
        raise ReportUsageError(
            f"--compare-to: {text!r} is neither FROM..TO (YYYY-MM-DD..YYYY-MM-DD) nor none",
            notebook=notebook,
        )
    try:  # the one date message: "--compare-to: 'x' is not a date as YYYY-MM-DD"
        first, last = parse_date(start.strip(), "compare-to"), parse_date(end.strip(), "compare-to")
    except ValueError as exc:
        raise ReportUsageError(str(exc), notebook=notebook) from None
    try:
        return Period(first, last)
    except ValueError as exc:
        raise ReportUsageError(
            f"--compare-to {text!r}: {exc}",
            notebook=f"{_param('compare_to')} ({text!r}) ends before it starts.",
        ) from None


def _period_parameters(date_from: object, date_to: object) -> Period:
    """The period of a notebook's `date_from` and `date_to` (`ReportUsageError` naming them)."""
    days = []
    for name, value in (("from", date_from), ("to", date_to)):
        try:
            days.append(parse_date(value, name))  # type: ignore[arg-type]
        except ValueError as exc:
            raise ReportUsageError(
                str(exc),
                notebook=f"{_param('date_' + name)} is {value!r}, not a date as YYYY-MM-DD "
                '(e.g. "2026-01-31").',
            ) from None
    try:
        return Period(days[0], days[1])
    except ValueError as exc:
        raise ReportUsageError(
            str(exc),
            notebook=f"{_param('date_to')} ({days[1].isoformat()}) is before `date_from` "
            f"({days[0].isoformat()}).",
        ) from None


def _sentence(text: str) -> str:
    """`text` ending as a sentence does (a full stop unless it asks a question)."""
    return text if text.endswith(("?", ".")) else text + "."


def _future(name: str, period: Period, today: dt.date | None) -> str:
    """The notebook's refusal of a period that ends after today."""
    verb = "is" if name == "date_to" else "ends on"
    return (
        f"{_param(name)} {verb} {period.end.isoformat()}, after today "
        f"({(today or dt.date.today()).isoformat()}): only days that have passed have records."
    )


def compare_to_text(value: Period | str | None) -> str | None:
    """The notebook parameter for `compare_to`: `FROM..TO`, `none`, or None (previous period)."""
    if isinstance(value, Period):
        return f"{value.start.isoformat()}..{value.end.isoformat()}"
    return value


def check_subject(ws: Workspace, request: ReportRequest) -> None:
    """Raise `ReportUsageError` (exit 2, as in every command) when the coach or supervisor is
    not in the workspace, suggesting close matches ("did you mean C-0007?")."""
    coaches = ws["coaches"]
    ids = [str(c) for c in coaches.get_column("coach_id").drop_nulls().to_list()]
    if request.coach and request.coach not in ids:
        message = unknown_id_message("coach", [request.coach], ids)
        raise ReportUsageError(
            message,
            notebook=f"Set {_param('coach')} to a coach of the workspace: {_sentence(message)}",
        )
    if not request.supervisor:
        return
    column = coaches.get_column("supervisor_id") if "supervisor_id" in coaches.columns else None
    supervisors = [] if column is None else [str(s) for s in column.drop_nulls().unique()]
    if request.supervisor not in supervisors:
        message = unknown_id_message("supervisor", [request.supervisor], sorted(supervisors))
        raise ReportUsageError(
            message + " (no coach has that supervisor_id: nothing to review)",
            notebook=f"Set {_param('supervisor')} to the supervisor_id of some coach of the "
            f"workspace: {_sentence(message)}",
        )
