"""What every section of a report works from: the workspace, period, policy and subject coaches.

A notebook's first call, `open_report(...)`, loads (or reuses) the workspace, checks the subject
and returns a `ReportContext`; each section builder then reads metrics and check results from it.
Metrics and checks are computed once per report for all its coaches and filtered per coach.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.records.workspace import WorkspaceError
from trc_analytics.reports.request import (
    NotebookParameterError,
    NotebookWorkspaceError,
    ReportRequest,
    ReportUsageError,
    check_subject,
)
from trc_analytics.scope import Scope

if TYPE_CHECKING:
    from trc_analytics.checks import CheckResults
    from trc_analytics.metrics.requirements import Requirements
    from trc_analytics.records.workspace import Workspace

#: Loaded workspaces kept by a report kernel that renders several reports (batch), keyed by the
#: path, the files' sizes and modification times, and keep_valid. A changed file is reloaded.
_WORKSPACES: dict[tuple[Any, ...], Workspace] = {}
_MAX_CACHED = 2
#: Set (to "1") in the environment of a batch worker's kernel: reports then compute metrics and
#: checks once for every coach of the workspace and period, and each report filters its coach.
SHARE_ENV = "TRC_REPORT_BATCH"
_SHARED: dict[tuple[Any, ...], SharedResults] = {}
T = TypeVar("T")


@dataclass(frozen=True)
class SharedResults:
    """What a batch kernel computes once per workspace, period and policy for every coach.

    `metrics` and `checks` as `compute_in` and `run_checks_in` give them; `held` the number
    of sessions each coach held in the period; `spans` each coach's first and last recorded
    session day, whatever the period. A report looks its coach up here: filtering the whole
    workspace again for each of 2,000 coaches made the batch grow with the square of its size.
    A batch's parent process computes them once and hands them to every kernel
    (`BatchShare`); pickled, they leave out the workspace (each kernel loads its own) and
    what is rebuilt on use (the scope, the splits by coach).
    """

    ws: Workspace
    period: Period
    policy: Policy
    metrics: dict[str, Any]
    checks: Any
    held: dict[str, int]
    spans: dict[str, tuple[Any, Any]]
    _by_coach: dict[str, dict[Any, pl.DataFrame]] = field(default_factory=dict, repr=False)
    _built: dict[Hashable, Any] = field(default_factory=dict, repr=False)
    _scope: list[Scope] = field(default_factory=list, repr=False)

    @property
    def scope(self) -> Scope:
        """The scope of every coach the results were computed in (made again after a
        hand-over: its shared frames are built on use)."""
        if not self._scope:
            self._scope.append(Scope.make(self.ws, self.period, policy=self.policy))
        return self._scope[0]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.update(ws=None, _by_coach={}, _scope=[])
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def with_workspace(self, ws: Workspace) -> SharedResults:
        """These results attached to `ws`, loaded from the files they were computed from
        (after a hand-over, which leaves the workspace out)."""
        object.__setattr__(self, "ws", ws)
        return self

    def built(self, key: Hashable, build: Callable[[Scope], T]) -> T:
        """`build(scope)` over every coach, computed on first use under `key` and kept: what a
        section needs beyond the registered metrics (credential progress against a set of
        levels), built once per batch instead of once per report."""
        if key not in self._built:
            self._built[key] = build(self.scope)
        return self._built[key]  # type: ignore[no-any-return]

    def rows_of(self, name: str, frame: pl.DataFrame, coach: str) -> pl.DataFrame:
        """`frame.filter(coach_id == coach)` (same rows, same order), from a split of `frame`
        by coach made on first use under `name`: one pass instead of one per report."""
        parts = self._by_coach.get(name)
        if parts is None:
            parts = {k[0]: v for k, v in frame.partition_by("coach_id", as_dict=True).items()}
            self._by_coach[name] = parts
        part = parts.get(coach)
        return part if part is not None else frame.clear()


def _coach_spans(ws: Workspace) -> dict[str, tuple[Any, Any]]:
    """First and last `held_on` of every coach's sessions (any status, any period)."""
    if "sessions" not in ws:
        return {}
    spans = (
        ws["sessions"]
        .group_by("coach_id")
        .agg(first=pl.col("held_on").min(), last=pl.col("held_on").max())
    )
    return {c: (f, la) for c, f, la in spans.iter_rows()}


def _shared_results(ws: Workspace, period: Period, policy: Policy) -> SharedResults:
    """Metrics, check results and per-coach lookups of every coach, computed once per
    workspace, period and policy (or taken from the batch's parent: `BatchShare`).

    All run in one scope, so the frames they share (held sessions, credential standing) are
    built once.
    """
    from trc_analytics.checks import run_checks_in
    from trc_analytics.metrics import compute_in

    _take_share()
    key = (id(ws), period, policy)
    hit = _SHARED.get(key)
    if hit is None or hit.ws is not ws:
        every_coach = Scope.make(ws, period, policy=policy)
        held: dict[str, int] = {}
        if "sessions" in ws:
            counts = every_coach.held_in_period().group_by("coach_id").len().collect()
            held = dict(counts.iter_rows())
        metrics, checks = compute_in(every_coach), run_checks_in(every_coach)
        hit = SharedResults(ws, period, policy, metrics, checks, held, _coach_spans(ws))
        hit._scope.append(every_coach)
        _keep_shared(hit)
    return hit


def _keep_shared(results: SharedResults) -> None:
    """Keep `results` for this process's next reports (at most `_MAX_CACHED`)."""
    if len(_SHARED) >= _MAX_CACHED:
        _SHARED.pop(next(iter(_SHARED)))
    _SHARED[(id(results.ws), results.period, results.policy)] = results


# --- a batch's parent hands every coach's results to its kernels --------------------------------

#: Set in a batch worker's environment (and so its kernels'): the file where the batch's parent
#: process leaves every coach's results (`BatchShare`).
SHARE_FILE_ENV = "TRC_REPORT_BATCH_SHARE"
#: Whether this process has looked for the batch's hand-over yet (it does so once).
_SHARE_TAKEN: list[bool] = []


@dataclass(frozen=True)
class BatchShare:
    """Every coach's results, computed once by a batch's parent process for its kernels.

    `key` is `load_cached`'s key of the workspace they were computed from (path, keep_valid
    and the files' sizes and times): a kernel adopts them only for a workspace it loaded under
    the same key, so files changed meanwhile are computed afresh. The workspace itself is not
    handed over: pickled, a 2,000-coach workspace is ~280 MB and reading it back costs as much
    as loading it from its Parquet files.
    """

    key: tuple[Any, ...]
    results: list[SharedResults]
    #: what a batch worker needs of the workspace (`worker_view`); not for the kernels
    view: Workspace | None = None


def worker_view(ws: Workspace) -> Workspace:
    """The part of a loaded workspace a batch worker uses for a report: the coaches (to check
    the report's subject) and what its footer says (sources, rows set aside, digest). Small,
    so the parent hands it to the workers instead of each loading and validating every file
    again (about 1 s CPU per worker at 2,000 coaches); the records stay with the kernels."""
    from trc_analytics.records.workspace import Workspace

    return Workspace(
        {"coaches": ws["coaches"]},
        schema=ws.schema,
        path=ws.path,
        sources=dict(ws.sources),
        set_aside=ws.set_aside,
        digest=ws.digest,
    )


def share_for_batch(
    path: Path,
    *,
    keep_valid: bool,
    periods: Sequence[Period],
    policy: Policy,
    prepare: Callable[[SharedResults], object] | None = None,
) -> BatchShare:
    """Load (validate) the workspace at `path` and compute every coach's results for each of
    `periods` once, in the batch's parent, for its kernels. `prepare(results)` builds what a
    report kind adds to them (`SharedResults.built`) for the first period. Raises what
    `load_workspace` raises."""
    key, ws = _load_keyed(path, keep_valid=keep_valid)
    results = [_shared_results(ws, p, policy) for p in dict.fromkeys(periods)]
    if prepare is not None and results:
        prepare(results[0])
    # the key the files had when loaded, not now: a file edited meanwhile must not make these
    # results look like those of the edited files to a kernel that loads them
    return BatchShare(key, results, worker_view(ws))


def write_share(share: BatchShare, target: Path, view_target: Path | None = None) -> bool:
    """Pickle the hand-over to `target` in the caller's private runtime folder, owner-only
    (`kernel_runtime.write_private`), and the workers' view of the workspace (key and
    `worker_view`) to `view_target` when given. False (and nothing left) when the hand-over
    cannot be written: each kernel then computes as it would without; a view not written
    means the workers load the workspace themselves."""
    from trc_analytics.reports.kernel_runtime import write_private

    if view_target is not None and share.view is not None:
        write_private((share.key, share.view), view_target)
    return write_private(replace(share, view=None), target)


def read_worker_view(view_file: str | os.PathLike[str]) -> tuple[Any, Workspace] | None:
    """(key, view) the batch's parent left in `view_file` (`write_share`), or None when there
    is none or it cannot be read: the worker then loads the workspace itself. The view serves
    while `workspace_key` of the files is still `key`."""
    from trc_analytics.reports.kernel_runtime import read_private

    handed = read_private(view_file)
    return handed if isinstance(handed, tuple) and len(handed) == 2 else None


def _take_share() -> None:
    """Once per process: adopt the results the batch's parent left in the file
    `SHARE_FILE_ENV` names, for the workspace this process loaded under the same key.
    Nothing happens without the variable, without the file (not written), when it cannot be
    read or when no loaded workspace matches; the kernel then computes itself. The file stays
    for the batch's other kernels; the parent removes it (with its private folder) when the
    batch ends."""
    from trc_analytics.reports.kernel_runtime import read_private

    name = os.environ.get(SHARE_FILE_ENV)
    if _SHARE_TAKEN or not name:
        return
    _SHARE_TAKEN.append(True)
    share = read_private(name)
    if not isinstance(share, BatchShare):
        return
    ws = _WORKSPACES.get(share.key)
    if ws is not None:
        for one in share.results:
            _keep_shared(one.with_workspace(ws))


def _signature(path: Path) -> tuple[Any, ...]:
    """Each file's name, size and modification time (one `stat` per entry; folders and broken
    links left out, as before)."""
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    found = []
    for f in files:
        try:
            st = f.stat()
        except OSError:  # a broken link: not a file
            continue
        if stat.S_ISREG(st.st_mode):
            found.append((f.name, st.st_size, st.st_mtime_ns))
    return tuple(found)


#: What the process that started this kernel prepared for the report it is about to run
#: (`receive_prepared`), by the report's parameters; taken once by the matching `open_report`.
_PREPARED: dict[tuple[Any, ...], PreparedReport] = {}
#: The parameters of `open_report` that identify a report (its notebook's parameters cell).
REPORT_PARAMETERS = (
    "data",
    "coach",
    "supervisor",
    "date_from",
    "date_to",
    "policy_file",
    "keep_valid",
    "min_cell",
    "compare_to",
    "requirements_file",
)
#: The `ReportContext` results a prepared report carries (cached properties of a context).
PREPARED_RESULTS = ("metrics", "checks")
#: The metrics each coach report reads of its period (its sections, in report order): what the
#: caller computes for the hand-over. A report that reads another one computes it in the kernel
#: on first use (`MetricsOnDemand`), so this list decides only where the work is done; a test
#: runs each report's notebook and holds it to exactly what the report reads.
REPORT_METRICS: dict[str, tuple[str, ...]] = {
    "supervisor": (
        "active_clients_by_month",
        "affordable_service",
        "affordable_share_by_quarter",
        "areas_practised",
        "attainment_levels",
        "attendance",
        "clients_to_discuss",
        "closures",
        "coach_initiated_exits",
        "community_service_hours",
        "competence_gaps",
        "credential_status",
        "crisis_to_referral_summary",
        "ethics_review",
        "exclusions_by_reason",
        "fee_mix",
        "goal_attainment",
        "goal_progress",
        "goals_not_recorded",
        "headline",
        "longest_without_affordable",
        "measure_change",
        "new_intakes",
        "out_of_scope_practice",
        "referral_rate",
        "referrals_by",
        "renewal_readiness",
        "review_schedule",
        "session_safety_events",
        "sessions_by",
        "silent_engagements",
        "supervision_action_list",
        "supervision_agreed_vs_received",
        "supervision_hours",
        "training_by_kind",
        "value_given",
        "vetted_share",
    ),
    "self-audit": (
        "active_clients_by_month",
        "affordable_service",
        "attainment_levels",
        "clients_to_discuss",
        "community_service_hours",
        "competence_gaps",
        "credential_status",
        "ethics_review",
        "goal_attainment",
        "goal_progress",
        "goals_not_recorded",
        "headline",
        "measure_change",
        "new_intakes",
        "out_of_scope_practice",
        "renewal_readiness",
        "review_schedule",
        "supervision_action_list",
        "supervision_agreed_vs_received",
        "supervision_hours",
        "training_hours",
        "value_given",
        "vetted_share",
    ),
}
#: What a coach report reads of its comparison period: the headline figures (then -> now); its
#: findings come with the comparison period's checks.
PREVIOUS_METRICS = ("headline",)


class MetricsOnDemand(Mapping[str, Any]):
    """A context's metrics as `compute_in` gives them, of which the caller computed some.

    `trc report` computes the metrics its report reads (`REPORT_METRICS`, `PREVIOUS_METRICS`)
    rather than all 53 (for the comparison period one of 53: about 0.2 s CPU of the caller's
    ~1 s on the 40-coach demo). Any other metric is computed here, in the context's own scope,
    the first time one is asked for (all the rest at once, as `compute_in` would have): the
    same frames, so a list that falls behind the reports costs time, never a figure. Iterating
    or sizing the mapping computes the rest first and runs in the registry's order.
    """

    def __init__(self, computed: dict[str, Any], ctx: ReportContext) -> None:
        self._values = dict(computed)
        self._ctx = ctx
        self._complete = False
        #: the metrics computed here rather than by the caller (in registry order)
        self.computed_here: tuple[str, ...] = ()

    def _all(self) -> dict[str, Any]:
        """Every metric, computing those not yet here (once)."""
        if not self._complete:
            from trc_analytics.metrics import compute_in, registry

            rest = [n for n in registry() if n not in self._values]
            done = compute_in(self._ctx.scope, rest) if rest else {}
            self.computed_here = tuple(rest)
            self._values = {n: self._values.get(n, done.get(n)) for n in registry()}
            self._complete = True
        return self._values

    def __getitem__(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


@dataclass(frozen=True)
class PreparedReport:
    """A report's validated workspace and results, computed by the process that renders it.

    `trc report` validates the workspace before the notebook runs (an invalid one stops there,
    never as a kernel traceback) while the kernel starts; it then computes the report's metrics
    and checks, of the period and of the comparison period, and hands all of it to the kernel
    (`NotebookRunner.hand_over`), which skips loading, validating and computing them again: on
    two cores that work overlaps the kernel's start instead of following it. `results` maps a
    `PREPARED_RESULTS` name to its value, `previous` the same for the comparison period; their
    metrics are those the report reads (`REPORT_METRICS`), any other computed on demand.
    """

    key: tuple[Any, ...]
    ws: Workspace
    results: dict[str, Any]
    previous: dict[str, Any]

    def adopt(self, ctx: ReportContext) -> None:
        """Give `ctx` (and its comparison context) these results, as if it had computed them."""
        _adopt(ctx, self.results)
        if self.previous and ctx.previous is not None:
            _adopt(ctx.previous, self.previous)


def _adopt(ctx: ReportContext, results: dict[str, Any]) -> None:
    """Set `results` as `ctx`'s computed properties, its metrics completed on demand."""
    ctx.__dict__.update(results)
    if "metrics" in results:
        ctx.__dict__["metrics"] = MetricsOnDemand(results["metrics"], ctx)


def _report_key(kind: str, parameters: dict[str, Any]) -> tuple[Any, ...]:
    """What identifies a report's `open_report` call: its kind and every parameter."""
    return (kind, *(str(parameters.get(n)) for n in REPORT_PARAMETERS))


def _results_of(ctx: ReportContext, names: Sequence[str] | None) -> dict[str, Any]:
    """A context's checks and the metrics `names` (all when None), computed now; nothing when
    they are shared across a batch (or the association's all-coaches results)."""
    from trc_analytics.metrics import compute_in

    if ctx.shares_results:
        return {}
    metrics = compute_in(ctx.scope, names) if names is not None else ctx.metrics
    return {"metrics": metrics, "checks": ctx.checks}


def prepare_report(kind: str, parameters: dict[str, Any], ws: Workspace) -> PreparedReport:
    """What the kernel running report `kind` with notebook `parameters` would compute first:
    its context over the validated `ws`, with the metrics the report reads and the checks, of
    the period and of the comparison period. Raises what `open_report` raises."""
    ctx = open_report(kind, **parameters, workspace=ws)
    names = REPORT_METRICS.get(kind)
    previous = {}
    if ctx.previous is not None:
        previous = _results_of(ctx.previous, PREVIOUS_METRICS if names else None)
    return PreparedReport(_report_key(kind, parameters), ws, _results_of(ctx, names), previous)


def receive_prepared(path: str | os.PathLike[str]) -> None:
    """Load a `PreparedReport` the caller pickled to `path` (in the runner's private runtime
    folder) for the next `open_report`, and remove the file."""
    import pickle

    try:
        with open(path, "rb") as fh:
            prepared = pickle.load(fh)
    finally:
        Path(path).unlink(missing_ok=True)
    _PREPARED.clear()
    _PREPARED[prepared.key] = prepared


def load_cached(path: Path, *, keep_valid: bool) -> Workspace:
    """`load_workspace(path)`, reusing the result while the files are unchanged."""
    return _load_keyed(path, keep_valid=keep_valid)[1]


def _load_keyed(path: Path, *, keep_valid: bool) -> tuple[tuple[Any, ...], Workspace]:
    """`load_cached`, with the key (files' sizes and times) the workspace was loaded under.

    A file edited while it is being loaded would leave a workspace read partly before the edit
    under the old files' key: the key is taken again after the load, and the load repeated
    (up to `_LOAD_ATTEMPTS` times) until the files stayed unchanged through it; a workspace
    whose files never stood still is used for this report but not remembered."""
    from trc_analytics.records.load import load_workspace

    key = workspace_key(path, keep_valid)
    ws = _WORKSPACES.get(key)
    if ws is not None:
        return key, ws
    for _ in range(_LOAD_ATTEMPTS):
        ws = load_workspace(path, keep_valid=keep_valid)
        after = workspace_key(path, keep_valid)
        if after == key:
            _remember_workspace(key, ws)
            return key, ws
        key = after
    return key, ws


#: How many times a workspace whose files change during the load is loaded again.
_LOAD_ATTEMPTS = 3


def workspace_key(path: Path, keep_valid: bool) -> tuple[Any, ...]:
    """What identifies a loaded workspace: its path, keep_valid and the files' sizes and times
    (`load_cached` loads again when it changes; a batch worker's view serves while it holds)."""
    return (str(path), keep_valid, _signature(path))


def _remember_workspace(key: tuple[Any, ...], ws: Workspace) -> None:
    """Keep `ws` under `key` for this process's next reports (at most `_MAX_CACHED`)."""
    if len(_WORKSPACES) >= _MAX_CACHED:
        _WORKSPACES.pop(next(iter(_WORKSPACES)))
    _WORKSPACES[key] = ws


@dataclass
class ReportContext:
    """One report's inputs, with its metrics and check results computed on first use."""

    kind: str
    ws: Workspace
    period: Period
    policy: Policy
    #: the coaches the report is about, in the order the report presents them
    coaches: tuple[str, ...]
    coach: str | None = None
    supervisor: str | None = None
    data_label: str = ""
    #: the period the coach reports compare with (None: no comparison)
    comparison: Period | None = None
    #: the credential levels of the coach reports' progress (None: the ICF's only)
    requirements: Requirements | None = None
    _frames: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def all_coaches(self) -> bool:
        """True for the association report (every coach of the workspace)."""
        return self.kind == "association"

    @property
    def shares_results(self) -> bool:
        """Whether metrics and checks come from the all-coaches results a batch shares."""
        return self.all_coaches or os.environ.get(SHARE_ENV) == "1"

    def _mine(self, frame: pl.DataFrame, name: str | None = None) -> pl.DataFrame:
        """Rows of the report's coaches only (results may have been computed for all).

        `name` identifies a frame of the batch's shared results: a one-coach report then takes
        its rows from the split made once (`SharedResults.rows_of`)."""
        if self.all_coaches or "coach_id" not in frame.columns:
            return frame
        if name is not None and len(self.coaches) == 1:
            return self._of_coach(frame, self.coaches[0], name)
        return frame.filter(pl.col("coach_id").is_in(list(self.coaches)))

    def _of_coach(self, frame: pl.DataFrame, coach: str, name: str | None) -> pl.DataFrame:
        """Rows of one coach: from the batch's split by coach when shared, else a filter."""
        if name is not None and self.shares_results:
            return self._shared.rows_of(name, frame, coach)
        return frame.filter(pl.col("coach_id") == coach)

    @cached_property
    def scope(self) -> Scope:
        """The records of the report's period and coaches.

        A section that needs sessions of the period asks this scope (`held_in_period()`,
        `within_period(...)`) rather than filtering by the period itself.
        """
        coaches = None if self.all_coaches else self.coaches
        return Scope.make(self.ws, self.period, coaches=coaches, policy=self.policy)

    @cached_property
    def metrics(self) -> dict[str, Any]:
        """Every practice metric (by coach), or `MissingTables`; see `metric`."""
        from trc_analytics.metrics import compute_in

        if self.shares_results:
            return self._shared.metrics
        return compute_in(self.scope)

    def shared(self, key: Hashable, build: Callable[[Scope], T]) -> T | None:
        """In a batch kernel (`shares_results`), `build` over every coach of the workspace and
        period, computed once under `key` (`SharedResults.built`); None otherwise, when the
        report computes over its own coaches."""
        if not self.shares_results:
            return None
        return self._shared.built(key, build)

    @property
    def _shared(self) -> SharedResults:
        """The batch's all-coaches results for this workspace, period and policy."""
        return _shared_results(self.ws, self.period, self.policy)

    def _shared_span(self, coach: str | None) -> tuple[dt.date, dt.date] | None:
        """`records_span` from the batch's per-coach spans (same answer, no table scan)."""
        spans = self._shared.spans
        found = [spans[c] for c in ([coach] if coach is not None else self.coaches) if c in spans]
        if not found:
            return None
        firsts = [f for f, _ in found if f is not None]
        lasts = [la for _, la in found if la is not None]
        return (min(firsts) if firsts else None, max(lasts) if lasts else None)  # type: ignore[return-value]

    def metric(self, name: str, coach: str | None = None) -> tuple[pl.DataFrame, str | None]:
        """A metric's frame (for one coach when given) and a note when its tables are missing."""
        from trc_analytics.errors import MissingTables

        value = self.metrics[name]
        if isinstance(value, MissingTables):
            return value.empty, str(value)
        if coach is not None and "coach_id" in value.columns:
            return self._of_coach(value, coach, f"metric:{name}"), None
        return self._mine(value, f"metric:{name}"), None

    def missing_tables(self, *names: str) -> list[str]:
        """Which of these tables the workspace does not have."""
        return [n for n in names if n not in self.ws]

    @cached_property
    def checks(self) -> CheckResults:
        """The ethics check catalogue run over the report's coaches and period."""
        from trc_analytics.checks import run_checks

        if self.shares_results:
            return self._shared.checks
        return run_checks(self.ws, self.period, self.policy, coaches=list(self.coaches))

    @cached_property
    def previous(self) -> ReportContext | None:
        """The same report's context for the comparison period (None when there is none)."""
        if self.comparison is None:
            return None
        return ReportContext(
            kind=self.kind,
            ws=self.ws,
            period=self.comparison,
            policy=self.policy,
            coaches=self.coaches,
            coach=self.coach,
            supervisor=self.supervisor,
            data_label=self.data_label,
        )

    def changes(self, coach: str | None = None) -> pl.DataFrame | None:
        """The findings classed new, recurring or resolved against the comparison period
        (`checks.compare_findings`); None without a comparison."""
        from trc_analytics.checks import compare_findings

        if self.previous is None:
            return None
        return compare_findings(self.previous.findings(coach), self.findings(coach))

    def records_span(self, coach: str | None = None) -> tuple[dt.date, dt.date] | None:
        """First and last day a session of the coach (or the report's coaches) is recorded on,
        whatever the period; None without sessions."""
        if self.shares_results and not self.all_coaches and "sessions" in self.ws:
            return self._shared_span(coach)
        sessions = self.table("sessions", coach)
        if sessions is None or sessions.is_empty():
            return None
        first, last = sessions.select(
            first=pl.col("held_on").min(), last=pl.col("held_on").max()
        ).row(0)
        return first, last

    def sessions_held_count(self, coach: str | None = None) -> int:
        """Sessions held in the period by the coach (or the report's coaches)."""
        if self.shares_results and not self.all_coaches and "sessions" in self.ws:
            counts = self._shared.held
            return sum(counts.get(c, 0) for c in ([coach] if coach is not None else self.coaches))
        held = self.scope.held_in_period()
        if coach is not None:
            held = held.filter(pl.col("coach_id") == coach)
        return int(held.select(pl.len()).collect().item())

    def findings(self, coach: str | None = None) -> pl.DataFrame:
        """Findings of the period, of the report's coaches or of one coach when given."""
        f = self.checks.findings
        if coach is None:
            return self._mine(f, "findings")
        return self._of_coach(f, coach, "findings")

    def check_cases(self, coach: str | None = None) -> pl.DataFrame:
        """Examined and compliant cases per check (for one coach when given)."""
        cases = self._mine(self.checks.cases, "cases")
        if coach is not None:
            cases = self._of_coach(cases, coach, None)
        return cases.group_by("check_id").agg(pl.col("examined").sum(), pl.col("compliant").sum())

    def check_parts(self, coach: str) -> pl.DataFrame:
        """One coach's cases by kind of case (part, examined, compliant per check), for the
        checks whose cases have kinds (`CheckResults.parts`: CERT-LAPSED's credentials and
        practice); a small frame, filtered here."""
        parts = self.checks.parts.filter(pl.col("coach_id") == coach)
        return parts.select("check_id", "part", "examined", "compliant")

    def table(self, name: str, coach: str | None = None) -> pl.DataFrame | None:
        """A workspace table restricted to the report's coaches (or one coach), or None."""
        df = self.ws.get(name)
        if df is None:
            return None
        if "coach_id" in df.columns:
            wanted = [coach] if coach is not None else None
            if wanted is None and not self.all_coaches:
                wanted = list(self.coaches)
            if wanted is not None:
                df = df.filter(pl.col("coach_id").is_in(wanted))
        return df

    @property
    def period_text(self) -> str:
        """`1 January 2026 to 30 June 2026`."""
        return f"{long_date(self.period.start)} to {long_date(self.period.end)}"


def long_date(day: dt.date) -> str:
    """`1 January 2026`."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _portfolio(ws: Workspace, supervisor: str) -> tuple[str, ...]:
    coaches = ws["coaches"].filter(pl.col("supervisor_id") == supervisor)
    return tuple(coaches.sort("coach_id").get_column("coach_id").to_list())


def open_report(
    kind: str,
    *,
    data: str | os.PathLike[str] | None = None,
    coach: str | None = None,
    supervisor: str | None = None,
    date_from: str | dt.date,
    date_to: str | dt.date,
    policy_file: str | os.PathLike[str] | None = None,
    keep_valid: bool = False,
    min_cell: int | None = None,
    compare_to: str | None = None,
    workspace: Workspace | None = None,
    requirements_file: str | os.PathLike[str] | None = None,
) -> ReportContext:
    """Load the workspace and check the parameters: the first call of every report notebook.

    The parameters become the same `ReportRequest` `trc report` builds, checked by the same
    `validate()` (for notebooks run in JupyterLab, where no CLI checked them first).
    `data=None` reads the workspace named by `TRC_DATA` (set by `trc lab`), else the bundled
    demo workspace. Raises `NotebookWorkspaceError` (a `WorkspaceError`) when the workspace
    is invalid (unless `keep_valid` leaves valid rows): one message naming file, row and
    column of its first problems, shown without a traceback; and `NotebookParameterError`
    (a `ReportUsageError`, a ValueError) for a
    request `validate()` refuses, a bad date, a missing workspace or an unknown coach or
    supervisor: one sentence naming the notebook parameter to change, shown without a
    traceback.
    """
    try:
        return _open_report(
            kind,
            data=data,
            coach=coach,
            supervisor=supervisor,
            date_from=date_from,
            date_to=date_to,
            policy_file=policy_file,
            keep_valid=keep_valid,
            min_cell=min_cell,
            compare_to=compare_to,
            workspace=workspace,
            requirements_file=requirements_file,
        )
    except ReportUsageError as exc:  # in the words of the parameters cell, not of `trc report`
        raise NotebookParameterError.of(exc) from None
    except WorkspaceError as exc:  # one message naming file, row and column; no traceback
        if isinstance(exc, NotebookWorkspaceError):
            raise
        given = data or os.environ.get("TRC_DATA")
        label = Path(given).name if given else "bundled demo workspace"
        raise NotebookWorkspaceError.of(exc, label, keep_valid=keep_valid) from None


def _open_report(
    kind: str,
    *,
    data: str | os.PathLike[str] | None,
    coach: str | None,
    supervisor: str | None,
    date_from: str | dt.date,
    date_to: str | dt.date,
    policy_file: str | os.PathLike[str] | None,
    keep_valid: bool,
    min_cell: int | None,
    compare_to: str | None,
    workspace: Workspace | None,
    requirements_file: str | os.PathLike[str] | None = None,
) -> ReportContext:
    """`open_report`, its refusals in the words of `trc report` (`ReportUsageError`)."""
    parameters = {
        "data": data,
        "coach": coach,
        "supervisor": supervisor,
        "date_from": date_from,
        "date_to": date_to,
        "policy_file": policy_file,
        "keep_valid": keep_valid,
        "min_cell": min_cell,
        "compare_to": compare_to,
        "requirements_file": requirements_file,
    }
    request = ReportRequest.from_parameters(kind, **parameters)
    policy = request.validate()
    period = request.period
    prepared = _PREPARED.pop(_report_key(kind, parameters), None) if workspace is None else None
    if prepared is not None:  # the caller's validated workspace (`receive_prepared`)
        workspace = prepared.ws
    elif workspace is None:
        workspace = _load_for_report(data, keep_valid=keep_valid)
    check_subject(workspace, request)
    if kind == "association":
        coaches: Sequence[str] = workspace["coaches"].get_column("coach_id").to_list()
    elif supervisor:
        coaches = _portfolio(workspace, supervisor)
    else:
        coaches = (str(coach),)
    # the folder's name only: a full path may hold a person's user name
    given = data or os.environ.get("TRC_DATA")
    label = Path(given).name if given else "bundled demo workspace"
    ctx = ReportContext(
        kind=kind,
        ws=workspace,
        period=period,
        policy=policy,
        coaches=tuple(coaches),
        coach=coach,
        supervisor=supervisor,
        data_label=label,
        comparison=request.comparison,
        requirements=request.requirements() if request.requirements_file else None,
    )
    if prepared is not None:
        prepared.adopt(ctx)
    return ctx


def _load_for_report(data: str | os.PathLike[str] | None, *, keep_valid: bool) -> Workspace:
    """The workspace a notebook's `data` parameter names, loaded (or reused: `load_cached`)."""
    from trc_analytics.reports.source import resolve_data

    try:
        path = resolve_data(data)
    except FileNotFoundError as exc:
        raise ReportUsageError(
            str(exc),
            notebook=f"{str(exc)[:1].upper()}{str(exc)[1:]}: set `data` in the "
            "parameters cell to a workspace folder or workbook (None: the one `trc lab` was "
            "given, else the demo).",
        ) from None
    return load_cached(path, keep_valid=keep_valid)


def set_aside_text(ws: Workspace, *, limit: int = 6) -> str:
    """How many input rows were set aside and why, in one sentence ("" when none were).

    `community_service.csv: 1 row (hours: expected a value of at least 0)`, per file, column
    and kind of problem; `trc validate` lists every row.
    """
    if not ws.rows_set_aside:
        return ""
    rows = ws.set_aside.filter(pl.col("row").is_not_null())
    where = (
        pl.when(pl.col("sheet").is_not_null())
        .then(pl.format("{} / {}", "file", "sheet"))
        .otherwise(pl.col("file"))
    )
    groups = (
        rows.group_by(where.alias("where"), "column", "expected")
        .agg(n=pl.col("row").n_unique())
        .sort("n", "where", "column", descending=[True, False, False])
    )
    parts = [
        f"{g['where']}: {g['n']:,} row{'s' if g['n'] != 1 else ''} "
        f"({g['column'] or 'row'}: expected {g['expected']})"
        for g in groups.head(limit).iter_rows(named=True)
    ]
    more = f"; and {groups.height - limit} more kinds" if groups.height > limit else ""
    n = ws.rows_set_aside
    return (
        f"{n:,} input row{'s' if n != 1 else ''} set aside as invalid and left out of every "
        f"figure: {'; '.join(parts)}{more}."
    )
