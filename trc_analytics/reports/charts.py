"""The few chart shapes the reports use, built from small aggregated frames.

Each takes a frame that is already an aggregate (one row per month, category or pair) and
returns an Altair chart in the report theme's sizes; `theme.to_svg` refuses anything else.
Vocabulary values are shown with their display labels (`reports.display.vocab_label`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from trc_analytics.reports.display import SUPPRESSED_TEXT, vocab_label, vocab_words
from trc_analytics.reports.theme import HEIGHT, PALETTE, SEVERITY_COLOURS, WIDTH

if TYPE_CHECKING:
    import altair as alt


#: What a value axis measures, which sets its ticks: whole counts, hours, or a rate.
Values = Literal["count", "hours", "rate"]
#: d3 number format and smallest step between ticks, per kind of value. Counts tick at whole
#: numbers only (never "0 1 1 2 2 3" on a small range: the ticks are listed, see
#: `count_ticks`); hours at halves at the finest, printed with the decimals they have (a 2.5 h
#: bar ends at the tick "2.5", not at a "3" that is 2.5 rounded); rates with one decimal.
AXES: dict[str, tuple[str, float | None]] = {
    "count": (",d", 1),
    "hours": (",.2~f", 0.5),
    "rate": (",.1f", None),
}
#: Most ticks on a count axis (the axis is at most 400 px wide).
MAX_COUNT_TICKS = 8
#: Grey of the "suppressed" marker drawn where a hidden category has no bar.
HIDDEN_COLOUR = "#555555"


def count_ticks(top: float) -> list[int]:
    """Whole-number ticks from 0 to at least `top`, 1, 2 or 5 times a power of ten apart, at
    most `MAX_COUNT_TICKS` of them. Listed because Vega's own ticks (even with a minimum
    step) fall on halves when the largest count is 1 or 2."""
    top = max(1, math.ceil(top))
    step = 1
    while True:
        for factor in (1, 2, 5):
            if math.ceil(top / (step * factor)) < MAX_COUNT_TICKS:
                stride = step * factor
                return list(range(0, math.ceil(top / stride) * stride + 1, stride))
        step *= 10


def value_scale(values: Values, top: float | None) -> tuple[alt.Axis, alt.Scale]:
    """Axis and scale of a value of kind `values` (see `AXES`) whose largest drawn value (a
    stacked bar's total) is `top`: a count axis lists whole-number ticks and ends at the last."""
    import altair as alt

    fmt, step = AXES[values]
    if values == "count":
        ticks = count_ticks(top or 0)
        axis = alt.Axis(format=fmt, values=ticks, tickMinStep=1)
        return axis, alt.Scale(zero=True, domain=[0, ticks[-1]])
    extra = {"tickMinStep": step} if step is not None else {}
    return alt.Axis(format=fmt, **extra), alt.Scale(zero=True)


def words(column: str) -> pl.Expr:
    """A vocabulary column as words: each value's display label (`display.vocab_label`)."""
    return vocab_words(column)


def month_label(column: str = "month") -> pl.Expr:
    """A month (first day) as `2026-01`."""
    return pl.col(column).dt.strftime("%Y-%m")


def quarter_label(column: str = "quarter") -> pl.Expr:
    """A quarter (first day) as `2026 Q1`."""
    return pl.format("{} Q{}", pl.col(column).dt.year(), pl.col(column).dt.quarter())


def monthly(
    frame: pl.DataFrame,
    series: dict[str, str],
    *,
    y_title: str,
    month: str = "month",
    kind: str = "line",
    x_title: str = "Month",
    label: pl.Expr | None = None,
    share: bool = False,
    values: Values = "count",
    hidden: Sequence[Any] = (),
) -> alt.Chart | alt.LayerChart:
    """One line (or grouped bar) per series over the months (or quarters) of the period.

    `series` maps a column of `frame` to the label the legend shows; `label` turns the date
    column into axis text (default `2026-01`); `values` says what the y axis counts (ticks
    follow `AXES`); `share` draws 0..1 values as percentages instead. `hidden` lists months
    (values of the `month` column, absent from `frame`) whose figure disclosure control
    withheld: they keep their place on the axis, marked "suppressed", and the line breaks
    there instead of joining its neighbours as if the month had no sessions.
    """
    import altair as alt

    x_label = label if label is not None else month_label(month)
    long = (
        frame.select(x_label.alias("when"), *[pl.col(c) for c in series])
        .unpivot(index="when", variable_name="series", value_name="value")
        .with_columns(pl.col("series").replace_strict(series))
    )
    hidden_when = _hidden_months(hidden, month, x_label)
    if hidden_when:  # a null value breaks the line at the month (`invalid`)
        gaps = pl.DataFrame({"when": hidden_when}).join(
            pl.DataFrame({"series": list(series.values())}), how="cross"
        )
        long = pl.concat([long, gaps], how="diagonal_relaxed").sort("when", maintain_order=True)
    base = alt.Chart(long)
    line = {"invalid": "break-paths-filter-domains"} if hidden_when else {}
    mark = base.mark_line(point=True, **line) if kind == "line" else base.mark_bar()
    colour = alt.Color(
        "series:N",
        title=None,
        sort=list(series.values()),
        scale=alt.Scale(range=list(PALETTE[: len(series)])),
        legend=alt.Legend(orient="bottom", labelLimit=0) if len(series) > 1 else None,
    )
    if share:
        y_axis, y_scale = alt.Axis(format=".0%"), alt.Scale(zero=True)
    else:
        y_axis, y_scale = value_scale(values, long.get_column("value").max())
    angle = 0 if long.get_column("when").n_unique() <= 6 else -45
    enc = {
        "x": alt.X("when:O", title=x_title, axis=alt.Axis(labelAngle=angle)),
        "y": alt.Y("value:Q", title=y_title, axis=y_axis, scale=y_scale),
        "color": colour,
    }
    if kind != "line" and len(series) > 1:
        enc["xOffset"] = alt.XOffset("series:N", sort=list(series.values()))
    chart = mark.encode(**enc).properties(width=WIDTH, height=HEIGHT)
    if not hidden_when:
        return chart
    return alt.layer(chart, _hidden_month_marks(hidden_when)).properties(width=WIDTH, height=HEIGHT)


def _hidden_months(hidden: Sequence[Any], month: str, x_label: pl.Expr) -> list[str]:
    """The axis labels of the `hidden` months (`2026-03`), in order."""
    if not hidden:
        return []
    frame = pl.DataFrame({month: list(hidden)})
    return sorted(frame.select(x_label.alias("when"))["when"].unique().to_list())


def _hidden_month_marks(hidden_when: list[str]) -> alt.Chart:
    """A "suppressed" label standing on the axis at each hidden month, as the bars mark a
    hidden category (`_hidden_marks`): the month stays on the chart, marked as withheld, and
    no point suggests a value (not even zero)."""
    import altair as alt

    frame = pl.DataFrame({"when": hidden_when, "marker": [SUPPRESSED_TEXT] * len(hidden_when)})
    return (
        alt.Chart(frame)
        .mark_text(angle=270, align="left", dx=4, fontStyle="italic", color=HIDDEN_COLOUR)
        .encode(x=alt.X("when:O"), y=alt.YValue(HEIGHT), text=alt.Text("marker:N"))
    )


def _category_order(
    data: pl.DataFrame,
    category: str,
    value: str,
    *,
    sort_by_value: bool,
    order: list[str] | None,
    hidden: list[str],
) -> str | list[str] | None:
    """Top-to-bottom order of a bar chart's categories (labels): `order` when given, else by
    value (largest first) or as the frame lists them; hidden categories come last."""
    if order is not None:
        listed = [vocab_label(c) for c in order]
    elif not hidden:
        return "-x" if sort_by_value else None
    elif sort_by_value:
        sums = data.group_by(category, maintain_order=True).agg(pl.col(value).sum())
        listed = sums.sort(value, descending=True, maintain_order=True)[category].to_list()
    else:
        listed = data.get_column(category).unique(maintain_order=True).to_list()
    return listed + [h for h in hidden if h not in listed]


def _hidden_marks(category: str, hidden: list[str], sort: Any) -> alt.Chart:
    """A "suppressed" label at the start of each hidden category's row: the category stays on
    the chart, marked as withheld, and no bar suggests a value (not even zero)."""
    import altair as alt

    frame = pl.DataFrame({category: hidden, "marker": [SUPPRESSED_TEXT] * len(hidden)})
    return (
        alt.Chart(frame)
        .mark_text(align="left", dx=4, fontStyle="italic", color=HIDDEN_COLOUR)
        .encode(y=alt.Y(f"{category}:N", sort=sort), x=alt.XValue(0), text=alt.Text("marker:N"))
    )


def _colour(
    data: pl.DataFrame,
    colour: str,
    value: str,
    *,
    title: str | None,
    order: list[str] | None,
    colours: dict[str, str] | None,
) -> tuple[pl.DataFrame, dict]:
    """The colour encoding of stacked bars, its legend listing only the values drawn (a bar
    longer than zero), in `order`; with `colours`, each value keeps its own colour."""
    import altair as alt

    drawn = set(data.filter(pl.col(value) > 0).get_column(colour).to_list())
    listed = [vocab_label(c) for c in (order or colours or [])]
    listed = listed or sorted(drawn)
    domain = [c for c in listed if c in drawn] or listed
    palette = {vocab_label(k): v for k, v in (colours or {}).items()}
    scale = (
        alt.Scale(domain=domain, range=[palette[d] for d in domain])
        if palette
        else alt.Scale(domain=domain)
    )
    enc: dict = {
        "color": alt.Color(
            f"{colour}:N",
            title=title,
            scale=scale,
            sort=domain,
            legend=alt.Legend(orient="bottom", labelLimit=0),
        )
    }
    if order:
        enc["order"] = alt.Order(f"{colour}_order:Q")
        rank = {d: i for i, d in enumerate(listed)}
        data = data.with_columns(
            pl.col(colour).replace_strict(rank, default=len(rank)).alias(f"{colour}_order")
        )
    return data, enc


def bars(
    frame: pl.DataFrame,
    category: str,
    value: str,
    *,
    x_title: str,
    y_title: str = "",
    colour: str | None = None,
    colour_title: str | None = None,
    colour_order: list[str] | None = None,
    colours: dict[str, str] | None = None,
    sort_by_value: bool = True,
    values: Values = "hours",
    order: list[str] | None = None,
    hidden: Sequence[str] = (),
    partly_hidden: Sequence[str] = (),
) -> alt.Chart | alt.LayerChart:
    """Horizontal bars, one per category (stacked by `colour` when given); long labels fit.

    `order` lists the categories top to bottom (then the values do not sort them), so a chart
    can follow the order of the table beside it. `values` says what the bars measure (the
    axis ticks follow `AXES`). `hidden` names categories whose figure disclosure control
    withheld: they keep a row, marked "suppressed", below the others. `partly_hidden` names
    drawn categories of which some figure was withheld: their bar ends in "+ suppressed"."""
    import altair as alt

    cols = [category, value] + ([colour] if colour else [])
    data = frame.select(cols).with_columns(words(category).alias(category))
    hidden_labels = [vocab_label(h) for h in hidden]
    sort = _category_order(
        data, category, value, sort_by_value=sort_by_value, order=order, hidden=hidden_labels
    )
    top = data.group_by(category).agg(pl.col(value).sum()).get_column(value).max()
    axis, scale = value_scale(values, top)
    enc: dict = {
        "y": alt.Y(f"{category}:N", title=y_title or None, sort=sort),
        "x": alt.X(f"sum({value}):Q", title=x_title, axis=axis, scale=scale),
        "color": alt.ColorValue(PALETTE[0]),
    }
    if colour:
        data = data.with_columns(words(colour).alias(colour))
        data, colour_enc = _colour(
            data, colour, value, title=colour_title, order=colour_order, colours=colours
        )
        enc.update(colour_enc)
    n = len(set(data.get_column(category).to_list()) | set(hidden_labels))
    layers = [alt.Chart(data).mark_bar().encode(**enc)]
    if hidden_labels:
        layers.append(_hidden_marks(category, hidden_labels, sort))
    if partly_hidden:
        part = _partly_hidden_marks(data, category, value, [vocab_label(p) for p in partly_hidden])
        x = alt.X(f"{value}:Q", title=x_title, axis=axis, scale=scale)
        layers.append(part.encode(y=alt.Y(f"{category}:N", sort=sort), x=x))
    chart = layers[0] if len(layers) == 1 else alt.layer(*layers)
    return chart.properties(width=WIDTH - 120, height=max(60, min(22 * n, 420)))


def _partly_hidden_marks(data: pl.DataFrame, category: str, value: str, partly: list[str]) -> Any:
    """ "+ suppressed" just after the drawn part of each `partly` category's bar: the bar is
    the published part only, and says so (x and y are encoded by the caller, as the bars')."""
    import altair as alt

    frame = (
        data.filter(pl.col(category).is_in(partly))
        .group_by(category, maintain_order=True)
        .agg(pl.col(value).sum())
        .with_columns(marker=pl.lit(f"+ {SUPPRESSED_TEXT}"))
    )
    return (
        alt.Chart(frame)
        .mark_text(align="left", dx=4, fontStyle="italic", color=HIDDEN_COLOUR)
        .encode(text=alt.Text("marker:N"))
    )


def severity_bars(
    frame: pl.DataFrame,
    category: str,
    *,
    x_title: str,
    columns: dict[str, str] | None = None,
    values: Values = "count",
) -> alt.Chart:
    """Findings per category stacked by severity, in the frame's row order.

    `columns` maps each severity to the column holding its value (default: the columns named
    critical, major, minor)."""
    columns = columns or {s: s for s in SEVERITY_COLOURS}
    long = frame.select(category, *[pl.col(c).alias(s) for s, c in columns.items()]).unpivot(
        index=category, variable_name="severity", value_name="findings"
    )
    return bars(
        long,
        category,
        "findings",
        x_title=x_title,
        colour="severity",
        colour_title="Severity",
        colour_order=list(SEVERITY_COLOURS),
        colours=SEVERITY_COLOURS,
        values=values,
        order=frame.get_column(category).cast(pl.String).to_list(),
    )


def share_bars(
    frame: pl.DataFrame,
    category: str,
    share: str,
    *,
    x_title: str,
    hidden: Sequence[str] = (),
) -> alt.Chart | alt.LayerChart:
    """Horizontal bars of a share (0..1 or 0..100 given by the data) per category, lowest
    first; `hidden` categories (rate withheld) keep a row marked "suppressed", last."""
    import altair as alt

    data = frame.select(category, share).with_columns(words(category).alias(category))
    top = 100 if data.get_column(share).max() is not None and data[share].max() > 1 else 1
    fmt = ".0f" if top == 100 else ".0%"
    hidden_labels = [vocab_label(h) for h in hidden]
    sort: str | list[str] = "x"
    if hidden_labels:
        sort = data.sort(share, maintain_order=True)[category].to_list() + hidden_labels
    n = data.get_column(category).n_unique() + len(hidden_labels)
    chart = (
        alt.Chart(data)
        .mark_bar(color=PALETTE[2])
        .encode(
            y=alt.Y(f"{category}:N", title=None, sort=sort),
            x=alt.X(
                f"{share}:Q",
                title=x_title,
                scale=alt.Scale(domain=[0, top]),
                axis=alt.Axis(format=fmt),
            ),
        )
    )
    if hidden_labels:
        chart = alt.layer(chart, _hidden_marks(category, hidden_labels, sort))
    return chart.properties(width=WIDTH - 120, height=max(60, min(22 * n, 420)))
