"""Scope of practice and competence checks: out-of-scope areas, undeclared competence,
populations needing outside training, psychoactive practice.

Edge cases decided here:

- SCOPE-PRACTICE: a held session on an out-of-scope area (the `out_of_scope` list of the area
  vocabulary) is allowed when the coach is `therapy_licensed`, or completed a training in that
  area, or declared competence in it on the basis of training or education, on or before the
  session day. One case per engagement and area with sessions in the period.
- SCOPE-COMPETENCE: a held session on an in-scope area the coach had not declared competence in
  by the session day needs supervision of that coach in that area within
  `competence_supervision_days` BEFORE OR AFTER the session (supervision sought when taking the
  case on, or soon after meeting the issue, both keep the Code). A session is judged when that
  window closes, so the case is dated window-end; one case per engagement and area.
- SCOPE-POPULATION: a minor (`under_18`) or a couple or family client needs a coach flagged
  `trained_minors` / `trained_couples_families`, or a training of kind `minors` /
  `couples_families` completed on or before the case's day. One case per client and need, dated
  at the client's first sign of work in the period: intake, a one-to-one session, or a group
  session attended as a member.
- SCOPE-PSYCHOACTIVE: a held session with `psychoactive_used` needs all three criteria on the
  session day: trained (`psychoactive_trained`, or a `psychoactive` training completed), insured
  (`psychoactive_insured`) and the Professional Standards Committee notified
  (`psychoactive_psc_notified_on` on or before the session). Legality and the coach's own
  sobriety are not recorded and not checked. One case per engagement; a finding names what was
  missing in any of its sessions that lacked a criterion.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.checks.check import Check, day_count, plural, span, text, words
from trc_analytics.policy import Policy
from trc_analytics.scope import Scope, days


def _with_whom() -> pl.Expr:
    """` with client K (engagement E)` or ` in group engagement E`."""
    return (
        pl.when(pl.col("client_id").is_null())
        .then(text(" in group engagement {}", "engagement_id"))
        .otherwise(text(" with client {} (engagement {})", "client_id", "engagement_id"))
    )


# --- SCOPE-PRACTICE ----------------------------------------------------------------------------


def practice_cases(sc: Scope) -> pl.LazyFrame:
    """One case per engagement and out-of-scope area worked on in the period."""
    out_of_scope = sorted(sc.ws.schema.out_of_scope_areas)
    trained = (
        sc.table("trainings")
        .filter(pl.col("area").is_not_null())
        .group_by("coach_id", "area")
        .agg(trained_on=pl.col("completed_on").min())
    )
    declared = (
        sc.table("competencies")
        .filter(pl.col("basis").is_in(["training", "education"]))
        .group_by("coach_id", "area")
        .agg(declared_on=pl.col("declared_on").min())
    )
    sessions = (
        sc.within_period(sc.held_to_end())
        .filter(pl.col("area").is_in(out_of_scope))
        .select("coach_id", "engagement_id", "client_id", "area", "held_on")
        .join(sc.coach_records().select("coach_id", "therapy_licensed"), on="coach_id", how="left")
        .join(trained, on=["coach_id", "area"], how="left")
        .join(declared, on=["coach_id", "area"], how="left")
        .with_columns(
            allowed=pl.col("therapy_licensed").fill_null(False)
            | (pl.col("trained_on") <= pl.col("held_on")).fill_null(False)
            | (pl.col("declared_on") <= pl.col("held_on")).fill_null(False)
        )
    )
    not_allowed = ~pl.col("allowed")
    return (
        sessions.group_by("coach_id", "engagement_id", "area")
        .agg(
            client_id=pl.col("client_id").first(),
            n=not_allowed.sum(),
            first=pl.col("held_on").filter(not_allowed).min(),
            last=pl.col("held_on").filter(not_allowed).max(),
            first_any=pl.col("held_on").min(),
        )
        .with_columns(compliant=pl.col("n") == 0, on=pl.coalesce("first", "first_any"))
    )


def practice_detail(policy: Policy) -> pl.Expr:
    return text(
        "Coach {} held {} on {}, which is outside the scope of practice,{} {}, without a therapy "
        "licence or outside training in it.",
        "coach_id",
        plural("n", "a session", "sessions"),
        words("area"),
        _with_whom(),
        span("first", "last"),
    )


SCOPE_PRACTICE = Check(
    id="SCOPE-PRACTICE",
    title="Work stays within the scope of practice unless outside training allows it",
    quotes=(
        "For example, we are not providing you with the competency to coach individuals around "
        "topics such as weight loss, career performance or hypnosis. Those would all be outside "
        "your scope of practice, unless you have those skills from other trainings or educational "
        "experiences.",
        "Trauma Recovery Coaches do not diagnose or assess mental health issues.",
        "Trauma Recovery Coaches do not provide advice about psychotropic medication.",
        "For example, coaches who have counseling or therapy degrees may provide therapeutic "
        "interventions.",
    ),
    severity="major",
    tables=("sessions",),
    optional_tables=("coaches", "trainings", "competencies"),
    policy_values=(),
    unit="engagement working on an out-of-scope area",
    cases=practice_cases,
    detail=practice_detail,
)


# --- SCOPE-COMPETENCE --------------------------------------------------------------------------


def competence_cases(sc: Scope) -> pl.LazyFrame:
    """One case per engagement and undeclared in-scope area, dated when the window closes."""
    n = sc.policy.competence_supervision_days
    out_of_scope = sorted(sc.ws.schema.out_of_scope_areas)
    declared = (
        sc.table("competencies")
        .group_by("coach_id", "area")
        .agg(declared_on=pl.col("declared_on").min())
    )
    supervision = (
        sc.table("supervision")
        .filter(pl.col("area").is_not_null() & (pl.col("met_on") <= sc.as_of))
        .select("coach_id", "area", "met_on")
        .sort("met_on")
    )
    sessions = (
        sc.within_period(sc.held_to_end(), shift_days=n)
        .filter(~pl.col("area").is_in(out_of_scope))
        .select("coach_id", "engagement_id", "client_id", "area", "held_on")
        .join(declared, on=["coach_id", "area"], how="left")
        .filter(pl.col("declared_on").is_null() | (pl.col("declared_on") > pl.col("held_on")))
        .drop("declared_on")
        .sort("held_on")
        .join_asof(
            supervision,
            left_on="held_on",
            right_on="met_on",
            by=["coach_id", "area"],
            strategy="nearest",
            check_sortedness=False,
        )
        .with_columns(
            covered=((pl.col("met_on") - pl.col("held_on")).abs() <= days(n)).fill_null(False)
        )
    )
    uncovered = ~pl.col("covered")
    return (
        sessions.group_by("coach_id", "engagement_id", "area")
        .agg(
            client_id=pl.col("client_id").first(),
            n=uncovered.sum(),
            first=pl.col("held_on").filter(uncovered).min(),
            last=pl.col("held_on").filter(uncovered).max(),
            first_any=pl.col("held_on").min(),
        )
        .with_columns(compliant=pl.col("n") == 0, on=pl.coalesce("first", "first_any") + days(n))
    )


def competence_detail(policy: Policy) -> pl.Expr:
    within = day_count(policy.competence_supervision_days)
    return text(
        "Coach {} worked on {}, an area they had not declared competence in,{} in {} {}, with no "
        "supervision in that area within " + within + " before or after.",
        "coach_id",
        words("area"),
        _with_whom(),
        plural("n", "a session", "sessions"),
        span("first", "last"),
    )


SCOPE_COMPETENCE = Check(
    id="SCOPE-COMPETENCE",
    title="Supervision when working beyond declared competence",
    quotes=(
        "Trauma Recovery Coaches will not offer services to clients where the focus of care would "
        "require assistance with issues outside of the coach’s scope of practice or competence.",
        "Trauma Recovery Coaches seek professional supervision from a qualified Supervisor when "
        "they encounter issues in their practice that they are not fully competent to handle.",
    ),
    severity="major",
    tables=("sessions", "competencies", "supervision"),
    policy_values=("competence_supervision_days",),
    unit="engagement working on an undeclared area",
    cases=competence_cases,
    detail=competence_detail,
)


# --- SCOPE-POPULATION --------------------------------------------------------------------------

NEEDS = {
    # need -> (coach flag, training kind)
    "minors": ("trained_minors", "minors"),
    "couples_families": ("trained_couples_families", "couples_families"),
}


def population_cases(sc: Scope) -> pl.LazyFrame:
    """One case per minor, couple or family client worked with in the period."""
    clients = sc.table("clients").select(
        "client_id", "coach_id", "intake_on", "age_band", "client_type"
    )
    needs = pl.concat(
        [
            clients.filter(pl.col("age_band") == "under_18").with_columns(need=pl.lit("minors")),
            clients.filter(pl.col("client_type").is_in(["couple", "family"])).with_columns(
                need=pl.lit("couples_families")
            ),
        ],
        how="vertical",
    )
    seen = [
        clients.filter(sc.in_period("intake_on")).select("client_id", day="intake_on"),
    ]
    if sc.has("sessions"):
        seen.append(
            sc.engagement_firsts()
            .filter(pl.col("client_id").is_not_null() & pl.col("first_in_period").is_not_null())
            .select("client_id", day="first_in_period")
        )
        if sc.has("group_members"):
            seen.append(
                sc.first_attended(sc.group_days(), sc.period.start, sc.period.end).select(
                    "client_id", day="first_on"
                )
            )
    first_seen = pl.concat(seen, how="vertical").group_by("client_id").agg(on=pl.col("day").min())
    trained = (
        sc.table("trainings")
        .filter(pl.col("kind").is_in([kind for _, kind in NEEDS.values()]))
        .group_by("coach_id", need=pl.col("kind").cast(pl.String))
        .agg(trained_on=pl.col("completed_on").min())
    )
    flags = sc.coach_records().select("coach_id", *[flag for flag, _ in NEEDS.values()])
    flag = (
        pl.when(pl.col("need") == "minors")
        .then(pl.col("trained_minors"))
        .otherwise(pl.col("trained_couples_families"))
    )
    return (
        needs.join(first_seen, on="client_id", how="inner")
        .join(flags, on="coach_id", how="left")
        .join(trained, on=["coach_id", "need"], how="left")
        .with_columns(
            compliant=flag.fill_null(False)
            | (pl.col("trained_on") <= pl.col("on")).fill_null(False)
        )
    )


def population_detail(policy: Policy) -> pl.Expr:
    return (
        pl.when(pl.col("need") == "minors")
        .then(
            text(
                "Client {} is a minor (under 18), and coach {} has no recorded training or "
                "experience for working with minors.",
                "client_id",
                "coach_id",
            )
        )
        .otherwise(
            text(
                "Client {} is a {}, and coach {} has no recorded training or experience for "
                "working with couples and families.",
                "client_id",
                "client_type",
                "coach_id",
            )
        )
    )


SCOPE_POPULATION = Check(
    id="SCOPE-POPULATION",
    title="Minors, couples and families only with the matching outside training",
    quotes=(
        "Trauma Recovery Coaches do not work with minors, couples or families unless they have "
        "that experience and training outside of the Initial, Advanced, Supervisor, Group or NPE "
        "Certification Courses or outside of the Association.",
    ),
    severity="major",
    tables=("clients", "coaches"),
    optional_tables=("sessions", "engagements", "group_members", "trainings"),
    policy_values=(),
    unit="minor, couple or family client worked with",
    cases=population_cases,
    detail=population_detail,
)


# --- SCOPE-PSYCHOACTIVE ------------------------------------------------------------------------


def psychoactive_cases(sc: Scope) -> pl.LazyFrame:
    """One case per engagement with psychoactive sessions held in the period."""
    trained = (
        sc.table("trainings")
        .filter(pl.col("kind") == "psychoactive")
        .group_by("coach_id")
        .agg(course_on=pl.col("completed_on").min())
    )
    sessions = (
        sc.within_period(sc.held_to_end())
        .filter(pl.col("psychoactive_used").fill_null(False))
        .select("coach_id", "client_id", "engagement_id", on="held_on")
        .join(
            sc.coach_records().select(
                "coach_id",
                "psychoactive_trained",
                "psychoactive_insured",
                "psychoactive_psc_notified_on",
            ),
            on="coach_id",
            how="left",
        )
        .join(trained, on="coach_id", how="left")
        .with_columns(
            trained=pl.col("psychoactive_trained").fill_null(False)
            | (pl.col("course_on") <= pl.col("on")).fill_null(False),
            insured=pl.col("psychoactive_insured").fill_null(False),
            notified=(pl.col("psychoactive_psc_notified_on") <= pl.col("on")).fill_null(False),
        )
        .with_columns(kept=pl.col("trained") & pl.col("insured") & pl.col("notified"))
    )
    lacking = ~pl.col("kept")
    return (
        sessions.group_by("coach_id", "engagement_id")
        .agg(
            client_id=pl.col("client_id").first(),
            n=lacking.sum(),
            first=pl.when(lacking).then(pl.col("on")).min(),
            last=pl.when(lacking).then(pl.col("on")).max(),
            first_any=pl.col("on").min(),
            trained=(pl.col("trained") | pl.col("kept")).all(),
            insured=(pl.col("insured") | pl.col("kept")).all(),
            notified=(pl.col("notified") | pl.col("kept")).all(),
        )
        .with_columns(compliant=pl.col("n") == 0, on=pl.coalesce("first", "first_any"))
    )


def psychoactive_detail(policy: Policy) -> pl.Expr:
    missing = pl.concat_str(
        [
            pl.when(~pl.col("trained")).then(pl.lit("was not formally trained in their use")),
            pl.when(~pl.col("insured")).then(pl.lit("had no liability insurance covering it")),
            pl.when(~pl.col("notified")).then(
                pl.lit("had not notified the Professional Standards Committee")
            ),
        ],
        separator=", ",
        ignore_nulls=True,
    )
    return text(
        "Psychoactive substances were used in {}{} {}, although the coach {}.",
        plural("n", "a session", "sessions"),
        _with_whom(),
        span("first", "last"),
        missing.str.replace(r", ([^,]*)$", " and $1"),
    )


SCOPE_PSYCHOACTIVE = Check(
    id="SCOPE-PSYCHOACTIVE",
    title="Psychoactive substances only when trained, insured and notified",
    quotes=(
        "The coach is FORMALLY trained in the use of such substances in conjunction with Trauma "
        "Recovery Coaching",
        "The coach has legal liability insurance which acknowledges and covers their use of these "
        "substances in their coaching",
        "The coach notifies the Professional Standards Committee of their use of psychoactive "
        "and/or psychedelic substances in their practice",
    ),
    severity="critical",
    tables=("sessions", "coaches"),
    optional_tables=("trainings",),
    policy_values=(),
    unit="engagement using psychoactive substances",
    cases=psychoactive_cases,
    detail=psychoactive_detail,
)

SCOPE_CHECKS = (SCOPE_PRACTICE, SCOPE_COMPETENCE, SCOPE_POPULATION, SCOPE_PSYCHOACTIVE)
