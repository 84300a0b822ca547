"""Goal attainment and outcome measures in the coach reports (issue 12).

Goals set, achieved, revised and released (metric `goal_progress`), how the scored goals came
out level by level (`attainment_levels`, Goal Attainment Scaling), the T-score of each
engagement (`goal_attainment`), the engagements with no goal recorded yet
(`goals_not_recorded`) and the scores on any outcome measure the association licenses,
first against latest per instrument (`measure_change`). Facts come from those metrics only.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from trc_analytics.metrics.goals import LEVELS
from trc_analytics.reports import charts
from trc_analytics.reports.context import ReportContext
from trc_analytics.reports.display import Figure, Section, Table
from trc_analytics.reports.outline import need
from trc_analytics.reports.sections import first_row, num, pct, plural

#: Attainment level -> the words a chart shows.
LEVEL_WORDS = {
    "much_less": "−2 much less than expected",
    "less": "−1 less than expected",
    "expected": "0 the expected outcome",
    "more": "+1 more than expected",
    "much_more": "+2 much more than expected",
}


def levels_frame(row: dict[str, Any]) -> pl.DataFrame:
    """Scored goals per attainment level, from an `attainment_levels` row."""
    return pl.DataFrame(
        {
            "level": [LEVEL_WORDS[name] for name in LEVELS.values()],
            "goals": [int(row.get(name) or 0) for name in LEVELS.values()],
        }
    )


def measures_frame(ctx: ReportContext, coach: str) -> pl.DataFrame | None:
    """Per instrument: clients measured, those measured twice or more who improved, and the
    mean first and latest scores (None without a measures table)."""
    if "measures" not in ctx.ws:
        return None
    change, _ = ctx.metric("measure_change", coach)
    return (
        change.group_by("instrument", "direction")
        .agg(
            clients=pl.len(),
            measured_twice=(pl.col("measured") > 1).sum(),
            improved=pl.col("improved").fill_null(False).sum(),
            first_mean=pl.col("first_score").mean(),
            latest_mean=pl.col("last_score").mean(),
        )
        .sort("instrument")
        .with_columns(pl.col("direction").cast(pl.String).str.replace("_", " is "))
    )


def _measures_chart(per_instrument: pl.DataFrame) -> str:
    """Mean first and latest score per instrument, as inline SVG ("" when none)."""
    if per_instrument.is_empty():
        return ""
    from trc_analytics.reports.theme import to_svg

    long = per_instrument.select(
        "instrument", first=pl.col("first_mean"), latest=pl.col("latest_mean")
    ).unpivot(index="instrument", variable_name="when", value_name="score")
    chart = charts.bars(
        long,
        "instrument",
        "score",
        x_title="Mean score, first and latest",
        colour="when",
        colour_order=["first", "latest"],
        sort_by_value=False,
    )
    return f'<div class="trc-chart">{to_svg(chart)}</div>'


def _takeaway(progress: dict[str, Any], levels: dict[str, Any], scores: pl.DataFrame) -> str:
    scored = int(levels.get("scored") or 0)
    if not scored:
        return (
            f"{plural(int(progress.get('set') or 0), 'goal')} set and "
            f"{plural(int(progress.get('achieved') or 0), 'goal')} achieved in the period; no "
            "goal has an attained level scored yet."
        )
    share = int(levels.get("at_or_above") or 0) / scored
    mean_t = scores["t_score"].mean() if scores.height else None
    return (
        f"{pct(share)} of {plural(scored, 'scored goal')} reached the expected outcome or more; "
        f"the mean goal attainment T-score over {plural(scores.height, 'engagement')} is "
        f"{num(mean_t, 1)} (50 = as expected)."
    )


def _figures(progress: dict[str, Any], levels: dict[str, Any], counts: bool) -> list[Figure]:
    """Goals by status (when `counts`), then goals scored and the share at or above expected."""
    scored = int(levels.get("scored") or 0)
    share = int(levels.get("at_or_above") or 0) / scored if scored else None
    by_status = [
        Figure(label, progress.get(key))
        for key, label in (
            ("set", "Goals set"),
            ("achieved", "Achieved"),
            ("revised", "Revised"),
            ("released", "Released"),
        )
    ]
    scoring = [
        Figure("Goals scored", scored),
        Figure("At or above expected", share, column="x_share"),
    ]
    return (by_status if counts else []) + scoring


def _tables(ctx: ReportContext, coach: str, scores: pl.DataFrame) -> tuple[list[Table], list[str]]:
    """T-scores, engagements with no goal recorded yet and measures per instrument (tables),
    and the measures chart as an HTML block ("" without measures)."""
    missing_goal, _ = ctx.metric("goals_not_recorded", coach)
    tables = [
        Table(
            "Goal attainment T-score per engagement",
            scores.select("engagement_id", "client_id", "goals", "weights", "t_score"),
            empty_text="No scored goal in the period.",
        ),
        Table(
            f"No goal recorded yet (at least {ctx.policy.goal_after_sessions} sessions held)",
            missing_goal.drop("coach_id", "region"),
            empty_text="Every engagement with that many sessions has a goal recorded.",
        ),
    ]
    per_instrument = measures_frame(ctx, coach)
    if per_instrument is None:
        return tables, []
    tables.append(
        Table(
            "Outcome measures, per instrument",
            per_instrument,
            empty_text="No measure taken up to the period end.",
        )
    )
    return tables, [b for b in [_measures_chart(per_instrument)] if b]


#: How the T-score is computed, stated under the goal sections.
GAS_NOTE = (
    "Goal Attainment Scaling: each goal scored with the client from −2 to +2, 0 the expected "
    "outcome; T = 50 + 10·Σwx / √(0.7·Σw² + 0.3·(Σw)²)."
)


def section(
    ctx: ReportContext, coach: str, title: str, *, counts: bool = True, level: int = 2
) -> Section:
    """Goals by status (unless `counts` is False: the self-audit shows them just before),
    attainment by level, T-scores, engagements with no goal recorded yet, measures."""
    progress = first_row(need(ctx, "goal_progress", coach))
    levels = first_row(need(ctx, "attainment_levels", coach))
    scores = need(ctx, "goal_attainment", coach)
    tables, blocks = _tables(ctx, coach, scores)
    notes = [GAS_NOTE]
    if "measures" not in ctx.ws:
        notes.append("No measures records: outcome measures are not shown.")
    chart = charts.bars(
        levels_frame(levels),
        "level",
        "goals",
        x_title="Scored goals",
        values="count",
        order=list(LEVEL_WORDS.values()),
    )
    return Section(
        title,
        takeaway=_takeaway(progress, levels, scores),
        figures=_figures(progress, levels, counts),
        chart=chart if levels.get("scored") else None,
        tables=tables,
        html_blocks=blocks,
        notes=notes,
        level=level,
    )
