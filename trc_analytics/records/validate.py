"""Schema-driven, vectorized validation: every problem of a workspace as one polars frame.

Each table arrives as text (see `loading.py`); every column is cast with `strict=False` and a
cell whose text was present but whose cast gave null is a problem. All checks are polars
expressions over whole columns, so a million rows are checked in a small multiple of the time
it takes to read them. Nothing is capped: every problem is reported, ordered by file, row and
column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from trc_analytics.records.identifiers import DATE_LABEL, looks_like, scan_identifiers
from trc_analytics.records.problems import (
    COLUMN_ORDER,
    concat_problems,
    order_problems,
    problem,
    problems_frame,
)
from trc_analytics.records.read import ROW, RawTable, RawWorkspace, read_workspace_files
from trc_analytics.records.schema import FALSE_VALUES, TRUE_VALUES, Field, Schema, Table
from trc_analytics.records.workspace import PROBLEM_SCHEMA

#: Columns where a capitalised multi-word value is expected, so the full-name rule is not
#: applied: place names such as "North West" are capitalised words.
NAME_RULE_EXEMPT = frozenset({"region"})

_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_INT_LIMIT = 2**53

_TYPE_EXPECTED = {
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false (also yes/no, y/n, 1/0)",
    "date": "a date as YYYY-MM-DD",
}


@dataclass
class CheckedTable:
    """One table cast to its schema types (with `ROW`), and its problems."""

    table: str
    raw: RawTable
    frame: pl.DataFrame | None  # None: the table cannot be used at all (header problems)
    problems: pl.DataFrame
    positions: dict[str, int] = field(default_factory=dict)  # column -> position in the file


@dataclass
class CheckedWorkspace:
    """Typed frames (without row numbers) and every problem found."""

    tables: dict[str, pl.DataFrame]
    problems: pl.DataFrame


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --------------------------------------------------------------------------------------------
# Header


#: Columns an earlier schema had, with the columns that replace them (table, column) -> new.
REPLACED: dict[tuple[str, str], tuple[str, ...]] = {
    ("coaches", "psychoactive_trained"): ("psychoactive_trained_on",),
    ("coaches", "psychoactive_insured"): ("psychoactive_insured_from", "psychoactive_insured_to"),
}


def _expected_instead(table: Table, name: str) -> str:
    """What an unknown column should be: its replacement when the schema renamed or replaced it
    (so an old workbook is told what to fill in), else the table's columns."""
    new = REPLACED.get((table.name, name))
    if new:
        return f"{' and '.join(new)} (dates), which replaced {name}"
    return f"only the columns of {table.name}: {', '.join(table.columns)}"


def _check_header(rt: RawTable, table: Table) -> tuple[dict[str, int], list[dict], bool]:
    """Map column names to file positions; report unknown, duplicate and missing columns.

    Returns (name -> position, problems, usable). A table with a duplicate or a missing required
    column cannot be used row by row; unknown columns are refused but the others still checked.
    """
    problems: list[dict] = []
    positions: dict[str, int] = {}
    usable = True
    known = set(table.columns)
    for i, name in enumerate(rt.raw.header):
        where = {"sheet": rt.sheet, COLUMN_ORDER: i}
        if name == "":
            problems.append(
                problem(
                    rt.file,
                    "unknown_column",
                    f"a named column of {table.name}: {', '.join(table.columns)}",
                    sheet=rt.sheet,
                    column=f"(column {column_letter(i)}, no name)",
                )
                | where
            )
        elif name not in known:
            problems.append(
                problem(
                    rt.file,
                    "unknown_column",
                    _expected_instead(table, name),
                    sheet=rt.sheet,
                    column=name,
                    value=name,
                )
                | where
            )
        elif name in positions:
            usable = False
            problems.append(
                problem(
                    rt.file,
                    "duplicate_column",
                    f"each column once; {name} is already column {column_letter(positions[name])}",
                    sheet=rt.sheet,
                    column=name,
                    value=name,
                )
                | where
            )
        else:
            positions[name] = i
    for order, f in enumerate(table.fields, start=len(rt.raw.header)):
        if f.required and f.name not in positions:
            usable = False
            problems.append(
                problem(
                    rt.file,
                    "missing_column",
                    f"a {f.name} column: it is required in {table.name}",
                    sheet=rt.sheet,
                    column=f.name,
                )
                | {COLUMN_ORDER: order}
            )
    return positions, problems, usable


# --------------------------------------------------------------------------------------------
# Cells


#: Exact spellings of booleans tried first (one fast pass); others are lower-cased.
_BOOL_SPELLINGS = {
    spelling: value
    for words, value in ((TRUE_VALUES, True), (FALSE_VALUES, False))
    for w in words
    for spelling in (w, w.upper(), w.capitalize())
}
#: Suffix of the typed copy of a column while checking.
TYPED = "\x00typed"


def _unresolved(text: pl.Series, typed: pl.Series) -> bool:
    return bool((typed.is_null() & text.is_not_null()).any())


def cast_column(f: Field, text: pl.Series) -> pl.Series:
    """The text column cast to the field's type; null where the text is missing or does not
    cast. The common case (every value well formed) costs one pass; the slower paths (3.0 as a
    whole number, TRUE/yes in odd case) run only when some value needs them."""
    if f.type == "integer":
        typed = text.cast(pl.Int64, strict=False)
        if _unresolved(text, typed):
            as_float = text.cast(pl.Float64, strict=False)
            whole = as_float.is_finite() & (as_float == as_float.floor())
            whole = whole & (as_float.abs() < _INT_LIMIT)
            typed = typed.fill_null(
                pl.select(pl.when(whole).then(as_float.cast(pl.Int64))).to_series()
            )
        return typed.alias(f.name)
    if f.type == "number":
        typed = text.cast(pl.Float64, strict=False)
        if bool((typed.is_nan() | typed.is_infinite()).any()):
            typed = pl.select(pl.when(typed.is_finite()).then(typed)).to_series()
        return typed.alias(f.name)
    if f.type == "boolean":
        typed = text.replace_strict(_BOOL_SPELLINGS, default=None, return_dtype=pl.Boolean)
        if _unresolved(text, typed):
            lower = text.str.to_lowercase()
            typed = lower.replace_strict(
                {w: v for w, v in _BOOL_SPELLINGS.items() if w == w.lower()},
                default=None,
                return_dtype=pl.Boolean,
            )
        return typed.alias(f.name)
    if f.type == "date":
        typed = text.str.to_date("%Y-%m-%d", strict=False)
        # to_date also takes 2026-1-5 or " 2026-01-05": only YYYY-MM-DD is a date here
        iso = text.str.contains(_ISO_DATE)
        return pl.select(pl.when(iso).then(typed)).to_series().alias(f.name)
    if f.enum is not None:  # a value outside the vocabulary is a problem, reported from the text
        return text.cast(f.dtype, strict=False).alias(f.name)
    return text.alias(f.name)


def _cell_problem(f: Field, today: dt.date) -> pl.Expr:
    """The problem kind of each cell of `f` (null when the cell is fine), from the text column
    and its typed copy. Dates that fail are `bad_date`, refined once filtered (few rows)."""
    text, typed = pl.col(f.name), pl.col(f.name + TYPED)
    chain = pl.when(text.is_null() & pl.lit(f.required)).then(pl.lit("required"))
    if f.type == "date":
        chain = chain.when(text.is_not_null() & typed.is_null()).then(pl.lit("bad_date"))
        if f.not_future:
            chain = chain.when(typed > pl.lit(today)).then(pl.lit("future_date"))
    elif f.type != "string":
        chain = chain.when(text.is_not_null() & typed.is_null()).then(pl.lit("type"))
    if f.enum is not None:
        chain = chain.when(text.is_not_null() & ~text.is_in(list(f.enum))).then(
            pl.lit("vocabulary")
        )
    if f.minimum is not None and f.type in ("integer", "number"):
        chain = chain.when(typed < f.minimum).then(pl.lit("minimum"))
    if f.maximum is not None and f.type in ("integer", "number"):
        chain = chain.when(typed > f.maximum).then(pl.lit("maximum"))
    return chain.otherwise(pl.lit(None, pl.String))


def _refine_date_kind() -> pl.Expr:
    """`bad_date` -> `type` when not written YYYY-MM-DD, else `impossible_date` (2026-02-30)."""
    return (
        pl.when(pl.col("problem") != "bad_date")
        .then(pl.col("problem"))
        .when(pl.col("value").str.contains(_ISO_DATE))
        .then(pl.lit("impossible_date"))
        .otherwise(pl.lit("type"))
    )


def _shown_bound(bound: float | None) -> float | int | None:
    """A bound as the user reads it: `0`, not `0.0`."""
    return int(bound) if bound is not None and float(bound).is_integer() else bound


def _expected(f: Field, today: dt.date) -> pl.Expr:
    """Plain-words expectation for each problem kind of a field."""
    minimum = f.minimum
    shown_min = _shown_bound(minimum)
    return (
        pl.when(pl.col("problem") == "required")
        .then(pl.lit(f"a value: {f.name} is required"))
        .when(pl.col("problem") == "type")
        .then(pl.lit(_TYPE_EXPECTED.get(f.type, "text")))
        .when(pl.col("problem") == "impossible_date")
        .then(pl.lit("a real calendar date as YYYY-MM-DD"))
        .when(pl.col("problem") == "future_date")
        .then(pl.lit(f"a date not after {today.isoformat()} (today)"))
        .when(pl.col("problem") == "vocabulary")
        .then(pl.lit("one of: " + ", ".join(f.enum or ())))
        .when(pl.col("problem") == "minimum")
        .then(pl.lit(f"a value of at least {shown_min}"))
        .when(pl.col("problem") == "maximum")
        .then(pl.lit(f"a value of at most {_shown_bound(f.maximum)}"))
        .otherwise(None)
    )


def check_table(
    rt: RawTable,
    table: Table,
    today: dt.date,
    scanned_elsewhere: frozenset[str] = frozenset(),
) -> CheckedTable:
    """Cast one text table to its schema types and collect every problem of its cells and rows
    (everything except references to other tables).

    `scanned_elsewhere`: foreign-key columns left out of the identifier scan because every
    valid value is a key of a table that is scanned itself; values naming no row are refused
    as unknown references (and relabelled as identifiers when they look like one).
    """
    positions, header_problems, usable = _check_header(rt, table)
    src = rt.raw.frame
    text = src.select(
        pl.col(ROW),
        *[
            (pl.col(f"__c{positions[f.name]}") if f.name in positions else pl.lit(None, pl.String))
            .cast(pl.String)
            .alias(f.name)
            for f in table.fields
        ],
    )
    present = [f for f in table.fields if f.name in positions]
    typed = text.select(
        pl.col(ROW), *[cast_column(f, text.get_column(f.name)) for f in table.fields]
    )
    both = text.hstack(
        [typed.get_column(f.name).alias(f.name + TYPED) for f in present if f.type != "string"]
    ).with_columns(pl.col(f.name).alias(f.name + TYPED) for f in present if f.type == "string")
    cell_frames = _cell_problems(both.lazy(), present, positions, today)
    row_frames = [
        *_order_problems(typed, text, table, positions),
        *_key_problems(text, table, positions),
    ]
    scanned = [
        f.name
        for f in present
        if f.type == "string" and f.enum is None and f.name not in scanned_elsewhere
    ]
    row_frames += _identifier_problems(text, scanned, positions)
    row_frames += _control_characters(text, scanned, positions)
    collected = pl.collect_all([*cell_frames, *row_frames]) if cell_frames or row_frames else []
    where = {"file": rt.file, "sheet": rt.sheet}
    frames = [
        c.with_columns(pl.lit(v, pl.String).alias(k) for k, v in where.items()) for c in collected
    ]
    problems = concat_problems([problems_frame(header_problems), *frames])
    if COLUMN_ORDER not in problems.columns:
        problems = problems.with_columns(pl.lit(None, pl.Int64).alias(COLUMN_ORDER))
    return CheckedTable(
        table=table.name,
        raw=rt,
        frame=typed if usable else None,
        problems=problems,
        positions=positions,
    )


def _cell_problems(
    both: pl.LazyFrame, present: list[Field], positions: dict[str, int], today: dt.date
) -> list[pl.LazyFrame]:
    """One lazy frame per present column: its cells that fail their type or constraint."""
    return [
        both.select(
            pl.col(ROW).alias("row"),
            pl.col(f.name).alias("value"),
            _cell_problem(f, today).alias("problem"),
        )
        .filter(pl.col("problem").is_not_null())
        .with_columns(_refine_date_kind() if f.type == "date" else pl.col("problem"))
        .with_columns(
            pl.lit(f.name).alias("column"),
            _expected(f, today).alias("expected"),
            pl.lit(positions[f.name], pl.Int64).alias(COLUMN_ORDER),
        )
        for f in present
    ]


def _identifier_problems(
    text: pl.DataFrame, scanned: list[str], positions: dict[str, int]
) -> list[pl.LazyFrame]:
    """Cells of the scanned text columns that look like a personal identifier (never echoed)."""
    ident = scan_identifiers(text, scanned, name_rule_exempt=NAME_RULE_EXEMPT)
    if not ident.height:
        return []
    return [
        ident.rename({ROW: "row"})
        .with_columns(
            pl.lit("identifier").alias("problem"),
            (
                "no personal identifiers in the records (this looks like "
                + pl.col("looks_like")
                + ")"
            ).alias("expected"),
            pl.col("column")
            .replace_strict(positions, return_dtype=pl.Int64, default=None)
            .alias(COLUMN_ORDER),
        )
        .drop("looks_like")
        .lazy()
    ]


#: Control characters: C0 (NUL, tab, line breaks, ...), DEL and C1. No column of the schema is
#: free text, so none is allowed anywhere, tab and line break included.
CONTROL_CHARACTERS = r"[\x00-\x1F\x7F-\x9F]"
_CONTROL_LIST = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]


def _control_characters(
    text: pl.DataFrame, columns: list[str], positions: dict[str, int]
) -> list[pl.LazyFrame]:
    """Cells of the scanned text `columns` (ids, region, currency) holding a control
    character, where they are. Other cells holding one are refused already: not a number,
    date or vocabulary value, or (a reference) naming no row, unless the row it names holds
    the same value, which is found here. The value is not repeated: the problem names the
    first such character by code point instead."""
    flagged = [
        text.lazy()
        .filter(pl.col(c).str.contains_any(_CONTROL_LIST))
        .select(
            pl.col(ROW).alias("row"),
            pl.lit(c).alias("column"),
            pl.col(c).str.extract(f"({CONTROL_CHARACTERS})").alias("char"),
        )
        for c in columns
    ]
    if not flagged:
        return []
    hits = pl.concat(pl.collect_all(flagged))
    if not hits.height:
        return []
    where = [f"U+{ord(ch):04X}" for ch in hits["char"].to_list()]
    return [
        hits.lazy()
        .with_columns(
            pl.Series("value", where, dtype=pl.String),
            pl.lit("control_character").alias("problem"),
            pl.lit(
                "text without control characters: no NUL byte, line break (a quote left "
                "open?) or tab inside a cell"
            ).alias("expected"),
            pl.col("column")
            .replace_strict(positions, return_dtype=pl.Int64, default=None)
            .alias(COLUMN_ORDER),
        )
        .drop("char")
    ]


def _order_problems(
    typed: pl.DataFrame, text: pl.DataFrame, table: Table, positions: dict[str, int]
) -> list[pl.LazyFrame]:
    """End dates before their start dates (`trc:order` pairs), reported on the end date."""
    out = []
    for before, after in table.order:
        if before not in positions or after not in positions:
            continue
        out.append(
            typed.lazy()
            .with_columns(text.select(pl.col(before).alias("__before_text")).to_series())
            .with_columns(text.select(pl.col(after).alias("__after_text")).to_series())
            .filter(pl.col(after) < pl.col(before))
            .select(
                pl.col(ROW).alias("row"),
                pl.lit(after).alias("column"),
                pl.col("__after_text").alias("value"),
                pl.lit("order").alias("problem"),
                (
                    pl.lit(f"a date on or after {before} (") + pl.col("__before_text") + pl.lit(")")
                ).alias("expected"),
                pl.lit(positions[after], pl.Int64).alias(COLUMN_ORDER),
            )
        )
    return out


def _key_problems(
    text: pl.DataFrame, table: Table, positions: dict[str, int]
) -> list[pl.LazyFrame]:
    """Rows repeating the primary key of an earlier row (the first occurrence is kept)."""
    key = list(table.primary_key)
    if not all(k in text.columns for k in key):
        return []
    label = ", ".join(key)
    complete = pl.all_horizontal([pl.col(k).is_not_null() for k in key])
    value = (
        pl.concat_str([pl.col(k) for k in key], separator=" / ") if len(key) > 1 else pl.col(key[0])
    )
    # Fast path: hash the keys (u64) and look for repeats among the hashes; only rows whose
    # hash repeats are compared exactly (usually none, so a million keys cost one cheap pass).
    hashed = text.lazy().filter(complete).select(pl.struct(key).hash().alias("__h"))
    hashes = hashed.collect().get_column("__h")
    if hashes.n_unique() == hashes.len():
        return []
    repeated = hashes.filter(hashes.is_duplicated()).unique()
    candidates = text.filter(complete & pl.struct(key).hash().is_in(repeated.implode()))
    return [
        candidates.lazy()
        .with_columns(pl.col(ROW).min().over(key).alias("__first"))
        .filter(pl.col(ROW) != pl.col("__first"))
        .select(
            pl.col(ROW).alias("row"),
            pl.lit(label).alias("column"),
            value.alias("value"),
            pl.lit("duplicate_key").alias("problem"),
            (
                pl.lit(f"a {label} not used before; row ")
                + pl.col("__first").cast(pl.String)
                + pl.lit(" has the same")
            ).alias("expected"),
            pl.lit(positions.get(key[0]), pl.Int64).alias(COLUMN_ORDER),
        )
    ]


# --------------------------------------------------------------------------------------------
# References and the whole workspace


def _reference_problems(
    checked: dict[str, CheckedTable],
    frames: dict[str, pl.DataFrame],
    provided: set[str],
    schema: Schema,
    originals: dict[str, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """Foreign-key values naming no row of the referenced table.

    `frames` are the rows currently kept; a referenced table that was provided but cannot be
    used counts as empty. A table never provided is not checked against (it is optional).
    With `originals`, a value found among the original rows is said to refer to a set-aside row.
    """
    out = []
    for name, ct in checked.items():
        df = frames.get(name)
        if df is None:
            continue
        table = schema[name]
        for fk in table.foreign_keys:
            if fk.resource not in provided or fk.fields not in ct.positions:
                continue
            ref = frames.get(fk.resource)
            ref_values = (
                ref.select(pl.col(fk.reference_fields).alias(fk.fields)).drop_nulls().unique()
                if ref is not None
                else pl.DataFrame(schema={fk.fields: pl.String})
            )
            bad = (
                df.lazy()
                .select(ROW, fk.fields)
                .filter(pl.col(fk.fields).is_not_null())
                .join(ref_values.lazy(), on=fk.fields, how="anti")
            )
            source = checked[fk.resource].raw.source if fk.resource in checked else fk.resource
            expected = f"a {fk.reference_fields} listed in {fk.resource} ({source})"
            if ref is None:
                expected = (
                    f"a {fk.reference_fields} of {fk.resource}, but {source} could not be used "
                    "(see its column problems)"
                )
            if originals is not None and fk.resource in originals:
                orig = originals[fk.resource].select(pl.col(fk.reference_fields).alias(fk.fields))
                bad = bad.join(
                    orig.lazy().unique().with_columns(pl.lit(True).alias("__was")),
                    on=fk.fields,
                    how="left",
                )
                expected_expr = (
                    pl.when(pl.col("__was"))
                    .then(
                        pl.lit(
                            f"a {fk.reference_fields} of a kept row of {fk.resource} "
                            f"({source}); the row with this id was set aside"
                        )
                    )
                    .otherwise(pl.lit(expected))
                )
            else:
                expected_expr = pl.lit(expected)
            out.append(
                bad.select(
                    pl.lit(ct.raw.file, pl.String).alias("file"),
                    pl.lit(ct.raw.sheet, pl.String).alias("sheet"),
                    pl.col(ROW).alias("row"),
                    pl.lit(fk.fields).alias("column"),
                    pl.col(fk.fields).alias("value"),
                    pl.lit("unknown_reference").alias("problem"),
                    expected_expr.alias("expected"),
                    pl.lit(ct.positions[fk.fields], pl.Int64).alias(COLUMN_ORDER),
                )
            )
    return concat_problems(pl.collect_all(out)) if out else concat_problems([])


def check_workspace(
    raw: RawWorkspace, *, today: dt.date | None = None, keep_valid: bool = False
) -> CheckedWorkspace:
    """Check every table of `raw` and the references between them.

    Without `keep_valid`, tables are returned whole (use them only when there are no problems).
    With `keep_valid`, every row with a problem is removed, then rows referring to removed rows,
    until nothing changes; the problems then list everything set aside and why.
    """
    today = today or dt.date.today()
    schema = raw.schema
    usable = {n for n, rt in raw.tables.items() if _check_header(rt, schema[n])[2]}
    checked = {}
    for name in schema.names:
        if name in raw.tables:
            rt = raw.tables[name]
            table = schema[name]
            by_reference = frozenset(
                fk.fields for fk in table.foreign_keys if fk.resource in usable
            )
            checked[name] = check_table(rt, table, today, scanned_elsewhere=by_reference)
            rt.raw.frame = rt.raw.frame.clear()  # the text is no longer needed: free it
    provided = set(checked)
    problems = [raw.problems, *(ct.problems for ct in checked.values())]
    if "coaches" not in provided and not _mentions_coaches(raw.problems):
        problems.append(
            problems_frame(
                [
                    problem(
                        "coaches.csv",
                        "missing_file",
                        "a coaches table (coaches.csv, .parquet, .xlsx or a coaches sheet): "
                        "every workspace needs one",
                    )
                ]
            )
        )
    frames = {n: ct.frame for n, ct in checked.items() if ct.frame is not None}
    # A table that cannot be used already has its own problems; its references are only
    # refused (in the keep_valid cascade below) when rows are to be kept without it.
    refs = _reference_problems(checked, frames, set(frames), schema)
    problems.append(refs)
    all_problems = concat_problems(problems)
    if not keep_valid:
        return CheckedWorkspace(
            tables={n: f.drop(ROW) for n, f in frames.items()},
            problems=order_problems(withhold_identifiers(all_problems)),
        )
    originals = dict(frames)
    kept = _drop_rows(frames, checked, all_problems)
    while True:
        new = _reference_problems(checked, kept, provided, schema, originals=originals)
        if not new.height:
            break
        all_problems = concat_problems([all_problems, new])
        kept = _drop_rows(kept, checked, new)
    return CheckedWorkspace(
        tables={n: f.drop(ROW) for n, f in kept.items()},
        problems=order_problems(withhold_identifiers(all_problems)),
    )


def withhold_identifiers(problems: pl.DataFrame) -> pl.DataFrame:
    """Blank the value of any problem whose value looks like a personal identifier, whatever
    the problem (an e-mail pasted into a vocabulary column is not echoed into reports or logs);
    `expected` says why the value is not shown. An unknown reference that looks like an
    identifier (an e-mail as a client_id) is reported as an identifier, as the scan would."""
    if problems.is_empty() or problems["value"].null_count() == problems.height:
        return problems
    labels = looks_like(problems["value"], dates=True)
    if labels.null_count() == labels.len():
        return problems
    reference = pl.col("problem") == "unknown_reference"
    as_identifier = reference & labels.is_not_null()
    hidden = labels.is_not_null() & (labels != DATE_LABEL)
    return problems.with_columns(
        pl.when(as_identifier | hidden).then(None).otherwise(pl.col("value")).alias("value"),
        pl.when(as_identifier)
        .then(pl.lit("identifier"))
        .otherwise(pl.col("problem"))
        .alias("problem"),
        pl.when(as_identifier)
        .then("no personal identifiers in the records (this looks like " + labels + ")")
        .when(hidden)
        .then(pl.col("expected") + " (value not shown: it looks like " + labels + ")")
        .otherwise(pl.col("expected"))
        .alias("expected"),
    )


def _mentions_coaches(problems: pl.DataFrame) -> bool:
    """True when reading already reported a coaches file (unreadable, empty, ...)."""
    return problems.filter(pl.col("file").str.to_lowercase().str.starts_with("coaches")).height > 0


def _drop_rows(
    frames: dict[str, pl.DataFrame], checked: dict[str, CheckedTable], problems: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """`frames` without the rows named by `problems` (matched on file, sheet and row)."""
    out = {}
    rows = problems.filter(pl.col("row").is_not_null())
    for name, df in frames.items():
        rt = checked[name].raw
        mine = rows.filter(
            (pl.col("file") == rt.file) & (pl.col("sheet").eq_missing(pl.lit(rt.sheet, pl.String)))
        ).select(pl.col("row").alias(ROW))
        out[name] = df.join(mine.unique(), on=ROW, how="anti") if mine.height else df
    return out


def validate_workspace(path: str | Path, today: dt.date | None = None) -> pl.DataFrame:
    """Every problem of the workspace at `path` (no cap), ordered by file, row and column.

    An empty frame (with `PROBLEM_SCHEMA` columns) means the workspace is valid.
    """
    raw = read_workspace_files(path)
    return check_workspace(raw, today=today).problems.cast(PROBLEM_SCHEMA)
