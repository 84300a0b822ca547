"""Messy CSV files, read in parts small enough that a part boundary falls at every place of the
file (inside quotes, inside a multi-byte character, on a blank line, inside a record longer
than a part), load exactly as when read whole: the same problems (file, row, column) and the
same frames, with and without keep_valid. A small table (the coaches) keeps each case fast."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from conftest import SMALL_DEMO
from polars.testing import assert_frame_equal

from trc_analytics.demo.writing import write_frames
from trc_analytics.records import read
from trc_analytics.records.read import read_workspace_files
from trc_analytics.records.validate import check_workspace

#: Part sizes in bytes: from one byte (every line break ends a part) to a few rows.
SIZES = (1, 3, 8, 21, 55, 144)
REGION, JOINED_ON = 1, 2  # coaches.csv columns: free text and a date


@pytest.fixture(scope="module")
def coaches_csv(demo_frames, tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("coaches")
    write_frames({"coaches": demo_frames["coaches"]}, folder, format="csv")
    return (folder / "coaches.csv").read_bytes()


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")[:-1]


def _joined(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n"


def _set(rows: list[int], column: int, value: bytes) -> Callable[[bytes], bytes]:
    """Set one cell of each of `rows` (0 = the header, -1 = the last row)."""

    def edit(data: bytes) -> bytes:
        lines = _lines(data)
        for r in rows:
            cells = lines[r].split(b",")
            cells[column] = value
            lines[r] = b",".join(cells)
        return _joined(lines)

    return edit


def _insert(at: list[int], line: bytes) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        lines = _lines(data)
        for n in sorted(at, reverse=True):
            lines.insert(n, line)
        return _joined(lines)

    return edit


def _edit_row(n: int, change: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        lines = _lines(data)
        lines[n] = change(lines[n])
        return _joined(lines)

    return edit


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


CASES: dict[str, Callable[[bytes], bytes]] = {
    "crlf": _crlf,
    "lone CR ending some lines": lambda d: d.replace(b"\n", b"\r", 3).replace(b"\r", b"\n", 1),
    "lone CR inside quotes": _set([6], REGION, b'"no\rrth"'),
    "UTF-8 BOM": lambda d: b"\xef\xbb\xbf" + d,
    "UTF-8 BOM and CRLF": lambda d: b"\xef\xbb\xbf" + _crlf(d),
    "quoted escapes and line breaks": _set(list(range(1, 12)), REGION, b'"a""b\nc"""'),
    "quoted CRLF in CRLF file": lambda d: _crlf(_set([2, 5, 9], REGION, b'"a""b\nc"')(d)),
    "multi-byte characters": _set(list(range(1, 12)), REGION, "nörth€😀".encode()),
    "no line break at the end": lambda d: d.rstrip(b"\n"),
    "trailing blank lines": lambda d: d + b"\n\n\n",
    "trailing blank CRLF lines": lambda d: _crlf(d) + b"\r\n\r\n",
    "blank lines in the middle": _insert([3, 7, 8], b""),
    "blank CRLF lines in the middle": lambda d: _crlf(_insert([3, 7, 8], b"")(d)),
    "a line of commas": _insert([5], b"," * 19),
    "a line of spaces": _insert([5], b"   "),
    "too few fields": _edit_row(5, lambda line: b",".join(line.split(b",")[:3])),
    "too many fields": _edit_row(9, lambda line: line + b",x"),
    "one empty field too many": _edit_row(9, lambda line: line + b","),
    "header only": lambda d: _lines(d)[0] + b"\n",
    "header only, no line break": lambda d: _lines(d)[0],
    "whitespace-only fields": _set([3, 4], REGION, b"   "),
    "a quote inside a value": _set([4], REGION, b'no"rth'),
    "quotes inside two values": _set([4, 9], REGION, b'no"rth'),
    "text after a closing quote": _set([4], REGION, b'"no"rth'),
    "a record longer than a part": _set([5], REGION, b'"' + b"x,\n" * 3000 + b'"'),
    "Windows-1252 in the last row": _set([-1], REGION, "nörth".encode("cp1252")),
    "Windows-1252 in the first row": _set([1], REGION, "nörth".encode("cp1252")),
    "UTF-8 then Windows-1252": lambda d: _set([2], REGION, "nörth".encode())(
        _set([-1], REGION, "nörth".encode("cp1252"))(d)
    ),
    "an email in the last row": _set([-1], REGION, b"someone@example.org"),
    "a phone number in the last row": _set([-1], REGION, b"+44 7700 900123"),
    "a repeated key in the last row": lambda d: d + _lines(d)[2] + b"\n",
    "bad dates in several rows": _set([2, 6, 11], JOINED_ON, b"2020-02-30"),
    "a NUL byte": _set([4], REGION, b"no\x00rth"),
    "a blank line before the header": lambda d: b"\n" + d,
    "a quoted header": lambda d: d.replace(b"coach_id", b'"coach_id"', 1),
    "a quoted header after a BOM": lambda d: (
        b"\xef\xbb\xbf" + d.replace(b"coach_id", b'"coach_id"', 1)
    ),
    "an empty quoted row": _insert([5], b'""'),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_messy_csv_in_parts_loads_as_read_whole(case, coaches_csv, tmp_path, monkeypatch):
    (tmp_path / "coaches.csv").write_bytes(CASES[case](coaches_csv))
    for keep_valid in (False, True):
        monkeypatch.setattr(read, "CHUNK_BYTES", 10**9)
        whole = check_workspace(
            read_workspace_files(tmp_path, keep_types=True),
            today=SMALL_DEMO.end,
            keep_valid=keep_valid,
        )
        for size in SIZES:
            monkeypatch.setattr(read, "CHUNK_BYTES", size)
            raw = read_workspace_files(tmp_path, keep_types=True, csv_in_parts=True)
            parts = check_workspace(raw, today=SMALL_DEMO.end, keep_valid=keep_valid)
            assert_frame_equal(parts.problems, whole.problems)
            assert list(parts.tables) == list(whole.tables)
            for name, frame in whole.tables.items():
                assert_frame_equal(parts.tables[name], frame, check_exact=True)


def test_the_messy_cases_do_what_they_say(coaches_csv, tmp_path):
    """Near misses kept honest: the problems read whole are those each case plants."""

    def problems(case: str) -> set[tuple]:
        (tmp_path / "coaches.csv").write_bytes(CASES[case](coaches_csv))
        found = check_workspace(
            read_workspace_files(tmp_path, keep_types=True, csv_in_parts=True),
            today=SMALL_DEMO.end,
        ).problems
        return {(r["row"], r["column"], r["problem"]) for r in found.iter_rows(named=True)}

    last = len(_lines(coaches_csv))  # the last row's number (header = row 1)
    assert problems("crlf") == set()
    assert problems("a record longer than a part") == {(6, "region", "control_character")}
    assert problems("an email in the last row") == {(last, "region", "identifier")}
    assert problems("a repeated key in the last row") == {(last + 1, "coach_id", "duplicate_key")}
    assert problems("too many fields") == {(10, None, "malformed_row")}
    assert {(r, p) for r, _, p in problems("bad dates in several rows")} == {
        (3, "impossible_date"),
        (7, "impossible_date"),
        (12, "impossible_date"),
    }
    assert problems("UTF-8 then Windows-1252") == {(last, None, "unreadable_encoding")}


def test_the_record_longer_than_a_part_is_read_in_parts(coaches_csv, tmp_path, monkeypatch):
    """The cases above are not all sent to the whole-file path: a clean file with a record
    longer than a part is read in parts."""
    path: Path = tmp_path / "coaches.csv"
    path.write_bytes(CASES["a record longer than a part"](coaches_csv))
    monkeypatch.setattr(read, "CHUNK_BYTES", 64)
    raw = read_workspace_files(tmp_path, keep_types=True, csv_in_parts=True)
    chunks = raw.tables["coaches"].raw.chunks
    frames = [p.frame for p in chunks.frames()]
    assert sum(f.height for f in frames) == len(_lines(coaches_csv)) - 1


def test_a_stray_quote_early_costs_one_pass_over_the_file(tmp_path, monkeypatch):
    """A stray quote near the start makes the rest of the file one "record" by quote parity
    (then read whole): finding that scans each byte about once, not everything read so far
    once per part (quadratic: 10 CPU s for the sessions of 1M sessions)."""
    row = b"S-000001,2025-01-01,USD,some words here to make the row longer\n"
    data = b"a,b,c,d\n" + b'x"' + row * 4000
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    scanned = []
    record_end = read._record_end

    def counting(block: bytes, *odd: int) -> int | None:
        scanned.append(len(block))
        return record_end(block, *odd)

    monkeypatch.setattr(read, "_record_end", counting)
    parts = list(read._csv_parts(path, 1024))
    assert b"".join(parts) == data
    assert parts[-1].startswith(b'x"') and len(parts) == 2  # the header, then the rest
    assert sum(scanned) < 2 * len(data)


def test_a_quote_closed_blocks_later_ends_a_part_where_the_record_ends(tmp_path):
    """The near miss: a quoted value over many blocks, closed, ends its part at its own
    record's end (the parity carried from block to block)."""
    long_value = b'"' + b"line\n" * 2000 + b'"'
    data = b"a,b\n" + long_value + b",1\n" + b"x,2\n" * 3000
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    parts = list(read._csv_parts(path, 1024))
    assert b"".join(parts) == data
    assert parts[1].startswith(long_value)
    assert all(p.endswith(b"\n") and p.count(b'"') % 2 == 0 for p in parts)
    assert sum(read._records(p) for p in parts) == 1 + 1 + 3000


@pytest.mark.parametrize(
    "case", ["too few fields", "blank lines in the middle", "a line of spaces"]
)
def test_a_part_beginning_with_a_short_row_is_read_in_parts(
    case, coaches_csv, tmp_path, monkeypatch
):
    """A part whose first record is a blank line or shorter than the header is read after
    the header, as wide as it, so the file is not sent to the whole-file path (whose memory
    peak is the whole file's) for a row that merely omits trailing empty fields."""
    path = tmp_path / "coaches.csv"
    path.write_bytes(CASES[case](coaches_csv))
    whole, _ = read.csv_frame(path, "coaches.csv")
    monkeypatch.setattr(read, "CHUNK_BYTES", 1)  # every line break ends a part
    raw = read_workspace_files(tmp_path, keep_types=True, csv_in_parts=True)
    chunks = raw.tables["coaches"].raw.chunks
    frames = [p.frame for p in chunks.frames()]  # no polars refusal: read in parts
    assert len(frames) == len(_lines(path.read_bytes()))  # the header's part, then a record each
    assert_frame_equal(pl.concat(frames), whole.frame)
