"""The pieces reports are made of, checked without a kernel: charts, sections, the offline
template, report names, the stored notebooks and the `trc report` / `trc lab` front doors."""

from __future__ import annotations

import json
import re
import stat
import tempfile
from pathlib import Path

import altair as alt
import nbformat
import polars as pl
import pytest
from click.testing import CliRunner

from trc_analytics.cli import main
from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.records.workspace import Workspace
from trc_analytics.reports import theme
from trc_analytics.reports.display import Figure, Section, Table, format_value
from trc_analytics.reports.render import (
    export_html,
    footer_html,
    notebook_path,
    offline_problems,
)
from trc_analytics.reports.request import KINDS, ReportError, ReportRequest
from trc_analytics.reports.self_audit import reader_text, shaming_words

PERIOD = Period.parse("2026-01-01", "2026-06-30")


def bar_chart(frame: pl.DataFrame, x: str = "n") -> alt.Chart:
    return alt.Chart(frame).mark_bar().encode(x=f"{x}:Q", y="area:N")


# --- charts ------------------------------------------------------------------------------------


def test_a_chart_of_aggregates_becomes_inline_svg_with_no_url_or_script():
    svg = theme.to_svg(bar_chart(pl.DataFrame({"area": ["a", "b"], "n": [3, 5]})))
    assert svg.startswith("<svg")
    assert offline_problems(svg) == []
    assert "#0072B2" in svg  # the theme's first colour: the report look is applied


def test_a_chart_refuses_record_level_ids():
    records = pl.DataFrame({"client_id": ["K-1", "K-2"], "area": ["a", "b"], "n": [1, 1]})
    with pytest.raises(theme.RecordLevelChartError, match="client_id"):
        theme.to_svg(bar_chart(records))


def test_coach_ids_may_rank_a_portfolio_but_never_reach_an_association_chart():
    per_coach = pl.DataFrame({"coach_id": ["C-1", "C-2"], "area": ["a", "b"], "n": [4, 2]})
    theme.check_aggregated(bar_chart(per_coach))
    with pytest.raises(theme.RecordLevelChartError, match="coach_id"):
        theme.check_aggregated(bar_chart(per_coach), allow_coach_ids=False)


def test_a_chart_of_too_many_rows_is_not_an_aggregate():
    many = pl.DataFrame({"area": [str(i) for i in range(theme.MAX_CHART_ROWS + 1)]}).with_columns(
        n=pl.lit(1)
    )
    with pytest.raises(theme.RecordLevelChartError, match="rows"):
        theme.check_aggregated(bar_chart(many))


def test_the_palette_is_okabe_ito():
    assert theme.PALETTE[:4] == ("#0072B2", "#E69F00", "#009E73", "#D55E00")
    assert set(theme.SEVERITY_COLOURS) == {"critical", "major", "minor"}


# --- sections and tables -----------------------------------------------------------------------


def test_cells_read_as_people_read_them():
    assert format_value(1234) == "1,234"
    assert format_value(0.456, "no_show_share") == "46%"
    assert format_value(12.345, "hours") == "12.3"
    assert format_value(None) == "–"
    assert format_value(True) == "yes"
    assert format_value("one_to_one", "format") == "one-to-one"  # its label
    assert format_value("in_person", "delivery") == "in person"  # no label: underscores go
    assert format_value("K_1", "client") == "K_1"  # ids are never rewritten


def test_a_section_escapes_every_text_it_is_given():
    html = Section(
        "Areas <b>", takeaway="a & b", figures=[Figure("x<y", 3)], notes=["<script>"]
    ).to_html()
    assert "<b>" not in html and "<script>" not in html
    assert "Areas &lt;b&gt;" in html and "a &amp; b" in html


def test_a_section_says_which_tables_are_missing_instead_of_failing():
    html = Section("Safety", missing=["safety_assessments"]).to_html()
    assert "no safety_assessments records" in html


def test_suppressed_cells_are_shown_as_suppressed_never_as_zero():
    frame = pl.DataFrame({"region": ["north", "south"], "n": ["25", "suppressed"]})
    html = Table("t", frame).to_html()
    assert '<td class="suppressed">suppressed</td>' in html
    marked = Table("t", pl.DataFrame({"n": [None, 4]}), suppressed={"n": {0}}).to_html()
    assert '<td class="suppressed">suppressed</td>' in marked
    assert ">0<" not in marked


# --- offline HTML ------------------------------------------------------------------------------


def test_offline_check_finds_scripts_urls_and_imports():
    assert offline_problems("<p>ok</p>") == []
    assert offline_problems('<script src="x.js"></script>')
    assert offline_problems('<img src="https://example.org/a.png">')
    assert offline_problems("<style>@import 'x.css';</style>")
    assert offline_problems('<a href="//example.org">x</a>')


def executed_notebook(*outputs_html: str) -> nbformat.NotebookNode:
    """A notebook as papermill returns it: code hidden, outputs kept, a notebook-only note."""
    note = nbformat.v4.new_markdown_cell("How to use this notebook")
    note.metadata["tags"] = ["trc-notebook-only"]
    cells = [note]
    for html in outputs_html:
        cell = nbformat.v4.new_code_cell("secret_code_that_must_not_show = 1")
        cell.outputs = [
            nbformat.v4.new_output(
                "display_data", data={"text/html": html, "text/plain": "<Section>"}
            )
        ]
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


def test_export_writes_one_offline_page_without_code_with_the_footer():
    section = Section(
        "Caseload over time",
        takeaway="Clients rose.",
        chart=bar_chart(pl.DataFrame({"area": ["a"], "n": [3]})),
    )
    request = ReportRequest("supervisor", PERIOD, coach="C-0007")
    ws = Workspace.from_frames({"coaches": {"coach_id": ["C-0007"], "region": ["north"]}})
    footer = footer_html(request, data_label="demo", policy=Policy(min_cell=20), ws=ws)
    html = export_html(executed_notebook(section.to_html()), title="T", footer=footer)
    assert offline_problems(html) == []
    assert "<svg" in html and "Caseload over time" in html
    assert "secret_code_that_must_not_show" not in html
    assert "How to use this notebook" not in html
    assert "How this report was made" in html and "C-0007" in html
    assert "min_cell</td><td>20 (changed)" in html
    assert "@page" in html  # print CSS is inlined


# --- requests and parameters -------------------------------------------------------------------


def test_report_files_are_named_kind_subject_period():
    assert (
        ReportRequest("self-audit", PERIOD, coach="C-0007").file_name()
        == "self-audit_C-0007_2026-01-01_2026-06-30.html"
    )
    assert (
        ReportRequest("supervisor", PERIOD, supervisor="C-0003")
        .file_name()
        .startswith("supervisor_portfolio-C-0003_")
    )
    assert ReportRequest("association", PERIOD).file_name().startswith("association_all_")
    assert "/" not in ReportRequest("self-audit", PERIOD, coach="a/b").file_name()


@pytest.mark.parametrize(
    ("kind", "coach", "supervisor"),
    [
        ("self-audit", None, None),
        ("self-audit", "C-1", "S-1"),
        ("supervisor", None, None),
        ("supervisor", "C-1", "S-1"),
        ("association", "C-1", None),
        ("weekly", None, None),
    ],
)
def test_a_subject_that_does_not_fit_the_report_is_refused(kind, coach, supervisor):
    with pytest.raises(ReportError):
        ReportRequest(kind, PERIOD, coach=coach, supervisor=supervisor).validate()


# --- stored notebooks --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_stored_notebooks_are_clean_and_take_the_parameters_render_passes(kind):
    from papermill.translators import PythonTranslator

    nb = nbformat.read(notebook_path(kind), as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.tags
    declared = {p.name for p in PythonTranslator.inspect(code[0])}
    request = ReportRequest(kind, PERIOD, coach="C-1" if kind != "association" else None)
    passed = set(request.parameters(Path("/data")))
    assert passed <= declared
    assert declared - passed <= {"supervisor", "coach"}  # the other subject of the review


# --- trc lab -----------------------------------------------------------------------------------


def test_trc_lab_copies_the_notebooks_owner_only_and_points_them_at_the_data(tmp_path):
    data = tmp_path / "ws"
    data.mkdir()
    folder = tmp_path / "nb"
    result = CliRunner().invoke(
        main, ["lab", str(data), "--notebooks", str(folder), "--no-browser", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(n for n, _ in KINDS.values())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    assert f"TRC_DATA={data.resolve()}" in result.stdout
    assert "-m jupyterlab" in result.stdout and "--no-browser" in result.stdout
    assert "--KernelManager.transport=ipc" in result.stdout  # kernels off loopback TCP


def test_trc_lab_gives_its_kernels_a_fresh_owner_only_socket_folder(tmp_path, monkeypatch):
    from trc_analytics.cli import lab

    monkeypatch.setenv("XDG_RUNTIME_DIR", "")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    folder = lab._kernel_folder()
    assert folder is not None and folder.parent == tmp_path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    argv = lab.lab_command(tmp_path / "nb", kernels=folder)
    assert f"--KernelManager.ip={folder / 'kernel'}" in argv


def test_trc_lab_keeps_a_notebook_the_user_edited(tmp_path):
    folder = tmp_path / "nb"
    folder.mkdir()
    mine = folder / "coach_self_audit.ipynb"
    mine.write_text("my edits")
    CliRunner().invoke(main, ["lab", "--notebooks", str(folder), "--dry-run"])
    assert mine.read_text() == "my edits"


# --- trc report front door ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["self-audit"],
        ["association", "--coach", "C-0001"],
        ["supervisor", "--coach", "C-0001", "--supervisor", "C-0002"],
        ["association", "--all-coaches"],
    ],
)
def test_trc_report_usage_errors_exit_2(tmp_path, args):
    result = CliRunner().invoke(
        main,
        ["report", *args, str(tmp_path), "--from", "2026-01-01", "--to", "2026-06-30"],
    )
    assert result.exit_code == 2, result.output


def association_cli(tmp_path, *options: str, date_from="2026-01-01", date_to="2026-06-30"):
    return CliRunner().invoke(
        main,
        ["report", "association", str(tmp_path), "--from", date_from, "--to", date_to,
         "--out", str(tmp_path / "reports"), *options],
    )  # fmt: skip


def test_trc_report_association_refuses_a_min_cell_below_the_floor_exit_2(tmp_path):
    from trc_analytics.disclosure import MIN_CELL_FLOOR

    result = association_cli(tmp_path, "--min-cell", str(MIN_CELL_FLOOR - 1))
    assert result.exit_code == 2, result.output
    assert f"min_cell {MIN_CELL_FLOOR - 1} is below the floor of {MIN_CELL_FLOOR}" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "reports").exists()
    help_text = CliRunner().invoke(main, ["report", "--help"]).output
    assert f"at least {MIN_CELL_FLOOR}" in " ".join(help_text.split())


def test_a_policy_file_cannot_lower_min_cell_below_the_floor_either(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("min_cell = 3\n")
    result = association_cli(tmp_path, "--policy", str(policy))
    assert result.exit_code == 2, result.output
    assert "min_cell 3 is below the floor of 5" in result.stderr


@pytest.mark.parametrize(
    ("date_from", "date_to"), [("2026-01-15", "2026-06-30"), ("2026-01-01", "2026-06-29")]
)
def test_trc_report_association_covers_whole_calendar_months_only_exit_2(
    tmp_path, date_from, date_to
):
    result = association_cli(tmp_path, date_from=date_from, date_to=date_to)
    assert result.exit_code == 2, result.output
    assert "whole calendar months" in result.stderr
    assert "--from 2026-01-01 --to 2026-06-30" in result.stderr  # what to use instead


def test_render_report_and_the_notebook_parameter_refuse_what_the_cli_refuses(tmp_path):
    from trc_analytics.reports import association
    from trc_analytics.reports.render import render_report
    from trc_analytics.reports.request import ReportUsageError

    with pytest.raises(ReportUsageError, match="below the floor of 5"):
        render_report("association", tmp_path, period=PERIOD, min_cell=4, out_dir=tmp_path)
    half = Period.parse("2026-01-01", "2026-06-15")
    with pytest.raises(ReportUsageError, match="whole calendar months"):
        render_report("association", tmp_path, period=half, out_dir=tmp_path)
    # the notebook's first call, with a `min_cell` parameter of 2
    with pytest.raises(ValueError, match="min_cell 2 is below the floor of 5"):
        association.open_association(date_from="2026-01-01", date_to="2026-06-30", min_cell=2)
    # coach reports have no minimum cell size: their periods may start on any day
    ws = Workspace.from_frames({"coaches": {"coach_id": ["C-1"], "region": ["north"]}})
    from trc_analytics.reports.context import open_report

    ctx = open_report(
        "self-audit", coach="C-1", date_from="2026-01-15", date_to="2026-06-15", workspace=ws
    )
    assert ctx.period.start.day == 15


def test_the_association_report_accepts_the_floor_and_states_the_overlapping_periods_limit():
    from trc_analytics.disclosure import MIN_CELL_FLOOR
    from trc_analytics.reports import association

    ws = Workspace.from_frames({"coaches": {"coach_id": ["C-1"], "region": ["north"]}})
    ctx = association.open_association(
        date_from="2026-01-01", date_to="2026-03-31", min_cell=MIN_CELL_FLOOR, workspace=ws
    )
    assert ctx.policy.min_cell == MIN_CELL_FLOOR
    html = association.protection(ctx).to_html()
    assert "whole calendar months" in html
    assert "must not both be published" in html
    assert "calendar quarters or years" in html


def test_trc_report_on_a_broken_workspace_exits_1_with_the_validation_report(tmp_path):
    data = tmp_path / "ws"
    data.mkdir()
    (data / "coaches.csv").write_text("coach_id,region,active\nC-0001,north,maybe\n")
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        main,
        [
            "report",
            "self-audit",
            str(data),
            "--coach",
            "C-0001",
            "--from",
            "2026-01-01",
            "--to",
            "2026-06-30",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 1
    text = result.output + result.stderr
    assert "coaches.csv" in text and "active" in text and "maybe" in text
    assert "No report was written" in text
    assert "Traceback" not in text
    assert not out.exists() or not any(out.iterdir())


def test_trc_report_names_an_unknown_coach(tmp_path):
    data = tmp_path / "ws"
    data.mkdir()
    (data / "coaches.csv").write_text("coach_id,region,active\nC-0001,north,true\n")
    result = CliRunner().invoke(
        main,
        [
            "report",
            "self-audit",
            str(data),
            "--coach",
            "C-0099",
            "--from",
            "2026-01-01",
            "--to",
            "2026-06-30",
            "--out",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code == 2  # an unknown id is a usage error, as in every command
    assert "unknown coach C-0099" in result.stderr


# --- the self-audit's words --------------------------------------------------------------------


def test_the_shaming_word_scan_finds_words_and_skips_quoted_passages():
    html = (
        '<p>A failure here.</p><blockquote class="trc-code">Violation of these standards'
        "</blockquote><p>Failsafe wording is fine.</p>"
    )
    assert shaming_words(reader_text(html)) == ["failure"]
    assert "violation" in shaming_words(reader_text(html, without_quotes=False))


def test_policy_rows_echo_every_value_in_the_footer():
    request = ReportRequest("association", PERIOD, min_cell=15)
    ws = Workspace.from_frames({"coaches": {"coach_id": ["C-1"], "region": ["north"]}})
    html = footer_html(request, data_label="x", policy=Policy(min_cell=15), ws=ws)
    for name in Policy.names():
        assert f"<td>{name}</td>" in html
    assert json.dumps("x")[1:-1] in html


# --- sections over a workspace that has only coaches -------------------------------------------


def all_sections_html(kind: str, ws: Workspace, **subject: str) -> str:
    """Every section of a report, as its notebook would show them, without a kernel."""
    from trc_analytics.reports import association, self_audit, supervisor
    from trc_analytics.reports.context import open_report

    ctx = open_report(kind, date_from="2026-01-01", date_to="2026-06-30", workspace=ws, **subject)
    if kind == "supervisor":
        parts = [supervisor.title(ctx), supervisor.portfolio(ctx)]
        for coach in supervisor.coaches_in_order(ctx):
            parts.append(supervisor.coach_heading(ctx, coach))
            parts += [section(ctx, coach) for _, section in supervisor.SECTIONS]
    else:
        module = self_audit if kind == "self-audit" else association
        parts = [module.title(ctx)] + [section(ctx) for _, section in module.SECTIONS]
    return "".join(p.to_html() for p in parts if p is not None)


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        ("supervisor", {"coach": "C-0001"}),
        ("supervisor", {"supervisor": "C-0001"}),
        ("self-audit", {"coach": "C-0001"}),
        ("association", {}),
    ],
)
def test_with_only_coaches_every_section_says_what_is_missing_instead_of_failing(kind, subject):
    ws = Workspace.from_frames(
        {
            "coaches": {
                "coach_id": ["C-0001", "C-0002"],
                "region": ["north", "north"],
                "supervisor_id": [None, "C-0001"],
                "active": [True, True],
            }
        }
    )
    html = all_sections_html(kind, ws, **subject)
    assert re.search(r"the workspace has no [a-z_, ]*\bsessions\b[a-z_, ]* records", html)
    assert offline_problems(html) == []


def test_a_batch_kernel_shares_all_coaches_results_and_reports_the_same(
    demo_workspace, monkeypatch
):
    """Batch kernels compute metrics and checks once for everyone, then filter per coach: the
    tables of a supervisor review come out the same as when computed for that coach alone."""
    from polars.testing import assert_frame_equal

    from trc_analytics.reports import supervisor
    from trc_analytics.reports.context import SHARE_ENV, open_report

    def tables(shared: bool) -> list[pl.DataFrame]:
        if shared:
            monkeypatch.setenv(SHARE_ENV, "1")
        else:
            monkeypatch.delenv(SHARE_ENV, raising=False)
        ctx = open_report(
            "supervisor",
            coach="C-0001",
            date_from="2026-01-01",
            date_to="2026-06-30",
            workspace=demo_workspace,
        )
        assert ctx.shares_results is shared
        return [t.frame for _, f in supervisor.SECTIONS for t in f(ctx, "C-0001").tables]

    alone, shared = tables(False), tables(True)
    assert len(alone) == len(shared) > 10
    for a, b in zip(alone, shared, strict=True):
        assert_frame_equal(a, b, check_exact=False)


# --- a failing notebook cell -------------------------------------------------------------------


def _cells(*kinds: str) -> list:
    cells = []
    for kind in kinds:
        cell = nbformat.v4.new_markdown_cell("x") if kind == "md" else nbformat.v4.new_code_cell("")
        if kind == "params":
            cell.metadata["tags"] = ["parameters"]
        cells.append(cell)
    return cells


@pytest.mark.parametrize(
    ("executed_index", "reset_cell", "expected"),
    [
        # file: md, params, code, code; run: [reset], md, params, injected, code, code
        (4, True, 3),
        (5, True, 4),
        (3, False, 3),
        (1, False, 2),  # the parameters cell itself
        (2, False, None),  # the parameters papermill injected
        (3, True, None),
    ],
)
def test_a_failing_cell_is_numbered_as_in_the_notebook_file(executed_index, reset_cell, expected):
    from trc_analytics.reports.kernel import file_cell_number

    cells = _cells("md", "params", "code", "code")
    assert file_cell_number(cells, executed_index, reset_cell=reset_cell) == expected


def test_a_notebook_failure_names_the_cell_its_code_and_the_exception():
    from trc_analytics.errors import TrcError
    from trc_analytics.reports.kernel import NotebookFailed

    failed = NotebookFailed("KeyError", "'safety'", "# Safety\nsections.safety(ctx)\nmore()", 7)
    assert str(failed) == "cell 7 (`sections.safety(ctx)`) raised KeyError: 'safety'"
    assert isinstance(failed, ReportError) and isinstance(failed, TrcError)
    long = NotebookFailed("ValueError", "", "y = " + "1 + " * 40 + "1", 3)
    assert str(long).startswith("cell 3 (`y = 1 + 1") and "…`) raised ValueError" in str(long)
    assert str(NotebookFailed("NameError", "x", "x", None)).startswith(
        "the injected parameters cell"
    )


# --- one request, one validate() ---------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        ReportRequest("supervisor", PERIOD, supervisor="S-1", keep_valid=True, data="/ws"),
        ReportRequest("self-audit", PERIOD, coach="C-1", policy_file="/p.toml", data="/ws"),
        ReportRequest("association", PERIOD, min_cell=7, data="/ws"),
    ],
)
def test_the_kernel_reads_back_the_request_the_renderer_sent(request_):
    parameters = request_.parameters(Path("/ws"))
    assert ReportRequest.from_parameters(request_.kind, **parameters) == request_


def test_a_notebook_refuses_what_trc_report_refuses_in_the_words_of_its_parameters(tmp_path):
    """One `validate()`, two wordings: the command names its options, the notebook its
    parameters cell (issue 11)."""
    from trc_analytics.reports.context import open_report
    from trc_analytics.reports.request import NotebookParameterError

    ws = Workspace.from_frames({"coaches": {"coach_id": ["C-1"], "region": ["north"]}})
    with pytest.raises(NotebookParameterError) as in_kernel:
        open_report("self-audit", date_from="2026-01-01", date_to="2026-06-30", workspace=ws)
    cli = CliRunner().invoke(
        main, ["report", "self-audit", str(tmp_path), "--from", "2026-01-01",
               "--to", "2026-06-30"],
    )  # fmt: skip
    assert cli.exit_code == 2
    assert "a self-audit is about one coach: give --coach ID" in cli.stderr
    assert str(in_kernel.value) == (
        'Set `coach` in the parameters cell to your coach id, e.g. coach = "C-0001".'
    )
    assert "--" not in str(in_kernel.value)


def test_batch_lookups_give_the_same_span_and_session_counts(
    demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch kernel answers `records_span` and `sessions_held_count` from per-coach lookups
    built once (a scan of the whole sessions table per report made 2,000 reports grow with the
    square of the workspace): the answers equal the per-report ones for every coach, for a
    portfolio, for a coach with no session in the period and for one with no session at all."""
    import dataclasses
    import datetime as dt

    from trc_analytics.reports.context import SHARE_ENV, open_report

    s = demo_workspace["sessions"]
    period_start = dt.date(2026, 1, 1)
    trimmed = s.filter(
        ~((pl.col("coach_id") == "C-0002") & (pl.col("held_on") >= period_start))
        & (pl.col("coach_id") != "C-0003")
    )
    ws = dataclasses.replace(demo_workspace, tables={**demo_workspace.tables, "sessions": trimmed})
    supervisors = ws["coaches"].get_column("supervisor_id").drop_nulls().unique().to_list()

    def answers(shared: bool) -> list[object]:
        if shared:
            monkeypatch.setenv(SHARE_ENV, "1")
        else:
            monkeypatch.delenv(SHARE_ENV, raising=False)
        out: list[object] = []
        subjects = [{"coach": c} for c in ws["coaches"].get_column("coach_id").to_list()]
        for subject in subjects + [{"supervisor": sup} for sup in supervisors]:
            ctx = open_report(
                "supervisor", date_from="2026-01-01", date_to="2026-06-30", workspace=ws, **subject
            )
            assert ctx.shares_results is shared
            coach = subject.get("coach")
            out.append((subject, ctx.records_span(coach), ctx.sessions_held_count(coach)))
        return out

    alone, shared = answers(False), answers(True)
    assert alone == shared
    by_coach = {a[0].get("coach"): a for a in alone}
    assert by_coach["C-0003"][1:] == (None, 0)  # no session at all
    assert by_coach["C-0002"][2] == 0 and by_coach["C-0002"][1] is not None  # none in period
    assert by_coach["C-0001"][2] > 0


def test_a_kept_kernels_warm_up_freezes_what_the_imports_made() -> None:
    """The warm-up ends with `gc.freeze()`: the full collection of each report's reset cell then
    skips the ~100,000 objects of the imported modules, while a cycle a report makes after the
    warm-up is still collected."""
    import subprocess
    import sys

    from trc_analytics.reports.kernel import RESET_SOURCE, warm_source

    probe = (
        "import sys\nsys.modules.setdefault('rfc3987_syntax', None)\n"
        + warm_source("supervisor")
        + "\nimport gc, weakref\nclass Node: pass\n"
        "a = Node(); a.me = a; alive = weakref.ref(a); del a\n"
        + RESET_SOURCE.replace("%reset -f\n", "")
        + "\nprint(gc.get_freeze_count(), alive() is None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    ).stdout.split()
    assert int(out[0]) > 10_000
    assert out[1] == "True"
