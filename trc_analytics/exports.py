"""Formula-safe exports: a text cell a spreadsheet would run as a formula is written as text.

Excel, LibreOffice and Google Sheets treat a CSV cell that begins with `=`, `+`, `-` or `@`
(and, in some, a tab or carriage return before one) as a formula: a value typed into a record,
such as `=HYPERLINK("http://…", "click")`, would run when someone opens `trc findings`,
`trc metrics` or `trc validate` output. Every text cell that begins with one of those characters
is prefixed with `'`, which spreadsheets show as text (OWASP's "CSV injection" advice); numbers,
dates and booleans are left as they are, so a negative number in a numeric column stays a
number. Workbooks are written with `XLSX_OPTIONS`, so text is always stored as a string.
"""

from __future__ import annotations

from typing import Any

import polars as pl

#: Characters that make a spreadsheet read a text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: What a text cell beginning with one of them is prefixed with.
TEXT_MARK = "'"
#: xlsxwriter `Workbook` options: text is a string, never a formula or a link.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}

_TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum)
_STARTS_LIKE_A_FORMULA = "^[=+\\-@\t\r]"


def defuse(text: str) -> str:
    """`text`, prefixed with `'` when a spreadsheet would run it as a formula."""
    return TEXT_MARK + text if text.startswith(FORMULA_START) else text


def formula_safe(df: pl.DataFrame) -> pl.DataFrame:
    """`df` with every text cell that would run as a formula prefixed with `'`.

    Text columns (String, Categorical, Enum) come back as String; other columns unchanged.
    """
    text = [name for name, dtype in df.schema.items() if isinstance(dtype, _TEXT_TYPES)]
    if not text:
        return df
    exprs = []
    for name in text:
        col = pl.col(name).cast(pl.String)
        exprs.append(
            pl.when(col.str.contains(_STARTS_LIKE_A_FORMULA))
            .then(pl.lit(TEXT_MARK) + col)
            .otherwise(col)
            .alias(name)
        )
    return df.with_columns(exprs)


def safe_csv(df: pl.DataFrame, **options: Any) -> str:
    """`df` as CSV text (polars `write_csv` options) with formula-like text defused."""
    return formula_safe(df).write_csv(**options)
