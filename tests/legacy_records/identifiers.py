"""Identifier scan: refuse cells that look like an e-mail, URL, street address, phone number,
date of birth or a person's full name. Offline: regular expressions plus `phonenumbers`.

Every cell of the scanned columns goes through one combined regular expression (vectorized);
only the few cells it flags are classified, so a million rows scan in well under a second. A
cell shaped like a phone number (7 to 15 digits written with `+`, parentheses, spaces or
dashes, and not a date) is flagged whether or not the number exists: 555 numbers and the
ranges set aside for drama are phone numbers to a reader too. Bare digit strings (which may be
numeric ids) are flagged only when `phonenumbers` says they are a valid number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

ROW = "__row"

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_STREET = (
    r"(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|place|pl|way|"
    r"terrace|close|crescent|square|sq|highway|hwy|parkway|pkwy|row|gardens|grove|mews)"
)

DATE_LABEL = "a date (of birth?)"
PHONE_LABEL = "a phone number"

#: What a flagged cell looks like -> the regular expression that finds it, in checking order.
PATTERNS: dict[str, str] = {
    "an e-mail address": r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
    "a web address (URL)": (
        r"(?i:\b(?:https?|ftp)://\S+|\bwww\.\S+"
        r"|\b[a-z0-9\-]+\.(?:com|org|net|edu|gov|info|io|co\.uk|org\.uk)\b)"
    ),
    "a street address": rf"(?i:\b\d{{1,5}}[a-z]?,?\s+(?:[a-z][a-z.'\-]*\s+){{1,4}}{_STREET}\b)",
    DATE_LABEL: (
        r"(?i:\b\d{4}[\-/.]\d{1,2}[\-/.]\d{1,2}\b|\b\d{1,2}[\-/.]\d{1,2}[\-/.]\d{2,4}\b"
        rf"|\b\d{{1,2}}\s+{_MONTH}\s+\d{{4}}\b|\b{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}\b)"
    ),
    # a candidate only: the whole cell made of phone characters with at least 7 digits
    PHONE_LABEL: r"^\s*\+?[\d\s().\-/]{7,}\s*$",
}
#: Two or more capitalised words, such as "Jane Roe": only for columns where no capitalised
#: words belong (ids, currency), never for place names such as region.
FULL_NAME = r"\b[A-Z][a-z]+(?:['\-][A-Z][a-z]+)?\s+(?:[A-Z]\.\s+)?[A-Z][a-z]+\b"
FULL_NAME_LABEL = "a person's full name"

#: Regions tried for phone numbers written without an international prefix.
PHONE_REGIONS = ("US", "GB", "CA", "AU", "NZ", "IE")
_MIN_PHONE_DIGITS = 7
#: Most digits a phone number has (E.164).
_MAX_PHONE_DIGITS = 15
#: A phone-number shape: a `+`, parentheses, or digits grouped by spaces or dashes.
_PHONE_SEPARATORS = r"[+()]|\d[\s\-]+\d"


def phone_shaped(text: pl.Expr) -> pl.Expr:
    """True for a cell written like a phone number (7-15 digits with `+`, parentheses, spaces
    or dashes, nothing else but dots and slashes), valid number or not; dates are not."""
    digits = text.str.count_matches(r"\d")
    return (
        text.str.contains(PATTERNS[PHONE_LABEL])
        & digits.is_between(_MIN_PHONE_DIGITS, _MAX_PHONE_DIGITS)
        & text.str.contains(_PHONE_SEPARATORS)
        & ~text.str.contains(PATTERNS[DATE_LABEL])
    ).fill_null(False)


def _confirmed_phones(phones: pl.DataFrame) -> pl.Series:
    """Which phone candidates are phone numbers: phone-shaped, or valid per `phonenumbers`."""
    shaped = phones.select(phone_shaped(pl.col("text"))).to_series()
    valid = [
        bool(s) or is_phone_number(t) for s, t in zip(shaped, phones["text"].to_list(), strict=True)
    ]
    return pl.Series(valid, dtype=pl.Boolean)


def is_phone_number(text: str) -> bool:
    """True when `text` is a valid phone number (international, or national in PHONE_REGIONS)."""
    import phonenumbers

    regions: Iterable[str | None] = (None,) if text.strip().startswith("+") else PHONE_REGIONS
    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


def _classify(text: pl.Expr, with_name: bool, with_date: bool = True) -> pl.Expr:
    """The label of the first pattern a flagged cell matches (phone still to be confirmed)."""
    chain = None
    for label, pattern in PATTERNS.items():
        if label == DATE_LABEL and not with_date:
            continue
        cond = text.str.contains(pattern)
        if label == PHONE_LABEL:
            cond = cond & (text.str.count_matches(r"\d") >= _MIN_PHONE_DIGITS)
        chain = (pl.when(cond) if chain is None else chain.when(cond)).then(pl.lit(label))
    if with_name:
        chain = chain.when(text.str.contains(FULL_NAME)).then(pl.lit(FULL_NAME_LABEL))
    return chain.otherwise(pl.lit(None, pl.String))


def scan_identifiers(
    frame: pl.DataFrame, columns: Sequence[str], *, name_rule_exempt: Iterable[str] = ()
) -> pl.DataFrame:
    """Cells of `columns` that look like personal identifiers.

    Returns `ROW` (from `frame`), `column`, `value` (always null: an identifier is never
    repeated in a report) and `looks_like` (plain words), one row per flagged cell.
    """
    exempt = set(name_rule_exempt)
    any_pattern = "|".join(f"(?:{p})" for p in PATTERNS.values())
    out = []
    for name in columns:
        with_name = name not in exempt
        pattern = f"{any_pattern}|(?:{FULL_NAME})" if with_name else any_pattern
        hits = (
            frame.lazy()
            .select(pl.col(ROW), pl.col(name).alias("text"))
            .filter(pl.col("text").str.contains(pattern))
        )
        looks_like = _classify(pl.col("text"), with_name).alias("looks_like")
        out.append(hits.with_columns(looks_like, pl.lit(name).alias("column")))
    schema = {ROW: pl.Int64, "column": pl.String, "value": pl.String, "looks_like": pl.String}
    if not out:
        return pl.DataFrame(schema=schema)
    flagged = pl.concat(pl.collect_all(out))
    phones = flagged.filter(pl.col("looks_like") == PHONE_LABEL)
    if phones.height:
        confirmed = _confirmed_phones(phones)
        drop_rows = phones.filter(~confirmed).select(ROW, "column")
        flagged = flagged.join(drop_rows, on=[ROW, "column"], how="anti")
    return flagged.filter(pl.col("looks_like").is_not_null()).select(
        pl.col(ROW).cast(pl.Int64),
        "column",
        pl.lit(None, pl.String).alias("value"),
        "looks_like",
    )


def looks_like(values: pl.Series, *, dates: bool = False) -> pl.Series:
    """For each value, what identifier it looks like (null when none), full names included.

    Used to withhold identifier-looking values from problem reports whatever the problem
    (a pasted e-mail in a vocabulary column is a vocabulary problem, but must not be echoed).
    Dates are not counted by default: a badly written date is a date, not a birth date.
    """
    frame = pl.DataFrame({"text": values.cast(pl.String)}).with_row_index("i")
    labelled = frame.with_columns(_classify(pl.col("text"), True, dates).alias("label"))
    phones = labelled.filter(pl.col("label") == PHONE_LABEL)
    if phones.height:
        confirmed = _confirmed_phones(phones)
        not_phones = phones.filter(~confirmed).select("i", pl.lit(True).alias("drop"))
        labelled = labelled.join(not_phones, on="i", how="left").with_columns(
            pl.when(pl.col("drop")).then(None).otherwise(pl.col("label")).alias("label")
        )
    return labelled.sort("i").get_column("label").alias(values.name)
