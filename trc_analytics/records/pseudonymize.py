"""Turn a coach's identifying export into a workspace of keyed pseudonyms (`trc pseudonymize`).

Input: a folder of table files, a workbook with a sheet per table, or one table file, named as
in the templates (clients.csv, sessions.xlsx, ...). Beside the template columns the tables may
hold direct identifiers (client_name, email, phone, address, date_of_birth, ...: see
`DIRECT_IDENTIFIERS`), and id columns may hold names or the coach's own numbers.

Output: one CSV per table with the template columns only, owner-only, written into a private
temporary folder beside the output and renamed into place at the end (all or nothing). Every id
column of the client-level tables (`CLIENT_TABLES`: client, engagement, session, referral, ...
ids, and the service ids referrals name) is replaced by keyed pseudonyms, whatever the id looks
like; a reference is keyed with the same function as the id it names, so references still
join. Coach ids (and supervisor ids, which name coaches) stay: they name the coach who holds the
key. Ids of the other coach-level tables are replaced unless they already look like codes
(`SV-0001`). Direct identifiers are dropped; a birth date becomes an `age_band` as of the intake
date. Before anything is written, every name, e-mail and phone number of the input (the roster)
is searched for in every remaining cell; a hit stops the run.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from trc_analytics.errors import TrcError
from trc_analytics.outputs import check_folder, write_private
from trc_analytics.records.keys import PSEUDONYM_PATTERN, load_or_create_key, normalize, pseudonym
from trc_analytics.records.read import (
    COMPANION_FILES,
    ROW,
    TABLE_SUFFIXES,
    RawTable,
    read_workspace_files,
)
from trc_analytics.records.schema import FALSE_VALUES, TRUE_VALUES, Schema, Table, load_schema

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
#: Tables about clients: every id column of these is re-keyed, whatever its values look like.
CLIENT_TABLES = frozenset(
    {
        "clients", "engagements", "sessions", "referrals", "disclosures", "mandatory_reports",
        "goals", "group_members", "safety_assessments", "measures",
    }
)  # fmt: skip
#: Kinds of id that are never re-keyed: coach ids name the coach who holds the key.
KEPT_KINDS = frozenset({"coach"})
#: A name token of at least this many letters is searched for inside every remaining cell.
MIN_TOKEN_LETTERS = 3
#: Columns matched only on whole words: an association's region names are place names that
#: may equal or contain a client's name ("West", "Wes" in "North West").
WHOLE_WORD_COLUMNS = frozenset({"region"})
#: An id of a coach-level table that is already a code (a few capitals, a dash, digits) is kept.
CODE_PATTERN = r"^[A-Z]{1,4}-?[0-9A-Z]*[0-9][0-9A-Z]*$"

#: A code made of a short letter prefix and digits only (S-000123, ENG-2024-000123): replaced
#: like any id, but not a name to look for in other cells.
PLAIN_CODE = r"^[A-Za-z]{1,4}[-_ ]?[0-9][0-9\-_ ]*$"

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


def column_name(header: str) -> str:
    """A header as the column name it stands for: trimmed, lower-case, spaces and dashes as
    underscores ("Client Name" -> client_name)."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _kind(column: str) -> str:
    return ID_KINDS.get(column, column.removesuffix("_id"))


def _id_column(table: Table, column: str) -> bool:
    """An id column: named `*_id`, in the schema, and not a coded value (`check_id` names a
    rule of the check catalogue through a vocabulary, not a record, and is never re-keyed)."""
    field = next((f for f in table.fields if f.name == column), None)
    return column.endswith("_id") and field is not None and field.enum is None


def rekeyed_kinds(schema: Schema) -> frozenset[str]:
    """Kinds of id always re-keyed: those of every id column of a client-level table (except
    coach ids), so the same kind is re-keyed alike in coach-level tables (service ids)."""
    kinds = {
        _kind(c)
        for name in CLIENT_TABLES
        if name in schema.tables
        for c in schema[name].columns
        if _id_column(schema[name], c)
    }
    return frozenset(kinds - KEPT_KINDS)


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
        where = "".join(
            f", {k} {first[k]}" for k in ("sheet", "row", "column") if first[k] is not None
        )
        raise PseudonymizeError(
            f"{first['file']}{where}: {first['problem'].replace('_', ' ')} "
            f"(expected {first['expected']})"
        )
    if not raw.tables:
        raise PseudonymizeError(f"{source}: no table files found (clients.csv, sessions.csv, ...)")
    schema = raw.schema
    result = Pseudonymized(tables={})
    roster: set[str] = set()
    name_tokens: set[str] = set()
    texts: dict[str, tuple[RawTable, pl.DataFrame]] = {}
    for name, rt in raw.tables.items():
        frame, dropped = _named_columns(rt, schema)
        roster |= _roster_values(frame)
        name_tokens |= _name_tokens(frame)
        if name == "clients":
            frame, n = _age_bands(frame, rt, today)
            result.age_bands_from_birth_dates = n
        result.dropped[name] = dropped + [c for c in frame.columns if c in DIRECT_IDENTIFIERS]
        texts[name] = (rt, frame)

    # one mapping per id kind, over every table, so references still join
    always = rekeyed_kinds(schema)
    originals: dict[str, pl.Series] = {}
    for name, (_rt, frame) in texts.items():
        for column in frame.columns:
            kind = _kind(column)
            if not _id_column(schema[name], column):
                continue
            if kind in KEPT_KINDS:
                continue
            values = frame[column].drop_nulls()
            if kind not in always:
                keep = values.str.contains(PSEUDONYM_PATTERN) | values.str.contains(CODE_PATTERN)
                values = values.filter(~keep)
            originals[kind] = pl.concat([originals.get(kind, values.clear()), values])
    mappings = {kind: _mapping(kind, values, key) for kind, values in originals.items()}
    for kind, mapping in mappings.items():
        result.replaced[kind] = mapping.height
        # replaced ids holding words (names); bare numbers would match durations and fees,
        # and plain codes (a short prefix and digits: S-000123) hold no name
        originals_with_words = mapping.filter(
            pl.col("original").str.contains(r"[^\W\d_]")
            & ~pl.col("original").str.contains(PLAIN_CODE)
        )
        roster |= set(originals_with_words["original"].to_list())

    deny = Roster.of(roster, schema, tokens=name_tokens)
    for name, (rt, frame) in texts.items():
        table = schema[name]
        out = frame.select([c for c in table.columns if c in frame.columns] + [ROW])
        for column in out.columns:
            kind = _kind(column)
            if kind in mappings and _id_column(table, column):
                m = mappings[kind].rename({"original": column, "pseudonym": "_p"})
                out = (
                    out.join(m, on=column, how="left", maintain_order="left")
                    .with_columns(pl.coalesce("_p", column).alias(column))
                    .drop("_p")
                )
        _check_roster(out, deny, rt.source)
        _check_name_tokens(out, deny, table, schema, rt.source)
        result.tables[name] = out.drop(ROW)
    return result


def _named_columns(rt: RawTable, schema: Schema) -> tuple[pl.DataFrame, list[str]]:
    """The table's text columns under their (normalized) names; unknown columns dropped."""
    known = set(schema[rt.table].columns) | DIRECT_IDENTIFIERS | {"age_band"}
    keep, dropped, seen = [], [], set()
    for i, header in enumerate(rt.raw.header):
        name = column_name(header)
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


def _name_tokens(frame: pl.DataFrame) -> set[str]:
    """Every run of at least `MIN_TOKEN_LETTERS` letters in the name columns, lower-cased
    ("O'Brien-Smith" gives "brien" and "smith")."""
    pattern = rf"[^\W\d_]{{{MIN_TOKEN_LETTERS},}}"
    tokens: set[str] = set()
    for column in frame.columns:
        if column in NAME_COLUMNS:
            for cell in frame[column].drop_nulls().unique().to_list():
                tokens |= {t.lower() for t in re.findall(pattern, cell)}
    return tokens


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
    tokens: tuple[str, ...] = ()  # name tokens, matched inside any cell

    @classmethod
    def of(cls, entries: set[str], schema: Schema, tokens: set[str] = frozenset()) -> Roster:
        vocabulary = {v.lower() for voc in schema.vocabularies.values() for v in voc["values"]}
        terms = {t.lower() for t in entries} - vocabulary
        words = {t for t in terms if re.fullmatch(r"\w+", t)}
        return cls(
            tuple(sorted(words)),
            tuple(sorted(terms - words, key=len, reverse=True)),
            tuple(sorted(t.lower() for t in tokens if t.lower() not in vocabulary)),
        )


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


def _check_name_tokens(
    frame: pl.DataFrame, roster: Roster, table: Table, schema: Schema, file: str
) -> None:
    """Stop when a roster name token (3+ letters) appears inside any remaining cell,
    case-insensitively, as a substring ("ENG-SMITH-01" holds "smith").

    Exempt, to avoid false alarms: pseudonyms (random letters: `P-BERG...` can happen), cells
    of a vocabulary column holding one of its values ("intimate_partner_violence" holds
    "art"), true/false words of boolean columns, and the `WHOLE_WORD_COLUMNS` (region), which
    the whole-word check covers.
    """
    if not roster.tokens:
        return
    fields = {f.name: f for f in table.fields}
    hits = []
    for column in frame.columns:
        if column == ROW or column in WHOLE_WORD_COLUMNS or column not in fields:
            continue
        f = fields[column]
        text = pl.col(column).str.to_lowercase()
        allowed: set[str] = set()
        if f.enum is not None:
            allowed = {v.lower() for v in f.enum}
        elif f.type == "boolean":
            allowed = {*TRUE_VALUES, *FALSE_VALUES}
        cond = text.str.contains_any(list(roster.tokens))
        if column.endswith("_id"):
            cond = cond & ~pl.col(column).str.contains(PSEUDONYM_PATTERN)
        if allowed:
            cond = cond & ~text.str.strip_chars().is_in(sorted(allowed))
        hits.append(frame.lazy().filter(cond).select(ROW, pl.lit(column).alias("column")))
    if not hits:
        return
    found = pl.concat(pl.collect_all(hits))
    if found.height:
        first = found.row(0, named=True)
        raise PseudonymizeError(
            f"{file}: row {first[ROW]}, column {first['column']} holds a name from the export "
            "(found inside the value); nothing was written. Remove it from that cell and run "
            "again."
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
    owner-only). Returns (what was done, whether a new key was created).

    All or nothing: the tables are written into a private temporary folder beside `out` and
    renamed into place at the end; when anything fails, `out` is as it was and the temporary
    folder is gone. The key file is never placed inside `out`.
    """
    out_dir = Path(os.path.abspath(out))
    key_path = Path(key_file).resolve()
    resolved_out = out_dir.resolve()
    if key_path == resolved_out or resolved_out in key_path.parents:
        raise PseudonymizeError("keep the key file outside the workspace folder it writes")
    source_path = Path(source).resolve()
    if key_path == source_path or (source_path.is_dir() and source_path in key_path.parents):
        raise PseudonymizeError("keep the key file outside the export folder")
    carried = _existing_output(out_dir, overwrite)
    key, created = load_or_create_key(key_path)
    result = pseudonymize_tables(source, key, today=today)
    try:
        _write_all_or_nothing(out_dir, result, carried)
    except OSError as err:
        reason = err.strerror or str(err)
        raise PseudonymizeError(
            f"{out}: the workspace could not be written ({reason}); nothing was written"
        ) from err
    return result, created


def _existing_output(out_dir: Path, overwrite: bool) -> list[Path]:
    """Check what is at `out_dir` before anything runs; returns the companion files of an
    existing workspace to carry over (vocabularies.toml, datapackage.json).

    A link or a file is refused. A non-empty folder is replaced only with `overwrite`, and only
    when it holds nothing but table files and companion files (a workspace): a folder holding
    anything else is never deleted.
    """
    if out_dir.is_symlink():
        raise PseudonymizeError(f"{out_dir}: is a link; give the folder itself")
    if not out_dir.exists():
        return []
    if not out_dir.is_dir():
        raise PseudonymizeError(f"{out_dir}: exists and is not a folder")
    check_folder(out_dir)  # an existing folder others can read is refused, never replaced
    entries = sorted(out_dir.iterdir())
    if not entries:
        return []
    if not overwrite:
        raise PseudonymizeError(f"{out_dir}: the folder is not empty (use --overwrite to replace)")
    tables = set(load_schema().tables)
    for entry in entries:
        is_table = entry.suffix.lower() in TABLE_SUFFIXES and entry.stem.lower() in tables
        if entry.is_symlink() or entry.is_dir() or not (is_table or _is_companion(entry)):
            raise PseudonymizeError(
                f"{out_dir}: --overwrite replaces a workspace folder, but {entry.name!r} is not a "
                "table file; choose an empty or new folder"
            )
    return [e for e in entries if _is_companion(e)]


def _is_companion(path: Path) -> bool:
    return path.name.lower() in COMPANION_FILES


def _write_all_or_nothing(out_dir: Path, result: Pseudonymized, carried: list[Path]) -> None:
    """Write every table into a private (0700) temporary sibling of `out_dir`, then rename it
    into place (replacing an empty folder, or a workspace moved aside and then removed)."""
    parent = out_dir.parent
    if not parent.exists():
        parent.mkdir(parents=True, mode=0o700)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=parent))
    old: Path | None = None
    try:
        for name, frame in result.tables.items():
            write_private(tmp / f"{name}.csv", frame.drop(ROW, strict=False).write_csv())
        for companion in carried:
            write_private(tmp / companion.name, companion.read_bytes())
        if out_dir.exists() and any(out_dir.iterdir()):
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=parent))
            os.rename(out_dir, old)  # replaces the empty folder just made
            try:
                os.rename(tmp, out_dir)
            except BaseException:
                os.rename(old, out_dir)
                raise
        else:
            os.rename(tmp, out_dir)  # replaces an empty folder atomically
    except BaseException as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(err, OSError) and err.errno == errno.ENOTEMPTY:
            raise OSError(err.errno, "the folder was filled while writing") from err
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
