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
