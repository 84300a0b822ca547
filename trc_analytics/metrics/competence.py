"""Competence: areas practised against areas declared, and what followed a gap (issue 4, item 3).

A session is *outside declared competence* when its coach had not declared competence in its
area on or before the session date (competencies.declared_on). *Out of scope* areas are those
the vocabulary lists as outside a Trauma Recovery Coach's scope of practice (SPEC 3); they are
covered by outside training (therapy_licensed, or a training in that area). Conventions
(period, keys, missing tables) are in `scope.py`.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.metrics.registry import case_metric, summary_metric
from trc_analytics.scope import Scope, share


def _out_of_scope(sc: Scope) -> list[str]:
    return sorted(sc.ws.schema.out_of_scope_areas)


#: A declared competence rests on something besides lived experience (issue 14: "based on
#: education, training, supervised experience, and professional credentials"), as SCOPE-COMPETENCE
#: reads it.
GROUNDED = pl.col("basis") != "lived_experience"


def _declared(sc: Scope) -> pl.LazyFrame:
    """(coach_id, area, declared_on) once per declared competence (area an Enum): the first day
    a basis other than lived experience was recorded (`competencies` has one row per basis)."""
    return (
        sc.frame("competencies")
        .filter(GROUNDED)
        .drop_nulls("area")
        .group_by("coach_id", "area")
        .agg(declared_on=pl.col("declared_on").min())
    )


def _undeclared(lf: pl.LazyFrame, sc: Scope) -> pl.LazyFrame:
    """Mark rows (coach_id, area, held_on) of held sessions or attendance whose area the coach
    had not declared by that day."""
    return lf.join(_declared(sc), on=["coach_id", "area"], how="left").with_columns(
        undeclared=pl.col("declared_on").is_null() | (pl.col("declared_on") > pl.col("held_on"))
    )


def _area_cube(sc: Scope) -> pl.LazyFrame:
    """Per coach and area practised: sessions, hours, and those outside declared competence
    (with the first such day). Built once per scope."""

    def build() -> pl.LazyFrame:
        undeclared = pl.col("undeclared")
        return (
            _undeclared(sc.held_in_period().select("coach_id", "held_on", "area", "hours"), sc)
            .group_by("coach_id", "area")
            .agg(
                sessions=pl.len(),
                hours=pl.col("hours").sum(),
                sessions_undeclared=undeclared.sum(),
                hours_undeclared=pl.col("hours").filter(undeclared).sum(),
                first_undeclared_on=pl.col("held_on").filter(undeclared).min(),
            )
        )

    return sc.cached("area_cube", build)


def _declaring(sc: Scope, key: str) -> pl.LazyFrame:
    """How many coaches of each group had declared each area by the period end."""
    declared = sc.table("competencies").filter(GROUNDED & (pl.col("declared_on") <= sc.end))
    return (
        sc.keyed(declared.select("coach_id", "area"))
        .group_by(key, "area")
        .agg(coaches_declaring=pl.col("coach_id").n_unique())
    )


def _practice(sc: Scope) -> pl.LazyFrame:
    """Sessions, hours, clients and undeclared sessions/hours per group key and area."""
    sums = ["sessions", "hours", "sessions_undeclared", "hours_undeclared"]
    sessions = (
        sc.keyed(_area_cube(sc))
        .group_by(sc.key, "area")
        .agg(*[pl.col(c).sum() for c in sums], coaches_practising=pl.len())
    )
    clients = (
        sc.keyed(sc.area_clients())
        .group_by(sc.key, "area")
        .agg(clients=pl.col("client_id").n_unique())
    )
    return sessions.join(clients, on=[sc.key, "area"], how="left")


_PRACTICE_COLUMNS = {
    "area": pl.String(),
    "in_scope": pl.Boolean(),
    "sessions": pl.Int64(),
    "hours": pl.Float64(),
    "clients": pl.Int64(),
    "sessions_undeclared": pl.Int64(),
    "hours_undeclared": pl.Float64(),
    "coaches_declaring": pl.Int64(),
}


@summary_metric(needs=("sessions", "competencies"), columns=_PRACTICE_COLUMNS)
def areas_practised(sc: Scope) -> pl.LazyFrame:
    """Areas worked on in held sessions of the period against areas declared.

    One row per group and area practised or declared (by the period end). Columns: key, area,
    in_scope, sessions, hours, clients (distinct, group members included),
    sessions_undeclared and hours_undeclared (the coach had not declared the area by the
    session date), coaches_declaring (for one coach 0 or 1).
    """
    key = sc.key
    counts = ["sessions", "hours", "clients", "sessions_undeclared", "hours_undeclared"]
    return (
        _practice(sc)
        .join(_declaring(sc, key), on=[key, "area"], how="full", coalesce=True)
        .with_columns(pl.col(c).fill_null(0) for c in [*counts, "coaches_declaring"])
        .with_columns(in_scope=~pl.col("area").is_in(_out_of_scope(sc)))
        .sort(key, "area")
    )


@summary_metric(
    needs=("sessions", "competencies"),
    columns={
        "hours": pl.Float64(),
        "hours_undeclared": pl.Float64(),
        "undeclared_share": pl.Float64(),
        "sessions_undeclared": pl.Int64(),
        "areas_undeclared": pl.Int64(),
    },
)
def outside_competence(sc: Scope) -> pl.LazyFrame:
    """Hours held outside declared competence and their share of all held hours.

    Columns: key, hours, hours_undeclared, undeclared_share, sessions_undeclared,
    areas_undeclared (distinct areas with undeclared sessions).
    """
    counts = (
        sc.keyed(_area_cube(sc))
        .group_by(sc.key)
        .agg(
            pl.col("hours", "hours_undeclared", "sessions_undeclared").sum(),
            areas_undeclared=pl.col("area").filter(pl.col("sessions_undeclared") > 0).n_unique(),
        )
    )
    fill = ["hours", "hours_undeclared", "sessions_undeclared", "areas_undeclared"]
    return sc.complete(counts, [sc.key], fill).with_columns(
        undeclared_share=share("hours_undeclared", "hours")
    )


def _gap_sessions(sc: Scope) -> pl.LazyFrame:
    """Per coach and area practised outside declared competence: first such session, count
    and hours (from the area cube)."""
    return (
        _area_cube(sc)
        .filter(pl.col("sessions_undeclared") > 0)
        .select(
            "coach_id",
            "area",
            "first_undeclared_on",
            sessions="sessions_undeclared",
            hours="hours_undeclared",
        )
    )


def _gap_clients(sc: Scope, gaps: pl.LazyFrame) -> pl.LazyFrame:
    """Per gap: how many distinct clients attended sessions in the undeclared area."""
    attended = (
        sc.coded_attendance()
        .select("coach_id", "client_id", "held_on", "area")
        .join(gaps.select("coach_id", "area"), on=["coach_id", "area"], how="semi")
    )
    return (
        _undeclared(attended, sc)
        .filter(pl.col("undeclared"))
        .group_by("coach_id", "area")
        .agg(clients=pl.col("client_id").n_unique())
    )


def _with_gap_supervision(sc: Scope, gaps: pl.LazyFrame) -> pl.LazyFrame:
    """Add supervision in the gap's area from the window before it up to the period end
    (null columns without a `supervision` table)."""
    if "supervision" not in sc.ws:
        return gaps.with_columns(
            first_supervision_on=pl.lit(None, pl.Date()),
            supervision_latency_days=pl.lit(None, pl.Int64()),
            supervised_within_window=pl.lit(None, pl.Boolean()),
            supervision_hours=pl.lit(None, pl.Float64()),
        )
    window, lookback = (
        sc.policy.competence_supervision_days,
        sc.policy.competence_supervision_lookback_days,
    )
    sup = (
        sc.table("supervision")
        .filter(pl.col("area").is_not_null() & (pl.col("met_on") <= sc.end))
        .select("coach_id", "area", "met_on", "hours")
        .join(gaps.select("coach_id", "area", "first_undeclared_on"), on=["coach_id", "area"])
        .filter(pl.col("met_on") >= pl.col("first_undeclared_on").dt.offset_by(f"-{lookback}d"))
        .group_by("coach_id", "area")
        .agg(first_supervision_on=pl.col("met_on").min(), supervision_hours=pl.col("hours").sum())
    )
    latency = (pl.col("first_supervision_on") - pl.col("first_undeclared_on")).dt.total_days()
    return (
        gaps.join(sup, on=["coach_id", "area"], how="left")
        .with_columns(supervision_hours=pl.col("supervision_hours").fill_null(0.0))
        .with_columns(supervision_latency_days=latency)
        .with_columns(
            supervised_within_window=pl.col("supervision_latency_days")
            .is_between(-lookback, window)
            .fill_null(False)
        )
    )


def _with_gap_training(sc: Scope, gaps: pl.LazyFrame) -> pl.LazyFrame:
    """Add trainings in the gap's area completed by the period end (null without `trainings`)."""
    if "trainings" not in sc.ws:
        return gaps.with_columns(
            trainings=pl.lit(None, pl.Int64()), training_hours=pl.lit(None, pl.Float64())
        )
    trained = (
        sc.table("trainings")
        .filter(pl.col("area").is_not_null() & (pl.col("completed_on") <= sc.end))
        .group_by("coach_id", "area")
        .agg(trainings=pl.len(), training_hours=pl.col("hours").sum())
    )
    return gaps.join(trained, on=["coach_id", "area"], how="left").with_columns(
        pl.col("trainings").fill_null(0), pl.col("training_hours").fill_null(0.0)
    )


@case_metric(
    needs=("sessions", "competencies"),
    columns={
        "coach_id": pl.String(),
        "region": pl.String(),
        "area": pl.String(),
        "in_scope": pl.Boolean(),
        "first_undeclared_on": pl.Date(),
        "sessions": pl.Int64(),
        "hours": pl.Float64(),
        "clients": pl.Int64(),
        "first_supervision_on": pl.Date(),
        "supervision_latency_days": pl.Int64(),
        "supervised_within_window": pl.Boolean(),
        "supervision_hours": pl.Float64(),
        "trainings": pl.Int64(),
        "training_hours": pl.Float64(),
    },
)
def competence_gaps(sc: Scope) -> pl.LazyFrame:
    """One row per coach and area practised in the period outside declared competence.

    first_undeclared_on is the first such session of the period. Supervision in that area
    counts from `policy.competence_supervision_lookback_days` before it up to the period end:
    first_supervision_on, supervision_latency_days (negative = supervised ahead),
    supervised_within_window (from the lookback before to `competence_supervision_days` after,
    the window SCOPE-COMPETENCE uses) and supervision_hours.
    trainings/training_hours: trainings in that area completed by the period end. Supervision
    columns are null without a `supervision` table, training columns without `trainings`.
    Columns: coach_id, region, area, in_scope, first_undeclared_on, sessions, hours, clients,
    first_supervision_on, supervision_latency_days, supervised_within_window,
    supervision_hours, trainings, training_hours.
    """
    gaps = _gap_sessions(sc)
    gaps = gaps.join(_gap_clients(sc, gaps), on=["coach_id", "area"], how="left")
    gaps = _with_gap_supervision(sc, gaps)
    gaps = _with_gap_training(sc, gaps)
    return (
        sc.with_region(gaps)
        .with_columns(in_scope=~pl.col("area").is_in(_out_of_scope(sc)))
        .sort("coach_id", "first_undeclared_on", "area")
    )


@summary_metric(
    needs=("sessions",),
    columns={
        "area": pl.String(),
        "sessions": pl.Int64(),
        "hours": pl.Float64(),
        "clients": pl.Int64(),
        "sessions_without_training": pl.Int64(),
    },
)
def out_of_scope_practice(sc: Scope) -> pl.LazyFrame:
    """Held sessions of the period in areas outside the scope of practice, by area.

    sessions_without_training: those whose coach was neither therapy_licensed nor trained in
    that area (a `trainings` row with that area completed on or before the session date).
    Columns: key, area, sessions, hours, clients, sessions_without_training.
    """
    oos = _out_of_scope(sc)
    held = (
        sc.held_in_period()
        .filter(pl.col("area").is_in(oos))
        .select("coach_id", "held_on", "area", "hours")
    )
    licensed = sc.frame("coaches").select(
        "coach_id", licensed=pl.col("therapy_licensed").fill_null(False)
    )
    held = held.join(licensed, on="coach_id", how="left")
    if "trainings" in sc.ws:
        first_trained = (
            sc.frame("trainings")
            .filter(pl.col("area").is_in(oos))
            .group_by("coach_id", "area")
            .agg(trained_on=pl.col("completed_on").min())
        )
        held = held.join(first_trained, on=["coach_id", "area"], how="left")
    else:
        held = held.with_columns(trained_on=pl.lit(None, pl.Date()))
    covered = pl.col("licensed") | (pl.col("trained_on") <= pl.col("held_on")).fill_null(False)
    sessions = (
        sc.keyed(held)
        .group_by(sc.key, "area")
        .agg(
            sessions=pl.len(),
            hours=pl.col("hours").sum(),
            sessions_without_training=(~covered).sum(),
        )
    )
    clients = (
        sc.keyed(
            sc.coded_attendance()
            .filter(pl.col("area").is_in(oos))
            .select("coach_id", "client_id", "area")
        )
        .group_by(sc.key, "area")
        .agg(clients=pl.col("client_id").n_unique())
    )
    return (
        sessions.join(clients, on=[sc.key, "area"], how="left")
        .with_columns(pl.col("clients").fill_null(0))
        .sort(sc.key, "area")
    )


@case_metric(
    needs=("sessions", "competencies"),
    columns={
        "region": pl.String(),
        "area": pl.String(),
        "in_scope": pl.Boolean(),
        "sessions": pl.Int64(),
        "hours": pl.Float64(),
        "clients": pl.Int64(),
        "coaches_practising": pl.Int64(),
        "sessions_undeclared": pl.Int64(),
        "undeclared_share": pl.Float64(),
        "coaches_declaring": pl.Int64(),
        "sessions_per_declaring_coach": pl.Float64(),
        "training_needed": pl.Boolean(),
    },
)
def demand_vs_supply(sc: Scope) -> pl.LazyFrame:
    """The association's view: demand by area (sessions, clients) against supply (coaches
    declaring competence), by region.

    One row per region and area practised in the period or declared by an active coach.
    coaches_declaring counts active coaches who had declared the area by the period end.
    training_needed: sessions were held in the area and either no coach of the region declares
    it or at least `policy.training_need_share` of its sessions were outside declared
    competence. Columns: region, area, in_scope, sessions, hours, clients,
    coaches_practising, sessions_undeclared, undeclared_share, coaches_declaring,
    sessions_per_declaring_coach, training_needed.
    """
    region_scope = Scope(
        ws=sc.ws,
        period=sc.period,
        policy=sc.policy,
        coaches=sc.coaches,
        by="region",
        codes=sc.codes,
    )
    region_scope._cache = sc._cache  # same records, same shared frames
    active = sc.frame("coaches").filter(pl.col("active")).select("coach_id")
    supply = (
        region_scope.keyed(
            sc.table("competencies")
            .filter(GROUNDED & (pl.col("declared_on") <= sc.end))
            .join(active, on="coach_id", how="semi")
            .select("coach_id", "area")
        )
        .group_by("region", "area")
        .agg(coaches_declaring=pl.col("coach_id").n_unique())
    )
    counts = ["sessions", "hours", "clients", "coaches_practising", "sessions_undeclared"]
    undeclared_share = share("sessions_undeclared", "sessions")
    return (
        _practice(region_scope)
        .join(supply, on=["region", "area"], how="full", coalesce=True)
        .with_columns(pl.col(c).fill_null(0) for c in [*counts, "coaches_declaring"])
        .with_columns(
            in_scope=~pl.col("area").is_in(_out_of_scope(sc)),
            undeclared_share=undeclared_share,
            sessions_per_declaring_coach=share("sessions", "coaches_declaring"),
            training_needed=(pl.col("sessions") > 0)
            & (
                (pl.col("coaches_declaring") == 0)
                | (undeclared_share >= sc.policy.training_need_share).fill_null(False)
            ),
        )
        .sort("region", "area")
    )
