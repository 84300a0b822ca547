"""Loading a CSV file in bounded parts gives exactly what reading it whole gives: the same
problems (file, row, column, value) and the same typed frames, with the parts small enough
here that every table of the demo is read in several."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from conftest import SMALL_DEMO
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from trc_analytics.demo.writing import write_frames
from trc_analytics.records import read
from trc_analytics.records.read import read_workspace_files
from trc_analytics.records.validate import check_workspace

TODAY = SMALL_DEMO.end
PART = 16 * 1024  # bytes: the demo's sessions.csv comes in dozens of parts


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(read, "CHUNK_BYTES", PART)


def assert_same_in_parts(path: Path, today: dt.date = TODAY) -> pl.DataFrame:
    """Check `path` read whole and read in parts, with and without keep_valid: the problems and
    frames must be equal. Returns the problems."""
    problems = None
    for keep_valid in (False, True):
        whole = check_workspace(
            read_workspace_files(path, keep_types=True), today=today, keep_valid=keep_valid
        )
        raw = read_workspace_files(path, keep_types=True, csv_in_parts=True)
        assert raw.tables["sessions"].raw.chunks is not None  # the parts path is taken
        parts = check_workspace(raw, today=today, keep_valid=keep_valid)
        assert_frame_equal(parts.problems, whole.problems)
        assert list(parts.tables) == list(whole.tables)
        for name, frame in whole.tables.items():
            assert_frame_equal(parts.tables[name], frame, check_exact=True)
        problems = problems if problems is not None else parts.problems
    return problems


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.fixture
def demo_csv(tmp_path, demo_frames) -> Path:
    write_frames(demo_frames, tmp_path, format="csv")
    return tmp_path


def test_the_demo_in_parts_loads_as_read_whole(demo_csv, small_parts):
    sessions = read_workspace_files(demo_csv, keep_types=True, csv_in_parts=True)
    parts = list(sessions.tables["sessions"].raw.chunks.frames())
    assert len(parts) > 10
    assert sum(p.frame.height for p in parts) == len(_lines(demo_csv / "sessions.csv")) - 1
    assert parts[1].frame.get_column(read.ROW)[0] == parts[0].frame.get_column(read.ROW)[-1] + 1
    assert assert_same_in_parts(demo_csv).height == 0


def test_problems_in_later_parts_name_the_row_and_column_as_read_whole(demo_csv, small_parts):
    path = demo_csv / "sessions.csv"
    lines = _lines(path)
    header = lines[0].rstrip("\n").split(",")
    late = len(lines) - 40
    cells = lines[late].rstrip("\n").split(",")
    cells[header.index("held_on")] = "2025-02-30"
    lines[late] = ",".join(cells) + "\n"
    lines.insert(late + 5, "\n")  # a blank line: dropped, but it keeps its row number
    lines.append(lines[3])  # a session id first used in the first part
    cells = lines[late + 20].rstrip("\n").split(",")
    cells[header.index("currency")] = "someone@example.org"
    lines[late + 20] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    problems = assert_same_in_parts(demo_csv).filter(pl.col("file") == "sessions.csv")
    found = {(r["row"], r["column"], r["problem"]) for r in problems.iter_rows(named=True)}
    assert (late + 1, "held_on", "impossible_date") in found
    assert (len(lines), "session_id", "duplicate_key") in found
    assert (late + 21, "currency", "identifier") in found


def test_a_quoted_record_over_several_lines_is_one_row(demo_csv, small_parts):
    """The record with a line break inside quotes is one row (as a spreadsheet shows it), so
    the file's rows after it are numbered by record, not by line, in parts as when whole."""
    path = demo_csv / "sessions.csv"
    lines = _lines(path)
    header = lines[0].rstrip("\n").split(",")
    at = len(lines) // 2
    for n in range(at - 60, at + 60, 3):  # somewhere a part must end inside one of them
        cells = lines[n].rstrip("\n").split(",")
        cells[header.index("currency")] = '"US\nD"'
        lines[n] = ",".join(cells) + "\n"
    cells = lines[at + 100].rstrip("\n").split(",")
    cells[header.index("duration_min")] = "many"
    lines[at + 100] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    problems = assert_same_in_parts(demo_csv)
    bad = problems.filter(pl.col("column") == "duration_min").row(0, named=True)
    assert bad["row"] == at + 101  # record number: the header is row 1
    assert problems.filter(pl.col("problem") == "control_character").height == 40


def test_a_row_polars_refuses_late_is_named_as_when_read_whole(demo_csv, small_parts):
    path = demo_csv / "sessions.csv"
    lines = _lines(path)
    lines[-30] = lines[-30].rstrip("\n") + ",extra\n"
    path.write_text("".join(lines), encoding="utf-8")
    problems = assert_same_in_parts(demo_csv).filter(pl.col("problem") == "malformed_row")
    assert problems["row"].to_list() == [len(lines) - 29]


def _sessions(path: Path) -> pl.DataFrame:
    raw = read_workspace_files(path, keep_types=True, csv_in_parts=True)
    return check_workspace(raw, today=TODAY).tables["sessions"]


def test_a_stray_quote_inside_a_later_value_is_kept_as_when_read_whole(demo_csv, small_parts):
    path = demo_csv / "sessions.csv"
    lines = _lines(path)
    lines[-30] = lines[-30][:3] + '"' + lines[-30][3:]
    path.write_text("".join(lines), encoding="utf-8")
    assert_same_in_parts(demo_csv)
    assert _sessions(demo_csv)["session_id"].str.contains('"').sum() == 1


def test_windows_1252_bytes_in_a_later_part_are_read_as_before(demo_csv, small_parts):
    path = demo_csv / "sessions.csv"
    data = path.read_bytes()
    cut = data.rfind(b"\n", 0, len(data) - 2000) + 1
    path.write_bytes(data[:cut] + data[cut:].replace(b"USD", b"US\xe9", 1))
    assert_same_in_parts(demo_csv)
    assert "US\u00e9" in _sessions(demo_csv)["currency"].to_list()  # decoded as Windows-1252


def test_a_header_without_a_name_is_read_whole(demo_csv):
    path = demo_csv / "goals.csv"
    lines = _lines(path)
    lines = [lines[0].rstrip("\n") + ",\n", *lines[1:]]
    path.write_text("".join(lines), encoding="utf-8")
    raw = read_workspace_files(demo_csv, keep_types=True, csv_in_parts=True)
    assert raw.tables["goals"].raw.chunks is None
    assert raw.tables["sessions"].raw.chunks is not None


_CELL = st.sampled_from(["a", "", '""', '"x,y"', '"line\nbreak"', '"q""uote"', "b\r"])


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.lists(_CELL, min_size=2, max_size=2), min_size=1, max_size=30),
    size=st.integers(1, 40),
)
def test_parts_end_only_where_a_record_ends(tmp_path_factory, rows, size):
    text = "h1,h2\n" + "".join(",".join(r) + "\n" for r in rows)
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(text.encode())
    parts = list(read._csv_parts(path, size))
    assert b"".join(parts) == text.encode()
    whole = pl.read_csv(path, has_header=False, infer_schema=False, quote_char='"')
    assert sum(read._records(p) for p in parts) == whole.height
    for p in parts:
        assert p.endswith(b"\n") and p.count(b'"') % 2 == 0


def test_parts_checked_side_by_side_come_back_in_file_order():
    """Parts are worked on two at a time (`validate._in_order`): a later part finishing first
    still comes back after the earlier ones, and the file is read at most a few parts ahead
    of the part being taken (the memory stays that of a few parts)."""
    import threading
    import time

    from trc_analytics.records.validate import _in_order

    read_so_far = []

    def items():
        for i in range(12):
            read_so_far.append(i)
            yield i

    def work(i: int) -> tuple[int, int]:
        time.sleep(0.02 if i % 2 == 0 else 0.0)  # the odd parts finish first
        return i, threading.get_ident()

    taken, lead = [], []
    for i, _thread in _in_order(work, items(), threads=2):
        taken.append(i)
        lead.append(len(read_so_far) - i)
    assert taken == list(range(12))
    assert max(lead) <= 4  # the part taken, two being worked on, one waiting


def test_an_error_in_one_part_is_raised_in_file_order_and_later_parts_are_dropped():
    """A part polars refuses is raised where it stands in the file, after the parts before it
    were taken, as when the parts were read one after another; parts not yet begun are not
    worked on (the file is then read whole)."""
    from trc_analytics.records.validate import _in_order

    begun = []

    def work(i: int) -> int:
        begun.append(i)
        if i == 3:
            raise pl.exceptions.ComputeError("a row with too many fields")
        return i

    taken = []
    with pytest.raises(pl.exceptions.ComputeError):
        for i in _in_order(work, iter(range(100)), threads=2):
            taken.append(i)
    assert taken == [0, 1, 2]
    assert max(begun) < 10
