"""Finding and reading a workspace's files (CSV, Parquet, Excel, OpenDocument) into frames of text.

Every table is read as text, each row keeping the row number the user sees in the file
(header = row 1), so that `validate.py` can say exactly where a value failed to cast. A Parquet
file's columns of a plain type (dates, numbers, true/false, text, categories) may instead be
kept in their own type (`keep_types=True`, as loading does): validation then checks them as
typed, without turning millions of values into text and back, and turns a column into text
only where its type or its values do not fit the schema. Nothing here decides whether a value
is valid: reading problems (encodings, empty or unknown files) are reported, everything else
is left to validation.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import polars as pl

from trc_analytics.errors import TrcError
from trc_analytics.records.problems import problem, problems_frame
from trc_analytics.records.schema import Schema, Table, load_schema
from trc_analytics.records.workspace import empty_problems

#: File types a table can come in.
TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx", ".ods")
#: Spreadsheet file types: a workbook holds one table (`sessions.ods`) or a sheet per table.
WORKBOOK_SUFFIXES = (".xlsx", ".ods")
#: Files that may sit beside the tables: an association's extra vocabularies and the descriptor
#: published with the templates.
COMPANION_FILES = ("vocabularies.toml", "datapackage.json")
#: Sheets of a workbook that are not tables (the templates' instructions, data dictionary and
#: drop-down lists).
IGNORED_SHEETS = ("instructions", "dictionary", "lists")
#: Private column holding the row number as seen in the file.
ROW = "__row"

#: Workbook limits, checked from the zip directory before a workbook is parsed (a zip bomb
#: would otherwise inflate into memory): total uncompressed size of every part, and the
#: compression ratio of any part larger than `RATIO_FLOOR`. A workbook holding a 1,000,000-row
#: sessions sheet is about 1 GiB uncompressed; real sheets compress about 10:1.
MAX_WORKBOOK_UNCOMPRESSED = 2 * 1024**3
MAX_COMPRESSION_RATIO = 100
RATIO_FLOOR = 1024**2

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass
class RawFrame:
    """A table as read: `frame` has columns `__c0`, `__c1`, ... (in file order) and `ROW`;
    `header[i]` is the name the file gives column `__c{i}` ("" when it has none). Columns are
    text, except a Parquet column kept in its own type (see `kept_parquet_column`)."""

    header: list[str]
    frame: pl.DataFrame
    #: A large CSV read in parts (`CsvChunks`): `frame` is then empty (no rows) and the rows
    #: come from `chunks.frames()`, one bounded text frame at a time.
    chunks: CsvChunks | None = None
    #: A Parquet file's columns as read, before any was turned into text (with `keep_types`):
    #: loading proves a scan of the file equal to the validated rows from these, in memory.
    source: pl.DataFrame | None = None


@dataclass
class RawTable:
    """One table read as text from one file (or sheet)."""

    table: str
    file: str
    sheet: str | None
    raw: RawFrame

    @property
    def source(self) -> str:
        """'file' or 'file/sheet', as `Workspace.sources` reports it."""
        return f"{self.file}/{self.sheet}" if self.sheet else self.file


@dataclass
class RawWorkspace:
    """Every table found in a workspace folder, as text, plus the problems met reading it."""

    path: Path
    schema: Schema
    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: pl.DataFrame = field(default_factory=empty_problems)
    files: list[Path] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """sha-256 over the names and bytes of the input files (and vocabularies.toml)."""
        folder = self.path if self.path.is_dir() else self.path.parent
        return _digest(folder, self.files)


#: What a table file may be called, in plain words.
TABLE_FILES_HINT = (
    "a file named after a table (coaches.csv, sessions.parquet, clients.xlsx, goals.ods, ...) "
    "or a workbook (.xlsx or .ods) with a sheet per table"
)


def _text_frame(header: list[Any], columns: list[pl.Series], first_row: int) -> RawFrame:
    """Columns `__c0`, `__c1`, ... plus `ROW`, numbered from `first_row` (the file row of the
    first data row); "" is missing and rows with no value at all (blank lines) are dropped.
    `columns` are text, or Parquet columns kept in their type (which hold no "")."""
    names = [f"__c{i}" for i in range(len(columns))]
    df = pl.DataFrame(dict(zip(names, columns, strict=True))).with_row_index(ROW, offset=first_row)
    return _tidy_frame(header, df.with_columns(pl.col(ROW).cast(pl.Int64)))


def _tidy_frame(header: list[Any], df: pl.DataFrame) -> RawFrame:
    """`df` (columns `__c0`, ... and `ROW`) with "" as missing, blank rows dropped and columns
    with neither a name nor a value left out, beside its header."""
    names = [c for c in df.columns if c != ROW]
    if names:
        # Each step only where needed, so a clean million-row file is not copied.
        text = [n for n in names if df.schema[n] == pl.String]
        any_empty = df.select((pl.col(n).str.len_bytes() == 0).any() for n in text)
        empty = [n for n in text if any_empty.get_column(n).item()]
        if empty:
            df = df.with_columns(pl.col(n).replace("", None) for n in empty)
        # a column without a missing value means no row is blank (null counts are kept, free)
        if all(df.get_column(n).null_count() for n in names):
            has_value = df.select(pl.any_horizontal(pl.col(n).is_not_null() for n in names))
            if not has_value.to_series().all():
                df = df.filter(has_value.to_series())
    header_text = ["" if h is None else str(h).strip() for h in header]
    # A column with neither a name nor a value (a trailing comma, a once-used spreadsheet
    # column) is not data; a nameless column holding values is kept and refused later.
    blank = [
        i
        for i, h in enumerate(header_text)
        if h == "" and df.get_column(names[i]).null_count() == df.height
    ]
    if blank:
        keep = [i for i in range(len(names)) if i not in blank]
        df = df.select(ROW, *(pl.col(names[i]).alias(f"__c{j}") for j, i in enumerate(keep)))
        header_text = [header_text[i] for i in keep]
    return RawFrame(header_text, df)


# --------------------------------------------------------------------------------------------
# CSV


def _decode_problem(data: bytes, file: str) -> tuple[str | None, dict | None]:
    """Decode bytes that are not UTF-8: UTF-16 with a BOM, else Windows-1252; None + a problem
    naming the row when neither works."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as err:
            return None, _encoding_problem(data, err.start, file, "UTF-16")
    mixed = _mixed_encoding_problem(data, file)
    if mixed is not None:
        return None, mixed
    try:
        return data.decode("cp1252"), None
    except UnicodeDecodeError as err:
        return None, _encoding_problem(data, err.start, file, "UTF-8 or Windows-1252")


def _mixed_encoding_problem(data: bytes, file: str) -> dict | None:
    """A problem when some lines are UTF-8 and others are not (a UTF-8 file with rows pasted
    from a Windows-1252 one): read as Windows-1252, "Nörth" would become "NÃ¶rth".

    The encoding of the first line with a non-ASCII character is the one chosen; the problem
    names the first line that is not in it."""
    first_utf8 = first_other = None
    for n, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            first_other = first_other or n
        else:
            first_utf8 = first_utf8 or n
        if first_utf8 and first_other:
            break
    if not (first_utf8 and first_other):
        return None
    if first_utf8 < first_other:
        row, chosen, other, since = first_other, "UTF-8", "not UTF-8", first_utf8
    else:
        row, chosen, other, since = first_utf8, "Windows-1252", "UTF-8", first_other
    return problem(
        file,
        "unreadable_encoding",
        f"one encoding for the whole file: row {since} is {chosen}, so every row must be; "
        "save the file once more as CSV UTF-8",
        row=row,
        value=f"this row is {other}: the file mixes encodings",
    )


def _encoding_problem(data: bytes, position: int, file: str, tried: str) -> dict:
    line = data.count(b"\n", 0, position) + 1
    return problem(
        file,
        "unreadable_encoding",
        "text in UTF-8 (with or without BOM) or Windows-1252; save the file as CSV UTF-8",
        row=line,
        value=f"byte 0x{data[position]:02x} at byte {position} is not {tried}",
    )


def _parse_csv_text(source: bytes | Path, file: str) -> tuple[pl.DataFrame | None, list[dict]]:
    """Parse CSV (a path or UTF-8 bytes) with polars; on malformed rows fall back to Python's
    csv module so the well-formed rows are still checked and the broken ones named."""
    try:
        df = pl.read_csv(
            source,
            has_header=False,
            infer_schema=False,
            quote_char='"',
            raise_if_empty=True,
        )
        return df, []
    except pl.exceptions.NoDataError:
        return None, [problem(file, "empty_file", "a header row naming the columns")]
    except Exception:  # any refusal (bad rows or quotes, bytes that look compressed):
        pass  # the slow path below names the rows
    text = source.read_bytes() if isinstance(source, Path) else source
    return _parse_csv_fallback(text.decode("utf-8"), file)


#: Malformed rows listed one by one per file; the rest are summarized in one problem.
MAX_MALFORMED_ROWS = 20


class _Lines:
    """The lines of a text, fed one at a time to `csv.reader`; `pos` is the next line's index,
    so a record's first and last line are known and parsing can restart at any line."""

    def __init__(self, text: str) -> None:
        self.lines = io.StringIO(text, newline="").readlines()
        self.pos = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1]


def _open_quote(record: list[str], width: int, span: int) -> int | None:
    """The field whose quote swallowed line breaks it should not have, or None.

    A record spanning several lines is a quoted field with line breaks: an unclosed quote when
    the record then has the wrong number of fields, or when a line inside the field holds as
    many separators as a whole row (rows were swallowed)."""
    if span <= 1:
        return None
    multiline = [i for i, v in enumerate(record) if "\n" in v or "\r" in v]
    if not multiline:
        return None
    swallowed = any(
        line.count(",") >= width - 1 for i in multiline for line in record[i].splitlines()[1:]
    )
    return multiline[0] if swallowed or len(record) != width else None


def _open_quote_problem(file: str, row: int, column: str | None) -> dict:
    return problem(
        file,
        "malformed_row",
        "a closing quote for the quote that opens in this row (it swallowed the line breaks "
        "after it); reading went on at the next line",
        row=row,
        column=column,
    )


def _parse_csv_fallback(text: str, file: str) -> tuple[pl.DataFrame | None, list[dict]]:
    """Slow path for CSV polars refuses: keep rows as wide as the header, report the rest.

    A quote left open is named at the row where it starts; reading then restarts at the next
    line, so the rows after it are still read (not swallowed into one field). After
    `MAX_MALFORMED_ROWS` malformed rows the others are summarized in one problem."""
    feed = _Lines(text.removeprefix("\ufeff"))
    reader = csv.reader(feed)
    rows: list[list[str]] = []
    malformed: list[dict] = []
    width = 0
    record_no = 0
    stopped = False
    while True:
        start = feed.pos
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            record_no += 1
            if feed.pos - start > 1:  # a quoted field grew past the csv module's field limit
                malformed.append(_open_quote_problem(file, record_no, None))
            else:
                malformed.append(
                    problem(file, "malformed_row", "well-formed CSV", row=record_no, value=str(err))
                )
            rows.append([""] * width)
            if len(malformed) > MAX_MALFORMED_ROWS:
                stopped = True  # each restart may read far ahead: stop after too many
                break
            feed.pos = start + 1
            reader = csv.reader(feed)
            continue
        record_no += 1
        if record_no == 1:
            rows.append(record)
            width = len(record)
            continue
        quoted = _open_quote(record, width, feed.pos - start)
        if quoted is not None:
            column = rows[0][quoted] if quoted < width else None
            malformed.append(_open_quote_problem(file, record_no, column))
            rows.append([""] * width)  # keeps the numbering; blank rows are dropped
            if len(malformed) > MAX_MALFORMED_ROWS:
                stopped = True  # each restart may read far ahead: stop after too many
                break
            feed.pos = start + 1
            reader = csv.reader(feed)
        elif len(record) > width:
            malformed.append(
                problem(
                    file,
                    "malformed_row",
                    f"at most {width} fields, as many as the header has",
                    row=record_no,
                    value=f"{len(record)} fields",
                )
            )
            rows.append([""] * width)
        else:
            rows.append(record + [""] * (width - len(record)))
    if not rows:
        return None, [problem(file, "empty_file", "a header row naming the columns")]
    problems = malformed[:MAX_MALFORMED_ROWS]
    if len(malformed) > MAX_MALFORMED_ROWS:
        rest = malformed[MAX_MALFORMED_ROWS:]
        problems.append(
            problem(
                file,
                "malformed_row",
                "well-formed rows; the first malformed rows are listed above, fix them first",
                row=rest[0]["row"],
                value=f"{len(rest)} more malformed rows not listed, the last at row "
                f"{rest[-1]['row']}"
                + ("; reading stopped there, the rows after it were not read" if stopped else ""),
            )
        )
    columns = [pl.Series([r[i] for r in rows], dtype=pl.String) for i in range(width)]
    return pl.DataFrame(columns), problems


def read_csv_table(path: Path, file: str) -> tuple[pl.DataFrame | None, list[dict]]:
    """A CSV file as a text frame (header as first row), or None and the problems met."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head.strip() or head.strip(b"\r\n\t ") == _UTF8_BOM:
        return None, [problem(file, "empty_file", "a header row naming the columns")]
    if _lone_cr(head):
        return None, [_lone_cr_problem(file)]
    if head.startswith(_UTF16_BOMS):
        source: bytes | Path | None = None
    else:
        source = path
    if source is not None:
        try:
            return _parse_csv_text(source, file)
        except UnicodeDecodeError:
            pass  # not UTF-8: decode the whole file below
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        text, prob = _decode_problem(data, file)
        if text is None:
            return None, [prob]
        return _parse_csv_text(text.removeprefix("\ufeff").encode("utf-8"), file)
    return _parse_csv_text(data, file)


def _lone_cr(head: bytes) -> bool:
    """True when the file beginning `head` ends its header line with a carriage return alone
    (classic Mac OS line ends): no reader splits such a file into lines, so it would read
    as one row and its problems as unknown columns named like `prior_hours_until\rC-0001`.
    A carriage return inside a quoted value, and CRLF line ends, are not this."""
    if head.startswith(_UTF16_BOMS):
        n = len(head) // 2 * 2
        head = head[:n].decode("utf-16", errors="replace").encode("utf-8")
    cr, lf = head.find(b"\r"), head.find(b"\n")
    if cr < 0 or (0 <= lf < cr) or cr + 1 >= len(head):
        return False
    return head[cr + 1] != _NEWLINE and head[:cr].count(b'"') % 2 == 0


def _lone_cr_problem(file: str) -> dict:
    """The one problem of a file with carriage-return-only line ends (`_lone_cr`)."""
    return problem(
        file,
        "lone_cr_line_ends",
        "lines ending in a line feed: this file ends its lines with carriage returns only "
        '(the old Mac format), so it reads as one line; save it again as "CSV UTF-8", or '
        "with Unix (LF) or Windows (CRLF) line endings",
    )


#: Bytes of a CSV file read and checked at a time when loading (about 60,000 sessions): the
#: file is never held whole, in bytes or as text, only one part of it beside the typed columns
#: kept so far. Measured at 1M sessions: peak 480 MiB with 32 MiB parts, 361 with 8, 343
#: with 4, at the same CPU time.
CHUNK_BYTES = 8 * 1024**2
_QUOTE, _NEWLINE = ord('"'), ord("\n")


@dataclass
class CsvPart:
    """One part of a CSV file (`CsvChunks.parts`) as polars reads it: the header line it is
    read after, then its records (`text[start:]`), in one buffer, so that a part's bytes are
    copied once on their way from the file to the reader. The first part holds the header
    itself (`start` 0)."""

    text: bytes
    start: int


class CsvSplitError(TrcError, ValueError):
    """A CSV file's parts do not hold the records polars finds in them: read it whole (never
    reaches a user: `validate._check_csv` catches it)."""


@dataclass
class CsvChunks:
    """A CSV file to be read in parts of about `size` bytes, each ending where a record ends.

    A part ends at a line break outside quotes: one preceded by an even number of `"` since
    the part began (`""` inside a quoted field counts twice; a part always begins where a
    record does). Records are numbered as when the file is read whole: the header is row 1
    and a record spanning several lines (a quoted field with line breaks) is one row, as a
    spreadsheet shows it; the rows after it keep their record numbers."""

    path: Path
    file: str
    header: list[str]
    size: int = CHUNK_BYTES

    def frames(self) -> Iterator[RawFrame]:
        """The records after the header as text frames, one part at a time. Raises a polars
        error where polars refuses a part (a row with more fields than the header, bytes
        that are not UTF-8) and `CsvSplitError` where a part with quotes holds other records
        than its line breaks say: the caller then reads the file whole (`csv_frame`)."""
        first = 2  # the file row of the part's first record (the header is row 1)
        for part in self.parts():
            frame, height = self.parse(part)
            # `parse` numbers a part's records from 0; shift them to the file's rows
            rows = frame.frame.get_column(ROW) + first
            yield RawFrame(frame.header, frame.frame.with_columns(rows))
            first += height

    def parts(self) -> Iterator[CsvPart]:
        """The file's parts in order (`_csv_pieces`), each with the header line it is read
        after: the first part holds the header itself, every later one is read after a copy
        of it, as wide as the header, as when the file is read whole (shorter rows padded,
        longer ones refused, whichever record a part begins with: a part beginning with a
        short row or a blank line is read, not refused)."""
        header = b""
        for pieces in _csv_pieces(self.path, self.size):
            text = b"".join([header, *pieces])
            yield CsvPart(text, len(header))
            if not header:
                header = text[: text.find(b"\n") + 1]

    def parse(self, part: CsvPart) -> tuple[RawFrame, int]:
        """One part as a text frame whose `ROW` counts its records from 0, and how many
        records it holds (blank ones included, since they keep their row number). Parts can
        be parsed in any order, on any thread; the caller adds the file row of the part's
        first record. Raises as `frames` says."""
        names = [f"__c{i}" for i in range(len(self.header))]
        df = pl.read_csv(
            part.text, has_header=True, infer_schema=False, quote_char='"', new_columns=names
        )
        quoted = part.text.find(b'"', part.start) >= 0
        if quoted and df.height != _records(part.text, part.start) - (part.start == 0):
            raise CsvSplitError(self.file)
        df = df.with_row_index(ROW).with_columns(pl.col(ROW).cast(pl.Int64))
        return _tidy_frame(self.header, df.select(ROW, *names)), df.height

    @property
    def weight(self) -> int:
        """The file's size, to check the largest tables first."""
        return self.path.stat().st_size


def _csv_parts(path: Path, size: int) -> Iterator[bytes]:
    """The bytes of a CSV file in parts of about `size` bytes, each ending after a line break
    outside quotes (`_record_end`), the last one wherever the file ends."""
    for pieces in _csv_pieces(path, size):
        yield b"".join(pieces)


def _csv_pieces(path: Path, size: int) -> Iterator[list[bytes | memoryview]]:
    """`_csv_parts`, each part as the pieces it is made of (the end of the block before, and
    a view of the block read), so that the caller joins them in one copy (with the header
    line in front: `CsvChunks.parts`).

    What is left of a block after its last record end holds no record end of its own, so the
    next part's end is looked for in the next block only, the parity of `"` left over
    carried in."""
    with path.open("rb") as fh:
        rest = b""
        while True:
            block = fh.read(size)
            if not block:
                if rest:
                    yield [rest]
                return
            end = _record_end(block, rest.count(b'"') % 2)
            if end is not None:
                yield [rest, memoryview(block)[:end]]
                rest = block[end:]
                continue
            data, end = _read_on(fh, rest + block, size)  # one record longer than a part
            if end is None:
                yield [data]
                return
            yield [memoryview(data)[:end]]
            rest = data[end:]


def _read_on(fh: io.BufferedReader, data: bytes, size: int) -> tuple[bytes, int | None]:
    """`data` (no record ends in it) and the blocks read after it up to the first block in
    which a record ends, with the position after that record's end (None at the file's end).

    Only each new block is scanned, the parity of `"` so far carried over: a stray quote
    early in a large file (`ab"c`, the rest of the file then one "record") costs one pass
    over the file, not one over everything read so far for every block (quadratic: 10 CPU s
    for the 141 MB sessions of 1M sessions, before the whole-file path reads it again)."""
    blocks, length, odd = [data], len(data), data.count(b'"') % 2
    while more := fh.read(size):
        blocks.append(more)
        end = _record_end(more, odd)
        if end is not None:
            return b"".join(blocks), length + end
        length, odd = length + len(more), (odd + more.count(b'"')) % 2
    return b"".join(blocks), None


def _record_end(data: bytes, odd: int = 0) -> int | None:
    """The position after the last line break of `data` outside quotes: preceded by an even
    number of `"` counting `odd` (1 when `data` begins inside quotes, else 0; `data`
    beginning where a record, or a block inside one, begins), or None."""
    at = data.rfind(b"\n")
    if at < 0:
        return None
    if (data.count(b'"', 0, at) + odd) % 2 == 0:
        return at + 1
    return _record_end_slow(data, odd)


def _record_end_slow(data: bytes, odd: int = 0) -> int | None:
    """`_record_end` for a part whose last line break lies inside quotes: the parity of `"`
    at every line break (numpy, only for such parts)."""
    import numpy as np

    codes = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(codes == _NEWLINE)
    if not breaks.size:
        return None
    parity = (np.cumsum(codes == _QUOTE, dtype=np.uint8)[breaks] + odd) & 1
    outside = breaks[parity == 0]
    return int(outside[-1]) + 1 if outside.size else None


def _records(part: bytes, start: int = 0) -> int:
    """How many records `part[start:]` holds by its line breaks outside quotes (a last record
    without a line break counts): what polars must have read from it."""
    import numpy as np

    codes = np.frombuffer(part, dtype=np.uint8, offset=start)
    breaks = np.flatnonzero(codes == _NEWLINE)
    parity = np.cumsum(codes == _QUOTE, dtype=np.uint8)[breaks] & 1 if breaks.size else breaks
    n = int((parity == 0).sum())
    return n + (1 if len(part) > start and not part.endswith(b"\n") else 0)


def _chunked_csv(path: Path, file: str) -> RawFrame | None:
    """A CSV file to be checked in parts (`CsvChunks`), or None when it must be read whole:
    empty, not UTF-8 from its first bytes, a header polars refuses, or a header naming no
    column somewhere (whether such a column is dropped depends on every row)."""
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    if not head.strip() or head.strip(b"\r\n\t ") == _UTF8_BOM or head.startswith(_UTF16_BOMS):
        return None
    if _lone_cr(head):  # the whole-file path names the line ends
        return None
    end = _record_end(head)
    if end is None:
        return None
    first = head[: head.find(b"\n") + 1]
    if first.count(b'"') % 2:  # a header spanning lines: read whole
        return None
    try:
        row = pl.read_csv(first, has_header=False, infer_schema=False, quote_char='"').row(0)
    except Exception:  # any refusal: the whole-file path reports it
        return None
    header = ["" if h is None else str(h).strip() for h in row]
    if "" in header:
        return None
    empty = pl.DataFrame(
        {ROW: pl.Series([], dtype=pl.Int64)}
        | {f"__c{i}": pl.Series([], dtype=pl.String) for i in range(len(header))}
    )
    return RawFrame(header, empty, CsvChunks(path, file, header, CHUNK_BYTES))


def csv_frame(path: Path, file: str) -> tuple[RawFrame | None, list[dict]]:
    """A CSV file read whole as text (header as row 1), or None and the problems met."""
    df, problems = read_csv_table(path, file)
    if df is None:
        return None, problems
    header = list(df.row(0)) if df.height else []
    body = df.slice(1)
    # the header row is row 1, so data row i (0-based) is row i + 2
    return _text_frame(header, body.get_columns(), first_row=2), problems


# --------------------------------------------------------------------------------------------
# Parquet


def _parquet_frame(
    path: Path, file: str, keep_types: bool = False
) -> tuple[RawFrame | None, list[dict]]:
    """A Parquet file as text, or with `keep_types` its plain columns in their own type (see
    `kept_parquet_column`). Rows are numbered as if a header were row 1 (record n = row n+1)."""
    try:
        df = pl.read_parquet(path)
    except Exception as err:  # polars raises several kinds for corrupt files
        return None, [
            problem(file, "unreadable_file", "a Parquet file", value=str(err).splitlines()[0])
        ]
    columns = []
    for s in df.get_columns():
        try:
            columns.append(kept_parquet_column(s) if keep_types else parquet_text(s))
        except pl.exceptions.PolarsError:  # nested or binary columns have no text form
            return None, [
                problem(
                    file,
                    "unreadable_file",
                    "plain columns (text, numbers, dates, true/false)",
                    column=s.name,
                    value=str(s.dtype),
                )
            ]
    raw = _text_frame(df.columns, columns, first_row=2)
    if keep_types:
        raw.source = df
    return raw, []


#: Parquet types validation checks as they are (`validate.typed_column` says, column by column,
#: whether the values fit the schema's type; a column that does not is turned into text there).
KEPT_PARQUET_TYPES = (
    pl.Date,
    pl.Boolean,
    pl.Float64,
    pl.Int8,
    pl.Int16,
    pl.Int32,
    pl.Int64,
    pl.UInt8,
    pl.UInt16,
    pl.UInt32,
    pl.UInt64,
)


def kept_parquet_column(s: pl.Series) -> pl.Series:
    """A Parquet column as loading keeps it: text as it is ("" as missing), dates, datetimes,
    numbers and true/false in their type, categories unless one of them is "" (which text
    reads as missing); any other type as the text a CSV would hold (`parquet_text`)."""
    dtype = s.dtype
    if dtype == pl.String:
        return s
    if isinstance(dtype, pl.Enum) and "" not in dtype.categories.to_list():
        return s  # no category "", so no value is ""
    if isinstance(dtype, pl.Enum | pl.Categorical):
        return s if not bool((s.unique().cast(pl.String) == "").any()) else parquet_text(s)
    if dtype in KEPT_PARQUET_TYPES or isinstance(dtype, pl.Datetime):
        return s
    return parquet_text(s)


def parquet_text(s: pl.Series) -> pl.Series:
    """A typed Parquet column as the text a CSV would hold (true/false; a timestamp at
    midnight as its date, any other timestamp in full, which a date column refuses)."""
    if s.dtype == pl.Boolean:
        return _bool_text(s)
    if isinstance(s.dtype, pl.Datetime):
        return pl.select(
            pl.when(s.dt.time() == dt.time(0))
            .then(s.dt.date().cast(pl.String))
            .otherwise(s.cast(pl.String))
        ).to_series()
    return s.cast(pl.String)


def _bool_text(s: pl.Series) -> pl.Series:
    return pl.select(
        pl.when(s).then(pl.lit("true")).when(~s).then(pl.lit("false")).otherwise(None)
    ).to_series()


# --------------------------------------------------------------------------------------------
# Excel


def _cell_text(value: Any, is_date: bool, epoch: dt.datetime) -> str | None:
    """The text of one Excel cell as a CSV would hold it: dates as ISO, 3.0 as 3, serial numbers
    in date columns as dates (the workbook's 1900 or 1904 system)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, int | float):
        if is_date and 0 < value < 2958466:
            from openpyxl.utils.datetime import from_excel

            return _cell_text(from_excel(value, epoch=epoch), is_date, epoch)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value) if isinstance(value, float) else str(value)
    return str(value)


@dataclass
class _Sheet:
    """One sheet of a workbook, whichever program wrote it: its title and a function giving its
    rows of cell values from sheet row 1 on (so a row's position is the user's row number)."""

    title: str
    rows: Callable[[], Iterable[Sequence[Any]]]


def _sheet_frame(
    sheet: _Sheet, table: Table, epoch: dt.datetime, file: str
) -> tuple[RawFrame | None, list[dict]]:
    """A worksheet as text; rows keep their sheet row numbers (blank rows in between count)."""
    rows = iter(sheet.rows())
    header = list(next(rows, None) or ())
    date_columns = {f.name for f in table.fields if f.type == "date"}
    is_date = [h is not None and str(h).strip() in date_columns for h in header]
    values: list[list[str | None]] = [[] for _ in header]
    for n, row in enumerate(rows, start=1):
        if len(row) > len(values):  # a value right of the header: a column without a name
            for _ in range(len(row) - len(values)):
                values.append([None] * (n - 1))
                is_date.append(False)
                header.append(None)
        for i, col in enumerate(values):
            col.append(_cell_text(row[i], is_date[i], epoch) if i < len(row) else None)
    # drop trailing columns with neither a name nor a value (sheet dimensions are often wider;
    # an OpenDocument reader gives every empty cell as "")
    header = [None if h == "" else h for h in header]
    while header and header[-1] is None and all(v in (None, "") for v in values[-1]):
        header.pop()
        values.pop()
    if not header:
        return None, [
            problem(file, "empty_file", "a header row naming the columns", sheet=sheet.title)
        ]
    if all(h is None or str(h).strip() == "" for h in header):
        return None, [
            problem(
                file,
                "missing_column",
                "a header row naming the columns in row 1",
                sheet=sheet.title,
                row=1,
            )
        ]
    columns = [pl.Series(v, dtype=pl.String) for v in values]
    return _text_frame(header, columns, first_row=2), []


def workbook_limit_problem(path: Path, file: str) -> dict | None:
    """A problem when the workbook's zip directory announces more than the limits allow
    (read from the directory only, nothing is inflated); None when it is within them or is not
    a zip file at all (then opening it reports that)."""
    try:
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    expected = (
        f"a workbook of at most {MAX_WORKBOOK_UNCOMPRESSED // 1024**3} GiB uncompressed, no "
        f"part compressed more than {MAX_COMPRESSION_RATIO}:1 (checked before reading)"
    )
    total = sum(i.file_size for i in parts)
    if total > MAX_WORKBOOK_UNCOMPRESSED:
        return problem(
            file, "workbook_limit", expected, value=f"{total / 1024**3:.1f} GiB uncompressed"
        )
    for info in parts:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_COMPRESSION_RATIO:
            return problem(
                file,
                "workbook_limit",
                expected,
                value=f"part {info.filename} inflates {ratio:.0f}:1 to {info.file_size:,} bytes",
            )
    return None


def _open_workbook(path: Path, file: str) -> tuple[_Workbook | None, list[dict]]:
    """The sheets of an .xlsx (openpyxl) or .ods (calamine) workbook, or None and a problem
    when it is beyond the size limits or cannot be opened."""
    too_large = workbook_limit_problem(path, file)
    if too_large is not None:
        return None, [too_large]
    if path.suffix.lower() == ".ods":
        return _open_ods(path, file)
    return _open_xlsx(path, file)


@dataclass
class _Workbook:
    """The sheets of an open workbook, its date system and how to close it."""

    sheets: list[_Sheet]
    epoch: dt.datetime
    close: Callable[[], None]


def _open_xlsx(path: Path, file: str) -> tuple[_Workbook | None, list[dict]]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it does not read (styles, extensions);
            # only the cell values matter here
            warnings.simplefilter("ignore", UserWarning)
            wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # zipfile, XML and openpyxl errors for corrupt workbooks
        return None, [
            problem(file, "unreadable_file", "an Excel .xlsx workbook", value=str(err)[:200])
        ]
    return _Workbook(
        [_Sheet(ws.title, _xlsx_rows(ws)) for ws in wb.worksheets], wb.epoch, wb.close
    ), []


def _xlsx_rows(ws: Any) -> Callable[[], Iterable[Sequence[Any]]]:
    def rows() -> Iterable[Sequence[Any]]:
        with contextlib.suppress(AttributeError):  # only read-only sheets have it
            ws.reset_dimensions()  # LibreOffice and others may write wrong dimensions
        return ws.iter_rows(values_only=True)

    return rows


def _open_ods(path: Path, file: str) -> tuple[_Workbook | None, list[dict]]:
    """An OpenDocument spreadsheet through calamine, which gives date cells as dates, numbers
    as floats, and every row from row 1 (empty ones as empty strings)."""
    from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
    except Exception as err:  # calamine raises its own kinds for zip and XML errors
        return None, [
            problem(
                file,
                "unreadable_file",
                "an OpenDocument .ods spreadsheet",
                value=str(err).splitlines()[0][:200] if str(err) else type(err).__name__,
            )
        ]

    try:
        errors = _ods_error_cells(path)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as err:
        wb.close()
        return None, [
            problem(file, "unreadable_file", "an OpenDocument .ods spreadsheet", value=str(err))
        ]

    def rows_of(name: str) -> Callable[[], Iterable[Sequence[Any]]]:
        return lambda: _ods_rows(wb.get_sheet_by_name(name), errors.get(name))

    # ODF's default null date is 1899-12-30, Excel's 1900 system: a number typed in a date
    # column counts from the same day
    return _Workbook([_Sheet(n, rows_of(n)) for n in names], CALENDAR_WINDOWS_1900, wb.close), []


def _ods_rows(sheet: Any, errors: dict[tuple[int, int], str] | None) -> Iterable[Sequence[Any]]:
    """A calamine sheet's rows from cell A1 on: calamine starts them at row 1 but at the first
    used column, so a sheet whose column A is empty is padded back (error cells are placed by
    their position in the file)."""
    skipped = sheet.start[1] if sheet.start else 0
    rows: Iterable[Sequence[Any]] = sheet.iter_rows()
    if skipped:
        rows = ([*([""] * skipped), *r] for r in rows)
    return _with_errors(rows, errors) if errors else rows


#: How LibreOffice marks a formula error cell in an .ods (its value is stored as "").
_ODS_ERROR_MARK = b'value-type="error"'
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT_P = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
_CALCEXT_TYPE = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"


def _ods_error_cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Formula error cells of an .ods: sheet -> (row, column), 0-based -> the error shown
    (#DIV/0!, #N/A). calamine reads them as empty, since LibreOffice stores their value as "";
    the shown text lets validation refuse them as it refuses the same cell of an .xlsx. The
    XML is only walked when the mark occurs in it."""
    with zipfile.ZipFile(path) as z:
        if not _part_contains(z, "content.xml", _ODS_ERROR_MARK):
            return {}
        found: dict[str, dict[tuple[int, int], str]] = {}
        sheet, row, col = "", 0, 0
        with z.open("content.xml") as fh:
            for event, el in ElementTree.iterparse(fh, events=("start", "end")):
                tag = el.tag
                if event == "start":
                    if tag == f"{_TABLE}table":
                        sheet, row = el.get(f"{_TABLE}name", ""), 0
                    elif tag == f"{_TABLE}table-row":
                        col = 0
                    continue
                if tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                    if el.get(_CALCEXT_TYPE) == "error":
                        text = "".join("".join(p.itertext()) for p in el.findall(_TEXT_P))
                        found.setdefault(sheet, {})[(row, col)] = text or "#error"
                    col += int(el.get(f"{_TABLE}number-columns-repeated", "1"))
                elif tag == f"{_TABLE}table-row":
                    row += int(el.get(f"{_TABLE}number-rows-repeated", "1"))
                    el.clear()
    return found


def _part_contains(z: zipfile.ZipFile, name: str, needle: bytes) -> bool:
    """Whether zip part `name` holds `needle`, read in 1 MiB chunks."""
    tail = b""
    with z.open(name) as fh:
        while chunk := fh.read(1024**2):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


def _with_errors(
    rows: Iterable[Sequence[Any]], errors: dict[tuple[int, int], str]
) -> Iterator[Sequence[Any]]:
    """`rows` with each error cell's shown text in place of calamine's empty value."""
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (r, c), text in errors.items():
        by_row.setdefault(r, []).append((c, text))
    for r, row in enumerate(rows):
        if r not in by_row:
            yield row
            continue
        patched = list(row)
        for c, text in by_row[r]:
            patched += [""] * (c + 1 - len(patched))
            patched[c] = text
        yield patched


# --------------------------------------------------------------------------------------------
# Finding the files of a workspace


def _is_companion(path: Path) -> bool:
    name = path.name
    return name.startswith((".", "~$")) or name.lower() in COMPANION_FILES or path.is_dir()


def _table_name(name: str, schema: Schema) -> str | None:
    key = name.strip().lower()
    return key if key in schema.tables else None


def read_workspace_files(
    path: str | Path,
    schema: Schema | None = None,
    *,
    keep_types: bool = False,
    csv_in_parts: bool = False,
) -> RawWorkspace:
    """Read every table file of the workspace at `path` (a folder, or one workbook) as text.

    With `keep_types`, the plain columns of Parquet files keep their type (validation checks
    them typed). With `csv_in_parts`, a CSV table is not read here but left to be read in
    bounded parts while it is checked (`CsvChunks`; `validate.check_workspace` reads them).
    Raises FileNotFoundError when `path` does not exist. A `vocabularies.toml` in the folder
    extends the vocabularies.
    """
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"no workspace at {root}")
    folder = root if root.is_dir() else root.parent
    if schema is None:
        extra = folder / "vocabularies.toml"
        schema = load_schema(extra if extra.is_file() else None)
    files = sorted(p for p in folder.iterdir() if not _is_companion(p)) if root.is_dir() else [root]
    raw = RawWorkspace(path=root, schema=schema)
    problems: list[dict] = []
    found: list[RawTable] = []
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        parquet = {
            p: pool.submit(_parquet_frame, p, p.name, keep_types)
            for p in files
            if p.suffix.lower() == ".parquet" and _table_name(p.stem, schema) is not None
        }
        found += _read_files(files, schema, parquet, problems, chunked=csv_in_parts)
    for rt in found:
        first = raw.tables.get(rt.table)
        if first is None:
            raw.tables[rt.table] = rt
        else:
            problems.append(
                problem(
                    rt.file,
                    "duplicate_table_file",
                    f"one file for {rt.table}; it was already read from {first.source}",
                    sheet=rt.sheet,
                )
            )
    raw.problems = problems_frame(problems)
    raw.files = files
    return raw


def _read_files(
    files: list[Path],
    schema: Schema,
    parquet: dict[Path, Future[tuple[RawFrame | None, list[dict]]]],
    problems: list[dict],
    chunked: bool = False,
) -> list[RawTable]:
    """The tables of `files`, in their order, adding the problems met to `problems`; Parquet
    files come from `parquet` (already being read on other threads). With `chunked`, a CSV
    file is left to be read in parts while it is checked (`CsvChunks`) where it can be."""
    found: list[RawTable] = []
    for p in files:
        file = p.name
        suffix = p.suffix.lower()
        name = _table_name(p.stem, schema)
        if suffix not in TABLE_SUFFIXES:
            problems.append(problem(file, "unknown_table_file", TABLE_FILES_HINT, value=file))
            continue
        if suffix in WORKBOOK_SUFFIXES:
            wb, probs = _open_workbook(p, file)
            problems += probs
            if wb is None:
                continue
            try:
                found += _read_workbook(wb, file, name, schema, problems)
            finally:
                wb.close()
            continue
        if name is None:
            problems.append(problem(file, "unknown_table_file", TABLE_FILES_HINT, value=p.stem))
            continue
        if suffix == ".csv":
            parts = _chunked_csv(p, file) if chunked else None
            frame, probs = (parts, []) if parts is not None else csv_frame(p, file)
        else:
            frame, probs = parquet[p].result()
        problems += probs
        if frame is not None:
            found.append(RawTable(name, file, None, frame))
    return found


#: Threads reading Parquet files side by side (polars releases the interpreter while reading,
#: and a workspace's small files cost more in fixed overhead than in reading).
READ_THREADS = 2


def _read_workbook(
    wb: _Workbook, file: str, name: str | None, schema: Schema, problems: list[dict]
) -> list[RawTable]:
    """Tables of a workbook: the sheet of a per-table workbook (`sessions.xlsx`: the sheet named
    after the table, else the first), or every sheet of a workbook holding a sheet per table."""
    sheets = wb.sheets
    if name is not None:
        chosen = [ws for ws in sheets if _table_name(ws.title, schema) == name] or sheets[:1]
        pairs = [(name, ws) for ws in chosen]
    else:
        pairs = []
        for ws in sheets:
            table = _table_name(ws.title, schema)
            if table is None:
                if ws.title.strip().lower() not in IGNORED_SHEETS:
                    problems.append(
                        problem(
                            file,
                            "unknown_table_file",
                            "a sheet named after a table (coaches, sessions, ...)",
                            sheet=ws.title,
                            value=ws.title,
                        )
                    )
                continue
            pairs.append((table, ws))
    out = []
    for table, ws in pairs:
        try:
            frame, probs = _sheet_frame(ws, schema[table], wb.epoch, file)
        except Exception as err:  # broken sheet XML: openpyxl and calamine raise many kinds
            frame, probs = (
                None,
                [
                    problem(
                        file,
                        "unreadable_file",
                        "a readable worksheet",
                        sheet=ws.title,
                        value=str(err)[:200],
                    )
                ],
            )
        problems += probs
        if frame is not None:
            out.append(RawTable(table, file, ws.title, frame))
    return out


def _digest(folder: Path, files: list[Path]) -> str:
    """sha-256 over the names and bytes of the input files (and vocabularies.toml)."""
    h = hashlib.sha256()
    extra = folder / "vocabularies.toml"
    for p in sorted([*files, *([extra] if extra.is_file() else [])]):
        with p.open("rb") as fh:
            h.update(p.name.encode("utf-8") + b"\x00")
            h.update(hashlib.file_digest(fh, "sha256").digest())
    return h.hexdigest()
