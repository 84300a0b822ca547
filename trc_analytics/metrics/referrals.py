"""Referral patterns: where clients were sent, to whom, how fast after a crisis (issue 4, item 2).

The Code asks coaches to refer only to services they have personally vetted, to help a client
transfer to therapy when decompensation occurs, and never to release a client without an
explanation and a referral. Conventions (period, keys, missing tables) are in `scope.py`.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.metrics.registry import case_metric, summary_metric
from trc_analytics.scope import Scope, share

#: Service types that count as a transfer to mental-health care after decompensation.
THERAPY_SERVICES = ("therapist", "psychiatrist", "crisis_service")
#: End reasons that mean the coach, not the client, ended the engagement.
COACH_EXITS = ("coach_closed_practice", "coach_released_client")


def _referrals(sc: Scope) -> pl.LazyFrame:
    return sc.table("referrals").filter(sc.in_period("referred_on"))


@summary_metric(
    needs=("referrals",),
    columns={"reason": pl.String(), "service_type": pl.String(), "referrals": pl.Int64()},
)
def referrals_by(sc: Scope) -> pl.LazyFrame:
    """Referrals made in the period, by reason and service type.

    Columns: key, reason, service_type, referrals.
    """
    return (
        sc.keyed(_referrals(sc))
        .group_by(sc.key, "reason", "service_type")
        .agg(referrals=pl.len())
        .sort(sc.key, "reason", "service_type")
    )


@summary_metric(
    needs=("referrals", "vetted_services"),
    columns={"referrals": pl.Int64(), "to_vetted": pl.Int64(), "vetted_share": pl.Float64()},
)
def vetted_share(sc: Scope) -> pl.LazyFrame:
    """Share of the period's referrals that went to a service the coach had vetted by then.

    Vetted = the referral's service_id is in the referring coach's vetted_services with
    vetted_on on or before referred_on. Columns: key, referrals, to_vetted, vetted_share.
    """
    vetted = (  # a service may be vetted again (one row per vetting): the first one counts
        sc.frame("vetted_services")
        .group_by("coach_id", "service_id")
        .agg(pl.col("vetted_on").min())
    )
    counts = (
        sc.keyed(_referrals(sc).join(vetted, on=["coach_id", "service_id"], how="left"))
        .group_by(sc.key)
        .agg(
            referrals=pl.len(),
            to_vetted=(pl.col("vetted_on") <= pl.col("referred_on")).fill_null(False).sum(),
        )
    )
    return sc.complete(counts, [sc.key], ["referrals", "to_vetted"]).with_columns(
        vetted_share=share("to_vetted", "referrals")
    )


@summary_metric(
    needs=("referrals", "engagements"),
    columns={
        "clients": pl.Int64(),
        "referrals": pl.Int64(),
        "referrals_per_100_clients": pl.Float64(),
    },
)
def referral_rate(sc: Scope) -> pl.LazyFrame:
    """Referrals per 100 clients active in the period (active as in `active_clients_by_month`).

    Columns: key, clients (distinct active clients), referrals, referrals_per_100_clients.
    """
    clients = (
        sc.keyed(sc.active_client_months())
        .group_by(sc.key)
        .agg(clients=pl.col("client_id").n_unique())
    )
    referrals = sc.keyed(_referrals(sc)).group_by(sc.key).agg(referrals=pl.len())
    counts = clients.join(referrals, on=sc.key, how="full", coalesce=True)
    return sc.complete(counts, [sc.key], ["clients", "referrals"]).with_columns(
        referrals_per_100_clients=share(pl.col("referrals") * 100.0, "clients")
    )


_CRISIS_COLUMNS = {
    "coach_id": pl.String(),
    "region": pl.String(),
    "client_id": pl.String(),
    "session_id": pl.String(),
    "flagged_on": pl.Date(),
    "referral_id": pl.String(),
    "referred_on": pl.Date(),
    "service_type": pl.String(),
    "days_to_referral": pl.Int64(),
    "within_window": pl.Boolean(),
}


def _crisis_cases(sc: Scope) -> pl.LazyFrame:
    flags = (
        sc.within_period(sc.held_to_end())
        .filter(
            pl.col("decompensation_observed").fill_null(False) & pl.col("client_id").is_not_null()
        )
        .select("coach_id", "client_id", "session_id", flagged_on=pl.col("held_on"))
        .sort("flagged_on")
    )
    referrals = (
        sc.frame("referrals")
        .filter(pl.col("service_type").is_in(THERAPY_SERVICES) & (pl.col("referred_on") <= sc.end))
        .select("client_id", "referral_id", "referred_on", "service_type")
        .sort("referred_on")
    )
    days = (pl.col("referred_on") - pl.col("flagged_on")).dt.total_days()
    return sc.with_region(
        flags.join_asof(
            referrals,
            left_on="flagged_on",
            right_on="referred_on",
            by="client_id",
            strategy="forward",
            check_sortedness=False,
        )
        .with_columns(days_to_referral=days)
        .with_columns(
            within_window=(
                pl.col("days_to_referral") <= sc.policy.decompensation_referral_days
            ).fill_null(False)
        )
    ).sort("coach_id", "flagged_on", "session_id")


@case_metric(needs=("sessions", "referrals"), columns=_CRISIS_COLUMNS)
def crisis_to_referral(sc: Scope) -> pl.LazyFrame:
    """Time from a decompensation flag to the client's referral, one row per flagged session.

    A flag is a held session of the period with decompensation_observed; its referral is the
    client's first referral to a therapist, psychiatrist or crisis service on or after that
    day, as of the period end. Group sessions (no client_id) cannot be traced and are left
    out. Columns: coach_id, region, client_id, session_id, flagged_on, referral_id,
    referred_on, service_type, days_to_referral (null = no referral yet), within_window
    (within `policy.decompensation_referral_days`).
    """
    return _crisis_cases(sc)


@summary_metric(
    needs=("sessions", "referrals"),
    columns={
        "flags": pl.Int64(),
        "referred": pl.Int64(),
        "referred_within_window": pl.Int64(),
        "median_days": pl.Float64(),
        "longest_days": pl.Int64(),
    },
)
def crisis_to_referral_summary(sc: Scope) -> pl.LazyFrame:
    """Decompensation flags of the period and how soon they were referred (see the case list).

    Columns: key, flags, referred (any time up to the period end), referred_within_window,
    median_days and longest_days to referral (over the referred flags).
    """
    counts = (
        sc.keyed(_crisis_cases(sc).drop("region"))
        .group_by(sc.key)
        .agg(
            flags=pl.len(),
            referred=pl.col("referral_id").is_not_null().sum(),
            referred_within_window=pl.col("within_window").sum(),
            median_days=pl.col("days_to_referral").median(),
            longest_days=pl.col("days_to_referral").max(),
        )
    )
    return sc.complete(counts, [sc.key], ["flags", "referred", "referred_within_window"])


@summary_metric(
    needs=("engagements",),
    columns={
        "exits": pl.Int64(),
        "explained": pl.Int64(),
        "with_referral": pl.Int64(),
        "explained_and_referred": pl.Int64(),
        "neither": pl.Int64(),
    },
)
def coach_initiated_exits(sc: Scope) -> pl.LazyFrame:
    """Engagements the coach ended in the period (closing practice, releasing the client).

    Columns: key, exits, explained (exit_explained true), with_referral (an exit_referral_id),
    explained_and_referred (what the Code asks), neither.
    """
    explained = pl.col("exit_explained").fill_null(False)
    referred = pl.col("exit_referral_id").is_not_null()
    exits = sc.table("engagements").filter(
        sc.in_period("ended_on") & pl.col("end_reason").is_in(COACH_EXITS)
    )
    counts = (
        sc.keyed(exits)
        .group_by(sc.key)
        .agg(
            exits=pl.len(),
            explained=explained.sum(),
            with_referral=referred.sum(),
            explained_and_referred=(explained & referred).sum(),
            neither=(~explained & ~referred).sum(),
        )
    )
    fill = ["exits", "explained", "with_referral", "explained_and_referred", "neither"]
    return sc.complete(counts, [sc.key], fill)
