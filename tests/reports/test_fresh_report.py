"""A single fresh report starts quickly (issue 13): what its kernel and its caller import, how
the caller hands the validated workspace and results over, and that nothing is left behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

MODULES_PROBE = """
import json, sys
import {module}
print(json.dumps(sorted(m for m in ("scipy", "pandas") if m in sys.modules)))
"""


@pytest.mark.parametrize(
    "module",
    [
        "trc_analytics.reports.supervisor",
        "trc_analytics.reports.self_audit",
        "trc_analytics.reports.render",
        "trc_analytics.disclosure",
    ],
)
def test_a_coach_report_does_not_import_scipy(module: str) -> None:
    """SciPy (about 0.5 s of a kernel's start) loads only when an audit solves a program."""
    code = MODULES_PROBE.format(module=module)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_solver_imports_scipy_when_it_solves() -> None:
    """The near miss: a linear program still gets solved, SciPy loading on the first one."""
    code = (
        "import sys\nfrom trc_analytics.disclosure.solver import linprog\n"
        "assert 'scipy' not in sys.modules\n"
        "res = linprog([1.0], bounds=[(2.0, None)], method='highs')\n"
        "print(res.status, round(float(res.x[0]), 6), 'scipy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.split() == ["0", "2.0", "True"]


PARAMS = {
    "coach": "C-0001",
    "supervisor": None,
    "date_from": "2026-01-01",
    "date_to": "2026-06-30",
    "policy_file": None,
    "keep_valid": False,
    "compare_to": None,
}


def test_a_missing_tables_result_survives_the_hand_over() -> None:
    """A metric whose tables are absent is handed over as what it is, with its empty frame."""
    import pickle

    import polars as pl

    from trc_analytics.errors import MissingTables

    missing = MissingTables(["sessions", "clients"], pl.DataFrame({"coach_id": ["C-1"]}))
    back = pickle.loads(pickle.dumps(missing))
    assert isinstance(back, MissingTables)
    assert (back.tables, str(back)) == (missing.tables, str(missing))
    assert back.empty.equals(missing.empty)


def _handed_over(prepared, folder: Path) -> Path:
    """`prepared` pickled as `NotebookRunner.hand_over` writes it, received as a kernel does."""
    import pickle

    from trc_analytics.reports.context import receive_prepared

    path = folder / "prepared.pickle"
    path.write_bytes(pickle.dumps(prepared))
    receive_prepared(path)
    return path


def test_the_kernel_adopts_the_callers_workspace_and_results(demo_dir, demo_workspace, tmp_path):
    """The notebook's `open_report` takes the handed-over workspace and results (no loading,
    no computing) and they are the ones it would have computed; the file is gone."""
    from polars.testing import assert_frame_equal

    from trc_analytics.reports.context import _PREPARED, open_report, prepare_report

    params = {**PARAMS, "data": str(demo_dir)}
    prepared = prepare_report("supervisor", params, demo_workspace)
    path = _handed_over(prepared, tmp_path)
    assert not path.exists()
    ctx = open_report("supervisor", **params)
    assert not _PREPARED  # taken once
    own = open_report("supervisor", **params, workspace=demo_workspace)
    assert ctx.ws.tables.keys() == demo_workspace.tables.keys()
    assert ctx.ws is not demo_workspace and ctx.ws.digest == demo_workspace.digest
    assert "metrics" in ctx.__dict__ and "checks" in ctx.__dict__  # adopted, not computed
    assert ctx.previous is not None and "checks" in ctx.previous.__dict__
    assert_frame_equal(ctx.findings(), own.findings())
    assert_frame_equal(ctx.previous.findings(), own.previous.findings())
    for name, value in own.metrics.items():
        mine = ctx.metrics[name]
        if hasattr(value, "columns"):
            assert_frame_equal(mine, value)
        else:  # MissingTables
            assert (type(mine), str(mine)) == (type(value), str(value))


def _run_notebook_here(kind: str, params: dict, monkeypatch) -> dict:
    """Run the code cells of `kind`'s notebook in this process with `params` (nothing shown);
    the namespace they leave."""
    from trc_analytics.reports import display
    from trc_analytics.reports.render import notebook_path

    monkeypatch.setattr(display, "show", lambda *items: None)
    namespace: dict = {}
    for cell in json.loads(notebook_path(kind).read_text())["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]), namespace)
            if "parameters" in cell["metadata"].get("tags", []):
                namespace.update(params)
    return namespace


@pytest.mark.parametrize("kind", ["supervisor", "self-audit"])
def test_the_caller_computes_exactly_the_metrics_its_report_reads(
    kind, demo_dir, demo_workspace, tmp_path, monkeypatch
):
    """The hand-over carries the metrics the report's sections read, of the period and of the
    comparison period (`REPORT_METRICS`, `PREVIOUS_METRICS`), and no other: run in full on the
    adopted context, the notebook computes none in the kernel, and leaving one out of the list
    would make it compute it there."""
    from trc_analytics.metrics import registry
    from trc_analytics.reports.context import (
        PREVIOUS_METRICS,
        REPORT_METRICS,
        MetricsOnDemand,
        prepare_report,
    )

    params = {**PARAMS, "data": str(demo_dir)}
    prepared = prepare_report(kind, params, demo_workspace)
    assert list(prepared.results["metrics"]) == list(REPORT_METRICS[kind])
    assert list(prepared.previous["metrics"]) == list(PREVIOUS_METRICS)
    assert len(REPORT_METRICS[kind]) < len(registry())
    _handed_over(prepared, tmp_path)
    ctx = _run_notebook_here(kind, params, monkeypatch)["ctx"]
    for context in (ctx, ctx.previous):
        assert isinstance(context.metrics, MetricsOnDemand)
        assert context.metrics.computed_here == ()


def test_a_metric_the_caller_did_not_compute_is_computed_in_the_kernel(
    demo_dir, demo_workspace, tmp_path
):
    """The near miss: a metric outside the list is computed on first use, in the context's own
    scope, and equals the one computed whole; the rest come with it, in the registry's order."""
    from polars.testing import assert_frame_equal

    from trc_analytics.metrics import registry
    from trc_analytics.reports.context import REPORT_METRICS, open_report, prepare_report

    params = {**PARAMS, "data": str(demo_dir)}
    _handed_over(prepare_report("self-audit", params, demo_workspace), tmp_path)
    ctx = open_report("self-audit", **params)
    own = open_report("self-audit", **params, workspace=demo_workspace)
    assert "sessions_by" not in REPORT_METRICS["self-audit"]
    assert_frame_equal(ctx.metrics["sessions_by"], own.metrics["sessions_by"])
    assert "sessions_by" in ctx.metrics.computed_here
    assert "headline" not in ctx.metrics.computed_here
    assert list(ctx.metrics) == list(registry())
    assert_frame_equal(ctx.previous.metric("sessions_by")[0], own.previous.metric("sessions_by")[0])


def test_another_reports_parameters_do_not_take_the_prepared_results(
    demo_dir, demo_workspace, tmp_path
):
    """The near miss: a prepared report is for its own parameters only (another coach, another
    period compute their own), and it is taken once."""
    from trc_analytics.reports.context import _PREPARED, open_report, prepare_report

    params = {**PARAMS, "data": str(demo_dir)}
    _handed_over(prepare_report("supervisor", params, demo_workspace), tmp_path)
    other = open_report("supervisor", **{**params, "coach": "C-0002"})
    later = open_report("supervisor", **{**params, "date_from": "2026-02-01"})
    assert "metrics" not in other.__dict__ and "metrics" not in later.__dict__
    assert len(_PREPARED) == 1
    assert "metrics" in open_report("supervisor", **params).__dict__
    again = open_report("supervisor", **params)
    assert "metrics" not in again.__dict__
    assert not _PREPARED


def test_the_hand_over_file_is_owner_only_and_goes_with_the_runtime_folder() -> None:
    """The pickle is written 0600 into the runner's 0700 folder; closing removes both."""
    import stat

    from trc_analytics.reports.kernel import NotebookRunner

    sent: list[str] = []

    class Client:
        def execute(self, code: str, **_kw: object) -> None:
            sent.append(code)

    runner = NotebookRunner(reuse=True)
    runner._kc = Client()
    runner.hand_over({"figures": [1, 2, 3]})
    folder = runner.runtime_dir()
    (file,) = list(folder.glob("prepared-*.pickle"))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert str(file) in sent[0] and "receive_prepared" in sent[0]
    runner._kc = None
    runner.close()
    assert not folder.exists()


def test_a_fresh_report_does_not_read_the_workspace_twice(demo_dir, tmp_path, monkeypatch):
    """`render` validates the workspace once, in the caller; the kernel works from what it is
    handed. Shown by taking the files away once the caller has loaded them: the report is
    still written (and the same as without the hand-over), while a kernel left to load the
    workspace itself finds none."""
    import shutil

    import trc_analytics.records.load as load
    from trc_analytics.period import Period
    from trc_analytics.reports.kernel import NotebookRunner
    from trc_analytics.reports.render import render_report
    from trc_analytics.reports.request import ReportError

    real_load = load.load_workspace
    moved = tmp_path / "moved"

    def load_then_move(path, **kw):
        ws = real_load(path, **kw)
        shutil.move(str(path), str(moved))  # the kernel cannot read it from `path` any more
        return ws

    data = tmp_path / "workspace"
    shutil.copytree(demo_dir, data)
    monkeypatch.setattr(load, "load_workspace", load_then_move)
    period = Period.parse("2026-01-01", "2026-06-30")
    page = render_report("supervisor", data, coach="C-0001", period=period, out_dir=tmp_path / "a")
    assert "C-0001" in page.read_text(encoding="utf-8")

    shutil.move(str(moved), str(data))
    monkeypatch.setattr(NotebookRunner, "hand_over", lambda self, prepared: None)
    with pytest.raises(ReportError, match=r"(?i)no workspace at"):
        render_report("supervisor", data, coach="C-0001", period=period, out_dir=tmp_path / "b")


def test_the_report_kernel_starts_its_chart_helper_before_ipykernel_loads() -> None:
    """vl-convert's engine (the longest part of the warm-up, holding the GIL while it starts)
    starts in a helper process, first thing, so it runs beside ipykernel's start instead of
    before it; importing the module alone starts nothing, and no engine starts in the kernel."""
    code = (
        "import sys\n"
        "from trc_analytics.reports import chart_engine, report_kernel as rk\n"
        "print('ipykernel' in sys.modules, chart_engine._helper is None)\n"
        "def app():\n"
        "    helper = chart_engine._helper\n"
        "    print('ipykernel' in sys.modules, helper.poll() is None)\n"
        "    print(chart_engine.draw_svg(chart_engine.FIRST_CHART).startswith('<svg'))\n"
        "    print('vl_convert' in sys.modules)\n"
        "    helper.stdin.close()\n"
        "    print(helper.wait(timeout=60))\n"
        "    raise SystemExit(0)\n"
        "rk.report_kernel_app = app\n"
        "rk.main()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.split() == ["False", "True", "False", "True", "True", "False", "0"]


@pytest.fixture
def chart_helper():
    """A running chart helper for this process (stopped afterwards)."""
    from trc_analytics.reports import chart_engine

    helper = chart_engine.start_helper()
    yield helper
    chart_engine._helper = None
    helper.kill()
    helper.wait(timeout=60)


def test_the_chart_helper_draws_what_vl_convert_draws_here(chart_helper) -> None:
    """The same SVG from the helper as from vl-convert in this process, for a chart of the
    reports (dates, numbers, text), and the helper stays up for the next one."""
    import datetime as dt

    import polars as pl
    import vl_convert as vlc

    from trc_analytics.reports import chart_engine, charts, theme

    frame = pl.DataFrame(
        {"month": [dt.date(2026, 1, 1), dt.date(2026, 2, 1)], "held": [3, 4], "done": [2.5, 1]}
    )
    chart = charts.monthly(frame, {"held": "Sessions held", "done": "Done"}, y_title="Sessions")
    spec = theme.chart_spec(chart)
    assert chart_engine.draw_svg(spec) == vlc.vegalite_to_svg(spec, allowed_base_urls=[])
    assert chart_engine._helper is chart_helper and chart_helper.poll() is None


def test_a_spec_the_helper_refuses_raises_vl_converts_own_error(chart_helper) -> None:
    """The near miss: a spec vl-convert refuses (here one that would load a URL: the helper
    allows none either) fails as it fails in this process, and the helper is still there for
    the next chart."""
    from trc_analytics.reports import chart_engine

    bad = {"mark": "point", "data": {"url": "http://example.com/clients.csv"}}
    with pytest.raises(ValueError, match="url not allowed"):
        chart_engine.draw_svg(bad)
    assert chart_engine._helper is chart_helper and chart_helper.poll() is None
    assert chart_engine.draw_svg(chart_engine.FIRST_CHART).startswith("<svg")


def test_a_chart_is_drawn_here_when_the_helper_has_gone(chart_helper) -> None:
    """A helper that died (killed with the kernel's group, say) is not asked again: the chart
    is drawn in this process, the same SVG."""
    import vl_convert as vlc

    from trc_analytics.reports import chart_engine

    chart_helper.kill()
    chart_helper.wait(timeout=60)
    svg = chart_engine.draw_svg(chart_engine.FIRST_CHART)
    assert svg == vlc.vegalite_to_svg(chart_engine.FIRST_CHART, allowed_base_urls=[])
    assert chart_engine._helper is None


def test_a_chart_is_drawn_here_when_the_helper_stops_answering(chart_helper, monkeypatch) -> None:
    """A helper that is alive but answers nothing (stopped, wedged) held the report until the
    cell's 10-minute timeout and then failed it; past `REPLY_SECONDS` it is ended and the chart
    drawn in this process, the same SVG, and it is not asked again."""
    import signal
    import time

    import vl_convert as vlc

    from trc_analytics.reports import chart_engine

    assert chart_engine.draw_svg(chart_engine.FIRST_CHART).startswith("<svg")  # it answers
    monkeypatch.setattr(chart_engine, "REPLY_SECONDS", 1.0)
    chart_helper.send_signal(signal.SIGSTOP)
    start = time.monotonic()
    svg = chart_engine.draw_svg(chart_engine.FIRST_CHART)
    assert time.monotonic() - start < 30
    assert svg == vlc.vegalite_to_svg(chart_engine.FIRST_CHART, allowed_base_urls=[])
    assert chart_engine._helper is None
    assert chart_helper.poll() is not None  # ended and reaped, not left stopped


def test_a_hand_over_that_does_not_fit_is_dropped_whole(monkeypatch) -> None:
    """The near miss of the hand-over: when the runtime folder is full (a small tmpfs and a
    large workspace), no partial file stays and the kernel is told nothing (it loads itself)."""
    import errno
    import pickle

    from trc_analytics.reports.kernel import NotebookRunner

    sent: list[str] = []

    class Client:
        def execute(self, code: str, **_kw: object) -> None:
            sent.append(code)

    def full_disk(obj: object, fh, protocol: int = 0) -> None:
        fh.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pickle, "dump", full_disk)
    runner = NotebookRunner(reuse=True)
    runner._kc = Client()
    try:
        runner.hand_over({"figures": [1, 2, 3]})
        assert sent == []
        assert list(runner.runtime_dir().glob("prepared-*")) == []
    finally:
        runner._kc = None
        runner.close()


class _Shell:
    """A shell channel handing out `replies` (None: nothing arrived within the timeout)."""

    def __init__(self, replies: list[dict | None]) -> None:
        self.replies = replies

    async def get_msg(self, timeout: float | None = None) -> dict:
        from queue import Empty

        reply = self.replies.pop(0)
        if reply is None:
            raise Empty
        return reply


class _Client:
    def __init__(self, replies: list[dict | None]) -> None:
        self.shell_channel = _Shell(replies)
        self.handled: list[dict] = []

    def kernel_info(self) -> str:
        return "info-1"

    def _handle_kernel_info_reply(self, msg: dict) -> None:
        self.handled.append(msg)


class _Manager:
    def __init__(self, alive: bool) -> None:
        self.alive = alive

    async def is_alive(self) -> bool:
        return self.alive


def _reply(parent: str, kind: str) -> dict:
    return {"msg_type": kind, "parent_header": {"msg_id": parent}, "content": {}}


def test_a_fresh_kernel_is_ready_when_it_answers_what_was_queued_before() -> None:
    """The runner waits for the reply to its own `kernel_info`, which the kernel sends after
    the warm-up's and the hand-over's (requests run in order), and no longer: the output
    channel is not drained (jupyter_client's `wait_for_ready` waits 0.2 s for it to go quiet)."""
    from trc_analytics.reports.kernel import NotebookRunner

    runner = NotebookRunner(reuse=True)
    replies = [
        _reply("warm-up", "execute_reply"),
        None,
        _reply("hand-over", "execute_reply"),
        _reply("info-1", "kernel_info_reply"),
        _reply("later", "execute_reply"),
    ]
    runner._kc, runner._km = _Client(replies), _Manager(alive=True)
    runner._wait_ready()
    assert [m["parent_header"]["msg_id"] for m in runner._kc.handled] == ["info-1"]
    assert runner._kc.shell_channel.replies == [_reply("later", "execute_reply")]


def test_a_kernel_that_dies_while_starting_stops_the_report_in_plain_words() -> None:
    """The near miss: no reply and no kernel any more is a `ReportError`, not a wait."""
    from trc_analytics.reports.kernel import NotebookRunner
    from trc_analytics.reports.request import ReportError

    runner = NotebookRunner(reuse=True)
    runner._kc, runner._km = _Client([_reply("warm-up", "execute_reply"), None]), _Manager(False)
    with pytest.raises(ReportError, match="stopped while it was starting"):
        runner._wait_ready()


def test_a_stopped_kernel_is_polled_often_until_its_process_ends(monkeypatch) -> None:
    """A killed kernel is checked every `EXIT_POLL_SECONDS` (jupyter_client: every 0.1 s)."""
    import asyncio

    from trc_analytics.reports import kernel_runtime

    states = [True, True, False]
    pauses: list[float] = []
    real_sleep = asyncio.sleep

    async def alive(self) -> bool:
        return states.pop(0)

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(kernel_runtime.ReportKernelManager, "_async_is_alive", alive)
    monkeypatch.setattr(asyncio, "sleep", sleep)
    manager = kernel_runtime.ReportKernelManager(kernel_name="python3")
    asyncio.run(manager._async_wait())
    assert pauses == [kernel_runtime.EXIT_POLL_SECONDS] * 2
    assert kernel_runtime.EXIT_POLL_SECONDS < 0.1


def test_the_exporter_is_built_in_a_thread_while_the_notebook_runs(monkeypatch) -> None:
    """`render` builds nbconvert's exporter beside the notebook's run, not before it: the
    thread leaves the built exporter in the cache `export_html` uses."""
    from trc_analytics.reports import render

    render._exporter.cache_clear()
    building = render._build_exporter_meanwhile()
    assert building.name == "trc-exporter" and building.daemon
    building.join(timeout=300)
    assert render._exporter.cache_info().currsize == 1


def test_an_exporter_that_cannot_be_built_fails_in_the_callers_thread(monkeypatch) -> None:
    """The near miss: the thread swallows nothing for good; `export_html` builds it again and
    the failure reaches the caller as itself."""
    import nbformat

    from trc_analytics.reports import render

    def broken() -> None:
        raise OSError("template folder unreadable")

    monkeypatch.setattr(render, "_exporter", broken)
    render._build_exporter_meanwhile().join(timeout=60)
    with pytest.raises(OSError, match="template folder unreadable"):
        render.export_html(nbformat.v4.new_notebook(), title="t", footer="")


def test_interrupting_the_kernels_group_leaves_the_chart_helper_running(chart_helper) -> None:
    """jupyter_client interrupts a kernel by signalling its process group, helper included:
    the helper ignores SIGINT and still draws."""
    import os
    import signal
    import time

    from trc_analytics.reports import chart_engine

    assert chart_engine.draw_svg(chart_engine.FIRST_CHART).startswith("<svg")  # it is serving
    os.kill(chart_helper.pid, signal.SIGINT)
    time.sleep(0.2)
    assert chart_helper.poll() is None
    assert chart_engine.draw_svg({"mark": "bar", "data": {"values": [{"a": 2}]}}).startswith("<svg")
    assert chart_engine._helper is chart_helper


IMPORTS_PROBE = """
import json, sys
{before}
import {module}
print(json.dumps(sorted(m for m in {names!r} if sys.modules.get(m) is not None)))
"""


def _imported(module: str, names: tuple[str, ...], before: str = "") -> list[str]:
    """Which of `names` a fresh interpreter has imported after `before` and `import module`."""
    code = IMPORTS_PROBE.format(before=before, module=module, names=names)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "module",
    [
        "trc_analytics.reports.supervisor",
        "trc_analytics.reports.self_audit",
        "trc_analytics.reports.render",
    ],
)
def test_a_coach_report_does_not_import_the_disclosure_package(module: str) -> None:
    """Only the association report publishes under disclosure rules: its audits and NumPy
    (about 0.1 s CPU) stay out of a coach report's kernel and of `trc report`'s start."""
    assert _imported(module, ("trc_analytics.disclosure", "numpy")) == []


def test_the_association_request_still_checks_its_release_conditions() -> None:
    """The near miss: validating an association request loads the release rules and applies
    them (a min_cell below the floor is refused, naming the floor)."""
    from trc_analytics.period import Period
    from trc_analytics.reports.request import ReportRequest, ReportUsageError

    period = Period.parse("2026-01-01", "2026-06-30")
    ReportRequest("association", period).validate()
    assert "trc_analytics.disclosure.release" in sys.modules
    with pytest.raises(ReportUsageError, match="min_cell 4 is below the floor of 5"):
        try:
            ReportRequest("association", period, min_cell=4).validate()
        except ReportUsageError as exc:
            raise ReportUsageError(exc.notebook) from None


SKIPPED_BY_KERNEL = ("debugpy", "rfc3986_validator", "isoduration", "webcolors", "jsonpointer")


def test_a_report_kernel_imports_no_format_checker_and_no_debugger() -> None:
    """A report kernel marks jsonschema's optional format checkers and debugpy unavailable
    before anything imports them: altair and ipykernel (its debugger included) load without
    them, and a report chart still validates and converts to its spec."""
    before = (
        "from trc_analytics.reports._fastimport import skip_report_kernel_imports\n"
        "skip_report_kernel_imports()\n"
        "import altair as alt, ipykernel.ipkernel, ipykernel.debugger as d\n"
        "assert not d._is_debugpy_available\n"
        "chart = alt.Chart(alt.Data(values=[{'a': 1}])).mark_bar().encode(x='a:Q')\n"
        "assert chart.to_dict(validate=True)['mark']['type'] == 'bar'\n"
    )
    assert _imported("jsonschema", SKIPPED_BY_KERNEL, before) == []


def test_outside_a_report_kernel_the_format_checkers_and_debugger_load_as_installed() -> None:
    """The near miss: elsewhere (JupyterLab kernels, `trc report` itself) nothing is skipped
    beyond the Lark grammar: every installed checker and debugpy still load."""
    from importlib.util import find_spec

    installed = tuple(m for m in SKIPPED_BY_KERNEL if find_spec(m) is not None)
    if not installed:
        pytest.skip("none of the optional format checkers nor debugpy is installed here")
    before = "import trc_analytics.reports.theme\nimport altair, ipykernel.debugger\n"
    assert _imported("jsonschema", installed, before) == sorted(installed)


def test_the_vega_lite_schema_checks_only_formats_a_report_chart_does_without() -> None:
    """The formats Vega-Lite's schema declares are "uri" and "uri-reference" (which a report
    chart, drawn from inline data with no URL allowed, never holds) and "color-hex" (which no
    checker knows): skipping the other checkers changes no validation. A new format in a
    later altair fails here, to be looked at."""
    import re
    from importlib import resources

    from trc_analytics.reports._fastimport import FORMAT_CHECKERS

    schemas = resources.files("altair.vegalite.v6.schema")
    text = next(p for p in schemas.iterdir() if p.name.endswith(".json")).read_text("utf-8")
    formats = set(re.findall(r'"format":\s*"([^"]+)"', text))
    assert formats <= {"uri", "uri-reference", "color-hex"}
    skipped = {f for fs in FORMAT_CHECKERS.values() for f in fs}
    assert formats & skipped <= {"uri", "uri-reference"}


NAMES_NOTEBOOK_CELL = (
    "import json\n"
    "print(json.dumps(sorted(n for n in globals() if not n.startswith('_')"
    " and n not in ('In', 'Out', 'get_ipython', 'exit', 'quit', 'open', 'json'))))"
)


def test_a_kept_kernels_first_report_runs_without_a_reset_and_sees_no_warm_up_name(tmp_path):
    """The warm-up leaves no name behind, so the first notebook on a kept kernel runs without
    the reset cell (one cell less); the next one is reset first and sees nothing of the
    first's."""
    import nbformat

    from trc_analytics.reports.kernel import RESET_TAG, NotebookRunner

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("left = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(NAMES_NOTEBOOK_CELL),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    path = tmp_path / "names.ipynb"
    nbformat.write(nb, path)
    names: list[list[str]] = []
    counts: list[list[int]] = []  # IPython's execution counts: one per cell the kernel ran
    with NotebookRunner(reuse=True) as runner:
        runner.start("supervisor")
        for left in (1, 2):
            executed = runner.run(path, {"left": left})
            names.append(json.loads(executed.cells[-1].outputs[0]["text"]))
            counts.append([c.execution_count for c in executed.cells])
            assert not any(RESET_TAG in c.metadata.get("tags", []) for c in executed.cells)
    assert names == [["left"], ["left"]]
    assert counts[0] == [1, 2, 3]  # parameters, injected parameters, the probe: nothing before
    assert counts[1] == [5, 6, 7]  # the reset cell ran as 4


# --- `trc report` starts its kernel before its heavy imports ----------------------------------

EARLY_KERNEL_PROBE = """
import json, sys
from trc_analytics.cli import main
from trc_analytics.reports import kernel

def start(self, kind=None):
    print(json.dumps({{"kind": kind, "polars": "polars" in sys.modules,
                      "request": "trc_analytics.reports.request" in sys.modules}}))
    sys.stdout.flush()
    raise SystemExit(3)

kernel.NotebookRunner.start = start
main(["report", {args}, "--from", "2026-01-01", "--to", "2026-06-30", "--out", {out!r}])
"""


def _early_kernel(args: list[str], out: Path) -> subprocess.CompletedProcess[str]:
    code = EARLY_KERNEL_PROBE.format(args=", ".join(repr(a) for a in args), out=str(out))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


def test_trc_report_starts_its_kernel_before_it_imports_polars(demo_dir, tmp_path) -> None:
    """A single report's kernel starts before the command imports polars, the request and the
    report modules (about 0.5 s CPU), so it warms up meanwhile; for the report's kind."""
    done = _early_kernel(["self-audit", "--coach", "C-0001", str(demo_dir)], tmp_path / "out")
    assert done.returncode == 3, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"kind": "self-audit", "polars": False, "request": False}


@pytest.mark.parametrize(
    "args",
    [
        ["self-audit", "{demo}"],  # no --coach
        ["supervisor", "--coach", "C-0001", "--supervisor", "C-0035", "{demo}"],
        ["association", "--coach", "C-0001", "{demo}"],
    ],
)
def test_trc_report_starts_no_kernel_for_a_subject_it_refuses(args, demo_dir, tmp_path) -> None:
    """The near miss: a request whose subject does not fit its kind starts no kernel; the
    request's own check refuses it (exit 2), as before."""
    args = [a.replace("{demo}", str(demo_dir)) for a in args]
    done = _early_kernel(args, tmp_path / "out")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "polars" not in done.stdout  # start was never called


def test_the_association_report_starts_its_kernel_after_its_request_is_checked(
    demo_dir, tmp_path
) -> None:
    """The association report's kernel starts where it always did, after the request's own
    checks (whole months, the smallest cell), which refuse it more often than a coach report."""
    done = _early_kernel(["association", str(demo_dir)], tmp_path / "out")
    assert done.returncode == 3, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["kind"] == "association" and seen["request"] and seen["polars"]


def test_a_request_refused_after_the_early_kernel_started_closes_it(
    demo_dir, tmp_path, monkeypatch
) -> None:
    """A kernel started early is closed when the request is refused afterwards (a policy file
    that is not TOML, found by the request's own check): no kernel is left behind, exit 2."""
    from click.testing import CliRunner

    from trc_analytics.cli import main
    from trc_analytics.reports import kernel

    events: list[str] = []

    class Runner:
        def __init__(self, *, reuse: bool = False) -> None:
            events.append("made")

        def start(self, kind: str | None = None) -> Runner:
            events.append(f"start {kind}")
            return self

        def close(self) -> None:
            events.append("close")

    monkeypatch.setattr(kernel, "NotebookRunner", Runner)
    policy = tmp_path / "policy.toml"
    policy.write_text("this is = not [toml\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["report", "supervisor", "--coach", "C-0001", str(demo_dir), "--from", "2026-01-01",
         "--to", "2026-06-30", "--policy", str(policy), "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "policy" in result.output.lower()
    assert events == ["made", "start supervisor", "close"]


def test_render_closes_the_kernel_it_was_given_when_the_request_is_refused(tmp_path) -> None:
    """`render(started=...)` owns the kernel: a request it refuses closes it too."""
    from trc_analytics.period import Period
    from trc_analytics.reports.render import render
    from trc_analytics.reports.request import ReportRequest, ReportUsageError

    closed: list[bool] = []

    class Runner:
        def close(self) -> None:
            closed.append(True)

    request = ReportRequest("self-audit", Period.parse("2026-01-01", "2026-06-30"))
    with pytest.raises(ReportUsageError):
        render(request, out_dir=tmp_path / "out", started=Runner())  # type: ignore[arg-type]
    assert closed == [True]


def test_papermill_is_imported_without_pyarrow_which_stays_importable() -> None:
    """`trc report` imports papermill without PyArrow and NumPy (only its hdfs:// handler
    wants them, about 0.1 s CPU); the near miss: PyArrow's `fs` still imports afterwards."""
    code = (
        "import json, sys\n"
        "from trc_analytics.reports.kernel import _register_reuse_engine\n"
        "_register_reuse_engine()\n"
        "seen = {m: m in sys.modules for m in ('papermill', 'pyarrow', 'numpy')}\n"
        "import pyarrow.fs\n"
        "seen['fs'] = pyarrow.fs.LocalFileSystem.__name__\n"
        "print(json.dumps(seen))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {"papermill": True, "pyarrow": False, "numpy": False, "fs": "LocalFileSystem"}


def test_a_runner_closed_right_after_it_started_leaves_no_thread_traceback(monkeypatch) -> None:
    """A kernel started early and closed at once (the request refused afterwards) stops its
    client's heartbeat thread cleanly: without waiting for the thread's socket, 2 of 8 such
    cycles printed a ZMQError traceback from the thread (the context destroyed under it)."""
    import threading
    import time

    from trc_analytics.reports.kernel import NotebookRunner

    raised: list[str] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: raised.append(repr(args.exc_value)))
    for _ in range(8):
        NotebookRunner(reuse=True).start("self-audit").close()
    time.sleep(0.3)  # a dying thread reports after close returned
    assert raised == []
