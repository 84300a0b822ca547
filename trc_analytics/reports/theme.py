"""The one chart look of every report, and the only way a chart becomes part of a report.

Colour-blind-safe Okabe-Ito palette, readable axis titles, fixed sizes that fit an A4 or Letter
page beside a one-sentence takeaway. `to_svg` turns an Altair chart into inline SVG offline
(vl-convert, no external URL allowed) after refusing record-level data: only aggregated frames
may be drawn, so no client, engagement or session id can reach a chart.
"""

from __future__ import annotations

import functools
import re
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
                "labelFontSize": 11,
                "titleFontSize": 12,
                "titleFontWeight": "normal",
                "titleColor": "#222222",
                "labelColor": "#333333",
                "gridColor": "#e6e6e6",
                "domainColor": "#888888",
                "tickColor": "#888888",
                "labelLimit": 220,
            },
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom"},
            "title": {"fontSize": 13, "anchor": "start", "fontWeight": "bold"},
            "bar": {"color": PALETTE[0]},
            "line": {"color": PALETTE[0], "strokeWidth": 2},
            "point": {"color": PALETTE[0], "filled": True},
            "text": {"fontSize": 11},
        },
    }


def _register() -> None:
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


def to_svg(chart: alt.TopLevelMixin, *, allow_coach_ids: bool = True) -> str:
    """Inline SVG of `chart` in the report theme, rendered offline from aggregated data only.

    The namespace attributes are dropped (HTML does not need them), so a report holds no URL.
    """
    import altair as alt
    import vl_convert as vlc

    check_aggregated(chart, allow_coach_ids=allow_coach_ids)
    _register()
    with alt.theme.enable(THEME_NAME):
        spec = chart.to_dict()
    svg = vlc.vegalite_to_svg(spec, allowed_base_urls=[])
    return _XMLNS.sub("", svg)


def report_css() -> str:
    """The report stylesheet, the one place its rules live.

    The offline page inlines it (the nbconvert template); `reports/lab_view.py` scopes the same
    rules to each output so a section reads alike inside JupyterLab.
    """
    return _report_css()


@functools.cache
def _report_css() -> str:
    from importlib import resources

    css = resources.files("trc_analytics.reports").joinpath("template/trc_offline/report.css")
    return css.read_text(encoding="utf-8")
