"""`trc demo DIR`: write a synthetic demo workspace (all 19 tables, planted findings)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from trc_analytics.cli.options import DATE


@click.command("demo")
@click.argument("folder", type=click.Path(file_okay=False, dir_okay=True, path_type=Path))
@click.option("--coaches", type=int, default=40, show_default=True, help="Number of coaches.")
@click.option(
    "--months", type=int, default=24, show_default=True, help="Months of records from --start."
)
@click.option(
    "--start",
    type=DATE,
    default="2024-11-01",
    show_default=True,
    help="First day of the records (fixed, so the default demo is the same bytes every day).",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet", "xlsx"]),
    default="csv",
    show_default=True,
    help="One file per table (csv, parquet) or one workbook with a sheet per table (xlsx).",
)
@click.option(
    "--finding-rate",
    type=float,
    default=0.03,
    show_default=True,
    help="Share of cases planted as ethics findings (at least one per check).",
)
@click.option("--force", is_flag=True, help="Replace table files already in FOLDER.")
@click.option(
    "--today",
    type=DATE,
    default=None,
    help="Date that counts as today: records may not end after it (default: today).",
)
def demo(
    folder: Path,
    coaches: int,
    months: int,
    start: dt.date,
    seed: int,
    fmt: str,
    finding_rate: float,
    force: bool,
    today: dt.date | None,
) -> None:
    """Write a synthetic demo workspace into FOLDER.

    Anonymized practice records of a made-up association: coaches in regions of very different
    sizes, supervisors, clients, engagements, sessions and the rest of the 19 tables, with a few
    planted cases of every ethics check. The same options always give the same bytes.
    """
    import time

    from trc_analytics.demo import DemoError, write_demo
    from trc_analytics.outputs import OutputError

    began = time.perf_counter()
    try:
        result = write_demo(
            folder,
            format=fmt,
            coaches=coaches,
            months=months,
            start=start,
            seed=seed,
            finding_rate=finding_rate,
            force=force,
            today=today,
        )
    except DemoError as exc:
        raise click.UsageError(str(exc)) from None
    except OutputError as exc:  # a link or a file where the folder should be, a full disk
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    seconds = time.perf_counter() - began
    cfg, frames = result.config, result.frames
    size = sum(f.stat().st_size for f in result.files)
    click.echo(
        f"Wrote a demo workspace to {folder} ({fmt}, {len(result.files)} file(s), "
        f"{size / 2**20:.1f} MiB) in {seconds:.1f} s:"
    )
    click.echo(
        f"  {frames['coaches'].height:,} coaches, {frames['clients'].height:,} clients, "
        f"{frames['engagements'].height:,} engagements, {frames['sessions'].height:,} sessions, "
        f"{cfg.start.isoformat()} to {cfg.end.isoformat()}."
    )
    period = cfg.plant_period
    click.echo(
        f"  {result.planted.height:,} planted cases of {result.planted['check_id'].n_unique()} "
        f"ethics checks, each with a case in {period.start.isoformat()}..{period.end.isoformat()}."
    )
    click.echo(
        f"Next: trc validate {folder}\n"
        f"      trc findings {folder} --from {period.start.isoformat()} --to "
        f"{period.end.isoformat()} --coach C-0001"
    )
