"""The report notebooks in real JupyterLab, driven in headless Chromium (issue 11).

A notebook `trc lab` prepares opens with no unsaved-change marker; after *Run All* the headline
cards and charts carry the report's look without restyling JupyterLab; an executed notebook
JupyterLab has not signed (what `trc report --keep-notebook` writes) shows every chart. Skipped,
saying why, only where Chromium is not installed (`make system-tools` installs it).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from trc_analytics.cli.lab import lab_command, prepare_notebooks
from trc_analytics.period import Period
from trc_analytics.reports.render import render_report

# One JupyterLab per module: the tests share it (`make test` distributes by group).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("jupyterlab")]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "trc-test"
ALL_CHARTS_DRAWN = "[...document.querySelectorAll('img.trc-lab-chart')].every(i => i.naturalWidth)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, seconds: float, proc: subprocess.Popen) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            assert proc.poll() is None, f"{proc.args[0]} stopped"
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer")


class Browser:
    """One Chromium page over the DevTools protocol."""

    def __init__(self, ws_url: str) -> None:
        import websocket  # jupyter_server's own dependency

        self.ws = websocket.create_connection(ws_url, timeout=120)
        self.n = 0

    def call(self, method: str, **params: object) -> dict:
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.n:
                assert "error" not in message, message
                return message["result"]

    def js(self, expression: str) -> object:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def until(self, expression: str, seconds: float = 180) -> object:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            value = self.js(expression)
            if value:
                return value
            time.sleep(1)
        raise AssertionError(f"never true in JupyterLab: {expression}")


@pytest.fixture(scope="module")
def lab(demo_dir, tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (make system-tools installs it)")
    tmp = tmp_path_factory.mktemp("lab")
    folder = tmp / "notebooks"
    prepare_notebooks(folder)
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    render_report(
        "self-audit",
        demo_dir,
        coach="C-0001",
        period=period,
        out_dir=tmp / "out",
        keep_notebook=folder / "kept",
    )
    port, cdp = _free_port(), _free_port()
    kernels = tmp / "kernels"
    kernels.mkdir(mode=0o700)
    env = {
        **os.environ,
        "JUPYTER_TOKEN": TOKEN,
        "TRC_DATA": str(demo_dir),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
    }
    server = subprocess.Popen(
        [*lab_command(folder, no_browser=True, kernels=kernels), f"--ServerApp.port={port}",
         "--ServerApp.ip=127.0.0.1", "--LabApp.expose_app_in_browser=True"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    chrome = subprocess.Popen(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
         f"--remote-debugging-port={cdp}", f"--user-data-dir={tmp / 'chrome'}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_http(f"http://127.0.0.1:{port}/api", 120, server)
        _wait_http(f"http://127.0.0.1:{cdp}/json/version", 60, chrome)
        tabs = json.load(urllib.request.urlopen(f"http://127.0.0.1:{cdp}/json", timeout=10))
        page = Browser(next(t for t in tabs if t["type"] == "page")["webSocketDebuggerUrl"])
        yield page, port, tmp
    finally:
        for proc in (chrome, server):
            proc.terminate()
            proc.wait(timeout=30)


def _open(page: Browser, port: int, path: str) -> None:
    page.call("Page.navigate", url=f"http://127.0.0.1:{port}/lab/tree/{path}?reset&token={TOKEN}")
    page.until("!!(window.jupyterapp && document.querySelector('.jp-Notebook'))")
    page.js(
        "window.NB = () => [...window.jupyterapp.shell.widgets('main')]"
        f".find(w => w.context && w.context.path === {json.dumps(path)})"
    )
    page.until(  # the kernel has started and JupyterLab has written what it reports
        "(() => { const w = NB(); const k = w && w.sessionContext.session"
        " && w.sessionContext.session.kernel; return !!(k && k.status === 'idle'"
        " && (w.model.getMetadata('language_info') || {}).version); })()"
    )
    time.sleep(2)


def test_a_prepared_notebook_opens_clean_and_runs_with_the_report_look(lab):
    page, port, _ = lab
    _open(page, port, "supervisor_review.ipynb")
    assert page.js("NB().context.model.dirty") is False  # no unsaved-change marker
    toolbar = "getComputedStyle(document.querySelector('.jp-NotebookPanel-toolbar')).fontSize"
    before = page.js(toolbar)
    page.js("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.until("document.querySelectorAll('#' + NB().id + ' img.trc-lab-chart').length > 2")
    page.until("NB().sessionContext.session.kernel.status === 'idle'")
    assert page.js("getComputedStyle(document.querySelector('.trc-figure-value')).display") == (
        "block"  # the cards stand apart: the report stylesheet applies
    )
    assert page.js("getComputedStyle(document.querySelector('.trc-figures')).display") == "grid"
    assert page.js(toolbar) == before  # JupyterLab itself is not restyled
    assert page.js(ALL_CHARTS_DRAWN)


def test_an_unsigned_executed_notebook_shows_its_charts(lab):
    page, port, _ = lab
    _open(page, port, "kept/self-audit_C-0001_2026-01-01_2026-06-30.ipynb")
    cells = "[...Array(NB().model.cells.length).keys()].map(i => NB().model.cells.get(i))"
    assert page.js(f"{cells}.some(c => c.type === 'code' && c.outputs.length > 0 && !c.trusted)")
    page.until("document.querySelectorAll('img.trc-lab-chart').length > 0", 60)
    assert page.js(ALL_CHARTS_DRAWN)
    assert not page.js("document.body.innerText.includes('Cannot display an untrusted')")
    assert page.js("document.querySelectorAll('.jp-OutputArea-output style').length") == 0
    cards = "[...document.querySelectorAll('.trc-figure')].map(e => e.textContent)"
    assert any(re.match(r"\d+ Clients", card) for card in page.js(cards))  # not "101Clients"


def test_lab_kernels_listen_on_unix_sockets_in_the_private_folder(lab):
    """`trc lab`'s kernels use IPC in an owner-only folder, not loopback TCP ports any local
    user could subscribe to. It opens a notebook itself: under pytest-xdist it may be the only
    test of this module its worker runs."""
    page, port, tmp = lab
    _open(page, port, "coach_self_audit.ipynb")  # waits until its kernel is idle
    infos = [json.loads(f.read_text()) for f in (tmp / "runtime").glob("kernel-*.json")]
    assert infos, "no kernel ran"
    for info in infos:
        assert info["transport"] == "ipc"
        assert Path(info["ip"]).parent == tmp / "kernels"
    assert any((tmp / "kernels").iterdir())  # the sockets
    assert (tmp / "kernels").stat().st_mode & 0o077 == 0
