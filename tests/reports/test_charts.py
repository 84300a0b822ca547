"""Chart specs: whole-number ticks for counts, honest ticks for hours, hidden categories kept
and marked, legends listing only what is drawn (asserted on `chart.to_dict()` and the SVG)."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import polars as pl
import pytest

from trc_analytics.reports import charts, theme
from trc_analytics.reports.association import charts as association_charts
from trc_analytics.reports.association import words


def _spec(chart) -> dict:
    return chart.to_dict()


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _tick_labels(chart, axis_title: str) -> list[str]:
    """Tick labels of the value axis, read from the rendered SVG (between the first tick and
    the axis title)."""
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", theme.to_svg(chart))
    return texts[: texts.index(axis_title)]


@pytest.mark.parametrize("top", [1, 2, 3, 4, 5, 7])
def test_a_small_count_axis_ticks_each_whole_number_once(top):
    frame = pl.DataFrame({"reason": ["a", "b"], "referrals": [top, 1]})
    chart = charts.bars(frame, "reason", "referrals", x_title="Referrals", values="count")
    axis = _spec(chart)["encoding"]["x"]["axis"]
    assert axis["format"] == ",d" and axis["tickMinStep"] == 1
    assert axis["values"] == list(range(top + 1))
    labels = _tick_labels(chart, "Referrals")
    assert labels == [str(n) for n in range(top + 1)]


def test_count_ticks_are_whole_distinct_and_cover_the_largest_count():
    for top in [0, 0.4, *range(1, 2001)]:
        ticks = charts.count_ticks(top)
        assert ticks[0] == 0 and ticks[-1] >= top
        assert all(isinstance(t, int) for t in ticks)
        assert len(set(ticks)) == len(ticks) <= charts.MAX_COUNT_TICKS
        assert len({b - a for a, b in itertools.pairwise(ticks)}) <= 1


def test_a_stacked_count_axis_reaches_the_tallest_stack():
    frame = pl.DataFrame(
        {"coach": ["C-1", "C-1", "C-2"], "severity": ["major", "minor", "minor"], "n": [2, 2, 1]}
    )
    chart = charts.bars(frame, "coach", "n", x_title="Findings", colour="severity", values="count")
    assert _spec(chart)["encoding"]["x"]["axis"]["values"] == [0, 1, 2, 3, 4]


def test_a_monthly_count_axis_lists_whole_numbers():
    frame = pl.DataFrame(
        {"month": [dt.date(2026, 1, 1), dt.date(2026, 2, 1)], "active": [1, 2], "new": [0, 1]}
    )
    chart = charts.monthly(frame, {"active": "Active", "new": "New"}, y_title="Clients")
    axis = _spec(chart)["encoding"]["y"]["axis"]
    assert axis["format"] == ",d" and axis["values"] == [0, 1, 2]


def test_an_hours_axis_labels_a_half_hour_as_such_near_miss():
    frame = pl.DataFrame({"reason": ["routine", "case consult"], "hours": [2.5, 1.0]})
    chart = charts.bars(frame, "reason", "hours", x_title="Supervision hours")
    axis = _spec(chart)["encoding"]["x"]["axis"]
    assert "values" not in axis and not axis["format"].endswith("d")
    labels = _tick_labels(chart, "Supervision hours")
    assert labels == ["0", "0.5", "1", "1.5", "2", "2.5"]


def test_quarterly_supervision_hours_tick_at_halves_with_their_decimals():
    frame = pl.DataFrame(
        {"quarter": [dt.date(2026, 1, 1), dt.date(2026, 4, 1)], "agreed": [3.0, 3.0]}
    )
    chart = charts.monthly(
        frame,
        {"agreed": "Agreed"},
        y_title="Supervision hours",
        month="quarter",
        kind="bar",
        label=charts.quarter_label(),
        values="hours",
    )
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", theme.to_svg(chart))
    assert "2026 Q1" in labels and "2.5" in labels and "3" in labels
    assert len(labels) == len(set(labels))


def _regions(clients: list[int | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "region": ["east", "islands", "north", "west"],
            "clients": clients,
            "suppressed": [c is None for c in clients],
        },
        schema_overrides={"clients": pl.Int64},
    )


def test_a_suppressed_region_keeps_its_row_marked_suppressed():
    chart = association_charts.served(_regions([251, None, 411, None]))
    spec = _spec(chart)
    bars, marks = spec["layer"]
    assert marks["mark"]["type"] == "text"
    marked = spec["datasets"][marks["data"]["name"]]
    assert marked == [
        {"region": "islands", "marker": "suppressed"},
        {"region": "west", "marker": "suppressed"},
    ]
    drawn = spec["datasets"][bars["data"]["name"]]
    assert {r["region"] for r in drawn} == {"east", "north"}
    assert bars["encoding"]["y"]["sort"] == marks["encoding"]["y"]["sort"]
    assert bars["encoding"]["y"]["sort"] == ["north", "east", "islands", "west"]
    svg = theme.to_svg(chart)
    assert svg.count(">suppressed</text>") == 2 and ">islands</text>" in svg


def test_a_chart_with_every_region_published_has_no_marker_near_miss():
    spec = _spec(association_charts.served(_regions([251, 12, 411, 20])))
    assert "layer" not in spec and spec["mark"]["type"] == "bar"
    assert "suppressed" not in str(spec["datasets"])


def test_a_zero_is_drawn_as_a_value_not_marked_suppressed():
    spec = _spec(association_charts.served(_regions([251, 0, 411, None])))
    marks = spec["layer"][1]
    assert spec["datasets"][marks["data"]["name"]] == [{"region": "west", "marker": "suppressed"}]


def test_hidden_checks_keep_their_rows_in_the_compliance_chart():
    rates = pl.DataFrame({"check": ["SAFE-SRA", "CERT-ETHICS"], "kept_pct": [97.0, None]})
    spec = _spec(association_charts.compliance(rates))
    marks = spec["layer"][1]
    assert spec["datasets"][marks["data"]["name"]] == [
        {"check": "CERT-ETHICS", "marker": "suppressed"}
    ]


def _legend_domain(spec: dict) -> list[str]:
    colour = _layers(spec)[0]["encoding"]["color"]
    assert colour["scale"]["domain"] == colour["sort"]
    return colour["scale"]["domain"]


def test_the_certification_legend_lists_only_the_statuses_drawn():
    cells = pl.DataFrame(
        {
            "credential": ["initial", "initial", "initial", "initial", "advanced"],
            "status": ["current", "due", "grace", "lapsed", "current"],
            "credentials": [30, 0, None, None, 12],
            "suppressed": [False, False, True, True, False],
        }
    )
    spec = _spec(association_charts.pipeline(cells))
    assert _legend_domain(spec) == ["current"]
    scale = _layers(spec)[0]["encoding"]["color"]["scale"]
    assert scale["range"] == [charts.PALETTE[0]]


def test_a_legend_lists_every_status_drawn_in_order_near_miss():
    cells = pl.DataFrame(
        {
            "credential": ["initial"] * 4,
            "status": ["lapsed", "current", "grace", "due"],
            "credentials": [11, 30, 12, 14],
            "suppressed": [False] * 4,
        }
    )
    assert _legend_domain(_spec(association_charts.pipeline(cells))) == [
        "current",
        "due",
        "grace",
        "lapsed",
    ]


def test_a_kind_whose_every_status_is_hidden_is_marked_in_the_pipeline():
    cells = pl.DataFrame(
        {
            "credential": ["initial", "initial", "NPE", "NPE"],
            "status": ["current", "due", "current", "due"],
            "credentials": [30, None, None, 0],
            "suppressed": [False, True, True, False],
        }
    )
    spec = _spec(association_charts.pipeline(cells))
    marks = spec["layer"][1]
    assert spec["datasets"][marks["data"]["name"]] == [
        {"credential": "NPE", "marker": "suppressed"}
    ]


def test_a_severity_legend_lists_only_the_severities_found():
    frame = pl.DataFrame({"coach_id": ["C-0001", "C-0002"], "critical": [0, 0], "major": [0, 1]})
    frame = frame.with_columns(minor=pl.lit(2))
    spec = _spec(charts.severity_bars(frame, "coach_id", x_title="Findings"))
    assert _legend_domain(spec) == ["major", "minor"]
    colour = spec["encoding"]["color"]
    assert colour["scale"]["range"] == [
        theme.SEVERITY_COLOURS["major"],
        theme.SEVERITY_COLOURS["minor"],
    ]


def test_a_long_legend_label_is_not_cut_short():
    frame = pl.DataFrame({"quarter": [dt.date(2026, 1, 1)], "a": [0.1], "b": [0.2]})
    chart = charts.monthly(
        frame,
        {"a": "Pro bono", "b": "Pro bono or reduced (low income)"},
        y_title="Share",
        month="quarter",
        label=charts.quarter_label(),
        share=True,
    )
    assert "Pro bono or reduced (low income)</text>" in theme.to_svg(chart)


def test_the_hidden_note_counts_figures_in_plain_words():
    class Released:
        def __init__(self, hidden: int) -> None:
            self.cells = pl.DataFrame({"suppressed": [True] * hidden + [False]})
            self.row_totals = self.col_totals = None
            self.totals, self.total = "none", None

    assert words.hidden_note(Released(1)).startswith("1 figure of this section is hidden.")
    assert words.hidden_note(Released(5)).startswith("5 figures of this section are hidden.")
    assert "(s)" not in words.hidden_note(Released(5))
    assert words.hidden_note(Released(0)) == "Every figure of this section could be published."


def _month_totals(sessions: list[int | None]) -> pl.DataFrame:
    months = [dt.date(2026, m, 1) for m in range(1, len(sessions) + 1)]
    return pl.DataFrame(
        {"month": months, "sessions": sessions}, schema_overrides={"sessions": pl.Int64}
    )


def test_a_hidden_month_keeps_its_place_on_the_line_chart_marked_suppressed():
    """A month whose total disclosure control hid used to vanish from the axis (and the line
    joined its neighbours), reading as a month without sessions."""
    chart = association_charts.sessions(_month_totals([120, None, 140, 130, None, 150]))
    spec = _spec(chart)
    line, marks = spec["layer"]
    assert line["mark"]["invalid"] == "break-paths-filter-domains"  # no line across the gap
    assert spec["datasets"][marks["data"]["name"]] == [
        {"when": "2026-02", "marker": "suppressed"},
        {"when": "2026-05", "marker": "suppressed"},
    ]
    drawn = spec["datasets"][line["data"]["name"]]
    assert [r["when"] for r in drawn] == [f"2026-0{m}" for m in range(1, 7)]
    assert {r["when"]: r["value"] for r in drawn}["2026-02"] is None  # not drawn as 0
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", theme.to_svg(chart))
    assert texts.count("suppressed") == 2 and "2026-02" in texts and "2026-05" in texts


def test_a_line_chart_with_every_month_published_has_no_marker_near_miss():
    spec = _spec(association_charts.sessions(_month_totals([120, 3, 140, 130, 0, 150])))
    assert "layer" not in spec and "invalid" not in spec["mark"]
    assert "suppressed" not in str(spec["datasets"])


def test_a_kind_only_partly_hidden_carries_the_mark_on_its_drawn_part():
    """ "initial" has 30 current credentials published and its due count hidden: its bar is
    the published part only and ends in "+ suppressed"; "advanced" (all published) does not."""
    cells = pl.DataFrame(
        {
            "credential": ["initial", "initial", "advanced", "NPE", "NPE"],
            "status": ["current", "due", "current", "current", "due"],
            "credentials": [30, None, 33, None, 0],
            "suppressed": [False, True, False, True, False],
        }
    )
    spec = _spec(association_charts.pipeline(cells))
    bars, whole, part = spec["layer"]
    assert spec["datasets"][whole["data"]["name"]] == [
        {"credential": "NPE", "marker": "suppressed"}
    ]
    assert spec["datasets"][part["data"]["name"]] == [
        {"credential": "initial", "credentials": 30, "marker": "+ suppressed"}
    ]
    assert part["encoding"]["y"]["sort"] == bars["encoding"]["y"]["sort"]
    assert part["encoding"]["x"]["title"] == bars["encoding"]["x"]["title"]
    texts = re.findall(
        r"<text[^>]*>([^<]*)</text>", theme.to_svg(association_charts.pipeline(cells))
    )
    assert texts.count("+ suppressed") == 1 and "Credentials (published cells)" in texts


def test_a_kind_with_every_figure_published_carries_no_mark_near_miss():
    cells = pl.DataFrame(
        {
            "credential": ["initial", "initial"],
            "status": ["current", "due"],
            "credentials": [30, 12],
            "suppressed": [False, False],
        }
    )
    spec = _spec(association_charts.pipeline(cells))
    assert "layer" not in spec and "suppressed" not in str(spec["datasets"])


def _one_quiet_month():
    """Six coaches of one region, three sessions each in every month of 2026-H1 but March,
    when one coach held two: with min_cell 5, March's total cannot be published."""
    from builders import build, client, coach, engagement, session

    ids = [f"C-{i}" for i in range(1, 7)]
    sessions = [
        session(
            f"S-{c}-{m}-{n}",
            coach_id=c,
            engagement_id=f"E-{c}",
            client_id=f"K-{c}",
            held_on=f"2026-{m:02d}-{10 + n}",
        )
        for c in ids
        for m in range(1, 7)
        for n in range(3 if m != 3 else (2 if c == "C-1" else 0))
    ]
    return build(
        coaches=[coach(c) for c in ids],
        clients=[client(f"K-{c}", coach_id=c) for c in ids],
        engagements=[
            engagement(f"E-{c}", coach_id=c, client_id=f"K-{c}", started_on="2025-12-01")
            for c in ids
        ],
        sessions=sessions,
    )


def test_the_association_report_marks_a_hidden_month_of_a_real_workspace():
    from trc_analytics.reports import association
    from trc_analytics.reports.association import release as rel
    from trc_analytics.reports.context import open_report

    ctx = open_report(
        "association", date_from="2026-01-01", date_to="2026-06-30",
        workspace=_one_quiet_month(), min_cell=5,
    )  # fmt: skip
    totals = rel.release_of(ctx).table(rel.SESSIONS).col_totals
    hidden = totals.filter(pl.col("sessions").is_null())["month"].to_list()
    assert dt.date(2026, 3, 1) in hidden and len(hidden) < 6
    html = association.sessions_hours(ctx).to_html()
    chart = html[html.index("<svg") : html.index("</svg>")]
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", chart)
    assert [t for t in texts if t.startswith("2026-")] == [f"2026-0{m}" for m in range(1, 7)]
    assert texts.count("suppressed") == len(hidden)
