"""Scope of practice and competence checks: out-of-scope areas, undeclared competence,
populations needing outside experience and training, psychoactive practice, and whether the
supervision the rules count was given by a qualified Supervisor (issue 14, second reading).

Edge cases decided here (docs/decisions.md, "Code second reading: scope of practice and
competence"):

- SCOPE-PRACTICE: a held session on an out-of-scope area (the `out_of_scope` list of the area
  vocabulary) is judged by area, on the session day. `medication_advice`: never allowed.
  `diagnosis`: only with `therapy_licensed`. `substance_use_treatment`: a therapy licence or a
  competency (below). Weight loss, career performance, hypnosis: only a competency in that very
  area on a basis other than lived experience, or a training in that area ("skills from other
  trainings or educational experiences"); a therapy licence does not allow them. One case per
  engagement and area with sessions in the period.
- SCOPE-COMPETENCE: declared competence rests on a basis other than lived experience
  (`competencies` has one row per basis). A held in-scope session in an area not so declared by
  its day is covered by supervision in that area in the `competence_supervision_lookback_days`
  before it or the `competence_supervision_days` after it. A case is judged when the window after
  its first uncovered session closes; one case per engagement and area. When the area is the
  engagement's focus (`engagements.focus_area`, else the area of its first held session) and was
  undeclared when the engagement was taken on, the finding says the Code asks not to take the
  client on, or to refer. Supervision is counted whoever gave it: SUPERVISOR-QUALIFIED judges
  the supervisor (one fact, one finding).
- SCOPE-POPULATION: a minor (`under_18`) or a couple or family client needs a coach with the
  experience (flag `trained_minors` / `trained_couples_families`) AND a training of kind
  `minors` / `couples_families` marked `outside_association`, completed on or before the case's
  day. The coach is whoever works with the client: the client's coach at intake, the coach of a
  one-to-one session, the group's coach for a member. One case per client, need and coach, dated
  at that coach's first work with the client in the period.
- SCOPE-PSYCHOACTIVE: a held session with `psychoactive_used` needs, on the session day: trained
  (`psychoactive_trained_on`, or a `psychoactive` training, on or before it), insured
  (`psychoactive_insured_from` on or before it and `psychoactive_insured_to` empty or on or after
  it) and the Professional Standards Committee notified (`psychoactive_psc_notified_on` on or
  before it). Legality and the coach's own sobriety are not recorded and not checked. One case
  per engagement; a finding names what was missing in any of its sessions that lacked one.
- SUPERVISOR-QUALIFIED: every supervision meeting of the period that a rule counts (one with an
  area, or reason `competence_gap` or `renewal_lapse`) is a case. A supervisor who is a coach of
  the workspace must hold a `supervisor` credential certified on or before the meeting day and
  expiring on or after it (a credential in its grace has expired: not current). A supervisor who
  is not a coach of the workspace is accepted and marked `outside`, except for a lapse: the Code
  asks for "the same Association employed Supervisor", which only the workspace's own records
  can show. No rule counts supervision for psychoactive practice, so none is judged for it.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.checks.check import Check, day_count, plural, span, text, words
from trc_analytics.metrics.standing import counted_supervision
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

#: What allows work on each out-of-scope area (issue 14). Areas not named: a competency in that
#: very area on a basis other than lived experience, or a training in it.
NEVER = ("medication_advice",)
LICENCE_ONLY = ("diagnosis",)
#: Areas a therapy licence also allows (a therapeutic intervention), besides a competency.
LICENCE_TOO = ("substance_use_treatment",)


def _skilled_on(sc: Scope) -> pl.LazyFrame:
    """Per coach and area: the first day a non-lived basis for it is on record (a competency
    declared on training, education, supervised experience, or a training in that area)."""
    declared = (
        sc.table("competencies")
        .filter(pl.col("basis") != "lived_experience")
        .select("coach_id", "area", day="declared_on")
    )
    trained = (
        sc.table("trainings")
        .filter(pl.col("area").is_not_null())
        .select("coach_id", "area", day="completed_on")
    )
    return (
        pl.concat([declared, trained], how="vertical")
        .group_by("coach_id", "area")
        .agg(skilled_on=pl.col("day").min())
    )


def practice_cases(sc: Scope) -> pl.LazyFrame:
    """One case per engagement and out-of-scope area worked on in the period."""
    out_of_scope = sorted(sc.ws.schema.out_of_scope_areas)
    area = pl.col("area")
    skilled = (pl.col("skilled_on") <= pl.col("held_on")).fill_null(False)
    licensed = pl.col("therapy_licensed").fill_null(False)
    sessions = (
        sc.within_period(sc.held_to_end())
        .filter(area.is_in(out_of_scope))
        .select("coach_id", "engagement_id", "client_id", "area", "held_on")
        .join(sc.coach_records().select("coach_id", "therapy_licensed"), on="coach_id", how="left")
        .join(_skilled_on(sc), on=["coach_id", "area"], how="left")
        .with_columns(
            allowed=pl.when(area.is_in(NEVER))
            .then(False)
            .when(area.is_in(LICENCE_ONLY))
            .then(licensed)
            .when(area.is_in(LICENCE_TOO))
            .then(licensed | skilled)
            .otherwise(skilled)
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
    """What was held, and what the Code allows for that area."""
    area = pl.col("area")
    why = (
        pl.when(area.is_in(NEVER))
        .then(pl.lit("which a coach never gives, whatever their training"))
        .when(area.is_in(LICENCE_ONLY))
        .then(pl.lit("without a therapy licence"))
        .when(area.is_in(LICENCE_TOO))
        .then(
            pl.lit(
                "without a therapy licence or a competency in it resting on training, education "
                "or supervised experience"
            )
        )
        .otherwise(
            pl.lit(
                "without a competency in it resting on training, education or supervised "
                "experience (lived experience alone, or a therapy licence, does not cover it)"
            )
        )
    )
    return text(
        "Coach {} held {} on {}, which is outside the scope of practice,{} {}, {}.",
        "coach_id",
        plural("n", "a session", "sessions"),
        words("area"),
        _with_whom(),
        span("first", "last"),
        why,
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


def _focus(sc: Scope, wanted: pl.LazyFrame) -> pl.LazyFrame:
    """Per engagement of `wanted` (a frame with engagement_id): its focus area
    (`engagements.focus_area`, else the area of its first held session) and the day it was
    taken on (its start, else that first session). Only the sessions of those engagements are
    sorted (the cases are few beside every held session)."""
    first = (
        sc.held_to_end()
        .join(wanted.select("engagement_id").unique(), on="engagement_id", how="semi")
        .sort("held_on", "session_id")
        .group_by("engagement_id")
        .agg(first_area=pl.col("area").first(), first_held=pl.col("held_on").first())
    )
    engagements = sc.table("engagements").select("engagement_id", "focus_area", "started_on")
    return first.join(engagements, on="engagement_id", how="left").select(
        "engagement_id",
        focus=pl.coalesce(pl.col("focus_area").cast(pl.String), pl.col("first_area")),
        taken_on=pl.coalesce("started_on", "first_held"),
    )


def _supervised(sessions: pl.LazyFrame, supervision: pl.LazyFrame, sc: Scope) -> pl.LazyFrame:
    """`covered`: supervision in the session's area within the lookback before it or the
    window after it (the nearest meeting on each side, by coach and area)."""
    before, after = (
        sc.policy.competence_supervision_lookback_days,
        sc.policy.competence_supervision_days,
    )
    sup = supervision.sort("met_on")
    on_side = {"left_on": "held_on", "right_on": "met_on", "by": ["coach_id", "area"]}
    return (
        sessions.sort("held_on")
        .join_asof(
            sup.rename({"met_on": "before"}),
            **{**on_side, "right_on": "before"},
            strategy="backward",
            check_sortedness=False,
        )
        .join_asof(
            sup.rename({"met_on": "after"}),
            **{**on_side, "right_on": "after"},
            strategy="forward",
            check_sortedness=False,
        )
        .with_columns(
            covered=((pl.col("held_on") - pl.col("before")) <= days(before)).fill_null(False)
            | ((pl.col("after") - pl.col("held_on")) <= days(after)).fill_null(False)
        )
    )


def competence_cases(sc: Scope) -> pl.LazyFrame:
    """One case per engagement and undeclared in-scope area, dated when the window closes.

    Collected here, once: the runner reads a check's cases twice (its findings and its counts
    per coach, each collected alone), and finding these few cases passes over every held
    session (at 5M sessions: a few hundred cases from 4.4M sessions, ~0.3 s CPU a pass).
    """
    return _competence_cases(sc).collect().lazy()


def _competence_cases(sc: Scope) -> pl.LazyFrame:
    """The plan of `competence_cases`."""
    n = sc.policy.competence_supervision_days
    out_of_scope = sorted(sc.ws.schema.out_of_scope_areas)
    declared = (
        sc.table("competencies")
        .filter(pl.col("basis") != "lived_experience")
        .group_by("coach_id", "area")
        .agg(declared_on=pl.col("declared_on").min())
    )
    supervision = (
        sc.table("supervision")
        .filter(pl.col("area").is_not_null() & (pl.col("met_on") <= sc.as_of))
        .select("coach_id", "area", "met_on")
    )
    sessions = (
        sc.within_period(sc.held_to_end(), shift_days=n)
        .filter(~pl.col("area").is_in(out_of_scope))
        .select("coach_id", "engagement_id", "client_id", "area", "held_on")
        .join(declared, on=["coach_id", "area"], how="left")
        .filter(pl.col("declared_on").is_null() | (pl.col("declared_on") > pl.col("held_on")))
    )
    uncovered = ~pl.col("covered")
    cases = (
        _supervised(sessions, supervision, sc)
        .group_by("coach_id", "engagement_id", "area")
        .agg(
            client_id=pl.col("client_id").first(),
            n=uncovered.sum(),
            first=pl.col("held_on").filter(uncovered).min(),
            last=pl.col("held_on").filter(uncovered).max(),
            first_any=pl.col("held_on").min(),
            declared_on=pl.col("declared_on").first(),
        )
    )
    return (
        cases.join(_focus(sc, cases), on="engagement_id", how="left")
        .with_columns(
            compliant=pl.col("n") == 0,
            on=pl.coalesce("first", "first_any") + days(n),
            from_start=(pl.col("focus") == pl.col("area"))
            & (pl.col("declared_on").is_null() | (pl.col("declared_on") > pl.col("taken_on"))),
        )
        .drop("declared_on")
    )


def competence_detail(policy: Policy) -> pl.Expr:
    """The uncovered sessions; when the focus was undeclared from the start, what the Code asks."""
    before = day_count(policy.competence_supervision_lookback_days)
    after = day_count(policy.competence_supervision_days)
    start = pl.when(pl.col("from_start").fill_null(False)).then(
        pl.lit(
            " It was the engagement's focus from the start: the Code asks not to take on a client "
            "whose focus of care is outside the coach's competence, or to refer."
        )
    )
    return text(
        "Coach {} worked on {}, an area they had not declared competence in (on training, "
        "education or supervised experience),{} in {} {}, with no supervision in that area in "
        "the " + before + " before or the " + after + " after.{}",
        "coach_id",
        words("area"),
        _with_whom(),
        plural("n", "a session", "sessions"),
        span("first", "last"),
        start.otherwise(pl.lit("")),
    )


SCOPE_COMPETENCE = Check(
    id="SCOPE-COMPETENCE",
    title="Supervision when working beyond declared competence",
    quotes=(
        "Scope of competence: those areas within the field of trauma recovery which the individual "
        "is proficient to coach about, based on education, training, supervised experience, and "
        "professional credentials.",
        "Trauma Recovery Coaches will not offer services to clients where the focus of care would "
        "require assistance with issues outside of the coach’s scope of practice or competence.",
        "Trauma Recovery Coaches seek professional supervision from a qualified Supervisor when "
        "they encounter issues in their practice that they are not fully competent to handle.",
    ),
    severity="major",
    tables=("sessions", "competencies", "supervision"),
    optional_tables=("engagements",),
    policy_values=("competence_supervision_lookback_days", "competence_supervision_days"),
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


def _first_seen(sc: Scope, wanted: pl.LazyFrame) -> pl.LazyFrame:
    """Per client of `wanted` (a frame with client_id) and coach working with them: the first
    sign of work in the period (intake by the client's coach, a one-to-one session, or a group
    session attended, judged against the group's coach). Only those clients' rows are grouped
    (the clients with a need are few beside every held session)."""
    seen = [
        sc.table("clients")
        .filter(sc.in_period("intake_on"))
        .select("client_id", "coach_id", day="intake_on"),
    ]
    if sc.has("sessions"):
        seen.append(
            sc.within_period(sc.held_to_end())
            .filter(pl.col("client_id").is_not_null())
            .select("client_id", "coach_id", day="held_on")
        )
        if sc.has("group_members"):
            seen.append(
                sc.first_attended(sc.group_days(), sc.period.start, sc.period.end).select(
                    "client_id", "coach_id", day="first_on"
                )
            )
    return (
        pl.concat(seen, how="vertical")
        .join(wanted.select("client_id").unique(), on="client_id", how="semi")
        .group_by("client_id", "coach_id")
        .agg(on=pl.col("day").min())
    )


def population_cases(sc: Scope) -> pl.LazyFrame:
    """One case per minor, couple or family client and coach working with them in the period."""
    clients = sc.frame("clients").select("client_id", "age_band", "client_type")
    needs = pl.concat(
        [
            clients.filter(pl.col("age_band") == "under_18").with_columns(need=pl.lit("minors")),
            clients.filter(pl.col("client_type").is_in(["couple", "family"])).with_columns(
                need=pl.lit("couples_families")
            ),
        ],
        how="vertical",
    )
    trained = (
        sc.table("trainings")
        .filter(
            pl.col("kind").is_in([kind for _, kind in NEEDS.values()])
            & pl.col("outside_association").fill_null(False)
        )
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
        needs.join(_first_seen(sc, needs), on="client_id", how="inner")
        .join(flags, on="coach_id", how="left")
        .join(trained, on=["coach_id", "need"], how="left")
        .with_columns(
            experienced=flag.fill_null(False),
            trained=(pl.col("trained_on") <= pl.col("on")).fill_null(False),
        )
        .with_columns(compliant=pl.col("experienced") & pl.col("trained"))
    )


def population_detail(policy: Policy) -> pl.Expr:
    """Who the client is, and which of experience and outside training is not on record."""
    who = (
        pl.when(pl.col("need") == "minors")
        .then(text("Client {} is a minor (under 18)", "client_id"))
        .otherwise(text("Client {} is a {}", "client_id", "client_type"))
    )
    population = (
        pl.when(pl.col("need") == "minors")
        .then(pl.lit("minors"))
        .otherwise(pl.lit("couples and families"))
    )
    missing = (
        pl.when(~pl.col("experienced") & ~pl.col("trained"))
        .then(pl.lit("neither experience nor a training outside the Association's courses"))
        .when(~pl.col("experienced"))
        .then(pl.lit("no recorded experience"))
        .otherwise(pl.lit("no recorded training outside the Association's courses"))
    )
    return text(
        "{}, and coach {}, working with them from {}, has {} for working with {}.",
        who,
        "coach_id",
        "on",
        missing,
        population,
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
    tables=("clients", "coaches", "trainings"),
    optional_tables=("sessions", "engagements", "group_members"),
    policy_values=(),
    unit="minor, couple or family client and coach working with them",
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
                "psychoactive_trained_on",
                "psychoactive_insured_from",
                "psychoactive_insured_to",
                "psychoactive_psc_notified_on",
            ),
            on="coach_id",
            how="left",
        )
        .join(trained, on="coach_id", how="left")
        .with_columns(
            trained=(
                pl.min_horizontal("psychoactive_trained_on", "course_on") <= pl.col("on")
            ).fill_null(False),
            insured=(
                (pl.col("psychoactive_insured_from") <= pl.col("on"))
                & (
                    pl.col("psychoactive_insured_to").is_null()
                    | (pl.col("psychoactive_insured_to") >= pl.col("on"))
                )
            ).fill_null(False),
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
            pl.when(~pl.col("trained")).then(pl.lit("was not yet formally trained in their use")),
            pl.when(~pl.col("insured")).then(
                pl.lit("had no liability insurance covering it on the day")
            ),
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


# --- SUPERVISOR-QUALIFIED ----------------------------------------------------------------------


def supervisor_cases(sc: Scope) -> pl.LazyFrame:
    """One case per supervision meeting in the period that a rule counts (`counted_supervision`,
    computed once in metrics/standing.py): kept when given by a qualified coach of the workspace,
    or by an outside supervisor (marked `outside`) for anything but a lapse."""
    lapse = pl.col("reason") == "renewal_lapse"
    return counted_supervision(sc).with_columns(
        on=pl.col("met_on"),
        compliant=pl.when(pl.col("outside")).then(~lapse).otherwise(pl.col("qualified")),
    )


def supervisor_detail(policy: Policy) -> pl.Expr:
    """Who supervised whom, for what, and why that supervisor does not count."""
    what = (
        pl.when(pl.col("reason") == "renewal_lapse")
        .then(pl.lit("toward the supervision after a lapsed certification"))
        .otherwise(text("on {}, an area beyond declared competence", words("area")))
    )
    why = (
        pl.when(pl.col("outside"))
        .then(
            text(
                "{} is a supervisor from outside this workspace: after a lapse the Code asks for "
                "the six hours with the same Association employed Supervisor, and none of record "
                "gave them",
                "supervisor_id",
            )
        )
        .otherwise(text("{} held no current supervisor credential that day", "supervisor_id"))
    )
    return text(
        "Coach {} met supervisor {} on {} {}; {}.",
        "coach_id",
        "supervisor_id",
        "met_on",
        what.fill_null(pl.lit("on a competence gap")),
        why,
    )


SUPERVISOR_QUALIFIED = Check(
    id="SUPERVISOR-QUALIFIED",
    title="Supervision that a rule counts is given by a qualified Supervisor",
    quotes=(
        "Trauma Recovery Coaches seek professional supervision from a qualified Supervisor when "
        "they encounter issues in their practice that they are not fully competent to handle.",
        "If that timeframe lapses, they must obtain six hours of one-to-one Supervision with the "
        "same Association employed Supervisor, at their personal expense, to review their "
        "suitability to renew their credential.",
    ),
    severity="major",
    tables=("supervision", "coaches", "credentials"),
    policy_values=(),
    unit="supervision meeting a rule counts",
    cases=supervisor_cases,
    detail=supervisor_detail,
)

SCOPE_CHECKS = (
    SCOPE_PRACTICE,
    SCOPE_COMPETENCE,
    SCOPE_POPULATION,
    SCOPE_PSYCHOACTIVE,
    SUPERVISOR_QUALIFIED,
)
