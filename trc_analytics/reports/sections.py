"""What the supervisor review and the self-audit both tell about one coach, read from metrics.

Each function reads registered metrics or check results from the report context (computed once
per report) and shapes them for the page: a coach's row, columns in reading order, rows sorted
for the table. No fact is computed here from the records: that is the metrics' job
(`trc metrics --list`); the report modules choose the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from trc_analytics.reports.context import ReportContext
from trc_analytics.reports.display import Table, esc, format_value, quote, slug
from trc_analytics.reports.outline import need

SEVERITIES = ("critical", "major", "minor")


def first_row(frame: pl.DataFrame) -> dict[str, Any]:
    """The first row as a dict ({} for an empty frame)."""
    return frame.row(0, named=True) if frame.height else {}


def pct(value: float | None) -> str:
    """`0.123` -> `12%`, `0.066` -> `6.6%` (or `–`), as tables print shares."""
    return format_value(value, "share")


def num(value: float | int | None, decimals: int = 0) -> str:
    """A count or amount with thousands separators; amounts of 100 or more lose decimals, as
    tables print them."""
    if value is None:
        return "–"
    if decimals and abs(value) >= 100:
        decimals = 0
    return f"{value:,.{decimals}f}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """`1 client` / `3 clients`."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def wordy(value: str | None) -> str:
    """A vocabulary value as words."""
    return "not recorded" if value is None else value.replace("_", " ")


# --- caseload ---------------------------------------------------------------------------------


def headline(ctx: ReportContext, coach: str) -> tuple[dict[str, Any], str | None]:
    """active_clients, new_intakes, closures, sessions_held, hours, no_show_rate."""
    frame, note = ctx.metric("headline", coach)
    return first_row(frame), note


def caseload_by_month(ctx: ReportContext, coach: str) -> tuple[pl.DataFrame, list[str]]:
    """month, active_clients, new_intakes (0 when the clients table is absent)."""
    active, note = ctx.metric("active_clients_by_month", coach)
    intakes, note2 = ctx.metric("new_intakes", coach)
    frame = active.select("month", "active_clients").join(
        intakes.select("month", "new_intakes"), on="month", how="left"
    )
    frame = frame.with_columns(pl.col("new_intakes").fill_null(0)).sort("month")
    return frame, [n for n in (note, note2) if n]


def closures(ctx: ReportContext, coach: str) -> pl.DataFrame:
    """end_reason, closures (engagements ended in the period)."""
    frame, _ = ctx.metric("closures", coach)
    return frame.select(
        pl.col("end_reason").str.replace_all("_", " ").alias("end reason"), "closures"
    ).sort("closures", descending=True)


def format_mix(ctx: ReportContext, coach: str) -> pl.DataFrame:
    """format, sessions, hours, hours_share of the held sessions of the period."""
    frame, _ = ctx.metric("sessions_by", coach)
    return (
        frame.group_by("format")
        .agg(pl.col("sessions").sum(), pl.col("hours").sum())
        .with_columns(hours_share=pl.col("hours") / pl.col("hours").sum())
        .sort("hours", descending=True)
    )


def fee_mix(ctx: ReportContext, coach: str) -> pl.DataFrame:
    """fee_type, sessions, hours, hours_share."""
    frame, _ = ctx.metric("fee_mix", coach)
    return frame.select("fee_type", "sessions", "hours", "hours_share").sort("fee_type")


def attendance(ctx: ReportContext, coach: str) -> dict[str, Any]:
    """sessions, held, no_show, cancelled, rescheduled and their shares."""
    frame, _ = ctx.metric("attendance", coach)
    return first_row(frame)


# --- competence -------------------------------------------------------------------------------


def areas(ctx: ReportContext, coach: str) -> tuple[pl.DataFrame, str | None]:
    """area, in_scope, hours, hours_declared, hours_undeclared, sessions, clients, declared."""
    frame, note = ctx.metric("areas_practised", coach)
    return (
        frame.with_columns(
            declared=pl.col("coaches_declaring") > 0,
            hours_declared=pl.col("hours") - pl.col("hours_undeclared"),
        )
        .select(
            "area",
            "in_scope",
            "declared",
            "sessions",
            "hours",
            "hours_declared",
            "hours_undeclared",
            "clients",
        )
        .sort("hours", descending=True),
        note,
    )


def gaps(ctx: ReportContext, coach: str) -> pl.DataFrame:
    """One row per area practised without declared competence, with what followed."""
    frame, _ = ctx.metric("competence_gaps", coach)
    return frame


def out_of_scope(ctx: ReportContext, coach: str) -> pl.DataFrame:
    """area, sessions, hours, clients, sessions_without_training for out-of-scope areas."""
    frame, _ = ctx.metric("out_of_scope_practice", coach)
    return frame.drop("coach_id")


# --- checks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckStanding:
    """How one check of the Code stands for a coach in the period."""

    check_id: str
    title: str
    severity: str
    evaluated: bool
    reason: str | None
    examined: int
    compliant: int
    findings: int

    @property
    def status(self) -> str:
        """kept, attention, no_cases or not_evaluated."""
        if not self.evaluated:
            return "not_evaluated"
        if self.examined == 0 and self.findings == 0:
            return "no_cases"
        return "attention" if self.findings else "kept"

    @property
    def rate(self) -> float | None:
        """compliant / examined (None when nothing was examined)."""
        return self.compliant / self.examined if self.examined else None


def check_standing(ctx: ReportContext, coach: str) -> list[CheckStanding]:
    """Every check of the catalogue, in catalogue order, as it stands for `coach`."""
    status = ctx.checks.status.select("check_id", "title", "severity", "evaluated", "reason")
    cases = ctx.check_cases(coach)
    counts = ctx.findings(coach).group_by("check_id").agg(findings=pl.len().cast(pl.Int64()))
    rows = (
        status.join(cases, on="check_id", how="left", maintain_order="left")
        .join(counts, on="check_id", how="left", maintain_order="left")
        .with_columns(pl.col("examined", "compliant", "findings").fill_null(0))
    )
    return [CheckStanding(**r) for r in rows.iter_rows(named=True)]


def standing_of(standings: list[CheckStanding], check_id: str) -> CheckStanding | None:
    """The standing of one check (None when it is not in the catalogue)."""
    return next((s for s in standings if s.check_id == check_id), None)


def passage(check_id: str) -> str:
    """The quoted passage(s) of the Code a check enforces."""
    from trc_analytics.checks import get_check

    return get_check(check_id).passage


def findings_by_check(ctx: ReportContext, coach: str, *, level: int) -> list[str]:
    """HTML blocks: findings grouped by severity, then by check, each check with its passage.

    Findings are listed with the client pseudonym and engagement so a supervisor can find the
    case; this table never reaches a chart.
    """
    from trc_analytics.checks import get_check

    findings = ctx.findings(coach)
    changes = ctx.changes(coach)
    if changes is not None:
        findings = changes.filter(pl.col("change") != "resolved")
    blocks: list[str] = []
    h, hh = f"h{level}", f"h{level + 1}"
    for severity in SEVERITIES:
        part = findings.filter(pl.col("severity") == severity)
        if part.is_empty():
            continue
        blocks.append(
            f'<div class="trc-severity-{severity}" id="{findings_anchor(coach, severity)}">'
            f"<{h}>{esc(severity.capitalize())} "
            f"({part.height:,})</{h}>"
        )
        for (check_id,), rows in part.group_by("check_id", maintain_order=True):
            check = get_check(str(check_id))
            blocks.append(f"<{hh}>{esc(check.id)} · {esc(check.title)} ({rows.height:,})</{hh}>")
            blocks.append(quote(check.passage))
            shown = rows.select(
                pl.col("on").alias("date"),
                pl.col("client_id").alias("client"),
                pl.col("engagement_id").alias("engagement"),
                "detail",
                *([pl.col("change").alias("since last period")] if changes is not None else []),
            )
            blocks.append(Table("", shown).to_html())
        blocks.append("</div>")
    return blocks


def findings_anchor(coach: str, severity: str) -> str:
    """The in-page id of a coach's findings of one severity (the summary links to it)."""
    return slug(f"findings {coach} {severity}")


# --- safety -----------------------------------------------------------------------------------


def exclusions(ctx: ReportContext, coach: str) -> pl.DataFrame:
    """Assessments of the period that excluded the client, by reason (metric
    `exclusions_by_reason`), most frequent first."""
    frame, _ = ctx.metric("exclusions_by_reason", coach)
    return frame.select(pl.col("reason").str.replace_all("_", " "), "assessments").sort(
        "assessments", descending=True
    )


def influence_and_triggers(ctx: ReportContext, coach: str) -> dict[str, int]:
    """Sessions of the period: client under the influence (held / rescheduled), triggered exits
    (metric `session_safety_events`)."""
    frame, note = ctx.metric("session_safety_events", coach)
    return {} if note else {k: int(v or 0) for k, v in first_row(frame.drop("coach_id")).items()}


#: How the self-audit words each count of the metric `goal_progress`, in its order.
GOAL_MEASURES = {
    "set": "goals set with clients in the period",
    "achieved": "goals achieved in the period",
    "revised": "goals revised with the client in the period",
    "released": "goals released in the period",
    "still_open": "goals still being worked on at the period end",
    "clients_achieving": "clients with a goal achieved in the period",
}


def goals(ctx: ReportContext, coach: str) -> pl.DataFrame:
    """Goals by status (metric `goal_progress`) as measure/count rows; `MissingTables` when
    the workspace has no goals."""
    row = first_row(need(ctx, "goal_progress", coach))
    return pl.DataFrame(
        {
            "measure": list(GOAL_MEASURES.values()),
            "count": [int(row.get(k) or 0) for k in GOAL_MEASURES],
        }
    )


def community(ctx: ReportContext, coach: str) -> tuple[pl.DataFrame, str | None]:
    """Community service of the period by kind: activities, hours, participants."""
    frame, note = ctx.metric("community_service_hours", coach)
    return frame.drop("coach_id").sort("hours", descending=True), note
