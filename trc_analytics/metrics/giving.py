"""Giving back: pro-bono and reduced-fee work and community service (issue 4, item 4).

"We give back to the survivor community by periodically providing services affordable to those
without many financial resources." Affordable service, the one notion COMM-PROBONO and these
metrics share: held pro-bono sessions, reduced-fee sessions with a client marked `low_income`
(a reduced fee for anyone else, or for a group, is not shown to reach those without many
financial resources), and community-service activities of the kinds that serve survivors
(`SURVIVOR_SERVICE`: advocacy speaks for them, it is not a service given to them). Conventions
are in `scope.py`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from trc_analytics.metrics.registry import summary_metric
from trc_analytics.scope import Scope, share

#: Community-service kinds that serve survivors themselves (not `advocacy`).
SURVIVOR_SERVICE = ("pro_bono_group", "free_workshop", "support_group", "sliding_scale_program")


def affordable_sessions(sc: Scope, held: pl.LazyFrame) -> pl.LazyFrame:
    """The rows of a frame of held sessions that are affordable service: pro bono, or a
    reduced fee for a client marked `low_income`. Every column of `held`."""
    low_income = (
        sc.table("clients")
        .filter(pl.col("low_income").fill_null(False))
        .select("client_id", low_income=pl.lit(True))
    )
    fee = pl.col("fee_type")
    # only the (few) pro-bono and reduced-fee rows are joined to the clients
    return (
        held.filter(fee.is_in(["pro_bono", "reduced"]))
        .join(low_income, on="client_id", how="left")
        .filter((fee == "pro_bono") | pl.col("low_income").fill_null(False))
        .drop("low_income")
    )


def survivor_community_service(sc: Scope) -> pl.LazyFrame:
    """Community-service activities of the kinds that serve survivors, every column (empty
    without a `community_service` table)."""
    return sc.table("community_service").filter(
        pl.col("kind").cast(pl.String()).is_in(list(SURVIVOR_SERVICE))
    )


@summary_metric(
    needs=("sessions",),
    columns={
        "fee_type": pl.String(),
        "sessions": pl.Int64(),
        "hours": pl.Float64(),
        "hours_share": pl.Float64(),
    },
)
def fee_mix(sc: Scope) -> pl.LazyFrame:
    """Held sessions and hours of the period by fee type (paid, reduced, pro_bono).

    Columns: key, fee_type, sessions, hours, hours_share (of the group's held hours).
    """
    return (
        sc.keyed(sc.fee_months())
        .group_by(sc.key, "fee_type")
        .agg(pl.col("sessions", "hours").sum())
        .with_columns(hours_share=share("hours", pl.col("hours").sum().over(sc.key)))
        .sort(sc.key, "fee_type")
    )


def _fee_sum(column: str, fee: str) -> pl.Expr:
    return pl.col(column).filter(pl.col("fee_type") == fee).sum()


@summary_metric(
    needs=("sessions",),
    columns={
        "hours": pl.Float64(),
        "pro_bono_sessions": pl.Int64(),
        "pro_bono_hours": pl.Float64(),
        "reduced_sessions": pl.Int64(),
        "reduced_hours": pl.Float64(),
        "affordable_hours": pl.Float64(),
        "affordable_share": pl.Float64(),
        "community_hours": pl.Float64(),
    },
)
def affordable_service(sc: Scope) -> pl.LazyFrame:
    """Pro-bono and reduced-fee work of the period and its share of all held hours.

    Columns: key, hours (all held), pro_bono_sessions, pro_bono_hours, reduced_sessions,
    reduced_hours (every reduced fee), affordable_hours (affordable service: pro bono + reduced
    for low-income clients, the sessions COMM-PROBONO counts), affordable_share (of held hours),
    community_hours (community service that serves survivors, not advocacy; null without that
    table).
    """
    key = sc.key
    counts = (
        sc.keyed(sc.fee_months())
        .group_by(key)
        .agg(
            hours=pl.col("hours").sum(),
            pro_bono_sessions=_fee_sum("sessions", "pro_bono"),
            pro_bono_hours=_fee_sum("hours", "pro_bono"),
            reduced_sessions=_fee_sum("sessions", "reduced"),
            reduced_hours=_fee_sum("hours", "reduced"),
        )
    )
    fill = ["hours", "pro_bono_sessions", "pro_bono_hours", "reduced_sessions", "reduced_hours"]
    affordable = (
        sc.keyed(affordable_sessions(sc, sc.held_in_period()))
        .group_by(key)
        .agg(affordable_hours=pl.col("hours").sum())
    )
    out = (
        sc.complete(counts, [key], fill)
        .join(affordable, on=key, how="left")
        .with_columns(pl.col("affordable_hours").fill_null(0.0))
    )
    out = out.with_columns(affordable_share=share("affordable_hours", "hours"))
    if "community_service" not in sc.ws:
        return out.with_columns(community_hours=pl.lit(None, pl.Float64()))
    community = (
        sc.keyed(survivor_community_service(sc).filter(sc.in_period("held_on")))
        .group_by(key)
        .agg(community_hours=pl.col("hours").sum())
    )
    return (
        out.join(community, on=key, how="left")
        .with_columns(pl.col("community_hours").fill_null(0.0))
        .sort(key)
    )


def _quarters(sc: Scope) -> pl.LazyFrame:
    quarters = sorted(
        {dt.date(m.year, 3 * ((m.month - 1) // 3) + 1, 1) for m in sc.period.months()}
    )
    return pl.LazyFrame({"quarter": quarters}, schema={"quarter": pl.Date()})


@summary_metric(
    needs=("sessions",),
    columns={
        "quarter": pl.Date(),
        "hours": pl.Float64(),
        "pro_bono_hours": pl.Float64(),
        "reduced_hours": pl.Float64(),
        "pro_bono_share": pl.Float64(),
        "affordable_share": pl.Float64(),
    },
)
def affordable_share_by_quarter(sc: Scope) -> pl.LazyFrame:
    """Pro-bono and affordable share of held hours per calendar quarter.

    Affordable = pro bono + reduced for low-income clients (`affordable_sessions`). Columns:
    key, quarter (first day), hours, pro_bono_hours, reduced_hours (every reduced fee),
    pro_bono_share, affordable_share. Every key and quarter the period touches has a row
    (quarters cut by the period count only the days inside it).
    """
    counts = (
        sc.keyed(sc.fee_months())
        .group_by(sc.key, quarter=pl.col("month").dt.truncate("1q"))
        .agg(
            hours=pl.col("hours").sum(),
            pro_bono_hours=_fee_sum("hours", "pro_bono"),
            reduced_hours=_fee_sum("hours", "reduced"),
        )
    )
    affordable = (
        sc.keyed(affordable_sessions(sc, sc.held_in_period()))
        .group_by(sc.key, quarter=pl.col("held_on").dt.truncate("1q"))
        .agg(affordable_hours=pl.col("hours").sum())
    )
    counts = counts.join(affordable, on=[sc.key, "quarter"], how="left")
    fill = ["hours", "pro_bono_hours", "reduced_hours", "affordable_hours"]
    return (
        sc.complete(counts, [sc.key, "quarter"], fill, grid=_quarters(sc))
        .with_columns(
            pro_bono_share=share("pro_bono_hours", "hours"),
            affordable_share=share("affordable_hours", "hours"),
        )
        .drop("affordable_hours")
    )


@summary_metric(
    needs=("community_service",),
    columns={
        "kind": pl.String(),
        "activities": pl.Int64(),
        "hours": pl.Float64(),
        "participants": pl.Int64(),
    },
)
def community_service_hours(sc: Scope) -> pl.LazyFrame:
    """Community service given in the period, by kind.

    Columns: key, kind, activities, hours, participants (sum of the recorded counts).
    """
    return (
        sc.keyed(sc.table("community_service").filter(sc.in_period("held_on")))
        .group_by(sc.key, "kind")
        .agg(
            activities=pl.len(),
            hours=pl.col("hours").sum(),
            participants=pl.col("participants").sum(),
        )
        .sort(sc.key, "kind")
    )


@summary_metric(
    needs=("sessions",),
    columns={
        "service_days": pl.Int64(),
        "longest_gap_days": pl.Int64(),
        "gap_from": pl.Date(),
        "gap_to": pl.Date(),
    },
)
def longest_without_affordable(sc: Scope) -> pl.LazyFrame:
    """Longest run of days in the period without any affordable service.

    Affordable service = a session of `affordable_sessions` or an activity of
    `survivor_community_service` (when that table exists). By region, a day counts when any
    coach of the region gave such service. Columns: key, service_days (days with some),
    longest_gap_days, gap_from and gap_to (the first such run, inclusive; null when there is
    no gap).
    """
    key, one_day = sc.key, pl.duration(days=1)
    days = [affordable_sessions(sc, sc.held_in_period()).select("coach_id", day=pl.col("held_on"))]
    if "community_service" in sc.ws:
        days.append(
            survivor_community_service(sc)
            .filter(sc.in_period("held_on"))
            .select("coach_id", day=pl.col("held_on"))
        )
    # per key: the days with service, sorted; the run before the first, between two, after
    # the last; the longest (the earliest when runs tie)
    day = pl.col("day").unique().sort()
    between = day.diff().dt.total_days() - 1  # days without service before each service day
    at = between.arg_max()
    events = sc.keyed(pl.concat(days)).select(key, "day").collect()
    if events.is_empty():  # (polars 2.1 mistypes the gathers below on an empty frame)
        return _no_service(sc)
    runs = (
        events.lazy()
        .group_by(key)
        .agg(
            service_days=day.len(),
            first=day.first(),
            last=day.last(),
            inner=between.max(),
            inner_from=day.gather(at - 1).first() + one_day,
            inner_to=day.gather(at).first() - one_day,
        )
        .with_columns(
            head=(pl.col("first") - sc.start).dt.total_days(),
            inner=pl.col("inner").fill_null(0),
            tail=(sc.end - pl.col("last")).dt.total_days(),
        )
    )
    longest = pl.max_horizontal("head", "inner", "tail")
    pick = pl.when(longest == 0).then(pl.lit(None, pl.Date())).when(pl.col("head") == longest)
    runs = runs.with_columns(
        longest_gap_days=longest,
        gap_from=pick.then(sc.start)
        .when(pl.col("inner") == longest)
        .then(pl.col("inner_from"))
        .otherwise(pl.col("last") + one_day),
        gap_to=pick.then(pl.col("first") - one_day)
        .when(pl.col("inner") == longest)
        .then(pl.col("inner_to"))
        .otherwise(sc.end),
    )
    whole = (sc.period.end - sc.period.start).days + 1
    return (
        sc.keys()
        .join(runs, on=key, how="left")
        .with_columns(
            service_days=pl.col("service_days").fill_null(0),
            longest_gap_days=pl.col("longest_gap_days").fill_null(whole),
            gap_from=pl.when(pl.col("service_days").is_null())
            .then(sc.start)
            .otherwise(pl.col("gap_from")),
            gap_to=pl.when(pl.col("service_days").is_null())
            .then(sc.end)
            .otherwise(pl.col("gap_to")),
        )
        .sort(key)
    )


def _no_service(sc: Scope) -> pl.LazyFrame:
    """Every key without any affordable service: the whole period is one run."""
    whole = (sc.period.end - sc.period.start).days + 1
    return (
        sc.keys()
        .with_columns(
            service_days=pl.lit(0, pl.Int64()),
            longest_gap_days=pl.lit(whole, pl.Int64()),
            gap_from=sc.start,
            gap_to=sc.end,
        )
        .sort(sc.key)
    )


def _hourly_fees(held: pl.LazyFrame) -> pl.LazyFrame:
    """Per coach: median fee per hour of the paid sessions given, and the usual currency."""
    paid = held.filter(
        (pl.col("fee_type") == "paid") & (pl.col("hours") > 0) & pl.col("fee_amount").is_not_null()
    )
    # the currency charged most often (ties: the first in sort order), counted per currency
    # rather than as a per-coach mode of every session's text
    usual = (
        paid.drop_nulls("currency")
        .group_by("coach_id", "currency")
        .agg(n=pl.len())
        .filter(pl.col("n") == pl.col("n").max().over("coach_id"))
        .group_by("coach_id")
        .agg(pl.col("currency").min().cast(pl.String()))  # coded in `held_in_period`
    )
    return median_rate(paid).join(usual, on="coach_id", how="left")


def median_rate(paid: pl.LazyFrame) -> pl.LazyFrame:
    """Per coach: the median of fee_amount / hours over `paid`, as `hourly_fee`.

    Computed from how often each (coach, rate) occurs (a coach charges a few fees for a few
    session lengths): a small frame instead of every paid session's rate held for a grouped
    median (the catalogue's largest transient at 5M sessions, +130-190 MiB). The value is
    polars' own median: the middle rate of the sorted rates, or for an even count the two
    middle ones interpolated as polars does (lower + (upper - lower) * 0.5, the lower itself
    when they are equal).
    """
    rate = pl.col("rate")
    lower, upper = pl.col("lower"), pl.col("upper")
    return (
        paid.group_by("coach_id", rate=pl.col("fee_amount") / pl.col("hours"))
        .agg(n=pl.len())
        .sort("coach_id", "rate")
        .with_columns(
            upto=pl.col("n").cum_sum().over("coach_id"),
            total=pl.col("n").sum().over("coach_id"),
        )
        .group_by("coach_id")
        .agg(
            # the rates at sorted positions (total - 1) // 2 and total // 2 (0-based)
            lower=rate.filter(pl.col("upto") > (pl.col("total") - 1) // 2).first(),
            upper=rate.filter(pl.col("upto") > pl.col("total") // 2).first(),
        )
        .select(
            "coach_id",
            hourly_fee=pl.when(lower == upper).then(lower).otherwise((upper - lower) * 0.5 + lower),
        )
    )


@summary_metric(
    needs=("sessions",),
    columns={
        "currency": pl.String(),
        "affordable_hours": pl.Float64(),
        "hourly_fee": pl.Float64(),
        "pro_bono_value": pl.Float64(),
        "reduced_value": pl.Float64(),
        "estimated_value": pl.Float64(),
        "unvalued_hours": pl.Float64(),
    },
)
def value_given(sc: Scope) -> pl.LazyFrame:
    """Estimated value of the affordable sessions of the period (`affordable_sessions`), at the
    coach's usual fee.

    A coach's hourly fee is the median of fee_amount / hours over their held paid sessions of
    the period (or, when they had none, over all their paid sessions up to the period end),
    in the currency they charge most often. A pro-bono session is worth fee x hours; a
    reduced one fee x hours minus the fee actually charged (never below zero). Hours of coaches
    with no paid session to price them are `unvalued_hours` (currency null). Columns: key,
    currency, affordable_hours, hourly_fee (for a region the median of its coaches' fees),
    pro_bono_value, reduced_value, estimated_value.
    """
    # both collected once: which coaches lack a fee is asked of them before the value is
    # (as one plan, the fees were worked out twice, and the affordable sessions found twice)
    affordable, period_fees = pl.collect_all(
        [
            affordable_sessions(sc, sc.held_in_period()).select(
                "coach_id", "fee_type", "hours", "fee_amount"
            ),
            _hourly_fees(sc.held_in_period()),
        ]
    )
    fees = period_fees.lazy()
    unpriced = affordable.select("coach_id").unique().join(period_fees, on="coach_id", how="anti")
    if unpriced.height:  # no paid session in the period: price by the earlier ones
        earlier = (
            sc.held_before_period()
            .filter(pl.col("coach_id").is_in(unpriced.get_column("coach_id").implode()))
            .with_columns(hours=pl.col("duration_min") / 60.0)
        )
        fees = pl.concat([fees, _hourly_fees(earlier)])
    charged = pl.col("fee_amount").fill_null(0.0)
    worth = pl.col("hourly_fee") * pl.col("hours")
    valued = (
        affordable.lazy()
        .join(fees, on="coach_id", how="left")
        .with_columns(
            value=pl.when(pl.col("fee_type") == "pro_bono")
            .then(worth)
            .otherwise((worth - charged).clip(lower_bound=0.0))
        )
    )
    by_coach = valued.group_by("coach_id", "currency").agg(
        affordable_hours=pl.col("hours").sum(),
        hourly_fee=pl.col("hourly_fee").first(),
        pro_bono_value=pl.col("value").filter(pl.col("fee_type") == "pro_bono").sum(),
        reduced_value=pl.col("value").filter(pl.col("fee_type") == "reduced").sum(),
        unvalued_hours=pl.col("hours").filter(pl.col("hourly_fee").is_null()).sum(),
    )
    values = ["pro_bono_value", "reduced_value"]
    return (
        sc.keyed(by_coach)
        .group_by(sc.key, "currency")
        .agg(
            pl.col("affordable_hours", *values, "unvalued_hours").sum(),
            hourly_fee=pl.col("hourly_fee").median(),
        )
        .with_columns(
            # a group none of whose coaches had a paid fee to price by has no value, not 0
            pl.when(pl.col("hourly_fee").is_not_null()).then(pl.col(c)).alias(c)
            for c in values
        )
        .with_columns(estimated_value=pl.col("pro_bono_value") + pl.col("reduced_value"))
        .sort(sc.key, "currency", nulls_last=True)
    )
