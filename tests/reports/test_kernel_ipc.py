"""Report kernels listen on no network port (issue 9, item 4): while a report renders, the
kernel has no listening TCP socket; its Unix sockets and connection file sit in a 0700 folder,
owner-only, gone when the runner closes; a folder left by a killed run is cleaned at the next
start, and only that one."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from trc_analytics.reports import kernel_runtime
from trc_analytics.reports.kernel import NotebookRunner
from trc_analytics.reports.kernel_runtime import OWNER_FILE, RUNTIME_PREFIX, clean_stale
from trc_analytics.reports.render import render_report

pytestmark = pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="needs /proc")

TCP_LISTEN = "0A"


def listening_tcp(pid: int) -> list[str]:
    """`address:port` (hex, as /proc shows it) of every TCP socket `pid` listens on."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == TCP_LISTEN and cols[9] in inodes:
                found.append(cols[1])
    return found


def test_the_probe_sees_a_listening_socket():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = f"{s.getsockname()[1]:04X}"
        assert any(a.endswith(":" + port) for a in listening_tcp(os.getpid()))


@pytest.mark.slow
def test_a_rendering_kernel_listens_on_no_tcp_port_and_its_files_are_private(demo_dir, tmp_path):
    runner = NotebookRunner(reuse=True).start("self-audit")
    runtime = runner.runtime_dir()
    pid = runner.kernel_pid
    assert pid is not None
    seen: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.extend(listening_tcp(pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        from trc_analytics.period import Period

        render_report(
            "self-audit",
            demo_dir,
            period=Period.parse("2026-01-01", "2026-06-30"),
            coach="C-0001",
            out_dir=tmp_path / "reports",
            runner=runner,
        )
        assert listening_tcp(pid) == []  # after every section ran, still none
        # 0700 (jupyter_client adds the sticky bit so temp cleaners leave the files alone)
        assert stat.S_IMODE(os.lstat(runtime).st_mode) & 0o777 == 0o700
        assert os.lstat(runtime).st_uid == os.getuid()
        entries = {p.name: os.lstat(p) for p in runtime.iterdir()}
        sockets = [n for n, st in entries.items() if stat.S_ISSOCK(st.st_mode)]
        files = [n for n, st in entries.items() if stat.S_ISREG(st.st_mode)]
        assert len(sockets) == 5  # shell, iopub, stdin, control, heartbeat
        assert any(n.endswith(".json") for n in files)  # the connection file
        for name, st in entries.items():
            assert not stat.S_IMODE(st.st_mode) & 0o077, (name, oct(st.st_mode))
    finally:
        done.set()
        watcher.join()
        runner.close()
    assert seen == []
    assert not runtime.exists()


def test_a_fresh_kernel_per_report_uses_the_runtime_folder_too(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import json, os\nfrom ipykernel.connect import get_connection_file\n"
            "print(json.dumps([get_connection_file(), os.getpid()]))"
        ),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    with NotebookRunner(reuse=False) as runner:
        executed = runner.run(path, {"x": 2})
        runtime = runner.runtime_dir()
    import json

    out = executed.cells[-1].outputs[0]["text"]
    connection_file, _ = json.loads(out)
    assert Path(connection_file).parent == runtime
    assert not runtime.exists()


def _stale_folder(parent: Path, pid: int) -> Path:
    folder = parent / f"{RUNTIME_PREFIX}stale{pid}"
    folder.mkdir(mode=0o700)
    (folder / OWNER_FILE).write_text(str(pid))
    (folder / "kernel-x.json").write_text("{}")
    return folder


def test_a_folder_left_by_a_killed_run_is_cleaned_at_the_next_start(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    tmp_path.chmod(0o700)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = _stale_folder(tmp_path, dead.pid)
    alive = _stale_folder(tmp_path, os.getpid())  # a run still going: kept
    other = tmp_path / "not-ours"  # not a runtime folder: kept
    other.mkdir()
    link = tmp_path / f"{RUNTIME_PREFIX}link"  # a link is never followed or removed
    link.symlink_to(other)
    runner = NotebookRunner(reuse=False)
    fresh = runner.runtime_dir()
    try:
        assert fresh.parent == tmp_path
        assert not stale.exists()
        assert alive.exists() and other.exists() and link.is_symlink()
        assert (fresh / OWNER_FILE).read_text() == str(os.getpid())
        assert stat.S_IMODE(os.lstat(fresh).st_mode) == 0o700
    finally:
        runner.close()
    assert not fresh.exists()


def test_an_unclaimed_new_folder_is_left_alone_and_other_users_folders_too(tmp_path, monkeypatch):
    young = tmp_path / f"{RUNTIME_PREFIX}young"
    young.mkdir()  # no owner file yet: another run may be making it
    assert clean_stale(tmp_path) == []
    old = time.time() - kernel_runtime.UNCLAIMED_GRACE_SECONDS - 5
    os.utime(young, (old, old))
    monkeypatch.setattr(kernel_runtime.os, "getuid", lambda: os.geteuid() + 1)
    assert clean_stale(tmp_path) == []  # someone else's
    monkeypatch.undo()
    assert clean_stale(tmp_path) == [young]


def test_a_shared_runtime_dir_is_not_used(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    assert kernel_runtime.runtime_parent() != shared


def test_the_report_kernel_refuses_a_connection_file_asking_for_tcp(tmp_path):
    from jupyter_client.connect import write_connection_file

    connection_file, _ = write_connection_file(str(tmp_path / "tcp.json"), transport="tcp")
    done = subprocess.run(
        [sys.executable, "-m", kernel_runtime.KERNEL_MODULE, "-f", connection_file],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "IPC sockets only" in done.stderr
