"""Templates and data dictionary, generated from the schema (nothing restates the columns).

`write_templates(folder)` writes one CSV per table (header plus two example rows), the same
workbook twice, as Excel .xlsx and as OpenDocument .ods (LibreOffice's own format), with an
`instructions` sheet, a sheet per table, drop-down lists for every vocabulary column and a
`dictionary` sheet, and `datapackage.json` (the descriptor with vocabularies resolved). The
example rows are derived from the schema and together form a valid workspace: ids agree across
tables so every foreign key holds, and every date lies in the past.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import polars as pl

from trc_analytics.outputs import plain_dir, write_private
from trc_analytics.records import ods
from trc_analytics.records.schema import Field, Schema, Table, load_schema

#: Name of the workbook written beside the CSV templates, and of the same one as .ods.
WORKBOOK_NAME = "trc-templates.xlsx"
ODS_NAME = "trc-templates.ods"
#: Data rows of every table sheet (rows 2 to 10,001) that get drop-down lists and date checks:
#: ten years of a busy coach's sessions (about 20 a week) fit. Said in the instructions sheet.
VALIDATED_ROWS = 10_000
#: LibreOffice's .xlsx export keeps a drop-down only this many rows below the last filled row
#: (LibreOffice 7.4, measured); its .ods keeps every validated row.
LIBREOFFICE_XLSX_ROWS = 1_000
#: Fixed document properties so that the workbook is the same at every generation.
WORKBOOK_PROPERTIES = {
    "title": "trc-analytics record templates",
    "subject": "Anonymized practice records of Trauma Recovery Coaches",
    "author": "trc-analytics",
    "comments": "Generated from the record schema by `trc templates`; do not edit by hand.",
    "created": dt.datetime(2026, 1, 1),
}
#: Excel caps an inline list of drop-down values at 255 characters; longer ones use a range on
#: the hidden `lists` sheet.
INLINE_LIST_LIMIT = 255

#: Prefixes of the pseudonymous ids the examples use (demo style: C-0001, CL-0001, ...);
#: other id columns use the first two letters of their name.
ID_PREFIXES = {
    "coach_id": "C",
    "client_id": "CL",
    "engagement_id": "E",
    "session_id": "S",
    "group_id": "G",
    "supervisor_id": "C",
}
#: Example values of the few free-text columns that are not ids (by column name).
EXAMPLE_TEXT = {
    "region": ("north_west", "south_east"),
    "currency": ("EUR", "EUR"),
    # free text typed in supervision: plain words, no names, dates or contact details
    "action": (
        "complete the safety risk assessment before the first session",
        "review the exclusion with the supervisor and record the referral offered",
    ),
}
#: Example dates: every date of example row i is EXAMPLE_DATES[i]; the later date of an order
#: pair comes LATER_BY after the earlier one (ended_on, reported_on, ...) or, when it may lie in
#: the future (expires_on), two years later. Dates that record events all lie in the past.
EXAMPLE_DATES = (dt.date(2025, 3, 3), dt.date(2025, 4, 7))
LATER_BY = dt.timedelta(days=56)


# --------------------------------------------------------------------------------------------
# Example rows


def _referenced_columns(schema: Schema) -> set[tuple[str, str]]:
    """(table, column) pairs some foreign key points at."""
    return {(fk.resource, fk.reference_fields) for t in schema for fk in t.foreign_keys}


def _id_value(column: str, i: int) -> str:
    prefix = ID_PREFIXES.get(column) or column.removesuffix("_id")[:2].upper()
    return f"{prefix}-{i + 1:04d}"


def _example(table: Table, f: Field, i: int) -> Any:
    """Example value of `f` in example row `i` (0 or 1)."""
    fk = next((k for k in table.foreign_keys if k.fields == f.name), None)
    if fk is not None:
        return _id_value(fk.reference_fields, i)
    if f.enum:
        return f.enum[i % len(f.enum)]
    if f.type == "boolean":
        return i == 0
    if f.type == "date":
        day = EXAMPLE_DATES[i]
        if not any(after == f.name for _, after in table.order):
            return day
        return day + LATER_BY if f.not_future else day.replace(year=day.year + 2)
    if f.type == "integer" and f.maximum is not None:
        return int(f.maximum) - 1 - i  # inside a bounded scale (a goal level: 1, then 0)
    if f.type == "integer":
        return (60, 50)[i] if f.name.endswith("_min") else (8, 12)[i]
    if f.type == "number":
        return (80.0, 40.0)[i] if "amount" in f.name else (1.5, 2.0)[i]
    if f.name in EXAMPLE_TEXT:
        return EXAMPLE_TEXT[f.name][i]
    return _id_value(f.name, i)


def example_frames(schema: Schema | None = None) -> dict[str, pl.DataFrame]:
    """Two example rows per table, typed by the schema, together a valid workspace.

    The first row fills every column; the second only the required ones and the columns other
    tables refer to, to show which may stay empty.
    """
    schema = schema or load_schema()
    referenced = _referenced_columns(schema)
    frames = {}
    for table in schema:
        columns: dict[str, list[Any]] = {}
        for f in table.fields:
            keep_second = (
                f.required or f.name in table.primary_key or (table.name, f.name) in referenced
            )
            columns[f.name] = [
                _example(table, f, 0),
                _example(table, f, 1) if keep_second else None,
            ]
        frames[table.name] = pl.DataFrame(columns, schema=table.polars_schema)
    return frames


# --------------------------------------------------------------------------------------------
# CSV and JSON


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """A template CSV: UTF-8, LF line ends, dates as YYYY-MM-DD, booleans as true/false."""
    buf = io.BytesIO()
    frame.write_csv(buf, date_format="%Y-%m-%d")
    return buf.getvalue()


def descriptor_json(schema: Schema | None = None) -> str:
    """The data package with every vocabulary resolved into `constraints.enum` (Frictionless)."""
    schema = schema or load_schema()
    return json.dumps(schema.table_schema_descriptor(), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------
# Data dictionary


def _type_words(f: Field) -> str:
    return {
        "string": "text",
        "integer": "whole number",
        "number": "number",
        "boolean": "true/false",
        "date": "date (YYYY-MM-DD)",
    }[f.type]


def dictionary_rows(schema: Schema | None = None) -> list[dict[str, str]]:
    """One row per column of every table: what the `dictionary` sheet shows."""
    schema = schema or load_schema()
    rows = []
    for table in schema:
        for f in table.fields:
            rows.append(
                {
                    "table": table.name,
                    "column": f.name,
                    "type": _type_words(f),
                    "required": "yes" if f.required else "no",
                    "allowed values": ", ".join(f.enum) if f.enum else _allowed_words(table, f),
                    "meaning": f.description,
                    "passage of the Code": f.code or table.code,
                }
            )
    return rows


def _allowed_words(table: Table, f: Field) -> str:
    fk = next((k for k in table.foreign_keys if k.fields == f.name), None)
    parts = []
    if fk is not None:
        parts.append(f"a {fk.reference_fields} of {fk.resource}")
    if f.minimum is not None:
        parts.append(f"at least {f.minimum:g}")
    if f.maximum is not None:
        parts.append(f"at most {f.maximum:g}")
    if f.not_future:
        parts.append("not in the future")
    for before, after in table.order:
        if after == f.name:
            parts.append(f"{'on or after' if f.type == 'date' else 'at least'} {before}")
    if f.name in table.primary_key:
        parts.append("unique" if len(table.primary_key) == 1 else "part of the unique key")
    return "; ".join(parts)


def _vocabulary_words(f: Field) -> str:
    values = f.enum or ()
    listed = ", ".join(values)
    if len(listed) <= 120:
        return listed
    return f"vocabulary [{f.vocabulary}](#{f.vocabulary}) ({len(values)} values)"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def data_dictionary_markdown(schema: Schema | None = None) -> str:
    """`docs/data-dictionary.md`: every table and column, generated from the schema."""
    schema = schema or load_schema()
    out = [
        "# Data dictionary",
        "",
        "<!-- Generated from trc_analytics/schema by `trc templates`; do not edit by hand. -->",
        "",
        "A workspace is a folder with one file per table (`<table>.csv`, `.parquet`, `.xlsx` or",
        "`.ods`) or one `.xlsx` or `.ods` workbook with a sheet per table. Only `coaches` is",
        "required. Row numbers in problem reports count the header as row 1. Empty cells are",
        "missing values; dates are `YYYY-MM-DD` (or date cells in Excel or LibreOffice);",
        "true/false also accept yes/no, y/n and 1/0. A cell of only spaces is refused: leave",
        "it empty or write a value. CSV lines end in LF or CRLF (a file ending them with a",
        "carriage return alone, the old Mac format, is refused: save it as CSV UTF-8).",
        "No names, contact details or free text: ids are pseudonyms.",
        "",
        "Tables: " + ", ".join(f"[`{t.name}`](#{t.name})" for t in schema) + ".",
        "",
    ]
    for table in schema:
        out += [
            f"## {table.name}",
            "",
            table.description,
            "",
            f"- Required table: {'yes' if table.required else 'no'}",
            f"- Primary key: {', '.join(f'`{k}`' for k in table.primary_key)}",
        ]
        if table.foreign_keys:
            refs = ", ".join(
                f"`{k.fields}` -> `{k.resource}.{k.reference_fields}`" for k in table.foreign_keys
            )
            out.append(f"- References: {refs}")
        if table.code:
            out.append(f"- From the Code: *{_md_cell(table.code)}*")
        out += [
            "",
            "| column | type | required | allowed values | meaning |",
            "|---|---|---|---|---|",
        ]
        for f in table.fields:
            allowed = _vocabulary_words(f) if f.vocabulary else _allowed_words(table, f)
            out.append(
                f"| `{f.name}` | {_type_words(f)} | {'yes' if f.required else 'no'} | "
                f"{_md_cell(allowed)} | {_md_cell(f.description)} |"
            )
        passages = {f.code for f in table.fields if f.code and f.code != table.code}
        if passages:
            out += ["", "Passages of the Code these columns serve:", ""]
            out += [f"- *{_md_cell(p)}*" for p in sorted(passages)]
        out.append("")
    out += [
        "## Vocabularies",
        "",
        "Allowed values of the vocabulary columns. An association extends a vocabulary by putting",
        "a `vocabularies.toml` in the workspace folder (values are added, never removed; a",
        "`[<vocabulary>.labels]` table words values for the reports).",
        "",
    ]
    for name, voc in schema.vocabularies.items():
        out += [f"### {name}", "", voc.get("description", ""), ""]
        out.append(", ".join(f"`{v}`" for v in voc["values"]))
        if voc.get("out_of_scope"):
            out += [
                "",
                "Outside the scope of practice unless outside training says otherwise: "
                + ", ".join(f"`{v}`" for v in voc["out_of_scope"]),
            ]
        if voc.get("labels"):  # the words reports print instead of the code
            out += [
                "",
                "Reports print: "
                + "; ".join(f"`{v}` as “{w}”" for v, w in voc["labels"].items())
                + " (other values with their underscores as spaces).",
            ]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# Workbook

#: Name of the first sheet of the workbooks: how to fill them in.
INSTRUCTIONS_SHEET = "instructions"


def instructions_lines() -> list[str]:
    """The lines of the `instructions` sheet (the same in the .xlsx and the .ods)."""
    return [
        "trc-analytics record templates",
        "Fill one row per record below the header of each table sheet; only coaches is "
        "required, leave the other sheets empty when you keep no such records.",
        f"Drop-down lists and date checks cover rows 2 to {VALIDATED_ROWS + 1:,} of every table "
        f"sheet: {VALIDATED_ROWS:,} records per table. For more, copy a filled row down (its "
        "checks come with it) or keep that table in its own CSV file.",
        f"LibreOffice: use {ODS_NAME} and save as .ods (it keeps every drop-down). Saved as "
        f".xlsx, LibreOffice keeps the drop-downs only {LIBREOFFICE_XLSX_ROWS:,} rows below "
        "the last filled row.",
        "Hover over a column name for what it means; the dictionary sheet lists every column, "
        "its type and allowed values. Dates are YYYY-MM-DD; true/false also accept yes/no.",
        "Ids are pseudonyms (C-0001, CL-0001, ...): no names, contact details or free text "
        "about clients.",
        "Check a filled workbook with: trc validate <folder or workbook>",
    ]


def _write_instructions_sheet(wb: Any, head: Any) -> None:
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ws.set_column(0, 0, 110, wrap)
    for r, line in enumerate(instructions_lines()):
        ws.write_string(r, 0, line, head if r == 0 else None)


def workbook_bytes(schema: Schema | None = None) -> bytes:
    """The Excel template: a sheet per table with two example rows, drop-down lists for every
    vocabulary and boolean column, a date check on date columns, and a `dictionary` sheet."""
    import xlsxwriter

    schema = schema or load_schema()
    frames = example_frames(schema)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties(WORKBOOK_PROPERTIES)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    text_fmt = wb.add_format({"num_format": "@"})
    lists_ranges = _lists_ranges(schema)
    _write_instructions_sheet(wb, head)
    for table in schema:
        ws = wb.add_worksheet(table.name)
        ws.freeze_panes(1, 0)
        for c, f in enumerate(table.fields):
            ws.write_string(0, c, f.name, head)
            width = max(len(f.name) + 2, 12)
            fmt = date_fmt if f.type == "date" else text_fmt if f.type == "string" else None
            ws.set_column(c, c, width, fmt)
            ws.write_comment(0, c, _comment(f), {"x_scale": 2, "y_scale": 1.5})
            last = VALIDATED_ROWS
            if f.enum:
                source = _list_source(f, lists_ranges)
                ws.data_validation(
                    1,
                    c,
                    last,
                    c,
                    {
                        "validate": "list",
                        "source": source,
                        "error_title": "Not in the list",
                        "error_message": f"Pick a value of the {f.vocabulary} vocabulary.",
                    },
                )
            elif f.type == "boolean":
                ws.data_validation(1, c, last, c, {"validate": "list", "source": ["TRUE", "FALSE"]})
            elif f.type == "date":
                ws.data_validation(
                    1,
                    c,
                    last,
                    c,
                    {
                        "validate": "date",
                        "criteria": ">=",
                        "value": dt.datetime(1900, 1, 1),
                        "error_title": "Not a date",
                        "error_message": "Enter a date (YYYY-MM-DD).",
                    },
                )
        frame = frames[table.name]
        for r, row in enumerate(frame.iter_rows(), start=1):
            for c, (f, value) in enumerate(zip(table.fields, row, strict=True)):
                _write_cell(ws, r, c, f, value, date_fmt, text_fmt)
    _write_dictionary_sheet(wb, schema, head)
    _write_lists_sheet(wb, schema, lists_ranges, head)
    wb.close()
    return buf.getvalue()


def _comment(f: Field) -> str:
    req = "required" if f.required else "optional"
    return f"{f.name} ({_type_words(f)}, {req}): {f.description}"


def _write_cell(
    ws: Any, r: int, c: int, f: Field, value: Any, date_fmt: Any, text_fmt: Any
) -> None:
    if value is None:
        return
    if f.type == "date":
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
    elif f.type == "boolean":
        ws.write_boolean(r, c, value)
    elif f.type in ("integer", "number"):
        ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, value, text_fmt)


def _lists_ranges(schema: Schema) -> dict[str, str]:
    """Vocabulary -> `lists` sheet range, for every vocabulary too long for an inline list."""
    ranges = {}
    col = 0
    for name, voc in schema.vocabularies.items():
        if len(",".join(voc["values"])) > INLINE_LIST_LIMIT:
            letter = _col_letter(col)
            ranges[name] = f"=lists!${letter}$2:${letter}${len(voc['values']) + 1}"
            col += 1
    return ranges


def _col_letter(index: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(index)


def _list_source(f: Field, ranges: dict[str, str]) -> Any:
    return ranges.get(f.vocabulary or "") or list(f.enum or ())


def _write_lists_sheet(wb: Any, schema: Schema, ranges: dict[str, str], head: Any) -> None:
    ws = wb.add_worksheet("lists")
    col = 0
    for name, voc in schema.vocabularies.items():
        if name not in ranges:
            continue
        ws.write_string(0, col, name, head)
        for r, v in enumerate(voc["values"], start=1):
            ws.write_string(r, col, v)
        ws.set_column(col, col, max(len(v) for v in voc["values"]) + 2)
        col += 1
    ws.hide()


def _write_dictionary_sheet(wb: Any, schema: Schema, head: Any) -> None:
    ws = wb.add_worksheet("dictionary")
    rows = dictionary_rows(schema)
    names = list(rows[0])
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    widths = {"table": 20, "column": 28, "type": 18, "required": 9}
    for c, n in enumerate(names):
        ws.write_string(0, c, n, head)
        ws.set_column(c, c, widths.get(n, 50), wrap)
    for r, row in enumerate(rows, start=1):
        for c, n in enumerate(names):
            ws.write_string(r, c, row[n])
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), len(names) - 1)


# --------------------------------------------------------------------------------------------
# OpenDocument workbook


def ods_template_bytes(schema: Schema | None = None) -> bytes:
    """The template as an OpenDocument spreadsheet: the same sheets, example rows, comments,
    drop-downs and date checks as the .xlsx, for LibreOffice users."""
    schema = schema or load_schema()
    frames = example_frames(schema)
    ranges = _ods_list_ranges(schema)
    sheets = [
        ods.Sheet(
            INSTRUCTIONS_SHEET,
            [instructions_lines()[0]],
            [ods.Column(28.0, "wrap")],
            [[line] for line in instructions_lines()[1:]],
        )
    ]
    for table in schema:
        columns = [
            ods.Column(
                max(len(f.name) + 2, 12) * 0.22,
                "date" if f.type == "date" else "text" if f.type == "string" else "",
                _ods_validation(f, ranges),
                _comment(f),
            )
            for f in table.fields
        ]
        rows = list(frames[table.name].iter_rows())
        sheets.append(
            ods.Sheet(table.name, table.columns, columns, rows, VALIDATED_ROWS, freeze_header=True)
        )
    sheets.append(_ods_dictionary_sheet(schema))
    sheets.append(_ods_lists_sheet(schema, ranges))
    return ods.ods_bytes(sheets, WORKBOOK_PROPERTIES)


def _ods_list_ranges(schema: Schema) -> dict[str, str]:
    """Vocabulary -> condition on its `lists` column, for the lists the .xlsx keeps there too
    (the same sheet in both workbooks)."""
    ranges = {}
    for name, voc in schema.vocabularies.items():
        if len(",".join(voc["values"])) > INLINE_LIST_LIMIT:
            ranges[name] = ods.in_range(
                "lists", _col_letter(len(ranges)), 2, len(voc["values"]) + 1
            )
    return ranges


def _ods_validation(f: Field, ranges: dict[str, str]) -> ods.Validation | None:
    """The .ods counterpart of the .xlsx data validation of column `f` (None when it has none)."""
    if f.enum:
        return ods.Validation(
            ranges.get(f.vocabulary or "") or ods.in_list(f.enum),
            "Not in the list",
            f"Pick a value of the {f.vocabulary} vocabulary.",
            drop_down=True,
        )
    if f.type == "boolean":
        return ods.Validation(ods.in_list(["TRUE", "FALSE"]), drop_down=True)
    if f.type == "date":
        return ods.Validation(
            # as LibreOffice words the .xlsx check (a date on or after its day zero)
            "of:cell-content-is-date() and cell-content()>=0",
            "Not a date",
            "Enter a date (YYYY-MM-DD).",
        )
    return None


def _ods_dictionary_sheet(schema: Schema) -> ods.Sheet:
    rows = dictionary_rows(schema)
    names = list(rows[0])
    widths = {"table": 20, "column": 28, "type": 18, "required": 9}
    columns = [ods.Column(widths.get(n, 50) * 0.22, "wrap") for n in names]
    return ods.Sheet("dictionary", names, columns, [[r[n] for n in names] for r in rows])


def _ods_lists_sheet(schema: Schema, ranges: dict[str, str]) -> ods.Sheet:
    vocabularies = [name for name in schema.vocabularies if name in ranges]
    values = [schema.vocabularies[name]["values"] for name in vocabularies]
    depth = max((len(v) for v in values), default=0)
    rows = [[v[r] if r < len(v) else None for v in values] for r in range(depth)]
    columns = [ods.Column(max(len(x) for x in v) * 0.22 + 0.5, "text") for v in values]
    return ods.Sheet("lists", vocabularies, columns, rows, hidden=True)


# --------------------------------------------------------------------------------------------
# Writing


def template_files(schema: Schema | None = None) -> dict[str, bytes]:
    """File name -> bytes of everything `trc templates` writes."""
    schema = schema or load_schema()
    files = {f"{name}.csv": csv_bytes(frame) for name, frame in example_frames(schema).items()}
    files[WORKBOOK_NAME] = workbook_bytes(schema)
    files[ODS_NAME] = ods_template_bytes(schema)
    files["datapackage.json"] = descriptor_json(schema).encode("utf-8")
    return files


def write_templates(folder: str | Path, schema: Schema | None = None) -> list[Path]:
    """Write the templates into `folder` (created owner-only); returns the paths written."""
    target = plain_dir(folder)  # templates hold no data: an existing folder is used as it is
    files = template_files(schema)
    return [write_private(target / name, data) for name, data in files.items()]


def write_data_dictionary(path: str | Path, schema: Schema | None = None) -> Path:
    """Write the Markdown data dictionary to `path`."""
    return write_private(path, data_dictionary_markdown(schema))


def sheet_cells(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Sheet name -> rows of cell values of an .xlsx (to compare workbooks by content)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb}
    finally:
        wb.close()
