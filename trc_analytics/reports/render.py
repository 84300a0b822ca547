"""One function from a `ReportRequest` to one offline HTML file: `render`.

Used by `trc report` and the batch (`render_report` is the same with keywords). It checks the
request, validates the workspace in this process (an invalid workspace stops here with the
validation report, never as a kernel traceback), runs the report's notebook with papermill,
exports it with nbconvert through the offline template (no code, no script, no external URL;
charts are inline SVG) and writes it owner-only to `<out_dir>/<kind>_<subject>_<from>_<to>.html`.
The footer echoes the request, every policy value, the package version and the input digest.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from contextlib import closing
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.reports._fastimport import skip_slow_optional_imports
from trc_analytics.reports.display import esc
from trc_analytics.reports.request import KINDS, ReportError, ReportRequest, check_subject
from trc_analytics.reports.target import check_targets, notebook_file_name
from trc_analytics.reports.theme import DEFAULT_PAPER, report_css

if TYPE_CHECKING:
    from trc_analytics.records.workspace import Workspace
    from trc_analytics.reports.kernel import NotebookRunner

skip_slow_optional_imports()

TEMPLATE_NAME = "trc_offline"
#: Cells tagged so (the notebooks' explanations for JupyterLab users) stay out of the report.
NOTEBOOK_ONLY_TAG = "trc-notebook-only"


def template_dir() -> Path:
    """Folder holding the offline nbconvert template."""
    return Path(str(resources.files("trc_analytics.reports").joinpath("template")))


def notebooks_dir() -> Path:
    """Folder of the three report notebooks (shipped in the wheel, or the repo's `notebooks/`)."""
    packaged = Path(str(resources.files("trc_analytics").joinpath("notebooks")))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "notebooks"


def notebook_path(kind: str) -> Path:
    """The notebook a report kind runs."""
    if kind not in KINDS:
        raise ReportError(f"unknown report {kind!r}; choose one of {', '.join(KINDS)}")
    return notebooks_dir() / KINDS[kind][0]


def footer_html(
    request: ReportRequest,
    *,
    data_label: str,
    policy: Policy,
    ws: Workspace,
    generated_on: dt.date | None = None,
) -> str:
    """The report footer: parameters, policy values, version and the input digest."""
    from trc_analytics.version import package_version

    params = [
        ("report", KINDS[request.kind][1]),
        ("data", data_label),
        ("coach", request.coach or "–"),
        ("supervisor", request.supervisor or "–"),
        ("from", request.period.start.isoformat()),
        ("to", request.period.end.isoformat()),
        ("policy file", request.policy_file or "none (defaults)"),
        ("keep valid rows only", "yes" if request.keep_valid else "no"),
    ]
    if request.kind == "association":
        params.append(("min cell", str(policy.min_cell)))
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in params)
    policy_rows = "".join(
        f"<tr><td>{esc(name)}</td><td>{esc(value)}{' (changed)' if changed else ''}</td></tr>"
        for name, value, changed in policy.as_rows()
    )
    from trc_analytics.reports.context import set_aside_text

    set_aside = f"<p>{esc(set_aside_text(ws))}</p>" if ws.rows_set_aside else ""
    digest = ws.digest or "in-memory workspace (no files)"
    when = (generated_on or dt.date.today()).isoformat()
    return (
        '<footer class="trc-footer"><h2>How this report was made</h2>'
        f"<table>{rows}</table>{set_aside}"
        f'<h2>Policy values used</h2><table class="trc-policy">{policy_rows}</table>'
        f"<p>trc-analytics {esc(package_version())} · generated {when} · input digest (sha-256) "
        f"<code>{esc(digest)}</code></p></footer>"
    )


_OFFLINE_RULES = (
    (re.compile(r"<script\b", re.I), "a <script> element"),
    (re.compile(r"https?://", re.I), "an http(s) URL"),
    (re.compile(r"@import", re.I), "a CSS @import"),
    (re.compile(r"""(?:src|href)\s*=\s*["']?//""", re.I), "a protocol-relative URL"),
)


def offline_problems(html: str) -> list[str]:
    """What in `html` would need the network or run code (empty when the page is offline)."""
    return [what for rx, what in _OFFLINE_RULES if rx.search(html)]


#: What nbconvert's HTMLExporter re-parses its page for: images without alt text and the cells
#: of a `jp-Notebook` element, which it makes focusable. The report template has neither.
_NEEDS_SOUP = re.compile(r"<img\b|class=\"(?:[^\"]* )?jp-Notebook(?: [^\"]*)?\"", re.I)


def _report_exporter_class() -> type:
    """nbconvert's HTMLExporter without its last pass where the page has nothing for it.

    HTMLExporter renders the template, then parses the whole page with BeautifulSoup to give
    images alt text and output areas a tabindex, and serialises it again: about 0.1 s CPU per
    supervisor review, most of what exporting costs. A report page has no image and no
    `jp-Notebook` element (the offline template replaces the body), so the pass changes
    nothing but the spelling of the markup; here it is skipped unless the page has either
    (then the stock pass runs). The page parses to the same document either way (tested).
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):  # type: ignore[misc]
        def from_notebook_node(  # type: ignore[override]
            self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
        ) -> tuple[str, dict[str, Any]]:
            # HTMLExporter.from_notebook_node (nbconvert 7) up to its BeautifulSoup pass
            given = resources
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            data_types = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_types)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            if _NEEDS_SOUP.search(html):
                return super().from_notebook_node(nb, given, **kw)
            return html, resources

    return ReportExporter


@cache
def _exporter() -> Any:
    """The HTML exporter, built once per process (building it costs more than using it)."""
    skip_slow_optional_imports()
    import nbformat
    from nbconvert.preprocessors import TagRemovePreprocessor

    from trc_analytics.reports.lab_view import report_outputs

    exporter = _report_exporter_class()(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # validate the notebook once, after the last preprocessor, not after each of ~14
        optimistic_validation=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY_TAG}, enabled=True), enabled=True
    )
    exporter.register_preprocessor(report_outputs, enabled=True)  # Lab outputs -> page HTML
    exporter.from_notebook_node(  # compiles the templates once
        nbformat.v4.new_notebook(),
        resources={"trc_footer": "", "trc_title": "", "trc_version": "", "trc_css": ""},
    )
    return exporter


def export_html(nb: Any, *, title: str, footer: str, paper: str = DEFAULT_PAPER) -> str:
    """The executed notebook as one offline HTML page (no code cells, inline SVG charts),
    styled by the report stylesheet for `paper` (`theme.report_css`)."""
    from trc_analytics.version import package_version

    resources = {
        "trc_footer": footer,
        "trc_title": title,
        "trc_version": package_version(),
        "trc_css": report_css(paper),
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    problems = offline_problems(body)
    if problems:
        raise ReportError(f"the rendered report is not self-contained: it holds {problems[0]}")
    return body


def check_outputs(
    request: ReportRequest,
    out_dir: str | os.PathLike[str],
    keep_notebook: str | os.PathLike[str] | None = None,
) -> None:
    """Raise `ReportError` when the report (or the kept notebook) could not be written: a
    folder in the file's place, a shared, linked or read-only folder, a full disk. Checked
    before rendering, so no time is spent on a report that cannot be saved."""
    check_targets(request.file_name(), out_dir, keep_notebook)


def _notebook_name(request: ReportRequest) -> str:
    return notebook_file_name(request.file_name())


def write_outputs(
    request: ReportRequest,
    html: str,
    nb: Any,
    out_dir: str | os.PathLike[str],
    keep_notebook: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the report (and the executed notebook, if kept) owner-only; `ReportError` in plain
    words when that fails after all (the disk filled up meanwhile, say)."""
    from trc_analytics.outputs import OutputError, private_dir, write_private

    try:
        target = write_private(private_dir(out_dir) / request.file_name(), html)
        if keep_notebook:
            import nbformat

            kept = private_dir(keep_notebook) / _notebook_name(request)
            write_private(kept, nbformat.writes(nb))
    except OutputError as exc:
        raise ReportError(f"the report was rendered but not saved: {exc}") from None
    return target


def render_report(
    kind: str,
    data: str | os.PathLike[str] | None,
    *,
    period: Period,
    coach: str | None = None,
    supervisor: str | None = None,
    policy_file: str | os.PathLike[str] | None = None,
    out_dir: str | os.PathLike[str] = "reports",
    keep_notebook: str | os.PathLike[str] | None = None,
    keep_valid: bool = False,
    min_cell: int | None = None,
    paper: str = DEFAULT_PAPER,
    runner: NotebookRunner | None = None,
    workspace: Workspace | None = None,
) -> Path:
    """`render` for callers holding keywords rather than a `ReportRequest` (the library API)."""
    request = ReportRequest(
        kind=kind,
        period=period,
        coach=coach,
        supervisor=supervisor,
        policy_file=str(policy_file) if policy_file else None,
        keep_valid=keep_valid,
        min_cell=min_cell,
        data=str(data) if data else None,
        paper=paper,
    )
    return render(
        request, out_dir=out_dir, keep_notebook=keep_notebook, runner=runner, workspace=workspace
    )


def render(
    request: ReportRequest,
    *,
    out_dir: str | os.PathLike[str] = "reports",
    keep_notebook: str | os.PathLike[str] | None = None,
    runner: NotebookRunner | None = None,
    workspace: Workspace | None = None,
    started: NotebookRunner | None = None,
) -> Path:
    """Render one report to `<out_dir>/<kind>_<subject>_<from>_<to>.html` and return its path.

    `request.data=None` means `TRC_DATA` or the bundled demo workspace. Raises
    `ReportUsageError` for a request `ReportRequest.validate` refuses, `WorkspaceError` (with
    `.problems`) when the workspace is invalid and `keep_valid` is False, `ReportError` for
    anything else that stops the report, naming the notebook cell and the exception when a cell
    raises. `workspace` skips loading when the caller (the batch) has already loaded and
    validated it; `runner` lets several reports share a kernel. `started` is a kernel started
    for this one report (`trc report` starts it before its heavy imports), used as the report's
    own: handed the results, and closed on every path, a refused request included.
    """
    if started is None:
        return _render(request, out_dir, keep_notebook, runner=runner, workspace=workspace)
    with closing(started):
        return _render(
            request, out_dir, keep_notebook, runner=None, workspace=workspace, started=started
        )


def _render(
    request: ReportRequest,
    out_dir: str | os.PathLike[str],
    keep_notebook: str | os.PathLike[str] | None,
    *,
    runner: NotebookRunner | None,
    workspace: Workspace | None,
    started: NotebookRunner | None = None,
) -> Path:
    """`render`, its early-started kernel (if any) closed by the caller whatever happens."""
    from trc_analytics.reports.source import resolve_data

    policy = request.validate()
    try:
        path = resolve_data(request.data)
    except FileNotFoundError as exc:
        raise ReportError(str(exc)) from None
    check_outputs(request, out_dir, keep_notebook)
    nb, ws = _execute(request, path, runner=runner, workspace=workspace, started=started)
    title = f"{request.title} – {request.subject} – {request.period.label().replace('_', ' to ')}"
    data_label = request.data or "bundled demo workspace"
    footer = footer_html(request, data_label=data_label, policy=policy, ws=ws)
    html = export_html(nb, title=title, footer=footer, paper=request.paper)
    return _write(request, html, nb, out_dir, keep_notebook)


def _execute(
    request: ReportRequest,
    path: Path,
    *,
    runner: NotebookRunner | None,
    workspace: Workspace | None,
    started: NotebookRunner | None = None,
) -> tuple[Any, Workspace]:
    """Validate the workspace here, then run the notebook: (executed notebook, workspace)."""
    from trc_analytics.records.load import load_workspace
    from trc_analytics.reports.kernel import NotebookFailed, NotebookRunner

    own_runner = runner is None
    # the kernel starts and warms up while this process validates the workspace
    runner = runner or started or NotebookRunner(reuse=True).start(request.kind)
    try:
        ws = workspace
        if ws is None:
            ws = load_workspace(path, keep_valid=request.keep_valid)
        check_subject(ws, request)
        if own_runner:
            _hand_over(runner, request, path, ws)
        building = _build_exporter_meanwhile()
        try:
            nb = runner.run(notebook_path(request.kind), request.parameters(path))
        finally:
            building.join()
    except NotebookFailed as exc:
        raise ReportError(f"the {request.title.lower()} stopped: {exc}") from exc
    finally:
        if own_runner:
            runner.close()
    return nb, ws


def _build_exporter_meanwhile() -> threading.Thread:
    """Build the HTML exporter (`_exporter`, about 0.5 s CPU the first time in a process) in a
    thread, while this thread waits for the kernel to run the notebook; join it before
    exporting. The modules both threads import (papermill's, nbformat, traitlets) are already
    imported when the kernel starts (`NotebookRunner.start`), so no thread sees another's
    half-imported module. A failure here is left for `export_html`, which builds it again and
    raises it in this thread."""

    def build() -> None:
        try:
            _exporter()
        except Exception:  # raised again, in the caller's thread, by export_html
            return

    thread = threading.Thread(target=build, name="trc-exporter", daemon=True)
    thread.start()
    return thread


def _hand_over(runner: NotebookRunner, request: ReportRequest, path: Path, ws: Workspace) -> None:
    """Compute the report's metrics and checks here while the kernel starts, and give them
    with the validated workspace to the kernel (`context.PreparedReport`).

    When that fails the kernel is given nothing: it computes them itself and a failure is
    reported as the notebook cell that raised it, in the words every report uses. Except a
    `WorkspaceError`: a file held as a scan changed since it was validated, and the kernel
    would load the new file and write its figures under the validated files' digest; it
    stops the report here, in its one sentence.
    """
    from trc_analytics.records.workspace import WorkspaceError
    from trc_analytics.reports.context import prepare_report

    try:
        prepared = prepare_report(request.kind, request.parameters(path), ws)
    except WorkspaceError:
        raise
    except Exception:  # the notebook raises it again, naming its cell
        return
    runner.hand_over(prepared)


def _write(
    request: ReportRequest,
    html: str,
    nb: Any,
    out_dir: str | os.PathLike[str],
    keep_notebook: str | os.PathLike[str] | None,
) -> Path:
    """Write the page (and the executed notebook when asked) owner-only; the page's path."""
    return write_outputs(request, html, nb, out_dir, keep_notebook).resolve()
