"""Hostile or broken input files (issue 9, items 9 and 12): refused where they are, before
they cost memory or silently change the data, and never with a traceback."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from workspace_files import TODAY, only, valid_workspace

from trc_analytics import validate_workspace
from trc_analytics.cli import main
from trc_analytics.records import read
from trc_analytics.records.pseudonymize import PseudonymizeError, pseudonymize


def _cli(*args: str):
    return CliRunner().invoke(main, list(args))


# -- workbook limits (item 9) ------------------------------------------------------------------


def _zip_bomb(path: Path, inflated: int = 128 * 1024**2) -> Path:
    """A small .xlsx whose one sheet inflates to `inflated` bytes of zeros (about 1000:1)."""
    chunk = b"\0" * (16 * 1024**2)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(inflated // len(chunk)):
                member.write(chunk)
    return path


def test_a_zip_bomb_workbook_is_refused_before_it_is_parsed(tmp_path):
    ws = valid_workspace(tmp_path / "ws", tables=["coaches"])
    bomb = _zip_bomb(ws / "sessions.xlsx")
    assert bomb.stat().st_size < 2 * 1024**2
    start = time.perf_counter()
    result = _cli("validate", str(ws), "--today", TODAY.isoformat(), "--format", "csv")
    elapsed = time.perf_counter() - start
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("sessions.xlsx"))
    assert "workbook_limit" in line and "xl/worksheets/sheet1.xml" in line and "100:1" in line
    assert elapsed < 2, elapsed


def test_pseudonymize_refuses_a_zip_bomb_naming_the_file(tmp_path):
    bomb = _zip_bomb(tmp_path / "export.xlsx", inflated=32 * 1024**2)
    with pytest.raises(PseudonymizeError, match=r"export.xlsx: workbook limit"):
        pseudonymize(bomb, tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
    assert not (tmp_path / "ws").exists()


def test_a_workbook_beyond_the_total_size_limit_is_refused(tmp_path, monkeypatch):
    ws = valid_workspace(tmp_path / "ws", tables=["coaches"])
    wb = Workbook()
    wb.active.title = "goals"
    wb.active.append(["goal_id", "client_id", "coach_id", "set_on", "status"])
    for i in range(2000):
        wb.active.append([f"G-{i:05d}", "CL-0001", "C-0001", "2026-01-01", "open"])
    wb.save(ws / "goals.xlsx")
    assert read.workbook_limit_problem(ws / "goals.xlsx", "goals.xlsx") is None
    monkeypatch.setattr(read, "MAX_WORKBOOK_UNCOMPRESSED", 64 * 1024)
    p = only(validate_workspace(ws, today=TODAY), problem="workbook_limit")
    assert p["file"] == "goals.xlsx" and "GiB uncompressed" in p["value"]


def test_real_workbooks_are_far_inside_the_limits(tmp_path):
    from trc_analytics.demo import write_demo

    write_demo(tmp_path / "demo", format="xlsx", coaches=8, months=6, today=TODAY)
    workbook = next((tmp_path / "demo").glob("*.xlsx"))
    assert read.workbook_limit_problem(workbook, workbook.name) is None
    templates = Path(__file__).parents[2] / "data_templates" / "trc-templates.xlsx"
    assert read.workbook_limit_problem(templates, templates.name) is None
    with zipfile.ZipFile(workbook) as zf:
        worst = max(i.file_size / i.compress_size for i in zf.infolist() if i.compress_size)
    assert worst < read.MAX_COMPRESSION_RATIO / 4


# -- text input (item 12) ----------------------------------------------------------------------


def _goals(n: int) -> list[str]:
    """A goals table of `n` valid rows (clients CL-0001/2 and coaches C-0001/2 exist)."""
    rows = [f"GO-{i:05d},CL-000{1 + i % 2},C-000{1 + i % 2},2025-04-07,achieved," for i in range(n)]
    return ["goal_id,client_id,coach_id,set_on,status,closed_on", *rows]


def test_a_utf8_file_with_windows_1252_rows_is_refused_at_the_first_such_row(tmp_path):
    ws = valid_workspace(tmp_path / "ws")
    lines = (ws / "coaches.csv").read_text().splitlines()
    data = (
        "\n".join([lines[0], lines[1].replace("north_west", "nörth")]).encode("utf-8")
        + b"\n"
        + lines[2].replace("south_east", "nörth").encode("cp1252")
        + b"\n"
    )
    (ws / "coaches.csv").write_bytes(data)
    p = only(validate_workspace(ws, today=TODAY), problem="unreadable_encoding")
    assert (p["file"], p["row"]) == ("coaches.csv", 3)
    assert "row 2 is UTF-8" in p["expected"]
    result = _cli("validate", str(ws), "--today", TODAY.isoformat())
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "NÃ¶rth".lower() not in result.output.lower()


def test_a_windows_1252_file_with_a_utf8_row_is_refused_at_that_row(tmp_path):
    ws = valid_workspace(tmp_path / "ws")
    lines = (ws / "coaches.csv").read_text().splitlines()
    data = (
        "\n".join([lines[0], lines[1].replace("north_west", "nörth")]).encode("cp1252")
        + b"\n"
        + lines[2].replace("south_east", "nörth").encode("utf-8")
        + b"\n"
    )
    (ws / "coaches.csv").write_bytes(data)
    p = only(validate_workspace(ws, today=TODAY), problem="unreadable_encoding")
    assert p["row"] == 3 and "row 2 is Windows-1252" in p["expected"]
    assert "UTF-8" in p["value"]


def test_an_unclosed_quote_is_named_where_it_opens_and_the_rows_after_it_are_still_read(
    tmp_path,
):
    ws = valid_workspace(tmp_path / "ws")
    lines = _goals(3000)
    lines[4] = lines[4].replace(",CL-", ',"CL-')  # row 5 opens a quote
    lines[2000] = lines[2000].replace("achieved", '"achieved"')  # a later, closed quote
    lines[2500] = lines[2500].replace("achieved", "won")  # a real problem after it
    (ws / "goals.csv").write_text("\n".join(lines) + "\n")
    problems = validate_workspace(ws, today=TODAY)
    assert problems.height == 2, problems
    p = only(problems, problem="malformed_row")
    assert (p["file"], p["row"], p["column"]) == ("goals.csv", 5, "client_id")
    assert "closing quote" in p["expected"]
    assert only(problems, row=2501)["problem"] == "vocabulary"  # found where it is


def test_a_quote_left_open_in_the_last_column_does_not_swallow_the_file(tmp_path):
    ws = valid_workspace(tmp_path / "ws")
    lines = _goals(50)
    lines[9] = lines[9] + '"'  # an empty closed_on opening a quote that never closes
    (ws / "goals.csv").write_text("\n".join(lines) + "\n")
    p = only(validate_workspace(ws, today=TODAY), problem="malformed_row")
    assert (p["row"], p["column"]) == (10, "closed_on")


def test_a_quote_never_closed_in_a_large_file_is_named_where_it_opens(tmp_path):
    ws = valid_workspace(tmp_path / "ws")
    lines = _goals(20_000)  # the open field outgrows the csv module's field size limit
    lines[7] = lines[7].replace(",C-", ',"C-')
    (ws / "goals.csv").write_text("\n".join(lines) + "\n")
    problems = validate_workspace(ws, today=TODAY)
    p = only(problems, problem="malformed_row")
    assert (p["row"], "closing quote" in p["expected"]) == (8, True)
    assert problems.height == 1


def test_many_malformed_rows_are_listed_up_to_a_limit_then_summarized(tmp_path):
    ws = valid_workspace(tmp_path / "ws")
    lines = _goals(200)
    for i in range(1, 61):
        lines[i] += ",extra"
    lines[100] = lines[100].replace(",CL-", ',"CL-')  # and a broken quote so polars refuses
    (ws / "goals.csv").write_text("\n".join(lines) + "\n")
    problems = validate_workspace(ws, today=TODAY).filter(problem="malformed_row")
    assert problems.height == read.MAX_MALFORMED_ROWS + 1
    last = problems.row(-1, named=True)
    assert last["row"] == 2 + read.MAX_MALFORMED_ROWS
    assert last["value"].startswith("41 more malformed rows not listed, the last at row 101")


def test_reading_stops_after_too_many_quotes_left_open(tmp_path):
    ws = valid_workspace(tmp_path / "ws")
    lines = _goals(5000)
    for i in range(1, 5001, 2):
        lines[i] = lines[i].replace(",C-", ',"C-')
    (ws / "goals.csv").write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    problems = validate_workspace(ws, today=TODAY).filter(problem="malformed_row")
    assert time.perf_counter() - start < 5
    assert problems.height == read.MAX_MALFORMED_ROWS + 1
    assert problems["value"][-1].endswith("reading stopped there, the rows after it were not read")


@pytest.mark.parametrize(
    ("table", "column", "row", "value", "char"),
    [
        ("goals", "goal_id", 2, "GO-\x000001", "U+0000"),
        ("coaches", "region", 3, "south\teast", "U+0009"),
        ("clients", "client_id", 3, "CL-\x1b0002", "U+001B"),
    ],
)
def test_control_characters_in_a_cell_are_problems_where_they_are(
    tmp_path, table, column, row, value, char
):
    ws = valid_workspace(tmp_path / "ws")
    path = ws / f"{table}.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = f'"{value}"'
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    problems = validate_workspace(ws, today=TODAY)
    p = only(problems, problem="control_character")
    assert (p["file"], p["row"], p["column"], p["value"]) == (f"{table}.csv", row, column, char)
    result = _cli("validate", str(ws), "--today", TODAY.isoformat())
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_a_reference_holding_a_control_character_is_named_where_it_is(tmp_path):
    ws = valid_workspace(tmp_path / "ws")
    lines = (ws / "goals.csv").read_text().splitlines()
    lines[2] = lines[2].replace("CL-0002", '"CL-\x000002"')
    (ws / "goals.csv").write_text("\n".join(lines) + "\n")
    p = only(validate_workspace(ws, today=TODAY), file="goals.csv")
    assert (p["row"], p["column"], p["problem"]) == (3, "client_id", "unknown_reference")


def test_a_phone_shaped_id_that_is_no_valid_number_is_an_identifier_problem(tmp_path):
    ws = valid_workspace(tmp_path / "ws")
    lines = (ws / "goals.csv").read_text().splitlines()
    lines[1] = lines[1].replace("GO-0001", "07700 900461")  # UK drama range: not assignable
    (ws / "goals.csv").write_text("\n".join(lines) + "\n")
    p = only(validate_workspace(ws, today=TODAY), problem="identifier")
    assert (p["row"], p["column"], p["value"]) == (2, "goal_id", None)
    assert "phone number" in p["expected"]
