"""Client safety checks: safety risk assessment, exclusions, under-influence, triggered exits,
decompensation, reassessment after a risk event (issue 14's second reading; decisions.md).

Edge cases decided here (see also the runner for how findings are dated):

- SAFE-SRA: a coaching relationship is an engagement with `coaching_relationship` true. A
  one-to-one, group or retreat engagement marked false is a minor finding ("classification to
  confirm"); psychoeducation and courses marked false need no assessment. A one-to-one
  relationship starts at the engagement's first held session; in a group or retreat each member
  starts at the first session the group held on or after they joined (and before they left). An
  assessment counts when it is for that client, dated on or before the first session
  (+ `sra_days_after_first_session`), and names this engagement, or names none and is at most
  `sra_valid_days` older than the first session. An `excluded` outcome still is an assessment.
- SAFE-EXCLUDED: an exclusion is an assessment with outcome `excluded` or a referral for
  suicidality, self-harm or addiction. Each held session (one-to-one, or a group session the
  client attended as a member) is governed by the client's latest of these and of their
  assessments on or before its day (a referral outranks an assessment of its own day); when
  that is an exclusion dated before the session, the session is a finding. A later assessment
  that clears the client ends it. One finding per exclusion, listing its sessions in the period.
- SAFE-INFLUENCE: only `rescheduled_under_influence` complies; held is critical, cancelled,
  no-show or rescheduled for another reason minor. On a group session the flag means a
  participant under the influence took part.
- SAFE-TRIGGERED: every held session is a case; flagged `left_triggered_unsafe` is a finding.
- SAFE-DECOMP: a session with `decompensation_observed` needs a referral of that client, for
  decompensation, a mental-health crisis or suicidality, to a therapist, psychiatrist or crisis
  service, on the day or within `decompensation_referral_days` after it; the finding names the
  client's sessions held before such a referral. On a group session (no client on the row) a
  referral of a member present that day counts.
- SAFE-REASSESS: see `reassess_cases`.
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
#: Referral reasons that exclude a client until a later assessment clears them.
EXCLUDING_REFERRALS = ("suicidality", "self_harm", "addiction")
REFERRAL_WORDS = {
    "suicidality": "suicidality",
    "self_harm": "self-harm",
    "addiction": "addiction",
    "decompensation": "decompensation",
    "mental_health_crisis": "a mental-health crisis",
}
STATUS_WORDS = {
    "cancelled": "cancelled",
    "no_show": "a no-show",
    "rescheduled_other": "rescheduled for another reason",
}
#: Referral reasons that clear an observed decompensation.
DECOMP_REFERRALS = ("decompensation", "mental_health_crisis", "suicidality")
#: Formats the Code names as coaching ("one-to-one, group or weekend retreat coaching").
COACHING_FORMATS = ("one_to_one", "group", "retreat")
#: Services a client in decompensation must be referred to.
CRISIS_SERVICES = ("therapist", "psychiatrist", "crisis_service")


# --- SAFE-SRA ----------------------------------------------------------------------------------


def sra_cases(sc: Scope) -> pl.LazyFrame:
    """One case per client and coaching relationship, dated at the assessment deadline."""
    first = (
        sc.engagement_firsts().group_by("engagement_id").agg(first_on=pl.col("first_held").min())
    )
    return pl.concat(
        [sra_judged(sc, sra_starts(sc, first)), unclassified_cases(sc, first)],
        how="diagonal_relaxed",
    )


def sra_starts(sc: Scope, first: pl.LazyFrame) -> pl.LazyFrame:
    """Each client's start of each coaching relationship: the engagement's first held session
    (one-to-one), or the first group session a member attended (group, retreat); `on` is the
    assessment deadline. `first`: engagement_id, first_on (one row per engagement)."""
    rel = sc.table("engagements").filter(pl.col("coaching_relationship").fill_null(False))
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
    return pl.concat(parts, how="diagonal_relaxed").with_columns(
        on=pl.col("first_on") + days(sc.policy.sra_days_after_first_session)
    )


def sra_judged(sc: Scope, cases: pl.LazyFrame) -> pl.LazyFrame:
    """`cases` with `compliant`: an assessment of the client counts when it names the
    engagement, or names none and is at most `sra_valid_days` older than the first session,
    and is dated by the deadline `on`.

    The cases are numbered once (`cache`: both reads see the same rows and numbers) and the
    assessments that count are found per case number: marking the cases then joins one
    integer column, where joining back on engagement and client hashed two text ids twice
    (0.40 -> 0.26 s CPU at 5M sessions; docs/decisions.md, "Issue 13: the headline and
    SAFE-SRA, fifth pass")."""
    cases = cases.with_row_index("_case").cache()
    window = pl.col("first_on") - days(sc.policy.sra_valid_days)
    counts = (
        (pl.col("sa_engagement").is_null() & (pl.col("assessed_on") >= window))
        | (pl.col("sa_engagement") == pl.col("engagement_id"))
    ) & (pl.col("assessed_on") <= pl.col("on"))
    assessed = (
        cases.select("_case", "engagement_id", "client_id", "first_on", "on")
        .join(
            sc.table("safety_assessments").select(
                "client_id", "assessed_on", sa_engagement="engagement_id"
            ),
            on="client_id",
            how="inner",
        )
        .filter(counts)
        .select("_case")
        .unique()
        .with_columns(compliant=pl.lit(True))
    )
    return (
        cases.join(assessed, on="_case", how="left")
        .with_columns(pl.col("compliant").fill_null(False))
        .drop("_case")
    )


def unclassified_cases(sc: Scope, first: pl.LazyFrame) -> pl.LazyFrame:
    """Coaching formats marked "not a coaching relationship": a minor finding each.

    The Code names "one-to-one, group or weekend retreat coaching" and exempts only
    psychoeducation, so such a mark on these formats is a classification to confirm.
    """
    return (
        sc.table("engagements")
        .filter(
            ~pl.col("coaching_relationship").fill_null(True)
            & pl.col("format").is_in(COACHING_FORMATS)
        )
        .select("engagement_id", "coach_id", "client_id", "group_id", "format")
        .join(first, on="engagement_id", how="inner")
        .with_columns(
            on=pl.col("first_on"),
            compliant=pl.lit(False),
            severity=pl.lit("minor"),
            unclassified=pl.lit(True),
        )
    )


def sra_detail(policy: Policy) -> pl.Expr:
    n = policy.sra_days_after_first_session
    deadline = "on or before that day" if n == 0 else f"within {day_count(n)} of it"
    fmt = pl.col("format").replace_strict(FORMAT_WORDS, default=pl.col("format"))
    return (
        pl.when(pl.col("unclassified").fill_null(False))
        .then(
            text(
                "Engagement {} ({}) is marked as not a coaching relationship, so no safety risk "
                "assessment is asked of it; its first session was on {}. Classification to "
                "confirm: the Code asks an assessment of one-to-one, group or retreat coaching.",
                "engagement_id",
                fmt,
                "first_on",
            )
        )
        .when(pl.col("in_group"))
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
    policy_values=("sra_days_after_first_session", "sra_valid_days"),
    unit="client starting a coaching relationship",
    severity_note="minor for a one-to-one, group or retreat engagement marked as not a coaching "
    "relationship (classification to confirm)",
    cases=sra_cases,
    detail=sra_detail,
)


# --- SAFE-EXCLUDED -----------------------------------------------------------------------------


def attended_sessions(sc: Scope, clients: pl.LazyFrame, in_period: bool = True) -> pl.LazyFrame:
    """Held sessions of these clients: their own, and group sessions held while a member.

    Columns: client_id, engagement_id, held_on; only the period's when `in_period`.
    """
    held = sc.held_to_end()
    group_days = sc.group_days()
    if in_period:
        held, group_days = sc.within_period(held), sc.within_period(group_days)
    attended = [
        held.filter(pl.col("client_id").is_not_null())
        .join(clients, on="client_id", how="semi")
        .select("client_id", "engagement_id", "held_on")
    ]
    if sc.has("group_members"):
        attended.append(
            sc.members()
            .join(clients, on="client_id", how="semi")
            .join(group_days.select("engagement_id", "held_on"), on="engagement_id", how="inner")
            .filter(
                (pl.col("held_on") >= pl.col("joined_on"))
                & (pl.col("left_on").is_null() | (pl.col("held_on") <= pl.col("left_on")))
            )
            .select("client_id", "engagement_id", "held_on")
        )
    return pl.concat(attended, how="vertical")


def day_key(column: str, rank: int) -> pl.Expr:
    """A sortable key for events of one day: assessments (0) before referrals (1) before
    sessions (3), so a referral outranks an assessment of its own day."""
    return pl.col(column).cast(pl.Int32()) * 4 + rank


def risk_referrals(sc: Scope) -> pl.LazyFrame:
    """Referrals for suicidality, self-harm or addiction known by the as-of date."""
    return sc.table("referrals").filter(
        pl.col("reason").is_in(EXCLUDING_REFERRALS) & (pl.col("referred_on") <= sc.as_of)
    )


def excluded_cases(sc: Scope) -> pl.LazyFrame:
    """One case per exclusion in force in the period: compliant when no session followed it.

    An exclusion is an assessment with outcome `excluded`, or a referral for suicidality,
    self-harm or addiction; it ends with a later assessment that clears the client.
    """
    sa = sc.table("safety_assessments").filter(pl.col("assessed_on") <= sc.as_of)
    refs = risk_referrals(sc)
    events = pl.concat(
        [
            sa.select(
                "client_id",
                "coach_id",
                pl.col("exclusion_reason").cast(pl.String()),
                pl.col("outcome").cast(pl.String()),
                event_id="assessment_id",
                event_on="assessed_on",
                _key=day_key("assessed_on", 0),
            ),
            refs.select(
                "client_id",
                "coach_id",
                event_id="referral_id",
                event_on="referred_on",
                _key=day_key("referred_on", 1),
                outcome=pl.lit("referred"),
                exclusion_reason=pl.col("reason").cast(pl.String()),
            ),
        ],
        how="diagonal_relaxed",
    )
    excluding = events.filter(pl.col("outcome").is_in(["excluded", "referred"]))
    clients = excluding.select("client_id").unique()
    governing = events.select("client_id", "event_id", "event_on", "outcome", "_key").sort("_key")
    after = (
        attended_sessions(sc, clients)
        .with_columns(_key=day_key("held_on", 3))
        .sort("_key")
        .join_asof(
            governing, on="_key", by="client_id", strategy="backward", check_sortedness=False
        )
        .filter(
            pl.col("outcome").is_in(["excluded", "referred"])
            & (pl.col("held_on") > pl.col("event_on"))
        )
        .group_by("event_id")
        .agg(
            n=pl.len(),
            first=pl.col("held_on").min(),
            last=pl.col("held_on").max(),
            engagement_id=pl.col("engagement_id").sort_by("held_on").first(),
        )
    )
    return (
        excluding.drop("_key")
        .join(after, on="event_id", how="left")
        .filter(pl.col("n").is_not_null() | (pl.col("outcome") == "excluded"))
        .with_columns(compliant=pl.col("n").is_null(), on=pl.coalesce("first", "event_on"))
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
    referral_reason = pl.col("exclusion_reason").replace_strict(REFERRAL_WORDS, default=None)
    return (
        pl.when(pl.col("outcome") == "referred")
        .then(
            text(
                "Client {} was referred for {} on {} (referral {}); {}, with no later safety "
                "risk assessment clearing them.",
                "client_id",
                referral_reason,
                "event_on",
                "event_id",
                sessions,
            )
        )
        .otherwise(
            text(
                "Client {} was excluded from coaching by a safety risk assessment on {}{}; {}.",
                "client_id",
                "event_on",
                reason,
                sessions,
            )
        )
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
    optional_tables=("engagements", "group_members", "referrals"),
    policy_values=(),
    unit="exclusion in force (by assessment, or by a referral for suicidality, self-harm or "
    "addiction)",
    cases=excluded_cases,
    detail=excluded_detail,
)


# --- SAFE-INFLUENCE ----------------------------------------------------------------------------


def influence_cases(sc: Scope) -> pl.LazyFrame:
    """Every session at which the client was under the influence.

    Compliant only when rescheduled for it (`rescheduled_under_influence`): the Code asks to
    reschedule. Held anyway is a finding of the check's severity; cancelled, a no-show or
    rescheduled for another reason is a minor finding (nothing shows a rescheduled session).
    """
    status = pl.col("status").cast(pl.String())
    return (
        sc.table("sessions")
        .filter(pl.col("client_under_influence").fill_null(False))
        .select(
            "session_id",
            "coach_id",
            "client_id",
            "engagement_id",
            on=pl.col("held_on"),
            compliant=status == "rescheduled_under_influence",
            held=status == "held",
            status=status,
            severity=pl.when(status.is_in(["held", "rescheduled_under_influence"]))
            .then(pl.lit(None, pl.String()))
            .otherwise(pl.lit("minor")),
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
    marked = pl.col("status").replace_strict(STATUS_WORDS, default=pl.col("status"))
    return (
        pl.when(pl.col("held"))
        .then(
            text(
                "{} {} was held on {} with {} under the influence of alcohol or drugs; the Code "
                "asks to reschedule it.",
                kind,
                "session_id",
                "on",
                who,
            )
        )
        .otherwise(
            text(
                "{} {} on {}, with {} under the influence of alcohol or drugs, is recorded as {}, "
                "not as rescheduled for it; reschedule the client and address the drug or alcohol "
                "issue at the next session.",
                kind,
                "session_id",
                "on",
                who,
                marked,
            )
        )
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
    severity_note="minor when the session was cancelled, a no-show or rescheduled for another "
    "reason rather than rescheduled for the influence",
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


def decomp_referrals(sc: Scope) -> pl.LazyFrame:
    """Referrals that answer a decompensation: for decompensation, a mental-health crisis or
    suicidality, to a therapist, psychiatrist or crisis service. Columns: candidate,
    referred_on."""
    return (
        sc.table("referrals")
        .filter(
            pl.col("service_type").is_in(CRISIS_SERVICES) & pl.col("reason").is_in(DECOMP_REFERRALS)
        )
        .select(candidate="client_id", referred_on="referred_on")
    )


def further_sessions(sc: Scope, seen: pl.LazyFrame, first_ref: pl.LazyFrame) -> pl.LazyFrame:
    """Per decompensation session: the client's later held sessions before the first answering
    referral (up to the period end when there is none), as `further` text and `n_further`."""
    later = (
        seen.filter(pl.col("client_id").is_not_null())
        .select("session_id", "client_id", decomp_on="held_on")
        .join(first_ref, on="session_id", how="left")
        .join(
            sc.held_to_end().select("client_id", later_id="session_id", later_on="held_on"),
            on="client_id",
            how="inner",
        )
        .filter(
            (pl.col("later_on") > pl.col("decomp_on"))
            & (pl.col("first_ref").is_null() | (pl.col("later_on") < pl.col("first_ref")))
        )
        .sort("later_on", "later_id")
    )
    return later.group_by("session_id").agg(
        n_further=pl.len(),
        further=pl.format("{} ({})", "later_id", "later_on").str.join(", "),
    )


def decomp_cases(sc: Scope) -> pl.LazyFrame:
    """Every session with decompensation observed, dated at the end of the referral window.

    The referral must be of the client who decompensated; on a group session, whose rows name no
    client, of a member present that day (the records cannot say which member it was).
    """
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
    first_ref = (
        pl.concat(candidates, how="vertical")
        .join(decomp_referrals(sc), on="candidate", how="inner")
        .filter(pl.col("referred_on") >= pl.col("held_on"))
        .group_by("session_id")
        .agg(first_ref=pl.col("referred_on").min(), held_on=pl.col("held_on").first())
    )
    referred = first_ref.filter(pl.col("first_ref") <= pl.col("held_on") + days(n)).select(
        "session_id", compliant=pl.lit(True)
    )
    return (
        seen.join(referred, on="session_id", how="left")
        .join(further_sessions(sc, seen, first_ref.drop("held_on")), on="session_id", how="left")
        .with_columns(pl.col("compliant").fill_null(False), on=pl.col("held_on") + days(n))
    )


def decomp_detail(policy: Policy) -> pl.Expr:
    within = day_count(policy.decompensation_referral_days)
    to = (
        " for decompensation, a mental-health crisis or suicidality to a therapist, psychiatrist "
        "or crisis service within " + within
    )
    further = optional(" Coaching went on before any such referral: {}.", "further")
    return (
        pl.when(pl.col("client_id").is_null())
        .then(
            text(
                "Decompensation was observed in group session {} on {}, and no participant "
                "present was referred" + to + ".",
                "session_id",
                "held_on",
            )
        )
        .otherwise(
            text(
                "Decompensation was observed in session {} on {}, and the client was not "
                "referred" + to + ".{}",
                "session_id",
                "held_on",
                further,
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


# --- SAFE-REASSESS -----------------------------------------------------------------------------


def client_flags(sc: Scope, column: str) -> pl.LazyFrame:
    """Held sessions with a named client and `column` set, as events (client_id, event_on)."""
    return (
        sc.held_to_end()
        .filter(pl.col("client_id").is_not_null() & pl.col(column).fill_null(False))
        .select("client_id", "coach_id", event_on="held_on", event=pl.lit(column))
    )


def risk_events(sc: Scope) -> pl.LazyFrame:
    """Risk events per client: decompensation, a triggered-unsafe exit, a second under-influence
    episode within `influence_repeat_days`, a referral for suicidality, self-harm or addiction.

    Group sessions name no client, so their flags cannot be tied to a member.
    """
    n = sc.policy.influence_repeat_days
    # Any status counts (a rescheduled session is an episode too). No date bound is needed: a
    # case is the next held session after the event, and only sessions to the period end count.
    influence = (
        sc.table("sessions")
        .filter(
            pl.col("client_id").is_not_null() & pl.col("client_under_influence").fill_null(False)
        )
        .select("client_id", "coach_id", event_on="held_on")
        .unique(["client_id", "event_on"])
        .sort("client_id", "event_on")
        .filter(pl.col("event_on") - pl.col("event_on").shift(1).over("client_id") <= days(n))
        .with_columns(event=pl.lit("second_influence"))
    )
    referrals = risk_referrals(sc).select(
        "client_id",
        "coach_id",
        event_on="referred_on",
        event=pl.col("reason").cast(pl.String()),
    )
    return pl.concat(
        [
            client_flags(sc, "decompensation_observed"),
            client_flags(sc, "left_triggered_unsafe"),
            influence,
            referrals,
        ],
        how="vertical_relaxed",
    )


def reassess_cases(sc: Scope) -> pl.LazyFrame:
    """One case per risk event followed by a held session in the period: compliant when a new
    safety assessment came between them.

    An assessment after the event's day counts whatever its trigger; one on the event's day
    counts only with trigger `risk_event` (an intake that morning came before the event).
    """
    events = risk_events(sc).sort("event_on")
    clients = events.select("client_id").unique()
    nxt = (
        attended_sessions(sc, clients, in_period=False)
        .select("client_id", "engagement_id", next_on="held_on")
        .sort("next_on")
    )
    cases = (
        events.with_columns(_after=pl.col("event_on") + days(1))
        .sort("_after")
        .join_asof(
            nxt,
            left_on="_after",
            right_on="next_on",
            by="client_id",
            strategy="forward",
            check_sortedness=False,
        )
        .filter(pl.col("next_on").is_not_null())
        .filter(sc.in_period("next_on"))
        .with_columns(_row=pl.int_range(pl.len()))
        .cache()  # read twice below: computed once, so the row numbers are the same rows
    )
    trigger = pl.col("trigger").cast(pl.String()).fill_null("intake")
    assessed = (
        cases.select("_row", "client_id", "event_on", "next_on")
        .join(
            sc.table("safety_assessments").select("client_id", "assessed_on", trigger=trigger),
            on="client_id",
            how="inner",
        )
        .filter(
            (pl.col("assessed_on") <= pl.col("next_on"))
            & (
                (pl.col("assessed_on") > pl.col("event_on"))
                | (
                    (pl.col("assessed_on") == pl.col("event_on"))
                    & (pl.col("trigger") == "risk_event")
                )
            )
        )
        .select("_row")
        .unique()
        .with_columns(compliant=pl.lit(True))
    )
    return (
        cases.join(assessed, on="_row", how="left")
        .with_columns(pl.col("compliant").fill_null(False), on=pl.col("next_on"))
        .drop("_row", "_after")
    )


EVENT_WORDS = {
    "decompensation_observed": "decompensated in a session",
    "left_triggered_unsafe": "left a session significantly triggered and unsafe",
    "second_influence": "was under the influence of alcohol or drugs at a session for the second "
    "time within a short while",
    "suicidality": "was referred for suicidality",
    "self_harm": "was referred for self-harm",
    "addiction": "was referred for addiction",
}


def reassess_detail(policy: Policy) -> pl.Expr:
    return text(
        "Client {} {} on {}; the next session with them, on {} (engagement {}), was held with no "
        "new safety risk assessment since.",
        "client_id",
        pl.col("event").replace_strict(EVENT_WORDS, default=pl.col("event")),
        "event_on",
        "next_on",
        "engagement_id",
    )


SAFE_REASSESS = Check(
    id="SAFE-REASSESS",
    title="A new safety assessment after a risk event, before the next session",
    quotes=(
        "Trauma Recovery Coaches do not work with client’s who are engaged in behavior that puts "
        "their physical safety at risk, such as: active alcohol and drug addiction, active and "
        "significant self-harming behavior.",
        "Trauma Recovery Coaches do not work with clients who are actively suicidal.",
        "Individuals who are being coached need to transfer to a therapist if they experience a "
        "mental health crisis.",
    ),
    severity="critical",
    tables=("sessions", "safety_assessments"),
    optional_tables=("referrals", "engagements", "group_members"),
    policy_values=("influence_repeat_days",),
    unit="risk event followed by a session",
    cases=reassess_cases,
    detail=reassess_detail,
)

SAFETY_CHECKS = (
    SAFE_SRA,
    SAFE_EXCLUDED,
    SAFE_INFLUENCE,
    SAFE_TRIGGERED,
    SAFE_DECOMP,
    SAFE_REASSESS,
)
