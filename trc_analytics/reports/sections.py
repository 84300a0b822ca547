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

from trc_analytics.metrics.giving import SURVIVOR_SERVICE
from trc_analytics.reports.context import ReportContext
from trc_analytics.reports.display import (
    Table,
    esc,
    format_hours,
    format_value,
    quote,
    slug,
    vocab_label,
    vocab_words,
)
from trc_analytics.reports.outline import need

SEVERITIES = ("critical", "major", "minor")


def first_row(frame: pl.DataFrame) -> dict[str, Any]:
    """The first row as a dict ({} for an empty frame)."""
    return frame.row(0, named=True) if frame.height else {}


def pct(value: float | None) -> str:
    """`0.123` -> `12%`, `0.066` -> `6.6%` (or `–`), as tables print shares."""
    return format_value(value, "share")


def num(value: float | int | None, decimals: int = 0) -> str:
    """A count or a rate with thousands separators, to `decimals` places whatever its size
    (108.5 per 100 clients is not 108). Hours are `hours_text`, money `display.format_money`."""
    if value is None:
        return "–"
    return f"{value:,.{decimals}f}"


def hours_text(value: float | int | None, *, round_up: bool = False) -> str:
    """Hours in a sentence, as `display.format_hours` prints them: `108.5`, `3`, `99.9` (of
    100: never rounded up to a requirement met); with `round_up` (hours still needed, a
    requirement), rounded up instead."""
    if value is None:
        return "–"
    return format_hours(value, round_up=round_up)


def hours_phrase(value: float | int | None, *, round_up: bool = False) -> str:
    """`1 hour`, `2.5 hours`, `0 hours`: `hours_text` with its noun (the figure as printed
    decides: 1.04 hours held prints `1 hour`)."""
    text = hours_text(value, round_up=round_up)
    return f"{text} {'hour' if text == '1' else 'hours'}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """`1 client` / `3 clients`."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def wordy(value: str | None) -> str:
    """A vocabulary value as words: its display label (`display.vocab_label`)."""
    return vocab_label(value)


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
    return frame.select(vocab_words("end_reason").alias("end reason"), "closures").sort(
        "closures", descending=True
    )


def format_mix(ctx: ReportContext, coach: str) -> pl.DataFrame:
    """format, sessions, hours, hours_share of the held sessions of the period, most hours
    first; formats with equal hours by name (group_by's order differs from run to run, so a
    tie once put the rows and the chart's bars in a different order in each render)."""
    frame, _ = ctx.metric("sessions_by", coach)
    return (
        frame.group_by("format")
        .agg(pl.col("sessions").sum(), pl.col("hours").sum())
        .with_columns(hours_share=pl.col("hours") / pl.col("hours").sum())
        .sort(["hours", "format"], descending=[True, False])
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


#: Columns of `competence_cases`: one row per engagement with sessions SCOPE-COMPETENCE counts.
COMPETENCE_CASE_SCHEMA: dict[str, pl.DataType] = {
    "area": pl.String(),
    "client_id": pl.String(),
    "engagement_id": pl.String(),
    "sessions": pl.Int64(),
    "first": pl.Date(),
    "last": pl.Date(),
}


def competence_cases(ctx: ReportContext, coach: str) -> pl.DataFrame:
    """The cases behind the coach's SCOPE-COMPETENCE findings: per engagement, the area, the
    client, how many sessions had no supervision in that area in time, first and last.

    Read from the check's own cases (the ones its findings are made of), so the self-audit's
    growth table and the finding count the very same sessions (one count per fact). Empty when
    the check cannot run (a table missing).
    """
    from trc_analytics.checks import get_check
    from trc_analytics.scope import Scope

    check = get_check("SCOPE-COMPETENCE")
    if check.missing(ctx.ws):
        return pl.DataFrame(schema=COMPETENCE_CASE_SCHEMA)
    sc = Scope.make(ctx.ws, ctx.period, policy=ctx.policy)  # the check looks across coaches
    return (
        check.cases(sc)
        .filter(sc.in_period("on") & (pl.col("coach_id") == coach) & ~pl.col("compliant"))
        .select(
            pl.col("area").cast(pl.String()),
            pl.col("client_id").cast(pl.String()),
            pl.col("engagement_id").cast(pl.String()),
            sessions=pl.col("n").cast(pl.Int64()),
            first="first",
            last="last",
        )
        .collect()
        .cast(COMPETENCE_CASE_SCHEMA)
        .sort("first", "area", "engagement_id")
    )


def out_of_scope(ctx: ReportContext, coach: str) -> pl.DataFrame:
    """area, sessions, hours, clients, sessions_without_training for out-of-scope areas."""
    frame, _ = ctx.metric("out_of_scope_practice", coach)
    return frame.drop("coach_id")


# --- checks -----------------------------------------------------------------------------------


#: What one case of a check is, as a reader names it: (one, many). "Kept in all 4 cases"
#: says nothing; "kept for all 4 held sessions" does. A check not listed here (a new one)
#: falls back to its catalogue `unit`.
CASE_NOUNS: dict[str, tuple[str, str]] = {
    "SAFE-SRA": ("new coaching relationship", "new coaching relationships"),
    "SAFE-EXCLUDED": ("exclusion in force", "exclusions in force"),
    "SAFE-INFLUENCE": (
        "session with a client under the influence",
        "sessions with a client under the influence",
    ),
    "SAFE-TRIGGERED": ("held session", "held sessions"),
    "SAFE-DECOMP": ("session with decompensation", "sessions with decompensation"),
    "SCOPE-PRACTICE": (
        "engagement on an out-of-scope area",
        "engagements on an out-of-scope area",
    ),
    "SCOPE-COMPETENCE": ("engagement on an undeclared area", "engagements on an undeclared area"),
    "SCOPE-POPULATION": ("minor, couple or family client", "minor, couple or family clients"),
    "SCOPE-PSYCHOACTIVE": (
        "engagement using psychoactive substances",
        "engagements using psychoactive substances",
    ),
    "REFER-VETTED": ("referral", "referrals"),
    "REFER-ABANDON": ("engagement ended by the coach", "engagements ended by the coach"),
    "CONF-DISCLOSURE": ("disclosure", "disclosures"),
    "CONF-MANDATORY": ("abuse concern", "abuse concerns"),
    "PRACT-REFUND": ("paying client", "paying clients"),
    "PRACT-GRIEVANCE": ("new client", "new clients"),
    "PRACT-CONTEXT": ("client", "clients"),
    # one case per credential held at the period end AND one for the coach's practice in the
    # period (sessions held while lapsed): "all 4 credentials" counted the practice as one
    "CERT-LAPSED": (
        "check of a credential or of practice",
        "checks of credentials and of practice",
    ),
    "CERT-ETHICS": ("renewed credential", "renewed credentials"),
    "DEV-CE": ("training year", "training years"),
    "COMM-PROBONO": ("pro-bono window", "pro-bono windows"),
    "CONDUCT-CHARGE": ("criminal charge", "criminal charges"),
    "CONDUCT-DUAL": ("coach", "coaches"),
}
#: Checks whose cases are of several kinds (`CheckResults.parts`), each kind named as the
#: reader counts it: (part, one, many), in the order they are said. A noun with `{owner}` is
#: the coach's one case of that kind ("your practice", "the coach's practice"), never counted.
#: "Kept for all 4 checks of credentials and of practice" becomes "kept for all 3 credentials
#: and your practice".
CASE_PARTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "CERT-LAPSED": (
        ("credential", "credential", "credentials"),
        ("practice", "{owner} practice", "{owner} practice"),
    ),
}
#: Whose practice a report speaks of: the coach reading a self-audit, or the coach reviewed.
OWNERS = {"coach": "your", "supervisor": "the coach's"}
#: Checks whose only case is the coach, kept when nothing is recorded against them: the records
#: can show that nothing was recorded, not that the rule was kept.
RECORDED_ONLY = frozenset({"CONDUCT-DUAL", "CONDUCT-IMPAIRED"})


def kept_line(
    check_id: str,
    title: str,
    examined: int,
    *,
    renewals: int | None = None,
    parts: tuple[tuple[str, int, int], ...] = (),
    reader: str = "coach",
) -> str:
    """A strength line for a check kept in the period, claiming no more than the records show.

    CERT-ETHICS examines every renewed credential held at the period end, whenever it was
    renewed: with `renewals` (how many of them were renewed in the period) the line says so,
    and says there was no renewal in the period rather than "kept in the period". A check
    whose cases are of several kinds (`parts`, as `CheckStanding.parts`) names each kind,
    for the `reader` ("coach": your practice; "supervisor": the coach's practice)."""
    if check_id in RECORDED_ONLY:
        return f"{title}: nothing recorded against it in the period."
    named = parts_phrase(check_id, {p: e for p, e, _ in parts}, reader, every=True)
    if named is not None and sum(e for _, e, _ in parts) == examined:
        return f"{title}: kept in the period for {named}."
    cases = every_case(check_id, examined)
    if check_id == "CERT-ETHICS" and renewals is not None:
        held = f"{cases} held at its end"
        if not renewals:
            return (
                f"{title}: no credential was renewed in the period; {held} had a review course "
                f"before {'its' if examined == 1 else 'their'} renewal."
            )
        return f"{title}: kept for {held} ({plural(renewals, 'renewal')} in the period)."
    return f"{title}: kept in the period for {cases}."


def renewals_in_period(ctx: ReportContext, coach: str) -> int:
    """How many of a coach's latest credentials were renewals (not a first certification)
    certified within the period (`credential_status`)."""
    creds, note = ctx.metric("credential_status", coach)
    if note or creds.is_empty():
        return 0
    start, end = ctx.period.start, ctx.period.end
    return creds.filter((pl.col("held") > 1) & pl.col("certified_on").is_between(start, end)).height


def case_noun(check_id: str, n: int) -> str:
    """What `n` cases of a check are: `held session` / `held sessions` (catalogue `unit` for a
    check without its own noun)."""
    if check_id in CASE_NOUNS:
        one, many = CASE_NOUNS[check_id]
        return one if n == 1 else many
    from trc_analytics.checks import get_check

    unit = get_check(check_id).unit
    return unit if n == 1 else f"cases ({unit})"


def parts_phrase(
    check_id: str, counts: dict[str, int], reader: str = "coach", *, every: bool = False
) -> str | None:
    """The cases of a check with kinds (`CASE_PARTS`) named kind by kind: `3 credentials and
    your practice` (`every`: `all 3 credentials and your practice`, `the one credential`);
    a kind without a case is left out. None for a check without kinds or without a case."""
    said = []
    for part, one, many in CASE_PARTS.get(check_id, ()):
        n = counts.get(part, 0)
        if not n:
            continue
        if "{owner}" in one:
            said.append(one.format(owner=OWNERS[reader]))
        elif every:
            said.append(
                f"the one {one}" if n == 1 else f"{'both' if n == 2 else f'all {n:,}'} {many}"
            )
        else:
            said.append(f"{n:,} {one if n == 1 else many}")
    return " and ".join(said) if said else None


def parts_cell(check_id: str, parts: tuple[tuple[str, int, int], ...], reader: str) -> str | None:
    """A checklist cell for a check with kinds of case (`CASE_PARTS`): `3 of 3 credentials and
    your practice kept`; when one kind needs attention, each kind on its own (`2 of 3
    credentials kept; your practice kept`). None for a check without kinds."""
    if check_id not in CASE_PARTS or not parts:
        return None
    kept = all(c == e for _, e, c in parts)
    said = []
    for part, one, many in CASE_PARTS[check_id]:
        got = [(e, c) for p, e, c in parts if p == part and e]
        if not got:
            continue
        (e, c), owned = got[0], "{owner}" in one
        # the coach's one case of a kind is named, never counted ("your practice")
        phrase = one.format(owner=OWNERS[reader]) if owned else f"{c:,} of {e:,} "
        phrase += "" if owned else (one if e == 1 else many)
        if not kept:  # each kind says how it stands; a count says it itself
            phrase += " kept" if not owned or c == e else " needs attention"
        said.append(phrase)
    if not said:
        return None
    return f"{' and '.join(said)} kept" if kept else "; ".join(said)


def every_case(check_id: str, n: int) -> str:
    """`the one credential` / `both credentials` / `all 12 held sessions`: every case of a
    check, named."""
    if n == 1:
        return f"the one {case_noun(check_id, 1)}"
    return f"{'both' if n == 2 else f'all {n:,}'} {case_noun(check_id, n)}"


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
    #: (part, examined, compliant) of a check with kinds of case (`CASE_PARTS`), else empty.
    parts: tuple[tuple[str, int, int], ...] = ()

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
    parts: dict[str, list[tuple[str, int, int]]] = {}
    for check_id, part, examined, compliant in ctx.check_parts(coach).iter_rows():
        parts.setdefault(check_id, []).append((part, examined, compliant))
    return [
        CheckStanding(**r, parts=tuple(parts.get(r["check_id"], ())))
        for r in rows.iter_rows(named=True)
    ]


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
    return frame.select(vocab_words("reason"), "assessments").sort("assessments", descending=True)


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


def community_not_counted(community: pl.DataFrame, counted: float | None) -> list[str]:
    """A note when the community-service table lists kinds the survivor-service total leaves
    out (advocacy: it speaks for survivors, it is not a service given to them), so the total
    beside the table does not look like a sum that skipped rows."""
    if not community.height or counted is None:
        return []
    other = community.filter(~pl.col("kind").cast(pl.String).is_in(list(SURVIVOR_SERVICE)))
    if not other.height:
        return []
    kinds = " and ".join(vocab_label(k) for k in other["kind"].to_list())
    hours = float(other["hours"].sum() or 0)
    verb = "are" if other.height > 1 else "is"
    return [
        f"{kinds[0].upper() + kinds[1:]} ({hours_phrase(hours)}) {verb} "
        f"listed but not counted in the {hours_phrase(counted)} of community service to "
        "survivors: "
        "advocacy speaks for survivors rather than serving them."
    ]
