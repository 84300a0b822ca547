"""`trc coaching-log WS --coach ID --out FILE.xlsx|.csv [--names-from EXPORT --key-file KEY]`:
the coaching log a credentialing body asks for, one row per client, written owner-only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from trc_analytics.cli.options import (
    as_of_option,
    keep_valid_option,
    load_policy,
    policy_option,
    workspace_argument,
)
from trc_analytics.cli.workspace import load_or_exit

if TYPE_CHECKING:
    import polars as pl


@click.command("coaching-log")
@workspace_argument
@click.option("--coach", required=True, metavar="ID", help="The coach whose log to write.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write: FILE.xlsx (a workbook) or FILE.csv; readable by you only.",
)
@click.option(
    "--names-from",
    "names_from",
    type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path),
    default=None,
    help="Your own original export (the one you pseudonymized): fills in client names and "
    "contacts. Needs --key-file.",
)
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The key you pseudonymized that export with (never created here).",
)
@as_of_option
@policy_option
@keep_valid_option
def coaching_log(
    folder: Path,
    coach: str,
    out: Path,
    names_from: Path | None,
    key_file: Path | None,
    as_of: dt.date,
    policy_file: Path | None,
    keep_valid: bool,
) -> None:
    """Write the coaching log of one coach of the workspace FOLDER to --out.

    One row per client coached one-to-one and per group: client (pseudonym, or with
    --names-from the name and contact from your own export), individual or group, number in
    group, start and end dates, paid hours (a reduced fee is paid) and pro-bono hours, then the
    totals. Clients whose icf_log_consent is false, and groups above icf_max_group_size, are
    left out and counted in a line under the totals. Exit status: 0 written, 1 invalid
    workspace, no sessions table or the file could not be written, 2 usage error.
    """
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise click.BadParameter(f"{out.name}: give a .xlsx or .csv file", param_hint="--out")
    if (names_from is None) != (key_file is None):
        raise click.UsageError("--names-from and --key-file go together: give both or neither")
    policy = load_policy(policy_file)
    ws = load_or_exit(folder, keep_valid=keep_valid, stopped="No log was written.")
    from trc_analytics.errors import unknown_id_message
    from trc_analytics.outputs import OutputError, check_target
    from trc_analytics.reports.coaching_log import build_log, write_log
    from trc_analytics.reports.display import format_hours

    known = ws["coaches"]["coach_id"].to_list()
    if coach not in known:
        raise click.UsageError(unknown_id_message("coach", [coach], sorted(known)))
    if "sessions" not in ws:
        _fail(f"no sessions records in {folder}: there are no hours to log. No log was written.")
    try:
        check_target(out)
    except OutputError as exc:
        _fail(str(exc))
    names = _names(names_from, key_file) if names_from and key_file else None
    log = build_log(ws, coach, as_of=as_of, policy=policy, names=names)
    try:
        path = write_log(log, out)
    except OutputError as exc:
        _fail(str(exc))
    click.echo(
        f"Wrote {path}: {_count(log.clients, 'client')} and {_count(log.groups, 'group')}, "
        f"{format_hours(log.paid_hours)} paid and {format_hours(log.pro_bono_hours)} "
        "pro-bono hours."
    )
    for line in log.lines[1:]:
        click.echo(line)
    if log.named is not None:
        click.echo(f"Names found in {names_from} for {log.named} of {log.clients} clients.")
        if log.clients and not log.named:
            click.echo(
                "No client of that export matched: is it the export you pseudonymized with "
                "this key?",
                err=True,
            )


def _names(export: Path, key_file: Path) -> pl.DataFrame:
    """Names and contacts keyed by pseudonym, or exit 1 saying why they cannot be read."""
    from trc_analytics.records.keys import KeyFileError
    from trc_analytics.records.log_names import NamesError, client_names

    try:
        return client_names(export, key_file)
    except (KeyFileError, NamesError) as exc:
        _fail(f"{exc}. No log was written.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _fail(message: str) -> NoReturn:
    """`error: ...` on stderr, exit 1."""
    click.echo(f"error: {message}", err=True)
    raise SystemExit(1)
