"""Professional standing: credentials, ethics review, training, supervision (issue 4, item 5).

Standing is judged as of the period end ("as of"): records dated after it are not seen.
Credential standing is computed here once (`credential_standing`) and read by the CERT checks.
Conventions are in `scope.py`.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.metrics.registry import case_metric, summary_metric
from trc_analytics.scope import Scope, stable_sum

STATUSES = ("current", "due", "grace", "lapsed")
#: Specialty credentials: a lapse matters only when the specialty is practised after the grace.
SPECIALTIES = ("group", "npe", "supervisor")
#: The session area of NPE (misattributed parentage) work, the NPE specialty.
NPE_AREA = "npe_misattributed_parentage"


def _months_before(sc: Scope, months: int) -> pl.Expr:
    return sc.end.dt.offset_by(f"-{months}mo")


def _latest_credentials(sc: Scope) -> pl.LazyFrame:
    """Each coach's latest credential of each kind certified by the period end, and its status."""
    pol = sc.policy
    return (
        sc.table("credentials")
        .filter(pl.col("certified_on") <= sc.as_of)
        .group_by("coach_id", "credential")
        .agg(
            pl.col("certified_on").max(),
            pl.col("expires_on").sort_by("certified_on").last(),
            pl.col("ethics_review_on").sort_by("certified_on").last(),
            held=pl.len(),
        )
        .with_columns(
            grace_ends_on=pl.col("expires_on").dt.offset_by(f"{pol.credential_grace_months}mo"),
            days_to_expiry=(pl.col("expires_on") - sc.as_of).dt.total_days(),
        )
        .with_columns(
            status=pl.when(pl.col("days_to_expiry") > pol.credential_due_days)
            .then(pl.lit("current"))
            .when(pl.col("days_to_expiry") >= 0)
            .then(pl.lit("due"))
            .when(pl.col("grace_ends_on") >= sc.as_of)
            .then(pl.lit("grace"))
            .otherwise(pl.lit("lapsed"))
        )
    )


def _workspace_table(sc: Scope, name: str) -> pl.LazyFrame:
    """A table of the whole workspace, not restricted to the coaches in scope."""
    return sc.frame(name)


def _remediation(sc: Scope, lapsed: pl.LazyFrame) -> pl.LazyFrame:
    """Per lapsed credential: the most one-to-one `renewal_lapse` supervision hours after its
    grace ended with a single Association supervisor, and who gave them.

    The Code: "If that timeframe lapses, they must obtain six hours of one-to-one Supervision
    with the same Association employed Supervisor". Hours inside the grace are not that
    remediation, and a supervisor who is not a coach of the workspace is not Association
    employed as far as the records show, so neither counts.
    """
    # the whole workspace, not only the coaches in scope: the supervisor may be out of scope
    association = _workspace_table(sc, "coaches").select(supervisor_id="coach_id")
    one_to_one = (
        sc.table("supervision")
        .filter(
            (pl.col("format") == "one_to_one")
            & (pl.col("reason") == "renewal_lapse")
            & (pl.col("met_on") <= sc.as_of)
        )
        .join(association, on="supervisor_id", how="semi")
        .select("coach_id", "supervisor_id", "met_on", "hours")
    )
    return (
        lapsed.select("coach_id", "credential", "grace_ends_on")
        .join(one_to_one, on="coach_id")
        .filter(pl.col("met_on") > pl.col("grace_ends_on"))
        .group_by("coach_id", "credential", "supervisor_id")
        .agg(hours=stable_sum("hours"))
        .sort("hours", "supervisor_id", descending=[True, False])
        .group_by("coach_id", "credential", maintain_order=True)
        .first()
        .select(
            "coach_id",
            "credential",
            remediation_hours="hours",
            remediation_supervisor="supervisor_id",
        )
    )


def _practised(sc: Scope) -> pl.LazyFrame:
    """Each day a coach practised a specialty, up to the period end: ran a group session
    (`group`), held a session in the NPE area (`npe`), or supervised a coach (`supervisor`).

    Columns: coach_id, credential (the specialty), on.
    """
    held = sc.held_to_end() if sc.has("sessions") else sc.table("sessions")
    days = [
        held.filter(pl.col("area") == NPE_AREA).select(
            "coach_id", credential=pl.lit("npe"), on="held_on"
        )
    ]
    if sc.has("engagements"):
        groups = sc.table("engagements").filter(pl.col("format") == "group")
        days.append(
            held.join(groups.select("engagement_id"), on="engagement_id", how="semi").select(
                "coach_id", credential=pl.lit("group"), on="held_on"
            )
        )
    if sc.has("supervision"):  # supervising any coach of the workspace, in scope or not
        days.append(
            _workspace_table(sc, "supervision")
            .filter(pl.col("met_on") <= sc.as_of)
            .select(coach_id="supervisor_id", credential=pl.lit("supervisor"), on="met_on")
        )
    return pl.concat(days)


def _specialty_practice(sc: Scope, latest: pl.LazyFrame) -> pl.LazyFrame:
    """Adds practised_after_grace: for a lapsed specialty credential, the first day the coach
    practised that specialty after its grace ended (null when they did not, and for the other
    credentials)."""
    after = (
        latest.filter(
            (pl.col("status") == "lapsed") & pl.col("credential").is_in(list(SPECIALTIES))
        )
        .select("coach_id", "grace_ends_on", pl.col("credential").cast(pl.String()))
        .join(_practised(sc), on=["coach_id", "credential"])
        .filter(pl.col("on") > pl.col("grace_ends_on"))
        .group_by("coach_id", "credential")
        .agg(practised_after_grace=pl.col("on").min())
    )
    return latest.join(
        after,
        left_on=["coach_id", pl.col("credential").cast(pl.String())],
        right_on=["coach_id", "credential"],
        how="left",
    ).drop("credential_right", strict=False)


def credential_standing(sc: Scope) -> pl.LazyFrame:
    """Credential standing as of the period end, computed once per scope.

    The one place standing is judged: `credential_status`, `certification_pipeline` and the
    CERT-LAPSED and CERT-ETHICS checks all read this frame. Columns: those of
    `credential_status` (without region), plus ethics_review_on (of the latest credential) and
    held (how many credentials of that kind the coach has had).
    """

    def build() -> pl.LazyFrame:
        latest = _specialty_practice(sc, _latest_credentials(sc))
        if sc.has("supervision"):
            remediation = _remediation(sc, latest.filter(pl.col("status") == "lapsed"))
            latest = latest.join(
                remediation, on=["coach_id", "credential"], how="left"
            ).with_columns(
                remediation_hours=pl.when(pl.col("status") == "lapsed").then(
                    pl.col("remediation_hours").fill_null(0.0)
                )
            )
        else:
            latest = latest.with_columns(
                remediation_hours=pl.lit(None, pl.Float64()),
                remediation_supervisor=pl.lit(None, pl.String()),
            )
        return latest.with_columns(
            remediation_complete=pl.when(pl.col("status") == "lapsed").then(
                pl.col("remediation_hours") >= sc.policy.lapse_supervision_hours
            )
        )

    return sc.cached("credential_standing", build)


@case_metric(
    needs=("credentials",),
    columns={
        "coach_id": pl.String(),
        "region": pl.String(),
        "credential": pl.String(),
        "certified_on": pl.Date(),
        "expires_on": pl.Date(),
        "status": pl.String(),
        "days_to_expiry": pl.Int64(),
        "grace_ends_on": pl.Date(),
        "remediation_hours": pl.Float64(),
        "remediation_supervisor": pl.String(),
        "remediation_complete": pl.Boolean(),
        "practised_after_grace": pl.Date(),
        "held": pl.Int64(),
    },
)
def credential_status(sc: Scope) -> pl.LazyFrame:
    """Each coach's latest certification of each kind as of the period end, and its status.

    status: current; due (expires within `policy.credential_due_days`); grace (expired, within
    `policy.credential_grace_months`); lapsed (past the grace). For lapsed: remediation_hours =
    the most one-to-one `renewal_lapse` supervision hours after the grace with a single
    supervisor who is a coach of the workspace (remediation_supervisor), remediation_complete =
    at least `policy.lapse_supervision_hours`, which opens the review of suitability to renew
    (the credential stays lapsed until renewed; null without a `supervision` table). For a
    lapsed specialty (group, npe, supervisor): practised_after_grace = the first day it was
    practised after the grace. Columns: coach_id, region, credential, certified_on, expires_on,
    status, days_to_expiry (negative once expired), grace_ends_on, remediation_hours,
    remediation_supervisor, remediation_complete, practised_after_grace, held (how many
    credentials of that kind the coach has had: more than 1 makes the latest a renewal).
    """
    standing = credential_standing(sc).with_columns(pl.col("held").cast(pl.Int64))
    return sc.with_region(standing).sort("coach_id", "credential")


@summary_metric(
    needs=("credentials",),
    columns={
        "credential": pl.String(),
        **{s: pl.Int64() for s in STATUSES},
        "lapsed_remediated": pl.Int64(),
    },
)
def certification_pipeline(sc: Scope) -> pl.LazyFrame:
    """How many credentials are current, due, in grace or lapsed as of the period end.

    Columns: key, credential, current, due, grace, lapsed, lapsed_remediated (lapsed with the
    remediation supervision done, so the review of suitability to renew is open; they stay
    lapsed until renewed). See `credential_status` for the rules.
    """
    return (
        sc.keyed(credential_standing(sc))
        .group_by(sc.key, "credential")
        .agg(
            *[(pl.col("status") == s).sum().alias(s) for s in STATUSES],
            lapsed_remediated=(
                (pl.col("status") == "lapsed") & pl.col("remediation_complete").fill_null(False)
            ).sum(),
        )
        .sort(sc.key, "credential")
    )


def ethics_reviews(sc: Scope) -> pl.LazyFrame:
    """Every Code of Ethics review course on record, any date: a training of kind
    `ethics_review` or a credential's `ethics_review_on` (the one notion `ethics_review` and
    renewal readiness share). Columns: coach_id, reviewed_on."""
    reviews = [pl.LazyFrame(schema={"coach_id": sc.id_dtype, "reviewed_on": pl.Date()})]
    if "trainings" in sc.ws:
        reviews.append(
            sc.table("trainings")
            .filter(pl.col("kind") == "ethics_review")
            .select("coach_id", reviewed_on="completed_on")
        )
    if "credentials" in sc.ws:
        reviews.append(
            sc.table("credentials")
            .filter(pl.col("ethics_review_on").is_not_null())
            .select("coach_id", reviewed_on="ethics_review_on")
        )
    return pl.concat(reviews)


@summary_metric(
    needs=(("trainings", "credentials"),),
    columns={
        "coaches": pl.Int64(),
        "reviewed_in_cycle": pl.Int64(),
        "last_review_on": pl.Date(),
    },
)
def ethics_review(sc: Scope) -> pl.LazyFrame:
    """Active coaches who took the Code of Ethics review course in the current cycle.

    A review is a training of kind ethics_review or a credential's ethics_review_on, on or
    before the period end; in the cycle = within `policy.renewal_cycle_months` before it.
    Columns: key, coaches (active coaches), reviewed_in_cycle, last_review_on (latest).
    """
    last = (
        ethics_reviews(sc)
        .filter(pl.col("reviewed_on") <= sc.end)
        .group_by("coach_id")
        .agg(last_review_on=pl.col("reviewed_on").max())
    )
    cycle_start = _months_before(sc, sc.policy.renewal_cycle_months)
    coaches = (
        sc.table("coaches")
        .filter(pl.col("active"))
        .select("coach_id")
        .join(last, on="coach_id", how="left")
        .with_columns(in_cycle=(pl.col("last_review_on") > cycle_start).fill_null(False))
    )
    counts = (
        sc.keyed(coaches)
        .group_by(sc.key)
        .agg(
            coaches=pl.len(),
            reviewed_in_cycle=pl.col("in_cycle").sum(),
            last_review_on=pl.col("last_review_on").max(),
        )
    )
    return sc.complete(counts, [sc.key], ["coaches", "reviewed_in_cycle"])


def _recent_trainings(sc: Scope) -> pl.LazyFrame:
    since = _months_before(sc, sc.policy.training_window_months)
    return sc.table("trainings").filter(
        (pl.col("completed_on") > since) & (pl.col("completed_on") <= sc.end)
    )


@summary_metric(
    needs=("trainings",),
    columns={"trainings": pl.Int64(), "hours": pl.Float64(), "last_training_on": pl.Date()},
)
def training_hours(sc: Scope) -> pl.LazyFrame:
    """Training in the `policy.training_window_months` (12) months up to the period end.

    Columns: key, trainings, hours, last_training_on (latest ever, up to the period end).
    Every coach (or region) in scope has a row, zero when none.
    """
    counts = (
        sc.keyed(_recent_trainings(sc))
        .group_by(sc.key)
        .agg(trainings=pl.len(), hours=pl.col("hours").sum())
    )
    last = (
        sc.keyed(sc.table("trainings").filter(pl.col("completed_on") <= sc.end))
        .group_by(sc.key)
        .agg(last_training_on=pl.col("completed_on").max())
    )
    return (
        sc.complete(counts, [sc.key], ["trainings", "hours"])
        .join(last, on=sc.key, how="left")
        .sort(sc.key)
    )


@summary_metric(
    needs=("trainings",),
    columns={"kind": pl.String(), "trainings": pl.Int64(), "hours": pl.Float64()},
)
def training_by_kind(sc: Scope) -> pl.LazyFrame:
    """Training in the `policy.training_window_months` months up to the period end, by kind.

    Columns: key, kind, trainings, hours.
    """
    return (
        sc.keyed(_recent_trainings(sc))
        .group_by(sc.key, "kind")
        .agg(trainings=pl.len(), hours=pl.col("hours").sum())
        .sort(sc.key, "kind")
    )


@summary_metric(
    needs=("supervision",),
    columns={
        "reason": pl.String(),
        "format": pl.String(),
        "meetings": pl.Int64(),
        "hours": pl.Float64(),
    },
)
def supervision_hours(sc: Scope) -> pl.LazyFrame:
    """Supervision received in the period, by reason and format.

    Columns: key, reason, format, meetings, hours.
    """
    return (
        sc.keyed(sc.table("supervision").filter(sc.in_period("met_on")))
        .group_by(sc.key, "reason", "format")
        .agg(meetings=pl.len(), hours=pl.col("hours").sum())
        .sort(sc.key, "reason", "format")
    )


#: Supervision reasons a rule counts besides an area (SCOPE-COMPETENCE; CERT-LAPSED).
COUNTED_REASONS = ("competence_gap", "renewal_lapse")


def _whole(sc: Scope, name: str) -> pl.LazyFrame:
    """A table for every coach of the workspace (a supervisor may be outside the coaches in
    scope); an empty frame with its columns when absent."""
    return sc.frame(name)


def counted_supervision(sc: Scope) -> pl.LazyFrame:
    """Supervision meetings of the period that a rule counts, and who gave them, computed once.

    A meeting is counted when it has an area (competence gaps) or reason `competence_gap` or
    `renewal_lapse`. `outside`: the supervisor is not a coach of the workspace; `qualified`: a
    coach of the workspace whose `supervisor` credential runs from on or before the meeting day to
    on or after it (a credential in its grace has expired). Read by SUPERVISOR-QUALIFIED and
    `supervision_outside`. Columns: supervision_id, coach_id, supervisor_id, met_on, hours,
    reason, area, outside, qualified.
    """

    def build() -> pl.LazyFrame:
        coaches = _whole(sc, "coaches").select(supervisor_id="coach_id", inside=pl.lit(True))
        credentials = _whole(sc, "credentials").filter(pl.col("credential") == "supervisor")
        meetings = (
            sc.table("supervision")
            .filter(
                sc.in_period("met_on")
                & (pl.col("area").is_not_null() | pl.col("reason").is_in(COUNTED_REASONS))
            )
            .select(
                "supervision_id", "coach_id", "supervisor_id", "met_on", "hours", "reason", "area"
            )
        )
        qualified = (
            meetings.select("supervision_id", "supervisor_id", "met_on")
            .join(
                credentials.select(
                    supervisor_id="coach_id", c_from="certified_on", c_to="expires_on"
                ),
                on="supervisor_id",
            )
            .filter(pl.col("met_on").is_between(pl.col("c_from"), pl.col("c_to")))
            .select("supervision_id", qualified=pl.lit(True))
            .unique()
        )
        return (
            meetings.join(coaches, on="supervisor_id", how="left")
            .join(qualified, on="supervision_id", how="left")
            .with_columns(
                outside=pl.col("inside").is_null(), qualified=pl.col("qualified").fill_null(False)
            )
            .drop("inside")
        )

    return sc.cached("counted_supervision", build)


@summary_metric(
    needs=("supervision",),
    columns={
        "meetings": pl.Int64(),
        "outside": pl.Int64(),
        "outside_hours": pl.Float64(),
        "unqualified": pl.Int64(),
    },
)
def supervision_outside(sc: Scope) -> pl.LazyFrame:
    """Supervision meetings a rule counts, in the period: how many, how many (and how many
    hours) with a supervisor from outside the workspace (accepted, except after a lapse), and
    how many with a coach of the workspace holding no current supervisor credential that day.

    Columns: key, meetings, outside, outside_hours, unqualified.
    """
    outside = pl.col("outside")
    return (
        sc.keyed(counted_supervision(sc))
        .group_by(sc.key)
        .agg(
            meetings=pl.len(),
            outside=outside.sum().cast(pl.Int64),
            outside_hours=pl.col("hours").filter(outside).sum(),
            unqualified=(~outside & ~pl.col("qualified")).sum().cast(pl.Int64),
        )
        .sort(sc.key)
    )
