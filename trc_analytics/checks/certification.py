"""Professional standing checks: credentials kept up to date, ethics review before renewal,
continuing education. All are judged as of the period end.

Edge cases decided here:

- CERT-LAPSED, standing part: for every active coach, the latest credential of each kind
  certified on or before the as-of date. It is current while `expires_on` is on or after the
  as-of date; expired within `credential_grace_months` = minor (renew within the grace the
  Code grants); past the grace = critical until renewed. The `lapse_supervision_hours` of
  one-to-one `renewal_lapse` supervision with ONE supervisor who is a coach of the workspace
  ("the same Association employed Supervisor"), after the grace, only open the review of
  suitability to renew: the finding shows them as progress. A specialty credential (group,
  npe, supervisor) is judged only when practised after its grace (a group session, a session
  in the NPE area, supervising a coach). Inactive coaches are not judged.
- CERT-LAPSED, practice part: a held session in the period on a day when none of the coach's
  credentials (certified before that day) was current or in its grace period is held while
  lapsed: one critical finding per coach. Sessions before a coach's first certification are not
  judged (the records cannot tell training from practice then).
- CERT-ETHICS: the latest credential of each kind (as of the period end, active coaches) is a
  renewal when an earlier one of the same kind exists. It needs an ethics review in the
  `renewal_cycle_months` before its `certified_on`: the credential's own `ethics_review_on`, or a
  training of kind `ethics_review`, dated in that window.
- DEV-CE: an active coach must complete at least `ce_hours_per_year` (10) hours of training
  other than the ethics review course (which CERT-ETHICS asks for on its own) in the
  `training_window_months` (12) up to the as-of date. Coaches who joined within the window are
  not judged yet.
Findings of these checks are dated at the as-of date (the period end), so they belong to it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from trc_analytics.checks.check import Check, month_count, optional, plural, span, text
from trc_analytics.metrics.standing import SPECIALTIES, credential_standing
from trc_analytics.policy import Policy
from trc_analytics.scope import Scope, add_months, date_lit, stable_sum

KIND_WORDS = {
    "initial": "Initial",
    "advanced": "Advanced",
    "supervisor": "Supervisor",
    "group": "Group",
    "npe": "NPE",
}


def _hours(column: str) -> pl.Expr:
    """Hours as short text (`4`, `4.5`), rounded down to the tenth like the reports' hours held:
    9.96 hours must not read "10 hours ... fewer than the 10 hours a year asked". A float error
    (8.4999999) is absorbed first, so 8.5 stays 8.5."""
    value = (pl.col(column) * 10 + 1e-6).floor() / 10
    return (
        pl.when(value == value.floor())
        .then(value.cast(pl.Int64()).cast(pl.String()))
        .otherwise(value.cast(pl.String()))
    )


def _kind() -> pl.Expr:
    return pl.col("credential").replace_strict(KIND_WORDS, default=pl.col("credential"))


def latest_credentials(sc: Scope) -> pl.LazyFrame:
    """Each active coach's credential standing as of the period end (from the metric).

    Standing is computed once, in `metrics.standing.credential_standing`; here `state` folds
    its `due` into `current` (a credential due for renewal has not expired). Columns: those of
    `credential_standing` plus state (current, grace or lapsed).
    """
    return (
        credential_standing(sc)
        .join(sc.active_coaches(), on="coach_id", how="semi")
        .with_columns(
            state=pl.when(pl.col("status") == "due")
            .then(pl.lit("current"))
            .otherwise(pl.col("status"))
        )
    )


# --- CERT-LAPSED -------------------------------------------------------------------------------


def _standing_cases(sc: Scope) -> pl.LazyFrame:
    """One case per credential: kept while current; a reminder inside the grace; a finding
    once lapsed, until renewal (the supervision hours are progress, not a remedy).

    A specialty credential (group, npe, supervisor) is judged only on what the coach did: in
    its grace, or lapsed and not practised since the grace ended, it is kept. Sorted by coach
    and credential, so a coach's findings come in the same order every run.
    """
    specialty = pl.col("credential").cast(pl.String()).is_in(list(SPECIALTIES))
    state = pl.col("state")
    return (
        latest_credentials(sc)
        .sort("coach_id", "credential")
        .with_columns(
            pl.col("remediation_hours").fill_null(0.0),
            compliant=(state == "current")
            | (specialty & (state == "grace"))
            | (specialty & (state == "lapsed") & pl.col("practised_after_grace").is_null()),
            severity=pl.when(state == "grace").then(pl.lit("minor")).otherwise(pl.lit("critical")),
            review_open=pl.col("remediation_complete").fill_null(False),
            on=sc.as_of,
            part=pl.lit("credential"),
        )
    )


def _practice_cases(sc: Scope) -> pl.LazyFrame:
    """One case per coach practising in the period: kept unless a session fell on a day when
    none of their credentials was current or in its grace period."""
    grace = f"{sc.policy.credential_grace_months}mo"
    cover = (
        sc.table("credentials")
        .filter(pl.col("certified_on") <= sc.as_of)
        .select("coach_id", "certified_on", cover_end=pl.col("expires_on").dt.offset_by(grace))
        .sort("certified_on")
        .with_columns(pl.col("cover_end").cum_max().over("coach_id"))
    )
    lapsed = pl.col("while_lapsed")
    return (
        sc.within_period(sc.coach_days())
        .select("coach_id", "held_on", "sessions")
        .sort("held_on")
        .join_asof(
            cover, left_on="held_on", right_on="certified_on", by="coach_id", check_sortedness=False
        )
        .filter(pl.col("cover_end").is_not_null())
        .with_columns(while_lapsed=pl.col("held_on") > pl.col("cover_end"))
        .group_by("coach_id")
        .agg(
            n=pl.col("sessions").filter(lapsed).sum(),
            first=pl.col("held_on").filter(lapsed).min(),
            last=pl.col("held_on").filter(lapsed).max(),
            lapsed_after=pl.col("cover_end").filter(lapsed).min(),
        )
        .with_columns(
            state=pl.lit("practice"),
            part=pl.lit("practice"),
            compliant=pl.col("n") == 0,
            severity=pl.lit("critical"),
            on=pl.coalesce("first", sc.as_of),
        )
    )


def lapsed_cases(sc: Scope) -> pl.LazyFrame:
    """Credential standing as of the period end, plus practice while lapsed in the period;
    `part` tells the two kinds of case apart (`CheckResults.parts`: "3 credentials and your
    practice")."""
    return pl.concat([_standing_cases(sc), _practice_cases(sc)], how="diagonal_relaxed")


def _lapsed_text(policy: Policy) -> pl.Expr:
    """A credential past its grace: the facts, then the supervision towards the review."""
    hours = f"{policy.lapse_supervision_hours:g}"
    facts = text(
        "Coach {}'s {} certification expired on {} and the grace period ended on {} without "
        "renewal{}; it stays lapsed until renewed. ",
        "coach_id",
        _kind(),
        "expires_on",
        "grace_ends_on",
        optional(
            "; the specialty was practised after the grace, first on {}", "practised_after_grace"
        ),
    )
    progress = (
        pl.when(pl.col("review_open"))
        .then(
            text(
                "The " + hours + " hours of one-to-one supervision with one Association "
                "supervisor after the grace are done ({} hours with {}): the review of "
                "suitability to renew is open.",
                _hours("remediation_hours"),
                "remediation_supervisor",
            )
        )
        .otherwise(
            text(
                "{} of the " + hours + " hours of one-to-one supervision with one Association "
                "supervisor after the grace that open the review of suitability to renew are "
                "recorded.",
                _hours("remediation_hours"),
            )
        )
    )
    return pl.concat_str(facts, progress)


def lapsed_detail(policy: Policy) -> pl.Expr:
    grace = month_count(policy.credential_grace_months)
    return (
        pl.when(pl.col("state") == "grace")
        .then(
            text(
                "Coach {}'s {} certification expired on {}; renew it within the " + grace + " "
                "grace period, which runs until {}.",
                "coach_id",
                _kind(),
                "expires_on",
                "grace_ends_on",
            )
        )
        .when(pl.col("state") == "lapsed")
        .then(_lapsed_text(policy))
        .otherwise(
            text(
                "Coach {} held {} {} while their certification had lapsed (its grace period "
                "ended on {}).",
                "coach_id",
                plural("n", "a session", "sessions"),
                span("first", "last"),
                "lapsed_after",
            )
        )
    )


CERT_LAPSED = Check(
    id="CERT-LAPSED",
    title="Credentials kept up to date; a lapse remedied by supervision",
    quotes=(
        "It is the responsibility of each Association Coach to keep their credentials up to date.",
        "If any coach allows their certification to lapse, they shall have a six-month period to "
        "renew their certification. If that timeframe lapses, they must obtain six hours of "
        "one-to-one Supervision with the same Association employed Supervisor, at their personal "
        "expense, to review their suitability to renew their credential.",
    ),
    severity="critical",
    severity_note="minor inside the grace period (a reminder to renew within it)",
    tables=("credentials", "coaches"),
    optional_tables=("supervision", "sessions", "engagements"),
    policy_values=("credential_grace_months", "lapse_supervision_hours"),
    unit="credential held (as of the period end) or coach practising in the period",
    cases=lapsed_cases,
    detail=lapsed_detail,
)


# --- CERT-ETHICS -------------------------------------------------------------------------------


def ethics_cases(sc: Scope) -> pl.LazyFrame:
    """Every current renewal (latest credential of a kind, not the first) as of the period end."""
    cycle = f"{sc.policy.renewal_cycle_months}mo"
    renewals = (
        latest_credentials(sc)
        .filter(pl.col("held") > 1)
        .with_columns(window_start=pl.col("certified_on").dt.offset_by(f"-{cycle}"))
    )
    in_window = pl.col("review_on").is_between(pl.col("window_start"), pl.col("certified_on"))
    by_course = (
        renewals.select("coach_id", "credential", "window_start", "certified_on")
        .join(
            sc.table("trainings")
            .filter(pl.col("kind") == "ethics_review")
            .select("coach_id", review_on="completed_on"),
            on="coach_id",
            how="inner",
        )
        .filter(in_window)
        .select("coach_id", "credential")
        .unique()
        .with_columns(course=pl.lit(True))
    )
    return (
        renewals.join(by_course, on=["coach_id", "credential"], how="left")
        .with_columns(review_on=pl.col("ethics_review_on"))
        .with_columns(
            compliant=pl.col("course").fill_null(False) | in_window.fill_null(False),
            on=sc.as_of,
        )
    )


def ethics_detail(policy: Policy) -> pl.Expr:
    return text(
        "Coach {} renewed their {} certification on {} without a Code of Ethics review course in "
        "the " + month_count(policy.renewal_cycle_months) + " before.",
        "coach_id",
        _kind(),
        "certified_on",
    )


CERT_ETHICS = Check(
    id="CERT-ETHICS",
    title="An ethics review course before every renewal",
    quotes=(
        "Prior to every two year renewal of a coach's Certification they must take a review "
        "course on the Code of Ethics.",
    ),
    severity="major",
    tables=("credentials", "coaches"),
    optional_tables=("trainings",),
    policy_values=("renewal_cycle_months",),
    unit="renewed credential held (as of the period end)",
    cases=ethics_cases,
    detail=ethics_detail,
)


# --- DEV-CE ------------------------------------------------------------------------------------


def ce_cases(sc: Scope) -> pl.LazyFrame:
    """Every active coach who joined before the window, with their training hours in it
    (the ethics review course not counted): compliant at `ce_hours_per_year` or more."""
    months = sc.policy.training_window_months
    window_start = add_months(sc.period.as_of + dt.timedelta(days=1), -months)
    hours = (
        sc.table("trainings")
        .filter(
            pl.col("completed_on").is_between(date_lit(window_start), sc.as_of)
            & (pl.col("kind") != "ethics_review")
        )
        .group_by("coach_id")
        .agg(hours=stable_sum("hours"))
    )
    return (
        sc.coach_records()
        .filter(
            pl.col("active")
            & (pl.col("joined_on").is_null() | (pl.col("joined_on") < date_lit(window_start)))
        )
        .select("coach_id")
        .join(hours, on="coach_id", how="left")
        .with_columns(
            pl.col("hours").fill_null(0.0),
            window_start=date_lit(window_start),
            on=sc.as_of,
        )
        .with_columns(compliant=pl.col("hours") >= sc.policy.ce_hours_per_year)
        .sort("coach_id")
    )


def ce_detail(policy: Policy) -> pl.Expr:
    return text(
        "Coach {} completed {} hours of training (other than the ethics review course) in the "
        + month_count(policy.training_window_months)
        + " from {} to {}, fewer than the "
        + f"{policy.ce_hours_per_year:g}"
        + " hours a year asked.",
        "coach_id",
        _hours("hours"),
        "window_start",
        "on",
    )


DEV_CE = Check(
    id="DEV-CE",
    title="Keeping up to date through training",
    quotes=(
        "Trauma Recovery Coaches keep up-to-date with research and methodology in the field of "
        "trauma, trauma recovery and intervention.",
        "We acknowledge areas of growth in our coaching skills and seek training, information and "
        "supervision to build our strengths in those areas.",
    ),
    severity="minor",
    tables=("trainings", "coaches"),
    policy_values=("training_window_months", "ce_hours_per_year"),
    unit="active coach",
    cases=ce_cases,
    detail=ce_detail,
)

CERTIFICATION_CHECKS = (CERT_LAPSED, CERT_ETHICS)
DEVELOPMENT_CHECKS = (DEV_CE,)
