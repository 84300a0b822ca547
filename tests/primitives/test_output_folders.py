"""Output folders (issue 9, items 6 and 11): an existing folder is never chmod-ed or used
through a link, a shared one is refused with a way out, and a target that cannot be written is
found before rendering (or explained in plain words after) — never a traceback."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from trc_analytics import outputs
from trc_analytics.cli import main
from trc_analytics.outputs import OutputError, check_target, private_dir, write_private
from trc_analytics.period import Period
from trc_analytics.reports import render as render_module
from trc_analytics.reports.request import ReportError

PERIOD = Period.parse("2026-01-01", "2026-06-30")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def sticky(tmp_path) -> Path:
    """A shared sticky folder, as /tmp is."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)
    return folder


def test_a_shared_sticky_folder_keeps_its_mode_and_is_refused_with_a_way_out(sticky):
    with pytest.raises(OutputError) as err:
        private_dir(sticky)
    assert mode(sticky) == 0o1777
    message = str(err.value)
    assert "can be read or written by others" in message
    assert f"mkdir -m 700 {sticky / 'private'}" in message and f"chmod 700 {sticky}" in message
    with pytest.raises(OutputError):
        check_target(sticky / "report.html")
    assert mode(sticky) == 0o1777


def test_a_private_subfolder_of_the_shared_one_is_accepted(sticky):
    inner = private_dir(sticky / "private")
    assert mode(inner) == 0o700
    write_private(inner / "a.html", "x")
    assert mode(inner / "a.html") == 0o600
    assert mode(sticky) == 0o1777


def test_a_linked_folder_is_refused_and_not_changed(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    real.chmod(0o755)
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(OutputError, match="symbolic link"):
        private_dir(link)
    with pytest.raises(OutputError, match="symbolic link"):
        check_target(link / "report.html")
    real.chmod(0o700)  # even a private folder behind a link is not written through it
    with pytest.raises(OutputError, match="symbolic link"):
        write_private(link / "report.html", "x")
    assert list(real.iterdir()) == []
    assert mode(real) == 0o700


def test_an_existing_private_folder_is_used_without_chmod(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir(mode=0o700)
    calls = []
    monkeypatch.setattr(os, "chmod", lambda *a, **k: calls.append(a))
    assert private_dir(folder) == folder
    write_private(folder / "r.html", "x")
    assert calls == []


def test_a_folder_where_the_file_should_go_is_found_before_writing(tmp_path):
    (tmp_path / "r.html").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        check_target(tmp_path / "r.html")
    with pytest.raises(OutputError, match="is a folder"):
        write_private(tmp_path / "r.html", "x")


def test_a_full_disk_is_a_message_and_leaves_nothing_behind(tmp_path, monkeypatch):
    def full(fd):  # a full disk often shows when the data is flushed to it
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match="is full"):
        write_private(tmp_path / "r.html", b"x" * 10)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_little_free_space_and_a_folder_not_writable_are_found_before_rendering(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(outputs, "MIN_FREE_BYTES", 2**62)
    with pytest.raises(OutputError, match="MiB free"):
        check_target(tmp_path / "r.html")
    monkeypatch.undo()
    # root ignores permission bits, so the answer of os.access is what is simulated here
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    with pytest.raises(OutputError, match="not writable"):
        check_target(tmp_path / "new" / "r.html")


def test_templates_may_go_into_an_existing_shared_folder_unchanged(tmp_path):
    from trc_analytics.records.templates import write_templates

    folder = tmp_path / "templates"
    folder.mkdir()
    folder.chmod(0o755)
    written = write_templates(folder)
    assert written and mode(folder) == 0o755


# --- trc report: checked before rendering, no traceback ------------------------------------


@pytest.fixture
def no_render(monkeypatch):
    """Fail the test if a kernel would be started (the check must come first)."""
    from trc_analytics.reports import kernel

    def refuse(*a, **k):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(kernel.NotebookRunner, "start", refuse)
    monkeypatch.setattr(kernel.NotebookRunner, "run", refuse)


def report(tmp_path, demo_dir, *options):
    return CliRunner().invoke(
        main,
        ["report", "self-audit", "--coach", "C-0001", str(demo_dir), "--from",
         "2026-01-01", "--to", "2026-06-30", *options],
    )  # fmt: skip


def test_trc_report_refuses_a_shared_out_folder_before_rendering(tmp_path, demo_dir, no_render):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    result = report(tmp_path, demo_dir, "--out", str(shared))
    assert result.exit_code == 1, result.output
    assert "can be read or written by others" in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert mode(shared) == 0o1777


def test_trc_report_refuses_a_folder_in_the_files_place_before_rendering(
    tmp_path, demo_dir, no_render
):
    out = tmp_path / "out"
    (out / "self-audit_C-0001_2026-01-01_2026-06-30.html").mkdir(parents=True)
    out.chmod(0o700)
    result = report(tmp_path, demo_dir, "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "is a folder" in result.stderr and "Traceback" not in result.output


def test_trc_report_refuses_a_linked_keep_notebook_folder_before_rendering(
    tmp_path, demo_dir, no_render
):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "nb").symlink_to(real)
    result = report(tmp_path, demo_dir, "--out", str(tmp_path / "o"), "--keep-notebook",
                    str(tmp_path / "nb"))  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "symbolic link" in result.stderr


def test_a_disk_that_fills_up_during_the_render_is_a_message_exit_1(
    tmp_path, demo_dir, monkeypatch
):
    """The pre-check passed, the render ran, then the write failed: a clear message, exit 1."""

    class FakeRunner:
        def __init__(self, *a, **k):
            pass

        def start(self, kind=None):
            return self

        def hand_over(self, prepared):
            pass

        def run(self, notebook, parameters):
            import nbformat

            return nbformat.v4.new_notebook()

        def close(self):
            pass

    from trc_analytics.reports import kernel

    monkeypatch.setattr(kernel, "NotebookRunner", FakeRunner)

    def full(folder, name, payload):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "_write_at", full)
    result = report(tmp_path, demo_dir, "--out", str(tmp_path / "o"))
    assert result.exit_code == 1, result.output
    assert "rendered but not saved" in result.stderr and "is full" in result.stderr
    assert "Traceback" not in result.output
    assert not [p for p in (tmp_path / "o").iterdir()]  # no partial file


def test_render_report_raises_report_error_for_an_unwritable_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    with pytest.raises(ReportError, match="not writable"):
        render_module.render_report(
            "association", tmp_path, period=PERIOD, out_dir=tmp_path / "out"
        )


# --- the other commands that write folders: a message, never a traceback -------------------


def test_other_commands_refuse_a_linked_or_shared_folder_with_exit_1(tmp_path, sticky):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    export = tmp_path / "export"
    export.mkdir()
    (export / "coaches.csv").write_text("coach_id,region,active\nC-1,north,true\n")
    runs = {
        "templates": ["templates", str(link)],
        "demo": ["demo", str(link), "--coaches", "8", "--months", "6"],
        "lab": ["lab", "--notebooks", str(sticky), "--dry-run"],
        "pseudonymize": ["pseudonymize", str(export), str(sticky), "--key-file",
                         str(tmp_path / "k.key")],
    }  # fmt: skip
    for name, args in runs.items():
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, (name, result.output, result.exception)
        assert "Traceback" not in result.output, name
        text = " ".join(result.stderr.split())
        assert "symbolic link" in text or "read or written by others" in text, (name, text)
    assert list(real.iterdir()) == [] and mode(sticky) == 0o1777
