"""`trc report --all-coaches`: one report per active coach in parallel workers, each keeping
one kernel; a failure for one coach is reported and the others are still written."""

from __future__ import annotations

import polars as pl
import pytest
from click.testing import CliRunner
from test_notebooks import period_of

from trc_analytics.cli import main
from trc_analytics.records.load import load_workspace

pytestmark = pytest.mark.slow


def test_all_coaches_goes_on_past_a_failure_and_exits_1_with_a_summary(demo_dir, tmp_path):
    ws = load_workspace(demo_dir)
    period = period_of(ws)
    active = sorted(ws["coaches"].filter(pl.col("active"))["coach_id"].to_list())
    out = tmp_path / "reports"
    out.mkdir(mode=0o700)  # a folder others can read is refused (issue 9, item 6)
    blocked = active[1]
    # a folder where that coach's report should go: writing it fails, as a full disk would
    (out / f"self-audit_{blocked}_{period.label()}.html").mkdir()
    result = CliRunner().invoke(
        main,
        [
            "report",
            "self-audit",
            "--all-coaches",
            "--workers",
            "2",
            str(demo_dir),
            "--from",
            period.start.isoformat(),
            "--to",
            period.end.isoformat(),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 1, result.output + result.stderr
    for coach in active:
        if coach != blocked:
            assert (out / f"self-audit_{coach}_{period.label()}.html").is_file(), coach
    printed = result.stdout.split()
    assert len(printed) == len(active) - 1  # one path per report written
    assert "failed" in result.stderr and blocked in result.stderr
    assert f"1 of {len(active)} reports failed" in result.stderr
    assert "Traceback" not in result.stderr
