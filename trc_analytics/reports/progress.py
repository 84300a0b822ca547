"""Credential progress in words and bars, shared by `trc progress`, the self-audit and the
supervisor review (issue 12).

Facts come from `metrics.credential_progress` (hours since coach-specific training began, paid
and pro bono, distinct clients, recent hours, the pace of the last 6 months) against the levels
of `metrics.requirements`; here they become one line per level and plain HTML/CSS bars (no
script, printable). The self-audit words it strength-first: what the coach has built comes
before what is still needed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import polars as pl

from trc_analytics.metrics.credential_progress import (
    credential_progress,
    level_estimates,
    progress_levels,
)
from trc_analytics.metrics.requirements import Requirements, icf_requirements
from trc_analytics.reports.context import ReportContext, SharedResults, long_date
from trc_analytics.reports.display import Section, bullet_list, esc, table_box
from trc_analytics.reports.outline import level, require
from trc_analytics.reports.sections import hours_phrase, hours_text, num, plural
from trc_analytics.scope import Scope


def hours(value: float, *, round_up: bool = False) -> str:
    """Hours as a person reads them: `8.5 hours`, `1 hour`, `2,500 hours`, `108.5 hours`
    (`sections.hours_text`: held hours round down, hours still needed with `round_up`)."""
    return hours_phrase(value, round_up=round_up)


def month_text(day: dt.date) -> str:
    """`March 2034`: an estimate is never as exact as a day."""
    return day.strftime("%B %Y")


def counted_since_text(since: dt.date | None) -> str:
    """Where the hours are counted from."""
    if since is None:
        return (
            "every held coaching session on record (no start of coach-specific training recorded)"
        )
    return f"held coaching sessions since {long_date(since)}, when coach-specific training began"


def totals_line(p: dict[str, Any], whose: str = "your") -> str:
    """`8.5 coaching hours (5.5 paid, 3 pro bono) with 5 clients; 8.5 of them in the last 18
    months.`, saying what was brought forward from `whose` earlier log (`your`, `the coach's`)
    when anything was."""
    total = p["hours"]
    forward = ""
    if p.get("prior_hours") or p.get("prior_clients"):
        forward = (
            f", including {hours(p['prior_hours'])} and {plural(p['prior_clients'], 'client')} "
            f"brought forward from {whose} earlier log"
        )
    return (
        f"{hours(total).replace(' hour', ' coaching hour')} "
        f"({hours_text(p['paid_hours'])} paid, {hours_text(p['pro_bono_hours'])} pro bono) with "
        f"{plural(p['clients'], 'client')}{forward}; {hours_text(p['hours_last_18_months'])} "
        f"{'hours' if forward else 'of them'} in the last 18 months."
    )


def brought_forward_note(p: dict[str, Any]) -> str | None:
    """How hours brought forward from an earlier log were counted (None: none were)."""
    if not (p.get("prior_hours") or p.get("prior_clients")):
        return None
    until = p.get("prior_hours_until")
    skipped = (
        f"; sessions recorded on or before {long_date(until)}, the last day of that log, are "
        "left out so that nothing counts twice"
        if until
        else ""
    )
    return (
        f"Brought forward from an earlier log: {hours(p['prior_hours'])} "
        f"({hours_text(p['prior_paid_hours'])} paid) and {plural(p['prior_clients'], 'client')}"
        f"{skipped}. A client in both logs counts twice; brought-forward hours have no dates, "
        "so they never count towards the hours of the last 18 months."
    )


def amount(value: float, requirement: str, *, round_up: bool = False) -> str:
    """A requirement's figure: clients as whole numbers (`75`), hours as `sections.hours_text`
    prints them (`5.5`, `100`; 99.96 held of 100 is `99.9`, never a requirement met). Hours
    required or still needed are given `round_up`."""
    if requirement == "clients":
        return num(value)
    return hours_text(value, round_up=round_up)


def and_list(names: list[str]) -> str:
    """`ACC`, `ACC and PCC`, `ACC, PCC and MCC`."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def level_line(e: dict[str, Any]) -> str:
    """One level: met, or what is still needed and the estimated month (or why there is none)."""
    name = e["level"]
    if e["estimate"] == "met":
        return f"{name}: every requirement met."
    rest = _other_needs(e)
    if e["estimate"] == "hours_met":
        return f"{name}: the hours are there; still needed: {rest}."
    total, paid = e["hours_still_needed"], e["paid_hours_still_needed"]
    # paid hours count in the hours too: when more paid hours are missing than hours in all,
    # the paid ones are what is needed ("1 hour still needed (15 of them paid)" is no sum)
    if total > paid:
        need = f"{hours(total, round_up=True)} still needed" + (
            f" ({hours_text(paid, round_up=True)} of them paid)" if paid else ""
        )
    else:
        need = f"{hours(paid, round_up=True)} of paid coaching still needed"
    extra = f"; also {rest}" if rest else ""
    if e["estimate"] == "no_pace":
        return (
            f"{name}: {need}{extra}. No coaching hours (or no paid hours) in the last 6 months, "
            "so no date can be estimated."
        )
    return (
        f"{name}: {need}{extra}. At the pace of the last 6 months "
        f"({hours_phrase(e['hours_per_month'])} a month), "
        f"about {month_text(e['estimated_on'])}."
    )


def _other_needs(e: dict[str, Any]) -> str:
    """Clients and recent hours still needed, in words (empty when none)."""
    parts = []
    if e["clients_still_needed"] > 0:
        parts.append(f"{plural(e['clients_still_needed'], 'more client')}")
    if e["recent_hours_still_needed"] > 0:
        parts.append(
            f"{hours(e['recent_hours_still_needed'], round_up=True)} more in the last "
            f"{e['recent_months']} months"
        )
    return " and ".join(parts)


def percent_held(share: float) -> str:
    """`99%` for 99.96 of 100 hours: a share of a requirement rounds down, so a bar's label
    reads `100%` only when the requirement is met."""
    return f"{math.floor(share * 100 + 1e-6)}%"


def bars_html(needs: pl.DataFrame) -> str:
    """A table of plain HTML/CSS bars: one row per level and requirement, have of required."""
    rows = []
    for r in needs.iter_rows(named=True):
        share = min(1.0, r["have"] / r["required"]) if r["required"] else 1.0
        still = (
            "met"
            if r["met"]
            else f"{amount(r['still_needed'], r['requirement'], round_up=True)} to go"
        )
        rows.append(
            f"<tr><td>{esc(r['level'])}</td><td>{esc(r['label'])}</td>"
            f'<td><div class="trc-bar" role="img" aria-label="{percent_held(share)}">'
            f'<span style="width:{math.floor(share * 1000 + 1e-6) / 10:.1f}%"></span></div></td>'
            f'<td class="trc-num">{amount(r["have"], r["requirement"])} of '
            f"{amount(r['required'], r['requirement'], round_up=True)}</td>"
            f"<td>{esc(still)}</td></tr>"
        )
    head = (
        "<tr><th>Level</th><th>Requirement</th><th>Progress</th><th>Have</th>"
        "<th>Still needed</th></tr>"
    )
    table = (
        f'<table class="trc-progress"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
    )
    return table_box(table, rows=len(rows), columns=5)  # scrolls on a phone, whole in print


def coach_progress(
    sc: Scope, coach: str, requirements: Requirements
) -> tuple[dict[str, Any], pl.DataFrame, pl.DataFrame]:
    """One coach's totals (a `credential_progress` row), requirement rows and level estimates."""
    totals = credential_progress.metric.lazy(sc).collect()  # type: ignore[attr-defined]
    mine = pl.col("coach_id") == coach
    row = totals.filter(mine).row(0, named=True)
    needs = progress_levels(sc, requirements, totals)  # totals built once, not three times
    return (
        row,
        needs.filter(mine),
        level_estimates(sc, requirements, totals, needs).filter(mine),
    )


#: One coach's credential progress: totals (a `credential_progress` row), requirement rows and
#: level estimates (`coach_progress`).
Progress = tuple[dict[str, Any], pl.DataFrame, pl.DataFrame]


def every_coach_progress(sc: Scope, requirements: Requirements) -> dict[str, Progress]:
    """`coach_progress` of every coach of `sc`, by coach id, from one computation: a batch
    kernel builds it once and each report looks its coach up (the same rows, in the same
    order, as the coach's own scope gives; tested)."""
    totals = credential_progress.metric.lazy(sc).collect()  # type: ignore[attr-defined]
    needs = progress_levels(sc, requirements, totals)
    estimates = level_estimates(sc, requirements, totals, needs)
    need_parts, estimate_parts = _by_coach(needs), _by_coach(estimates)
    return {
        row["coach_id"]: (
            row,
            need_parts.get(row["coach_id"], needs.clear()),
            estimate_parts.get(row["coach_id"], estimates.clear()),
        )
        for row in totals.iter_rows(named=True)
    }


def _by_coach(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """`frame` split by coach_id, each part in the frame's order."""
    return {k[0]: v for k, v in frame.partition_by("coach_id", as_dict=True).items()}


def progress_of(ctx: ReportContext, coach: str, requirements: Requirements) -> Progress:
    """One coach's credential progress as of the period end: looked up in every coach's,
    built once, in a batch kernel; else computed in a scope of this coach alone (a
    portfolio review asks once per coach)."""
    every = ctx.shared(*_every_coach(requirements))
    if every is not None and coach in every:
        return every[coach]
    sc = Scope.make(ctx.ws, ctx.period, coaches=coach, policy=ctx.policy)
    return coach_progress(sc, coach, requirements)


def _every_coach(
    requirements: Requirements,
) -> tuple[tuple[str, Requirements], Callable[[Scope], dict[str, Progress]]]:
    """The key and the builder of every coach's progress in a batch's shared results."""
    return ("credential_progress", requirements), lambda sc: every_coach_progress(sc, requirements)


def share_progress(shared: SharedResults) -> None:
    """Build every coach's credential progress (against the ICF levels the sections use) into
    a batch's shared results: its parent process does this once, before handing the results
    to every kernel, so no kernel builds it again."""
    shared.built(*_every_coach(icf_requirements()))


def left_out_note(p: dict[str, Any], cap: int) -> str | None:
    """The groups above the cap the counts leave out, if any."""
    if not p["groups_over_cap"]:
        return None
    return (
        f"Left out: {plural(p['groups_over_cap'], 'group')} of more than {cap} members "
        f"({hours(p['hours_over_cap'])}), which the ICF does not count as coaching experience."
    )


def section(ctx: ReportContext, coach: str, title: str, *, strength_first: bool) -> Section:
    """The credential-progress section of a coach report, as of the period end."""
    require(ctx, "sessions")
    requirements = ctx.requirements or icf_requirements()  # an association's levels added
    p, needs, estimates = progress_of(ctx, coach, requirements)
    lines = [level_line(e) for e in estimates.iter_rows(named=True)]
    reached = estimates.filter(pl.col("met"))["level"].to_list()
    built = totals_line(p, "your" if strength_first else "the coach's")
    if strength_first:
        takeaway = f"You have built {built[0].lower()}{built[1:]}" + (
            f" Every requirement of {and_list(reached)} is met." if reached else ""
        )
    else:
        takeaway = built + (f" Meets every requirement of {and_list(reached)}." if reached else "")
    notes = [
        f"Counted: {counted_since_text(p['counted_since'])}, to {long_date(ctx.period.as_of)}; "
        "a reduced fee counts as paid; each group member counts as a client.",
        "Levels and figures: " + "; ".join(requirements.sources) + ".",
    ]
    if (note := left_out_note(p, ctx.policy.icf_max_group_size)) is not None:
        notes.insert(1, note)
    if (forward := brought_forward_note(p)) is not None:
        notes.insert(1, forward)
    return Section(
        title,
        takeaway=takeaway,
        html_blocks=[bars_html(needs), bullet_list(lines)],
        notes=notes,
        level=level(ctx),
    )
