"""A Parquet workspace's sessions held as a scan of the validated file (issue 13, the peak).

`load_workspace` keeps the sessions of a valid Parquet workspace as a `TableScan` when reading
the file gives the validated frame exactly; the scope reads it once with its ids coded, so the
sessions' text is never held whole. A file changed after validation is refused, never computed
on; CSV workspaces and workspaces with rows set aside keep every table in memory.
"""

from __future__ import annotations

import os
import pickle

import polars as pl
import pytest
from conftest import SMALL_DEMO
from polars.testing import assert_frame_equal

from trc_analytics.demo.writing import write_frames
from trc_analytics.metrics import compute_all
from trc_analytics.period import Period
from trc_analytics.records.load import load_workspace, scan_matches
from trc_analytics.records.read import read_workspace_files
from trc_analytics.records.validate import check_workspace
from trc_analytics.records.workspace import Workspace, WorkspaceError
from trc_analytics.scope import Scope

TODAY = SMALL_DEMO.end
PERIOD = Period(SMALL_DEMO.end.replace(day=1, month=1), SMALL_DEMO.end)


@pytest.fixture
def parquet_dir(tmp_path, demo_frames):
    write_frames(demo_frames, tmp_path, format="parquet")
    return tmp_path


def validated(path) -> dict[str, pl.DataFrame]:
    """The frames validation gives, every table in memory."""
    return check_workspace(read_workspace_files(path, keep_types=True), today=TODAY).tables


def test_parquet_sessions_are_a_scan_that_reads_as_the_validated_frame(parquet_dir):
    ws = load_workspace(parquet_dir, today=TODAY)
    assert list(ws.scans) == ["sessions"]
    assert "sessions" not in ws.tables
    assert "sessions" in ws and "sessions" in ws.present and "sessions" in list(ws)
    assert_frame_equal(ws.lazy("sessions").collect(), validated(parquet_dir)["sessions"])
    # a consumer that needs the whole frame reads it once, and it is kept
    assert_frame_equal(ws["sessions"], validated(parquet_dir)["sessions"], check_exact=True)
    assert ws.tables["sessions"] is ws["sessions"]


def test_every_metric_is_the_same_on_the_scan_and_the_sessions_are_not_read_whole(parquet_dir):
    ws = load_workspace(parquet_dir, today=TODAY)
    eager = Workspace(tables=validated(parquet_dir), schema=ws.schema)
    got, want = compute_all(ws, PERIOD), compute_all(eager, PERIOD)
    assert list(got) == list(want)
    for name in want:
        assert_frame_equal(got[name], want[name], check_exact=True)
    assert "sessions" not in ws.tables  # the scope held its coded form only
    assert ws.kept_as("sessions", lambda lf: lf) is not None


def test_a_few_metrics_on_text_ids_scan_the_sessions_without_reading_them_whole(parquet_dir):
    """A scope for a few plans keeps ids as text (`codes_pay`); on a scanned table it reads
    only what its plans use, and neither deciding nor computing reads the sessions whole."""
    ws = load_workspace(parquet_dir, today=TODAY)
    eager = Workspace(tables=validated(parquet_dir), schema=ws.schema)
    names = ["fee_mix", "active_clients_by_month"]
    got, want = compute_all(ws, PERIOD, names=names), compute_all(eager, PERIOD, names=names)
    for name in names:
        assert_frame_equal(got[name], want[name], check_exact=True)
    assert "sessions" not in ws.tables and not ws._held  # neither read whole nor kept coded
    text = Scope.make(ws, PERIOD, plans=1)
    text.held_in_period().collect()  # not in memory as a frame: the held sessions are held
    assert "held_in_period" in text._cache and "engaged_sessions" not in text._cache
    assert "sessions" not in ws.tables and not ws._held
    compute_all(ws, PERIOD)  # the whole catalogue codes them, kept in the coded form only
    assert "sessions" not in ws.tables and "sessions" in ws._held
    assert Scope.make(ws, PERIOD, plans=1).codes  # later few-plan scopes reuse the codes


def test_a_sessions_file_changed_after_loading_is_refused(parquet_dir):
    ws = load_workspace(parquet_dir, today=TODAY)
    path = parquet_dir / "sessions.parquet"
    sessions = pl.read_parquet(path)
    sessions.head(sessions.height - 1).write_parquet(path)
    with pytest.raises(WorkspaceError, match=r"sessions\.parquet has changed since"):
        compute_all(ws, PERIOD)
    with pytest.raises(WorkspaceError, match=r"sessions\.parquet has changed since"):
        ws["sessions"]


def test_a_sessions_file_only_touched_after_loading_is_refused_too(parquet_dir):
    ws = load_workspace(parquet_dir, today=TODAY)
    path = parquet_dir / "sessions.parquet"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    with pytest.raises(WorkspaceError, match="load the workspace again"):
        Scope.make(ws, PERIOD).frame("sessions")


def test_an_untouched_file_is_read_again_without_complaint(parquet_dir):
    ws = load_workspace(parquet_dir, today=TODAY)
    again = pickle.loads(pickle.dumps(ws))  # a report's hand-over: the scan, not the rows
    assert again.scans == ws.scans
    assert Scope.make(again, PERIOD).frame("sessions").collect().height == (
        validated(parquet_dir)["sessions"].height
    )


def test_csv_workspaces_keep_their_sessions_in_memory(demo_dir):
    ws = load_workspace(demo_dir, today=TODAY)
    assert ws.scans == {}
    assert "sessions" in ws.tables


def test_rows_set_aside_keep_the_sessions_in_memory(parquet_dir):
    path = parquet_dir / "sessions.parquet"
    sessions = pl.read_parquet(path)
    broken = sessions.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(-5)
        .otherwise(pl.col("duration_min"))
        .alias("duration_min")
    )
    broken.write_parquet(path)
    ws = load_workspace(parquet_dir, today=TODAY, keep_valid=True)
    assert ws.rows_set_aside == 1
    assert ws.scans == {}
    assert ws["sessions"].height == sessions.height - 1


def test_a_scan_that_would_not_read_as_the_validated_frame_is_not_kept(parquet_dir):
    ws = load_workspace(parquet_dir, today=TODAY)
    scan = ws.scans["sessions"]
    frame = validated(parquet_dir)["sessions"]
    assert scan_matches(scan, frame)
    changed = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(None)
        .otherwise(pl.col("fee_amount"))
        .alias("fee_amount")
    )
    assert not scan_matches(scan, changed)
    assert not scan_matches(scan, frame.reverse())


def test_loading_proves_the_scan_from_the_columns_it_read_not_a_second_read(
    parquet_dir, monkeypatch
):
    """The proof uses the file's columns as loading read them (shaped as a scan shapes them):
    the sessions file is not read a second time, and a read that differs is still refused."""
    from trc_analytics.records.workspace import TableScan

    reads = []
    lazy = TableScan.lazy
    monkeypatch.setattr(TableScan, "lazy", lambda self: reads.append(self.file) or lazy(self))
    ws = load_workspace(parquet_dir, today=TODAY)
    assert list(ws.scans) == ["sessions"] and reads == []
    scan, frame = ws.scans["sessions"], validated(parquet_dir)["sessions"]
    source = pl.read_parquet(scan.path)
    assert scan_matches(scan, frame, source)
    assert not scan_matches(scan, frame, source.with_columns(pl.col("duration_min") + 1))
    assert reads == []  # proven in memory


def test_validate_counts_the_scanned_sessions_in_load_order(parquet_dir, demo_dir, monkeypatch):
    """Counted from the file, not read whole only to count its rows."""
    import json

    from click.testing import CliRunner

    from trc_analytics.cli import main
    from trc_analytics.records.workspace import TableScan

    reads: list[str] = []
    real_read = TableScan.read
    monkeypatch.setattr(TableScan, "read", lambda scan: reads.append(scan.file) or real_read(scan))

    def counts(path) -> dict[str, int]:
        args = ["validate", str(path), "--format", "json", "--today", TODAY.isoformat()]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["tables"]

    from_parquet, from_csv = counts(parquet_dir), counts(demo_dir)
    assert from_parquet["sessions"] == validated(parquet_dir)["sessions"].height
    assert list(from_parquet.items()) == list(from_csv.items())
    assert reads == []


def test_a_file_changed_between_loading_and_computing_ends_the_command_plainly(
    parquet_dir, monkeypatch
):
    from click.testing import CliRunner

    import trc_analytics.cli.metrics as cli_metrics
    from trc_analytics.cli import main

    real = cli_metrics.load_or_exit

    def load_then_touch(*args, **kwargs):
        ws = real(*args, **kwargs)
        path = parquet_dir / "sessions.parquet"
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        return ws

    args = ["metrics", str(parquet_dir), "--from", "2026-01-01", "--to", "2026-06-30"]
    monkeypatch.setattr(cli_metrics, "load_or_exit", load_then_touch)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "sessions.parquet has changed since the workspace was loaded" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, WorkspaceError)
    monkeypatch.setattr(cli_metrics, "load_or_exit", real)
    assert CliRunner().invoke(main, args).exit_code == 0  # untouched: computed as usual


def _replace(path, how: str) -> None:
    """Change the sessions file as a user might between loading and a report."""
    st = path.stat()
    if how == "same size, other time":
        path.write_bytes(path.read_bytes())
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    elif how == "fewer rows":
        frame = pl.read_parquet(path)
        frame.head(frame.height - 5).write_parquet(path)
    elif how == "deleted":
        path.unlink()
    elif how == "a symlink to other rows":
        other = path.with_name("elsewhere.bin")
        frame = pl.read_parquet(path)
        frame.head(frame.height - 5).write_parquet(other)
        path.unlink()
        path.symlink_to(other)


@pytest.mark.parametrize(
    "how", ["same size, other time", "fewer rows", "deleted", "a symlink to other rows"]
)
def test_a_file_changed_between_loading_and_a_report_writes_no_report(
    parquet_dir, tmp_path_factory, monkeypatch, how
):
    """`trc report` loads and validates the workspace, then computes the report's figures from
    it (the sessions read from their file) while the kernel starts. A file replaced in between
    must stop the report with one sentence (exit 1), not leave the kernel to load the new file
    and write a report of other records under the old files' digest."""
    from click.testing import CliRunner

    import trc_analytics.records.load as records_load
    from trc_analytics.cli import main

    real = records_load.load_workspace

    def load_then_replace(*args, **kwargs):
        ws = real(*args, **kwargs)
        _replace(parquet_dir / "sessions.parquet", how)
        return ws

    out = tmp_path_factory.mktemp("out")
    out.chmod(0o700)
    args = ["report", "supervisor", str(parquet_dir), "--coach", "C-0001", "--from"]
    args += ["2026-01-01", "--to", "2026-06-30", "--out", str(out)]
    monkeypatch.setattr(records_load, "load_workspace", load_then_replace)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "sessions.parquet" in result.output and "since the workspace was loaded" in result.output
    assert "Fix the rows listed" not in result.output and "Traceback" not in result.output
    assert ("removed or renamed" in result.output) is (how == "deleted")
    assert not list(out.iterdir())  # no report claiming figures
