"""Exports never hand a spreadsheet a formula (issue 9, item 5): text cells beginning with
`=`, `+`, `-`, `@`, tab or CR are prefixed with `'` in CSV and stored as strings in XLSX;
numbers stay numbers."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import polars as pl
import pytest
from builders import build, coach, write_workspace
from click.testing import CliRunner
from metrics_world import world_frames

from trc_analytics.cli import main
from trc_analytics.exports import defuse, formula_safe, safe_csv

ATTACKS = ['=HYPERLINK(A1&"x","open")', "+1+cmd|' /C calc'!A0", "-2+3",
           "@SUM(1,2)", "\t=1+1", "\r=1+1"]  # fmt: skip


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_text_that_would_run_is_prefixed_and_numbers_stay_numbers():
    df = pl.DataFrame(
        {
            "text": [*ATTACKS, "plain", "a=b", None],
            "amount": [-5, 3, -1, 0, 2, 1, -7, 4, None],
            "share": [-0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, None],
        }
    )
    got = formula_safe(df)
    assert got["text"].to_list() == [*("'" + a for a in ATTACKS), "plain", "a=b", None]
    assert got["amount"].dtype == pl.Int64 and got["amount"].to_list() == df["amount"].to_list()
    assert got["share"].to_list() == df["share"].to_list()
    out = rows(safe_csv(df))
    assert out[1] == ["'" + ATTACKS[0], "-5", "-0.5"]  # the negative numbers are not prefixed
    assert [defuse(a) for a in ATTACKS] == ["'" + a for a in ATTACKS]


def test_categorical_and_enum_text_is_covered_too():
    df = pl.DataFrame({"c": ["=1", "ok"]}, schema={"c": pl.Categorical}).with_columns(
        e=pl.Series(["@x", "ok"], dtype=pl.Enum(["@x", "ok"]))
    )
    assert formula_safe(df).rows() == [("'=1", "'@x"), ("ok", "ok")]


@pytest.mark.parametrize("attack", ATTACKS)
def test_trc_validate_csv_defuses_a_value_from_the_records(tmp_path, attack):
    ws = tmp_path / "ws"
    ws.mkdir()
    with (ws / "coaches.csv").open("w", newline="") as fh:  # `active` must be true or false
        csv.writer(fh).writerows([["coach_id", "region", "active"], ["C-1", "north", attack]])
    result = CliRunner().invoke(main, ["validate", str(ws), "--format", "csv"])
    assert result.exit_code == 1, result.output
    table = rows(result.stdout)
    values = [dict(zip(table[0], r, strict=True))["value"] for r in table[1:]]
    assert "'" + attack.replace("\r", "\n") in [v.replace("\r", "\n") for v in values]
    assert attack not in values


def test_trc_metrics_csv_defuses_a_region_name(tmp_path):
    folder = tmp_path / "workspace"
    folder.mkdir()
    for name, df in world_frames().items():
        if "region" in df.columns:
            df = df.with_columns(pl.col("region").replace({"north": "=1+2"}))
        df.write_csv(folder / f"{name}.csv")
    result = CliRunner().invoke(
        main,
        ["metrics", str(folder), "--from", "2026-01-01", "--to", "2026-03-31", "--by", "region",
         "--format", "csv"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    regions = [r[0] for r in rows(result.stdout)[1:]]
    assert "'=1+2" in regions and "=1+2" not in regions


def test_trc_findings_csv_goes_through_the_same_function(tmp_path, monkeypatch):
    import trc_analytics.checks as checks

    found = pl.DataFrame({"check_id": ["X"], "detail": ["=cmd()"], "days": [-3]})
    monkeypatch.setattr(checks, "run_checks", lambda *a, **k: SimpleNamespace(findings=found))
    ws = write_workspace(build(coaches=[coach("C-1")]), tmp_path / "ws")
    result = CliRunner().invoke(
        main, ["findings", str(ws), "--from", "2026-01-01", "--to", "2026-03-31", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert rows(result.stdout) == [["check_id", "detail", "days"], ["X", "'=cmd()", "-3"]]


def test_a_workbook_stores_formula_like_text_as_a_string(tmp_path):
    from openpyxl import load_workbook

    from trc_analytics.demo.writing import write_frames

    frame = pl.DataFrame({"note": ["=1+2", "@SUM(1)", "http://x.example"], "n": [-1, 2, 3]})
    (path,) = write_frames({"notes": frame}, tmp_path / "out", format="xlsx")
    sheet = load_workbook(path)["notes"]
    cells = [(c.value, c.data_type) for c in sheet["A"][1:]]
    assert cells == [("=1+2", "s"), ("@SUM(1)", "s"), ("http://x.example", "s")]
    assert [c.value for c in sheet["B"][1:]] == [-1, 2, 3]
    assert not sheet._hyperlinks
