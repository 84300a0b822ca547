"""Client safety checks: safety risk assessment, exclusions, under-influence, triggered exits,
decompensation.

Edge cases decided here (see also the runner for how findings are dated):

- SAFE-SRA: a coaching relationship is an engagement with `coaching_relationship` true, whatever
  its format (psychoeducation or a course with false needs no assessment). A one-to-one
  relationship starts at the engagement's first held session; in a group or retreat each member
  starts at the first session the group held on or after they joined (and before they left). An
  assessment counts when it is for that client, names this engagement or no engagement, and is
  dated on or before the first session (+ `sra_days_after_first_session`). An assessment with
  outcome `excluded` still is an assessment (SAFE-EXCLUDED takes it from there).
- SAFE-EXCLUDED: each held session (one-to-one, or a group session the client attended as a
  member) is governed by the client's latest assessment on or before its day; when that one
  excluded the client and is dated before the session, the session is a finding. A later
  assessment that clears the client ends the exclusion. A session on the very day of the
  exclusion is not "after" it. One finding per exclusion, listing its sessions in the period.
- SAFE-INFLUENCE: any session with `client_under_influence` whose status is `held`; on a group
  session the flag means a participant under the influence took part.
- SAFE-TRIGGERED: every held session is a case; flagged `left_triggered_unsafe` is a finding.
- SAFE-DECOMP: a session with `decompensation_observed` needs a referral of the client to a
  therapist, psychiatrist or crisis service on the day of the session or within
  `decompensation_referral_days` after it. On a group session a referral of any member present
  that day counts.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.checks.check import Check, day_count, optional, span, text
from trc_analytics.policy import Policy
from trc_analytics.scope import Scope, days

FORMAT_WORDS = {
    "one_to_one": "one-to-one",
    "group": "group",
    "retreat": "retreat",
    "psychoeducation": "psychoeducation",
    "course": "course",
}
EXCLUSION_WORDS = {
    "active_addiction": "active addiction",
    "active_self_harm": "active self-harm",
    "active_suicidality": "active suicidality",
    "other": "another reason",
}
#: Services a client in decompensation must be referred to.
CRISIS_SERVICES = ("therapist", "psychiatrist", "crisis_service")


# --- SAFE-SRA ----------------------------------------------------------------------------------


def sra_cases(sc: Scope) -> pl.LazyFrame:
    """One case per client and coaching relationship, dated at the assessment deadline."""
    rel = sc.table("engagements").filter(pl.col("coaching_relationship").fill_null(False))
    first = (
        sc.engagement_firsts().group_by("engagement_id").agg(first_on=pl.col("first_held").min())
    )
    parts = [
        rel.filter(pl.col("client_id").is_not_null())
        .select("engagement_id", "coach_id", "client_id", "group_id", "format")
        .join(first, on="engagement_id", how="inner")
        .with_columns(in_group=pl.lit(False))
    ]
    if sc.has("group_members"):
        parts.append(
            sc.first_attended(sc.group_days())
            .join(
                rel.filter(pl.col("client_id").is_null()).select("engagement_id", "format"),
                on="engagement_id",
                how="inner",
            )
            .select(
                "engagement_id",
                "coach_id",
                "client_id",
                "group_id",
                "format",
                "first_on",
                in_group=pl.lit(True),
            )
        )
    cases = pl.concat(parts, how="diagonal_relaxed").with_columns(
        on=pl.col("first_on") + days(sc.policy.sra_days_after_first_session)
    )
    assessed = (
        cases.select("engagement_id", "client_id", "on")
        .join(
            sc.table("safety_assessments").select(
                "client_id", "assessed_on", sa_engagement="engagement_id"
            ),
            on="client_id",
            how="inner",
        )
        .filter(
            (
                pl.col("sa_engagement").is_null()
                | (pl.col("sa_engagement") == pl.col("engagement_id"))
            )
            & (pl.col("assessed_on") <= pl.col("on"))
        )
        .select("engagement_id", "client_id")
        .unique()
        .with_columns(compliant=pl.lit(True))
    )
    return cases.join(assessed, on=["engagement_id", "client_id"], how="left").with_columns(
        pl.col("compliant").fill_null(False)
    )


def sra_detail(policy: Policy) -> pl.Expr:
    n = policy.sra_days_after_first_session
    deadline = "on or before that day" if n == 0 else f"within {day_count(n)} of it"
    fmt = pl.col("format").replace_strict(FORMAT_WORDS, default=pl.col("format"))
    return (
        pl.when(pl.col("in_group"))
        .then(
            text(
                "Client {} attended their first {} session (group {}, engagement {}) on {} "
                "without a safety risk assessment " + deadline + ".",
                "client_id",
                fmt,
                "group_id",
                "engagement_id",
                "first_on",
            )
        )
        .otherwise(
            text(
                "Client {} began a {} coaching relationship (engagement {}) with a first session "
                "on {} without a safety risk assessment " + deadline + ".",
                "client_id",
                fmt,
                "engagement_id",
                "first_on",
            )
        )
    )


SAFE_SRA = Check(
    id="SAFE-SRA",
    title="Safety risk assessment at the start of every coaching relationship",
    quotes=(
        "Safety Risk Assessments are MANDATED to be completed at the beginning of any coaching "
        "relationship regardless of the format of delivery of services such as one-to-one, group "
        "or weekend retreat coaching.",
        "The delineation between when a Safety Risk Assessment is required and when it is not is "
        "if a coaching relationship is entered into.",
    ),
    severity="critical",
    tables=("engagements", "sessions", "safety_assessments"),
    optional_tables=("group_members",),
    policy_values=("sra_days_after_first_session",),
    unit="client starting a coaching relationship",
    cases=sra_cases,
    detail=sra_detail,
)


# --- SAFE-EXCLUDED -----------------------------------------------------------------------------


def excluded_cases(sc: Scope) -> pl.LazyFrame:
    """One case per exclusion in force in the period: compliant when no session followed it."""
    sa = sc.table("safety_assessments").filter(pl.col("assessed_on") <= sc.as_of)
    excluded = sa.filter(pl.col("outcome") == "excluded")
    clients = excluded.select("client_id").unique()
    attended = [
        sc.within_period(sc.held_to_end())
        .filter(pl.col("client_id").is_not_null())
        .join(clients, on="client_id", how="semi")
        .select("client_id", "engagement_id", "held_on")
    ]
    if sc.has("group_members"):
        attended.append(
            sc.members()
            .join(clients, on="client_id", how="semi")
            .join(
                sc.within_period(sc.group_days()).select("engagement_id", "held_on"),
                on="engagement_id",
                how="inner",
            )
            .filter(
                (pl.col("held_on") >= pl.col("joined_on"))
                & (pl.col("left_on").is_null() | (pl.col("held_on") <= pl.col("left_on")))
            )
            .select("client_id", "engagement_id", "held_on")
        )
    governing = sa.select("client_id", "assessment_id", "assessed_on", "outcome").sort(
        "assessed_on"
    )
    after = (
        pl.concat(attended, how="vertical")
        .sort("held_on")
        .join_asof(
            governing,
            left_on="held_on",
            right_on="assessed_on",
            by="client_id",
            strategy="backward",
            check_sortedness=False,
        )
        .filter((pl.col("outcome") == "excluded") & (pl.col("held_on") > pl.col("assessed_on")))
        .group_by("assessment_id")
        .agg(
            n=pl.len(),
            first=pl.col("held_on").min(),
            last=pl.col("held_on").max(),
            engagement_id=pl.col("engagement_id").sort_by("held_on").first(),
        )
    )
    return (
        excluded.select("assessment_id", "coach_id", "client_id", "assessed_on", "exclusion_reason")
        .join(after, on="assessment_id", how="left")
        .with_columns(
            compliant=pl.col("n").is_null(),
            on=pl.coalesce("first", "assessed_on"),
        )
    )


def excluded_detail(policy: Policy) -> pl.Expr:
    reason = optional(
        " ({})", pl.col("exclusion_reason").replace_strict(EXCLUSION_WORDS, default=None)
    )
    sessions = (
        pl.when(pl.col("n") == 1)
        .then(text("a session was held with them afterwards, on {}", "first"))
        .otherwise(
            text("{} sessions were held with them afterwards, {}", "n", span("first", "last"))
        )
    )
    return text(
        "Client {} was excluded from coaching by a safety risk assessment on {}{}; {}.",
        "client_id",
        "assessed_on",
        reason,
        sessions,
    )


SAFE_EXCLUDED = Check(
    id="SAFE-EXCLUDED",
    title="No coaching after a safety assessment excluded the client",
    quotes=(
        "Trauma Recovery Coaches do not work with client’s who are engaged in behavior that puts "
        "their physical safety at risk, such as: active alcohol and drug addiction, active and "
        "significant self-harming behavior.",
        "Trauma Recovery Coaches do not work with clients who are actively suicidal.",
    ),
    severity="critical",
    tables=("safety_assessments", "sessions"),
    optional_tables=("engagements", "group_members"),
    policy_values=(),
    unit="exclusion in force",
    cases=excluded_cases,
    detail=excluded_detail,
)


# --- SAFE-INFLUENCE ----------------------------------------------------------------------------


def influence_cases(sc: Scope) -> pl.LazyFrame:
    """Every session at which the client was under the influence: compliant when rescheduled."""
    return (
        sc.table("sessions")
        .filter(pl.col("client_under_influence").fill_null(False))
        .select(
            "session_id",
            "coach_id",
            "client_id",
            "engagement_id",
            on=pl.col("held_on"),
            compliant=pl.col("status") != "held",
        )
    )


def influence_detail(policy: Policy) -> pl.Expr:
    who = (
        pl.when(pl.col("client_id").is_null())
        .then(pl.lit("a participant"))
        .otherwise(pl.lit("the client"))
    )
    kind = (
        pl.when(pl.col("client_id").is_null())
        .then(pl.lit("Group session"))
        .otherwise(pl.lit("Session"))
    )
    return text(
        "{} {} was held on {} while {} was under the influence of alcohol or drugs; "
        "it was not rescheduled.",
        kind,
        "session_id",
        "on",
        who,
    )


SAFE_INFLUENCE = Check(
    id="SAFE-INFLUENCE",
    title="Sessions with a client under the influence are rescheduled",
    quotes=(
        "Trauma Recovery Coaches do not have sessions with clients who are under the influence of "
        "alcohol or drugs. Coaches must reschedule clients in that situation and address the drug "
        "or alcohol issue at a subsequent session.",
    ),
    severity="critical",
    tables=("sessions",),
    policy_values=(),
    unit="session with the client under the influence",
    cases=influence_cases,
    detail=influence_detail,
)


# --- SAFE-TRIGGERED ----------------------------------------------------------------------------


def triggered_cases(sc: Scope) -> pl.LazyFrame:
    """Every held session of the period: compliant unless the client left triggered and unsafe.

    Sessions kept are counted per coach (one row carrying `cases`), not listed one by one.
    """
    left_unsafe = (
        sc.within_period(sc.held_to_end())
        .filter(pl.col("left_triggered_unsafe").fill_null(False))
        .select(
            "session_id",
            "coach_id",
            "client_id",
            "engagement_id",
            on=pl.col("held_on"),
            compliant=pl.lit(False),
        )
    )
    kept = (
        sc.within_period(sc.coach_days())
        .group_by("coach_id")
        .agg(cases=(pl.col("sessions") - pl.col("triggered")).sum())
        .filter(pl.col("cases") > 0)
        .with_columns(on=sc.as_of, compliant=pl.lit(True))
    )
    return pl.concat([left_unsafe, kept], how="diagonal_relaxed")


def triggered_detail(policy: Policy) -> pl.Expr:
    who = (
        pl.when(pl.col("client_id").is_null())
        .then(pl.lit("a participant"))
        .otherwise(pl.lit("the client"))
    )
    return text(
        "In session {} on {} {} left significantly triggered and feeling unsafe.",
        "session_id",
        "on",
        who,
    )


SAFE_TRIGGERED = Check(
    id="SAFE-TRIGGERED",
    title="No client leaves a session triggered and unsafe",
    quotes=(
        "Trauma Recovery Coaches do not allow clients to leave sessions when they are "
        "significantly triggered and feeling unsafe.",
    ),
    severity="critical",
    tables=("sessions",),
    policy_values=(),
    unit="held session",
    cases=triggered_cases,
    detail=triggered_detail,
)


# --- SAFE-DECOMP -------------------------------------------------------------------------------


def decomp_cases(sc: Scope) -> pl.LazyFrame:
    """Every session with decompensation observed, dated at the end of the referral window."""
    n = sc.policy.decompensation_referral_days
    seen = (
        sc.within_period(sc.table("sessions"), shift_days=n)
        .filter(pl.col("decompensation_observed").fill_null(False))
        .select("session_id", "coach_id", "client_id", "engagement_id", "held_on")
    )
    candidates = [
        seen.filter(pl.col("client_id").is_not_null()).select(
            "session_id", "held_on", candidate="client_id"
        )
    ]
    if sc.has("group_members"):
        candidates.append(
            seen.filter(pl.col("client_id").is_null())
            .select("session_id", "engagement_id", "held_on")
            .join(sc.members(), on="engagement_id", how="inner")
            .filter(
                (pl.col("joined_on") <= pl.col("held_on"))
                & (pl.col("left_on").is_null() | (pl.col("left_on") >= pl.col("held_on")))
            )
            .select("session_id", "held_on", candidate="client_id")
        )
    referred = (
        pl.concat(candidates, how="vertical")
        .join(
            sc.table("referrals")
            .filter(pl.col("service_type").is_in(CRISIS_SERVICES))
            .select(candidate="client_id", referred_on="referred_on"),
            on="candidate",
            how="inner",
        )
        .filter(pl.col("referred_on").is_between(pl.col("held_on"), pl.col("held_on") + days(n)))
        .select("session_id")
        .unique()
        .with_columns(compliant=pl.lit(True))
    )
    return seen.join(referred, on="session_id", how="left").with_columns(
        pl.col("compliant").fill_null(False), on=pl.col("held_on") + days(n)
    )


def decomp_detail(policy: Policy) -> pl.Expr:
    within = day_count(policy.decompensation_referral_days)
    return (
        pl.when(pl.col("client_id").is_null())
        .then(
            text(
                "Decompensation was observed in group session {} on {}, and no participant was "
                "referred to a therapist, psychiatrist or crisis service within " + within + ".",
                "session_id",
                "held_on",
            )
        )
        .otherwise(
            text(
                "Decompensation was observed in session {} on {}, and the client was not referred "
                "to a therapist, psychiatrist or crisis service within " + within + ".",
                "session_id",
                "held_on",
            )
        )
    )


SAFE_DECOMP = Check(
    id="SAFE-DECOMP",
    title="Decompensation leads to a referral to therapy or crisis care",
    quotes=(
        "Individuals who are being coached need to transfer to a therapist if they experience a "
        "mental health crisis. A good coach will help a client make this transfer when "
        "decompensation occurs, rather than continuing to try to tend to themselves.",
    ),
    severity="critical",
    tables=("sessions", "referrals"),
    optional_tables=("engagements", "group_members"),
    policy_values=("decompensation_referral_days",),
    unit="session with decompensation observed",
    cases=decomp_cases,
    detail=decomp_detail,
)

SAFETY_CHECKS = (SAFE_SRA, SAFE_EXCLUDED, SAFE_INFLUENCE, SAFE_TRIGGERED, SAFE_DECOMP)
