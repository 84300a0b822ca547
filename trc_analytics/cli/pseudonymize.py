"""`trc pseudonymize IN OUT --key-file KEY`: a coach's identifying export -> a pseudonymous
workspace."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("pseudonymize")
@click.argument(
    "source", type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path)
)
@click.argument("out", type=click.Path(file_okay=False, dir_okay=True, path_type=Path))
@click.option(
    "--key-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your secret key (created, readable by you only, if it does not exist). Keep it "
    "outside the workspace and use the same one every month so pseudonyms stay the same.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace an OUT folder that holds only workspace tables, as a whole.",
)
def pseudonymize(source: Path, out: Path, key_file: Path, overwrite: bool) -> None:
    """Turn the export SOURCE (folder, workbook or table file, with names, e-mails, phone
    numbers, birth dates) into a workspace OUT of keyed pseudonyms.

    Every id of the client-level tables (clients, engagements, sessions, referrals, ...)
    becomes a pseudonym such as P-7K3M9Q2X4T (HMAC-SHA-256 with your key); coach ids stay;
    names, e-mails, phones and addresses are dropped; birth dates become age bands as of
    intake. If a name, e-mail or phone number of the export is still found in any cell,
    nothing is written. Exit status: 0 done, 1 refused, 2 usage error.
    """
    from trc_analytics.outputs import OutputError
    from trc_analytics.records.keys import KeyFileError
    from trc_analytics.records.pseudonymize import PseudonymizeError
    from trc_analytics.records.pseudonymize import pseudonymize as run

    try:
        result, created = run(source, out, key_file, overwrite=overwrite)
    except (PseudonymizeError, KeyFileError, OutputError) as exc:
        click.echo(f"trc pseudonymize: {exc}", err=True)
        raise SystemExit(1) from exc
    if created:
        click.echo(
            f"Created a new key in {key_file} (readable by you only). Keep it safe and "
            "outside the workspace: without it next month's pseudonyms will not match."
        )
    for name, frame in result.tables.items():
        dropped = result.dropped.get(name) or []
        note = f"; dropped {', '.join(dropped)}" if dropped else ""
        click.echo(f"{name}: {frame.height} rows{note}")
    for kind, n in sorted(result.replaced.items()):
        if n:
            click.echo(f"{n} {kind} id(s) replaced by pseudonyms")
    if result.age_bands_from_birth_dates:
        click.echo(f"{result.age_bands_from_birth_dates} birth date(s) turned into age bands")
    click.echo(f"Wrote {out}. Check it with: trc validate {out}")
