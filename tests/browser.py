"""Headless Chromium for the reading-surface tests: measure a page at a given width over the
DevTools protocol (on a pipe, standard library only), print it to PDF, and read the PDF back
with poppler's `pdftotext`.

Chromium's own `--window-size` cannot go below 500 px in headless mode, so the phone width is
set with `Emulation.setDeviceMetricsOverride`, as the browser's device toolbar does.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The program names Debian and other systems give Chromium.
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
#: What a page reports about its own width (run in the page once it has loaded).
MEASURE = """JSON.stringify({
  page: document.documentElement.scrollWidth,
  viewport: window.innerWidth,
  overflowing: [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                 && !e.closest('.trc-table-box'))
    .slice(0, 5).map(e => e.tagName + '.' + e.className)
})"""


def browser() -> str | None:
    """The Chromium program on PATH, or None."""
    return next((p for b in BROWSERS if (p := shutil.which(b))), None)


def _flags() -> list[str]:
    """Headless, no GPU, no first-run chatter; no sandbox when run as root (CI containers)."""
    flags = ["--headless", "--disable-gpu", "--no-first-run", "--hide-scrollbars"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")
    return flags


@dataclass
class Width:
    """What a page measured at one viewport width."""

    page: int
    viewport: int
    overflowing: list[str]


class DevTools:
    """One headless Chromium driven over `--remote-debugging-pipe` (fd 3 in, fd 4 out)."""

    def __init__(self, program: str, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:  # runs in the child: its fd 3 reads our commands, fd 4 answers
            high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)  # out of the way of 3 and 4
            high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self._proc = subprocess.Popen(
            [program, *_flags(), "--remote-debugging-pipe", f"--user-data-dir={profile}"],
            preexec_fn=wire,  # a test helper: no threads are running in this process
            pass_fds=(3, 4),  # kept open after `wire` put the pipes there
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.call("Page.enable", session=True)

    def call(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events met on the way are dropped)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def wait_for(self, event: str) -> None:
        """Read until `event` arrives from the page."""
        while self._read().get("method") != event:
            pass

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def measure(self, page: Path, width: int, height: int = 900) -> Width:
        """Open `page` in a viewport `width` CSS px wide (a phone below 700) and measure it."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 700,
        )
        self.call("Page.navigate", session=True, url=page.resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        result = self.call("Runtime.evaluate", session=True, expression=MEASURE)
        return Width(**json.loads(result["result"]["value"]))

    def screenshot(self, target: Path, *, top: int = 0, height: int | None = None) -> None:
        """A PNG of the page as last opened (for a person to look at): all of it, or `height`
        CSS px from `top`."""
        import base64

        params: dict[str, Any] = {"captureBeyondViewport": True}
        if height is not None:
            width = self.call("Runtime.evaluate", session=True, expression="innerWidth")
            clip = {"x": 0, "y": top, "width": width["result"]["value"], "height": height}
            params["clip"] = {**clip, "scale": 1}
        shot = self.call("Page.captureScreenshot", session=True, **params)
        target.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        """Close the browser and the pipes."""
        with contextlib.suppress(RuntimeError, OSError):
            self.call("Browser.close")
        try:
            self._proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


def print_pdf(program: str, page: Path, target: Path, profile: Path) -> Path:
    """Print `page` to `target` as a person printing from the browser would (no header or
    footer added by the browser; the page's own `@page` size and margins)."""
    subprocess.run(
        [
            program,
            *_flags(),
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            page.resolve().as_uri(),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=180,
    )
    return target


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of `pdf`, laid out as printed (`pdftotext -layout`)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_page_size_mm(pdf: Path) -> tuple[float, float]:
    """Width and height of the first page of `pdf` in millimetres (`pdfinfo`)."""
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    line = next(x for x in info.splitlines() if x.startswith("Page size:"))
    w, _, h = line.split(":", 1)[1].split()[:3]
    return float(w) * 25.4 / 72, float(h) * 25.4 / 72
