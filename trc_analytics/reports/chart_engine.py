"""Where a report kernel's charts are drawn: vl-convert in a helper process of the kernel.

vl-convert's first conversion starts its JavaScript engine (about 0.4 s CPU on a quiet core)
and holds the GIL all the while, so in the kernel it delays every import behind it, even when
started in a thread. A report kernel (`report_kernel.main`) therefore first starts this module
as a helper process (`start_helper`): the engine starts there, on the other core, while the
kernel imports ipykernel and the report modules, and the kernel then sends each chart's spec
to it (`draw_svg`). Elsewhere (JupyterLab, the caller, tests), and whenever the helper cannot
be reached or refuses a spec, the chart is drawn in this process as before: the same SVG, the
same errors.

Specs and drawings go through the helper's stdin and stdout, pipes only the kernel holds; the
helper allows no URL (`allowed_base_urls=[]`), writes no file, and ends when the kernel's end
of the pipe closes (the kernel stopped) or with the kernel's process group.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import threading
from typing import IO, Any

#: The smallest chart: drawing it starts vl-convert's engine.
FIRST_CHART: dict[str, Any] = {"mark": "point", "data": {"values": [{"a": 1}]}}
#: Every message is this header (the body's length in bytes) and a UTF-8 JSON body.
_HEADER = struct.Struct(">Q")
#: Longest wait for the helper's drawing of one chart (one takes well under a second; a busy
#: machine may take several): past it the helper is ended and the chart drawn here.
REPLY_SECONDS = 30.0

_helper: subprocess.Popen[bytes] | None = None
_lock = threading.Lock()


def start_helper() -> subprocess.Popen[bytes]:
    """Start the helper process for this process's charts (it starts the engine at once)."""
    global _helper
    _helper = subprocess.Popen(
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        close_fds=True,
    )
    return _helper


def draw_svg(spec: dict[str, Any]) -> str:
    """The SVG vl-convert draws for a Vega-Lite `spec`, offline (no URL may be loaded): by the
    helper process when this process started one and it answers, else here."""
    svg = _draw_in_helper(spec) if _helper is not None else None
    if svg is None:
        import vl_convert as vlc

        svg = vlc.vegalite_to_svg(spec, allowed_base_urls=[])
    return svg


def _draw_in_helper(spec: dict[str, Any]) -> str | None:
    """The helper's drawing of `spec`; None when it refused the spec (drawn here then, raising
    vl-convert's own error) or cannot be reached (then it is not asked again)."""
    global _helper
    try:
        body = json.dumps(spec, allow_nan=False).encode()
    except (TypeError, ValueError):  # not plain JSON: vl-convert here takes it as it is
        return None
    with _lock:
        helper = _helper
        if helper is None:
            return None
        answered, reply = _exchange(helper, body)
        if not answered:  # gone, answered nonsense or stuck: never asked again
            _helper = None
            helper.kill()
            helper.wait()
            return None
    svg = reply.get("svg") if isinstance(reply, dict) else None
    return svg if isinstance(svg, str) else None


def _exchange(helper: subprocess.Popen[bytes], body: bytes) -> tuple[bool, Any]:
    """(True, reply) when the helper answered `body` within `REPLY_SECONDS`, else (False, None).

    The exchange runs in a thread so that a helper that stops reading or answering (stopped,
    wedged) cannot hold the report until the cell's timeout: killing it ends the thread's
    read or write, and the chart is drawn in this process instead (the same SVG)."""
    box: list[Any] = []

    def run() -> None:
        try:
            _send(helper.stdin, body)  # type: ignore[arg-type]
            box.append(_receive(helper.stdout))  # type: ignore[arg-type]
        except (OSError, ValueError):  # the helper is gone, or answered nonsense
            pass

    worker = threading.Thread(target=run, name="chart-helper-exchange", daemon=True)
    worker.start()
    worker.join(REPLY_SECONDS)
    if worker.is_alive():
        helper.kill()  # ends the thread's pending read or write
        worker.join()
        return False, None
    return (True, box[0]) if box else (False, None)


def _send(pipe: IO[bytes], body: bytes) -> None:
    pipe.write(_HEADER.pack(len(body)) + body)
    pipe.flush()


def _receive(pipe: IO[bytes]) -> Any:
    """One message from `pipe`; ValueError when the pipe has ended or the body is not JSON."""
    head = pipe.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise ValueError("the chart helper's pipe ended")
    (size,) = _HEADER.unpack(head)
    body = pipe.read(size)
    if len(body) < size:
        raise ValueError("the chart helper's pipe ended")
    return json.loads(body)


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The helper's loop: start the engine, then draw each spec read from `requests` until it
    ends, answering `{"svg": ...}` or `{"error": ...}` on `replies`."""
    import vl_convert as vlc

    vlc.vegalite_to_svg(FIRST_CHART, allowed_base_urls=[])
    while True:
        try:
            spec = _receive(requests)
        except ValueError:  # the kernel closed its end: nothing more to draw
            return
        try:
            reply = {"svg": vlc.vegalite_to_svg(spec, allowed_base_urls=[])}
        except Exception as exc:  # the kernel draws it itself and raises vl-convert's error
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        _send(replies, json.dumps(reply).encode())


def main() -> None:
    """`python -m trc_analytics.reports.chart_engine`: serve the parent's stdin and stdout.

    Interrupting the kernel (jupyter_client signals its whole process group) must not end the
    helper: SIGINT is ignored; the kernel's end of the pipe, or its group being killed, ends it.
    """
    import os
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.umask(0o077)
    replies = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the replies
    serve(sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
