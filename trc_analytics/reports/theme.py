"""The one look of every report: its charts (and the only way a chart becomes part of a
report) and its page stylesheet (`report_css`), kept together in this one place.

Colour-blind-safe Okabe-Ito palette, readable axis titles, fixed sizes that fit an A4 or Letter
page beside a one-sentence takeaway. `to_svg` turns an Altair chart into inline SVG offline
(vl-convert, no external URL allowed) after refusing record-level data: only aggregated frames
may be drawn, so no client, engagement or session id can reach a chart.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from trc_analytics.errors import TrcError
from trc_analytics.reports._fastimport import skip_slow_optional_imports

if TYPE_CHECKING:
    import altair as alt

#: Okabe & Ito (2008), ordered so the first colours keep the strongest contrast on white.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)
#: Severity colours, the same in every chart and table.
SEVERITY_COLOURS: dict[str, str] = {"critical": "#D55E00", "major": "#E69F00", "minor": "#56B4E9"}
#: Sizes in CSS pixels: chart plus takeaway fit the 170 mm text width of an A4/Letter page.
WIDTH, HEIGHT = 400, 200
FONT = "Helvetica, Arial, sans-serif"
THEME_NAME = "trc"
#: Widest an axis label is drawn (CSS px); a longer one ends in an ellipsis.
LABEL_LIMIT = 220
#: Axis label size (CSS px), unless an axis sets its own.
LABEL_FONT_SIZE = 11
#: A chart drawn from more rows than this is not an aggregate: refuse it.
MAX_CHART_ROWS = 600
#: Id columns a chart may show (coaches, for the supervisor's portfolio); every other `*_id`
#: names a record (client, engagement, session, ...) and never reaches a chart.
CHART_ID_COLUMNS = frozenset({"coach_id", "supervisor_id"})


def theme_config() -> dict[str, Any]:
    """The Vega-Lite top-level properties and config of the report theme."""
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "background": "white",
        "config": {
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": HEIGHT},
            "range": {"category": list(PALETTE)},
            "axis": {
                "labelFontSize": LABEL_FONT_SIZE,
                "titleFontSize": 12,
                "titleFontWeight": "normal",
                "titleColor": "#222222",
                "labelColor": "#333333",
                "gridColor": "#e6e6e6",
                "domainColor": "#888888",
                "tickColor": "#888888",
                "labelLimit": LABEL_LIMIT,
            },
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom"},
            "title": {"fontSize": 13, "anchor": "start", "fontWeight": "bold"},
            "bar": {"color": PALETTE[0]},
            "line": {"color": PALETTE[0], "strokeWidth": 2},
            "point": {"color": PALETTE[0], "filled": True},
            "text": {"fontSize": 11},
        },
    }


@cache
def _register() -> None:
    """Register the report theme with Altair, once per process.

    `alt.theme.names()` scans the installed packages' entry points (about 15 ms); asked for
    every chart it cost a batch report about 0.1 s, so the answer is kept (`functools.cache`).
    """
    skip_slow_optional_imports()
    import altair as alt

    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(theme_config)


def enable() -> None:
    """Make the report theme the active Altair theme (e.g. for charts drawn in JupyterLab)."""
    import altair as alt

    _register()
    alt.theme.enable(THEME_NAME)


class RecordLevelChartError(TrcError, ValueError):
    """A chart was asked to draw record-level rows instead of an aggregate."""


def _frames(chart: Any) -> list[Any]:
    """Every data frame a (possibly layered or concatenated) chart carries."""
    found = []
    data = getattr(chart, "data", None)
    if data is not None and hasattr(data, "columns"):
        found.append(data)
    for attr in ("layer", "hconcat", "vconcat", "concat"):
        for sub in getattr(chart, attr, None) or []:
            found.extend(_frames(sub))
    spec = getattr(chart, "spec", None)  # facet / repeat
    if spec is not None and not isinstance(spec, dict):
        found.extend(_frames(spec))
    return found


def check_aggregated(chart: Any, *, allow_coach_ids: bool = True) -> None:
    """Raise `RecordLevelChartError` if the chart's data holds record ids or too many rows."""
    allowed = CHART_ID_COLUMNS if allow_coach_ids else frozenset()
    for frame in _frames(chart):
        ids = [c for c in frame.columns if c.endswith("_id") and c not in allowed]
        if ids:
            raise RecordLevelChartError(
                f"a chart may only draw aggregated figures; it was given id column(s) "
                f"{', '.join(ids)}"
            )
        if len(frame) > MAX_CHART_ROWS:
            raise RecordLevelChartError(
                f"a chart may only draw aggregated figures; it was given {len(frame)} rows "
                f"(at most {MAX_CHART_ROWS})"
            )


_XMLNS = re.compile(r'\s+xmlns(:xlink)?="http://www\.w3\.org/[^"]*"')


#: SVGs already drawn in this process, by spec: a batch kernel draws the same chart (an empty
#: month, the same few findings) for several coaches. Bounded; the oldest entry goes first.
_SVGS: dict[str, str] = {}
_MAX_SVGS = 256


def to_svg(chart: alt.TopLevelMixin, *, allow_coach_ids: bool = True) -> str:
    """Inline SVG of `chart` in the report theme, rendered offline from aggregated data only.

    The namespace attributes are dropped (HTML does not need them), so a report holds no URL.
    """
    check_aggregated(chart, allow_coach_ids=allow_coach_ids)
    return spec_svg(chart_spec(chart))


def chart_spec(chart: alt.TopLevelMixin, *, validate: bool = False) -> dict[str, Any]:
    """The Vega-Lite spec of `chart` in the report theme.

    Not validated against the Vega-Lite JSON schema by default: jsonschema costs more than
    drawing a small chart (about 0.08 s per supervisor review), and the chart kinds the reports
    draw all come from `reports.charts`, whose every use in the three reports is validated by
    the tests (`validate=True`, tests/reports/test_chart_specs.py).
    """
    import altair as alt

    _register()
    with alt.theme.enable(THEME_NAME):
        return chart.to_dict(validate=validate)


def spec_svg(spec: dict[str, Any]) -> str:
    """The SVG vl-convert draws for a Vega-Lite `spec` (namespaces dropped), drawn once per
    process for equal specs. Axes whose labels cannot reach `LABEL_LIMIT` are drawn without
    the limit (`_unlimited_axes`): the same picture, without measuring every label twice."""
    import json

    from trc_analytics.reports.chart_engine import draw_svg

    key = json.dumps(spec, sort_keys=True, default=str)
    svg = _SVGS.get(key)
    if svg is None:
        svg = _XMLNS.sub("", draw_svg(_unlimited_axes(spec)))
        if len(_SVGS) >= _MAX_SVGS:
            _SVGS.pop(next(iter(_SVGS)))
        _SVGS[key] = svg
    return svg


# --- axes whose labels all fit: no truncation to measure ----------------------------------------

#: A character of an axis label is at most this many ems wide (the widest ASCII glyphs of the
#: common sans-serif fonts, `W` and `@`, are about 1.02 em): a margin, not a measurement.
_MAX_GLYPH_EM = 1.25
#: A number whose magnitude stays below this prints short whatever its format (`,.2~f`, `%`).
_SHORT_NUMBER = 1e6


def _unlimited_axes(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with `labelLimit: 0` on the x and/or y axes whose every label is provably
    narrower than `LABEL_LIMIT`, else `spec` itself.

    Vega measures each label once to lay the axis out and, when a limit is set, once more to
    see whether to truncate it; the second measurement is about a fifth of a chart's drawing
    time. A label that fits is never truncated, so the SVG is byte for byte the same (the tests
    compare both ways on every chart the reports draw). "Provably" is deliberately coarse:
    ASCII text of at most `_safe_chars()` characters, numbers below `_SHORT_NUMBER`.
    """
    fits = _fitting_axes(spec)
    if not fits:
        return spec
    config = dict(spec.get("config", {}))
    for axis in fits:
        config[f"axis{axis.upper()}"] = {**config.get(f"axis{axis.upper()}", {}), "labelLimit": 0}
    return {**spec, "config": config}


def _safe_chars(font_size: float) -> int:
    """Most characters a label of `font_size` px may have and still surely fit the limit."""
    return int(LABEL_LIMIT / (_MAX_GLYPH_EM * font_size))


def _short(value: Any, chars: int) -> bool:
    """Whether `value` surely prints within `chars` characters."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        return abs(value) < _SHORT_NUMBER
    return isinstance(value, str) and value.isascii() and len(value) <= chars


def _fitting_axes(spec: dict[str, Any]) -> set[str]:
    """The positional channels (`x`, `y`) of `spec` whose labels all fit (see `_short`)."""
    datasets = spec.get("datasets") or {}
    rows = [r for frame in datasets.values() for r in frame]
    if len(rows) > MAX_CHART_ROWS or not all(  # sums of few short numbers stay short
        _short(v, 0) for r in rows for v in r.values() if not isinstance(v, str)
    ):
        return set()
    fits = {"x": True, "y": True}
    for view in [spec, *spec.get("layer", [])]:
        if not set(view) <= _PLAIN_VIEW:
            return set()
        data = view.get("data") or spec.get("data") or {}
        frame = datasets.get(data.get("name")) if set(data) == {"name"} else None
        for channel, encoding in (view.get("encoding") or {}).items():
            if channel in fits and not _labels_fit(encoding, frame):
                fits[channel] = False
    return {channel for channel, ok in fits.items() if ok}


#: Keys of a (layer's) view this check understands; any other (facet, repeat, concat,
#: transform, params...) leaves the limits as they are.
_PLAIN_VIEW = frozenset(
    {"$schema", "config", "data", "datasets", "encoding", "mark", "width", "height"}
    | {"background", "layer", "title", "description", "name"}
)
#: Most characters a number below `_SHORT_NUMBER`, summed over at most `MAX_CHART_ROWS` rows,
#: prints in (`599,999,999.99`).
_NUMBER_CHARS = 14


def _labels_fit(encoding: dict[str, Any], frame: list[dict[str, Any]] | None) -> bool:
    """Whether every label of one positional encoding surely fits the limit: the encoding's
    values all come from `frame` (a named dataset of the spec), and are short."""
    axis = encoding.get("axis") or {}
    if frame is None or not isinstance(axis, dict) or {"labelExpr", "formatType"} & set(axis):
        return False
    chars = _safe_chars(float(axis.get("labelFontSize", LABEL_FONT_SIZE)))
    scale = encoding.get("scale") or {}
    domain = scale.get("domain") if isinstance(scale, dict) else None
    labels = list(axis.get("values") or []) + (domain if isinstance(domain, list) else [])
    field, kind = encoding.get("field"), encoding.get("type")
    if kind in ("nominal", "ordinal"):
        if not isinstance(field, str) or "aggregate" in encoding:
            return False
        if not all(field in row for row in frame):  # a nested or computed field
            return False
        labels += [row[field] for row in frame]
    elif kind == "quantitative" and chars >= _NUMBER_CHARS:
        if isinstance(field, str) and any(isinstance(r.get(field), str) for r in frame):
            return False
    else:
        return False
    return all(_short(value, chars) for value in labels)


# --- the page: one stylesheet for every report ----------------------------------------------

#: Paper sizes a report prints on (`trc report --paper`): the CSS `@page size` of each.
PAPERS: dict[str, str] = {"a4": "A4", "letter": "letter"}
DEFAULT_PAPER = "a4"

#: The report stylesheet: system fonts only (nothing is fetched), a text column that widens on
#: a desktop screen, stacks on a phone (chart above its takeaway, tables scrolling sideways in
#: their own box, never the page) and prints on A4 or Letter (captions kept with their tables,
#: small tables whole, wide tables in smaller type, hidden cells as text on a plain tint).
REPORT_CSS = """\
:root {
  --ink: #1d1d1d; --muted: #5a5a5a; --rule: #d9d9d9; --accent: #0072B2;
  --critical: #D55E00; --major: #E69F00; --minor: #56B4E9; --good: #009E73;
  --hidden-tint: #ececec;
}
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
html { font-size: 15px; }
body.trc-report {
  margin: 0 auto; padding: 24px 28px 40px; max-width: 64rem; color: var(--ink);
  font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; line-height: 1.45;
  background: white; overflow-wrap: break-word;
}
/* Notebook wrappers nbconvert emits around every output: no prompts, no padding. */
.jp-Cell, .jp-Cell-outputWrapper, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output {
  margin: 0; padding: 0; border: 0; display: block; min-width: 0; max-width: 100%;
}
.jp-Cell-inputWrapper, .jp-InputPrompt, .jp-OutputPrompt, .jp-Collapser { display: none; }
.jp-mod-noOutputs { display: none; }
.jp-RenderedText pre { white-space: pre-wrap; font-size: 0.85rem; color: var(--muted); }

h1 { font-size: 1.75rem; margin: 0 0 0.2rem; color: var(--accent); }
h2 { font-size: 1.3rem; margin: 1.8rem 0 0.6rem; padding-bottom: 0.2rem;
     border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.1rem; margin: 1.2rem 0 0.4rem; }
h4 { font-size: 1rem; margin: 1rem 0 0.3rem; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
p { margin: 0.4rem 0; }
a { color: var(--accent); text-decoration: none; }

.trc-header { border-bottom: 1px solid var(--rule); padding-bottom: 0.6rem; }
.trc-subtitle { font-size: 1.05rem; color: var(--muted); margin: 0 0 0.6rem; }
.trc-facts { display: grid; grid-template-columns: max-content minmax(0, 1fr);
             gap: 0.15rem 1rem; margin: 0.4rem 0; }
.trc-facts dt { color: var(--muted); }
.trc-facts dd { margin: 0; }
.trc-contents h2 { font-size: 1rem; border: 0; margin: 0.8rem 0 0.2rem; }
.trc-contents ol { margin: 0; padding-left: 1.4rem; columns: 2; }

.trc-figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(7.5rem, 1fr));
               gap: 0.6rem; margin: 0.6rem 0; }
.trc-figure { border: 1px solid var(--rule); border-radius: 4px; padding: 0.4rem 0.6rem;
              break-inside: avoid; }
.trc-figure-value { display: block; font-size: 1.35rem; font-weight: bold; }
.trc-figure-label { display: block; font-size: 0.85rem; color: var(--muted); }
.trc-figure-note { display: block; font-size: 0.75rem; color: var(--muted); }

.trc-chart-row { display: flex; align-items: center; gap: 1rem; margin: 0.6rem 0;
                 break-inside: avoid; page-break-inside: avoid; }
.trc-chart { flex: 0 1 auto; max-width: 72%; min-width: 0; }
.trc-chart svg { display: block; max-width: 100%; height: auto; }
.trc-takeaway { flex: 1 1 9rem; font-size: 0.95rem; border-left: 3px solid var(--accent);
                padding-left: 0.7rem; }
.trc-lead { border: 0; padding: 0; }

/* A table sits in its own box: on a narrow screen it scrolls sideways there, never the page. */
.trc-table-box { max-width: 100%; overflow-x: auto; margin: 0.6rem 0 0.9rem; }
.trc-table-box > table.trc-table { margin: 0; }
table.trc-table { border-collapse: collapse; margin: 0.6rem 0 0.9rem; font-size: 0.85rem;
                  width: auto; break-inside: auto; }
table.trc-table caption { text-align: left; font-weight: bold; padding: 0.2rem 0; caption-side: top;
                          break-after: avoid; page-break-after: avoid; }
table.trc-table th, table.trc-table td { border-bottom: 1px solid var(--rule);
                                         padding: 0.2rem 0.55rem; text-align: left;
                                         vertical-align: top; }
table.trc-table th { background: #f2f2f2; font-weight: 600; }
table.trc-table td.num { text-align: right; font-variant-numeric: tabular-nums;
                         white-space: nowrap; }
table.trc-checklist td.num { white-space: normal; }  /* "35 of 36 new ... kept" is a phrase */
table.trc-table .nw { white-space: nowrap; }
/* A cell disclosure control withheld: the word on a plain tint (no image, so PDFs stay small). */
table.trc-table td.suppressed { color: var(--muted); font-style: italic; text-align: right;
                                background: var(--hidden-tint); white-space: nowrap; }
table.trc-table tr { break-inside: avoid; page-break-inside: avoid; }
table.trc-empty td { color: var(--muted); border: 0; padding-left: 0; }
thead { display: table-header-group; }
/* A short table (and its caption) is never split across pages. */
.trc-table-box.trc-short { break-inside: avoid; page-break-inside: avoid; }

.trc-note { font-size: 0.85rem; color: var(--muted); }
.trc-attention { color: var(--ink); border-left: 3px solid var(--major); padding-left: 0.6rem; }
.trc-missing { font-style: italic; color: var(--muted); }
blockquote.trc-code { margin: 0.3rem 0 0.6rem 0; padding: 0.3rem 0.8rem; font-size: 0.85rem;
                      border-left: 3px solid var(--rule); color: var(--muted); font-style: italic; }
.trc-severity-critical h3, .trc-severity-critical h4 { color: var(--critical); }
.trc-severity-major h3, .trc-severity-major h4 { color: #a36b00; }
.trc-severity-minor h3, .trc-severity-minor h4 { color: #2a7fae; }
.trc-status { display: inline-block; min-width: 6.5rem; padding: 0 0.4rem; border-radius: 3px;
              font-size: 0.8rem; text-align: center; }
.trc-status-kept { background: #d8efe6; }
.trc-status-attention { background: #fbe8c8; }
.trc-status-unknown { background: #eeeeee; }

footer.trc-footer { margin-top: 2.5rem; padding-top: 0.6rem; border-top: 1px solid var(--rule);
                    font-size: 0.75rem; color: var(--muted); }
footer.trc-footer h2 { font-size: 0.9rem; border: 0; margin: 0.4rem 0; color: var(--ink); }
footer.trc-footer table { border-collapse: collapse; margin: 0.2rem 0 0.5rem; }
footer.trc-footer td, footer.trc-footer th { padding: 0.05rem 0.6rem 0.05rem 0; text-align: left;
                                             vertical-align: top; }
footer.trc-footer code { font-size: 0.7rem; word-break: break-all; }

/* A phone: below 700 px the chart stacks above its takeaway and the margins narrow. */
@media (max-width: 700px) {
  html { font-size: 14px; }
  body.trc-report { padding: 12px 12px 28px; }
  .trc-chart-row { flex-direction: column; align-items: stretch; }
  .trc-chart { max-width: 100%; }
  .trc-takeaway { flex: none; }
  .trc-contents ol { columns: 1; }
  .trc-facts { grid-template-columns: minmax(0, 1fr); gap: 0; }
  .trc-facts dd { margin: 0 0 0.3rem; }
  table.trc-table td.trc-long, table.trc-checklist td:nth-child(2) { min-width: 14rem; }
  /* The caption of a table wider than the screen stays in view, wrapped to the screen. */
  .trc-table-box caption { position: sticky; left: 0; max-width: calc(100vw - 24px); }
}

@page { margin: 15mm 14mm 16mm; }
@media print {
  html { font-size: 10.5pt; }
  body.trc-report { max-width: none; padding: 0; }
  a { color: inherit; }
  /* In print nothing scrolls: a wide table takes smaller type to fit the text column. */
  .trc-table-box { overflow: visible; }
  .trc-table-box.trc-wide table.trc-table { font-size: 0.72rem; }
  .trc-table-box.trc-wide table.trc-table th,
  .trc-table-box.trc-wide table.trc-table td { padding: 0.15rem 0.35rem; }
  footer.trc-footer { break-before: auto; }
}

/* credential progress: plain bars, no script (reports/progress.py) */
table.trc-progress td { vertical-align: middle; }
.trc-bar { width: 12rem; height: 0.8rem; background: #e8e8e8; border-radius: 2px;
           overflow: hidden; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
.trc-bar span { display: block; height: 100%; background: #2f6f8f; }
"""


def report_css(paper: str = DEFAULT_PAPER) -> str:
    """The stylesheet of a report printed on `paper` (a key of `PAPERS`): `REPORT_CSS` and the
    `@page size`. Kept here, in one place, so the offline page and any other view (JupyterLab)
    style a report alike."""
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}; choose one of {', '.join(PAPERS)}")
    return REPORT_CSS + f"@page {{ size: {PAPERS[paper]}; }}\n"


def css_string(text: str) -> str:
    """`text` as a CSS string literal (quotes, backslashes and line breaks escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def running_header_css(page: str, header: str) -> str:
    """A named page `page` whose top margin carries `header` (e.g. the coach a portfolio's
    pages are about): the elements printed on it say `page: <page>` (see `page_style`)."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", page):
        raise ValueError(f"a page name is lower-case letters, digits and hyphens, not {page!r}")
    return (
        f"@page {page} {{ @top-left {{ content: {css_string(header)}; font-size: 8pt; "
        f'color: #5a5a5a; font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; }} }}'
    )
