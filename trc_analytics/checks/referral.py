"""Referral checks: refer only to personally vetted services; never abandon a client.

Edge cases decided here:

- REFER-VETTED: a referral with no service named cannot be shown to go to a vetted service and
  is a finding; so is a service missing from the referring coach's own vetted list (another
  coach's vetting does not count) or vetted only after the referral day (major). A service may
  be vetted again (one row per vetting); the latest vetting on or before the referral day is
  the one judged, and when it lies more than `vetting_valid_months` before that day the
  referral is a minor finding: a service changes,
  and the Code's "personally vetted" asks the coach to know it as it is now.
- REFER-ABANDON: an engagement that ended in the period because the coach closed the practice,
  released the client, or excluded the client after the safety assessment needs both
  `exit_explained` true and an `exit_referral_id` to a fitting provider: after closing the
  practice another coach (the Code: "a referral to other coaching providers"); after a release
  or an exclusion another coach or a clinical service (therapist, psychiatrist, crisis service,
  medical). A referral whose service type is unknown (no referrals table) counts. A group
  engagement ended that way is one case (its members are not listed one by one).
  An open coaching engagement whose last held session (or start) is more than
  `silent_engagement_days` before the period end, with no ending recorded, is a minor finding
  dated at the first day past the allowed silence (as the caseload's "silent" list counts);
  only the silence still going on at the as-of date is judged (a gap after which sessions
  resumed is not abandonment).
"""

from __future__ import annotations

import polars as pl

from trc_analytics.checks.check import Check, day_count, month_count, text, words
from trc_analytics.policy import Policy
from trc_analytics.scope import Scope, days

# --- REFER-VETTED ------------------------------------------------------------------------------


def vetted_cases(sc: Scope) -> pl.LazyFrame:
    """Every referral made in the period, with the coach's latest vetting of the service on or
    before the referral day (`vetted_on`; else the first later one, `later`)."""
    referrals = (
        sc.table("referrals")
        .filter(sc.in_period("referred_on"))
        .select(
            "referral_id", "coach_id", "client_id", "service_id", "service_type", on="referred_on"
        )
    )
    vettings = (
        referrals.select("referral_id", "coach_id", "service_id", "on")
        .join(
            sc.table("vetted_services").select("coach_id", "service_id", "vetted_on"),
            on=["coach_id", "service_id"],
        )
        .group_by("referral_id")
        .agg(
            vetted_on=pl.col("vetted_on").filter(pl.col("vetted_on") <= pl.col("on")).max(),
            later=pl.col("vetted_on").filter(pl.col("vetted_on") > pl.col("on")).min(),
        )
    )
    valid = f"{sc.policy.vetting_valid_months}mo"
    return (
        referrals.join(vettings, on="referral_id", how="left")
        .with_columns(stale=pl.col("vetted_on").dt.offset_by(valid) < pl.col("on"))
        .with_columns(
            compliant=(pl.col("vetted_on").is_not_null() & ~pl.col("stale")).fill_null(False),
            severity=pl.when(pl.col("stale")).then(pl.lit("minor")),
        )
    )


def vetted_detail(policy: Policy) -> pl.Expr:
    service = words("service_type")
    valid = month_count(policy.vetting_valid_months)
    return (
        pl.when(pl.col("stale"))
        .then(
            text(
                "Client {} was referred on {} to service {}, which the coach last vetted on {}, "
                "more than " + valid + " before.",
                "client_id",
                "on",
                "service_id",
                "vetted_on",
            )
        )
        .when(pl.col("service_id").is_null())
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
        .when(pl.col("later").is_null())
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
                "later",
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
    severity_note="minor when the vetting is older than vetting_valid_months at the referral",
    tables=("referrals", "vetted_services"),
    policy_values=("vetting_valid_months",),
    unit="referral",
    cases=vetted_cases,
    detail=vetted_detail,
)


# --- REFER-ABANDON -----------------------------------------------------------------------------

COACH_ENDINGS = {
    "coach_closed_practice": "the coach closed their practice",
    "coach_released_client": "the coach released the client",
    "excluded_after_assessment": "the safety assessment excluded the client from coaching",
}
#: Clinical services a released or excluded client may be referred to instead of a coach.
CLINICAL = ("therapist", "psychiatrist", "crisis_service", "medical")
#: Service types a referral at each ending must go to (the Code: "a referral to other coaching
#: providers" when the practice closes).
FITTING = {
    "coach_closed_practice": ("another_coach",),
    "coach_released_client": ("another_coach", *CLINICAL),
    "excluded_after_assessment": ("another_coach", *CLINICAL),
}
FITTING_WORDS = {
    "coach_closed_practice": "another coach",
    "coach_released_client": "another coach or a therapist",
    "excluded_after_assessment": "another coach or a therapist",
}


def ending_cases(sc: Scope) -> pl.LazyFrame:
    """Every engagement the coach or the safety assessment ended in the period."""
    referrals = sc.table("referrals").select(
        pl.col("referral_id").alias("exit_referral_id"), "service_type"
    )
    reason = pl.col("end_reason").cast(pl.String)
    fitting = pl.lit(False)
    for ending, types in FITTING.items():
        fitting = fitting | ((reason == ending) & pl.col("to").is_in(types))
    return (
        sc.table("engagements")
        .filter(reason.is_in(list(COACH_ENDINGS)) & sc.in_period("ended_on"))
        .join(referrals, on="exit_referral_id", how="left")
        .select(
            "engagement_id",
            "coach_id",
            "client_id",
            "end_reason",
            on="ended_on",
            explained=pl.col("exit_explained").fill_null(False),
            referred=pl.col("exit_referral_id").is_not_null(),
            to=pl.col("service_type").cast(pl.String),
        )
        .with_columns(fitting=pl.col("to").is_null() | fitting, silent=pl.lit(False))
        .with_columns(compliant=pl.col("explained") & pl.col("referred") & pl.col("fitting"))
    )


def silent_cases(sc: Scope) -> pl.LazyFrame:
    """Open coaching engagements whose silence (no held session, no ending) passed
    `silent_engagement_days` in the period and still goes on at the as-of date."""
    n = sc.policy.silent_engagement_days
    last = sc.engagement_firsts().select("engagement_id", last="last_held")
    return (
        sc.table("engagements")
        .filter(
            pl.col("coaching_relationship")
            & (pl.col("started_on") <= sc.end)
            & (pl.col("ended_on").is_null() | (pl.col("ended_on") > sc.as_of))
        )
        .join(last, on="engagement_id", how="left")
        .with_columns(since=pl.coalesce("last", "started_on"))
        .with_columns(on=pl.col("since") + days(n + 1))
        .filter(sc.in_period("on"))
        .select(
            "engagement_id",
            "coach_id",
            "client_id",
            "since",
            "on",
            compliant=pl.lit(False),
            silent=pl.lit(True),
            severity=pl.lit("minor"),
        )
    )


def abandon_cases(sc: Scope) -> pl.LazyFrame:
    """Endings by the coach or the assessment, and silent engagements never closed."""
    endings = ending_cases(sc).with_columns(
        since=pl.lit(None, pl.Date()), severity=pl.lit(None, pl.String())
    )
    return pl.concat([endings, silent_cases(sc)], how="diagonal_relaxed")


def abandon_detail(policy: Policy) -> pl.Expr:
    fitting = pl.col("end_reason").cast(pl.String).replace_strict(FITTING_WORDS, default=None)
    missing = (
        pl.when(~pl.col("explained") & ~pl.col("referred"))
        .then(pl.lit("without an explanation to the client and without a referral"))
        .when(~pl.col("explained"))
        .then(pl.lit("without an explanation to the client"))
        .when(~pl.col("referred"))
        .then(pl.lit("without a referral to another provider"))
        .otherwise(
            text(
                "with a referral to a {} instead of {}",
                pl.col("to").str.replace_all("_", " "),
                fitting,
            )
        )
    )
    who = (
        pl.when(pl.col("client_id").is_null())
        .then(text("Group engagement {}", "engagement_id"))
        .otherwise(text("Engagement {} with client {}", "engagement_id", "client_id"))
    )
    silence = text(
        "{} has had no held session since {} and no ending is recorded: more than "
        + day_count(policy.silent_engagement_days)
        + " without contact, so the client may have been left without an explanation or a "
        "referral.",
        who,
        "since",
    )
    ending = text(
        "{} ended on {} because {}, {}.",
        who,
        "on",
        pl.col("end_reason").cast(pl.String).replace_strict(COACH_ENDINGS, default=None),
        missing,
    )
    return pl.when(pl.col("silent")).then(silence).otherwise(ending)


REFER_ABANDON = Check(
    id="REFER-ABANDON",
    title="No client abandoned: endings by the coach come with explanation and referral",
    quotes=(
        "Trauma Recovery Coaches do not abandon their clients in any manner. If they must stop "
        "their coaching practice or release any clients they must do so with an explanation and a "
        "referral to other coaching providers.",
    ),
    severity="major",
    severity_note="minor for an engagement silent past silent_engagement_days with no ending",
    tables=("engagements",),
    optional_tables=("referrals", "sessions"),
    policy_values=("silent_engagement_days",),
    unit="engagement ended by the coach or the assessment, or silent",
    cases=abandon_cases,
    detail=abandon_detail,
)

REFERRAL_CHECKS = (REFER_VETTED, REFER_ABANDON)
