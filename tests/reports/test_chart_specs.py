"""Every chart the three reports draw is a valid Vega-Lite spec.

`theme.to_svg` skips Altair's JSON-schema validation (it cost more than drawing a small chart);
this test validates, in its place, every chart each report's sections draw on the demo, so a
malformed chart still fails a test before it reaches a report.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl
import pytest
from altair.utils.schemapi import SchemaValidationError

from trc_analytics.reports import association, self_audit, supervisor, theme
from trc_analytics.reports.context import open_report
from trc_analytics.reports.display import Section, Sections

PERIOD = {"date_from": "2026-01-01", "date_to": "2026-06-30"}


def _drawn_charts(monkeypatch: pytest.MonkeyPatch, parts: list[Any]) -> list[Any]:
    """The charts the sections' HTML converts (recorded instead of converted)."""
    drawn: list[Any] = []

    def record(chart: Any, **_: Any) -> str:
        drawn.append(chart)
        return ""

    monkeypatch.setattr(theme, "to_svg", record)
    for part in parts:
        if isinstance(part, (Section, Sections)):
            part.to_html()
    return drawn


def _sections(kind: str, ws: Any) -> list[Any]:
    """Every section of one report of `kind` on the demo, built in this process."""
    if kind == "association":
        ctx = association.open_association(workspace=ws, **PERIOD)
        return [build(ctx) for _, build in association.SECTIONS]
    if kind == "self-audit":
        ctx = open_report("self-audit", coach="C-0001", workspace=ws, **PERIOD)
        return [build(ctx) for _, build in self_audit.SECTIONS]
    ctx = open_report("supervisor", coach="C-0001", workspace=ws, **PERIOD)
    return supervisor.coach_part(ctx, "C-0001")


def _marks(spec: dict[str, Any]) -> set[str]:
    """The mark types of a (possibly layered) spec."""
    mark = spec.get("mark")
    found = {mark if isinstance(mark, str) else mark["type"]} if mark else set()
    for sub in spec.get("layer", []):
        found |= _marks(sub)
    return found


@pytest.mark.parametrize("kind", ["supervisor", "self-audit", "association"])
def test_every_chart_a_report_draws_validates_against_the_vega_lite_schema(
    demo_workspace, monkeypatch, kind
):
    charts = _drawn_charts(monkeypatch, _sections(kind, demo_workspace))
    assert len(charts) >= 4, "the report draws charts on the demo"
    marks: set[str] = set()
    for chart in charts:
        spec = theme.chart_spec(chart, validate=True)  # raises on a schema violation
        assert spec == theme.chart_spec(chart)  # validating changes nothing it draws
        marks |= _marks(spec)
    assert "bar" in marks


def test_the_reports_draw_lines_bars_and_layered_charts_so_each_kind_is_validated(
    demo_workspace, monkeypatch
):
    specs = [
        theme.chart_spec(c)
        for kind in ("supervisor", "self-audit", "association")
        for c in _drawn_charts(monkeypatch, _sections(kind, demo_workspace))
    ]
    marks = set().union(*(_marks(s) for s in specs))
    assert {"bar", "line"} <= marks
    assert any("layer" in s for s in specs)  # a suppressed category's marker over the bars


def test_a_malformed_chart_fails_validation_though_the_report_path_skips_it():
    chart = alt.Chart(pl.DataFrame({"area": ["a", "b"], "n": [1, 2]})).mark_bar()
    chart = chart.encode(x="area:N", y="n:Q")
    chart.height = "tall"  # set after construction: nothing has checked it yet
    with pytest.raises(SchemaValidationError, match="tall"):
        theme.chart_spec(chart, validate=True)
    assert theme.chart_spec(chart)["height"] == "tall"  # near miss: no validation
