"""A batch's parent computes every coach's results once and hands them to its kernels
(`context.BatchShare`): a kernel then does not compute them again, the reports come out the
same, and nothing of the hand-over is left behind or readable by others."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.reports import context, progress, supervisor
from trc_analytics.reports.context import (
    SHARE_ENV,
    SHARE_FILE_ENV,
    BatchShare,
    open_report,
    share_for_batch,
    write_share,
)

PERIOD = Period.parse("2026-01-01", "2026-06-30")
COACH = "C-0001"


@pytest.fixture
def fresh_process(monkeypatch):
    """This process as a kernel that has loaded, computed and taken nothing yet."""
    monkeypatch.setattr(context, "_WORKSPACES", {})
    monkeypatch.setattr(context, "_SHARED", {})
    monkeypatch.setattr(context, "_SHARE_TAKEN", [])
    monkeypatch.delenv(SHARE_FILE_ENV, raising=False)
    monkeypatch.delenv(SHARE_ENV, raising=False)
    return monkeypatch


def _handed_over(demo_dir: Path, folder: Path) -> tuple[Path, BatchShare]:
    """The parent's side: share the demo for the period and the one before, write the file."""
    folder.mkdir(mode=0o700)
    share = share_for_batch(
        demo_dir,
        keep_valid=False,
        periods=[PERIOD, Period.parse("2025-07-01", "2025-12-31")],
        policy=Policy(),
        prepare=progress.share_progress,
    )
    target = folder / "share.pickle"
    assert write_share(share, target)
    return target, share


def _review_tables(demo_dir: Path) -> list[pl.DataFrame]:
    ctx = open_report(
        "supervisor", data=str(demo_dir), coach=COACH, date_from="2026-01-01", date_to="2026-06-30"
    )
    return [t.frame for _, f in supervisor.SECTIONS for t in f(ctx, COACH).tables]


def _computing_fails(monkeypatch) -> None:
    """Computing metrics or checks, or building progress, here raises."""

    def refuse(*_a, **_k):
        raise AssertionError("computed in the kernel despite the hand-over")

    monkeypatch.setattr("trc_analytics.metrics.compute_in", refuse)
    monkeypatch.setattr("trc_analytics.checks.run_checks_in", refuse)
    monkeypatch.setattr(progress, "every_coach_progress", refuse)


def test_a_kernel_given_the_hand_over_computes_nothing_and_reports_the_same(
    demo_dir, tmp_path, fresh_process
):
    monkeypatch = fresh_process
    target, _ = _handed_over(demo_dir, tmp_path / "runtime")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # owner-only, in a 0700 folder
    assert not list(target.parent.glob("*.part"))  # written whole, then renamed
    # alone: the coach's own scope, computed here (no batch)
    alone = _review_tables(demo_dir)
    # a batch kernel: everything from the file
    monkeypatch.setattr(context, "_WORKSPACES", {})
    monkeypatch.setattr(context, "_SHARED", {})
    monkeypatch.setenv(SHARE_ENV, "1")
    monkeypatch.setenv(SHARE_FILE_ENV, str(target))
    with monkeypatch.context() as m:
        _computing_fails(m)
        shared = _review_tables(demo_dir)
    assert len(alone) == len(shared) > 10
    for a, b in zip(alone, shared, strict=True):
        assert_frame_equal(a, b, check_exact=False)


def test_results_of_files_changed_since_are_computed_again(demo_dir, tmp_path, fresh_process):
    """Near miss: a hand-over computed from other files (sizes and times) is not adopted."""
    monkeypatch = fresh_process
    target, share = _handed_over(demo_dir, tmp_path / "runtime")
    target.unlink()
    stale = BatchShare((share.key[0], share.key[1], ()), share.results)
    assert write_share(stale, target)
    monkeypatch.setattr(context, "_WORKSPACES", {})
    monkeypatch.setattr(context, "_SHARED", {})
    monkeypatch.setenv(SHARE_ENV, "1")
    monkeypatch.setenv(SHARE_FILE_ENV, str(target))
    assert len(_review_tables(demo_dir)) > 10
    kept = list(context._SHARED.values())
    assert kept  # computed here, for the workspace this process loaded
    assert not any(k is r for k in kept for r in stale.results)


def test_without_the_file_a_kernel_loads_and_computes_itself(demo_dir, tmp_path, fresh_process):
    monkeypatch = fresh_process
    monkeypatch.setenv(SHARE_ENV, "1")
    monkeypatch.setenv(SHARE_FILE_ENV, str(tmp_path / "never-written.pickle"))
    assert len(_review_tables(demo_dir)) > 10
    assert context._SHARED  # computed here


def test_a_hand_over_that_cannot_be_written_leaves_nothing(demo_dir, tmp_path, fresh_process):
    """The file cannot be made (a full runtime folder; here its name is taken): False, and
    nothing written; the kernels then compute themselves."""
    folder = tmp_path / "runtime"
    folder.mkdir(mode=0o700)
    share = share_for_batch(demo_dir, keep_valid=False, periods=[PERIOD], policy=Policy())
    (folder / "share.pickle.part").mkdir()
    assert not write_share(share, folder / "share.pickle")
    assert sorted(p.name for p in folder.iterdir()) == ["share.pickle.part"]


def _normalised(html: str) -> str:
    """The page without what differs between two renders of one report: cell ids."""
    return re.sub(r'id="cell-id=[0-9a-f-]+"', 'id="cell-id=X"', html)


@pytest.mark.slow
def test_batch_reviews_equal_single_renders_and_leave_no_hand_over(demo_dir, tmp_path, monkeypatch):
    from trc_analytics.reports.batch import render_all
    from trc_analytics.reports.render import render
    from trc_analytics.reports.request import ReportRequest

    # the batch's private folders go here: a short path (kernels' Unix sockets live in them)
    runtime = Path(tempfile.mkdtemp(prefix="trc-t"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    request = ReportRequest("supervisor", PERIOD, data=str(demo_dir))
    coaches = ["C-0001", "C-0002", "C-0003"]
    try:
        results = render_all(request, coaches, out_dir=tmp_path / "batch", workers=2)
        left = list(runtime.iterdir())
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
    assert [r.error for r in results] == [None, None, None]
    assert left == []  # no hand-over, socket or folder left behind
    for r in results:
        single = render(
            ReportRequest("supervisor", PERIOD, coach=r.coach, data=str(demo_dir)),
            out_dir=tmp_path / "single",
        )
        assert r.path is not None
        assert _normalised(r.path.read_text()) == _normalised(single.read_text()), r.coach


def test_files_changed_while_the_parent_computes_are_not_stamped_on_its_results(
    demo_dir, tmp_path, fresh_process
):
    """The hand-over carries the key of the files its results were computed from: a file
    edited after the parent loaded the workspace (here while it builds progress) must not
    make results of the old files look like results of the new ones to a kernel."""
    ws_dir = tmp_path / "ws"
    shutil.copytree(demo_dir, ws_dir)
    loaded = context.workspace_key(ws_dir, False)
    edited = sorted(p for p in ws_dir.iterdir() if p.is_file())[0]

    def edit_meanwhile(results):
        st = edited.stat()
        os.utime(edited, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        progress.share_progress(results)

    share = share_for_batch(
        ws_dir, keep_valid=False, periods=[PERIOD], policy=Policy(), prepare=edit_meanwhile
    )
    assert context.workspace_key(ws_dir, False) != loaded  # the files did change
    assert share.key == loaded  # the results are those of the files as loaded


def test_files_changed_during_the_load_are_loaded_again_under_their_new_key(
    demo_dir, tmp_path, fresh_process
):
    """A file edited while the workspace is being loaded: the workspace read partly before the
    edit must not be remembered under the old files' key; it is loaded again and kept under
    the key of the files as they now are."""
    from trc_analytics.records import load

    ws_dir = tmp_path / "ws"
    shutil.copytree(demo_dir, ws_dir)
    before = context.workspace_key(ws_dir, False)
    edited = sorted(p for p in ws_dir.iterdir() if p.is_file())[0]
    real_load, loads = load.load_workspace, []

    def edit_during_first_load(path, **kwargs):
        loads.append(path)
        ws = real_load(path, **kwargs)
        if len(loads) == 1:
            st = edited.stat()
            os.utime(edited, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        return ws

    fresh_process.setattr(load, "load_workspace", edit_during_first_load)
    key, _ws = context._load_keyed(ws_dir, keep_valid=False)
    assert len(loads) == 2
    assert key == context.workspace_key(ws_dir, False) != before
    assert list(context._WORKSPACES) == [key]


def test_files_unchanged_during_the_load_are_loaded_once(demo_dir, tmp_path, fresh_process):
    """Near miss: nothing edited, one load, remembered under the files' key."""
    from trc_analytics.records import load

    real_load, loads = load.load_workspace, []

    def counted(path, **kwargs):
        loads.append(path)
        return real_load(path, **kwargs)

    fresh_process.setattr(load, "load_workspace", counted)
    key, _ws = context._load_keyed(demo_dir, keep_valid=False)
    context._load_keyed(demo_dir, keep_valid=False)
    assert len(loads) == 1 and list(context._WORKSPACES) == [key]


def test_workers_use_the_parents_view_of_the_workspace_and_load_nothing(
    demo_dir, tmp_path, fresh_process
):
    """A batch worker checks the subject and writes the footer from the parent's small view
    of the workspace (coaches, sources, rows set aside, digest), owner-only beside the
    hand-over, instead of loading and validating every file again; the kernels' file does
    not carry it."""
    import pickle

    from trc_analytics.reports import batch

    monkeypatch = fresh_process
    target, share = _handed_over(demo_dir, tmp_path / "runtime")
    view_file = target.with_name(batch.VIEW_FILE)
    assert not view_file.exists()
    target.unlink()
    assert write_share(share, target, view_file)
    assert stat.S_IMODE(view_file.stat().st_mode) == 0o600
    with open(target, "rb") as fh:
        assert pickle.load(fh).view is None  # the kernels' file: results only
    loaded = context.load_cached(demo_dir, keep_valid=False)
    key, view = context.read_worker_view(view_file)
    assert key == share.key == context.workspace_key(demo_dir, False)
    assert list(view.tables) == ["coaches"]
    assert_frame_equal(view["coaches"], loaded["coaches"])
    assert (view.digest, view.sources, view.rows_set_aside) == (
        loaded.digest,
        loaded.sources,
        loaded.rows_set_aside,
    )

    def refuse(*_a, **_k):
        raise AssertionError("the worker loaded the workspace")

    monkeypatch.setattr(context, "_WORKSPACES", {})
    monkeypatch.setattr("trc_analytics.records.load.load_workspace", refuse)
    monkeypatch.setattr(batch, "_VIEW", {"file": str(view_file)})
    request = batch.ReportRequest("supervisor", PERIOD, coach=COACH, data=str(demo_dir))
    used = batch._workspace(request)
    assert list(used.tables) == ["coaches"] and used.digest == loaded.digest
    assert batch._workspace(request) is used  # read once


def test_a_worker_loads_files_changed_since_the_parent_made_its_view(
    demo_dir, tmp_path, fresh_process
):
    """Near miss: once a file has changed (size or time), the view no longer describes the
    files the kernels load: the worker loads and validates them itself, as before."""
    from trc_analytics.reports import batch

    monkeypatch = fresh_process
    ws_dir = tmp_path / "ws"
    shutil.copytree(demo_dir, ws_dir)
    share = share_for_batch(ws_dir, keep_valid=False, periods=[PERIOD], policy=Policy())
    folder = tmp_path / "runtime"
    folder.mkdir(mode=0o700)
    view_file = folder / batch.VIEW_FILE
    assert write_share(share, folder / "share.pickle", view_file)
    monkeypatch.setattr(batch, "_VIEW", {"file": str(view_file)})
    request = batch.ReportRequest("supervisor", PERIOD, coach=COACH, data=str(ws_dir))
    assert list(batch._workspace(request).tables) == ["coaches"]  # the view
    edited = sorted(p for p in ws_dir.iterdir() if p.is_file())[0]
    st = edited.stat()
    os.utime(edited, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert len(batch._workspace(request).tables) > 1  # loaded here
