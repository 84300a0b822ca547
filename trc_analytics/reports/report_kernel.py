"""The kernel reports run on: ipykernel's, on IPC sockets only, files created owner-only.

Started by `kernel_runtime.ReportKernelManager` as `python -m trc_analytics.reports.report_kernel
-f <connection file>`. Beside the five channels (Unix sockets in the private runtime folder),
ipykernel binds a pipe for output of forked subprocesses to a TCP port on 127.0.0.1; reports
never fork, so that pipe is left off and the kernel listens on no network port at all. A
connection file that asks for TCP is refused.

Every report draws charts, and vl-convert's first conversion (starting its JavaScript engine)
is the longest part of a kernel's warm-up. It starts here, in a thread, before ipykernel is
even imported: vl-convert releases the GIL while its engine starts, so on a second core it runs
beside the kernel's start and the report modules' imports instead of after them.
"""

from __future__ import annotations

import os
from typing import Any

#: The smallest chart: converting it starts vl-convert's engine.
FIRST_CHART = {"mark": "point", "data": {"values": [{"a": 1}]}}


def start_chart_engine() -> Any:
    """Start vl-convert's engine in a daemon thread (returned); a chart converted meanwhile
    waits for it inside vl-convert."""
    import threading

    import vl_convert

    thread = threading.Thread(
        target=vl_convert.vegalite_to_svg,
        args=(FIRST_CHART,),
        kwargs={"allowed_base_urls": []},
        name="trc-chart-engine",
        daemon=True,
    )
    thread.start()
    return thread


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
    start_chart_engine()
    report_kernel_app().launch_instance()


if __name__ == "__main__":
    main()
