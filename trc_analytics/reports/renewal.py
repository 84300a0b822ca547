"""Renewal readiness in words: the section both coach reports show, and what `trc renewal`
prints (issue 12).

Facts come from the metric `renewal_readiness` (rules in `metrics.renewal`); here they become
one line per requirement and one status sentence per credential. The self-audit tells it
strength-first (what is done, then what is still to do); the supervisor review leads with the
most urgent credential.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from trc_analytics.policy import Policy
from trc_analytics.reports.context import ReportContext
from trc_analytics.reports.display import Section, Table, bullet_list
from trc_analytics.reports.outline import require
from trc_analytics.reports.sections import hours_phrase, hours_text, plural, wordy

#: Status -> how a report names it.
STATUS_WORDS = {
    "ready": "ready",
    "in_progress": "in progress",
    "at_risk": "at risk",
    "lapsed": "lapsed",
}
#: Statuses, most urgent first (the supervisor review's order).
URGENCY = ("lapsed", "at_risk", "in_progress", "ready")


#: A requirement's state: met, not met yet, or not asked of this coach (no supervision agreed).
DONE, TO_DO, NOT_ASKED = "done", "still to do", "not asked"


def _done(met: bool | None) -> str:
    return DONE if met else TO_DO


def requirement_rows(r: dict[str, Any], policy: Policy) -> list[tuple[str, str, str]]:
    """(requirement, done or still to do, the figures) for one `renewal_readiness` row."""
    since = f"since {r['certified_on']}"
    review = r["ethics_review_on"]
    needed = r["supervision_needed"]
    supervision = (
        f"{hours_text(r['supervision_hours'])} of the {hours_text(needed, round_up=True)} "
        "hours agreed for the cycle"
        if needed is not None
        else f"{hours_phrase(r['supervision_hours'])} {since}; no hours agreed with the supervisor"
    )
    return [
        (
            "Code of Ethics review course",
            _done(r["ethics_met"]),
            f"taken on {review}" if review else f"none on record {since}",
        ),
        (
            "Continuing education",
            _done(r["ce_met"]),
            f"{hours_text(r['ce_hours'])} of {hours_text(r['ce_needed'], round_up=True)} "
            f"hours {since}, not counting "
            "the ethics review course",
        ),
        (
            "Supervision",
            NOT_ASKED if needed is None else _done(r["supervision_met"]),
            supervision,
        ),
        (
            "Affordable service",
            _done(r["affordable_met"]),
            f"{hours_phrase(r['affordable_hours'])} {since}",
        ),
    ]


def status_line(r: dict[str, Any], policy: Policy, *, you: bool = False) -> str:
    """One sentence: the credential, its expiry, days left and its renewal status."""
    whose = "Your" if you else f"Coach {r['coach_id']}'s"
    name = f"{whose} {wordy(r['credential'])} credential"
    days = int(r["days_left"])
    status = r["status"]
    if status == "lapsed":
        return (
            f"{name} expired on {r['expires_on']} and its grace period ended on "
            f"{r['grace_ends_on']}: lapsed, so renewing it starts with the supervision the Code "
            "asks after a lapse "
            f"({hours_phrase(policy.lapse_supervision_hours, round_up=True)} one-to-one)."
        )
    when = (
        f"expires on {r['expires_on']}, in {plural(days, 'day')}"
        if days >= 0
        else f"expired on {r['expires_on']}; its grace period runs until {r['grace_ends_on']}"
    )
    if status == "ready":
        return f"{name} {when}: ready, every requirement of the cycle is done."
    still = r["missing"]
    if status == "at_risk":
        return (
            f"{name} {when}: at risk, with {still} still to do and fewer than "
            f"{policy.renewal_warning_days} days left."
        )
    return f"{name} {when}: in progress, with {still} still to do."


def requirement_table(r: dict[str, Any], policy: Policy) -> pl.DataFrame:
    """The requirements of one credential's cycle as a small table."""
    rows = requirement_rows(r, policy)
    return pl.DataFrame(
        {
            "requirement": [a for a, _, _ in rows],
            "status": [b for _, b, _ in rows],
            "figures": [c for _, _, c in rows],
        }
    )


def readiness(ctx: ReportContext, coach: str) -> pl.DataFrame:
    """The coach's `renewal_readiness` rows, most urgent first."""
    require(ctx, "credentials")
    frame, _ = ctx.metric("renewal_readiness", coach)
    rank = {s: i for i, s in enumerate(URGENCY)}
    return (
        frame.with_columns(_rank=pl.col("status").replace_strict(rank))
        .sort("_rank", "days_left")
        .drop("_rank")
    )


def section(
    ctx: ReportContext, coach: str, title: str, *, strength_first: bool, level: int = 2
) -> Section:
    """Each credential's renewal: a status sentence, then its requirements.

    strength_first (the self-audit): credentials that are ready come first, in the second
    person; otherwise the most urgent comes first."""
    frame = readiness(ctx, coach)
    if strength_first:
        frame = frame.sort(pl.col("status") != "ready", "days_left")
    rows = list(frame.iter_rows(named=True))
    if not rows:
        return Section(title, takeaway="No credential on record as of the period end.", level=level)
    takeaway = _strengths(rows, ctx.policy) if strength_first else _counts(frame)
    tables = [
        Table(
            f"{names}: the requirements of the cycle since {r['certified_on']}",
            requirement_table(r, ctx.policy),
        )
        for names, r in _same_cycles(rows)
    ]
    return Section(
        title,
        takeaway=takeaway,
        html_blocks=[bullet_list(status_line(r, ctx.policy, you=strength_first) for r in rows)],
        tables=tables,
        notes=[note(ctx.policy), *unrecorded(ctx)],
        level=level,
    )


#: The tables renewal requirements are read from, and what each one shows.
REQUIREMENT_TABLES = {
    "trainings": "the review course and continuing education",
    "supervision": "supervision received",
    "sessions": "affordable sessions",
}


def unrecorded(ctx: ReportContext) -> list[str]:
    """A note for each requirement table the workspace lacks: "still to do" there means nothing
    is recorded, not that the coach did not do it (no records is never read as a fact)."""
    return [
        f"No {table} records in this workspace: {shows} show as still to do because nothing is "
        "recorded, not because it was found missing."
        for table, shows in REQUIREMENT_TABLES.items()
        if table in ctx.missing_tables(table)
    ]


def _same_cycles(rows: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Open (not lapsed) credentials grouped by cycle: credentials certified the same day with
    the same figures share one requirements table (`advanced, initial`)."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    figures = ("certified_on", "ethics_review_on", "ce_hours", "supervision_hours",
               "supervision_needed", "affordable_hours")  # fmt: skip
    for r in rows:
        if r["status"] != "lapsed":
            groups.setdefault(tuple(r[k] for k in figures), []).append(r)
    return [(", ".join(wordy(r["credential"]) for r in g), g[0]) for g in groups.values()]


def _counts(frame: pl.DataFrame) -> str:
    """`Renewals as of the period end: 1 lapsed, 2 at risk.`, most urgent first."""
    counts = frame["status"].value_counts()
    by = dict(zip(counts["status"], counts["count"], strict=True))
    listed = ", ".join(f"{by[s]} {STATUS_WORDS[s]}" for s in URGENCY if s in by)
    return f"Renewals as of the period end: {listed}."


def _strengths(rows: list[dict[str, Any]], policy: Policy) -> str:
    """What is done for the renewals still open, then what is still to do and by when."""
    open_rows = [r for r in rows if r["status"] != "lapsed"]
    if not open_rows:
        return "Each credential has lapsed: its section below says how renewal starts."
    done = {n for r in open_rows for n, state, _ in requirement_rows(r, policy) if state == DONE}
    to_do = {n for r in open_rows for n, state, _ in requirement_rows(r, policy) if state == TO_DO}
    first = min(r["expires_on"] for r in open_rows)
    said = f"Done for your renewal so far: {_listed(done) or 'nothing yet'}."
    if not to_do:
        return f"{said} Every requirement of the cycle is in place."
    return f"{said} Still to do before {first}: {_listed(to_do)}."


def _listed(names: set[str]) -> str:
    """Requirement names in a sentence: `affordable service, Code of Ethics review course`."""
    return ", ".join(sorted(names)).lower().replace("code of ethics", "Code of Ethics")


def note(policy: Policy) -> str:
    """How readiness is judged, in one paragraph."""
    return (
        "A cycle runs from the day a credential was certified or renewed to its expiry. "
        "Continuing education asks "
        f"{hours_phrase(policy.ce_hours_per_cycle, round_up=True)} a cycle; "
        "supervision, the hours agreed with the supervisor each quarter; affordable service, "
        "some pro-bono or affordable coaching or community service to survivors. At risk: "
        f"something still to do with fewer than {policy.renewal_warning_days} days left."
    )
