"""Where report kernels listen: Unix sockets in a fresh owner-only folder, never a network port.

A Jupyter kernel on TCP listens on loopback ports; its key stops others sending code, but any
local user can subscribe to the output broadcast and read every section as it renders. Here
each `NotebookRunner` makes one runtime folder (`mkdtemp`: 0700, unpredictable name) under
`$XDG_RUNTIME_DIR` when that is private to the user, else the temporary folder; the connection
file (0600) and the kernel's sockets (IPC transport) live in it, and the folder is removed when
the runner closes. A folder left by a killed run is removed at the next start when it belongs to
this user and the process that made it is gone. The kernel itself runs `report_kernel`, which
also keeps ipykernel's subprocess-output pipe off TCP.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

#: Name prefix of every runtime folder (how stale ones are recognised).
RUNTIME_PREFIX = "trc-kernel-"
#: File in a runtime folder holding the pid of the process that made it.
OWNER_FILE = "owner.pid"
#: A runtime folder without an owner file is left alone this long (it may be being made).
UNCLAIMED_GRACE_SECONDS = 60
#: How often a stopping kernel is polled until its process has ended (seconds).
EXIT_POLL_SECONDS = 0.005
#: The module a report kernel runs (`python -m ...`).
KERNEL_MODULE = "trc_analytics.reports.report_kernel"


def ipc_supported() -> bool:
    """Unix sockets are available (every POSIX system); elsewhere kernels fall back to TCP."""
    return os.name == "posix"


def _private_to_me(path: Path) -> bool:
    """`path` is a real folder (not a link) owned by this user that nobody else can enter."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def runtime_parent() -> Path:
    """`$XDG_RUNTIME_DIR` when it is an absolute folder private to this user, else the temp
    folder (runtime folders themselves are always private)."""
    xdg = os.environ.get("XDG_RUNTIME_DIR", "")
    if xdg and os.path.isabs(xdg) and _private_to_me(Path(xdg)):
        return Path(xdg)
    return Path(tempfile.gettempdir())


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def clean_stale(parent: Path | None = None) -> list[Path]:
    """Remove runtime folders of this user whose process is gone; return those removed.

    Never follows a link, never touches another user's folder, and leaves a folder without an
    owner file alone for `UNCLAIMED_GRACE_SECONDS` (another run may be creating it).
    """
    parent = parent or runtime_parent()
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(RUNTIME_PREFIX):
            continue
        folder = Path(entry.path)
        try:
            st = os.lstat(folder)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            continue
        try:
            pid = int((folder / OWNER_FILE).read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            pid = None
        if pid is None and time.time() - st.st_mtime < UNCLAIMED_GRACE_SECONDS:
            continue
        if pid is not None and _process_alive(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def make_runtime_dir() -> Path:
    """A fresh 0700 runtime folder owned by this process (stale ones are cleaned first)."""
    parent = runtime_parent()
    clean_stale(parent)
    folder = Path(tempfile.mkdtemp(prefix=RUNTIME_PREFIX, dir=parent))
    fd = os.open(folder / OWNER_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(str(os.getpid()))
    return folder


def write_private(obj: Any, target: Path) -> bool:
    """Pickle `obj` to `target` in a runtime folder: created owner-only (0600) under a temporary
    name and renamed into place once whole, so a reader never meets half a file. False, with
    nothing left behind, when it cannot be written (the runtime folder is often a small
    in-memory file system): the reader then computes what it would have been handed."""
    import pickle

    partial = target.with_name(target.name + ".part")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:  # not made: nothing of ours to remove
        return False
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)
        return False
    return True


def read_private(source: str | os.PathLike[str]) -> Any | None:
    """What `write_private` pickled to `source`, or None when there is no such file or it
    cannot be read: the reader then computes what it would have been handed."""
    import pickle

    try:
        with open(source, "rb") as fh:
            return pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, TypeError, ValueError):
        return None


def remove_runtime_dir(folder: Path | None) -> None:
    """Remove a runtime folder and everything in it (sockets, connection files)."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


class ReportKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel listens on Unix sockets in `runtime_dir` only.

    `runtime_dir` is given to the constructor, or set on a subclass (`bound_to`) so nbclient
    can create one itself. The kernel runs `KERNEL_MODULE` with this interpreter.
    """

    runtime_dir: Path | None = None

    def __init__(self, **kwargs: Any) -> None:
        folder = kwargs.pop("runtime_dir", None) or type(self).runtime_dir
        if folder is not None and ipc_supported():
            name = uuid.uuid4().hex[:12]
            kwargs["transport"] = "ipc"
            kwargs["ip"] = str(Path(folder) / f"k{name}")
            kwargs["connection_file"] = str(Path(folder) / f"kernel-{name}.json")
        super().__init__(**kwargs)
        self.runtime_dir = folder

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """`python -m trc_analytics.reports.report_kernel -f <connection file> ...`."""
        extra = list(extra_arguments or [])
        return [sys.executable, "-m", KERNEL_MODULE, "-f", self.connection_file, *extra]

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        """Wait for the kernel process to end, polling every `EXIT_POLL_SECONDS`.

        jupyter_client polls a killed kernel every 0.1 s, and a SIGKILL is rarely through by
        the first poll: about 0.1 s of every report spent waiting for a process already gone.
        """
        await super()._async_wait(pollinterval=min(pollinterval, EXIT_POLL_SECONDS))

    @classmethod
    def bound_to(cls, folder: Path) -> type[ReportKernelManager]:
        """A subclass whose kernels live in `folder` (for nbclient's `kernel_manager_class`)."""
        return type("BoundReportKernelManager", (cls,), {"runtime_dir": folder})
