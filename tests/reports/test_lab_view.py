"""The reports inside JupyterLab (issue 11): styled, readable untrusted, stored as Lab saves them.

JupyterLab's own rules are read from the installed JupyterLab (its HTML sanitizer's allow-list
in the bundled JavaScript), so the tests hold for the Lab the project installs.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import polars as pl
import pytest

from trc_analytics.cli.lab import kernel_metadata, prepare_notebooks
from trc_analytics.period import Period
from trc_analytics.reports.display import Figure, Section, Sections
from trc_analytics.reports.lab_view import (
    CHART_CLASS,
    SCOPE,
    from_lab,
    lab_css,
    report_outputs,
    scope_css,
    to_lab,
)
from trc_analytics.reports.render import notebook_path
from trc_analytics.reports.request import KINDS, ReportRequest
from trc_analytics.reports.theme import report_css

# --- scoping the report stylesheet -------------------------------------------------------------


def test_a_rule_is_confined_to_the_output_and_page_rules_apply_to_the_output_itself():
    css = """/* c */ :root { --ink: #111; } html { font-size: 15px; }
    body.trc-report { color: var(--ink); } h2, .trc-x > td { margin: 0; }
    * { box-sizing: border-box; }"""
    assert scope_css(css) == (
        ".trc-lab{--ink: #111;}.trc-lab{font-size: 15px;}.trc-lab{color: var(--ink);}"
        ".trc-lab h2,.trc-lab .trc-x > td{margin: 0;}.trc-lab *{box-sizing: border-box;}"
    )


def test_media_blocks_are_scoped_inside_and_page_rules_and_notebook_wrappers_are_dropped():
    css = """@import url(x.css); @page { size: A4; @top-center { content: "x"; } }
    .jp-Cell, .jp-OutputArea { padding: 0; } .jp-Cell, p { margin: 0; }
    @media print { html { font-size: 10pt; } a:is(.b, .c) { color: red; } }"""
    assert scope_css(css) == (
        ".trc-lab p{margin: 0;}"
        "@media print{.trc-lab{font-size: 10pt;}.trc-lab a:is(.b, .c){color: red;}}"
    )


def test_a_selector_merely_starting_like_a_page_element_is_not_the_page():
    """Near miss: `htmlish` and `.body` are ordinary selectors, scoped as descendants."""
    assert scope_css("htmlish, .body { x: 1; }") == ".trc-lab htmlish,.trc-lab .body{x: 1;}"


def _selectors(css: str) -> list[str]:
    """Every selector of a flat or @media-nested stylesheet."""
    out = []
    for prelude in re.findall(r"([^{}]+)\{", css):
        if not prelude.strip().startswith("@"):
            out.extend(s.strip() for s in prelude.split(","))
    return out


def test_the_lab_styles_are_the_report_stylesheet_and_touch_nothing_outside_an_output():
    """Taken from `theme.report_css` (one place): each report class is styled in Lab too."""
    css = lab_css()
    assert all(s.startswith(f".{SCOPE}") for s in _selectors(css))
    report_classes = set(re.findall(r"\.(trc-[\w-]+)", report_css())) - {"trc-report"}  # <body>
    assert report_classes and report_classes <= set(re.findall(r"\.(trc-[\w-]+)", css))
    assert "@page" not in css and "/*" not in css


# --- the output: styles once per cell, charts as images, and back ------------------------------


def _chart_section() -> Section:
    import altair as alt
    import polars as pl

    frame = pl.DataFrame({"month": ["2026-01", "2026-02"], "sessions": [3, 5]})
    chart = alt.Chart(frame).mark_bar().encode(x="month:N", y="sessions:Q")
    return Section(
        "Caseload", takeaway="More sessions.", figures=[Figure("Active clients", 101)], chart=chart
    )


def test_a_chart_becomes_an_svg_image_and_comes_back_as_the_same_inline_svg():
    html = _chart_section().to_html()
    shown = to_lab(html)
    assert "<svg" in html and "<svg" not in shown
    image = re.search(rf'<img class="{CHART_CLASS}" alt="chart" src="data:image/svg\+xml;base64,'
                      r'([^"]+)">', shown)  # fmt: skip
    assert image
    svg = base64.b64decode(image.group(1)).decode()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')  # an image needs it
    assert from_lab(shown) == html


def test_html_that_is_not_a_report_output_passes_the_exporter_unchanged():
    other = '<div class="x"><img alt="chart" src="data:image/svg+xml;base64,AAAA"></div>'
    assert from_lab(other) == other


def test_outside_ipython_every_output_carries_the_styles():
    first, second = Sections([_chart_section()])._repr_html_(), _chart_section()._repr_html_()
    assert first.count("<style>") == second.count("<style>") == 1


def test_the_exporter_step_restores_every_output_and_leaves_other_outputs_alone():
    html = _chart_section().to_html()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("display_data", {"text/html": to_lab(html)}),
        nbformat.v4.new_output("display_data", {"text/html": ["<b>", "mine</b>"]}),
        nbformat.v4.new_output("stream", text="hello"),
    ]
    nb.cells = [cell]
    out, _ = report_outputs(nb, {})
    assert [o.get("data", {}).get("text/html") for o in out.cells[0].outputs] == [
        html,
        "<b>mine</b>",
        None,
    ]


def test_without_styles_a_headline_figure_reads_as_words():
    """Untrusted, Lab drops the `<style>`: the card's parts still read apart."""
    text = re.sub(r"<[^>]+>", "", Figure("Active clients", 101, note="was 99").to_html())
    assert text == "101 Active clients was 99"


# --- JupyterLab's sanitizer, read from the installed JupyterLab --------------------------------


def _lab_sanitizer() -> tuple[set[str], list[str]]:
    """The tags JupyterLab keeps in untrusted HTML, and the attributes whose URL scheme it
    checks, from the installed JupyterLab's bundled JavaScript."""
    import jupyterlab

    static = Path(jupyterlab.__file__).parent / "static"
    for bundle in sorted(static.glob("*.js")):
        text = bundle.read_text(encoding="utf-8", errors="replace")
        tags = re.search(r'allowedTags:\[((?:"[a-z0-9]+",?)+)\],allowedAttributes', text)
        if tags:
            schemes = re.search(r"allowedSchemesAppliedToAttributes:\[([^\]]*)\]", text)
            assert schemes, "JupyterLab's sanitizer options changed shape"
            return set(json.loads(f"[{tags.group(1)}]")), json.loads(f"[{schemes.group(1)}]")
    raise AssertionError(f"no HTML sanitizer allow-list found in {static}")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        self.srcs.extend(v or "" for k, v in attrs if k == "src")


def _untrusted_problems(html: str, allowed: set[str]) -> list[str]:
    """What JupyterLab would strip from this output when the notebook is not trusted (the
    `<style>` aside: its loss only loses the looks, tested separately)."""
    parser = _Tags()
    parser.feed(html)
    problems = sorted({t for t in parser.tags if t not in allowed and t != "style"})
    problems += [k for k, _ in parser.attrs if k.startswith("on")]
    problems += [s[:40] for s in parser.srcs if not s.startswith("data:image/svg+xml;base64,")]
    return problems


def test_the_sanitizer_drops_inline_svg_but_keeps_an_image_and_its_data_url():
    """The premise of charts as images, checked against the installed JupyterLab."""
    allowed, url_checked = _lab_sanitizer()
    assert "svg" not in allowed and "style" not in allowed
    assert "img" in allowed and "src" not in url_checked
    inline = _chart_section().to_html()  # near miss: the page's inline chart would not survive
    assert "svg" in _untrusted_problems(inline, allowed)
    assert _untrusted_problems(to_lab(inline), allowed) == []


# --- executed notebooks --------------------------------------------------------------------------

#: What JupyterLab renders in an untrusted notebook: no SVG (refused untrusted), no script.
UNTRUSTED_SAFE = {"text/plain", "text/html", "image/png", "image/jpeg", "image/gif"}


@pytest.fixture(scope="module")
def executed(demo_dir) -> dict[str, nbformat.NotebookNode]:
    from trc_analytics.reports.kernel import NotebookRunner

    period = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    out = {}
    with NotebookRunner(reuse=True) as runner:
        for kind in KINDS:
            coach = None if kind == "association" else "C-0001"
            request = ReportRequest(kind, period, coach=coach)
            out[kind] = runner.run(notebook_path(kind), request.parameters(Path(demo_dir)))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(KINDS))
def test_an_executed_notebook_renders_untrusted_without_javascript(executed, kind):
    allowed, _ = _lab_sanitizer()
    outputs = [o for c in executed[kind].cells for o in c.get("outputs", [])]
    shown = [o for o in outputs if o.output_type in ("display_data", "execute_result")]
    assert shown
    for output in shown:
        assert set(output.data) <= UNTRUSTED_SAFE, set(output.data)
        html = output.data.get("text/html", "")
        assert "<script" not in html.lower() and "<svg" not in html
        assert _untrusted_problems(html, allowed) == []
    charts = sum(o.data.get("text/html", "").count(CHART_CLASS) for o in shown)
    assert charts >= 1


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_first_output_of_each_cell_carries_the_styles_once(executed, kind):
    for cell in executed[kind].cells:
        htmls = [
            o.data["text/html"] for o in cell.get("outputs", []) if "text/html" in o.get("data", {})
        ]
        if htmls:
            assert htmls[0].startswith(f'<div class="{SCOPE}"><style>')
            assert sum(h.count("<style>") for h in htmls) == 1


@pytest.mark.slow
def test_the_offline_page_of_an_executed_notebook_holds_no_lab_styles_or_images(executed):
    from trc_analytics.reports.render import export_html

    page = export_html(executed["supervisor"], title="t", footer="")
    assert SCOPE not in page and "data:image" not in page and "<svg" in page
    assert page.count("<style") == 1  # the page's one stylesheet


# --- stored as JupyterLab saves them -------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_stored_notebook_is_byte_for_byte_what_jupyter_would_save(kind):
    raw = notebook_path(kind).read_text(encoding="utf-8")
    nb = nbformat.reads(raw, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5) and all(c.get("id") for c in nb.cells)
    assert raw == nbformat.writes(nb) + "\n"  # Jupyter's file save: nbformat.write
    here = kernel_metadata()
    assert nb.metadata.kernelspec == here["kernelspec"]
    stored_info = dict(nb.metadata.language_info, version="")
    assert stored_info == dict(here["language_info"], version="")  # one Python version fits


def test_trc_lab_writes_its_copies_with_the_metadata_jupyterlab_sets_here(tmp_path):
    copies = prepare_notebooks(tmp_path / "nb")
    assert len(copies) == len(KINDS)
    for path in copies:
        raw = path.read_text(encoding="utf-8")
        nb = nbformat.reads(raw, as_version=nbformat.NO_CONVERT)
        assert raw == nbformat.writes(nb) + "\n"
        assert {k: nb.metadata[k] for k in ("kernelspec", "language_info")} == kernel_metadata()
        stored = nbformat.read(notebook_path_of(path.name), as_version=nbformat.NO_CONVERT)
        assert [c.source for c in nb.cells] == [c.source for c in stored.cells]


def notebook_path_of(name: str) -> Path:
    return next(notebook_path(k) for k, (n, _) in KINDS.items() if n == name)


# --- parameters refused in the words of the parameters cell --------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "parameters", "sentence"),
    [
        (
            "supervisor",
            {"coach": "C-0001", "supervisor": "C-0035"},
            "Set either `coach` or `supervisor` in the parameters cell, not both.",
        ),
        (
            "self-audit",
            {"date_from": "2026-13-01"},
            "`date_from` in the parameters cell is '2026-13-01', not a date as YYYY-MM-DD "
            '(e.g. "2026-01-31").',
        ),
    ],
)
def test_a_refused_parameter_shows_one_sentence_naming_it_not_a_traceback(
    demo_dir, tmp_path, kind, parameters, sentence
):
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as failed:
        pm.execute_notebook(
            str(notebook_path(kind)),
            str(tmp_path / "out.ipynb"),
            parameters={"data": str(demo_dir), **parameters},
            kernel_name="python3",
            progress_bar=False,
        )
    assert failed.value.ename == "NotebookParameterError"
    assert failed.value.traceback == [sentence]  # what JupyterLab shows under the cell
    errors = [
        o
        for c in nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert [e.traceback for e in errors] == [[sentence]]


def _invalid_copy(demo_dir: Path, folder: Path) -> Path:
    """The demo workspace with one impossible date in sessions.csv (its data row 3, file row 4)."""
    import shutil

    shutil.copytree(demo_dir, folder)
    path = folder / "sessions.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[3].rstrip("\n").split(",")
    cells[header.index("held_on")] = "2026-02-30"
    lines[3] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    return folder


@pytest.mark.slow
def test_an_invalid_workspace_shows_one_message_naming_file_row_and_column(demo_dir, tmp_path):
    """Opened in a notebook (as JupyterLab runs it), an invalid workspace used to show a
    Python traceback; it now shows one message with the file, row and column of the problem
    and what to change in the parameters cell, as a refused parameter does."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    folder = _invalid_copy(demo_dir, tmp_path / "ws")
    with pytest.raises(PapermillExecutionError) as failed:
        pm.execute_notebook(
            str(notebook_path("self-audit")),
            str(tmp_path / "out.ipynb"),
            parameters={"data": str(folder), "coach": "C-0001"},
            kernel_name="python3",
            progress_bar=False,
        )
    assert failed.value.ename == "NotebookWorkspaceError"
    (message,) = failed.value.traceback  # what JupyterLab shows under the cell: one message
    assert message.startswith("The workspace ws is invalid, so no report was made: 1 problem: ")
    assert "sessions.csv row 4, column held_on: '2026-02-30' (impossible date; expected" in message
    assert "set `keep_valid = True` in the parameters cell" in message
    assert "Traceback" not in message and 'File "' not in message and "--" not in message
    errors = [
        o
        for c in nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert [e.traceback for e in errors] == [[message]]


def test_keep_valid_opens_the_same_workspace_near_miss(demo_dir, tmp_path):
    """The same workspace with `keep_valid = True` opens: the row is set aside and said so."""
    from trc_analytics.reports.context import open_report, set_aside_text

    folder = _invalid_copy(demo_dir, tmp_path / "ws")
    ctx = open_report(
        "self-audit", data=str(folder), coach="C-0001", keep_valid=True,
        date_from="2026-01-01", date_to="2026-06-30",
    )  # fmt: skip
    assert ctx.ws.rows_set_aside == 1
    assert "sessions.csv: 1 row (held_on: expected" in set_aside_text(ctx.ws)


def test_many_problems_are_counted_after_the_first_few():
    from trc_analytics.records.workspace import WorkspaceError
    from trc_analytics.reports.request import NotebookWorkspaceError, workspace_problems_text

    problems = pl.DataFrame(
        {
            "file": ["coaches.csv"] * 7, "sheet": [None] * 7, "row": list(range(2, 9)),
            "column": ["region"] * 7, "value": [""] * 7, "problem": ["missing_value"] * 7,
            "expected": ["a value"] * 7,
        }
    )  # fmt: skip
    text = workspace_problems_text(WorkspaceError("x", problems), "ws", keep_valid=True)
    assert text.count("coaches.csv row") == 5 and "; and 2 more." in text
    assert "even with `keep_valid` no usable coaches table is left" in text
    exc = NotebookWorkspaceError.of(WorkspaceError("x", problems), "ws", keep_valid=False)
    assert exc._render_traceback_() == [str(exc)] and exc.problems.height == 7


NOTEBOOK_REFUSALS = [
    ("supervisor", {"coach": "C-1", "supervisor": "S-1"}, "Set either `coach` or `supervisor`"),
    ("supervisor", {}, "Set `coach` (one coach) or `supervisor` (that supervisor's portfolio)"),
    ("self-audit", {}, "Set `coach` in the parameters cell to your coach id"),
    ("self-audit", {"coach": "C-1", "date_to": "30/06/2026"}, "`date_to` in the parameters cell"),
    ("self-audit", {"coach": "C-1", "date_to": "2025-06-30"}, "is before `date_from`"),
    ("self-audit", {"coach": "C-1", "date_to": "2999-01-31"}, "after today"),
    ("self-audit", {"coach": "C-1", "compare_to": "2025"}, "`compare_to` in the parameters"),
    ("self-audit", {"coach": "c-1"}, "to a coach of the workspace: unknown coach c-1; did you"),
    ("supervisor", {"supervisor": "S-9"}, "Set `supervisor` in the parameters cell"),
    ("association", {"date_to": "2026-06-15"}, "whole calendar months: set `date_from`"),
]


@pytest.mark.parametrize(("kind", "given", "words"), NOTEBOOK_REFUSALS)
def test_a_notebook_refusal_names_the_parameter_and_no_command_line_option(kind, given, words):
    from trc_analytics.records.workspace import Workspace
    from trc_analytics.reports.context import open_report
    from trc_analytics.reports.request import NotebookParameterError

    ws = Workspace.from_frames(
        {"coaches": {"coach_id": ["C-1"], "region": ["north"], "supervisor_id": ["S-1"]}}
    )
    parameters = {"date_from": "2026-01-01", "date_to": "2026-06-30", **given}
    with pytest.raises(NotebookParameterError) as refused:
        open_report(kind, workspace=ws, **parameters)
    message = str(refused.value)
    assert words in message and "--" not in message
    assert refused.value._render_traceback_() == [message]


def test_the_same_parameters_accepted_open_the_report():
    """Near miss of the refusals above: a good request opens."""
    from trc_analytics.records.workspace import Workspace
    from trc_analytics.reports.context import open_report

    ws = Workspace.from_frames(
        {"coaches": {"coach_id": ["C-1"], "region": ["north"], "supervisor_id": ["S-1"]}}
    )
    ctx = open_report(
        "supervisor", workspace=ws, supervisor="S-1", date_from="2026-01-01", date_to="2026-06-30"
    )
    assert ctx.coaches == ("C-1",)
