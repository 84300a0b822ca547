"""Every chart the three reports draw is a valid Vega-Lite spec.

`theme.to_svg` skips Altair's JSON-schema validation (it cost more than drawing a small chart);
this test validates, in its place, every chart each report's sections draw on the demo, so a
malformed chart still fails a test before it reaches a report.
"""

from __future__ import annotations

import re
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


# --- drawing: axes whose labels all fit skip the truncation pass, equal specs draw once -------


def _plain_svg(spec: dict[str, Any]) -> str:
    """vl-convert's SVG of the spec exactly as given, namespaces dropped (what `to_svg` drew
    before it skipped the label limit where no label can reach it)."""
    import vl_convert as vlc

    return theme._XMLNS.sub("", vlc.vegalite_to_svg(spec, allowed_base_urls=[]))


def test_every_chart_the_reports_draw_is_byte_identical_with_and_without_the_label_limit(
    demo_workspace, monkeypatch
):
    specs = [
        theme.chart_spec(c)
        for kind in ("supervisor", "self-audit", "association")
        for c in _drawn_charts(monkeypatch, _sections(kind, demo_workspace))
    ]
    relaxed = [s for s in specs if theme._unlimited_axes(s) is not s]
    assert len(relaxed) >= len(specs) // 2  # most charts take the short path
    for spec in relaxed:
        assert _plain_svg(theme._unlimited_axes(spec)) == _plain_svg(spec)


def _bars(labels: list[str]) -> dict[str, Any]:
    frame = pl.DataFrame({"area": labels, "n": list(range(1, len(labels) + 1))})
    return theme.chart_spec(alt.Chart(frame).mark_bar().encode(x="n:Q", y="area:N"))


def test_an_axis_with_a_label_that_may_not_fit_keeps_its_limit_and_is_still_cut_short():
    chars = theme._safe_chars(theme.LABEL_FONT_SIZE)
    assert theme._fitting_axes(_bars(["a" * chars, "b"])) == {"x", "y"}
    assert theme._fitting_axes(_bars(["a" * (chars + 1), "b"])) == {"x"}  # near miss
    assert theme._fitting_axes(_bars(["é", "b"])) == {"x"}  # not ASCII: not judged
    long = "Supervision about a competence gap in trauma-informed group facilitation work"
    spec = _bars([long, "b"])
    assert "axisY" not in theme._unlimited_axes(spec)["config"]
    svg = theme.spec_svg(spec)
    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert long not in drawn and any(t.startswith("Supervision about") for t in drawn)
    assert any(t.endswith("…") for t in drawn)  # still cut short at LABEL_LIMIT
    assert svg == _plain_svg(spec)


def test_numbers_too_large_to_print_short_keep_the_limit_on_every_axis():
    frame = pl.DataFrame({"area": ["a", "b"], "n": [5, 2_000_000]})
    spec = theme.chart_spec(alt.Chart(frame).mark_bar().encode(x="n:Q", y="area:N"))
    assert theme._fitting_axes(spec) == set()


def test_an_equal_spec_is_drawn_once_per_process(monkeypatch):
    import vl_convert as vlc

    calls: list[dict[str, Any]] = []
    draw = vlc.vegalite_to_svg
    monkeypatch.setattr(vlc, "vegalite_to_svg", lambda s, **k: calls.append(s) or draw(s, **k))
    monkeypatch.setattr(theme, "_SVGS", {})
    first = theme.spec_svg(_bars(["north", "south"]))
    assert theme.spec_svg(_bars(["north", "south"])) == first
    assert len(calls) == 1
    theme.spec_svg(_bars(["north", "east"]))  # near miss: other data, drawn again
    assert len(calls) == 2


@pytest.mark.parametrize("kind", ["supervisor", "self-audit", "association"])
def test_no_chart_makes_altair_rebuild_a_channel_from_a_plain_value(
    demo_workspace, monkeypatch, kind
):
    """A channel given to `.encode()` as a bare string or `alt.value(...)` is turned into its
    class by Altair's `from_dict`, which first hashes the schema of every Altair class (about
    5 ms each time, three times in a supervisor review); the charts pass channel objects
    (`alt.Text`, `alt.ColorValue`, `alt.XValue`, ...), which draw the same spec."""
    from altair.utils import schemapi

    rebuilt: list[int] = []
    original = schemapi._FromDict.__init__

    def counting(self: Any, classes: Any) -> None:
        rebuilt.append(1)
        original(self, classes)

    monkeypatch.setattr(schemapi._FromDict, "__init__", counting)
    _drawn_charts(monkeypatch, _sections(kind, demo_workspace))
    assert rebuilt == []
