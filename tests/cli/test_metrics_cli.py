"""`trc metrics`: headline figures from a workspace folder, formats and exit codes."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from metrics_world import world_frames

from trc_analytics.cli import main

PERIOD = ["--from", "2026-01-01", "--to", "2026-03-31"]


@pytest.fixture
def folder(tmp_path):
    """The hand-built workspace of `metrics_world`, written as CSV files."""
    ws = tmp_path / "workspace"
    ws.mkdir()
    for name, df in world_frames().items():
        df.write_csv(ws / f"{name}.csv")
    return ws


def run(*args: str):
    return CliRunner().invoke(main, ["metrics", *args], catch_exceptions=False)


def test_csv_headline_per_region(folder):
    result = run(str(folder), *PERIOD, "--by", "region", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["region", "active_clients", "new_intakes", "closures", "sessions_held", "hours",
         "no_show_rate"],
        ["north", "5", "3", "1", "5", "8.5", "0.125"],
        ["south", "2", "2", "2", "1", "1.0", "0.0"],
    ]  # fmt: skip


def test_json_for_a_supervisor_list_of_coaches(folder):
    result = run(str(folder), *PERIOD, "--coach", "C-1", "--coach", "C-3", "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert [r["coach_id"] for r in got] == ["C-1", "C-3"]
    assert got[0]["hours"] == 8.5 and got[1]["no_show_rate"] == 0.0


def test_table_is_readable(folder):
    result = run(str(folder), *PERIOD, "--coach", "C-1")
    assert result.exit_code == 0, result.output
    assert "headline, 2026-01-01 to 2026-03-31" in result.stdout
    assert "12.5%" in result.stdout  # the no-show rate as a percentage
    assert "8.5" in result.stdout


def test_table_prints_hours_and_money_as_the_reports_do():
    """225.75 hours print 225.7 (held hours round down, as in the supervisor review, not 225.8),
    0.0 hours print 0, and money keeps its cents."""
    from trc_analytics.cli.metrics import _cell

    assert _cell("hours", 225.75) == "225.7"
    assert _cell("unvalued_hours", 0.0) == "0"
    assert _cell("pro_bono_value", 1494.0) == "1,494.00"
    assert _cell("hours_per_month", 36.64) == "36.6"
    assert _cell("mean_sessions", 3.25) == "3.2"  # not hours: as before


def test_another_metric_and_a_policy_file(folder, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("silent_engagement_days = 90\n", encoding="utf-8")
    args = [str(folder), *PERIOD, "--metric", "silent_engagements", "--format", "json"]
    default = json.loads(run(*args).stdout)
    stricter = json.loads(run(*args, "--policy", str(policy)).stdout)
    assert [r["engagement_id"] for r in default] == ["E-2", "E-4"]
    assert [r["engagement_id"] for r in stricter] == ["E-4"]


def test_list_names_every_metric_without_needing_a_workspace():
    result = run("--list")
    assert result.exit_code == 0
    assert "headline (by coach or region): Headline figures" in result.stdout
    assert "silent_engagements (list):" in result.stdout


def test_invalid_workspace_exits_1_with_the_validation_report(folder):
    path = folder / "sessions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",60,", ",abc,", 1)  # S-2's duration, row 3 of the file
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(str(folder), *PERIOD)
    assert result.exit_code == 1
    assert "sessions.csv row 3 column duration_min" in result.stderr
    assert "a whole number" in result.stdout  # the validation report
    as_json = run(str(folder), *PERIOD, "--format", "json")
    assert as_json.exit_code == 1
    problem = json.loads(as_json.stdout)["problems"][0]
    assert (problem["file"], problem["row"], problem["column"]) == (
        "sessions.csv", 3, "duration_min",
    )  # fmt: skip


def test_missing_table_exits_1_saying_which(folder):
    (folder / "vetted_services.csv").unlink()
    result = run(str(folder), *PERIOD, "--metric", "vetted_share")
    assert result.exit_code == 1
    assert "vetted_share: no vetted_services records" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coach", "C-9"], "unknown coach C-9"),
        (["--metric", "nope"], "'nope' is not a metric"),
        (["--by", "supervisor"], "Invalid value for '--by'"),
    ],
)
def test_usage_errors_exit_2(folder, args, message):
    result = run(str(folder), *PERIOD, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_impossible_date_is_a_usage_error(folder):
    result = run(str(folder), "--from", "2026-01-01", "--to", "2026-02-30")
    assert result.exit_code == 2
    assert "2026-02-30" in result.output


def test_keep_valid_computes_from_the_valid_rows_and_says_how_many_were_set_aside(folder):
    path = folder / "sessions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",60,", ",abc,", 1)  # S-2 (C-1, held on Jan 1, 1 h)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(str(folder), *PERIOD, "--coach", "C-1", "--format", "json", "--keep-valid")
    assert result.exit_code == 0, result.output
    assert "1 row with problems set aside" in result.stderr
    (c1,) = json.loads(result.stdout)
    assert (c1["sessions_held"], c1["hours"]) == (4, 7.5)  # S-2 no longer counted
