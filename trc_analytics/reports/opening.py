"""What both coach reports open with: the span the records cover, and a one-screen summary.

The summary puts the findings first (by severity, each linked to its list further down), what
changed since the comparison period, the clients to discuss and the actions due. A period
without sessions for the coach says so before anything else and claims no rule kept.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.checks import SEVERITIES, change_counts
from trc_analytics.errors import MissingTables
from trc_analytics.metrics.compare import FigureChange, figure_changes
from trc_analytics.reports import sections as facts
from trc_analytics.reports.context import ReportContext, long_date
from trc_analytics.reports.display import Figure, Section, and_list, bullet_list, esc, format_value
from trc_analytics.reports.sections import findings_anchor, plural
from trc_analytics.reports.supervision_cycle import actions_due

#: The headline figures compared with the previous period, with the report's labels.
HEADLINE = {
    "active_clients": "Active clients",
    "new_intakes": "New intakes",
    "closures": "Engagements closed",
    "sessions_held": "Sessions held",
    "hours": "Hours held",
    "no_show_rate": "No-show rate",
}
#: Clients listed in the summary at most (the findings section lists every one).
CLIENTS_SHOWN = 8
#: What the summary says of actions when the workspace has no supervision_actions table.
NO_ACTIONS = "No actions recorded: the workspace has no supervision_actions table."
#: Open actions listed in the summary at most (the actions section lists every one).
ACTIONS_SHOWN = 5


def span_text(ctx: ReportContext, coach: str | None) -> str:
    """`3 March 2024 to 28 June 2026`: the first and last session of the coach (or of the
    report's coaches), whatever the period."""
    span = ctx.records_span(coach)
    return f"{long_date(span[0])} to {long_date(span[1])}" if span else "no session recorded"


def comparison_text(ctx: ReportContext) -> str:
    """`1 July 2025 to 31 December 2025`, or `none`."""
    if ctx.comparison is None:
        return "none"
    return f"{long_date(ctx.comparison.start)} to {long_date(ctx.comparison.end)}"


def finding_figures(ctx: ReportContext, coach: str) -> list[Figure]:
    """Findings by severity as headline figures, with their count in the comparison period."""
    now = ctx.findings(coach)
    then = ctx.previous.findings(coach) if ctx.previous is not None else None
    figures = []
    for s in SEVERITIES:
        n = now.filter(pl.col("severity") == s).height
        change = (
            FigureChange(s, then.filter(pl.col("severity") == s).height, n)
            if then is not None
            else None
        )
        figures.append(Figure(f"{s.capitalize()} findings", n, note=then_now(change)))
    return figures


def coverage_text(ctx: ReportContext, coach: str) -> str:
    """`The records of coach C-1 cover 3 March 2024 to 28 June 2026.` (or that there are none)."""
    span = ctx.records_span(coach)
    if span is None:
        return f"No sessions of coach {coach} are recorded at all."
    return f"The records of coach {coach} cover {long_date(span[0])} to {long_date(span[1])}."


def no_sessions_text(ctx: ReportContext, coach: str) -> str | None:
    """The sentence a period without held sessions opens with; None when there are some."""
    if "sessions" not in ctx.ws or ctx.sessions_held_count(coach):
        return None
    span = ctx.records_span(coach)
    cover = (
        f"the records cover {long_date(span[0])} to {long_date(span[1])}"
        if span
        else "the records hold no session of this coach at all"
    )
    return (
        f"No sessions are recorded for coach {coach} in this period; {cover}. With no session "
        "to look at, this report makes no claim that the rules of the Code held in the period."
    )


def has_sessions(ctx: ReportContext, coach: str) -> bool:
    """Whether the coach held sessions in the period (a report claims rules kept only then)."""
    return no_sessions_text(ctx, coach) is None


def headline_changes(ctx: ReportContext, coach: str) -> dict[str, FigureChange] | None:
    """The headline figures then and now; None without a comparison period."""
    if ctx.previous is None:
        return None
    now, _ = facts.headline(ctx, coach)
    then, _ = facts.headline(ctx.previous, coach)
    return figure_changes(then, now, tuple(HEADLINE))


def then_now(change: FigureChange | None, column: str = "") -> str:
    """`12 → 15`: a figure's value in the comparison period and in the period."""
    if change is None:
        return ""
    col = column or change.name
    return f"{format_value(change.then, col)} → {format_value(change.now, col)}"


def clients_to_discuss(ctx: ReportContext, coach: str) -> list[str]:
    """The clients with findings, most serious first: `P-12: SAFE-RISK, CONF-A (critical)`."""
    f = ctx.findings(coach).filter(pl.col("client_id").is_not_null())
    if f.is_empty():
        return []
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    by_client = (
        f.with_columns(r=pl.col("severity").replace_strict(rank))
        .group_by("client_id")
        .agg(pl.col("r").min(), pl.col("check_id").unique(maintain_order=True))
        .sort("r", "client_id")
    )
    return [
        f"{row['client_id']}: {', '.join(row['check_id'])} ({SEVERITIES[row['r']]})"
        for row in by_client.head(CLIENTS_SHOWN).iter_rows(named=True)
    ] + (
        [f"and {by_client.height - CLIENTS_SHOWN} more (see the findings)."]
        if by_client.height > CLIENTS_SHOWN
        else []
    )


def resolved_lines(ctx: ReportContext, coach: str) -> list[str]:
    """`CONF-A · client P-2 (major)`: each finding of the comparison period absent now."""
    changes = ctx.changes(coach)
    if changes is None:
        return []
    return [
        f"{r['check_id']} · "
        + (
            f"client {r['client_id']}"
            if r["client_id"]
            else f"engagement {r['engagement_id']}"
            if r["engagement_id"]
            else "standing rule"
        )
        + f" ({r['severity']})"
        for r in changes.filter(pl.col("change") == "resolved").iter_rows(named=True)
    ]


def _severity_links(ctx: ReportContext, coach: str, target: str | None) -> str:
    """`Go to the findings: <a href=#…>critical</a> · <a>major</a>` for the severities with
    findings; each links to its list of findings, or to `target` (a section id) when given.
    The counts are in the takeaway just above, so the links do not repeat them."""
    f = ctx.findings(coach)
    links = [
        f'<a href="#{target or findings_anchor(coach, s)}">{esc(s)}</a>'
        for s in SEVERITIES
        if f.filter(pl.col("severity") == s).height
    ]
    if not links:
        return ""
    return f'<p class="trc-summary-findings">Go to the findings: {" · ".join(links)}</p>'


def change_text(ctx: ReportContext, coach: str) -> str:
    """`Findings compared with 1 July 2025 to 31 December 2025: 2 new, 3 recurring, 1 resolved.`"""
    changes = ctx.changes(coach)
    if changes is None:
        return "No comparison with another period was asked for."
    counts = change_counts(changes)
    then = ctx.comparison
    return (
        f"Findings compared with {long_date(then.start)} to {long_date(then.end)}: "  # type: ignore[union-attr]
        f"{counts['new']} new, {counts['recurring']} recurring, {counts['resolved']} resolved."
    )


def summary(
    ctx: ReportContext, coach: str, *, title: str, level: int = 2, target: str | None = None
) -> Section:
    """The one-screen summary both coach reports open with (`target`: the section id the
    severity links go to, by default the findings lists of `findings_by_check`)."""
    f = ctx.findings(coach)
    counts = {s: f.filter(pl.col("severity") == s).height for s in SEVERITIES}
    empty = no_sessions_text(ctx, coach)
    if f.is_empty():
        takeaway = "No findings in the period." if empty is None else empty
    else:
        takeaway = (
            "To discuss: "
            + and_list([plural(n, f"{s} finding") for s, n in counts.items() if n])
            + "."
        )
        if empty:
            takeaway = f"{empty} {takeaway}"
    clients = clients_to_discuss(ctx, coach)
    blocks = [
        _severity_links(ctx, coach, target),
        f"<p>{esc(change_text(ctx, coach))}</p>",
        "<p><strong>Clients named in findings</strong></p>"
        + (bullet_list(clients) if clients else "<p>None: no finding names a client.</p>"),
        "<p><strong>Actions due</strong></p>" + actions_html(ctx, coach),
    ]
    return Section(
        title,
        takeaway=takeaway,
        figures=[Figure(s.capitalize(), n) for s, n in counts.items()],
        html_blocks=[b for b in blocks if b],
        notes=[coverage_text(ctx, coach)],
        level=level,
        css_class="trc-summary",
    )


def actions_html(ctx: ReportContext, coach: str) -> str:
    """The open agreed actions at the period end, overdue first, as a short list (or why none)."""
    try:
        due = actions_due(ctx, coach)
    except MissingTables:
        return f"<p>{esc(NO_ACTIONS)}</p>"
    if due.is_empty():
        return "<p>None open at the period end.</p>"
    items = [
        f"{a['action']} ({a['owner']}, due {a['due_on']}"
        + (f", {a['days_overdue']} days overdue" if a["days_overdue"] else "")
        + ")"
        for a in due.head(ACTIONS_SHOWN).iter_rows(named=True)
    ]
    more = due.height - len(items)
    return bullet_list(items) + (f"<p>and {more} more in Agreed actions.</p>" if more else "")
