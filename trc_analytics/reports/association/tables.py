"""The association report's published tables: one function per table, each returning it as
disclosure control lets it out.

The counts come from registered metrics (`trc metrics --list`); these functions lay them onto
full category grids and protect them: the cell-size rule for a count and, since a count is also
a sum of each coach's contribution, the contributor and dominance rules beside it (a category
one or two coaches make would otherwise show their own activity). `disclosure` is called
through its module so the adversarial tests can record every table it protects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

import trc_analytics.disclosure as disclosure
from trc_analytics.checks import CHECKS
from trc_analytics.disclosure import Protected, ProtectedMagnitudes, PublishedView
from trc_analytics.reports.association.cells import (
    coach_region,
    grid,
    hidden,
    onto,
    regional,
    regions,
)
from trc_analytics.reports.context import ReportContext

# --- coaches and clients served ---------------------------------------------------------------


def coaches_by_region(ctx: ReportContext) -> Protected:
    """Active coaches by region (metric `active_coaches`)."""
    coaches, _ = regional(ctx, "active_coaches")
    return disclosure.protect_counts(
        coaches.select("region", "coaches"),
        rows="region",
        value="coaches",
        policy=ctx.policy,
        table="coaches by region",
    )


def clients_per_coach(ctx: ReportContext) -> ProtectedMagnitudes:
    """Clients served by region as a sum of each coach's clients (metric `headline`):
    contributor and dominance rules, so a region of one or two coaches does not show that
    coach's caseload."""
    per_coach, _ = ctx.metric("headline")
    frame = per_coach.select("coach_id", clients=pl.col("active_clients").cast(pl.Float64)).join(
        coach_region(ctx), on="coach_id", how="inner"
    )
    return disclosure.protect_magnitudes(
        frame,
        rows="region",
        value="clients",
        contributor="coach_id",
        policy=ctx.policy,
        table="clients by region (per coach)",
    )


def clients_by_region(ctx: ReportContext) -> PublishedView:
    """Clients served by region (metric `headline` by region), under both rules."""
    head, _ = regional(ctx, "headline")
    clients = (
        pl.DataFrame({"region": regions(ctx)})
        .join(head.select("region", "active_clients"), on="region", how="left")
        .with_columns(clients=pl.col("active_clients").fill_null(0).cast(pl.Int64()))
        .drop("active_clients")
    )
    counts = disclosure.protect_counts(
        clients, rows="region", value="clients", policy=ctx.policy, table="clients by region"
    )
    return disclosure.both_rules(counts, clients_per_coach(ctx))


# --- sessions and hours by region and month ---------------------------------------------------


def _held_by_coach_month(ctx: ReportContext) -> pl.DataFrame:
    frame, _ = ctx.metric("held_by_coach_month")
    return frame


def session_counts(ctx: ReportContext) -> Protected:
    """Held sessions by region and month (metric `held_by_coach_month`), cell-size rule.

    Months are a time axis (`time_axis="cols"`): the report for one month less publishes the
    same grand total, so each month's total is public by subtraction; disclosure control shows
    those totals and hides cells so that no hidden count follows from them. Raises
    `CannotProtect` when public totals already pin a small count down.
    """
    categories = grid(("region", regions(ctx)), ("month", ctx.period.months()))
    return disclosure.protect_counts(
        onto(_held_by_coach_month(ctx), ["region", "month"], categories, "sessions"),
        rows="region",
        cols="month",
        value="sessions",
        policy=ctx.policy,
        time_axis="cols",  # month totals are public, and the grand total (sessions by area)
        table="sessions by region and month",
    )


def monthly_sessions(ctx: ReportContext, counts: Protected) -> PublishedView:
    """Sessions by region and month as published: the cell-size rule of `counts` and the
    contributor and dominance rules over each coach's sessions."""
    per_coach = _held_by_coach_month(ctx).select(
        "coach_id", "region", "month", pl.col("sessions").cast(pl.Float64)
    )
    sums = disclosure.protect_magnitudes(
        per_coach,
        rows="region",
        cols="month",
        value="sessions",
        contributor="coach_id",
        policy=ctx.policy,
        time_axis="cols",
        table="sessions by region and month (per coach)",
    )
    return disclosure.both_rules(counts, sums)


def hours_by_region_month(ctx: ReportContext) -> ProtectedMagnitudes:
    """Hours held by region and month, a sum of each coach's hours (month totals public)."""
    return disclosure.protect_magnitudes(
        _held_by_coach_month(ctx).select("coach_id", "region", "month", "hours"),
        rows="region",
        cols="month",
        value="hours",
        contributor="coach_id",
        policy=ctx.policy,
        time_axis="cols",  # month totals are public, and the grand total (hours by fee)
        table="hours by region and month",
    )


def monthly_tables(ctx: ReportContext) -> tuple[Protected, ProtectedMagnitudes]:
    """Held sessions (counts, cell-size rule) and hours (sums) by region and month."""
    return session_counts(ctx), hours_by_region_month(ctx)


# --- demand by area ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    """The demand table as published, the cells it hides and the tables it rests on."""

    frame: pl.DataFrame
    hidden: dict[str, set[int]]
    protected: tuple[Any, ...]


def _by_area(ctx: ReportContext) -> pl.DataFrame:
    """area, sessions, coaches_declaring (metric `demand_vs_supply`), clients (metric
    `clients_by_area`): the whole association, by area."""
    dvs, _ = ctx.metric("demand_vs_supply")
    clients, _ = ctx.metric("clients_by_area")
    return (
        dvs.group_by("area")
        .agg(pl.col("sessions").sum(), pl.col("coaches_declaring").sum())
        .sort("area")
        .join(clients, on="area", how="left")
        .with_columns(pl.col("clients").fill_null(0).cast(pl.Int64()))
    )


def _per_coach_by_area(ctx: ReportContext, value: str, **kwargs: Any) -> ProtectedMagnitudes:
    """`value` by area as a sum of each coach's (metric `held_by_coach_area`)."""
    per_coach, _ = ctx.metric("held_by_coach_area")
    return disclosure.protect_magnitudes(
        per_coach.filter(pl.col(value) > 0).select(
            "coach_id", "area", pl.col(value).cast(pl.Float64)
        ),
        rows="area",
        value=value,
        contributor="coach_id",
        policy=ctx.policy,
        table=f"{value} by area (per coach)",
        **kwargs,
    )


def sessions_by_area(ctx: ReportContext, by_area: pl.DataFrame) -> PublishedView:
    """Held sessions by area; they add up to the sessions total published by month."""
    counts = disclosure.protect_counts(
        by_area.select("area", "sessions"),
        rows="area",
        value="sessions",
        policy=ctx.policy,
        known_total=True,
        table="sessions by area",
    )
    return disclosure.both_rules(counts, _per_coach_by_area(ctx, "sessions", known_total=True))


def clients_by_area(ctx: ReportContext, by_area: pl.DataFrame) -> PublishedView:
    """Distinct clients by area."""
    counts = disclosure.protect_counts(
        by_area.select("area", "clients"),
        rows="area",
        value="clients",
        policy=ctx.policy,
        table="clients by area",
    )
    return disclosure.both_rules(counts, _per_coach_by_area(ctx, "clients"))


def coaches_by_area(ctx: ReportContext, by_area: pl.DataFrame) -> Protected:
    """Active coaches declaring competence, by area."""
    return disclosure.protect_counts(
        by_area.select("area", "coaches_declaring"),
        rows="area",
        value="coaches_declaring",
        policy=ctx.policy,
        table="coaches by area",
    )


def demand_by_area(ctx: ReportContext) -> Demand:
    """Demand (sessions, clients) against supply (coaches declaring competence) by area, as
    published; training_needed is judged from published figures only: sessions were held and
    fewer than `min_cell` coaches (none, or a hidden count) declare competence."""
    by_area = _by_area(ctx)
    ps, pk = sessions_by_area(ctx, by_area), clients_by_area(ctx, by_area)
    pd = coaches_by_area(ctx, by_area)
    per_coach = disclosure.rate_of(ps, pd, name="sessions_per_declaring_coach")
    few = pd.cells.select(
        "area", few_declaring=pl.col("suppressed") | (pl.col("coaches_declaring") == 0)
    )
    table = (
        ps.cells.select("area", "sessions")
        .join(pk.cells.select("area", "clients"), on="area", maintain_order="left")
        .join(pd.cells.select("area", "coaches_declaring"), on="area", maintain_order="left")
        .join(per_coach, on="area", maintain_order="left")
        .join(few, on="area", maintain_order="left")
        .with_columns(training_needed=(pl.col("sessions") > 0) & pl.col("few_declaring"))
        .drop("few_declaring")
        .sort("sessions", descending=True, nulls_last=True)
    )
    rules = {c: pl.col(c).is_null() for c in ("sessions", "clients", "coaches_declaring")}
    rules["sessions_per_declaring_coach"] = (
        pl.col("sessions").is_null() | pl.col("coaches_declaring").is_null()
    )
    rules["training_needed"] = pl.col("training_needed").is_null()
    return Demand(table, hidden(table, rules), (ps, pk, pd))


# --- compliance -------------------------------------------------------------------------------


def compliance_by_check(ctx: ReportContext) -> tuple[pl.DataFrame, Protected] | None:
    """Cases examined and kept per check (the check results), as published; None when no
    check could be evaluated. A check whose cases come from one or two coaches (or one
    dominant coach) would show their own compliance: the whole row is hidden."""
    results = ctx.checks
    per_check = results.compliance(by=None).select(
        pl.col("check_id").alias("check"), "examined", "compliant"
    )
    if per_check.is_empty():
        return None
    rates, protected = disclosure.protect_rate(
        per_check,
        rows="check",
        numerator="compliant",
        denominator="examined",
        policy=ctx.policy,
        table="compliance by check",
    )
    rates = disclosure.hide_rows_few_contribute(
        rates,
        rows="check",
        columns=["examined", "compliant", "rate"],
        contributions=results.compliance(by="coach").select(
            "coach_id", pl.col("check_id").alias("check"), "examined"
        ),
        value="examined",
        contributor="coach_id",
        policy=ctx.policy,
        table="cases examined per check (per coach)",
    )
    rates = rates.with_columns(
        rule=pl.col("check").replace_strict({c.id: c.title for c in CHECKS}, default=None),
    ).select("check", "rule", "examined", "compliant", pl.col("rate").alias("kept_pct"))
    return rates, protected


# --- referrals --------------------------------------------------------------------------------


def _referrals_per_coach(ctx: ReportContext) -> pl.DataFrame:
    """coach_id, reason, service_type, referrals (metric `referrals_by`), typed as the
    workspace's vocabularies, for reasons with at least one referral."""
    frame, _ = ctx.metric("referrals_by")
    schema = ctx.ws.schema["referrals"]
    return frame.filter(pl.col("referrals") > 0).with_columns(
        pl.col(c).cast(schema.field(c).dtype) for c in ("reason", "service_type")
    )


def referrals_by_reason(ctx: ReportContext) -> PublishedView:
    """Referrals by reason (rows) and service type (columns), under both rules; protected
    knowing the total, which the vetted-share table's denominators add up to."""
    schema = ctx.ws.schema["referrals"]
    categories = grid(
        ("reason", list(schema.field("reason").enum or ())),
        ("service_type", list(schema.field("service_type").enum or ())),
    )
    per_coach = _referrals_per_coach(ctx)
    counts = onto(per_coach, ["reason", "service_type"], categories, "referrals")
    used = per_coach["reason"].cast(pl.String).unique().implode()
    protected = disclosure.protect_counts(
        counts.filter(pl.col("reason").is_in(used)),
        rows="reason",
        cols="service_type",
        value="referrals",
        policy=ctx.policy,
        known_total=True,  # the vetted-share table's denominators add up to the same total
        table="referrals by reason and service type",
    )
    sums = disclosure.protect_magnitudes(
        per_coach.with_columns(pl.col("referrals").cast(pl.Float64)),
        rows="reason",
        cols="service_type",
        value="referrals",
        contributor="coach_id",
        policy=ctx.policy,
        known_total=True,
        table="referrals by reason and service type (per coach)",
    )
    return disclosure.both_rules(protected, sums)


def vetted_share_by_region(ctx: ReportContext) -> tuple[pl.DataFrame, Protected] | None:
    """Referrals to services the coach had vetted, by region (metric `vetted_share`), as
    published; None without vetted_services or referrals. A region whose referrals come from
    one or two coaches would show their own share: the whole row is hidden."""
    vs, note = regional(ctx, "vetted_share")
    if note or not vs.height:
        return None
    rates, protected = disclosure.protect_rate(
        vs.select("region", "to_vetted", "referrals"),
        rows="region",
        numerator="to_vetted",
        denominator="referrals",
        policy=ctx.policy,
        known_total=True,
        table="vetted share by region",
    )
    contributions = (
        _referrals_per_coach(ctx)
        .group_by("coach_id")
        .agg(pl.col("referrals").sum())
        .join(coach_region(ctx), on="coach_id", how="inner")
    )
    rates = disclosure.hide_rows_few_contribute(
        rates,
        rows="region",
        columns=["to_vetted", "referrals", "rate"],
        contributions=contributions,
        value="referrals",
        contributor="coach_id",
        policy=ctx.policy,
        table="referrals per region (per coach)",
    ).rename({"rate": "vetted_pct"})
    return rates, protected


# --- certification and giving -----------------------------------------------------------------

#: Credential statuses, in the order the pipeline shows them.
STATUSES = ["current", "due", "grace", "lapsed"]


def credential_pipeline(ctx: ReportContext) -> Protected:
    """Credentials by kind and status as of the period end (metric `credential_status`)."""
    cases, _ = ctx.metric("credential_status")
    credentials = sorted(cases["credential"].unique().to_list())
    categories = grid(("credential", credentials), ("status", STATUSES))
    counts = onto(
        cases.with_columns(credentials=pl.lit(1)),
        ["credential", "status"],
        categories,
        "credentials",
    )
    return disclosure.protect_counts(
        counts,
        rows="credential",
        cols="status",
        value="credentials",
        policy=ctx.policy,
        table="certification pipeline",
    )


def hours_by_fee(ctx: ReportContext) -> ProtectedMagnitudes:
    """Hours held by fee (metric `fee_mix`): association-wide, protected knowing the total
    that hours by region and month publish (a split by region would open cells here)."""
    fees, _ = ctx.metric("fee_mix")
    return disclosure.protect_magnitudes(
        fees.select("coach_id", "fee_type", "hours"),
        rows="fee_type",
        value="hours",
        contributor="coach_id",
        policy=ctx.policy,
        known_total=True,  # hours by region and month publish the same total
        table="hours by fee",
    )


def community_by_kind(ctx: ReportContext) -> ProtectedMagnitudes:
    """Community-service hours by kind (metric `community_service_hours`)."""
    cs, _ = ctx.metric("community_service_hours")
    return disclosure.protect_magnitudes(
        cs.select("coach_id", "kind", "hours"),
        rows="kind",
        value="hours",
        contributor="coach_id",
        policy=ctx.policy,
        table="community service by kind",
    )
