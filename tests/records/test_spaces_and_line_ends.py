"""Two ways a file holds less than it seems to, refused on every load path (CSV read whole and
in parts, Parquet, the workbook), each with the file, row (header = row 1) and column:

- optional text of only spaces (a currency or group id of two spaces, a no-break space) would
  load as a value: it is an `only_spaces` problem, never silently turned into a missing value;
- a CSV file whose lines end with carriage returns alone (classic Mac) would read as one line:
  it is one `lone_cr_line_ends` problem naming the file and how to save it again.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from workspace_files import TODAY, csv_lines, only, valid_workspace

from trc_analytics import load_workspace, validate_workspace
from trc_analytics.demo.writing import WORKBOOK_NAME, write_frames
from trc_analytics.records import read
from trc_analytics.records.read import read_workspace_files
from trc_analytics.records.templates import example_frames
from trc_analytics.records.validate import check_workspace

PATHS = ["csv whole", "csv in parts", "parquet", "xlsx"]


def _problems(folder: Path, path: str, monkeypatch) -> pl.DataFrame:
    """The problems of the workspace in `folder` as the load path `path` finds them."""
    if path == "csv whole":
        raw = read_workspace_files(folder, keep_types=True)
        assert raw.tables["sessions"].raw.chunks is None
        return check_workspace(raw, today=TODAY).problems
    if path == "csv in parts":
        monkeypatch.setattr(read, "CHUNK_BYTES", 64)  # every table in several parts
        raw = read_workspace_files(folder, keep_types=True, csv_in_parts=True)
        assert raw.tables["sessions"].raw.chunks is not None
        return check_workspace(raw, today=TODAY).problems
    return validate_workspace(folder, today=TODAY)


def _workspace(tmp_path: Path, path: str, currency: str | None) -> tuple[Path, str, str | None]:
    """The example workspace written for `path`, with session S-0001's currency (row 2) set
    to `currency`; also the file and sheet a problem in it names."""
    frames = example_frames()
    sessions = frames["sessions"]
    frames["sessions"] = sessions.with_columns(
        pl.when(pl.col("session_id") == "S-0001")
        .then(pl.lit(currency, pl.String))
        .otherwise(pl.col("currency"))
        .alias("currency")
    )
    format = path.split()[0]
    write_frames(frames, tmp_path, format=format)
    if format == "xlsx":
        return tmp_path / WORKBOOK_NAME, WORKBOOK_NAME, "sessions"
    return tmp_path, f"sessions.{format}", None


# -- optional text of only spaces ---------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("value", ["  ", "\u00a0", " \u3000 "])
def test_an_optional_text_of_only_spaces_is_a_problem_on_every_path(
    tmp_path, monkeypatch, path, value
):
    folder, file, sheet = _workspace(tmp_path, path, value)
    p = only(_problems(folder, path, monkeypatch))
    assert (p["file"], p["sheet"], p["row"], p["column"]) == (file, sheet, 2, "currency")
    assert (p["problem"], p["value"]) == ("only_spaces", value)
    assert p["expected"] == "only spaces: leave the cell empty or write a value"


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("value", [" EUR ", None])
def test_near_miss_spaces_around_a_word_or_an_empty_cell_load(tmp_path, monkeypatch, path, value):
    """Spaces around a word stay a value (as for required text); an empty cell is no value."""
    folder, _, _ = _workspace(tmp_path, path, value)
    assert _problems(folder, path, monkeypatch).is_empty()
    assert load_workspace(folder, today=TODAY)["sessions"]["currency"][0] == value


def test_near_miss_an_empty_text_in_a_parquet_column_is_an_empty_cell(tmp_path):
    """Parquet keeps "" apart from a missing value; reading makes it missing, as a CSV's."""
    folder, _, _ = _workspace(tmp_path, "parquet", "")
    assert validate_workspace(folder, today=TODAY).is_empty()
    assert load_workspace(folder, today=TODAY)["sessions"]["currency"][0] is None


def test_a_tab_alone_is_one_control_character_problem_not_two(tmp_path):
    folder, _, _ = _workspace(tmp_path, "csv whole", "\t")
    p = only(validate_workspace(folder, today=TODAY))
    assert (p["row"], p["column"], p["problem"]) == (2, "currency", "control_character")


def test_a_session_cannot_belong_to_a_group_of_two_spaces(tmp_path):
    """The case that was found: an engagement's group id of two spaces loaded as a group."""
    frames = example_frames()
    frames["engagements"] = frames["engagements"].with_columns(
        pl.when(pl.col("group_id") == "G-0002")
        .then(pl.lit("  "))
        .otherwise(pl.col("group_id"))
        .alias("group_id")
    )
    frames["group_members"] = frames["group_members"].filter(pl.col("group_id") != "G-0002")
    write_frames(frames, tmp_path, format="csv")
    p = only(validate_workspace(tmp_path, today=TODAY))
    assert (p["file"], p["row"], p["column"]) == ("engagements.csv", 3, "group_id")
    assert p["problem"] == "only_spaces"


# -- lone carriage returns ----------------------------------------------------------------------


def _lone_cr_problems(folder: Path, path: str, monkeypatch) -> pl.DataFrame:
    if path == "csv whole":
        return check_workspace(read_workspace_files(folder, keep_types=True), today=TODAY).problems
    monkeypatch.setattr(read, "CHUNK_BYTES", 64)
    return validate_workspace(folder, today=TODAY)


@pytest.mark.parametrize("path", ["csv whole", "csv in parts"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_a_csv_with_lone_carriage_returns_is_one_problem_naming_the_file(
    tmp_path, monkeypatch, path, encoding
):
    ws = valid_workspace(tmp_path)
    lines = csv_lines(ws, "sessions")
    (ws / "sessions.csv").write_bytes(("\r".join(lines) + "\r").encode(encoding))
    p = only(_lone_cr_problems(ws, path, monkeypatch))
    assert (p["file"], p["row"], p["column"], p["problem"]) == (
        "sessions.csv",
        None,
        None,
        "lone_cr_line_ends",
    )
    assert "carriage returns only" in p["expected"]
    assert '"CSV UTF-8"' in p["expected"] and "Windows (CRLF)" in p["expected"]


@pytest.mark.parametrize("path", ["csv whole", "csv in parts"])
def test_near_miss_crlf_and_a_carriage_return_inside_quotes_still_load(tmp_path, monkeypatch, path):
    """CRLF line ends load as LF ones; a lone CR inside a quoted value of the first row is read
    as part of that cell (a control character named where it is), not as a line end."""
    ws = valid_workspace(tmp_path)
    lines = csv_lines(ws, "sessions")
    (ws / "sessions.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode())
    assert _lone_cr_problems(ws, path, monkeypatch).is_empty()
    assert load_workspace(ws, today=TODAY)["sessions"].equals(example_frames()["sessions"])
    lines[1] = lines[1].replace(",EUR,", ',"E\rUR",')
    (ws / "sessions.csv").write_bytes(("\n".join(lines) + "\n").encode())
    p = only(_lone_cr_problems(ws, path, monkeypatch))
    assert (p["file"], p["row"], p["column"], p["problem"], p["value"]) == (
        "sessions.csv",
        2,
        "currency",
        "control_character",
        "U+000D",
    )


def test_a_lone_cr_file_is_refused_through_the_command_line(tmp_path):
    """`trc validate` prints the one problem and exits 1, with no traceback."""
    from click.testing import CliRunner

    from trc_analytics.cli import main

    ws = valid_workspace(tmp_path)
    path = ws / "coaches.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    result = CliRunner().invoke(main, ["validate", str(ws), "--today", TODAY.isoformat()])
    assert result.exit_code == 1, result.output
    assert "coaches.csv" in result.output and "carriage returns only" in result.output
    assert "Traceback" not in result.output and "prior_hours_until" not in result.output
