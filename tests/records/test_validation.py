"""Validation reports every problem with file, row (header = row 1), column, value and kind."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from workspace_files import TODAY, csv_lines, only, set_cell, valid_workspace, write_lines

from trc_analytics import Workspace, WorkspaceError, load_workspace, validate_workspace
from trc_analytics.cli import main
from trc_analytics.records.schema import load_schema
from trc_analytics.records.workspace import PROBLEM_SCHEMA


def check(folder: Path) -> pl.DataFrame:
    return validate_workspace(folder, today=TODAY)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return valid_workspace(tmp_path / "ws")


def test_the_example_workspace_is_valid(ws):
    problems = check(ws)
    assert problems.schema == pl.Schema(PROBLEM_SCHEMA)
    assert problems.is_empty()


# -- one test per class of bad value ---------------------------------------------------------


def test_a_word_in_a_whole_number_column_is_a_type_problem(ws):
    set_cell(ws, "sessions", 3, "duration_min", "sixty")
    p = only(check(ws), problem="type")
    assert (p["file"], p["row"], p["column"], p["value"]) == (
        "sessions.csv",
        3,
        "duration_min",
        "sixty",
    )
    assert p["expected"] == "a whole number"


def test_a_fraction_in_a_whole_number_column_is_a_type_problem_but_3_0_is_fine(ws):
    set_cell(ws, "sessions", 2, "duration_min", "60.0")
    set_cell(ws, "sessions", 3, "duration_min", "45.5")
    p = only(check(ws), problem="type")
    assert (p["row"], p["column"], p["value"]) == (3, "duration_min", "45.5")


def test_text_in_a_number_and_a_boolean_column_are_type_problems(ws):
    set_cell(ws, "supervision", 2, "hours", "two")
    set_cell(ws, "coaches", 3, "active", "maybe")
    problems = check(ws)
    assert only(problems, file="supervision.csv", row=2, column="hours")["problem"] == "type"
    p = only(problems, file="coaches.csv", row=3, column="active")
    assert p["problem"] == "type"
    assert p["expected"].startswith("true or false")


def test_booleans_accept_yes_no_and_1_0_in_any_case(ws):
    set_cell(ws, "coaches", 2, "active", "YES")
    set_cell(ws, "coaches", 3, "active", "0")
    assert check(ws).is_empty()
    loaded = load_workspace(ws, today=TODAY)
    assert loaded["coaches"]["active"].to_list() == [True, False]


def test_a_value_outside_the_vocabulary_names_the_allowed_values(ws):
    set_cell(ws, "sessions", 2, "status", "happened")
    p = only(check(ws), problem="vocabulary")
    assert (p["file"], p["row"], p["column"], p["value"]) == (
        "sessions.csv",
        2,
        "status",
        "happened",
    )
    assert p["expected"].startswith("one of: held, rescheduled_under_influence,")


def test_an_empty_required_value(ws):
    set_cell(ws, "clients", 3, "age_band", "")
    p = only(check(ws), problem="required")
    assert (p["file"], p["row"], p["column"]) == ("clients.csv", 3, "age_band")


@pytest.mark.parametrize("value", ["  ", "\t", " \u00a0 "])
def test_a_required_id_of_only_spaces_is_missing(ws, value):
    """A coach id of two spaces must not load as a coach: it is reported as missing."""
    set_cell(ws, "coaches", 2, "coach_id", value)
    p = only(check(ws), problem="required")
    assert (p["file"], p["row"], p["column"]) == ("coaches.csv", 2, "coach_id")


def test_the_quick_blank_test_flags_every_white_space_value():
    """The pass over every row tests blank text with two comparisons (`_blank(rough=True)`),
    then the flagged rows with the pattern: it must flag every value the pattern calls blank,
    whichever white-space character it is made of, and may flag a few more (a leading space,
    an inverted exclamation mark), which the pattern then clears."""
    from trc_analytics.records.validate import _blank

    field = next(f for f in load_schema()["coaches"].fields if f.name == "coach_id")
    chars = [chr(c) for c in range(1, 0x110000) if not 0xD800 <= c < 0xE000]
    values = ["", *chars, *(c * 3 for c in chars), " \u3000\t", " north", "\u00a1x", "C-1"]
    found = pl.DataFrame({"coach_id": values}).select(
        exact=_blank(pl.col("coach_id"), field), rough=_blank(pl.col("coach_id"), field, True)
    )
    blank = found.filter("exact")
    assert blank.height == 1 + 2 * 25 + 1  # "", the 25 white-space characters alone and tripled
    assert blank["rough"].all()
    assert found["rough"].tail(4).to_list() == [True, True, True, False]
    assert found["exact"].tail(4).to_list() == [True, False, False, False]


def test_a_required_value_with_spaces_around_a_word_is_a_value(ws):
    """Near miss: spaces around a word are not a missing value (no 'required' problem)."""
    set_cell(ws, "coaches", 2, "region", " north ")
    assert check(ws).filter(pl.col("problem") == "required").is_empty()


def test_an_impossible_date(ws):
    set_cell(ws, "clients", 2, "intake_on", "2026-02-30")
    p = only(check(ws), problem="impossible_date")
    assert (p["file"], p["row"], p["column"], p["value"]) == (
        "clients.csv",
        2,
        "intake_on",
        "2026-02-30",
    )


def test_a_date_not_written_as_iso_is_a_type_problem(ws):
    set_cell(ws, "clients", 2, "intake_on", "30/02/2026")
    p = only(check(ws), problem="type")
    assert (p["row"], p["column"]) == (2, "intake_on")
    assert p["expected"] == "a date as YYYY-MM-DD"


def test_a_date_in_the_future_but_not_for_expiry_dates(ws):
    set_cell(ws, "sessions", 3, "held_on", "2026-12-01")
    set_cell(ws, "credentials", 2, "expires_on", "2027-12-01")
    p = only(check(ws), problem="future_date")
    assert (p["file"], p["row"], p["column"]) == ("sessions.csv", 3, "held_on")
    assert p["expected"] == "a date not after 2026-11-30 (today)"


def test_negative_duration_fee_and_hours(ws):
    set_cell(ws, "sessions", 2, "duration_min", "-5")
    set_cell(ws, "sessions", 2, "fee_amount", "-10")
    set_cell(ws, "trainings", 3, "hours", "-1.5")
    problems = check(ws).filter(pl.col("problem") == "minimum")
    assert problems.select("file", "row", "column").rows() == [
        ("sessions.csv", 2, "duration_min"),
        ("sessions.csv", 2, "fee_amount"),
        ("trainings.csv", 3, "hours"),
    ]
    assert problems["expected"][0] == "a value of at least 0"


def test_a_goal_level_outside_minus_two_to_plus_two_and_a_negative_weight(ws):
    set_cell(ws, "goals", 2, "attained_level", "3")
    set_cell(ws, "goals", 2, "baseline_level", "-3")
    set_cell(ws, "goals", 2, "weight", "-1")
    problems = check(ws).filter(pl.col("file") == "goals.csv")
    assert problems.select("row", "column", "problem", "expected").rows() == [
        (2, "baseline_level", "minimum", "a value of at least -2"),
        (2, "attained_level", "maximum", "a value of at most 2"),
        (2, "weight", "minimum", "a value of at least 0"),
    ]


def test_goal_levels_at_the_ends_of_the_scale_are_valid(ws):
    set_cell(ws, "goals", 2, "attained_level", "2")
    set_cell(ws, "goals", 2, "baseline_level", "-2")
    assert check(ws).filter(pl.col("file") == "goals.csv").is_empty()


def test_an_end_before_its_start(ws):
    set_cell(ws, "engagements", 2, "ended_on", "2025-01-01")
    p = only(check(ws), problem="order")
    assert (p["file"], p["row"], p["column"], p["value"]) == (
        "engagements.csv",
        2,
        "ended_on",
        "2025-01-01",
    )
    assert p["expected"] == "a date on or after started_on (2025-03-03)"


def test_prior_paid_hours_above_prior_hours_name_file_row_and_column(ws):
    """Hours brought forward (issue 12): paid hours are among the hours, so no more of them."""
    set_cell(ws, "coaches", 2, "prior_coaching_hours", "100")
    set_cell(ws, "coaches", 2, "prior_paid_hours", "120.5")
    p = only(check(ws), problem="order")
    assert (p["file"], p["row"], p["column"], p["value"]) == (
        "coaches.csv",
        2,
        "prior_coaching_hours",
        "100",
    )
    assert p["expected"] == "a number at least prior_paid_hours (120.5)"


def test_prior_paid_hours_equal_to_prior_hours_are_valid(ws):
    set_cell(ws, "coaches", 2, "prior_coaching_hours", "100")
    set_cell(ws, "coaches", 2, "prior_paid_hours", "100")
    assert check(ws).filter(pl.col("file") == "coaches.csv").is_empty()


def test_a_duplicate_primary_key_points_at_the_first_row(ws):
    set_cell(ws, "sessions", 3, "session_id", "S-0001")
    p = only(check(ws), problem="duplicate_key")
    assert (p["file"], p["row"], p["column"], p["value"]) == (
        "sessions.csv",
        3,
        "session_id",
        "S-0001",
    )
    assert "row 2" in p["expected"]


def test_a_duplicate_composite_key(ws):
    lines = csv_lines(ws, "competencies")
    write_lines(ws, "competencies", [*lines, lines[1]])
    p = only(check(ws), problem="duplicate_key")
    assert (p["file"], p["row"], p["column"]) == ("competencies.csv", 4, "coach_id, area, basis")


def test_a_reference_to_an_unknown_coach_names_the_referenced_table(ws):
    set_cell(ws, "sessions", 3, "coach_id", "C-0099")
    p = only(check(ws), problem="unknown_reference")
    assert (p["file"], p["row"], p["column"], p["value"]) == (
        "sessions.csv",
        3,
        "coach_id",
        "C-0099",
    )
    assert p["expected"] == "a coach_id listed in coaches (coaches.csv)"


def test_references_to_clients_engagements_and_groups_are_checked(ws):
    set_cell(ws, "sessions", 2, "client_id", "CL-0404")
    set_cell(ws, "sessions", 2, "engagement_id", "E-0404")
    set_cell(ws, "group_members", 2, "group_id", "G-0404")
    problems = check(ws).filter(pl.col("problem") == "unknown_reference")
    assert problems.select("file", "row", "column").rows() == [
        ("group_members.csv", 2, "group_id"),
        ("sessions.csv", 2, "engagement_id"),
        ("sessions.csv", 2, "client_id"),
    ]


def test_references_to_an_absent_optional_table_are_not_checked(tmp_path):
    ws = valid_workspace(tmp_path / "ws", ["coaches", "sessions"])
    assert check(ws).is_empty()


# -- problems about files and headers ---------------------------------------------------------


def test_a_pasted_identifying_column_is_refused_not_ignored(ws):
    lines = csv_lines(ws, "clients")
    write_lines(ws, "clients", [lines[0] + ",client_name", lines[1] + ",Anon", lines[2] + ","])
    p = only(check(ws), problem="unknown_column")
    assert (p["file"], p["row"], p["column"]) == ("clients.csv", None, "client_name")
    assert p["expected"].startswith("only the columns of clients: client_id, coach_id")


def test_the_old_psychoactive_flags_are_refused_naming_the_dated_columns_that_replaced_them(ws):
    """Issue 14: a workspace with `psychoactive_trained` / `psychoactive_insured` is told which
    dated columns replaced them, not just given the list of columns."""
    lines = csv_lines(ws, "coaches")
    write_lines(ws, "coaches", [lines[0] + ",psychoactive_insured"] + [x + "," for x in lines[1:]])
    p = only(check(ws), problem="unknown_column")
    assert (p["file"], p["column"]) == ("coaches.csv", "psychoactive_insured")
    assert p["expected"] == (
        "psychoactive_insured_from and psychoactive_insured_to (dates), which replaced "
        "psychoactive_insured"
    )


def test_a_missing_required_column(ws):
    lines = [",".join(line.split(",")[1:]) for line in csv_lines(ws, "coaches")]
    write_lines(ws, "coaches", lines)  # coach_id removed
    problems = check(ws)
    p = only(problems, problem="missing_column")
    assert (p["file"], p["column"]) == ("coaches.csv", "coach_id")


def test_a_column_named_twice(ws):
    lines = csv_lines(ws, "goals")
    write_lines(ws, "goals", [line + "," + line.split(",")[-1] for line in lines])
    p = only(check(ws), problem="duplicate_column")
    assert (p["file"], p["column"]) == ("goals.csv", "weight")


def test_an_empty_file(ws):
    (ws / "goals.csv").write_bytes(b"")
    p = only(check(ws), problem="empty_file")
    assert (p["file"], p["row"]) == ("goals.csv", None)


def test_a_workspace_without_coaches(ws):
    (ws / "coaches.csv").unlink()
    p = only(check(ws), problem="missing_file")
    assert p["file"] == "coaches.csv"


def test_a_file_that_names_no_table(ws):
    (ws / "notes.csv").write_text("client,note\nx,y\n", encoding="utf-8")
    (ws / "summary.txt").write_text("hello", encoding="utf-8")
    problems = check(ws).filter(pl.col("problem") == "unknown_table_file")
    assert problems["file"].to_list() == ["notes.csv", "summary.txt"]


def test_two_files_for_one_table(ws):
    pl.read_csv(ws / "goals.csv").write_parquet(ws / "goals.parquet")
    p = only(check(ws), problem="duplicate_table_file")
    assert p["file"] == "goals.parquet"
    assert "goals.csv" in p["expected"]


def test_bytes_that_are_neither_utf8_nor_windows_1252_name_the_row(ws):
    lines = [line.encode() for line in csv_lines(ws, "coaches")]
    lines[2] = lines[2].replace(b"south_east", b"south\x81east")  # 0x81: undefined in cp1252
    (ws / "coaches.csv").write_bytes(b"\n".join(lines) + b"\n")
    p = only(check(ws), problem="unreadable_encoding")
    assert (p["file"], p["row"]) == ("coaches.csv", 3)


def test_a_row_with_more_fields_than_the_header(ws):
    lines = csv_lines(ws, "goals")
    write_lines(ws, "goals", [lines[0], lines[1] + ",extra", lines[2]])
    problems = check(ws)
    p = only(problems, problem="malformed_row")
    assert (p["file"], p["row"]) == ("goals.csv", 2)


def test_a_cell_that_looks_like_an_e_mail_is_refused_without_repeating_it(ws):
    set_cell(ws, "sessions", 3, "currency", "jane.roe@example.org")
    p = only(check(ws), problem="identifier")
    assert (p["file"], p["row"], p["column"], p["value"]) == (
        "sessions.csv",
        3,
        "currency",
        None,
    )
    assert "e-mail" in p["expected"]


def test_a_repeated_identifier_is_refused_on_every_row_that_holds_it(ws):
    # a column that repeats its values (currency, region) is scanned on its distinct values:
    # a flagged value must still be reported on each row holding it, and only there
    set_cell(ws, "sessions", 2, "currency", "jane.roe@example.org")
    set_cell(ws, "sessions", 3, "currency", "jane.roe@example.org")
    set_cell(ws, "coaches", 2, "region", "north\twest")  # row 3 keeps a clean region
    problems = check(ws).select("file", "row", "column", "value", "problem").rows()
    assert problems == [
        ("coaches.csv", 2, "region", "U+0009", "control_character"),
        ("sessions.csv", 2, "currency", None, "identifier"),
        ("sessions.csv", 3, "currency", None, "identifier"),
    ]


def test_identifiers_in_id_and_reference_columns_are_refused_as_identifiers(ws):
    set_cell(ws, "sessions", 2, "session_id", "+1 202 555 0147")
    set_cell(ws, "sessions", 3, "client_id", "Jane Roe")  # a reference column
    set_cell(ws, "clients", 2, "coach_id", "1985-03-02")  # a date in an id: a birth date?
    problems = check(ws)
    assert problems.select("file", "row", "column", "value", "problem").rows() == [
        ("clients.csv", 2, "coach_id", None, "identifier"),
        ("sessions.csv", 2, "session_id", None, "identifier"),
        ("sessions.csv", 3, "client_id", None, "identifier"),
    ]
    assert problems["expected"].to_list() == [
        "no personal identifiers in the records (this looks like a date (of birth?))",
        "no personal identifiers in the records (this looks like a phone number)",
        "no personal identifiers in the records (this looks like a person's full name)",
    ]


def test_an_identifier_in_a_vocabulary_column_is_reported_but_never_echoed(ws):
    set_cell(ws, "clients", 2, "fee_basis", "jane.roe@example.org")
    p = only(check(ws), problem="vocabulary")
    assert (p["row"], p["column"], p["value"]) == (2, "fee_basis", None)
    assert p["expected"].endswith("(value not shown: it looks like an e-mail address)")


# -- completeness and order -------------------------------------------------------------------


def test_every_problem_is_reported_without_a_cap_in_file_row_column_order(ws):
    lines = csv_lines(ws, "sessions")
    row = lines[1].split(",")
    header = lines[0].split(",")
    extra = []
    for i in range(2500):
        cells = list(row)
        cells[header.index("session_id")] = f"S-{9000 + i}"
        cells[header.index("status")] = "unknown"
        cells[header.index("duration_min")] = "x"
        extra.append(",".join(cells))
    write_lines(ws, "sessions", [*lines, *extra])
    set_cell(ws, "clients", 2, "age_band", "old")
    problems = check(ws)
    assert problems.height == 5001
    assert problems["file"][0] == "clients.csv"
    sessions = problems.filter(pl.col("file") == "sessions.csv")
    assert sessions["row"].is_sorted()
    # within a row, columns come in file order: duration_min before status
    assert sessions.head(2)["column"].to_list() == ["duration_min", "status"]


# -- loading ----------------------------------------------------------------------------------


def test_load_workspace_returns_typed_frames_sources_and_digest(ws):
    loaded = load_workspace(ws, today=TODAY)
    assert isinstance(loaded, Workspace)
    assert loaded.present == loaded.schema.names
    assert loaded["sessions"].schema == pl.Schema(loaded.schema["sessions"].polars_schema)
    assert loaded.sources["sessions"] == "sessions.csv"
    assert len(loaded.digest) == 64
    assert loaded.set_aside.is_empty()


def test_the_digest_changes_when_a_file_changes(ws):
    before = load_workspace(ws, today=TODAY).digest
    assert load_workspace(ws, today=TODAY).digest == before
    set_cell(ws, "sessions", 2, "duration_min", "61")
    assert load_workspace(ws, today=TODAY).digest != before


def test_missing_optional_tables_are_absent(tmp_path):
    ws = valid_workspace(tmp_path / "ws", ["coaches", "clients"])
    loaded = load_workspace(ws, today=TODAY)
    assert loaded.present == ["coaches", "clients"]
    assert "sessions" in loaded.missing and loaded.get("sessions") is None


def test_an_invalid_workspace_raises_with_every_problem(ws):
    set_cell(ws, "sessions", 2, "status", "happened")
    set_cell(ws, "sessions", 3, "held_on", "2026-13-01")
    with pytest.raises(WorkspaceError) as err:
        load_workspace(ws, today=TODAY)
    assert err.value.problems.height == 2
    assert "sessions.csv row 2 column status" in str(err.value)


def test_keep_valid_sets_aside_bad_rows_and_the_rows_that_refer_to_them(ws):
    set_cell(ws, "clients", 3, "age_band", "old")  # CL-0002 is set aside ...
    loaded = load_workspace(ws, keep_valid=True, today=TODAY)
    assert loaded["clients"]["client_id"].to_list() == ["CL-0001"]
    # ... so are the rows naming CL-0002, saying why
    cascaded = loaded.set_aside.filter(pl.col("problem") == "unknown_reference")
    assert set(cascaded["file"]) >= {"group_members.csv", "safety_assessments.csv"}
    assert all("was set aside" in e for e in cascaded["expected"])
    assert "CL-0002" not in loaded["group_members"]["client_id"].to_list()
    assert (
        loaded.rows_set_aside == loaded.set_aside.select(pl.struct("file", "row").n_unique()).item()
    )
    assert loaded.rows_set_aside > 1


def test_keep_valid_drops_unknown_columns_and_unusable_tables(ws):
    lines = csv_lines(ws, "clients")
    write_lines(ws, "clients", [lines[0] + ",client_name", lines[1] + ",Anon", lines[2] + ","])
    (ws / "goals.csv").write_text("goal_id\nGO-1\n", encoding="utf-8")  # required columns absent
    loaded = load_workspace(ws, keep_valid=True, today=TODAY)
    assert "client_name" not in loaded["clients"].columns
    assert loaded["clients"].height == 2
    assert "goals" not in loaded
    assert set(loaded.set_aside["problem"]) == {"unknown_column", "missing_column"}


def test_a_table_that_cannot_be_used_does_not_flood_the_report_with_references(ws):
    lines = csv_lines(ws, "clients")
    write_lines(ws, "clients", [line.replace("fee_basis", "fees") for line in lines])
    problems = check(ws)
    assert set(problems["problem"]) == {"unknown_column", "missing_column"}
    # with keep_valid, rows naming its clients cannot be kept, and say why
    loaded = load_workspace(ws, keep_valid=True, today=TODAY)
    assert "clients" not in loaded
    kept = loaded["sessions"]
    assert kept.height == 1 and kept["client_id"].to_list() == [None]  # names no client
    refs = loaded.set_aside.filter(pl.col("problem") == "unknown_reference")
    assert refs.filter(pl.col("file") == "sessions.csv")["expected"].to_list()[0] == (
        "a client_id of clients, but clients.csv could not be used (see its column problems)"
    )


def test_keep_valid_still_refuses_a_workspace_without_coaches(ws):
    (ws / "coaches.csv").unlink()
    with pytest.raises(WorkspaceError):
        load_workspace(ws, keep_valid=True, today=TODAY)


def test_an_association_vocabulary_file_extends_the_vocabularies(ws):
    set_cell(ws, "sessions", 2, "delivery", "retreat_centre")
    assert only(check(ws), problem="vocabulary")["value"] == "retreat_centre"
    (ws / "vocabularies.toml").write_text('[delivery]\nvalues = ["retreat_centre"]\n')
    assert check(ws).is_empty()


# -- the trc validate command -----------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, ["validate", *args, "--today", TODAY.isoformat()])


def test_cli_exit_status_is_0_when_valid_1_when_not_2_on_usage_errors(ws, tmp_path):
    assert run(str(ws)).exit_code == 0
    assert run(str(tmp_path / "nowhere")).exit_code == 2
    assert run(str(ws), "--format", "yaml").exit_code == 2
    set_cell(ws, "sessions", 2, "status", "happened")
    assert run(str(ws)).exit_code == 1


def test_cli_table_groups_by_file_with_counts_and_caps_printed_rows(ws):
    for row in (2, 3):
        set_cell(ws, "sessions", row, "status", "happened")
        set_cell(ws, "sessions", row, "area", "astrology")
    result = run(str(ws), "--limit", "3")
    assert result.exit_code == 1
    assert "4 problems" in result.output
    assert "sessions.csv: 4 (4 vocabulary)" in result.output
    assert "... and 1 more; use --format csv for all." in result.output


def test_cli_json_and_csv_list_every_problem(ws):
    for row in (2, 3):
        set_cell(ws, "sessions", row, "status", "happened")
    data = json.loads(run(str(ws), "--format", "json", "--limit", "1").stdout)
    assert data["valid"] is False and data["problem_count"] == 2
    assert [p["row"] for p in data["problems"]] == [2, 3]
    rows = pl.read_csv(run(str(ws), "--format", "csv").stdout.encode())
    assert rows.columns == list(PROBLEM_SCHEMA)
    assert rows["row"].to_list() == [2, 3]


def test_cli_keep_valid_exits_0_and_says_what_was_set_aside(ws):
    set_cell(ws, "sessions", 2, "status", "happened")
    result = run(str(ws), "--keep-valid")
    assert result.exit_code == 0
    assert "set aside" in result.output
