"""The `supervision_actions` table and `coaches.supervision_hours_per_quarter`: validated like
every table (file, row, column), and the free-text action scanned for personal identifiers."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from workspace_files import TODAY, only, set_cell, valid_workspace

from trc_analytics import validate_workspace
from trc_analytics.records.schema import load_schema

TABLE = "supervision_actions"
FILE = "supervision_actions.csv"


def check(folder: Path) -> pl.DataFrame:
    return validate_workspace(folder, today=TODAY)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return valid_workspace(tmp_path / "ws")


def test_the_example_actions_are_valid_and_the_table_is_optional(ws, tmp_path):
    assert check(ws).is_empty()
    without = valid_workspace(tmp_path / "without", [t for t in load_schema().names if t != TABLE])
    assert check(without).is_empty()


def test_an_owner_outside_the_vocabulary(ws):
    set_cell(ws, TABLE, 2, "owner", "client")
    p = only(check(ws), problem="vocabulary")
    assert (p["file"], p["row"], p["column"], p["value"]) == (FILE, 2, "owner", "client")
    assert "coach" in p["expected"] and "supervisor" in p["expected"]


def test_an_unknown_check_id(ws):
    set_cell(ws, TABLE, 3, "check_id", "SAFE-NOPE")
    p = only(check(ws), problem="vocabulary")
    assert (p["file"], p["row"], p["column"]) == (FILE, 3, "check_id")


def test_done_or_due_before_the_action_was_agreed(ws):
    set_cell(ws, TABLE, 2, "done_on", "2025-01-01")
    set_cell(ws, TABLE, 3, "due_on", "2025-04-06")
    problems = check(ws).filter(problem="order")
    assert problems.select("file", "row", "column", "value").rows() == [
        (FILE, 2, "done_on", "2025-01-01"),
        (FILE, 3, "due_on", "2025-04-06"),
    ]
    assert problems["expected"][0] == "a date on or after agreed_on (2025-03-03)"


def test_done_on_the_day_agreed_and_due_in_the_future_are_fine(ws):
    set_cell(ws, TABLE, 2, "done_on", "2025-03-03")
    set_cell(ws, TABLE, 2, "due_on", "2027-12-31")
    assert check(ws).is_empty()


def test_an_unknown_coach_client_or_engagement(ws):
    set_cell(ws, TABLE, 2, "coach_id", "C-0099")
    set_cell(ws, TABLE, 2, "client_id", "CL-0404")
    set_cell(ws, TABLE, 2, "engagement_id", "E-0404")
    problems = check(ws).filter(problem="unknown_reference")
    assert problems.select("file", "row", "column").rows() == [
        (FILE, 2, "coach_id"),
        (FILE, 2, "client_id"),
        (FILE, 2, "engagement_id"),
    ]


@pytest.mark.parametrize(
    ("text", "looks_like"),
    [
        ("call the client back at jane.roe@example.org", "an e-mail address"),
        ("+44 20 7946 0958", "a phone number"),
        ("discuss the case with Jane Roe before the next session", "a person's full name"),
    ],
)
def test_an_identifier_in_the_action_text_is_refused_without_repeating_it(ws, text, looks_like):
    set_cell(ws, TABLE, 2, "action", text)
    p = only(check(ws), problem="identifier")
    assert (p["file"], p["row"], p["column"], p["value"]) == (FILE, 2, "action", None)
    assert looks_like in p["expected"]


def test_a_plain_action_text_is_not_an_identifier(ws):
    set_cell(ws, TABLE, 2, "action", "book a case consultation and review the safety plan")
    assert check(ws).is_empty()


def test_agreed_supervision_hours_must_be_a_number_not_below_zero(ws):
    set_cell(ws, "coaches", 2, "supervision_hours_per_quarter", "-1")
    set_cell(ws, "coaches", 3, "supervision_hours_per_quarter", "six")
    problems = check(ws)
    assert only(problems, row=2, column="supervision_hours_per_quarter")["file"] == "coaches.csv"
    assert only(problems, row=3, column="supervision_hours_per_quarter")["problem"] == "type"


def test_the_check_id_vocabulary_is_the_check_catalogue():
    from trc_analytics.checks.catalogue import CHECKS

    assert load_schema().vocabularies["check_id"]["values"] == [c.id for c in CHECKS]


def test_pseudonymize_rekeys_the_client_of_an_action_but_keeps_its_check_id(tmp_path):
    from test_pseudonymize import write_export

    from trc_analytics.records.load import load_workspace
    from trc_analytics.records.pseudonymize import pseudonymize

    export = write_export(
        tmp_path / "export",
        **{
            FILE: (
                "action_id,coach_id,agreed_on,check_id,client_id,action,owner,due_on\n"
                "SA-1,C-0007,2026-03-20,SAFE-SRA,Jane Roe,book the assessment,coach,2026-04-20\n"
            )
        },
    )
    pseudonymize(export, tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
    ws = load_workspace(tmp_path / "ws", today=TODAY)
    action = ws[TABLE].row(0, named=True)
    assert action["check_id"] == "SAFE-SRA"
    assert action["client_id"] in ws["clients"]["client_id"].to_list()
    assert "Roe" not in (tmp_path / "ws" / FILE).read_text()


def test_pseudonymize_refuses_a_client_name_left_in_an_action_text(tmp_path):
    from test_pseudonymize import write_export

    from trc_analytics.records.pseudonymize import PseudonymizeError, pseudonymize

    export = write_export(
        tmp_path / "export",
        **{
            FILE: (
                "action_id,coach_id,agreed_on,check_id,action,owner,due_on\n"
                "SA-1,C-0007,2026-03-20,SAFE-SRA,call jane about the plan,coach,2026-04-20\n"
            )
        },
    )
    with pytest.raises(PseudonymizeError, match=FILE):
        pseudonymize(export, tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
