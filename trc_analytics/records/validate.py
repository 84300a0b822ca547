"""Schema-driven, vectorized validation: every problem of a workspace as one polars frame.

Each table arrives as text (see `read.py`); every column is cast with `strict=False` and a
cell whose text was present but whose cast gave null is a problem. A Parquet column kept in its
own type is checked as typed when its values fit the schema's type exactly as their text would
(`typed_column`: the same typed values, the same problems, the same text in the report); any
other column is turned into the text a CSV would hold and cast like one. All checks are polars
expressions over whole columns, so a million rows are checked in a small multiple of the time
it takes to read them. Nothing is capped: every problem is reported, ordered by file, row and
column.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import polars as pl

from trc_analytics.records.identifiers import (
    DATE_LABEL,
    FULL_NAME,
    PATTERNS,
    looks_like,
    scan_identifiers,
)
from trc_analytics.records.problems import (
    COLUMN_ORDER,
    concat_problems,
    order_problems,
    problem,
    problems_frame,
)
from trc_analytics.records.read import (
    ROW,
    CsvPart,
    CsvSplitError,
    RawTable,
    RawWorkspace,
    csv_frame,
    parquet_text,
    read_workspace_files,
)
from trc_analytics.records.schema import (
    FALSE_VALUES,
    TRUE_VALUES,
    Field,
    ForeignKey,
    Schema,
    Table,
)
from trc_analytics.records.workspace import PROBLEM_SCHEMA

#: Columns where a capitalised multi-word value is expected, so the full-name rule is not
#: applied: place names such as "North West" are capitalised words.
NAME_RULE_EXEMPT = frozenset({"region"})

T = TypeVar("T")
R = TypeVar("R")

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
                pl.select(pl.when(whole).then(as_float.cast(pl.Int64, strict=False))).to_series()
            )
        return typed.alias(f.name)
    if f.type == "number":
        typed = text.cast(pl.Float64, strict=False)
        if bool((typed.is_nan() | typed.is_infinite()).any()):
            typed = pl.select(pl.when(typed.is_finite()).then(typed)).to_series()
        return typed.alias(f.name)
    if f.type == "boolean":
        # "true"/"false" (what files written by programs hold) with one comparison; any other
        # spelling goes through the full table of spellings below
        is_true, is_false = text == "true", text == "false"
        typed = pl.select(
            pl.when(is_true).then(pl.lit(True)).when(is_false).then(pl.lit(False))
        ).to_series()
        if not _unresolved(text, typed):
            return typed.alias(f.name)
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


#: Integer types whose every value is an Int64 (UInt64 is checked value by value).
_INT_TYPES = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32)


def typed_column(f: Field, s: pl.Series) -> pl.Series | None:
    """A Parquet column kept in its type, as the field's type, when checking it typed gives
    exactly what its text would (`parquet_text` then `cast_column`): the same values, no
    type or vocabulary problem. None when the column must go through text: a text column,
    a free-text field (scanned for identifiers as text), another type, or values whose text
    would not cast back the same (a fraction or NaN for a whole number, a year before 1 or
    after 9999, a timestamp that is not midnight, a category outside the vocabulary)."""
    dtype = s.dtype
    if dtype == pl.String or (f.type == "string" and f.enum is None):
        return None
    if f.enum is not None:
        return _typed_category(f, s)
    if f.type == "date":
        return _typed_date(s)
    if f.type == "boolean":
        return s if dtype == pl.Boolean else None
    if f.type == "integer":
        return _typed_integer(s)
    if f.type == "number":
        return _typed_number(s)
    return None


def _typed_category(f: Field, s: pl.Series) -> pl.Series | None:
    """An Enum or Categorical column whose values are all in the field's vocabulary."""
    if not isinstance(s.dtype, pl.Enum | pl.Categorical):
        return None
    allowed = set(f.enum or ())
    if isinstance(s.dtype, pl.Enum) and set(s.dtype.categories.to_list()) <= allowed:
        return s.cast(f.dtype)
    used = s.drop_nulls().unique().cast(pl.String).to_list()
    return s.cast(f.dtype, strict=False) if set(used) <= allowed else None


def _typed_date(s: pl.Series) -> pl.Series | None:
    """A Date column (or a Datetime one at midnight) whose years are written with 4 digits."""
    if isinstance(s.dtype, pl.Datetime):
        if not bool((s.dt.time() == dt.time(0)).fill_null(True).all()):
            return None
        s = s.dt.date()
    if s.dtype != pl.Date:
        return None
    years = s.dt.year()
    if s.null_count() < s.len() and not (years.min() >= 1 and years.max() <= 9999):
        return None
    return s


def _typed_integer(s: pl.Series) -> pl.Series | None:
    """Integers that fit Int64; floats only when every value is whole, finite and below 2**53
    (as their text "3.0" would be read)."""
    if s.dtype in _INT_TYPES:
        return s.cast(pl.Int64)
    if s.dtype == pl.UInt64:
        return s.cast(pl.Int64) if s.null_count() == s.len() or s.max() < 2**63 else None
    if s.dtype == pl.Float64:
        good = s.is_finite() & (s == s.floor()) & (s.abs() < _INT_LIMIT)
        return s.cast(pl.Int64) if bool(good.fill_null(True).all()) else None
    return None


def _typed_number(s: pl.Series) -> pl.Series | None:
    """Finite floats (their text reads back the same), integers below 2**53."""
    if s.dtype == pl.Float64:
        return s if bool(s.is_finite().fill_null(True).all()) else None
    if s.dtype in (*_INT_TYPES, pl.UInt64):
        fits = s.null_count() == s.len() or s.abs().max() < _INT_LIMIT
        return s.cast(pl.Float64) if fits else None
    return None


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """Column `name` as the text its file would show (`parquet_text`, as an expression): the
    value a problem report repeats, whether the column was checked as text or typed."""
    col = pl.col(name)
    if dtype == pl.String:
        return col
    if dtype == pl.Boolean:
        return pl.when(col).then(pl.lit("true")).when(~col).then(pl.lit("false"))
    if isinstance(dtype, pl.Datetime):
        return (
            pl.when(col.dt.time() == dt.time(0))
            .then(col.dt.date().cast(pl.String))
            .otherwise(col.cast(pl.String))
        )
    return col.cast(pl.String)


def _cell_conditions(
    f: Field, today: dt.date, typed_source: bool, rough: bool = False
) -> list[tuple[pl.Expr, str]]:
    """(condition, problem kind) for the cells of `f`, first match wins, from the text column
    and its typed copy. Dates that fail are `bad_date`, refined once filtered (few rows). A
    `typed_source` column (`typed_column`) has no type or vocabulary problem to look for. A
    vocabulary value is one the cast to the field's Enum kept (the same set as its values).
    `rough`: a required text cell is flagged when it may be blank (`_blank`)."""
    text, typed = pl.col(f.name), pl.col(f.name + TYPED)
    out = [(_blank(text, f, rough), "required")] if f.required else []
    if not f.required and f.type == "string" and f.enum is None:
        out.append((text.is_not_null() & _spaces(text, rough, controls=False), "only_spaces"))
    if f.type == "date":
        if not typed_source:
            out.append((text.is_not_null() & typed.is_null(), "bad_date"))
        if f.not_future:
            out.append((typed > pl.lit(today), "future_date"))
    elif f.type != "string" and not typed_source:
        out.append((text.is_not_null() & typed.is_null(), "type"))
    if f.enum is not None and not typed_source:
        out.append((text.is_not_null() & typed.is_null(), "vocabulary"))
    if f.minimum is not None and f.type in ("integer", "number"):
        out.append((typed < f.minimum, "minimum"))
    if f.maximum is not None and f.type in ("integer", "number"):
        out.append((typed > f.maximum, "maximum"))
    return out


def _blank(text: pl.Expr, f: Field, rough: bool = False) -> pl.Expr:
    """A cell with no value: missing, or (text fields) only spaces, which would otherwise load
    as a coach or client id of two spaces. `rough`: as in `_spaces`."""
    if f.type != "string" or f.enum is not None:  # a vocabulary refuses spaces by itself
        return text.is_null()
    return text.is_null() | _spaces(text, rough)


def _spaces(text: pl.Expr, rough: bool = False, controls: bool = True) -> pl.Expr:
    """Text of only white space: no value, yet it would load as one (a session of group
    "  "). Null for a missing cell (reading makes "" missing, in every format).
    `controls=False`: not when a control character (a tab) is among the spaces, which
    `_control_characters` names in a scanned column (one problem for the cell, not two).

    `rough`: True also for some cells with a value, never False for one of only spaces: the
    cells that are empty or begin with a character below "!" or from U+0080 to U+3FFF,
    where every white-space character lies (tab to carriage return, space, U+0085, U+00A0,
    U+1680, U+2000 to U+205F, U+3000). Two comparisons with the first bytes of each value,
    where the pattern costs a search per cell; the rows it flags are then checked exactly
    (`_cell_problems`)."""
    if rough:
        return (text < "!") | ((text >= "\x80") & (text < "\u4000"))
    return text.str.contains(r"^\s*$" if controls else r"^[^\S\x00-\x1F\x7F-\x9F]*$")


def _cell_problem(f: Field, today: dt.date, typed_source: bool = False) -> pl.Expr:
    """The problem kind of each cell of `f` (null when the cell is fine)."""
    conditions = _cell_conditions(f, today, typed_source)
    if not conditions:
        return pl.lit(None, pl.String)
    (condition, kind), *rest = conditions
    chain = pl.when(condition).then(pl.lit(kind))
    for condition, kind in rest:
        chain = chain.when(condition).then(pl.lit(kind))
    return chain.otherwise(pl.lit(None, pl.String))


def _cell_flag(
    f: Field, today: dt.date, typed_source: bool = False, rough: bool = False
) -> pl.Expr:
    """True for the cells of `f` with a problem: booleans only, so every row is checked
    without building a problem label for each (labels are made for the flagged rows).
    `rough`: also True for some cells without one (`_blank`), never False for one with."""
    conditions = _cell_conditions(f, today, typed_source, rough)
    conditions = [c.fill_null(False) for c, _kind in conditions]
    return pl.any_horizontal(conditions) if conditions else pl.lit(False)


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
        .when(pl.col("problem") == "only_spaces")
        .then(pl.lit("only spaces: leave the cell empty or write a value"))
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
    typed, keys, found = _check_rows(rt.raw.frame, table, positions, today, scanned_elsewhere)
    found += _collected(_key_problems(keys, table, positions))
    return _checked(rt, table, positions, header_problems, typed if usable else None, found)


def check_table_in_parts(
    rt: RawTable,
    table: Table,
    today: dt.date,
    scanned_elsewhere: frozenset[str] = frozenset(),
) -> CheckedTable:
    """`check_table` for a CSV file read in parts (`rt.raw.chunks`): each part is parsed, cast
    and checked on its own and only its typed columns and problems are kept, so the file's
    text is never held whole; repeated keys are then found across all parts. The same
    problems and typed frame as `check_table` on the whole file. Raises a polars error when
    the file cannot be read in parts (`CsvChunks.parse`).

    Parts are parsed and checked on `PART_THREADS` threads while the next ones are read, each
    numbering its records from 0; the results are taken in file order and their rows shifted
    to the file's rows (a part's first record follows the records of every part before it)."""
    positions, header_problems, usable = _check_header(rt, table)
    chunks = rt.raw.chunks

    def check(part: CsvPart) -> tuple[int, pl.DataFrame, pl.DataFrame, list[pl.DataFrame]]:
        frame, height = chunks.parse(part)
        typed, keys, found = _check_rows(frame.frame, table, positions, today, scanned_elsewhere)
        # one chunk per column and part: columns whose chunks do not line up are copied whole
        # by the next `select` or `drop` (the reader splits a part's columns unevenly)
        return height, typed.rechunk(), keys, found

    typed_parts, key_parts, found = [], [], []
    first = 2  # the file row of the part's first record (the header is row 1)
    for height, typed, keys, more in _in_order(check, chunks.parts()):
        typed_parts.append(typed.with_columns(pl.col(ROW) + first))
        key_parts.append(keys.with_columns(pl.col(ROW) + first))
        found += [c.with_columns(pl.col("row") + first) for c in more]
        first += height
    if not typed_parts:  # no part at all (a file read in parts holds at least its header)
        typed, keys, found = _check_rows(rt.raw.frame, table, positions, today, scanned_elsewhere)
        typed_parts, key_parts = [typed], [keys]
    keys = pl.concat(key_parts)
    found += _collected(_key_problems(keys, table, positions))
    typed = pl.concat(typed_parts) if usable else None
    return _checked(rt, table, positions, header_problems, typed, found)


#: Parts of one CSV file parsed and checked side by side (polars releases the interpreter
#: while it works); the file is read on meanwhile, a part or two ahead (`_in_order`).
PART_THREADS = 2


def _in_order(
    work: Callable[[T], R], items: Iterable[T], threads: int = PART_THREADS
) -> Iterator[R]:
    """`work` applied to each item on `threads` threads, the results in the items' order,
    with at most `threads` + 1 items taken from `items` and not yet given back (memory stays
    that of a few items).
    An error raised by `work` is raised here, in order; the items not yet begun are dropped."""
    pool = ThreadPoolExecutor(max_workers=threads)
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) > threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _collected(plans: list[pl.LazyFrame]) -> list[pl.DataFrame]:
    """The plans' results that found something (each later eager step costs a query)."""
    return [c for c in pl.collect_all(plans) if c.height] if plans else []


def _check_rows(
    src: pl.DataFrame,
    table: Table,
    positions: dict[str, int],
    today: dt.date,
    scanned_elsewhere: frozenset[str],
) -> tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame]]:
    """The rows of `src` (text, or Parquet columns kept typed) cast to the table's types, the
    primary key's columns as read (with `ROW`, for `_key_problems`), and the problems found in
    each row on its own: cells, order of dates, identifiers, control characters."""
    text, typed, typed_source = _cast_table(src, table, positions)
    present = [f for f in table.fields if f.name in positions]
    cast = [f for f in present if f.type != "string" or f.enum is not None]
    both = text.hstack([typed.get_column(f.name).alias(f.name + TYPED) for f in cast]).with_columns(
        pl.col(f.name).alias(f.name + TYPED) for f in present if f not in cast
    )
    plans = _cell_problems(both.lazy(), present, positions, today, typed_source)
    plans += _order_problems(typed, text, table, positions)
    scanned = [
        f.name
        for f in present
        if f.type == "string" and f.enum is None and f.name not in scanned_elsewhere
    ]
    keys = frozenset(table.primary_key) if len(table.primary_key) == 1 else frozenset()
    suspects = _suspect_rows(text, scanned, distinct=keys)
    plans += _identifier_problems(suspects, scanned, positions)
    plans += _control_characters(suspects, scanned, positions)
    key_text = text.select(ROW, *(k for k in table.primary_key if k in text.columns))
    return typed, key_text, _collected(plans)


def _checked(
    rt: RawTable,
    table: Table,
    positions: dict[str, int],
    header_problems: list[dict],
    typed: pl.DataFrame | None,
    found: list[pl.DataFrame],
) -> CheckedTable:
    """The checked table: its typed frame (None when it cannot be used) and every problem,
    each placed in the table's file and sheet."""
    where = {"file": rt.file, "sheet": rt.sheet}
    frames = [
        c.with_columns(pl.lit(v, pl.String).alias(k) for k, v in where.items()) for c in found
    ]
    problems = concat_problems([problems_frame(header_problems), *frames])
    if COLUMN_ORDER not in problems.columns:
        problems = problems.with_columns(pl.lit(None, pl.Int64).alias(COLUMN_ORDER))
    return CheckedTable(
        table=table.name, raw=rt, frame=typed, problems=problems, positions=positions
    )


def _cast_table(
    src: pl.DataFrame, table: Table, positions: dict[str, int]
) -> tuple[pl.DataFrame, pl.DataFrame, set[str]]:
    """The table's columns under their names (`ROW` first) as read, and cast to the schema;
    plus the names of the columns checked typed (`typed_column`). Every other column is text
    (a Parquet column turned into its text here) cast by `cast_column`; an absent one is null."""
    height = src.height
    texts, typeds, typed_source = [src.get_column(ROW)], [src.get_column(ROW)], set()
    for f in table.fields:
        if f.name not in positions:
            column = pl.Series(f.name, [None] * height, dtype=pl.String)
            texts.append(column)
            typeds.append(cast_column(f, column))
            continue
        source = src.get_column(f"__c{positions[f.name]}").alias(f.name)
        typed = typed_column(f, source) if source.dtype != pl.String else None
        if typed is not None:
            texts.append(source)
            typeds.append(typed.alias(f.name))
            typed_source.add(f.name)
            continue
        column = source if source.dtype == pl.String else parquet_text(source).alias(f.name)
        texts.append(column)
        typeds.append(cast_column(f, column))
    return pl.DataFrame(texts), pl.DataFrame(typeds), typed_source


def _cell_problems(
    both: pl.LazyFrame,
    present: list[Field],
    positions: dict[str, int],
    today: dt.date,
    typed_source: set[str] | frozenset[str] = frozenset(),
) -> list[pl.LazyFrame]:
    """One lazy frame per present column: its cells that fail their type or constraint. One
    pass over the table first finds the rows with any such cell (usually none, and then no
    per-column query is built); the value is rendered as text only for those cells (a typed
    column's text is never built)."""
    schema = both.collect_schema()
    # the pass over every row may flag a few cells without a problem (`_blank`'s rough
    # test); the per-column queries below keep only the cells with one
    flags = [_cell_flag(f, today, f.name in typed_source, rough=True) for f in present]
    if not flags:
        return []
    flagged = both.filter(pl.any_horizontal(flags)).collect()
    if not flagged.height:
        return []
    return [
        flagged.lazy()
        .filter(_cell_flag(f, today, f.name in typed_source))
        .with_columns(_cell_problem(f, today, f.name in typed_source).alias("problem"))
        .select(
            pl.col(ROW).alias("row"),
            _as_text(f.name, schema[f.name]).alias("value"),
            "problem",
        )
        .with_columns(_refine_date_kind() if f.type == "date" else pl.col("problem"))
        .with_columns(
            pl.lit(f.name).alias("column"),
            _expected(f, today).alias("expected"),
            pl.lit(positions[f.name], pl.Int64).alias(COLUMN_ORDER),
        )
        for f in present
    ]


def _suspect_rows(
    text: pl.DataFrame, scanned: list[str], distinct: frozenset[str] = frozenset()
) -> pl.DataFrame:
    """The rows where a scanned cell may be an identifier or hold a control character: one
    regular-expression pass per column (every pattern of the identifier scan and the control
    characters together), so the two scans below look at these few rows, not at every row.

    A column that repeats its values (a currency, a region) is scanned on its distinct values,
    which hashing finds at about half the cost of the pattern per cell; only a column named in
    `distinct` (a one-column primary key, whose values are all different) is scanned cell by
    cell. The rows are then those holding a flagged value (none in a clean column)."""
    if not scanned or not text.height:
        return text.select(ROW, *scanned)
    patterns = "|".join(f"(?:{p})" for p in PATTERNS.values())

    def suspicious(c: str) -> pl.Expr:
        return pl.col(c).str.contains(
            f"{patterns}|{CONTROL_CHARACTERS}"
            + ("" if c in NAME_RULE_EXEMPT else f"|(?:{FULL_NAME})")
        )

    per_cell = [c for c in scanned if c in distinct]
    by_value = [c for c in scanned if c not in distinct]
    plans = [text.lazy().select(pl.col(c).unique()).filter(suspicious(c)) for c in by_value]
    found = pl.collect_all(plans) if plans else []
    flags = [suspicious(c) for c in per_cell]
    flags += [
        pl.col(c).is_in(f.get_column(c).implode())
        for c, f in zip(by_value, found, strict=True)
        if f.height
    ]
    if not flags:
        return text.select(ROW, *scanned).clear()
    return text.select(ROW, *scanned).filter(pl.any_horizontal(flags))


def _identifier_problems(
    text: pl.DataFrame, scanned: list[str], positions: dict[str, int]
) -> list[pl.LazyFrame]:
    """Cells of the scanned text columns that look like a personal identifier (never echoed)."""
    if not text.height:
        return []
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
    if not text.height:
        return []
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
    """End dates before their start dates (`trc:order` pairs), reported on the end date; for
    a pair of numbers (prior_paid_hours, prior_coaching_hours) a later figure below the earlier
    one, reported on the later."""
    out = []
    for before, after in table.order:
        if before not in positions or after not in positions:
            continue
        before_text = _as_text("__before_text", text.schema[before])
        kind = "a date on or after" if typed.schema[after] == pl.Date else "a number at least"
        out.append(
            typed.lazy()
            .with_columns(text.get_column(before).alias("__before_text"))
            .with_columns(text.get_column(after).alias("__after_text"))
            .filter(pl.col(after) < pl.col(before))
            .select(
                pl.col(ROW).alias("row"),
                pl.lit(after).alias("column"),
                _as_text("__after_text", text.schema[after]).alias("value"),
                pl.lit("order").alias("problem"),
                (pl.lit(f"{kind} {before} (") + before_text + pl.lit(")")).alias("expected"),
                pl.lit(positions[after], pl.Int64).alias(COLUMN_ORDER),
            )
        )
    return out


def _strictly_increasing(text: pl.DataFrame, key: list[str]) -> bool:
    """True when a one-column text key only grows from row to row (ignoring empty cells):
    then no value repeats, which files exported from a system (sorted by id) show in one
    comparison pass instead of hashing every key."""
    if len(key) != 1 or text.schema[key[0]] != pl.String:
        return False
    values = text.get_column(key[0]).drop_nulls()
    n = values.len()
    return n < 2 or bool((values.slice(1) > values.slice(0, n - 1)).all())


def _key_problems(
    text: pl.DataFrame, table: Table, positions: dict[str, int]
) -> list[pl.LazyFrame]:
    """Rows repeating the primary key of an earlier row (the first occurrence is kept)."""
    key = list(table.primary_key)
    if not all(k in text.columns for k in key):
        return []
    if _strictly_increasing(text, key):
        return []
    label = ", ".join(key)
    complete = pl.all_horizontal([pl.col(k).is_not_null() for k in key])
    texts = [_as_text(k, text.schema[k]) for k in key]
    value = pl.concat_str(texts, separator=" / ") if len(key) > 1 else texts[0]
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


def _reference_links(
    checked: dict[str, CheckedTable],
    frames: dict[str, pl.DataFrame],
    provided: set[str],
    schema: Schema,
) -> list[tuple[CheckedTable, ForeignKey]]:
    """The foreign keys to check: of a kept table, present in its file, to a provided table."""
    return [
        (ct, fk)
        for name, ct in checked.items()
        if name in frames
        for fk in schema[name].foreign_keys
        if fk.resource in provided and fk.fields in ct.positions
    ]


def _unknown_values(
    links: list[tuple[CheckedTable, ForeignKey]], frames: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """Every (link index `__link`, `ROW`, `__value`) whose value names no row it refers to.

    The columns referring to one key (every client_id refers to clients) are stacked and
    joined against that key once, so each key's hash table is built once however many
    tables refer to it, and a small table costs no more than its rows."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, (_ct, fk) in enumerate(links):
        groups.setdefault((fk.resource, fk.reference_fields), []).append(i)
    plans = []
    for (resource, column), members in groups.items():
        ref = frames.get(resource)
        keys = (
            ref.lazy().select(pl.col(column).alias("__value")).drop_nulls().unique()
            if ref is not None
            else pl.LazyFrame(schema={"__value": pl.String})
        )
        stacked = pl.concat(
            [
                frames[links[i][0].table]
                .lazy()
                .select(
                    pl.lit(i, pl.Int32).alias("__link"),
                    ROW,
                    pl.col(links[i][1].fields).cast(pl.String).alias("__value"),
                )
                for i in members
            ]
        )
        plans.append(
            stacked.filter(pl.col("__value").is_not_null()).join(keys, on="__value", how="anti")
        )
    schema = {"__link": pl.Int32, ROW: pl.Int64, "__value": pl.String}
    return pl.concat(pl.collect_all(plans)) if plans else pl.DataFrame(schema=schema)


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
    links = _reference_links(checked, frames, provided, schema)
    unknown = _unknown_values(links, frames)
    out = []
    for i in unknown.get_column("__link").unique().sort().to_list():
        ct, fk = links[i]
        bad = unknown.filter(pl.col("__link") == i).select(ROW, pl.col("__value").alias(fk.fields))
        out.append(_reference_rows(bad, ct, fk, checked, frames.get(fk.resource), originals))
    return concat_problems(out)


def _reference_rows(
    bad: pl.DataFrame,
    ct: CheckedTable,
    fk: ForeignKey,
    checked: dict[str, CheckedTable],
    ref: pl.DataFrame | None,
    originals: dict[str, pl.DataFrame] | None,
) -> pl.DataFrame:
    """The problems of the rows of `ct` (`ROW`, `fk.fields`) whose value names no row."""
    source = checked[fk.resource].raw.source if fk.resource in checked else fk.resource
    expected = f"a {fk.reference_fields} listed in {fk.resource} ({source})"
    if ref is None:
        expected = (
            f"a {fk.reference_fields} of {fk.resource}, but {source} could not be used "
            "(see its column problems)"
        )
    expected_expr = pl.lit(expected)
    if originals is not None and fk.resource in originals:
        orig = originals[fk.resource].select(pl.col(fk.reference_fields).alias(fk.fields))
        bad = bad.join(
            orig.unique().with_columns(pl.lit(True).alias("__was")), on=fk.fields, how="left"
        )
        set_aside = (
            f"a {fk.reference_fields} of a kept row of {fk.resource} "
            f"({source}); the row with this id was set aside"
        )
        expected_expr = pl.when(pl.col("__was")).then(pl.lit(set_aside)).otherwise(expected_expr)
    return bad.select(
        pl.lit(ct.raw.file, pl.String).alias("file"),
        pl.lit(ct.raw.sheet, pl.String).alias("sheet"),
        pl.col(ROW).alias("row"),
        pl.lit(fk.fields).alias("column"),
        pl.col(fk.fields).alias("value"),
        pl.lit("unknown_reference").alias("problem"),
        expected_expr.alias("expected"),
        pl.lit(ct.positions[fk.fields], pl.Int64).alias(COLUMN_ORDER),
    )


def _check_tables(
    raw: RawWorkspace, today: dt.date
) -> tuple[dict[str, CheckedTable], list[pl.DataFrame]]:
    """`check_table` for every table of `raw`, in the schema's order, and the reading problems
    of CSV files that had to be read whole after all (`_check_csv`).

    Tables are independent, and polars releases the interpreter while it works, so they are
    checked on a few threads, the largest first: the sessions' scan for identifiers (one core)
    runs beside the other tables' checks instead of before them. Each table's text is freed
    once it is checked."""
    schema = raw.schema
    usable = {n for n, rt in raw.tables.items() if _check_header(rt, schema[n])[2]}
    names = [n for n in schema.names if n in raw.tables]

    def check(name: str) -> tuple[CheckedTable | None, pl.DataFrame]:
        rt, table = raw.tables[name], schema[name]
        by_reference = frozenset(fk.fields for fk in table.foreign_keys if fk.resource in usable)
        if rt.raw.chunks is not None:
            return _check_csv(rt, table, today, by_reference)
        ct = check_table(rt, table, today, scanned_elsewhere=by_reference)
        rt.raw.frame = rt.raw.frame.clear()  # the text is no longer needed: free it
        return ct, problems_frame([])

    def weight(name: str) -> int:
        rt = raw.tables[name].raw
        return rt.chunks.weight if rt.chunks is not None else 100 * rt.frame.height

    largest_first = sorted(names, key=lambda n: -weight(n))
    workers = min(CHECK_THREADS, len(names)) or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = dict(zip(largest_first, pool.map(check, largest_first), strict=True))
    checked = {n: done[n][0] for n in names if done[n][0] is not None}
    return checked, [done[n][1] for n in names if done[n][1].height]


def _check_csv(
    rt: RawTable, table: Table, today: dt.date, by_reference: frozenset[str]
) -> tuple[CheckedTable | None, pl.DataFrame]:
    """A CSV table checked in parts (`check_table_in_parts`); when polars' reader refuses the
    file part-way (a row with too many fields, bytes that are not UTF-8), the file is read
    whole as before (`read.csv_frame`, whose slower path names the broken rows) and checked
    whole. Returns the checked table (None when the file cannot be read at all) and the
    reading problems met."""
    try:
        return check_table_in_parts(rt, table, today, by_reference), problems_frame([])
    except (pl.exceptions.PolarsError, CsvSplitError):
        pass
    frame, read_problems = csv_frame(rt.raw.chunks.path, rt.file)
    found = problems_frame(read_problems)
    if frame is None:
        return None, found
    whole = RawTable(rt.table, rt.file, rt.sheet, frame)
    ct = check_table(whole, table, today, scanned_elsewhere=by_reference)
    whole.raw.frame = whole.raw.frame.clear()
    return ct, found


#: Threads checking tables side by side (polars runs each query on its own pool as well).
CHECK_THREADS = 2


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
    checked, read_later = _check_tables(raw, today)
    read_problems = concat_problems([raw.problems, *read_later])
    provided = set(checked)
    problems = [read_problems, *(ct.problems for ct in checked.values())]
    if "coaches" not in provided and not _mentions_coaches(read_problems):
        problems.append(
            problems_frame(
                [
                    problem(
                        "coaches.csv",
                        "missing_file",
                        "a coaches table (coaches.csv, .parquet, .xlsx, .ods or a coaches sheet): "
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
    raw = read_workspace_files(path, keep_types=True, csv_in_parts=True)
    return check_workspace(raw, today=today).problems.cast(PROBLEM_SCHEMA)
