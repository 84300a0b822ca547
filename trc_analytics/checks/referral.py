"""Referral checks: refer only to personally vetted services; never abandon a client.

Edge cases decided here:

- REFER-VETTED: a referral with no service named cannot be shown to go to a vetted service and
  is a finding; so is a service missing from the referring coach's own vetted list (another
  coach's vetting does not count) or vetted only after the referral day.
- REFER-ABANDON: an engagement that ended in the period because the coach closed the practice
  or released the client needs both `exit_explained` true and an `exit_referral_id`. A group
  engagement ended that way is one case (its members are not listed one by one).
"""

from __future__ import annotations

import polars as pl

from trc_analytics.checks.check import Check, text, words
from trc_analytics.policy import Policy
from trc_analytics.scope import Scope

# --- REFER-VETTED ------------------------------------------------------------------------------


def vetted_cases(sc: Scope) -> pl.LazyFrame:
    """Every referral made in the period."""
    vetted = sc.table("vetted_services").select("coach_id", "service_id", "vetted_on")
    return (
        sc.table("referrals")
        .filter(sc.in_period("referred_on"))
        .select(
            "referral_id", "coach_id", "client_id", "service_id", "service_type", on="referred_on"
        )
        .join(vetted, on=["coach_id", "service_id"], how="left")
        .with_columns(compliant=(pl.col("vetted_on") <= pl.col("on")).fill_null(False))
    )


def vetted_detail(policy: Policy) -> pl.Expr:
    service = words("service_type")
    return (
        pl.when(pl.col("service_id").is_null())
        .then(
            text(
                "Referral {} of client {} on {} (to a {}) names no service, so it cannot be shown "
                "to go to a service the coach has personally vetted.",
                "referral_id",
                "client_id",
                "on",
                service,
            )
        )
        .when(pl.col("vetted_on").is_null())
        .then(
            text(
                "Client {} was referred on {} to service {}, which is not on the coach's list of "
                "personally vetted services.",
                "client_id",
                "on",
                "service_id",
            )
        )
        .otherwise(
            text(
                "Client {} was referred on {} to service {}, which the coach vetted only later, "
                "on {}.",
                "client_id",
                "on",
                "service_id",
                "vetted_on",
            )
        )
    )


REFER_VETTED = Check(
    id="REFER-VETTED",
    title="Referrals only to personally vetted services",
    quotes=(
        "Trauma Recovery Coaches do not refer their clients to services that they have not "
        "personally vetted.",
    ),
    severity="major",
    tables=("referrals", "vetted_services"),
    policy_values=(),
    unit="referral",
    cases=vetted_cases,
    detail=vetted_detail,
)


# --- REFER-ABANDON -----------------------------------------------------------------------------

COACH_ENDINGS = {
    "coach_closed_practice": "the coach closed their practice",
    "coach_released_client": "the coach released the client",
}


def abandon_cases(sc: Scope) -> pl.LazyFrame:
    """Every engagement the coach ended in the period."""
    return (
        sc.table("engagements")
        .filter(pl.col("end_reason").is_in(list(COACH_ENDINGS)) & sc.in_period("ended_on"))
        .select(
            "engagement_id",
            "coach_id",
            "client_id",
            "end_reason",
            on="ended_on",
            explained=pl.col("exit_explained").fill_null(False),
            referred=pl.col("exit_referral_id").is_not_null(),
        )
        .with_columns(compliant=pl.col("explained") & pl.col("referred"))
    )


def abandon_detail(policy: Policy) -> pl.Expr:
    missing = (
        pl.when(~pl.col("explained") & ~pl.col("referred"))
        .then(pl.lit("without an explanation to the client and without a referral"))
        .when(~pl.col("explained"))
        .then(pl.lit("without an explanation to the client"))
        .otherwise(pl.lit("without a referral to another provider"))
    )
    who = (
        pl.when(pl.col("client_id").is_null())
        .then(text("Group engagement {}", "engagement_id"))
        .otherwise(text("Engagement {} with client {}", "engagement_id", "client_id"))
    )
    return text(
        "{} ended on {} because {}, {}.",
        who,
        "on",
        pl.col("end_reason").replace_strict(COACH_ENDINGS, default=None),
        missing,
    )


REFER_ABANDON = Check(
    id="REFER-ABANDON",
    title="No client abandoned: endings by the coach come with explanation and referral",
    quotes=(
        "Trauma Recovery Coaches do not abandon their clients in any manner. If they must stop "
        "their coaching practice or release any clients they must do so with an explanation and a "
        "referral to other coaching providers.",
    ),
    severity="major",
    tables=("engagements",),
    policy_values=(),
    unit="engagement ended by the coach",
    cases=abandon_cases,
    detail=abandon_detail,
)

REFERRAL_CHECKS = (REFER_VETTED, REFER_ABANDON)
