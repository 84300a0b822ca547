"""The three report notebooks execute on a small demo workspace and render to good offline HTML.

One kernel renders the module's reports (as a batch worker does); the `trc report` command and
nbval running the stored notebooks as stored (their own default parameters, from their folder)
each get a fresh kernel, as a user's would.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import polars as pl
import pytest
from click.testing import CliRunner

from trc_analytics import __version__
from trc_analytics.cli import main
from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.records.load import load_workspace
from trc_analytics.reports import association, self_audit, supervisor
from trc_analytics.reports.kernel import NotebookRunner
from trc_analytics.reports.render import notebook_path, offline_problems, render_report
from trc_analytics.reports.self_audit import reader_text, shaming_words
from trc_analytics.reports.source import CACHE_ENV, DATA_ENV, resolve_data

pytestmark = pytest.mark.slow

COACH = "C-0001"  # the demo's showcase coach


def period_of(ws) -> Period:
    """The last six whole calendar months the workspace's sessions cover (the association
    report covers whole months only)."""
    last = ws["sessions"]["held_on"].max()
    month_ends = (last + dt.timedelta(days=1)).day == 1
    end = last if month_ends else last.replace(day=1) - dt.timedelta(days=1)
    start = (end.replace(day=1) - dt.timedelta(days=150)).replace(day=1)
    return Period(start, end)


@pytest.fixture(scope="module")
def ws(demo_dir):
    return load_workspace(demo_dir)


@pytest.fixture(scope="module")
def period(ws) -> Period:
    return period_of(ws)


@pytest.fixture(scope="module")
def portfolio_owner(ws) -> str:
    return ws["coaches"]["supervisor_id"].drop_nulls().mode().sort()[0]


@pytest.fixture(scope="module")
def rendered(demo_dir, period, portfolio_owner, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rendered") / "reports"
    kept = tmp_path_factory.mktemp("kept") / "notebooks"
    common = {"period": period, "out_dir": out}
    with NotebookRunner(reuse=True) as runner:
        return {
            "supervisor": render_report(
                "supervisor", demo_dir, coach=COACH, runner=runner, keep_notebook=kept, **common
            ),
            "portfolio": render_report(
                "supervisor", demo_dir, supervisor=portfolio_owner, runner=runner, **common
            ),
            "self-audit": render_report(
                "self-audit", demo_dir, coach=COACH, runner=runner, **common
            ),
            "association": render_report("association", demo_dir, runner=runner, **common),
            "kept": kept,
        }


def html_of(rendered, kind: str) -> str:
    return rendered[kind].read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["supervisor", "portfolio", "self-audit", "association"])
def test_every_report_is_one_offline_file_readable_by_its_owner_only(rendered, kind):
    path = rendered[kind]
    html = path.read_text(encoding="utf-8")
    assert offline_problems(html) == []
    assert "<script" not in html.lower() and "http" not in html.lower()
    assert "<svg" in html  # charts are inline
    assert "jp-InputArea" not in html and "open_report" not in html  # no code
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("kind", "sections"),
    [
        ("supervisor", supervisor.SECTIONS),
        ("self-audit", self_audit.SECTIONS),
        ("association", association.SECTIONS),
    ],
)
def test_every_section_heading_is_present(rendered, kind, sections):
    html = html_of(rendered, kind)
    for title, _ in sections:
        assert re.search(rf"<h[23]>{re.escape(title)}</h[23]>", html.replace("&amp;", "&")), title


def test_the_file_name_says_kind_subject_and_period(rendered, period):
    assert rendered["supervisor"].name == f"supervisor_{COACH}_{period.label()}.html"
    assert rendered["association"].name == f"association_all_{period.label()}.html"


@pytest.mark.parametrize("kind", ["supervisor", "self-audit", "association"])
def test_the_footer_echoes_parameters_policy_version_and_digest(rendered, ws, period, kind):
    html = html_of(rendered, kind)
    footer = html[html.index('<footer class="trc-footer">') :]
    assert period.start.isoformat() in footer and period.end.isoformat() in footer
    if kind != "association":
        assert COACH in footer
    for name in Policy.names():
        assert f"<td>{name}</td>" in footer
    assert __version__ in footer
    assert ws.digest and ws.digest in footer


def test_the_association_report_names_no_coach_client_engagement_or_session(rendered, ws):
    html = html_of(rendered, "association")
    ids: set[str] = set()
    for table, column in [
        ("coaches", "coach_id"),
        ("coaches", "supervisor_id"),
        ("clients", "client_id"),
        ("engagements", "engagement_id"),
        ("engagements", "group_id"),
        ("sessions", "session_id"),
        ("referrals", "service_id"),
    ]:
        ids |= set(ws[table][column].drop_nulls().to_list())
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    assert pattern.findall(html) == []
    assert "suppressed" in html  # small counts are hidden, visibly


def test_the_portfolio_ranks_coaches_then_gives_each_their_sections(rendered, ws, portfolio_owner):
    html = html_of(rendered, "portfolio")
    coaches = ws["coaches"].filter(pl.col("supervisor_id") == portfolio_owner)["coach_id"]
    assert "Who needs attention first" in html
    headings = re.findall(r"<h2>Coach (C-\d+)</h2>", html)
    assert sorted(headings) == sorted(coaches.to_list())
    assert html.count("<h3>Findings to discuss</h3>") == len(coaches)


def test_the_supervisor_review_quotes_the_code_beside_each_finding(rendered):
    html = html_of(rendered, "supervisor")
    findings = html[html.index("<h2>Findings to discuss</h2>") :]
    assert '<blockquote class="trc-code">' in findings


def test_the_supervisor_review_carries_no_judging_words_outside_the_code(rendered):
    """Issue 14: the self-audit's scan, extended to the supervisor review and the portfolio."""
    for kind in ("supervisor", "portfolio"):
        assert shaming_words(reader_text(html_of(rendered, kind))) == [], kind


def test_the_self_audit_starts_with_strengths_and_never_shames(rendered):
    html = html_of(rendered, "self-audit")
    text = reader_text(html)
    assert text.index("What is going well") < text.index("Growth areas and next steps")
    assert "You walked alongside" in text
    assert shaming_words(text) == []


def test_keep_notebook_keeps_the_executed_notebook_owner_only(rendered):
    kept = list(rendered["kept"].iterdir())
    assert [p.suffix for p in kept] == [".ipynb"]
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    nb = nbformat.read(kept[0], as_version=4)
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_trc_report_prints_the_path_and_states_rows_set_aside(demo_dir, period, tmp_path):
    data = tmp_path / "ws"
    shutil.copytree(demo_dir, data)
    community = next(data.glob("community_service.*"))
    assert community.suffix == ".csv"
    lines = community.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad = dict(zip(header, lines[1].split(","), strict=True))
    bad["activity_id"], bad["hours"] = "A-BROKEN", "-3"
    community.write_text("\n".join([*lines, ",".join(bad[c] for c in header)]) + "\n")
    out = tmp_path / "reports"
    args = [
        "report",
        "association",
        "--data",
        str(data),
        "--out",
        str(out),
        "--from",
        period.start.isoformat(),
        "--to",
        period.end.isoformat(),
    ]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1
    assert "community_service.csv" in refused.output and "hours" in refused.output
    done = CliRunner().invoke(main, [*args, "--keep-valid"])
    assert done.exit_code == 0, done.output + done.stderr
    path = Path(done.stdout.strip())
    assert path.exists() and path.parent == out.resolve()
    html = path.read_text(encoding="utf-8")
    assert "1 input row set aside as invalid" in html  # how many ...
    assert "community_service.csv: 1 row (hours: expected" in html  # ... and why


def test_nbval_runs_the_stored_notebooks_from_their_folder(demo_dir):
    env = {**os.environ, DATA_ENV: str(demo_dir)}
    folder = notebook_path("supervisor").parent
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval-lax",
            "--nbval-current-env",
            str(folder),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 passed" in result.stdout or "passed" in result.stdout


def test_without_data_a_notebook_uses_the_demo_generated_once_into_the_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    first = resolve_data(None)
    assert (first / "coaches.parquet").exists()
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700
    stamp = (first / "coaches.parquet").stat().st_mtime_ns
    assert resolve_data(None) == first
    assert (first / "coaches.parquet").stat().st_mtime_ns == stamp  # not generated again
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    assert resolve_data(None) == tmp_path.resolve()


def test_trc_lab_starts_jupyterlab_on_the_notebooks(demo_dir, tmp_path):
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    trc = Path(sys.executable).with_name("trc")
    proc = subprocess.Popen(
        [
            str(trc),
            "lab",
            str(demo_dir),
            "--notebooks",
            str(tmp_path / "nb"),
            "--no-browser",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline, status = time.monotonic() + 120, None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2) as r:
                    status = r.status
            except OSError:
                assert proc.poll() is None, "trc lab stopped"
                time.sleep(0.5)
        assert status == 200
        assert (tmp_path / "nb" / "coach_self_audit.ipynb").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_failing_cell_stops_trc_report_naming_the_cell_and_exception_not_a_traceback(
    demo_dir, period, tmp_path, monkeypatch
):
    import trc_analytics.reports.render as render

    broken = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("data = None")
    params.metadata["tags"] = ["parameters"]
    broken.cells = [
        nbformat.v4.new_markdown_cell("# A report"),
        params,
        nbformat.v4.new_code_cell("# works\nx = 1"),
        nbformat.v4.new_code_cell("# the section\nraise ValueError('no such area: x')"),
    ]
    broken.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "broken.ipynb"
    nbformat.write(broken, path)
    monkeypatch.setattr(render, "notebook_path", lambda kind: path)
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        main,
        [
            "report",
            "self-audit",
            str(demo_dir),
            "--coach",
            COACH,
            "--out",
            str(out),
            "--from",
            period.start.isoformat(),
            "--to",
            period.end.isoformat(),
        ],
    )
    assert result.exit_code == 1
    # the cell's number in the notebook file (markdown counted), its first line of code and the
    # exception's name: what a person needs to find it in JupyterLab
    assert (
        "the coach self-audit stopped: cell 4 (`raise ValueError('no such area: x')`) raised "
        "ValueError: no such area: x"
    ) in " ".join(result.stderr.split())
    assert "Traceback" not in result.output + result.stderr
    assert not out.exists() or not any(out.iterdir())
