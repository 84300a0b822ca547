"""The page layout of a report, as HTML and CSS: the one stylesheet and its paper size, tables in
scrolling boxes (short ones kept whole in print, wide ones smaller), ids and dates on one line,
released numbers right-aligned with separators, and a portfolio's coach as a named page group.
The browser itself is driven in `test_reading_surfaces.py`.
"""

from __future__ import annotations

import re

import polars as pl
import pytest
from click.testing import CliRunner

from trc_analytics.cli import main, options
from trc_analytics.period import Period
from trc_analytics.reports import supervisor, theme
from trc_analytics.reports.context import open_report
from trc_analytics.reports.display import (
    SHORT_TABLE_ROWS,
    WIDE_TABLE_COLUMNS,
    Section,
    Table,
    table_box,
)
from trc_analytics.reports.request import ReportRequest, ReportUsageError

PERIOD = Period.parse("2026-01-01", "2026-06-30")


# --- the stylesheet and the paper ---------------------------------------------------------------


@pytest.mark.parametrize(("paper", "size"), [("a4", "A4"), ("letter", "letter")])
def test_the_paper_sets_the_page_size_of_the_stylesheet(paper, size):
    css = theme.report_css(paper)
    assert f"@page {{ size: {size}; }}" in css
    assert css.startswith(theme.REPORT_CSS)


def test_a4_is_the_default_paper_and_an_unknown_paper_is_refused():
    assert "size: A4" in theme.report_css()
    assert ReportRequest(kind="association", period=PERIOD).paper == "a4"
    with pytest.raises(ValueError, match="unknown paper 'a5'"):
        theme.report_css("a5")
    with pytest.raises(ReportUsageError, match="--paper: 'a5' is not a paper size"):
        ReportRequest(kind="association", period=PERIOD, paper="a5").validate()
    ReportRequest(kind="association", period=PERIOD, paper="letter").validate()  # near miss


def test_the_cli_offers_the_papers_the_stylesheet_knows():
    assert tuple(theme.PAPERS) == options.PAPERS


def test_trc_report_refuses_an_unknown_paper_as_a_usage_error(demo_dir):
    args = ["report", "association", str(demo_dir), "--from", "2026-01-01", "--to", "2026-06-30"]
    result = CliRunner().invoke(main, [*args, "--paper", "a5"])
    assert result.exit_code == 2
    assert "--paper" in result.output and "'a5' is not one of 'a4', 'letter'" in result.output


@pytest.mark.parametrize(("given", "paper"), [([], "a4"), (["--paper", "letter"], "letter")])
def test_trc_report_carries_the_paper_in_its_request(demo_dir, monkeypatch, given, paper):
    seen: list[ReportRequest] = []

    def fake_render(request, **_kwargs):
        seen.append(request)
        return demo_dir / "report.html"

    monkeypatch.setattr("trc_analytics.reports.render.render", fake_render)
    args = ["report", "association", str(demo_dir), "--from", "2026-01-01", "--to", "2026-06-30"]
    result = CliRunner().invoke(main, [*args, *given])
    assert result.exit_code == 0, result.output
    assert [r.paper for r in seen] == [paper]


def test_hidden_cells_are_a_plain_tint_not_an_image():
    rule = re.search(r"td\.suppressed \{([^}]*)\}", theme.REPORT_CSS).group(1)
    assert "background: var(--hidden-tint)" in rule
    assert "gradient" not in theme.REPORT_CSS and "url(" not in theme.REPORT_CSS


def test_nothing_forces_a_page_break_after_the_contents():
    assert "break-after: page" not in theme.REPORT_CSS
    assert "page-break-after: always" not in theme.REPORT_CSS


def test_a_phone_stacks_the_chart_above_its_takeaway():
    narrow = theme.REPORT_CSS[theme.REPORT_CSS.index("@media (max-width: 700px)") :]
    assert ".trc-chart-row { flex-direction: column;" in narrow


def test_a_running_header_is_a_named_page_with_its_text_escaped():
    css = theme.running_header_css("trc-coach-x", 'Coach "A\\B"\nnext')
    assert css.startswith("@page trc-coach-x {")
    assert 'content: "Coach \\"A\\\\B\\" next";' in css
    with pytest.raises(ValueError, match="page name"):
        theme.running_header_css("Coach 1; }", "x")


# --- tables ---------------------------------------------------------------------------------------


def test_a_table_sits_in_a_box_short_tables_whole_wide_ones_marked():
    assert table_box("<table></table>", rows=SHORT_TABLE_ROWS, columns=2) == (
        '<div class="trc-table-box trc-short"><table></table></div>'
    )
    long_wide = table_box("<table></table>", rows=SHORT_TABLE_ROWS + 1, columns=WIDE_TABLE_COLUMNS)
    assert long_wide.startswith('<div class="trc-table-box trc-wide">')
    narrow = table_box("<table></table>", rows=SHORT_TABLE_ROWS + 1, columns=WIDE_TABLE_COLUMNS - 1)
    assert narrow.startswith('<div class="trc-table-box">')
    empty = Table("Nothing", pl.DataFrame({"a": []})).to_html()
    assert empty.startswith(
        '<div class="trc-table-box trc-short"><table class="trc-table trc-empty">'
    )


def test_ids_and_dates_never_wrap_but_words_may():
    frame = pl.DataFrame(
        {
            "date": ["2026-03-25"],
            "client": ["CL-002196"],
            "check": ["SAFE-SRA"],
            "month": ["2026-01"],
            "area": ["complex trauma"],
            "note": ["A-"],  # not an id: nothing after the hyphen
        }
    )
    html = Table("t", frame).to_html()
    for value in ("2026-03-25", "CL-002196", "SAFE-SRA", "2026-01"):
        assert f'<td class="nw">{value}</td>' in html
    assert "<td>complex trauma</td>" in html and "<td>A-</td>" in html


def test_long_prose_in_a_cell_keeps_a_readable_width():
    sentence = "Client CL-002196 began a one-to-one coaching relationship without an assessment."
    html = Table("t", pl.DataFrame({"detail": [sentence], "short": ["x" * 60]})).to_html()
    assert f'<td class="trc-long">{sentence}</td>' in html
    assert f"<td>{'x' * 60}</td>" in html  # 60 characters: still a plain cell


def test_released_numbers_kept_as_text_are_right_aligned_with_separators():
    frame = pl.DataFrame(
        {
            "region": ["east", "islands", "Total"],
            "sessions": ["1675", "suppressed", "12034"],
            "hours": ["6440.4", "suppressed", "-3.5"],
        }
    )
    html = Table("t", frame, suppressed={"sessions": {1}}).to_html()
    assert '<td class="num">1,675</td>' in html and '<td class="num">12,034</td>' in html
    assert '<td class="num">6,440.4</td>' in html and '<td class="num">-3.5</td>' in html
    assert html.count('<td class="suppressed">suppressed</td>') == 2
    assert "<td>east</td>" in html  # words stay text


def test_a_text_column_with_a_word_in_it_is_not_taken_for_numbers():
    frame = pl.DataFrame({"code": ["1675", "north"], "all_hidden": ["suppressed", "suppressed"]})
    html = Table("t", frame).to_html()
    assert "<td>1675</td>" in html and "<td>north</td>" in html
    assert 'class="num"' not in html


# --- a portfolio's coach: one page group, named at the top ----------------------------------------


def test_a_section_on_a_named_page_says_so():
    html = Section("Safety", page="trc-coach-c-0001-0a1b2c3d").to_html()
    assert '<section class="trc-section " id="safety" style="page: trc-coach-c-0001-0a1b2c3d">' in (
        html
    )
    assert "style=" not in Section("Safety").to_html()


def test_page_names_are_distinct_for_distinct_coaches():
    names = {supervisor.coach_page_name(c) for c in ("C-0001", "c-0001", "C_0001", "C-0002")}
    assert len(names) == 4
    assert all(re.fullmatch(r"trc-coach-[a-z0-9-]+", n) for n in names)


def test_each_coach_of_a_portfolio_is_one_page_group_headed_by_the_coach(demo_workspace):
    ws = demo_workspace
    owner = ws["coaches"]["supervisor_id"].drop_nulls().mode().sort()[0]
    ctx = open_report(
        "supervisor", date_from="2026-01-01", date_to="2026-06-30", workspace=ws, supervisor=owner
    )
    first, second = supervisor.coaches_in_order(ctx)[:2]
    part = supervisor.coach_part(ctx, first)
    assert len(part) == 1 + len(supervisor.SECTIONS)
    page = supervisor.coach_page_name(first)
    assert {p.page for p in part} == {page}
    heading = part[0].to_html()
    assert f"<h2>Coach {first}</h2>" in heading
    assert f'@page {page} {{ @top-left {{ content: "Supervisor review · Coach {first}' in heading
    assert {p.page for p in supervisor.coach_part(ctx, second)} == {
        supervisor.coach_page_name(second)
    }


def test_a_single_coach_review_has_no_page_group(demo_workspace):
    ctx = open_report(
        "supervisor",
        date_from="2026-01-01",
        date_to="2026-06-30",
        workspace=demo_workspace,
        coach="C-0001",
    )
    part = supervisor.coach_part(ctx, "C-0001")
    assert len(part) == len(supervisor.SECTIONS)
    assert {p.page for p in part} == {""}
    assert "@page" not in "".join(p.to_html() for p in part)
