"""Charts sent to a report kernel's chart helper as their section is built (issue 13, batch).

In a report kernel each chart's spec goes to the helper process as soon as its `Section`
exists, so the helper draws it on the other core while the kernel builds the next sections;
`show` collects the SVG. The SVG must be the one drawn when shown (the reports stay byte for
byte the same), a record-level chart must never leave the kernel, and a helper that fails
midway must cost nothing but the drawing in the kernel.
"""

from __future__ import annotations

import datetime as dt
import signal

import polars as pl
import pytest

from trc_analytics.reports import chart_engine, charts, theme
from trc_analytics.reports.display import Section


@pytest.fixture
def chart_helper(monkeypatch):
    """A running chart helper for this process (ended afterwards); no SVG remembered."""
    monkeypatch.setattr(theme, "_SVGS", {})
    monkeypatch.setattr(theme, "_DRAWING", {})
    helper = chart_engine.start_helper()
    yield helper
    chart_engine._helper = None
    helper.kill()
    helper.wait(timeout=60)


def _chart(month_sessions: list[int]) -> object:
    months = [dt.date(2026, m + 1, 1) for m in range(len(month_sessions))]
    frame = pl.DataFrame({"month": months, "held": month_sessions})
    return charts.monthly(frame, {"held": "Sessions held"}, y_title="Sessions")


def _drawn_here(chart: object) -> str:
    """The SVG this process draws for `chart` with no helper and nothing remembered."""
    import vl_convert as vlc

    spec = theme._unlimited_axes(theme.chart_spec(chart))
    return theme._XMLNS.sub("", vlc.vegalite_to_svg(spec, allowed_base_urls=[]))


def test_several_specs_sent_at_once_come_back_each_to_its_own_chart(chart_helper) -> None:
    """Specs go out before any reply is read; each drawing gets its own SVG, collected in any
    order, the same as vl-convert draws here."""
    import vl_convert as vlc

    specs = [theme.chart_spec(_chart([n, n + 3, 2 * n])) for n in range(1, 7)]
    drawings = [chart_engine.submit(spec) for spec in specs]
    for i in (5, 0, 3, 1, 4, 2):
        assert drawings[i].svg() == vlc.vegalite_to_svg(specs[i], allowed_base_urls=[])
    assert chart_engine._helper is chart_helper and chart_helper.poll() is None


def test_a_section_sends_its_chart_as_it_is_built_and_shows_the_same_svg(
    chart_helper, monkeypatch
) -> None:
    """In a kernel with a helper the chart is sent when the section is built; showing it
    does not compute the spec again, and prints what drawing it when shown printed."""
    chart = _chart([4, 0, 7])
    expected = _drawn_here(chart)
    calls = []
    spec_of = theme.chart_spec
    monkeypatch.setattr(theme, "chart_spec", lambda c, **kw: calls.append(c) or spec_of(c, **kw))
    section = Section("Sessions", takeaway="Seven in March.", chart=chart)
    assert section._early is not None and calls == [chart]
    assert section.chart_svg() == expected
    assert f'<div class="trc-chart">{expected}</div>' in section.to_html()
    assert calls == [chart]  # the spec was computed once


def test_without_a_helper_nothing_is_drawn_before_the_section_is_shown_near_miss(
    monkeypatch,
) -> None:
    """Outside a report kernel (JupyterLab, the caller, tests) building a section computes no
    spec; the chart is drawn when shown, as before."""
    monkeypatch.setattr(theme, "_SVGS", {})
    assert not chart_engine.helper_running()
    chart = _chart([2, 5])
    calls = []
    spec_of = theme.chart_spec
    monkeypatch.setattr(theme, "chart_spec", lambda c, **kw: calls.append(c) or spec_of(c, **kw))
    section = Section("Sessions", chart=chart)
    assert section._early is None and calls == []
    assert section.chart_svg() == _drawn_here(chart)


def test_a_record_level_chart_never_reaches_the_helper(chart_helper, monkeypatch) -> None:
    """Confidentiality: a chart of client ids is checked before anything is sent, is not
    sent, and is still refused when shown."""
    sent = []
    monkeypatch.setattr(chart_engine, "submit", lambda spec: sent.append(spec))
    frame = pl.DataFrame({"client_id": ["CL-1", "CL-2"], "hours": [1.0, 2.0]})
    import altair as alt

    chart = alt.Chart(frame).mark_bar().encode(x="client_id:N", y="hours:Q")
    section = Section("Clients", chart=chart)
    assert section._early is None and sent == []
    with pytest.raises(theme.RecordLevelChartError, match="client_id"):
        section.to_html()


def test_a_chart_replaced_after_the_section_was_built_is_drawn_anew(chart_helper) -> None:
    """The early drawing belongs to the chart it was made for: a section whose chart is
    replaced shows the new chart."""
    section = Section("Sessions", chart=_chart([1, 2, 3]))
    replacement = _chart([9, 8])
    section.chart = replacement
    assert section.chart_svg() == _drawn_here(replacement)


def test_charts_waiting_when_the_helper_stops_answering_are_drawn_here(
    chart_helper, monkeypatch
) -> None:
    """A helper stopped with several charts sent: past `REPLY_SECONDS` without a reply it is
    ended and every chart still waiting is drawn here, the same SVG; it is not asked again."""
    monkeypatch.setattr(chart_engine, "REPLY_SECONDS", 1.0)
    first = Section("A", chart=_chart([1]))
    assert first.chart_svg() == _drawn_here(first.chart)  # it answers
    chart_helper.send_signal(signal.SIGSTOP)
    sections = [Section(str(n), chart=_chart([n, n + 1])) for n in range(2, 6)]
    assert [s.chart_svg() for s in sections] == [_drawn_here(s.chart) for s in sections]
    assert chart_engine._helper is None
    assert chart_helper.poll() is not None  # ended and reaped, not left stopped


def test_charts_waiting_when_the_helper_dies_are_drawn_here(chart_helper) -> None:
    """A helper killed (the kernel's group, say) with charts on their way: each is drawn here."""
    sections = [Section(str(n), chart=_chart([n, 2 * n])) for n in range(1, 5)]
    chart_helper.kill()
    assert [s.chart_svg() for s in sections] == [_drawn_here(s.chart) for s in sections]
    assert chart_engine._helper is None
