"""One grammar for `trc report|findings|metrics|validate`: the same streams and exit codes on
invalid data, the same words for a bad date, and one root for the package's own errors."""

from __future__ import annotations

import csv
import importlib
import inspect
import io
import json
import pkgutil

import pytest
from click.testing import CliRunner

import trc_analytics
from trc_analytics.cli import main
from trc_analytics.errors import TrcError
from trc_analytics.records.workspace import PROBLEM_SCHEMA

PERIOD = ["--from", "2026-01-01", "--to", "2026-06-30"]


@pytest.fixture
def broken(tmp_path):
    """A workspace whose only coach has `maybe` in the yes/no column `active` (row 2)."""
    data = tmp_path / "ws"
    data.mkdir()
    (data / "coaches.csv").write_text("coach_id,region,active\nC-0001,north,maybe\n")
    return data


def command(name: str, data, tmp_path) -> list[str]:
    """`trc NAME` on the workspace `data`, with the arguments each command needs."""
    if name == "report":
        return ["report", "self-audit", "--data", str(data), "--coach", "C-0001", *PERIOD,
                "--out", str(tmp_path / "reports")]  # fmt: skip
    if name == "validate":
        return ["validate", str(data)]
    return [name, str(data), *PERIOD]


@pytest.mark.parametrize("name", ["report", "findings", "metrics", "validate"])
def test_an_invalid_workspace_prints_problems_on_stdout_and_the_error_on_stderr_exit_1(
    name, broken, tmp_path
):
    result = CliRunner().invoke(main, command(name, broken, tmp_path))
    assert result.exit_code == 1, result.output
    # stdout: the validation report, the same table for every command
    assert "1 problem in" in result.stdout
    assert "coaches.csv" in result.stdout and "maybe" in result.stdout
    # stderr: one human message, what did not happen and what to do
    assert result.stderr.startswith("error: 1 problem in the workspace")
    assert "coaches.csv row 2 column active" in result.stderr
    assert "or add --keep-valid to use the valid rows only." in result.stderr
    assert "maybe" not in result.stderr.split("\n", 1)[1]  # the table is not repeated there
    assert "Traceback" not in result.output
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("name", ["findings", "metrics", "validate"])
def test_an_invalid_workspace_gives_its_problems_in_the_format_asked_for(name, broken, tmp_path):
    as_json = CliRunner().invoke(main, [*command(name, broken, tmp_path), "--format", "json"])
    assert as_json.exit_code == 1
    doc = json.loads(as_json.stdout)
    assert doc["valid"] is False and doc["problem_count"] == 1
    problem = doc["problems"][0]
    assert (problem["file"], problem["row"], problem["column"]) == ("coaches.csv", 2, "active")
    as_csv = CliRunner().invoke(main, [*command(name, broken, tmp_path), "--format", "csv"])
    assert as_csv.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert list(rows[0]) == list(PROBLEM_SCHEMA) and rows[0]["value"] == "maybe"
    assert as_csv.stderr.startswith("error: 1 problem in the workspace")


@pytest.mark.parametrize("name", ["report", "findings", "metrics"])
@pytest.mark.parametrize(
    ("date_from", "date_to", "message"),
    [
        ("2026-13-01", "2026-06-30", "--from: '2026-13-01' is not a date as YYYY-MM-DD"),
        ("2026-01-01", "30/06/2026", "--to: '30/06/2026' is not a date as YYYY-MM-DD"),
        ("2026-06-30", "2026-01-01", "period ends (2026-01-01) before it starts (2026-06-30)"),
    ],
)
def test_a_bad_period_is_the_same_usage_error_in_every_command(
    name, date_from, date_to, message, broken, tmp_path
):
    args = [a for a in command(name, broken, tmp_path) if a not in PERIOD]
    result = CliRunner().invoke(main, [*args, "--from", date_from, "--to", date_to])
    assert result.exit_code == 2, result.output
    assert f"Error: {message}" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [["validate", "{ws}", "--today", "2026-02-30"], ["demo", "{ws}/d", "--today", "2026-02-30"]],
)
def test_other_date_options_use_the_same_parser_and_words(args, broken):
    result = CliRunner().invoke(main, [a.replace("{ws}", str(broken)) for a in args])
    assert result.exit_code == 2
    assert "Error: --today: '2026-02-30' is not a date as YYYY-MM-DD" in result.stderr


def _package_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(trc_analytics.__path__, "trc_analytics."):
        if not info.name.endswith("__main__"):
            names.append(info.name)
    return names


def test_every_exception_class_of_the_package_derives_from_trc_error():
    own: dict[str, type] = {}
    for name in _package_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__.startswith("trc_analytics"):
                own[f"{cls.__module__}.{cls.__qualname__}"] = cls
    assert len(own) >= 12  # the walk found them (WorkspaceError, ReportError, ...)
    strays = sorted(name for name, cls in own.items() if not issubclass(cls, TrcError))
    assert strays == []
    # callers that catch ValueError or LookupError still catch these
    from trc_analytics.disclosure import DisclosureError
    from trc_analytics.errors import MissingTables
    from trc_analytics.reports.request import ReportError

    assert issubclass(DisclosureError, ValueError) and issubclass(ReportError, ValueError)
    assert issubclass(MissingTables, LookupError)
