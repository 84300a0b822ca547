"""Professional conduct checks: criminal charges reported in time; no dual relationships; no
session conducted while impaired.

Edge cases decided here (docs/decisions.md, "Code second reading: confidentiality, conduct,
referrals"):

- CONDUCT-CHARGE: only a charge of a crime involving alcohol or drugs or against persons
  (`charge_kind` `alcohol_drugs` or `against_persons`) must be reported; a charge whose kind is
  not recorded is judged too (it cannot be shown to fall outside the duty) and its finding says
  so. It must be reported within `charge_report_days` of `occurred_on`; the case is dated at
  that deadline, and a report after the as-of date is not seen.
- CONDUCT-DUAL: one case per coach (every active coach, and any coach with such an event). A
  relationship of power, romance or sex, or money (or of unrecorded kind) is critical; a
  friendship or family tie is major; an incidental encounter in a small community is a finding
  (major) only when the coach acknowledged the person as a client. An incidental encounter is a
  one-off event, found in the period of `occurred_on`; any other dual relationship lasts from
  `occurred_on` to `ended_on` (empty: still going on) and is found in every period it overlaps.
  A coach with several has one finding, of the most serious severity, listing them.
- CONDUCT-IMPAIRED: one case per coach; every `impaired_session` event in the period is listed in
  the coach's one finding.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.checks.check import Check, day_count, optional, plural, span, text
from trc_analytics.policy import Policy
from trc_analytics.scope import Scope, days

# --- CONDUCT-CHARGE ----------------------------------------------------------------------------

#: Charges the Code asks to report ("a crime involving alcohol or drugs, and/or a crime against
#: persons").
REPORTABLE_CHARGES = ("alcohol_drugs", "against_persons")

CHARGE_WORDS = {
    "alcohol_drugs": "involving alcohol or drugs",
    "against_persons": "against persons",
}


def charge_cases(sc: Scope) -> pl.LazyFrame:
    """Every reportable criminal charge (or one of unrecorded kind) whose reporting deadline
    falls in the period."""
    n = sc.policy.charge_report_days
    kind = pl.col("charge_kind").cast(pl.String)
    return (
        sc.table("conduct_events")
        .filter(
            (pl.col("kind") == "criminal_charge")
            & (kind.is_in(REPORTABLE_CHARGES) | kind.is_null())
        )
        .with_columns(on=pl.col("occurred_on") + days(n))
        .filter(sc.in_period("on"))
        .select(
            "event_id",
            "coach_id",
            "occurred_on",
            "on",
            charge=kind,
            reported=sc.seen("reported_on"),
        )
        .with_columns(compliant=(pl.col("reported") <= pl.col("on")).fill_null(False))
    )


def charge_detail(policy: Policy) -> pl.Expr:
    within = day_count(policy.charge_report_days)
    late = (
        pl.when(pl.col("reported").is_null())
        .then(pl.lit("; no report is recorded"))
        .otherwise(optional("; it was reported on {}", "reported"))
    )
    what = (
        pl.when(pl.col("charge").is_null())
        .then(
            pl.lit(
                " (the kind of crime is not recorded, so it cannot be shown to fall outside"
                " the duty to report)"
            )
        )
        .otherwise(
            text(" of a crime {}", pl.col("charge").replace_strict(CHARGE_WORDS, default=""))
        )
    )
    return text(
        "A criminal charge{} against coach {} on {} was not reported to the Professional "
        "Standards Committee within " + within + "{}.",
        what,
        "coach_id",
        "occurred_on",
        late,
    )


CONDUCT_CHARGE = Check(
    id="CONDUCT-CHARGE",
    title="Criminal charges reported to the Professional Standards Committee in time",
    quotes=(
        "If a credentialed coach is charged with a crime involving alcohol or drugs, and/or a "
        "crime against persons they must report that charge to the Professional Standards "
        "Committee",
        "within 10 days.",
    ),
    severity="critical",
    tables=("conduct_events",),
    policy_values=("charge_report_days",),
    unit="criminal charge involving alcohol or drugs or against persons",
    cases=charge_cases,
    detail=charge_detail,
)


# --- shared: one case per coach ----------------------------------------------------------------


def coach_cases(sc: Scope, events: pl.LazyFrame, severity: pl.Expr) -> pl.LazyFrame:
    """One case per active coach (or coach with an event): compliant without events; a coach
    with events has the most serious `severity` among them (`SEVERITIES` order), `n` events,
    `first`/`last` days and `kinds` (the events' words, in date order)."""
    rank = {"critical": 0, "major": 1, "minor": 2}
    per_coach = (
        events.with_columns(_rank=severity.replace_strict(rank, return_dtype=pl.Int64))
        .sort("coach_id", "from", "event_id")
        .group_by("coach_id", maintain_order=True)
        .agg(
            n=pl.len(),
            first=pl.col("from").min(),
            last=pl.col("from").max(),
            kinds=pl.col("words").unique(maintain_order=True).str.join(", "),
            _rank=pl.col("_rank").min(),
        )
        .with_columns(
            severity=pl.col("_rank").replace_strict(
                {v: k for k, v in rank.items()}, return_dtype=pl.String
            )
        )
        .drop("_rank")
    )
    coaches = pl.concat([sc.active_coaches(), per_coach.select("coach_id")], how="vertical")
    return (
        coaches.unique()
        .join(per_coach, on="coach_id", how="left")
        .with_columns(compliant=pl.col("n").is_null(), on=pl.coalesce("first", sc.as_of))
    )


# --- CONDUCT-DUAL ------------------------------------------------------------------------------

DUAL_WORDS = {
    "romantic_sexual": "romantic or sexual",
    "financial": "financial dealings",
    "power": "a power differential",
    "friendship_family": "friendship or family",
    "incidental_community": "acknowledged as a client in the community",
}
#: Severity per kind of dual relationship; a kind not recorded is critical.
DUAL_SEVERITY = {
    "romantic_sexual": "critical",
    "financial": "critical",
    "power": "critical",
    "friendship_family": "major",
    "incidental_community": "major",
}


def dual_events(sc: Scope) -> pl.LazyFrame:
    """Dual relationships overlapping the period: an incidental encounter only when the coach
    acknowledged the client, and only in the period it happened; any other from `occurred_on`
    to `ended_on` (empty or after the as-of date: still going on)."""
    kind = pl.col("dual_kind").cast(pl.String)
    incidental = kind == "incidental_community"
    ended = pl.when(incidental).then(pl.col("occurred_on")).otherwise(sc.seen("ended_on"))
    return (
        sc.table("conduct_events")
        .filter(pl.col("kind") == "dual_relationship")
        .filter(~incidental.fill_null(False) | pl.col("client_acknowledged").fill_null(False))
        .with_columns(_until=ended)
        .filter(
            (pl.col("occurred_on") <= sc.end)
            & (pl.col("_until").is_null() | (pl.col("_until") >= sc.start))
        )
        .select(
            "event_id",
            "coach_id",
            pl.max_horizontal("occurred_on", sc.start).alias("from"),
            words=kind.replace_strict(DUAL_WORDS, default="kind not recorded"),
            _severity=kind.replace_strict(DUAL_SEVERITY, default="critical"),
        )
    )


def dual_cases(sc: Scope) -> pl.LazyFrame:
    """One case per active coach (or coach with a dual relationship in the period)."""
    return coach_cases(sc, dual_events(sc), pl.col("_severity"))


def dual_detail(policy: Policy) -> pl.Expr:
    return text(
        "Coach {} has {} ({}) recorded {}.",
        "coach_id",
        plural("n", "a dual relationship with a client", "dual relationships with clients"),
        "kinds",
        span("first", "last"),
    )


CONDUCT_DUAL = Check(
    id="CONDUCT-DUAL",
    title="No dual relationships with clients",
    quotes=(
        "Trauma Recovery Coaches do not have dual relationships with their clients.",
        "a Trauma Recovery Coach will never acknowledge this individual as a client either to "
        "that person or to others present.",
        "Coaches will never enter into dual relationships that involve a power differential, "
        "romantic or sexual relationships involvement, or financial dealings with clients.",
    ),
    severity="critical",
    severity_note=(
        "major for a friendship or family tie and for a client acknowledged in an incidental "
        "community encounter"
    ),
    tables=("conduct_events",),
    optional_tables=("coaches",),
    policy_values=(),
    unit="coach",
    cases=dual_cases,
    detail=dual_detail,
)


# --- CONDUCT-IMPAIRED --------------------------------------------------------------------------


def impaired_cases(sc: Scope) -> pl.LazyFrame:
    """One case per active coach (or coach with an impaired session in the period)."""
    events = (
        sc.table("conduct_events")
        .filter((pl.col("kind") == "impaired_session") & sc.in_period("occurred_on"))
        .select("event_id", "coach_id", pl.col("occurred_on").alias("from"), words=pl.lit(""))
    )
    return coach_cases(sc, events, pl.lit("critical"))


def impaired_detail(policy: Policy) -> pl.Expr:
    return text(
        "Coach {} conducted {} while impaired by drugs or alcohol, recorded {}.",
        "coach_id",
        plural("n", "a session", "sessions"),
        span("first", "last"),
    )


CONDUCT_IMPAIRED = Check(
    id="CONDUCT-IMPAIRED",
    title="No session conducted while impaired",
    quotes=(
        "Trauma Recovery Coaches do not conduct sessions under the influence of alcohol or drugs.",
        "Trauma Recovery Coaches will not conduct sessions while impaired by drugs or alcohol "
        "themselves.",
    ),
    severity="critical",
    tables=("conduct_events",),
    optional_tables=("coaches",),
    policy_values=(),
    unit="coach",
    cases=impaired_cases,
    detail=impaired_detail,
)

CONDUCT_CHECKS = (CONDUCT_CHARGE, CONDUCT_DUAL, CONDUCT_IMPAIRED)
