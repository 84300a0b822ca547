"""The report exporter skips nbconvert's BeautifulSoup pass, and the page is the same document.

nbconvert's HTMLExporter parses its finished page again to give images alt text and notebook
outputs a tabindex, then serialises it anew; a report page has neither, so `render._exporter`
leaves the pass out (it was most of the cost of exporting a report). These tests hold the
page to what the stock pass would give, once parsed, and run the stock pass when a page has
an image after all.
"""

from __future__ import annotations

import copy

import nbformat
import polars as pl
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from trc_analytics.reports import charts
from trc_analytics.reports.display import Section, Table
from trc_analytics.reports.render import (
    NOTEBOOK_ONLY_TAG,
    TEMPLATE_NAME,
    _exporter,
    export_html,
    template_dir,
)
from trc_analytics.reports.theme import report_css

RESOURCES = {"trc_footer": "<footer>f &amp; g</footer>", "trc_title": "T", "trc_version": "1"}


def _notebook(*outputs: dict[str, str]) -> nbformat.NotebookNode:
    """An executed notebook: a parameters cell without output, then one output per cell."""
    cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})]
    note = nbformat.v4.new_markdown_cell("For JupyterLab only")
    note.metadata["tags"] = [NOTEBOOK_ONLY_TAG]
    cells.append(note)
    for data in outputs:
        cell = nbformat.v4.new_code_cell("show(...)")
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
        cells.append(cell)
    cells[-1].outputs.append(nbformat.v4.new_output("stream", name="stderr", text="a warning"))
    return nbformat.v4.new_notebook(cells=cells)


def _stock(nb: nbformat.NotebookNode) -> str:
    """The page nbconvert's own HTMLExporter makes of `nb`, configured as the reports' is."""
    from nbconvert.preprocessors import TagRemovePreprocessor

    from trc_analytics.reports.lab_view import report_outputs

    stock = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    stock.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY_TAG}, enabled=True), enabled=True
    )
    stock.register_preprocessor(report_outputs, enabled=True)
    page, _ = stock.from_notebook_node(nb, resources={**RESOURCES, "trc_css": report_css()})
    return page


def _ours(nb: nbformat.NotebookNode) -> str:
    page, _ = _exporter().from_notebook_node(nb, resources={**RESOURCES, "trc_css": report_css()})
    return page


def _report_like() -> nbformat.NotebookNode:
    frame = pl.DataFrame({"area": ["a & b", "c <d>"], "n": [3, 5]})
    section = Section(
        "Sessions & hours",
        takeaway='"Quoted" & <escaped>',
        chart=charts.bars(frame, "area", "n", x_title="Sessions"),
        tables=[Table("By area", frame)],
    )
    return _notebook(
        {"text/html": section.to_html(), "text/plain": "<Section>"},
        {"text/html": "<p>plain<br>line</p><input disabled>", "text/plain": "p"},
    )


def test_the_report_page_is_the_document_the_stock_exporter_makes():
    nb = _report_like()
    ours, stock = _ours(copy.deepcopy(nb)), _stock(copy.deepcopy(nb))
    assert ours != stock  # the soup pass is skipped: the markup is spelt as the template has it
    assert str(BeautifulSoup(ours, features="html.parser")) == stock  # ... the same document
    assert "<svg" in ours and "For JupyterLab only" not in ours and "a warning" not in ours


def test_a_page_with_an_image_gets_the_stock_pass_and_its_alt_text():
    nb = _notebook({"text/html": '<p>chart</p><img src="data:image/png;base64,AAAA">'})
    ours = _ours(copy.deepcopy(nb))
    assert ours == _stock(copy.deepcopy(nb))
    assert 'alt="No description has been provided for this image"' in ours


def test_export_html_still_refuses_a_page_that_is_not_offline():
    import pytest

    from trc_analytics.reports.request import ReportError

    nb = _notebook({"text/html": '<a href="https://example.org">x</a>', "text/plain": "a"})
    with pytest.raises(ReportError, match="http"):
        export_html(nb, title="T", footer="")
