"""The few chart shapes the reports use, built from small aggregated frames.

Each takes a frame that is already an aggregate (one row per month, category or pair) and
returns an Altair chart in the report theme's sizes; `theme.to_svg` refuses anything else.
Vocabulary values are shown with their display labels (`reports.display.vocab_label`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from trc_analytics.reports.display import vocab_label, vocab_words
from trc_analytics.reports.theme import HEIGHT, PALETTE, SEVERITY_COLOURS, WIDTH

if TYPE_CHECKING:
    import altair as alt


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
) -> alt.Chart:
    """One line (or grouped bar) per series over the months (or quarters) of the period.

    `series` maps a column of `frame` to the label the legend shows; `label` turns the date
    column into axis text (default `2026-01`); `share` draws 0..1 values as percentages.
    """
    import altair as alt

    x_label = label if label is not None else month_label(month)
    long = (
        frame.select(x_label.alias("when"), *[pl.col(c) for c in series])
        .unpivot(index="when", variable_name="series", value_name="value")
        .with_columns(pl.col("series").replace_strict(series))
    )
    base = alt.Chart(long)
    mark = base.mark_line(point=True) if kind == "line" else base.mark_bar()
    colour = alt.Color(
        "series:N",
        title=None,
        sort=list(series.values()),
        scale=alt.Scale(range=list(PALETTE[: len(series)])),
        legend=alt.Legend(orient="bottom") if len(series) > 1 else None,
    )
    y_axis = alt.Axis(format=".0%") if share else alt.Axis()
    y_scale = alt.Scale(zero=True)
    angle = 0 if long.get_column("when").n_unique() <= 6 else -45
    enc = {
        "x": alt.X("when:O", title=x_title, axis=alt.Axis(labelAngle=angle)),
        "y": alt.Y("value:Q", title=y_title, axis=y_axis, scale=y_scale),
        "color": colour,
    }
    if kind != "line" and len(series) > 1:
        enc["xOffset"] = alt.XOffset("series:N", sort=list(series.values()))
    return mark.encode(**enc).properties(width=WIDTH, height=HEIGHT)


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
    value_format: str = ",.0f",
    order: list[str] | None = None,
) -> alt.Chart:
    """Horizontal bars, one per category (stacked by `colour` when given); long labels fit.

    `order` lists the categories top to bottom (then the values do not sort them), so a chart
    can follow the order of the table beside it."""
    import altair as alt

    cols = [category, value] + ([colour] if colour else [])
    data = frame.select(cols).with_columns(words(category).alias(category))
    if colour:
        data = data.with_columns(words(colour).alias(colour))
    n = data.get_column(category).n_unique()
    height = max(60, min(22 * n, 420))
    sort: str | list[str] | None = "-x" if sort_by_value else None
    if order is not None:
        sort = [str(c).replace("_", " ") for c in order]
    enc: dict = {
        "y": alt.Y(f"{category}:N", title=y_title or None, sort=sort),
        "x": alt.X(f"sum({value}):Q", title=x_title, axis=alt.Axis(format=value_format)),
    }
    if colour:
        domain = [vocab_label(c) for c in colour_order] if colour_order else None
        if colours:
            scale = alt.Scale(
                domain=[vocab_label(k) for k in colours],
                range=list(colours.values()),
            )
        else:
            scale = alt.Scale(domain=domain) if domain else alt.Scale()
        enc["color"] = alt.Color(
            f"{colour}:N",
            title=colour_title,
            scale=scale,
            sort=domain,
            legend=alt.Legend(orient="bottom"),
        )
        if domain:
            enc["order"] = alt.Order(f"{colour}_order:Q")
            data = data.with_columns(
                pl.col(colour)
                .replace_strict({d: i for i, d in enumerate(domain)}, default=len(domain))
                .alias(f"{colour}_order")
            )
    else:
        enc["color"] = alt.value(PALETTE[0])
    return alt.Chart(data).mark_bar().encode(**enc).properties(width=WIDTH - 120, height=height)


def severity_bars(
    frame: pl.DataFrame,
    category: str,
    *,
    x_title: str,
    columns: dict[str, str] | None = None,
    value_format: str = "d",
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
        value_format=value_format,
        order=frame.get_column(category).cast(pl.String).to_list(),
    )


def share_bars(frame: pl.DataFrame, category: str, share: str, *, x_title: str) -> alt.Chart:
    """Horizontal bars of a share (0..1 or 0..100 given by the data) per category."""
    import altair as alt

    data = frame.select(category, share).with_columns(words(category).alias(category))
    top = 100 if data.get_column(share).max() is not None and data[share].max() > 1 else 1
    fmt = ".0f" if top == 100 else ".0%"
    n = data.get_column(category).n_unique()
    return (
        alt.Chart(data)
        .mark_bar(color=PALETTE[2])
        .encode(
            y=alt.Y(f"{category}:N", title=None, sort="x"),
            x=alt.X(
                f"{share}:Q",
                title=x_title,
                scale=alt.Scale(domain=[0, top]),
                axis=alt.Axis(format=fmt),
            ),
        )
        .properties(width=WIDTH - 120, height=max(60, min(22 * n, 420)))
    )
