"""`trc renewal WORKSPACE --coach ID [--as-of DATE]`: each credential's renewal readiness."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trc_analytics.cli.options import (
    as_of_option,
    format_option,
    keep_valid_option,
    load_policy,
    policy_option,
    workspace_argument,
)
from trc_analytics.cli.workspace import load_or_exit

if TYPE_CHECKING:
    from trc_analytics.policy import Policy


@click.command("renewal")
@workspace_argument
@click.option("--coach", required=True, metavar="ID", help="Coach id whose renewals to show.")
@as_of_option
@policy_option
@format_option
@keep_valid_option
def renewal(
    folder: Path,
    coach: str,
    as_of: dt.date,
    policy_file: Path | None,
    fmt: str,
    keep_valid: bool,
) -> None:
    """Show each credential of the coach: expiry, days left, every requirement of the renewal
    cycle (ethics review course, continuing education, supervision, affordable service) and
    one status: ready, in progress, at risk or lapsed.

    Exit status: 0 done, 1 invalid workspace or no credentials records, 2 usage error (a bad
    date, an unknown coach).
    """
    from trc_analytics.errors import MissingTables
    from trc_analytics.metrics.renewal import renewal_readiness
    from trc_analytics.period import Period

    policy = load_policy(policy_file)
    ws = load_or_exit(
        folder, keep_valid=keep_valid, fmt=fmt, stopped="No renewal readiness was computed."
    )
    try:
        frame = renewal_readiness(ws, Period(as_of, as_of), coaches=coach, policy=policy)
    except MissingTables as exc:
        click.echo(f"error: renewal readiness: {exc} in {folder}", err=True)
        raise SystemExit(1) from None
    except ValueError as exc:  # an unknown coach id
        raise click.UsageError(str(exc)) from None
    if fmt == "csv":
        from trc_analytics.exports import safe_csv

        click.echo(safe_csv(frame, date_format="%Y-%m-%d"), nl=False)
    elif fmt == "json":
        import json

        click.echo(json.dumps(frame.to_dicts(), indent=2, default=str, ensure_ascii=False))
    else:
        _print(frame.to_dicts(), coach, as_of, policy)


def _print(rows: list[dict], coach: str, as_of: dt.date, policy: Policy) -> None:
    """A status sentence per credential, then its requirements, one line each."""
    from rich.console import Console
    from rich.markup import escape

    from trc_analytics.reports.renewal import requirement_rows, status_line

    console = Console(highlight=False)
    if not rows:
        console.print(
            f"No credential of coach {escape(coach)} to renew as of {as_of.isoformat()} "
            "(none certified by then, or the coach is not active)."
        )
        return
    console.print(f"Renewal readiness of coach {escape(coach)} as of {as_of.isoformat()}")
    for r in rows:
        console.print("")
        console.print(escape(status_line(r, policy)))
        if r["status"] == "lapsed":
            continue
        for name, state, figures in requirement_rows(r, policy):
            mark = {"done": "[green]done[/]", "still to do": "[yellow]still to do[/]"}.get(
                state, escape(state)
            )
            console.print(f"  {escape(name)}: {mark} ({escape(figures)})")
