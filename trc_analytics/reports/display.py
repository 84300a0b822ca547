"""What a report section shows, and how it turns into HTML inside a notebook.

A section builder returns a `Section`: a title, headline figures, at most one chart with its
one-sentence takeaway, tables and plain notes. Jupyter displays it through `_repr_html_`, so the
notebook cell is one call and the executed notebook holds finished HTML: inside JupyterLab with
its styles and charts as SVG images (`lab_view`), turned back by the exporter into the offline
report's HTML (charts as inline SVG, one stylesheet for the page).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

#: Text shown in a cell that disclosure control withheld (never shown as zero or left blank).
SUPPRESSED_TEXT = "suppressed"
#: Text shown for a value that does not exist (e.g. a rate with no denominator).
MISSING_TEXT = "–"
#: Longest table printed in full; longer tables say how many rows were left out.
MAX_TABLE_ROWS = 60
#: Columns holding vocabulary values, printed with their labels (`one_to_one` -> `one-to-one`).
VOCABULARY_COLUMNS = frozenset(
    {
        "area",
        "format",
        "fee_type",
        "reason",
        "service_type",
        "kind",
        "status",
        "credential",
        "end_reason",
        "delivery",
        "outcome",
        "exclusion_reason",
        "basis",
        "recipient_type",
        "concern_group",
        "client_type",
        "age_band",
        "fee_basis",
        "severity",
        "competence",
    }
)


@functools.cache
def vocabulary_labels() -> dict[str, str]:
    """value -> display label, from the schema's `vocabularies.toml` (`[<vocabulary>.labels]`)."""
    from trc_analytics.records.schema import load_schema

    return load_schema().display_labels()


def vocab_label(value: object) -> str:
    """A vocabulary value as reports print it, everywhere (tables, charts, sentences): its label
    in `vocabularies.toml`, else its name with underscores as spaces; None is "not recorded"."""
    if value is None:
        return "not recorded"
    text = str(value)
    return vocabulary_labels().get(text, text.replace("_", " "))


def vocab_words(column: str) -> pl.Expr:
    """`vocab_label` for a frame column (tables and charts built from a frame)."""
    return pl.col(column).cast(pl.String).replace(vocabulary_labels()).str.replace_all("_", " ")


def and_list(names: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`: names in a sentence."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _or_list(names: list[str]) -> str:
    """`a`, `a or b`, `a, b or c`."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def esc(text: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(text), quote=True)


def slug(text: str) -> str:
    """An HTML id for a heading: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def label(column: str) -> str:
    """A column name as a reader sees it: `no_show_share` -> `No show share`."""
    text = column.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _is_share(column: str) -> bool:
    """A 0..1 proportion, printed as a percentage."""
    return column.endswith(("_share", "_rate")) or column in {"share", "rate"}


#: Columns holding an amount of money (the metrics' `hourly_fee`, `pro_bono_value`, ...).
MONEY_SUFFIXES = ("_value", "_fee", "fee_amount")


def is_money(column: str) -> bool:
    """An amount of money: printed with cents, the same way in every cell (`format_money`)."""
    return column.endswith(MONEY_SUFFIXES)


def is_hours(column: str) -> bool:
    """A number of hours (`hours`, `affordable_hours`, `hours_per_month`), not a share of them."""
    return "hours" in column.split("_") and not _is_share(column)


def format_money(value: float | int) -> str:
    """Money with thousands separators and always two decimals: `0.00` beside `1,494.38`, never
    `0.0` beside `1,494`; cents are not dropped from a figure because it is large."""
    return f"{value:,.2f}"


def format_hours(value: float | int, *, round_up: bool = False) -> str:
    """Hours to one decimal, `.0` left off (`108.5`, `108`), never rounded so that a figure reads
    more favourably than its records: hours held round down (99.96 of 100 prints `99.9`, not a
    requirement met); with `round_up`, for hours still needed and for a requirement, they round
    up (0.04 still needed prints `0.1`, not `0`).
    Large figures keep their half hour (`2,601.5`). A tiny float error (8.4999999) is absorbed
    before rounding, so 8.5 stays 8.5."""
    tenths = value * 10
    tenths = math.ceil(tenths - 1e-6) if round_up else math.floor(tenths + 1e-6)
    text = f"{tenths / 10:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def format_value(value: Any, column: str = "") -> str:
    """One cell as text: thousands separators, shares as percentages, dates as ISO, hours by
    `format_hours` and money by `format_money` (the column name says which)."""
    if value is None:
        return MISSING_TEXT
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return format_money(value) if is_money(column) else f"{value:,}"
    if isinstance(value, float):
        if value != value:  # NaN
            return MISSING_TEXT
        if column.endswith("_pct"):  # already a percentage (0..100)
            return f"{value:.0f}%" if abs(value) >= 10 or value == 0 else f"{value:.1f}%"
        if _is_share(column):
            return f"{value:.0%}" if abs(value) >= 0.1 or value == 0 else f"{value:.1%}"
        if is_money(column):
            return format_money(value)
        if is_hours(column):
            return format_hours(value, round_up="still_needed" in column or "required" in column)
        return f"{value:,.1f}"  # a large figure keeps its decimal: 108.5 is not 108
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    if column in VOCABULARY_COLUMNS:
        return vocab_label(value)
    return str(value)


@dataclass
class Figure:
    """One headline number with a short label (and an optional note under it)."""

    label: str
    value: Any
    note: str = ""
    column: str = ""  # formatting hint, e.g. "no_show_share" formats as a percentage

    def to_html(self) -> str:
        """A card: value, label and note as blocks (the stylesheet), with a space between them
        so that where no stylesheet applies (an untrusted notebook in JupyterLab, copied text)
        they read "101 Active clients", not "101Active clients"."""
        note = f' <span class="trc-figure-note">{esc(self.note)}</span>' if self.note else ""
        return (
            f'<div class="trc-figure"><span class="trc-figure-value">'
            f"{esc(format_value(self.value, self.column))}</span> "
            f'<span class="trc-figure-label">{esc(self.label)}</span>{note}</div>'
        )


@dataclass
class Table:
    """A small aggregated table with a caption.

    `suppressed` names, per column, the row positions disclosure control withheld: those cells
    print as "suppressed" whatever value the frame holds.
    """

    caption: str
    frame: pl.DataFrame
    labels: dict[str, str] = field(default_factory=dict)
    note: str = ""
    suppressed: dict[str, set[int]] = field(default_factory=dict)
    empty_text: str = "Nothing to show for this period."

    def to_html(self) -> str:
        cap = f"<caption>{esc(self.caption)}</caption>" if self.caption else ""
        if self.frame.height == 0:
            return table_box(
                f'<table class="trc-table trc-empty">{cap}<tbody><tr><td>'
                f"{esc(self.empty_text)}</td></tr></tbody></table>",
                rows=1,
                columns=1,
            )
        cols = self.frame.columns
        head = "".join(
            f"<th{_no_wrap(text)}>{esc(text)}</th>"
            for text in (self.labels.get(c, label(c)) for c in cols)
        )
        numeric = {c for c, t in self.frame.schema.items() if t.is_numeric()}
        numeric |= {c for c in cols if c not in numeric and _numbers_as_text(self.frame[c])}
        shown = self.frame.head(MAX_TABLE_ROWS)
        body = [
            "<tr>"
            + "".join(self._cell(i, c, v, c in numeric) for c, v in zip(cols, row, strict=True))
            + "</tr>"
            for i, row in enumerate(shown.iter_rows())
        ]
        more = ""
        if self.frame.height > MAX_TABLE_ROWS:
            more = (
                f'<p class="trc-note">{self.frame.height - MAX_TABLE_ROWS:,} more rows not '
                f"printed; the notebook holds the full table.</p>"
            )
        note = f'<p class="trc-note">{esc(self.note)}</p>' if self.note else ""
        table = (
            f'<table class="trc-table">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>"
        )
        return table_box(table, rows=shown.height, columns=len(cols)) + more + note

    def _cell(self, row: int, column: str, value: Any, numeric: bool) -> str:
        """One `<td>`: "suppressed" where disclosure control withheld it, numbers right-aligned
        with thousands separators (also when the released table holds them as text), ids and
        dates kept on one line."""
        if row in self.suppressed.get(column, ()) or value == SUPPRESSED_TEXT:
            return f'<td class="suppressed">{SUPPRESSED_TEXT}</td>'
        if numeric:
            text = _number_text(value) if isinstance(value, str) else format_value(value, column)
            return f'<td class="num">{esc(text)}</td>'
        text = format_value(value, column)
        cls = ' class="trc-long"' if len(text) > LONG_CELL_CHARS else _no_wrap(text)
        return f"<td{cls}>{esc(text)}</td>"


#: Rows up to which a table (with its caption) is printed whole, never split across pages.
SHORT_TABLE_ROWS = 12
#: Columns from which a table is wide: printed in smaller type to fit the text column.
WIDE_TABLE_COLUMNS = 7
#: Characters from which a cell is prose: on a phone it keeps a readable width (the table
#: scrolls sideways instead of squeezing it to a word per line).
LONG_CELL_CHARS = 60
#: A cell that must not wrap: an ISO date or month, or an id such as CL-002196 or SAFE-SRA.
_UNBROKEN = re.compile(r"\d{4}-\d{2}(?:-\d{2})?|[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")
#: A number as a released table holds it in text (hidden cells read "suppressed").
_NUMBER_TEXT = re.compile(r"-?\d+(?:\.\d+)?")


def table_box(table_html: str, *, rows: int, columns: int) -> str:
    """A table in its own box: it scrolls sideways there on a narrow screen (never the page);
    in print a short table stays whole with its caption and a wide one takes smaller type."""
    classes = ["trc-table-box"]
    if rows <= SHORT_TABLE_ROWS:
        classes.append("trc-short")
    if columns >= WIDE_TABLE_COLUMNS:
        classes.append("trc-wide")
    return f'<div class="{" ".join(classes)}">{table_html}</div>'


def _no_wrap(text: str) -> str:
    """` class="nw"` for a date or an id (it never wraps inside its cell), else ""."""
    return ' class="nw"' if _UNBROKEN.fullmatch(text) else ""


def _numbers_as_text(column: pl.Series) -> bool:
    """A text column holding numbers and "suppressed" only (a released table's cells)."""
    if column.dtype != pl.String:
        return False
    values = [v for v in column.drop_nulls().to_list() if v != SUPPRESSED_TEXT]
    return bool(values) and all(_NUMBER_TEXT.fullmatch(v) for v in values)


def _number_text(text: str) -> str:
    """A number written as text, with thousands separators and its decimals as given:
    "1675" -> "1,675", "6440.4" -> "6,440.4"."""
    if not _NUMBER_TEXT.fullmatch(text):
        return text
    whole, dot, decimals = text.partition(".")
    return f"{int(whole):,}" + dot + decimals


@dataclass
class Section:
    """One report section: what a builder returns and a notebook cell displays.

    `takeaway` is one plain sentence: printed beside the chart when there is one, else under the
    heading. `missing` lists absent tables that keep part of the section from being shown; the
    section says so in plain words instead of failing.
    """

    title: str
    takeaway: str = ""
    figures: list[Figure] = field(default_factory=list)
    chart: Any = None  # an altair chart drawn from an aggregated frame
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    level: int = 2
    css_class: str = ""
    allow_coach_ids: bool = True  # False in the association report: no coach id in a chart
    html_blocks: list[str] = field(default_factory=list)  # pre-built, already escaped HTML
    #: the named page the section prints on (a portfolio's coach: one page group, its header)
    page: str = ""

    def chart_svg(self) -> str:
        """The chart as inline SVG ("" when there is none)."""
        if self.chart is None:
            return ""
        from trc_analytics.reports.theme import to_svg

        return to_svg(self.chart, allow_coach_ids=self.allow_coach_ids)

    def to_html(self) -> str:
        h = f"h{self.level}"
        page = f' style="page: {esc(self.page)}"' if self.page else ""
        parts = [
            f'<section class="trc-section {esc(self.css_class)}" id="{slug(self.title)}"{page}>',
            f"<{h}>{esc(self.title)}</{h}>",
        ]
        if self.missing:
            parts.append(
                '<p class="trc-missing">'
                + esc(
                    "Not shown: the workspace has no "
                    + _or_list(self.missing)
                    + " records, so this part cannot be computed."
                )
                + "</p>"
            )
        if self.figures:
            parts.append(
                '<div class="trc-figures">' + "".join(f.to_html() for f in self.figures) + "</div>"
            )
        svg = self.chart_svg()
        if svg:
            parts.append(
                f'<div class="trc-chart-row"><div class="trc-chart">{svg}</div>'
                f'<p class="trc-takeaway">{esc(self.takeaway)}</p></div>'
            )
        elif self.takeaway:
            parts.append(f'<p class="trc-takeaway trc-lead">{esc(self.takeaway)}</p>')
        parts.extend(self.html_blocks)
        parts.extend(t.to_html() for t in self.tables)
        parts.extend(f'<p class="trc-note">{esc(n)}</p>' for n in self.notes)
        parts.append("</section>")
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return lab_html(self.to_html())

    def __repr__(self) -> str:
        return f"<Section {self.title!r}>"


@dataclass
class Sections:
    """Several sections shown by one notebook cell (e.g. one per coach of a portfolio)."""

    items: list[Section | Sections]
    title: str = ""
    level: int = 2

    def to_html(self) -> str:
        head = f"<h{self.level}>{esc(self.title)}</h{self.level}>" if self.title else ""
        body = "\n".join(s.to_html() for s in self.items)
        if self.title:
            return f'<section class="trc-group" id="{slug(self.title)}">{head}{body}</section>'
        return body

    def _repr_html_(self) -> str:
        return lab_html(self.to_html())

    def __repr__(self) -> str:
        return f"<Sections {self.title!r}: {len(self.items)}>"


def bullet_list(items: Iterable[str], css_class: str = "") -> str:
    """An escaped `<ul>` of plain sentences."""
    lis = "".join(f"<li>{esc(i)}</li>" for i in items)
    return f'<ul class="{esc(css_class)}">{lis}</ul>' if lis else ""


def quote(passage: str) -> str:
    """A passage of the Code, quoted and marked so text scans can tell it from our wording."""
    return f'<blockquote class="trc-code">{esc(passage)}</blockquote>'


def header_html(
    title: str, subtitle: str, facts: Sequence[tuple[str, str]], contents: Sequence[str]
) -> str:
    """The report's first block: title, subject and period, key facts and a list of contents."""
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    toc = "".join(f'<li><a href="#{slug(c)}">{esc(c)}</a></li>' for c in contents)
    return (
        f'<header class="trc-header"><h1>{esc(title)}</h1>'
        f'<p class="trc-subtitle">{esc(subtitle)}</p><dl class="trc-facts">{dl}</dl>'
        f'<nav class="trc-contents"><h2>Contents</h2><ol>{toc}</ol></nav></header>'
    )


@dataclass
class Header:
    """The report title block, displayed by the notebook's first call."""

    title: str
    subtitle: str
    facts: list[tuple[str, str]]
    contents: list[str]
    notes: list[str] = field(default_factory=list)

    def to_html(self) -> str:
        notes = "".join(f'<p class="trc-note trc-attention">{esc(n)}</p>' for n in self.notes)
        return header_html(self.title, self.subtitle, self.facts, self.contents) + notes

    def _repr_html_(self) -> str:
        return lab_html(self.to_html())

    def __repr__(self) -> str:
        return f"<Header {self.title!r}>"


def lab_html(html: str) -> str:
    """How a notebook shows report HTML: styled and with charts as images even where JupyterLab
    has not signed the notebook (`lab_view.to_lab`; the offline page gets `html` back)."""
    from trc_analytics.reports.lab_view import to_lab

    return to_lab(html)


def show(*items: object) -> None:
    """Display each item in the notebook, skipping None (a section with nothing to say)."""
    from IPython.display import display

    for item in items:
        if item is not None:
            display(item)
