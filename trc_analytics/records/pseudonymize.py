"""Turn a coach's identifying export into a workspace of keyed pseudonyms (`trc pseudonymize`).

Input: a folder of table files, a workbook with a sheet per table, or one table file, named as
in the templates (clients.csv, sessions.xlsx, ...). Beside the template columns the tables may
hold direct identifiers (client_name, email, phone, address, date_of_birth, ...: see
`DIRECT_IDENTIFIERS`), and id columns may hold names or the coach's own numbers.

Output: one CSV per table with the template columns only, owner-only. Client ids are always
replaced by keyed pseudonyms; other ids are replaced unless they already look like codes
(`C-0007`, `S-000123`); direct identifiers are dropped; a birth date becomes an `age_band` as
of the intake date. Before anything is written, every name, e-mail and phone number of the
input (the roster) is searched for in every remaining cell; a hit stops the run.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from trc_analytics.errors import TrcError
from trc_analytics.outputs import private_dir, write_private
from trc_analytics.records.keys import PSEUDONYM_PATTERN, load_or_create_key, normalize, pseudonym
from trc_analytics.records.read import ROW, RawTable, read_workspace_files
from trc_analytics.records.schema import Schema

#: Columns holding a person's name (their values join the roster).
NAME_COLUMNS = frozenset(
    {
        "name", "full_name", "first_name", "last_name", "surname", "given_name", "family_name",
        "middle_name", "preferred_name", "nickname", "client_name", "coach_name",
        "member_name", "participant_name", "supervisor_name", "contact_name", "partner_name",
        "parent_name", "guardian_name", "emergency_contact",
    }
)  # fmt: skip
#: Columns holding contact details (their values join the roster).
CONTACT_COLUMNS = frozenset(
    {
        "email", "e_mail", "email_address", "mail", "phone", "phone_number", "telephone",
        "tel", "mobile", "cell", "cellphone", "whatsapp",
    }
)  # fmt: skip
#: Columns holding a birth date (turned into an age band, then dropped).
BIRTH_COLUMNS = frozenset({"date_of_birth", "birth_date", "birthdate", "dob", "born_on"})
#: Other direct identifiers: dropped.
OTHER_IDENTIFIERS = frozenset(
    {
        "address", "street", "street_address", "address_line_1", "address_line_2", "city",
        "town", "postcode", "post_code", "zip", "zip_code", "postal_code", "notes", "note",
        "comments", "comment", "ssn", "national_id", "insurance_number", "social_media",
    }
)  # fmt: skip
DIRECT_IDENTIFIERS = NAME_COLUMNS | CONTACT_COLUMNS | BIRTH_COLUMNS | OTHER_IDENTIFIERS

#: Which kind of id a column holds: columns naming the same thing share pseudonyms.
ID_KINDS = {
    "client_id": "client",
    "coach_id": "coach",
    "supervisor_id": "coach",
    "engagement_id": "engagement",
    "group_id": "engagement",
    "exit_referral_id": "referral",
    "referral_id": "referral",
    "service_id": "service",
}
#: An id that is already a code (a few capitals, a dash, digits) is kept, except client ids.
CODE_PATTERN = r"^[A-Z]{1,4}-?[0-9A-Z]*[0-9][0-9A-Z]*$"

AGE_BANDS = ((18, "under_18"), (25, "18_24"), (35, "25_34"), (45, "35_44"), (55, "45_54"),
             (65, "55_64"))  # fmt: skip


class PseudonymizeError(TrcError, ValueError):
    """The export cannot be pseudonymized safely; nothing was written."""


@dataclass
class Pseudonymized:
    """The workspace tables (as text) and what was done to make them."""

    tables: dict[str, pl.DataFrame]
    dropped: dict[str, list[str]] = field(default_factory=dict)  # table -> columns dropped
    replaced: dict[str, int] = field(default_factory=dict)  # id kind -> distinct ids replaced
    age_bands_from_birth_dates: int = 0


def _column_name(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _kind(column: str) -> str:
    return ID_KINDS.get(column, column.removesuffix("_id"))


def pseudonymize_tables(
    source: str | Path, key: bytes, *, today: dt.date | None = None
) -> Pseudonymized:
    """Pseudonymize every table of the export at `source` in memory (nothing is written).

    Raises `PseudonymizeError` when a file cannot be read, a birth date cannot be read, two
    ids would share a pseudonym, or a roster name, e-mail or phone number survives in a cell.
    """
    today = today or dt.date.today()
    raw = read_workspace_files(source)
    if raw.problems.height:
        first = raw.problems.row(0, named=True)
        raise PseudonymizeError(
            f"{first['file']}: {first['problem'].replace('_', ' ')} (expected {first['expected']})"
        )
    if not raw.tables:
        raise PseudonymizeError(f"{source}: no table files found (clients.csv, sessions.csv, ...)")
    schema = raw.schema
    result = Pseudonymized(tables={})
    roster: set[str] = set()
    texts: dict[str, tuple[RawTable, pl.DataFrame]] = {}
    for name, rt in raw.tables.items():
        frame, dropped = _named_columns(rt, schema)
        roster |= _roster_values(frame)
        if name == "clients":
            frame, n = _age_bands(frame, rt, today)
            result.age_bands_from_birth_dates = n
        result.dropped[name] = dropped + [c for c in frame.columns if c in DIRECT_IDENTIFIERS]
        texts[name] = (rt, frame)

    # one mapping per id kind, over every table, so references still join
    originals: dict[str, pl.Series] = {}
    for name, (_rt, frame) in texts.items():
        for column in frame.columns:
            if column.endswith("_id") and column in schema[name].columns:
                values = frame[column].drop_nulls()
                kind = _kind(column)
                keep = values.str.contains(PSEUDONYM_PATTERN)
                if kind != "client":
                    keep = keep | values.str.contains(CODE_PATTERN)
                replace = values.filter(~keep)
                originals[kind] = pl.concat([originals.get(kind, replace.clear()), replace])
    mappings = {kind: _mapping(kind, values, key) for kind, values in originals.items()}
    for kind, mapping in mappings.items():
        result.replaced[kind] = mapping.height
        # replaced ids holding words (names); bare numbers would match durations and fees
        roster |= {v for v in mapping["original"].to_list() if re.search(r"[^\W\d_]", v)}

    deny = Roster.of(roster, schema)
    for name, (rt, frame) in texts.items():
        table = schema[name]
        out = frame.select([c for c in table.columns if c in frame.columns] + [ROW])
        for column in out.columns:
            kind = _kind(column)
            if column.endswith("_id") and kind in mappings:
                m = mappings[kind].rename({"original": column, "pseudonym": "_p"})
                out = (
                    out.join(m, on=column, how="left", maintain_order="left")
                    .with_columns(pl.coalesce("_p", column).alias(column))
                    .drop("_p")
                )
        _check_roster(out, deny, rt.source)
        result.tables[name] = out.drop(ROW)
    return result


def _named_columns(rt: RawTable, schema: Schema) -> tuple[pl.DataFrame, list[str]]:
    """The table's text columns under their (normalized) names; unknown columns dropped."""
    known = set(schema[rt.table].columns) | DIRECT_IDENTIFIERS | {"age_band"}
    keep, dropped, seen = [], [], set()
    for i, header in enumerate(rt.raw.header):
        name = _column_name(header)
        if name in seen:
            raise PseudonymizeError(f"{rt.source}: column {header!r} appears twice")
        seen.add(name)
        if name in known:
            keep.append(pl.col(f"__c{i}").alias(name))
        else:
            dropped.append(header or f"(column {i + 1}, no name)")
    return rt.raw.frame.select(*keep, ROW), dropped


def _roster_values(frame: pl.DataFrame) -> set[str]:
    """Names (whole and word by word), e-mails and phone numbers found in the export."""
    values: set[str] = set()
    for column in frame.columns:
        if column in NAME_COLUMNS or column in CONTACT_COLUMNS:
            cells = frame[column].drop_nulls().unique().to_list()
            values |= {c.strip() for c in cells if c.strip()}
            if column in NAME_COLUMNS:
                values |= {w for c in cells for w in c.split() if len(w) >= 2}
    return values


def _age_bands(frame: pl.DataFrame, rt: RawTable, today: dt.date) -> tuple[pl.DataFrame, int]:
    """Fill `age_band` from a birth date, as of the intake date (else today)."""
    births = [c for c in frame.columns if c in BIRTH_COLUMNS]
    if not births:
        return frame, 0
    birth_text = pl.coalesce([pl.col(c) for c in births])
    born = birth_text.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    bad = frame.filter(birth_text.is_not_null() & born.is_null())
    if bad.height:
        row = bad[ROW][0]
        raise PseudonymizeError(
            f"{rt.source}: row {row}, column {births[0]}: a birth date must be written "
            "YYYY-MM-DD (the value is not repeated here)"
        )
    if "intake_on" in frame.columns:
        on = pl.col("intake_on").str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
        on = on.fill_null(pl.lit(today))
    else:
        on = pl.lit(today)
    age = (
        on.dt.year()
        - born.dt.year()
        - ((on.dt.month() * 100 + on.dt.day()) < (born.dt.month() * 100 + born.dt.day())).cast(
            pl.Int32
        )
    )
    band = pl.when(born.is_null()).then(None)
    for upper, label in AGE_BANDS:
        band = band.when(age < upper).then(pl.lit(label))
    band = band.otherwise(pl.lit("65_plus"))
    existing = pl.col("age_band") if "age_band" in frame.columns else pl.lit(None, pl.String)
    filled = frame.select(born.is_not_null().sum()).item()
    return frame.with_columns(pl.coalesce(existing, band).alias("age_band")), int(filled)


def _mapping(kind: str, values: pl.Series, key: bytes) -> pl.DataFrame:
    """original -> pseudonym for one id kind; refuses two different ids sharing a pseudonym."""
    unique = values.unique(maintain_order=True).to_list()
    out = pl.DataFrame(
        {"original": unique, "pseudonym": [pseudonym(key, kind, v) for v in unique]},
        schema={"original": pl.String, "pseudonym": pl.String},
    )
    distinct = len({normalize(v) for v in unique})  # "Jane Roe" and "jane roe" are one id
    if out["pseudonym"].n_unique() != distinct:
        raise PseudonymizeError(
            f"two different {kind} ids received the same pseudonym; create a new key file"
        )
    return out


@dataclass(frozen=True)
class Roster:
    """The export's names, e-mails and phone numbers, lower-cased: single words, and entries
    with spaces or punctuation (full names, e-mails, phone numbers)."""

    words: tuple[str, ...]
    phrases: tuple[str, ...]

    @classmethod
    def of(cls, entries: set[str], schema: Schema) -> Roster:
        vocabulary = {v.lower() for voc in schema.vocabularies.values() for v in voc["values"]}
        terms = {t.lower() for t in entries} - vocabulary
        words = {t for t in terms if re.fullmatch(r"\w+", t)}
        return cls(tuple(sorted(words)), tuple(sorted(terms - words, key=len, reverse=True)))


def _check_roster(frame: pl.DataFrame, roster: Roster, file: str) -> None:
    """Stop when a roster entry appears (case-insensitive, whole word) in any text cell.

    Single words are matched as whole words of the cells (a join on words, fast on millions
    of cells); entries with spaces or punctuation (full names, e-mails, phone numbers) are
    looked for as substrings first and the few candidate cells checked for word boundaries.
    """
    columns = [c for c in frame.columns if c != ROW and frame.schema[c] == pl.String]
    words, phrases = list(roster.words), list(roster.phrases)
    if not (words or phrases) or not columns:
        return
    cells = (
        frame.select(ROW, *columns)
        .unpivot(index=ROW, variable_name="column", value_name="text")
        .drop_nulls("text")
        .with_columns(pl.col("text").str.to_lowercase())
    )
    hits = [
        cells.with_columns(word=pl.col("text").str.extract_all(r"\w+"))
        .explode("word")
        .filter(pl.col("word").is_in(words))
        .select(ROW, "column")
    ]
    candidates = cells.filter(pl.col("text").str.contains_any(phrases)) if phrases else cells
    if phrases and candidates.height:
        for i in range(0, len(phrases), 400):
            alternatives = "|".join(pl.escape_regex(t) for t in phrases[i : i + 400])
            whole = rf"(?:^|\W)(?:{alternatives})(?:\W|$)"
            hits.append(candidates.filter(pl.col("text").str.contains(whole)).select(ROW, "column"))
    found = pl.concat(hits).with_columns(
        order=pl.col("column").replace_strict(columns, list(range(len(columns))))
    )
    if found.height:
        first = found.sort("order", ROW).row(0, named=True)
        raise PseudonymizeError(
            f"{file}: row {first[ROW]}, column {first['column']} still holds a name, e-mail or "
            "phone number from the export; nothing was written. Remove it from that cell and "
            "run again."
        )


def pseudonymize(
    source: str | Path,
    out: str | Path,
    key_file: str | Path,
    *,
    overwrite: bool = False,
    today: dt.date | None = None,
) -> tuple[Pseudonymized, bool]:
    """Pseudonymize the export at `source` into a workspace folder `out` (one CSV per table,
    owner-only). Returns (what was done, whether a new key was created). Nothing is written
    when anything fails; the key file is never placed inside `out`.
    """
    out_dir = Path(out).resolve()
    key_path = Path(key_file).resolve()
    if key_path == out_dir or out_dir in key_path.parents:
        raise PseudonymizeError("keep the key file outside the workspace folder it writes")
    source_path = Path(source).resolve()
    if key_path == source_path or (source_path.is_dir() and source_path in key_path.parents):
        raise PseudonymizeError("keep the key file outside the export folder")
    if out_dir.exists() and any(out_dir.iterdir()) and not overwrite:
        raise PseudonymizeError(f"{out}: the folder is not empty (use --overwrite to replace)")
    key, created = load_or_create_key(key_path)
    result = pseudonymize_tables(source, key, today=today)
    private_dir(out_dir)
    for name, frame in result.tables.items():
        write_private(out_dir / f"{name}.csv", frame.drop(ROW, strict=False).write_csv())
    return result, created
