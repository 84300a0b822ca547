"""Confidentiality checks: disclosures only on a recognised basis; mandatory reports on time.

Edge cases decided here:

- CONF-DISCLOSURE: every disclosure in the period is a case; basis `none` is a finding.
- CONF-MANDATORY: the Code asks to "ALWAYS report current abuse": only a concern marked
  `abuse_current` (abuse going on now, not past abuse the client tells of) is a case. It must be
  reported within `mandatory_report_days` of `concern_on` (0 = the same day). It is judged when
  that time has run out, so the case is dated at the deadline; a report dated after the as-of
  date is not seen. Where no mandatory reporter law applies, the association leaves the
  `mandatory_reports` table out and the check reads "not evaluated" (docs/decisions.md).
"""

from __future__ import annotations

import polars as pl

from trc_analytics.checks.check import Check, day_count, optional, text, words
from trc_analytics.policy import Policy
from trc_analytics.scope import Scope, days

# --- CONF-DISCLOSURE ---------------------------------------------------------------------------


def disclosure_cases(sc: Scope) -> pl.LazyFrame:
    """Every disclosure of client information in the period."""
    return (
        sc.table("disclosures")
        .filter(sc.in_period("disclosed_on"))
        .select(
            "disclosure_id",
            "coach_id",
            "client_id",
            "recipient_type",
            on="disclosed_on",
            compliant=pl.col("basis") != "none",
        )
    )


def disclosure_detail(policy: Policy) -> pl.Expr:
    recipient = words("recipient_type")
    to = pl.when(recipient.is_null()).then(pl.lit("")).otherwise(text(" to a {}", recipient))
    return text(
        "Information about client {} was disclosed on {}{} without consent, a subpoena, a danger "
        "to anyone or a duty to report abuse.",
        "client_id",
        "on",
        to,
    )


CONF_DISCLOSURE = Check(
    id="CONF-DISCLOSURE",
    title="Client information disclosed only on a recognised basis",
    quotes=(
        "Coaches do not disclose their work with any clients, client records or any client "
        "information to anyone unless:",
        "a client is a danger to themselves or someone one else",
        "they have written consent from their client",
        "they receive a valid subpoena",
        "they must report abuse to an elder, minor or disabled person",
    ),
    severity="critical",
    tables=("disclosures",),
    policy_values=(),
    unit="disclosure",
    cases=disclosure_cases,
    detail=disclosure_detail,
)


# --- CONF-MANDATORY ----------------------------------------------------------------------------

GROUP_WORDS = {"minor": "a minor", "elder": "an elder", "disabled": "a disabled person"}


def mandatory_cases(sc: Scope) -> pl.LazyFrame:
    """Every concern of current abuse whose reporting deadline falls in the period (past abuse
    a client tells of is not a case: the Code asks to report current abuse)."""
    n = sc.policy.mandatory_report_days
    return (
        sc.table("mandatory_reports")
        .filter(pl.col("abuse_current"))
        .with_columns(on=pl.col("concern_on") + days(n))
        .filter(sc.in_period("on"))
        .select(
            "report_id",
            "coach_id",
            "client_id",
            "concern_on",
            "concern_group",
            "on",
            reported=sc.seen("reported_on"),
        )
        .with_columns(compliant=(pl.col("reported") <= pl.col("on")).fill_null(False))
    )


def mandatory_detail(policy: Policy) -> pl.Expr:
    within = day_count(policy.mandatory_report_days)
    late = (
        pl.when(pl.col("reported").is_null())
        .then(pl.lit("; no report is recorded"))
        .otherwise(optional("; it was reported on {}", "reported"))
    )
    return text(
        "A concern about current abuse of {} (client {}) raised on {} was not reported to the "
        "appropriate agency within " + within + "{}.",
        pl.col("concern_group").replace_strict(GROUP_WORDS, default=pl.col("concern_group")),
        "client_id",
        "concern_on",
        late,
    )


CONF_MANDATORY = Check(
    id="CONF-MANDATORY",
    title="Current abuse of a minor, elder or disabled person always reported, in time",
    quotes=(
        "Trauma Recovery Coaches serve as Mandatory Reporters in those countries where there are "
        "mandatory reporter laws. They ALWAYS report current abuse to minors, the disabled and "
        "elders to the appropriate local agencies.",
    ),
    severity="critical",
    tables=("mandatory_reports",),
    policy_values=("mandatory_report_days",),
    unit="concern of current abuse",
    cases=mandatory_cases,
    detail=mandatory_detail,
)

CONFIDENTIALITY_CHECKS = (CONF_DISCLOSURE, CONF_MANDATORY)
