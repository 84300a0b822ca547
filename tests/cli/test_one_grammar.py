"""One CLI grammar (issue 11): every command that reads a workspace takes it first, and fails
alike on a bad date, an unknown coach or supervisor, a missing folder and two options that
exclude each other. Each case's exit code is looked up in `EXIT_CODES`, which mirrors the
README's "Exit codes and streams" table (checked below), so the table and the commands cannot
drift apart."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from trc_analytics.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"
PERIOD = ["--from", "2026-01-01", "--to", "2026-06-30"]

#: The README table: exit code -> how its first row's "when" begins.
EXIT_CODES = {0: "done", 1: "invalid workspace", 2: "usage error"}

#: Every command reading a workspace, as (name, arguments before the workspace, after it).
COMMANDS = {
    "report supervisor": (["report", "supervisor"], ["--coach", "C-0001", *PERIOD]),
    "report self-audit": (["report", "self-audit"], ["--coach", "C-0001", *PERIOD]),
    "report association": (["report", "association"], PERIOD),
    "findings": (["findings"], PERIOD),
    "metrics": (["metrics"], PERIOD),
    "validate": (["validate"], []),
    "lab": (["lab"], ["--dry-run"]),
    "progress": (["progress"], ["--coach", "C-0001", "--as-of", "2026-06-30"]),
    "coaching-log": (
        ["coaching-log"],
        ["--coach", "C-0001", "--as-of", "2026-06-30", "--out", "never-written.csv"],
    ),
    "renewal": (["renewal"], ["--coach", "C-0001", "--as-of", "2026-06-30"]),
}
#: Commands judged as of one day (`--as-of`) rather than over a period.
AS_OF = ["progress", "coaching-log", "renewal"]
DATED = [c for c in COMMANDS if c not in ("validate", "lab", *AS_OF)]
BY_COACH = ["report supervisor", "report self-audit", "findings", "metrics", *AS_OF]


def run(name: str, folder: Path | str, tmp_path: Path, *extra: str, swap=()):
    """`trc NAME FOLDER ...` with `extra` added; `swap` replaces (old, new) arguments."""
    before, after = COMMANDS[name]
    args = [*before, str(folder), *after, *extra]
    for old, new in swap:
        args[args.index(old)] = new
    if name.startswith("report"):
        args += ["--out", str(tmp_path / "reports")]
    return CliRunner().invoke(main, args)


def test_the_exit_code_table_is_the_readme_table():
    rows = re.findall(r"^\| (\d) \| ([^|]+) \|", README.read_text(), flags=re.MULTILINE)
    first = {}
    for code, when in rows:
        first.setdefault(int(code), when.strip())
    assert {c: w.split(":")[0].split(" (")[0] for c, w in first.items()} == EXIT_CODES
    # the table is written once: no other exit-code table in the README
    assert README.read_text().count("| exit | when |") == 1


def test_the_readme_says_how_to_run_trc_in_its_first_screen():
    first_screen = "\n".join(README.read_text().splitlines()[:24])
    assert "make demo" in first_screen
    assert "source .venv/bin/activate" in first_screen and ".venv/bin/trc" in first_screen


@pytest.mark.parametrize("name", DATED)
def test_a_bad_date_is_one_message_and_a_usage_error(name, demo_dir, tmp_path):
    result = run(name, demo_dir, tmp_path, swap=[("2026-01-01", "2026-13-01")])
    assert result.exit_code == 2, result.output
    assert "--from: '2026-13-01' is not a date as YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize("name", AS_OF)
def test_a_bad_as_of_date_is_the_same_message(name, demo_dir, tmp_path):
    result = run(name, demo_dir, tmp_path, swap=[("2026-06-30", "2026-13-01")])
    assert result.exit_code == 2, result.output
    assert "--as-of: '2026-13-01' is not a date as YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize("name", BY_COACH)
def test_an_unknown_coach_is_a_usage_error_with_close_matches(name, demo_dir, tmp_path):
    wrong_case = run(name, demo_dir, tmp_path, *_coach(name, "c-0001"))
    assert wrong_case.exit_code == 2, wrong_case.output + wrong_case.stderr
    assert "unknown coach c-0001; did you mean C-0001?" in wrong_case.stderr
    far = run(name, demo_dir, tmp_path, *_coach(name, "Z"))
    assert far.exit_code == 2
    assert "unknown coach Z" in far.stderr and "did you mean" not in far.stderr


@pytest.mark.parametrize("name", ["findings", "metrics"])
def test_a_known_coach_is_not_refused(name, demo_dir, tmp_path):
    """The near miss (the reports render a known coach in tests/reports)."""
    result = run(name, demo_dir, tmp_path, "--coach", "C-0001")
    assert result.exit_code == 0, result.output + result.stderr


def _coach(name: str, coach: str) -> list[str]:
    """`--coach COACH` added: a filter for findings and metrics; for a report, the last
    `--coach` given replaces its C-0001 (click keeps the last value of a single option)."""
    return ["--coach", coach]


def test_an_unknown_supervisor_is_a_usage_error_with_close_matches(demo_dir, tmp_path):
    with (demo_dir / "coaches.csv").open() as f:
        supervisor = next(r["supervisor_id"] for r in csv.DictReader(f) if r["supervisor_id"])
    result = CliRunner().invoke(
        main,
        [
            "report",
            "supervisor",
            str(demo_dir),
            "--supervisor",
            supervisor.lower(),
            *PERIOD,
            "--out",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code == 2, result.output + result.stderr
    assert f"unknown supervisor {supervisor.lower()}; did you mean {supervisor}?" in result.stderr


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_missing_folder_is_a_usage_error(name, tmp_path):
    result = run(name, tmp_path / "nowhere", tmp_path)
    assert result.exit_code == 2, result.output
    assert "nowhere" in result.stderr and "does not exist" in result.stderr


@pytest.mark.parametrize(
    ("extra", "swap", "message"),
    [
        (["--supervisor", "C-0035"], [], "give --coach or --supervisor, not both"),
        (["--all-coaches"], [], "give --all-coaches or --coach/--supervisor, not both"),
        (["--data", "elsewhere"], [], "give the workspace as FOLDER or --data, not both"),
    ],
)
def test_two_exclusive_options_say_not_both(extra, swap, message, demo_dir, tmp_path):
    if "elsewhere" in extra:
        (tmp_path / "elsewhere").mkdir()
        extra = ["--data", str(tmp_path / "elsewhere")]
    result = run("report supervisor", demo_dir, tmp_path, *extra, swap=swap)
    assert result.exit_code == 2, result.output + result.stderr
    assert message in result.stderr


def test_the_workspace_as_data_is_an_alias(demo_dir, tmp_path):
    """`--data` alone, or the same folder twice, is the same request as FOLDER (near misses of
    "not both"): both stop at the same unknown coach, not at the workspace."""
    for args in (["--data", str(demo_dir)], [str(demo_dir), "--data", str(demo_dir)]):
        result = CliRunner().invoke(
            main,
            [
                "report",
                "self-audit",
                *args,
                "--coach",
                "c-0001",
                *PERIOD,
                "--out",
                str(tmp_path / "r"),
            ],
        )
        assert result.exit_code == 2
        assert "did you mean C-0001?" in result.stderr
    nothing = CliRunner().invoke(main, ["report", "self-audit", "--coach", "C-0001", *PERIOD])
    assert nothing.exit_code == 2 and "give the workspace" in nothing.stderr


def test_a_bad_comparison_date_has_the_same_message(demo_dir, tmp_path):
    bad = run("report self-audit", demo_dir, tmp_path, "--compare-to", "2025-07-01..2025-13-31")
    assert bad.exit_code == 2, bad.output + bad.stderr
    assert "--compare-to: '2025-13-31' is not a date as YYYY-MM-DD" in bad.stderr
    reversed_ = run(
        "report self-audit", demo_dir, tmp_path, "--compare-to", "2025-12-31..2025-07-01"
    )
    assert reversed_.exit_code == 2 and "is not a date" not in reversed_.stderr
