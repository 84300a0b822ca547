"""`trc templates DIR`: write the record templates (CSV, Excel, OpenDocument, Table Schema JSON)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("templates")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--dictionary",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the Markdown data dictionary to this file.",
)
def templates(folder: Path, dictionary: Path | None) -> None:
    """Write one CSV per table (header and two example rows), trc-templates.xlsx and
    trc-templates.ods (the same workbook for Excel and LibreOffice: a sheet per table with
    drop-down lists for 10,000 rows, instructions and a dictionary sheet) and datapackage.json
    into FOLDER."""
    from trc_analytics.outputs import OutputError
    from trc_analytics.records.templates import write_data_dictionary, write_templates

    try:
        written = write_templates(folder)
        if dictionary is not None:
            written.append(write_data_dictionary(dictionary))
    except OutputError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    for path in written:
        click.echo(str(path))
