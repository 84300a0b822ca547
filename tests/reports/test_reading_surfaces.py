"""The reports as people read them: in a browser on a phone (390 px) and on a desktop (1280 px),
and printed to A4 (or Letter) from the browser.

Each report (supervisor review, self-audit, association, and a portfolio of three coaches) is
rendered from the small demo, opened in headless Chromium at both widths (the page may be no
wider than the screen: wide tables scroll in their own box) and printed to PDF, which poppler
reads back: the page count stays in bounds, no table caption is left as the last line of a page,
the association PDF stays small (hidden cells are a plain tint, not images), and a portfolio
prints each coach as its own group of pages with the coach named at the top of each.

`make system-tools` installs Chromium and poppler; where they are absent the tests skip, naming
the program.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from browser import DevTools, browser, pdf_page_size_mm, pdf_pages, print_pdf

from trc_analytics.demo.writing import write_frames
from trc_analytics.period import Period
from trc_analytics.reports.kernel import NotebookRunner
from trc_analytics.reports.render import render_report

pytestmark = pytest.mark.slow

PERIOD = Period.parse("2026-01-01", "2026-06-30")
COACH = "C-0001"
#: The supervisor whose portfolio is cut to three coaches for these tests.
PORTFOLIO = "C-0011"
WIDTHS = (390, 1280)
KINDS = ("supervisor", "self-audit", "association", "portfolio")
#: Pages each report may print on (A4) for the small demo: enough to catch a page per table or
#: a layout that stopped breaking, loose enough for a changed sentence.
PAGES = {
    "supervisor": (5, 14),
    "self-audit": (5, 14),
    "association": (4, 10),
    "portfolio": (12, 36),
}
#: The association report's A4 PDF must stay below this (it was 14 MB with hatched cells).
MAX_ASSOCIATION_PDF_BYTES = 1_000_000


def _require(program: str, found: str | None) -> str:
    if not found:
        pytest.skip(f"{program} is not installed (`make system-tools` installs it as root)")
    return found


@pytest.fixture(scope="module")
def chromium() -> str:
    return _require("chromium", browser())


@pytest.fixture(scope="module")
def poppler() -> None:
    _require("pdftotext (poppler-utils)", shutil.which("pdftotext"))
    _require("pdfinfo (poppler-utils)", shutil.which("pdfinfo"))


@pytest.fixture(scope="module")
def workspace(demo_frames, tmp_path_factory) -> Path:
    """The small demo with supervisor C-0011 keeping three of their coaches (C-0006 takes the
    rest): a portfolio of three coaches."""
    coaches = demo_frames["coaches"]
    theirs = coaches.filter(pl.col("supervisor_id") == PORTFOLIO)["coach_id"].sort().to_list()
    assert len(theirs) > 3, "the small demo changed: pick another portfolio"
    moved = pl.col("coach_id").is_in(theirs[3:])
    frames = dict(demo_frames)
    frames["coaches"] = coaches.with_columns(
        supervisor_id=pl.when(moved).then(pl.lit("C-0006")).otherwise(pl.col("supervisor_id"))
    )
    folder = tmp_path_factory.mktemp("surfaces") / "workspace"
    write_frames(frames, folder, format="csv")
    return folder


@pytest.fixture(scope="module")
def reports(chromium, workspace, tmp_path_factory) -> dict[str, Path]:
    """The four reports on A4, and the self-audit on Letter (`letter`)."""
    out = tmp_path_factory.mktemp("surfaces-out")
    common = {"period": PERIOD}
    with NotebookRunner(reuse=True) as runner:
        return {
            "supervisor": render_report(
                "supervisor", workspace, coach=COACH, runner=runner, out_dir=out, **common
            ),
            "self-audit": render_report(
                "self-audit", workspace, coach=COACH, runner=runner, out_dir=out, **common
            ),
            "association": render_report(
                "association", workspace, runner=runner, out_dir=out, **common
            ),
            "portfolio": render_report(
                "supervisor", workspace, supervisor=PORTFOLIO, runner=runner, out_dir=out, **common
            ),
            "letter": render_report(
                "self-audit",
                workspace,
                coach=COACH,
                paper="letter",
                runner=runner,
                out_dir=out / "letter",
                **common,
            ),
        }


@pytest.fixture(scope="module")
def widths(chromium, reports, tmp_path_factory) -> dict[tuple[str, int], object]:
    """Each report measured at each width, in one browser."""
    tools = DevTools(chromium, tmp_path_factory.mktemp("chromium-profile"))
    try:
        return {(k, w): tools.measure(reports[k], w) for k in KINDS for w in WIDTHS}
    finally:
        tools.close()


@pytest.fixture(scope="module")
def pdfs(chromium, poppler, reports, tmp_path_factory) -> dict[str, Path]:
    """Each report printed to PDF from the browser, as a reader would."""
    folder = tmp_path_factory.mktemp("pdfs")
    profile = folder / "profile"
    return {k: print_pdf(chromium, p, folder / f"{k}.pdf", profile) for k, p in reports.items()}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_the_page_is_no_wider_than_the_screen(widths, kind, width):
    measured = widths[(kind, width)]
    assert measured.page <= width, (kind, width, measured)
    assert measured.overflowing == [], measured  # nothing sticks out (tables scroll in a box)


@pytest.mark.parametrize("kind", KINDS)
def test_the_report_prints_on_a4_in_a_bounded_number_of_pages(pdfs, kind):
    width, height = pdf_page_size_mm(pdfs[kind])
    assert (round(width), round(height)) == (210, 297)
    low, high = PAGES[kind]
    assert low <= len(pdf_pages(pdfs[kind])) <= high


def test_paper_letter_prints_on_us_letter(pdfs):
    width, height = pdf_page_size_mm(pdfs["letter"])
    assert (round(width), round(height)) == (216, 279)


def captions(page: Path) -> set[str]:
    """The table captions of a rendered report, as text."""
    text = page.read_text(encoding="utf-8")
    return {html.unescape(c).strip() for c in re.findall(r"<caption>(.*?)</caption>", text)}


def stranded_caption(page_text: str, known: set[str]) -> str | None:
    """The caption that ends the page, if one does: its last one, two or three lines (a caption
    wraps to its table's width) read together are a whole caption."""
    lines = [re.sub(r"\s{2,}", " ", x.strip()) for x in page_text.splitlines() if x.strip()]
    for k in (1, 2, 3):
        tail = " ".join(lines[-k:])
        if tail in known:
            return tail
    return None


@pytest.mark.parametrize("kind", KINDS)
def test_no_table_caption_is_left_at_the_foot_of_a_page(reports, pdfs, kind):
    known = captions(reports[kind])
    assert known, "the report has tables with captions"
    pages = pdf_pages(pdfs[kind])
    stranded = [(n, c) for n, p in enumerate(pages, 1) if (c := stranded_caption(p, known))]
    assert stranded == []


def test_a_caption_alone_at_a_page_foot_would_be_seen():
    known = {"Held sessions by format", "Estimated value given (at the coach's usual hourly fee)"}
    assert stranded_caption("text\n  Held sessions by format  \n\n", known)
    assert stranded_caption("x\nEstimated value given (at the coach's usual\n hourly fee)", known)
    assert not stranded_caption("Held sessions by format\none to one 3", known)
    assert not stranded_caption("0  5  10\n      Held sessions", known)  # an axis title


def test_the_association_pdf_stays_small(pdfs):
    assert pdfs["association"].stat().st_size < MAX_ASSOCIATION_PDF_BYTES


def test_hidden_cells_are_drawn_without_images(reports):
    text = reports["association"].read_text(encoding="utf-8")
    assert 'class="suppressed">suppressed<' in text  # the small demo hides some cells
    assert "gradient" not in text and "url(" not in text  # a tint, no hatch image


def test_a_portfolio_prints_one_coach_per_page_group_named_at_the_top(pdfs):
    pages = pdf_pages(pdfs["portfolio"])
    header = re.compile(r"Supervisor review · Coach (\S+) · portfolio of supervisor " + PORTFOLIO)
    named = [m.group(1) if (m := header.search(p.split("\n", 2)[0])) else None for p in pages]
    coaches = [c for n, c in enumerate(named) if c and (n == 0 or named[n - 1] != c)]
    assert len(coaches) == 3 and len(set(coaches)) == 3  # three groups, one run of pages each
    for coach in coaches:
        first = named.index(coach)
        assert f"Coach {coach}" in pages[first].split("\n", 3)[-1]  # the group opens with it
    assert named[0] is None and named[-1] is None  # the ranking page and the footer: no coach
