"""The kernel reports run on: ipykernel's, on IPC sockets only, files created owner-only.

Started by `kernel_runtime.ReportKernelManager` as `python -m trc_analytics.reports.report_kernel
-f <connection file>`. Beside the five channels (Unix sockets in the private runtime folder),
ipykernel binds a pipe for output of forked subprocesses to a TCP port on 127.0.0.1; no report
output comes from a subprocess (the chart helper answers through its own pipes), so that pipe
is left off and the kernel listens on no network port at all. A connection file that asks for
TCP is refused.

Every report draws charts, and vl-convert's first conversion (starting its JavaScript engine)
is the longest part of a kernel's warm-up; it holds the GIL while it runs, so started in this
process, even in a thread, it delays the imports behind it. The kernel's charts are therefore
drawn by a helper process (`chart_engine`), started here before ipykernel is even imported:
its engine starts on the other core while the kernel starts and imports the report modules.
Modules no report uses (jsonschema's optional format checkers, debugpy) are not imported at
all (`_fastimport.skip_report_kernel_imports`).
"""

from __future__ import annotations

import os
from typing import Any


def report_kernel_app() -> Any:
    """IPKernelApp that refuses TCP and opens no TCP pipe (ipykernel imported here)."""
    from ipykernel import kernelapp
    from ipykernel.iostream import IOPubThread

    class NoPipeIOPubThread(IOPubThread):
        """IOPub without the subprocess pipe (ipykernel binds it to a loopback TCP port)."""

        def __init__(self, socket: Any, pipe: bool = False, session: Any = False) -> None:
            super().__init__(socket, pipe=False, session=session)

    class ReportKernelApp(kernelapp.IPKernelApp):
        """IPKernelApp that refuses TCP."""

        def init_sockets(self) -> None:
            if self.transport != "ipc":
                self.log.critical(
                    "report kernels listen on IPC sockets only, not %s", self.transport
                )
                self.exit(1)
            super().init_sockets()

    kernelapp.IOPubThread = NoPipeIOPubThread  # type: ignore[misc]  # the name init_iopub uses
    return ReportKernelApp


def main() -> None:
    """Start the kernel (sockets and files it creates are readable by its owner only)."""
    os.umask(0o077)
    from trc_analytics.reports._fastimport import skip_report_kernel_imports
    from trc_analytics.reports.chart_engine import start_helper

    skip_report_kernel_imports()  # before anything imports jsonschema or ipykernel

    start_helper()
    report_kernel_app().launch_instance()


if __name__ == "__main__":
    main()
