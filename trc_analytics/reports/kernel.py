"""Executing report notebooks with papermill on a kernel this module starts and keeps.

The kernel start and the imports (polars, altair, vl-convert's engine) are most of a report's
cost. `NotebookRunner(reuse=True)` starts the kernel early and queues the imports on it
(`start`), runs each notebook on it through a small papermill engine, and clears the user
namespace between reports with `%reset -f` (not before the first: the warm-up leaves no name
behind): one report overlaps the start with the caller's
validation, a batch worker pays the start once. `reuse=False` is plain papermill with a fresh
kernel per notebook. Parameters go in through papermill's `parameters` cell; no executed
notebook is written here (it holds data): the caller decides. Kernels listen on Unix sockets
in a private runtime folder, never on a network port (`kernel_runtime`); the folder goes when
the runner closes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from trc_analytics.reports._fastimport import skip_slow_optional_imports
from trc_analytics.reports.target import ReportError

skip_slow_optional_imports()

KERNEL_NAME = "python3"
#: Kernel arguments: keep the kernel's own start-up warnings out of the user's terminal, and
#: the code it runs (parameters name coaches and folders) out of IPython's history database.
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"]
#: Seconds a single cell may run before the report is abandoned.
CELL_TIMEOUT = 600
REUSE_ENGINE = "trc-reused-kernel"
#: Tag of the cell prepended to each report run on a kept kernel (removed from the result).
RESET_TAG = "trc-reset"
#: Forget the previous report's variables; imported modules stay, which is the gain.
RESET_SOURCE = "%reset -f\nimport gc as _gc\n_gc.collect()\ndel _gc"


#: Sent to a kept kernel as soon as it starts, while the caller validates the workspace: the
#: imports are most of a report's cost, and this way they overlap with the caller's own work
#: (vl-convert's engine starts meanwhile in the kernel's chart helper, `chart_engine`). It
#: ends by freezing the objects the imports made (`gc.freeze`): the full collection each
#: later report's reset cell runs then skips those ~100,000 objects (about 0.06 s CPU per
#: report) and still frees everything the previous report made. It does not collect first:
#: the imports leave a few dozen unreachable objects, and finding them cost 0.04 s CPU on the
#: path of every fresh report. It leaves no name behind, so the first report needs no reset.
WARM_MODULES = {
    "supervisor": ("trc_analytics.reports.supervisor",),
    "self-audit": ("trc_analytics.reports.self_audit",),
    "association": ("trc_analytics.reports.association", "trc_analytics.disclosure"),
}
_WARM_TEMPLATE = """
import trc_analytics.reports
import trc_analytics.metrics, trc_analytics.checks
{imports}
from trc_analytics.reports import theme
theme.enable()
del trc_analytics, theme
import gc as _gc
_gc.freeze()
del _gc
"""


def warm_source(kind: str | None) -> str:
    """The warm-up code for a report kind (every report module when None)."""
    modules = WARM_MODULES.get(kind or "", tuple(m for v in WARM_MODULES.values() for m in v))
    return _WARM_TEMPLATE.format(imports="\n".join(f"import {m}" for m in modules))


def _reset_cell() -> Any:
    import nbformat

    cell = nbformat.v4.new_code_cell(RESET_SOURCE)
    cell.metadata["tags"] = [RESET_TAG]
    return cell


class NotebookFailed(ReportError):
    """A notebook cell raised: which cell of the notebook file, and the exception it raised.

    `cell` is the cell's number in the notebook file (1 = first cell, markdown included; None
    for the parameters papermill injects), `ename`/`evalue` the exception as the notebook saw
    it. The message names all three and never holds a traceback.
    """

    def __init__(self, ename: str, evalue: str, cell_source: str = "", cell: int | None = None):
        self.ename = ename
        self.evalue = evalue
        self.cell_source = cell_source
        self.cell = cell
        raised = f"{ename}: {evalue}" if evalue else ename
        where = f"cell {cell}" if cell is not None else "the injected parameters cell"
        line = _first_line(cell_source)
        super().__init__(
            f"{where} (`{line}`) raised {raised}" if line else f"{where} raised {raised}"
        )


def _first_line(source: str, width: int = 60) -> str:
    """The first line of code of a cell (comments skipped), cut to `width` characters."""
    lines = [
        ln.strip() for ln in source.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not lines:
        return ""
    return lines[0] if len(lines[0]) <= width else lines[0][: width - 1] + "…"


def file_cell_number(cells: list[Any], executed_index: int, *, reset_cell: bool) -> int | None:
    """The 1-based number, in the notebook file, of the cell at `executed_index` of the run.

    The run holds two cells the file does not: the reset cell at the top of a kept kernel's
    run, and the parameters papermill injects after the `parameters` cell (None for that one).
    """
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
    injected_at = tagged[0] + 1 if tagged else 0
    i = executed_index - (1 if reset_cell else 0)
    if i == injected_at:
        return None
    return (i if i < injected_at else i - 1) + 1


def _register_reuse_engine() -> None:
    """A papermill engine that runs on a kernel the caller started and keeps it running."""
    from trc_analytics.reports._fastimport import import_papermill

    import_papermill()  # without PyArrow, which only its hdfs:// handler needs
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import remove_args

    class ReusedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            **kwargs: Any,
        ) -> Any:
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            kc = kwargs.pop("kc")
            client = PapermillNotebookClient(
                nb_man,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **kwargs,
            )
            client.kc = kc  # the kept connection: no new client, no 0.2 s wait_for_ready flush
            return client.execute()

    papermill_engines.register(REUSE_ENGINE, ReusedKernelEngine)


def _heartbeat_started(client: Any, timeout: float = 1.0) -> None:
    """Wait (up to `timeout` s) until the client's heartbeat thread has made its socket.

    jupyter_client's heartbeat thread makes its socket when it first runs; a runner closed
    right after it started (a request refused once `trc report` started the kernel early)
    could destroy the client's zmq context before that, and the thread then died with a
    ZMQError printed as a traceback (2 of 8 start-and-close cycles, measured).
    """
    import time

    channel = getattr(client, "_hb_channel", None)
    if channel is None:
        return
    deadline = time.monotonic() + timeout
    while channel.is_alive() and channel.socket is None and time.monotonic() < deadline:
        time.sleep(0.001)


class NotebookRunner:
    """Runs parameterized notebooks; `reuse=True` keeps one kernel across `run` calls.

    Use as a context manager (or call `close`) so a kept kernel is shut down.
    """

    def __init__(self, *, reuse: bool = False) -> None:
        self.reuse = reuse
        self._km: Any = None
        self._kc: Any = None
        self._ready = False
        #: A notebook has run on the kept kernel since it started: the next run resets first.
        self._used = False
        self._kind: str | None = None
        self._runtime: Path | None = None
        logging.getLogger("papermill").setLevel(logging.WARNING)

    def __enter__(self) -> NotebookRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, kind: str | None = None) -> NotebookRunner:
        """Start the kept kernel now and let it import what report `kind` needs and warm up.

        Returns at once: the caller goes on (e.g. validating the workspace) while the kernel
        starts; the first `run` waits for it. A no-op without `reuse` or once started.
        """
        self._kind = kind
        if not self.reuse or self._km is not None:
            return self
        from jupyter_core.utils import run_sync

        from trc_analytics.reports.kernel_runtime import ReportKernelManager

        self._km = ReportKernelManager(kernel_name=KERNEL_NAME, runtime_dir=self.runtime_dir())
        run_sync(self._km.start_kernel)(extra_arguments=KERNEL_ARGS)
        self._connect()
        _register_reuse_engine()  # imports papermill while the kernel starts
        return self

    def runtime_dir(self) -> Path:
        """This runner's private folder for kernel sockets and connection files (made once)."""
        if self._runtime is None:
            from trc_analytics.reports.kernel_runtime import make_runtime_dir

            self._runtime = make_runtime_dir()
        return self._runtime

    @property
    def kernel_pid(self) -> int | None:
        """Process id of the kept kernel, if one is running (for tests and diagnostics)."""
        provisioner = getattr(self._km, "provisioner", None)
        return getattr(provisioner, "pid", None)

    def _connect(self) -> None:
        """A client for the kept kernel; the warm-up is queued on it before the kernel is up."""
        self._kc = self._km.client()
        self._kc.start_channels()
        self._kc.execute(warm_source(self._kind), silent=True, store_history=False)
        self._ready = False
        self._used = False

    def _kernel(self) -> tuple[Any, Any]:
        """The kept kernel's manager and client, started (or restarted after a crash)."""
        from jupyter_core.utils import run_sync

        if self._km is None:
            self.start()
        elif not run_sync(self._km.is_alive)():
            self._kc.stop_channels()
            run_sync(self._km.restart_kernel)(now=True)
            self._connect()
        if not self._ready:
            self._wait_ready()
            self._ready = True
        return self._km, self._kc

    def _wait_ready(self) -> None:
        """Wait until the kernel has answered everything queued on it so far.

        The shell channel runs requests in order, so the reply to a `kernel_info` request sent
        now comes after the warm-up and the hand-over are done. jupyter_client's
        `wait_for_ready` waits for the same reply, then drains the output channel until it
        has been quiet for 0.2 s: a fixed 0.2 s on every fresh report, for messages nbclient
        ignores anyway (it reads only the replies to the cells it sends).
        """
        import time
        from queue import Empty

        from jupyter_core.utils import run_sync

        msg_id = self._kc.kernel_info()
        deadline = time.monotonic() + CELL_TIMEOUT
        while True:
            try:
                msg = run_sync(self._kc.shell_channel.get_msg)(timeout=1)
            except Empty:
                if not run_sync(self._km.is_alive)():
                    raise ReportError("the report kernel stopped while it was starting") from None
                if time.monotonic() > deadline:
                    raise ReportError(
                        f"the report kernel did not start within {CELL_TIMEOUT} s"
                    ) from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                self._kc._handle_kernel_info_reply(msg)
                return

    def run(self, notebook: str | Path, parameters: dict[str, Any]) -> Any:
        """Execute `notebook` with `parameters`; return the executed notebook node.

        Raises `NotebookFailed` with the exception a cell raised (no traceback wall).
        """
        import nbformat
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        nb = nbformat.read(Path(notebook), as_version=4)
        file_cells = list(nb.cells)
        kwargs: dict[str, Any]
        reset = False
        if self.reuse:
            km, kc = self._kernel()
            reset, self._used = self._used, True  # the warm-up and hand-over leave no names
            if reset:
                nb.cells.insert(0, _reset_cell())
            kwargs = {"engine_name": REUSE_ENGINE, "km": km, "kc": kc}
        else:
            from trc_analytics.reports.kernel_runtime import ReportKernelManager

            kwargs = {
                "extra_arguments": KERNEL_ARGS,
                "kernel_manager_class": ReportKernelManager.bound_to(self.runtime_dir()),
            }
        try:
            executed = pm.execute_notebook(
                nb,
                None,  # no executed notebook on disk: it holds data
                parameters=parameters,
                kernel_name=KERNEL_NAME,
                language="python",
                progress_bar=False,
                execution_timeout=CELL_TIMEOUT,
                **kwargs,
            )
        except PapermillExecutionError as exc:
            cell = file_cell_number(file_cells, exc.cell_index, reset_cell=reset)
            raise NotebookFailed(exc.ename, exc.evalue, exc.source, cell) from None
        executed.cells = [c for c in executed.cells if RESET_TAG not in c.metadata.get("tags", [])]
        return executed

    def hand_over(self, prepared: Any) -> None:
        """Give the kept kernel `prepared` (a `context.PreparedReport`) for its next report.

        It is pickled into an owner-only file (0600) of this runner's private runtime folder
        (0700, removed on `close`); the kernel loads it before the next notebook (the shell
        channel runs requests in order) and deletes the file. Only this user can write there,
        and this user's own kernel reads it, so unpickling crosses no boundary. A no-op
        without a kept kernel, or when the file cannot be written (the runtime folder is
        often a small in-memory file system, and a large workspace may not fit): the kernel
        then loads and computes as it would without.
        """
        if not self.reuse or self._kc is None:
            return
        import uuid

        from trc_analytics.reports.kernel_runtime import write_private

        path = self.runtime_dir() / f"prepared-{uuid.uuid4().hex}.pickle"
        if not write_private(prepared, path):  # a full runtime folder: the kernel loads itself
            return
        code = (
            "from trc_analytics.reports.context import receive_prepared as _receive\n"
            f"_receive({str(path)!r})\ndel _receive"
        )
        self._kc.execute(code, silent=True, store_history=False)

    def close(self) -> None:
        """Shut down the kept kernel, if any, and remove the runtime folder."""
        from trc_analytics.reports.kernel_runtime import remove_runtime_dir

        try:
            if self._km is not None:
                from jupyter_core.utils import run_sync

                try:
                    _heartbeat_started(self._kc)
                    self._kc.stop_channels()
                    run_sync(self._km.shutdown_kernel)(now=True)
                finally:
                    self._km = self._kc = None
        finally:
            remove_runtime_dir(self._runtime)
            self._runtime = None
