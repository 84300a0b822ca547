"""`trc progress`: the hand-worked workspace of `progress_world` in every format, an
association's levels, and the refusals (exit codes of the README table)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from progress_world import world, write_policy, write_world

from trc_analytics.cli import main


@pytest.fixture
def folder(tmp_path):
    return write_world(tmp_path / "ws")


def run(folder, *args: str):
    policy = str(write_policy(folder.parent))
    return CliRunner().invoke(
        main,
        ["progress", str(folder), "--coach", "C-1", "--as-of", "2026-06-30", "--policy", policy,
         *args],
        catch_exceptions=False,
    )  # fmt: skip


def test_table_for_people(folder):
    result = run(folder)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "8.5 coaching hours (5.5 paid, 3 pro bono) with 5 clients" in text
    assert "since 1 January 2025, when coach-specific training began" in text
    assert "Left out: 1 group of more than 3 members (3 hours)" in text
    assert (
        "ACC: 91.5 hours still needed (69.5 of them paid); also 3 more clients and 16.5 hours "
        "more in the last 18 months. At the pace of the last 6 months (1.2 hours a month), "
        "about March 2034."
    ) in text  # 2026-06-30 + 2,811 days = 2034-03-11
    assert "International Coaching Federation" in text


def test_the_table_says_what_was_brought_forward(tmp_path):
    prior = {"prior_coaching_hours": 100.0, "prior_paid_hours": 80.0, "prior_clients": 7}
    folder = write_world(tmp_path / "ws", world(prior=prior))
    result = run(folder)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert (
        "108.5 coaching hours (85.5 paid, 23 pro bono) with 12 clients, including 100 hours "
        "and 7 clients brought forward from your earlier log"
    ) in text  # 8.5 recorded (no end day: every session counts) + 100
    assert "Brought forward from an earlier log: 100 hours (80 paid) and 7 clients." in text


def _acc_hours_row(tmp_path, prior_hours: float) -> list[str]:
    """The table's ACC row for total hours, cells split, with `prior_hours` brought forward
    (8.5 recorded): level, requirement, bar, have, required, still needed."""
    prior = {"prior_coaching_hours": prior_hours, "prior_paid_hours": 80.0, "prior_clients": 7}
    result = run(write_world(tmp_path / "ws", world(prior=prior)))
    assert result.exit_code == 0, result.output
    (line,) = [
        x for x in result.output.splitlines() if x.split()[:3] == ["ACC", "coaching", "hours"]
    ]
    return line.split()


def test_hours_keep_their_half_hour_and_never_read_as_a_requirement_met(tmp_path):
    """99.96 of ACC's 100 hours: not "100 of 100" (rounded half to even it read as met), but
    99.9 held and 0.1 still needed, with a bar not yet full; 108.5 hours print as 108.5."""
    cells = _acc_hours_row(tmp_path, 91.46)
    assert cells[-3:] == ["99.9", "100", "0.1"], cells
    assert "░" in cells[-4], cells  # the bar is not full
    again = run(write_world(tmp_path / "ws2", world(prior={"prior_coaching_hours": 91.46})))
    assert "99.9 coaching hours" in " ".join(again.output.split())


def test_near_miss_hours_exactly_met_read_as_met(tmp_path):
    cells = _acc_hours_row(tmp_path, 91.5)  # 100 hours: met
    assert cells[-3:] == ["100", "100", "met"], cells
    assert "░" not in cells[-4], cells


def test_csv_has_one_row_per_level_and_requirement(folder):
    result = run(folder, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 11  # ACC 4, PCC 4, MCC 3
    acc = {r["requirement"]: r for r in rows if r["level"] == "ACC"}
    assert (acc["paid_hours"]["have"], acc["paid_hours"]["still_needed"]) == ("5.5", "69.5")
    assert acc["hours"]["estimated_on"] == "2034-03-11"


def test_json_holds_totals_levels_and_sources(folder):
    result = run(folder, "--format", "json")
    got = json.loads(result.stdout)
    assert got["totals"]["clients"] == 5 and got["totals"]["hours_over_cap"] == 3.0
    assert [lv["level"] for lv in got["levels"]] == ["ACC", "PCC", "MCC"]
    assert got["levels"][2]["requirements"][0]["required"] == 2500.0


def _supervisor_level(tmp_path):
    """An association's requirements file adding one level, Supervisor (8 hours, 5 clients)."""
    path = tmp_path / "assoc.toml"
    path.write_text(
        '[source]\nname = "Example association, Supervisor level"\n\n'
        '[[level]]\nname = "Supervisor"\nhours = 8\nclients = 5\n',
        encoding="utf-8",
    )
    return path


def test_an_association_adds_its_own_level(folder, tmp_path):
    path = _supervisor_level(tmp_path)
    result = run(folder, "--requirements", str(path))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Supervisor: every requirement met." in text
    assert "Example association, Supervisor level" in text


def test_a_bad_requirements_file_is_a_usage_error_naming_file_and_key(folder, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[source]\nname = "A"\n[[level]]\nname = "S"\nhours = "x"\n', encoding="utf-8")
    result = run(folder, "--requirements", str(path))
    assert result.exit_code == 2
    assert str(path) in result.output and "hours 'x' is not a number" in result.output
    assert "Traceback" not in result.output


def test_unknown_coach_and_future_date_are_usage_errors(folder):
    unknown = CliRunner().invoke(main, ["progress", str(folder), "--coach", "C-9"])
    assert unknown.exit_code == 2 and "unknown coach C-9" in unknown.output
    future = run(folder, "--as-of", "2999-01-01")
    assert future.exit_code == 2 and "after today" in future.output


def test_no_sessions_table_exits_1(folder):
    (folder / "sessions.csv").unlink()
    result = run(folder)
    assert result.exit_code == 1 and "no sessions records" in result.output


def test_an_invalid_workspace_lists_its_problems(folder):
    coaches = folder / "coaches.csv"
    coaches.write_text(
        coaches.read_text(encoding="utf-8").replace("2025-01-01", "2025-13-01"), encoding="utf-8"
    )
    result = run(folder)
    assert result.exit_code == 1
    assert (
        "coach_training_started_on" in result.output and "No progress was computed" in result.output
    )


def _report(folder, *args: str):
    policy = str(write_policy(folder.parent))
    return CliRunner().invoke(
        main,
        ["report", *args, str(folder), "--from", "2026-01-01", "--to", "2026-06-30",
         "--policy", policy, "--out", str(folder.parent / "reports")],
    )  # fmt: skip


def test_trc_report_refuses_a_bad_requirements_file_before_rendering(folder, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[source]\nname = "A"\n[[level]]\nname = "S"\nhours = "x"\n', encoding="utf-8")
    result = _report(folder, "self-audit", "--coach", "C-1", "--requirements", str(bad))
    assert result.exit_code == 2, result.output
    assert "--requirements" in result.output and "hours 'x' is not a number" in result.output
    assert "Traceback" not in result.output
    assoc = _report(folder, "association", "--requirements", str(bad))
    assert assoc.exit_code == 2 and "not the association report" in assoc.output


@pytest.mark.slow
def test_trc_report_shows_the_associations_levels_in_the_self_audit(folder, tmp_path):
    path = _supervisor_level(tmp_path)
    result = _report(folder, "self-audit", "--coach", "C-1", "--requirements", str(path))
    assert result.exit_code == 0, result.output
    (page,) = (folder.parent / "reports").glob("self-audit_C-1_*.html")
    text = " ".join(page.read_text(encoding="utf-8").split())
    assert "Supervisor: every requirement met." in text
    assert "Example association, Supervisor level" in text
