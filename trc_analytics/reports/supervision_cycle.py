"""Sections of the supervision cycle, shared by the supervisor review and the self-audit:
clients to discuss, supervision agreed against received, agreed actions with the next review
date, and a printable sign-off block.

Each builder takes the title the calling report declares in its `SECTIONS` and `strength_first`
(the self-audit's wording: what already followed comes first). `actions_due(ctx, coach)` is the
short list of open actions an opening summary can show. The action text is the coach's own
free text: only these coach reports show it, never the association report.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.errors import MissingTables
from trc_analytics.reports import charts
from trc_analytics.reports import sections as facts
from trc_analytics.reports.context import ReportContext, long_date
from trc_analytics.reports.display import Figure, Section, Table, esc
from trc_analytics.reports.outline import level
from trc_analytics.reports.sections import hours_phrase, hours_text, pct, plural

#: Columns of an action as the reviews list it.
ACTION_COLUMNS = ("check_id", "client_id", "action", "owner", "agreed_on", "due_on")
#: Lines to fill in by hand on the printed sign-off block.
SIGN_OFF_LINES = ("Supervisor", "Coach", "Date of the review meeting")
COMMENT_LINES = 4


def actions_due(ctx: ReportContext, coach: str) -> pl.DataFrame:
    """Open actions of one coach at the period end, overdue first (most overdue first), then by
    due date; columns `status`, `days_overdue` and ACTION_COLUMNS. Raises `MissingTables`
    when the workspace has no supervision_actions table (the caller says so)."""
    actions, note = ctx.metric("supervision_action_list", coach)
    if note:
        raise MissingTables(("supervision_actions",), actions)
    return actions.filter(pl.col("status") != "done in period").select(
        "status", "days_overdue", *ACTION_COLUMNS
    )


def agreed_actions(ctx: ReportContext, coach: str, title: str, *, strength_first: bool) -> Section:
    """Open actions (overdue first), actions done in the period and the next review date."""
    schedule = facts.first_row(ctx.metric("review_schedule", coach)[0])
    next_on = schedule.get("next_review_on")
    next_text = (
        f"Next review proposed for {long_date(next_on)} "
        f"({ctx.policy.review_interval_days} days after the period end)."
    )
    try:
        due = actions_due(ctx, coach)
    except MissingTables as exc:
        return Section(title, takeaway=next_text, missing=list(exc.tables), level=level(ctx))
    done = ctx.metric("supervision_action_list", coach)[0].filter(
        pl.col("status") == "done in period"
    )
    overdue = due.filter(pl.col("status") == "overdue").height
    if strength_first:
        takeaway = (
            f"{plural(done.height, 'agreed action')} done in the period; "
            f"{plural(due.height, 'action')} still open"
            + (f", {overdue} of them past the date agreed." if overdue else ".")
        )
    else:
        takeaway = (
            f"{plural(due.height, 'open action')} ({overdue} overdue) and "
            f"{plural(done.height, 'action')} done in the period."
        )
    notes = [next_text]
    earliest = schedule.get("earliest_open_due_on")
    if overdue:
        notes.append(
            f"{plural(overdue, 'action is', 'actions are')} past the date agreed: "
            "an earlier meeting may suit."
        )
    elif earliest is not None and next_on is not None and earliest < next_on:
        notes.append(
            f"An open action falls due on {long_date(earliest)}, before that date: "
            "an earlier meeting may suit."
        )
    tables = [
        Table("Open actions, overdue first", due, empty_text="No open action."),
        Table(
            "Actions done in the period",
            done.select(*ACTION_COLUMNS, "done_on"),
            empty_text="No action was done in the period.",
        ),
    ]
    return Section(
        title,
        takeaway=takeaway,
        figures=[
            Figure("Open actions", due.height),
            Figure("Overdue", overdue),
            Figure("Done in the period", done.height),
            Figure("Next review", next_on.isoformat() if next_on else "–"),
        ],
        tables=tables,
        notes=notes,
        level=level(ctx),
    )


def clients_to_discuss(
    ctx: ReportContext, coach: str, title: str, *, strength_first: bool
) -> Section:
    """Clients with a risk event, exclusion, decompensation, triggered exit or silent
    engagement in the period, each with what followed."""
    clients, note = ctx.metric("clients_to_discuss", coach)
    if note:
        return Section(
            title, missing=["sessions", "safety_assessments", "engagements"], level=level(ctx)
        )
    takeaway = _discuss_takeaway(clients, strength_first=strength_first)
    table = clients.select("client_id", "event_on", "event", "followed")
    return Section(
        title,
        takeaway=takeaway,
        tables=[
            Table(
                "Safety events and silences by client (pseudonym), with what followed",
                table,
                labels={"client_id": "client (pseudonym)"},
                empty_text="No client to discuss.",
            )
        ],
        notes=_silent_note(clients, ctx.policy.silent_engagement_days),
        level=level(ctx),
    )


def _discuss_takeaway(clients: pl.DataFrame, *, strength_first: bool) -> str:
    """The clients-to-discuss sentence: how many events had something recorded after them and
    how many are left to take to supervision (a part that is zero is not said, so "0 events to
    take to supervision" never stands beside a list of clients)."""
    if not clients.height:
        return "No client had a risk event, exclusion or silent engagement in the period."
    open_ = clients.filter(pl.col("followed") == "nothing recorded since")
    events, waiting = clients.height, open_.height
    who = plural(clients.get_column("client_id").n_unique(), "client")
    followed = "a referral, assessment or session"
    if not strength_first:
        start = f"{who} to discuss ({plural(events, 'event')}); "
        if waiting:
            waiting_clients = open_.get_column("client_id").n_unique()
            return start + f"{plural(waiting_clients, 'client')} with nothing recorded since."
        return start + f"{followed} followed {'it' if events == 1 else 'each'}."
    if not waiting:
        each = "the one event" if events == 1 else f"each of the {events:,} events"
        return f"For {each} ({who}), {followed} already followed."
    if waiting == events:
        return f"{plural(events, 'event')} ({who}) to take to supervision: nothing recorded since."
    return (
        f"For {events - waiting:,} of {plural(events, 'event')} ({who}), {followed} already "
        f"followed; {plural(waiting, 'event')} to take to supervision."
    )


def _silent_note(clients: pl.DataFrame, days: int) -> list[str]:
    """What "silent" means, when a silent engagement is listed (else nothing to explain)."""
    if not clients.filter(pl.col("event").str.starts_with("silent engagement")).height:
        return []
    return [
        f"Silent: an open engagement with no held session for more than {days} days at the "
        "period end."
    ]


def supervision_agreed(ctx: ReportContext, coach: str, title: str) -> Section:
    """Supervision hours agreed against received, per quarter of the period."""
    quarters, _ = ctx.metric("supervision_agreed_vs_received", coach)
    sup_note = None if "supervision" in ctx.ws else "no supervision records"
    agreed = quarters.get_column("agreed_hours").drop_nulls()
    received = float(quarters.get_column("received_hours").sum() or 0)
    if agreed.is_empty():
        takeaway = (
            f"No agreed supervision hours are on record (coaches.supervision_hours_per_quarter); "
            f"{hours_phrase(received)} were received in the period."
        )
    else:
        total = float(agreed.sum())
        takeaway = (
            f"{hours_text(received)} of {hours_text(total, round_up=True)} agreed supervision "
            "hours received in the "
            f"period ({pct(received / total if total else None)})."
        )
    chart = (
        charts.monthly(
            quarters,
            {"agreed_hours": "Agreed", "received_hours": "Received"},
            y_title="Supervision hours",
            month="quarter",
            kind="bar",
            x_title="Quarter",
            label=charts.quarter_label("quarter"),
            values="hours",
        )
        if quarters.height and not agreed.is_empty()
        else None
    )
    return Section(
        title,
        takeaway=takeaway,
        chart=chart,
        tables=[
            Table(
                "Supervision agreed and received per quarter (agreed pro rata for part quarters)",
                quarters.drop("coach_id").with_columns(
                    charts.quarter_label("quarter").alias("quarter")
                ),
            )
        ],
        notes=[sup_note] if sup_note else [],
        level=level(ctx),
    )


def sign_off(ctx: ReportContext, coach: str, title: str) -> Section:
    """A printable block to sign: supervisor, coach, date, and the coach's comments."""
    lines = "".join(
        f'<p class="trc-sign-line">{esc(label)}: '
        "<span>______________________________________</span></p>"
        for label in SIGN_OFF_LINES
    )
    comments = "".join(
        '<p class="trc-sign-line"><span>'
        "__________________________________________________________________</span></p>"
        for _ in range(COMMENT_LINES)
    )
    block = (
        f'<div class="trc-sign-off">{lines}'
        f"<p>{esc('Coach’s comments on this review:')}</p>{comments}</div>"
    )
    return Section(
        title,
        takeaway=(
            f"Review of {coach} for {long_date(ctx.period.start)} to "
            f"{long_date(ctx.period.end)}: to be signed by the supervisor and the coach."
        ),
        html_blocks=[block],
        level=level(ctx),
    )
