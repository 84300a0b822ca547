"""`--all-coaches` never lets one coach's report overwrite another's (issue 9, item 7): file
names that meet, ignoring case as macOS and Windows do, stop the batch before anything runs."""

from __future__ import annotations

import pytest
from builders import build, coach, write_workspace
from click.testing import CliRunner

from trc_analytics.cli import main
from trc_analytics.period import Period
from trc_analytics.reports import batch
from trc_analytics.reports.batch import FileNameCollision, check_file_names
from trc_analytics.reports.request import ReportError, ReportRequest

PERIOD = Period.parse("2026-01-01", "2026-06-30")


@pytest.mark.parametrize(
    ("first", "second"), [("C/1", "C_1"), ("c-1", "C-1"), ("C 1", "c_1"), ("Ø-1", "?-1")]
)
def test_ids_whose_file_names_meet_are_an_error_naming_both(first, second):
    with pytest.raises(FileNameCollision) as err:
        check_file_names("supervisor", ["C-9", first, second], PERIOD)
    assert f"{first!r} and {second!r}" in str(err.value)
    assert isinstance(err.value, ReportError)


def request(data) -> ReportRequest:
    """A batch's self-audit request over the workspace folder `data`."""
    return ReportRequest(kind="self-audit", period=PERIOD, data=str(data))


def test_distinct_ids_pass():
    check_file_names("self-audit", ["C-1", "C-2", "C-10", "C.1"], PERIOD)


def test_render_all_refuses_before_any_worker_starts(tmp_path, monkeypatch):
    def no_pool(*a, **k):
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(batch, "ProcessPoolExecutor", no_pool)
    with pytest.raises(FileNameCollision):
        batch.render_all(request(tmp_path), ["c-1", "C-1"], out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_trc_report_all_coaches_exits_1_naming_both_ids_and_renders_nothing(tmp_path, monkeypatch):
    def no_pool(*a, **k):
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(batch, "ProcessPoolExecutor", no_pool)
    ws = write_workspace(build(coaches=[coach("c-1"), coach("C-1")]), tmp_path / "ws")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["report", "self-audit", "--all-coaches", str(ws), "--from", "2026-01-01",
         "--to", "2026-06-30", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    text = " ".join(result.stderr.split())
    assert "'C-1' and 'c-1'" in text and "no report was rendered" in text
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_batch_into_a_shared_folder_is_refused_before_it_starts(tmp_path, monkeypatch):
    def no_pool(*a, **k):
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(batch, "ProcessPoolExecutor", no_pool)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    with pytest.raises(ReportError, match="read or written by others"):
        batch.render_all(request(tmp_path), ["C-1"], out_dir=shared)
