"""Run the catalogue over a workspace and a period: findings, per-check status, compliance.

How findings are dated (`on`), so each belongs to exactly one period:
- an event rule (a session held under the influence, a disclosure, a referral) is dated at the
  event;
- a rule that allows time to act (assessment by the first session, referral within 7 days of
  decompensation, grievance notice within 30 days of intake, supervision within 90 days, a
  report within 2 or 10 days) is dated at the last allowed day: it is judged once that time has
  run out, so nothing is judged early and nothing falls between two consecutive periods;
- a standing rule (credentials, ethics review, training, pro-bono windows) is dated at the
  period end (the as-of date) or at the end of its window.
Only cases dated within the period count. Records dated after the as-of date are not seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from trc_analytics.checks.catalogue import CHECKS, get_check
from trc_analytics.checks.check import FINDING_SCHEMA, SEVERITIES, Check
from trc_analytics.errors import UnknownId, unknown_id_message
from trc_analytics.period import Period
from trc_analytics.policy import SEVERITY_PREFIX, Policy, PolicyError
from trc_analytics.records.workspace import Workspace
from trc_analytics.scope import Scope, codes_pay

#: Columns of `CheckResults.status`, one row per check of the catalogue (in catalogue order).
STATUS_SCHEMA: dict[str, pl.DataType] = {
    "check_id": pl.String(),
    "severity": pl.String(),
    "title": pl.String(),
    "evaluated": pl.Boolean(),
    "reason": pl.String(),  # "not evaluated: no <table> records", or a note; null when complete
    "findings": pl.Int64(),
    "examined": pl.Int64(),  # cases the rule applied to in the period
    "compliant": pl.Int64(),  # of which kept the rule
    "compliance_rate": pl.Float64(),  # compliant / examined; null when nothing was examined
}

#: Columns of `CheckResults.cases`: examined and compliant cases per check and coach.
CASES_SCHEMA: dict[str, pl.DataType] = {
    "check_id": pl.String(),
    "coach_id": pl.String(),
    "examined": pl.Int64(),
    "compliant": pl.Int64(),
}


#: Columns of `CheckResults.parts`: the cases of a check made of several kinds of case (its
#: `cases` give a `part` column: CERT-LAPSED's credentials and practice), per coach and kind,
#: so a report can say "3 credentials and your practice", not "4 checks".
PARTS_SCHEMA: dict[str, pl.DataType] = {
    "check_id": pl.String(),
    "coach_id": pl.String(),
    "part": pl.String(),
    "examined": pl.Int64(),
    "compliant": pl.Int64(),
}


@dataclass(frozen=True)
class CheckResults:
    """What one run of the catalogue found, and how far each check could look."""

    #: FINDING_SCHEMA rows, most severe first, then by date.
    findings: pl.DataFrame
    #: STATUS_SCHEMA rows, one per check run (evaluated or not).
    status: pl.DataFrame
    #: CASES_SCHEMA rows, per check and coach (evaluated checks only).
    cases: pl.DataFrame
    period: Period
    policy: Policy
    #: coach_id -> region, for compliance by region.
    regions: pl.DataFrame
    #: PARTS_SCHEMA rows: `cases` by kind of case, for the checks whose cases have kinds.
    parts: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PARTS_SCHEMA))

    @property
    def not_evaluated(self) -> pl.DataFrame:
        """check_id and reason of every check that could not be evaluated."""
        return self.status.filter(~pl.col("evaluated")).select("check_id", "reason")

    def compliance(self, by: str | None = "region") -> pl.DataFrame:
        """Examined and compliant cases and their rate per check, by `region`, `coach` or overall.

        Not-evaluated checks are left out (they have no rate, not a perfect one).
        """
        keys = {"region": ["region"], "coach": ["coach_id"], None: []}
        if by not in keys:
            raise ValueError(f"by must be 'region', 'coach' or None, got {by!r}")
        order = {c.id: i for i, c in enumerate(CHECKS)}
        frame = self.cases.join(self.regions, on="coach_id", how="left")
        return (
            frame.group_by("check_id", *keys[by])
            .agg(pl.col("examined").sum(), pl.col("compliant").sum())
            .with_columns(
                compliance_rate=pl.when(pl.col("examined") > 0).then(
                    pl.col("compliant") / pl.col("examined")
                )
            )
            .sort(pl.col("check_id").replace_strict(order, default=len(order)), *keys[by])
        )


def _select(checks: Sequence[str | Check] | None) -> list[Check]:
    if checks is None:
        return list(CHECKS)
    return [c if isinstance(c, Check) else get_check(c) for c in checks]


def _coach_filter(ws: Workspace, coaches: Sequence[str] | str | None) -> tuple[str, ...] | None:
    if coaches is None:
        return None
    wanted = (coaches,) if isinstance(coaches, str) else tuple(dict.fromkeys(coaches))
    if "coaches" in ws:
        known = set(ws["coaches"].get_column("coach_id").to_list())
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise UnknownId(unknown_id_message("coach", unknown, sorted(known)))
    return wanted


def _with_defaults(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Add the optional case columns a check did not produce: nulls, and `cases` = 1."""
    names = lf.collect_schema().names()
    defaults = [
        pl.lit(None, pl.String()).alias(c)
        for c in ("client_id", "engagement_id", "severity", "part")
        if c not in names
    ]
    if "cases" not in names:
        defaults.append(pl.lit(1, pl.Int64()).alias("cases"))
    return lf.with_columns(defaults).with_columns(pl.col("cases").fill_null(1))


def run_checks(
    ws: Workspace,
    period: Period,
    policy: Policy | None = None,
    coaches: Sequence[str] | str | None = None,
    checks: Sequence[str | Check] | None = None,
) -> CheckResults:
    """Run every check (or those named) for the period; `coaches` keeps only those coaches.

    A check whose needed tables are absent is reported in `status` as
    "not evaluated: no <table> records" and contributes no findings and no rates.
    """
    plans = None if checks is None else len(checks)  # a few checks: ids stay text
    sc = Scope(ws=ws, period=period, policy=policy or Policy(), codes=codes_pay(ws, plans))
    return run_checks_in(sc, coaches, checks)


def run_checks_in(
    sc: Scope,
    coaches: Sequence[str] | str | None = None,
    checks: Sequence[str | Check] | None = None,
) -> CheckResults:
    """`run_checks` in a scope already made (of every coach: a check may look across coaches,
    a supervisor or a shared client; the cases are narrowed to `coaches` afterwards).

    A report that also computes the metrics passes the same scope to `compute_in`, so the
    frames both read (held sessions, credential standing) are built once.
    """
    if sc.coaches is not None:
        raise ValueError("the checks need a scope of every coach; pass the coaches wanted")
    wanted = _coach_filter(sc.ws, coaches)
    selected = _select(checks)
    check_severity_policy(sc.policy)
    status = [_status_row(check, sc.ws, sc.policy) for check in selected]
    frames: list[pl.DataFrame] = []
    for check, row in zip(selected, status, strict=True):
        if row["evaluated"]:
            frames.extend(_collected(check, sc, wanted))
    findings = _findings(frames[0::2])
    per_part = pl.concat(
        [
            pl.DataFrame(schema=PARTS_SCHEMA),
            *(f.select(list(PARTS_SCHEMA)).cast(PARTS_SCHEMA) for f in frames[1::2]),
        ],
        how="vertical",
    )
    per_check = per_part.group_by("check_id", "coach_id", maintain_order=True).agg(
        pl.col("examined").sum(), pl.col("compliant").sum()
    )
    return CheckResults(
        findings=findings,
        status=_status_frame(status, per_check, findings),
        cases=per_check.sort("check_id", "coach_id"),
        period=sc.period,
        policy=sc.policy,
        regions=_regions(sc.ws),
        parts=per_part.filter(pl.col("part").is_not_null()).sort("check_id", "coach_id", "part"),
    )


def check_severity_policy(policy: Policy) -> None:
    """`PolicyError` when the policy sets the severity of a check the catalogue does not have
    (a typo would otherwise leave the catalogue's severity in place silently)."""
    known = {c.id for c in CHECKS}
    unknown = sorted({check_id for check_id, _ in policy.severity} - known)
    if unknown:
        raise PolicyError(
            f"{', '.join(SEVERITY_PREFIX + u for u in unknown)}: no such check; "
            f"known: {', '.join(sorted(known))}"
        )


def _status_row(check: Check, ws: Workspace, policy: Policy) -> dict[str, object]:
    """A check's first five status columns: evaluated or not, and why; the severity is the
    one the policy gives the check (`Policy.severity_of`)."""
    row: dict[str, object] = {
        "check_id": check.id,
        "severity": policy.severity_of(check.id, check.severity),
        "title": check.title,
        "evaluated": False,
        "reason": None,
    }
    missing = check.missing(ws)
    if missing:
        row["reason"] = f"not evaluated: no {' or '.join(missing)} records"
        return row
    row["evaluated"] = True
    absent = [t for t in check.optional_tables if t not in ws]
    if absent:
        row["reason"] = f"evaluated without {' or '.join(absent)} records"
    return row


def _collected(check: Check, sc: Scope, wanted: tuple[str, ...] | None) -> list[pl.DataFrame]:
    """A check's findings and cases per coach, collected together: both read the check's
    cases, which `pl.collect_all` mostly finds once (collected one after the other, every check
    found its cases twice: at 5M sessions 5.1 s CPU for the catalogue's checks, 2.9 s paired).
    One check at a time, so only one check's intermediate frames are alive at once (as the
    metrics, `scope.collect` with `COLLECT_GROUP` 1)."""
    return pl.collect_all(list(_plans(check, sc, wanted)))


def _plans(
    check: Check, sc: Scope, wanted: tuple[str, ...] | None
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Two queries for one check: its findings (cases not kept) and its cases per coach and
    kind of case (`part`, null for a check whose cases are of one kind)."""
    cases = _with_defaults(check.cases(sc)).filter(sc.in_period("on"))
    if wanted is not None:
        cases = cases.filter(pl.col("coach_id").is_in(wanted))
    findings = cases.filter(~pl.col("compliant")).select(
        check_id=pl.lit(check.id),
        severity=(
            pl.lit(sc.policy.severity_of(check.id, check.severity))
            if check.id in dict(sc.policy.severity)
            else pl.coalesce("severity", pl.lit(check.severity))
        ),
        coach_id="coach_id",
        client_id="client_id",
        engagement_id="engagement_id",
        on="on",
        detail=check.detail(sc.policy),
    )
    per_coach = cases.group_by("coach_id", "part").agg(
        check_id=pl.lit(check.id),
        examined=pl.col("cases").sum().cast(pl.Int64()),
        compliant=pl.col("cases").filter(pl.col("compliant")).sum().cast(pl.Int64()),
    )
    return findings, per_coach


def _findings(parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Every check's findings, most severe first, then by date, check, coach, client,
    engagement and detail: a total order, so the same records give the same rows in the same
    order whatever order a check's plan produced them in (CERT-ETHICS' findings for several
    levels renewed on one day came out in either order)."""
    order = {c.id: i for i, c in enumerate(CHECKS)}
    return pl.concat(
        [pl.DataFrame(schema=FINDING_SCHEMA), *(f.cast(FINDING_SCHEMA) for f in parts)],
        how="vertical",
    ).sort(
        pl.col("severity").replace_strict({s: i for i, s in enumerate(SEVERITIES)}),
        "on",
        pl.col("check_id").replace_strict(order, default=len(order)),
        "coach_id",
        "client_id",
        "engagement_id",
        "detail",
        nulls_last=True,
        maintain_order=True,
    )


def _status_frame(
    status: list[dict[str, object]], per_check: pl.DataFrame, findings: pl.DataFrame
) -> pl.DataFrame:
    """STATUS_SCHEMA rows: each check's status row with its counts and compliance rate."""
    counts = (
        per_check.group_by("check_id")
        .agg(pl.col("examined").sum(), pl.col("compliant").sum())
        .join(
            findings.group_by("check_id").agg(findings=pl.len().cast(pl.Int64())),
            on="check_id",
            how="left",
        )
    )
    return (
        pl.DataFrame(status, schema={k: STATUS_SCHEMA[k] for k in list(STATUS_SCHEMA)[:5]})
        .join(counts, on="check_id", how="left", maintain_order="left")
        .with_columns(
            *(
                pl.when(pl.col("evaluated")).then(pl.col(c).fill_null(0)).alias(c)
                for c in ("findings", "examined", "compliant")
            )
        )
        .with_columns(
            compliance_rate=pl.when(pl.col("examined") > 0).then(
                pl.col("compliant") / pl.col("examined")
            )
        )
        .select(list(STATUS_SCHEMA))
        .cast(STATUS_SCHEMA)
    )


def _regions(ws: Workspace) -> pl.DataFrame:
    """coach_id -> region of every coach (empty without a coaches table)."""
    if "coaches" in ws:
        return ws["coaches"].select("coach_id", "region")
    return pl.DataFrame(schema={"coach_id": pl.String(), "region": pl.String()})
