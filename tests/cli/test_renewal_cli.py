"""`trc renewal`: what a coach sees, and the exit codes scripts rely on."""

from __future__ import annotations

import csv
import io
import json

import pytest
from builders import build, coach, row, write_workspace
from click.testing import CliRunner

from trc_analytics.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def folder(tmp_path):
    """C-1's initial credential expires on 2026-08-01 (32 days after 2026-06-30): 22 hours of
    training since it was certified, no ethics review course, no affordable service."""
    ws = build(
        coaches=[coach("C-1"), coach("C-2")],
        credentials=[
            row("credentials", certified_on="2024-08-01", expires_on="2026-08-01"),
            row(
                "credentials",
                coach_id="C-2",
                credential="advanced",
                certified_on="2023-01-01",
                expires_on="2025-01-01",
            ),
        ],
        trainings=[row("trainings", completed_on="2025-03-01", hours=22.0)],
    )
    return write_workspace(ws, tmp_path / "ws")


def test_table_states_status_and_each_requirement(folder):
    result = run("renewal", folder, "--coach", "C-1", "--as-of", "2026-06-30")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Coach C-1's initial credential expires on 2026-08-01, in 32 days: at risk" in text
    assert "Code of Ethics review course: still to do (none on record since 2024-08-01)" in text
    assert "Continuing education: done (22 of 20 hours since 2024-08-01" in text
    assert "Supervision: not asked" in text
    assert "Affordable service: still to do" in text


def test_a_lapsed_credential_says_so_without_a_requirement_list(folder):
    result = run("renewal", folder, "--coach", "C-2", "--as-of", "2026-06-30")
    text = " ".join(result.output.split())
    assert result.exit_code == 0
    assert "expired on 2025-01-01 and its grace period ended on 2025-07-01: lapsed" in text
    assert "Continuing education" not in text


def test_csv_and_json_carry_the_metric_rows(folder):
    got = run("renewal", folder, "--coach", "C-1", "--as-of", "2026-06-30", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(got.output)))
    assert [(r["credential"], r["days_left"], r["status"]) for r in rows] == [
        ("initial", "32", "at_risk")
    ]
    assert rows[0]["missing"] == "Code of Ethics review course, affordable service"
    got = run("renewal", folder, "--coach", "C-1", "--as-of", "2026-06-30", "--format", "json")
    assert json.loads(got.output)[0]["ce_hours"] == 22.0


def test_as_of_moves_the_status(folder):
    # 100 days before expiry the same gaps leave the renewal in progress
    got = run("renewal", folder, "--coach", "C-1", "--as-of", "2026-04-23", "--format", "csv")
    assert next(csv.DictReader(io.StringIO(got.output)))["status"] == "in_progress"


def test_usage_errors_exit_2(folder):
    unknown = run("renewal", folder, "--coach", "c-1", "--as-of", "2026-06-30")
    assert unknown.exit_code == 2 and "unknown coach c-1; did you mean C-1?" in unknown.output
    bad = run("renewal", folder, "--coach", "C-1", "--as-of", "2026-13-01")
    assert bad.exit_code == 2 and "--as-of: '2026-13-01' is not a date as YYYY-MM-DD" in bad.output
    later = run("renewal", folder, "--coach", "C-1", "--as-of", "2999-01-01")
    assert later.exit_code == 2 and "is after today" in later.output
    assert run("renewal", folder, "--as-of", "2026-06-30").exit_code == 2  # --coach is required


def test_an_inactive_coach_has_nothing_to_renew(tmp_path):
    ws = build(
        coaches=[coach("C-1", active=False)],
        credentials=[row("credentials", certified_on="2024-08-01", expires_on="2026-08-01")],
    )
    result = run("renewal", write_workspace(ws, tmp_path / "ws"), "--coach", "C-1",
                 "--as-of", "2026-06-30")  # fmt: skip
    assert result.exit_code == 0
    assert "No credential of coach C-1 to renew as of 2026-06-30" in " ".join(result.output.split())


def test_no_credentials_table_exits_1_naming_it(tmp_path):
    folder = write_workspace(build(coaches=[coach("C-1")]), tmp_path / "ws")
    result = run("renewal", folder, "--coach", "C-1", "--as-of", "2026-06-30")
    assert result.exit_code == 1
    assert "no credentials records" in result.output
    assert "Traceback" not in result.output


def test_an_invalid_workspace_exits_1_with_its_problems(folder):
    (folder / "credentials.csv").write_text(
        "coach_id,credential,certified_on,expires_on\nC-1,initial,2024-13-01,2026-08-01\n"
    )
    result = run("renewal", folder, "--coach", "C-1", "--as-of", "2026-06-30")
    assert result.exit_code == 1
    assert "credentials.csv" in result.output and "certified_on" in result.output
