"""`trc progress WS --coach ID [--as-of DATE] [--requirements FILE]`: a coach's coaching hours,
clients and recent hours against each credential level, with the hours still needed and the
month each level is reached at the pace of the last 6 months."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from trc_analytics.cli.options import (
    as_of_option,
    format_option,
    keep_valid_option,
    load_policy,
    policy_option,
    requirements_option,
    workspace_argument,
)
from trc_analytics.cli.workspace import load_or_exit

#: Characters of a progress bar in the terminal.
BAR_WIDTH = 12

if TYPE_CHECKING:
    import polars as pl

    from trc_analytics.metrics.requirements import Requirements


@click.command("progress")
@workspace_argument
@click.option("--coach", required=True, metavar="ID", help="The coach whose progress to show.")
@as_of_option
@requirements_option
@policy_option
@keep_valid_option
@format_option
def progress(
    folder: Path,
    coach: str,
    as_of: dt.date,
    requirements_file: Path | None,
    policy_file: Path | None,
    keep_valid: bool,
    fmt: str,
) -> None:
    """Show the credential progress of one coach in the workspace FOLDER.

    Coaching hours since coach-specific training began (coaches.coach_training_started_on),
    paid and pro bono (a reduced fee counts as paid), distinct clients (each group member
    counts; groups above icf_max_group_size do not) and the hours of the last 18 months,
    against the ICF's ACC, PCC and MCC (and your association's levels with --requirements).
    Exit status: 0 ok, 1 invalid workspace or no sessions table, 2 usage error.
    """
    requirements = _requirements(requirements_file)
    policy = load_policy(policy_file)
    ws = load_or_exit(folder, keep_valid=keep_valid, fmt=fmt, stopped="No progress was computed.")
    if "sessions" not in ws:
        click.echo(f"error: no sessions records in {folder}: there are no hours to count", err=True)
        raise SystemExit(1)
    from trc_analytics.errors import UnknownId
    from trc_analytics.period import Period
    from trc_analytics.reports.progress import coach_progress
    from trc_analytics.scope import Scope

    try:
        sc = Scope.make(ws, Period(as_of, as_of), coaches=coach, policy=policy)
    except UnknownId as exc:
        raise click.UsageError(str(exc)) from None
    totals, needs, estimates = coach_progress(sc, coach, requirements)
    if fmt == "table":
        _print_table(
            coach, as_of, totals, needs, estimates, requirements, policy.icf_max_group_size
        )
    else:
        _print_data(fmt, coach, as_of, totals, needs, estimates, requirements)


def _requirements(path: Path | None) -> Requirements:
    """The ICF's levels and the file's; a bad file is a usage error naming file and key."""
    from trc_analytics.metrics.requirements import RequirementsError, load_requirements

    try:
        return load_requirements(path)
    except RequirementsError as exc:
        raise click.BadParameter(str(exc), param_hint="--requirements") from None


def _print_table(
    coach: str,
    as_of: dt.date,
    totals: dict[str, Any],
    needs: pl.DataFrame,
    estimates: pl.DataFrame,
    requirements: Requirements,
    cap: int,
) -> None:
    """For people: the totals, one bar per requirement, one line per level, the sources."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from trc_analytics.reports import progress as words

    console = Console(highlight=False)
    console.print(f"[bold]Credential progress of {escape(coach)} as of {as_of.isoformat()}[/]")
    console.print(escape(f"Counted: {words.counted_since_text(totals['counted_since'])}."))
    console.print(escape(words.totals_line(totals)))
    for note in (words.brought_forward_note(totals), words.left_out_note(totals, cap)):
        if note:
            console.print(escape(note))
    table = Table(header_style="bold", box=None)
    for name in ("level", "requirement", "progress", "have", "required", "still needed"):
        table.add_column(name, justify="right" if name in ("have", "required") else "left")
    for r in needs.iter_rows(named=True):
        share = min(1.0, r["have"] / r["required"]) if r["required"] else 1.0
        filled = math.floor(share * BAR_WIDTH + 1e-6)  # full only when met
        table.add_row(
            escape(r["level"]),
            escape(r["label"]),
            "█" * filled + "░" * (BAR_WIDTH - filled),
            words.amount(r["have"], r["requirement"]),
            words.amount(r["required"], r["requirement"], round_up=True),
            "met" if r["met"] else words.amount(r["still_needed"], r["requirement"], round_up=True),
        )
    console.print(table)
    for e in estimates.iter_rows(named=True):
        console.print(escape(words.level_line(e)))
    console.print(escape("Levels and figures: " + "; ".join(requirements.sources) + "."))
    for url in requirements.source_urls:
        console.print(escape(f"See {url}"))


def _print_data(
    fmt: str,
    coach: str,
    as_of: dt.date,
    totals: dict[str, Any],
    needs: pl.DataFrame,
    estimates: pl.DataFrame,
    requirements: Requirements,
) -> None:
    """For programs: csv (one row per level and requirement, with the level's estimate) or
    json (totals, levels with their requirements, sources)."""
    import polars as pl

    if fmt == "csv":
        from trc_analytics.exports import safe_csv

        est = estimates.select("coach_id", "level", "estimated_on", "estimate")
        click.echo(safe_csv(needs.join(est, on=["coach_id", "level"], how="left")), nl=False)
        return
    import json

    levels = [
        {
            **e,
            "requirements": needs.filter(pl.col("level") == e["level"])
            .drop("coach_id", "level")
            .to_dicts(),
        }
        for e in estimates.drop("coach_id").iter_rows(named=True)
    ]
    payload = {
        "coach_id": coach,
        "as_of": as_of,
        "totals": {k: v for k, v in totals.items() if k != "coach_id"},
        "levels": levels,
        "sources": list(requirements.sources),
        "source_urls": list(requirements.source_urls),
    }
    click.echo(json.dumps(payload, indent=2, default=str, ensure_ascii=False))
