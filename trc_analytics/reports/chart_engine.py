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

import collections
import contextlib
import json
import queue
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
_channel: _Channel | None = None
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
    return submit(spec).svg()


def helper_running() -> bool:
    """Whether this process draws its charts in a helper (a report kernel), so a chart sent
    early (`submit`) is drawn on the other core while this process goes on."""
    return _helper is not None


class Drawing:
    """One chart on its way: sent to the helper at once when there is one (`submit`), its SVG
    collected by `svg()`, which draws it here instead when the helper refused it (so
    vl-convert's own error is raised) or could not draw it."""

    def __init__(self, spec: dict[str, Any], channel: _Channel | None) -> None:
        self._spec = spec
        self._channel = channel
        self._done = threading.Event()
        self._reply: str | None = None
        if channel is None or not channel.send(self):
            self._done.set()

    def answer(self, svg: str | None) -> None:
        """The helper's SVG (None: draw it here); called once, from the channel's reader."""
        self._reply = svg
        self._done.set()

    def svg(self) -> str:
        """The SVG: the helper's when it answered in time, else drawn in this process."""
        if self._channel is not None:
            self._channel.wait(self._done)
        if self._reply is None:
            import vl_convert as vlc

            return vlc.vegalite_to_svg(self._spec, allowed_base_urls=[])
        return self._reply


def submit(spec: dict[str, Any]) -> Drawing:
    """Start drawing `spec`: sent to this process's helper now (it draws the specs in the order
    sent, on its own core, while this process builds the rest of the report), or drawn here
    when its `svg()` is asked for if there is no helper."""
    with _lock:
        helper = _helper
        global _channel
        if helper is None:
            channel = None
        elif _channel is None or _channel.helper is not helper:
            channel = _channel = _Channel(helper)
        else:
            channel = _channel
    return Drawing(spec, channel)


def _forget(helper: subprocess.Popen[bytes]) -> None:
    """Never ask `helper` again (charts are drawn here from now on)."""
    global _helper
    with _lock:
        if _helper is helper:
            _helper = None


class _Channel:
    """The pipes to one helper: specs go out in order from a sender thread (a write into a full
    pipe must not hold this process), replies come back in the same order to a reader thread,
    which hands each to its `Drawing`. A helper that dies, answers nonsense or answers nothing
    for `REPLY_SECONDS` is never asked again: every drawing still waiting is drawn here."""

    def __init__(self, helper: subprocess.Popen[bytes]) -> None:
        self.helper = helper
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._waiting: collections.deque[Drawing] = collections.deque()
        self._state = threading.Lock()
        self._open = True
        self._replies = 0
        for target, name in ((self._sender, "sends"), (self._reader, "reads")):
            threading.Thread(target=target, name=f"chart-helper-{name}", daemon=True).start()

    def send(self, drawing: Drawing) -> bool:
        """Queue `drawing`'s spec for the helper; False when it cannot go (drawn here then)."""
        try:
            body = json.dumps(drawing._spec, allow_nan=False).encode()
        except (TypeError, ValueError):  # not plain JSON: vl-convert here takes it as it is
            return False
        with self._state:
            if not self._open:
                return False
            self._waiting.append(drawing)
            self._queue.put(body)
        return True

    def wait(self, done: threading.Event) -> None:
        """Wait for `done`; a helper that answers nothing for `REPLY_SECONDS` is ended."""
        seen = self._replies
        while not done.wait(REPLY_SECONDS):
            if self._replies == seen:  # no reply at all meanwhile: stopped or wedged
                self.close(kill=True)
                return
            seen = self._replies

    def close(self, *, kill: bool) -> None:
        """Stop using the helper: every drawing still waiting is drawn here; `kill` ends it."""
        with self._state:
            self._open = False
            waiting, self._waiting = list(self._waiting), collections.deque()
        _forget(self.helper)
        self._queue.put(None)
        if kill:
            self.helper.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.helper.wait(timeout=1.0)
        if self.helper.returncode is None:  # its output ended but it lives on
            self.helper.kill()
            self.helper.wait()
        for drawing in waiting:
            drawing.answer(None)

    def _sender(self) -> None:
        while (body := self._queue.get()) is not None:
            try:
                _send(self.helper.stdin, body)  # type: ignore[arg-type]
            except (OSError, ValueError):  # the helper is gone: the reader sees it too
                return

    def _reader(self) -> None:
        while True:
            try:
                reply = _receive(self.helper.stdout)  # type: ignore[arg-type]
            except (OSError, ValueError):  # gone or answered nonsense: never asked again
                self.close(kill=False)  # ended anyway if it does not stop by itself
                return
            with self._state:
                drawing = self._waiting.popleft() if self._waiting else None
                self._replies += 1
            if drawing is None:  # a reply nobody asked for: nonsense
                self.close(kill=True)
                return
            svg = reply.get("svg") if isinstance(reply, dict) else None
            drawing.answer(svg if isinstance(svg, str) else None)


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
