"""The association report's one release: every figure it publishes, audited together.

`release_of(ctx)` builds it once per report (the notebook's first call, `open_association`,
does so before any section renders): every table cell, row and column total and grand total
of every table the report shows, registered with the rule each obeys, the relations between
tables over the same population (`Release.relate`), then `protect()` once. Sentences and charts
read the figures they quote from this release, so one attacker who knows everything the report
publishes (and the equalities declared between its tables) can neither work out a figure it
hides nor narrow one past that figure's rule.

Counts of what coaches did (sessions, clients, referrals) are registered per coach, so the
contributor and dominance rules apply beside the cell-size rule. A table whose inputs are
missing from the workspace is not registered (its section says what is missing).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from trc_analytics.disclosure.guard import DisclosureError
from trc_analytics.disclosure.ledger import ALL, Release
from trc_analytics.disclosure.release_tables import FigureKey, ReleasedTable
from trc_analytics.errors import MissingTables
from trc_analytics.reports.association.cells import coach_region, regions
from trc_analytics.reports.context import ReportContext
from trc_analytics.reports.outline import need

#: Table names: the captions the report prints.
COACHES = "Active coaches, by region"
CLIENTS = "Clients served, by region"
SESSIONS = "Sessions held, by region and month"
HOURS = "Hours held, by region and month"
AREA_SESSIONS = "Sessions held, by area"
AREA_CLIENTS = "Clients served, by area"
AREA_COACHES = "Coaches declaring competence, by area"
COMPLIANCE = "Cases examined and kept, per check"
REFERRALS = "Referrals by reason (rows) and service type (columns)"
VETTED = "Referrals to services the coach had vetted, by region"
PIPELINE = "Credentials by kind and status"
FEES = "Hours held by fee"
COMMUNITY = "Community-service hours by kind"
RENEWALS = "Renewals due soon, by readiness"
ATTAINMENT = "Scored goals at or above the expected outcome, by region"
#: Readiness of a renewal due soon (metric column -> the words the table shows), in order.
READINESS = {"ready": "ready", "at_risk": "at risk"}
#: The check whose examined and kept cases are the vetted table's referrals and vetted ones.
REFER_VETTED = "REFER-VETTED"
#: Credential statuses, in the order the pipeline shows them.
STATUSES = ["current", "due", "grace", "lapsed"]

_KEY = "association_release"
_MISSING = "association_release_missing"


def release_of(ctx: ReportContext) -> Release:
    """The report's release, built and protected on first use (cached on the context)."""
    if _KEY not in ctx._frames:
        ctx._frames[_MISSING] = {}
        ctx._frames[_KEY] = build_release(ctx, ctx._frames[_MISSING])
    return ctx._frames[_KEY]


def build_release(ctx: ReportContext, missing: dict[str, MissingTables]) -> Release:
    """Register every figure of the association report, relate the tables, protect once.
    `missing` receives, per table not registered, what the workspace lacks for it."""
    release = Release(ctx.policy)
    for names, register in _REGISTERS:
        try:
            register(release, ctx)
        except MissingTables as exc:
            missing.update(dict.fromkeys(names, exc))  # its section names the missing tables
    _relate_across(release)
    release.protect()
    return release


_metric = need  # a metric's frame, or `MissingTables` naming the tables the workspace lacks


def table_of(ctx: ReportContext, name: str) -> ReleasedTable:
    """A table as the report's release publishes it: `CannotProtect` when the release refuses
    it, `MissingTables` when the workspace lacks what it is made from."""
    release = release_of(ctx)
    if not release.row_keys(name) and name in ctx._frames[_MISSING]:
        raise ctx._frames[_MISSING][name]
    return release.table(name)


#: How a category left blank in the records is shown.
NOT_RECORDED = "not recorded"


def _category(column: str) -> pl.Expr:
    """A category column as text, a blank one as `NOT_RECORDED` (a figure of its own)."""
    return pl.col(column).cast(pl.String).fill_null(NOT_RECORDED)


# --- the tables -------------------------------------------------------------------------------


def _served(release: Release, ctx: ReportContext) -> None:
    """Active coaches by region (counts) and clients by region (each coach's clients summed,
    so a region one or two coaches serve does not show their caseload)."""
    everywhere = {"region": regions(ctx)}
    coaches = _metric(ctx, "active_coaches").join(coach_region(ctx), on="coach_id")
    release.add_counts(
        COACHES, coaches.select("region", "coaches"), rows="region", value="coaches",
        categories=everywhere,
    )  # fmt: skip
    per_coach = _metric(ctx, "headline").select("coach_id", clients=pl.col("active_clients"))
    release.add_counts(
        CLIENTS, per_coach.join(coach_region(ctx), on="coach_id"), rows="region",
        value="clients", contributor="coach_id", categories=everywhere,
    )  # fmt: skip


def _sessions_hours(release: Release, ctx: ReportContext) -> None:
    """Held sessions (a count of what each coach did) and hours by region and month."""
    per_coach = _metric(ctx, "held_by_coach_month")
    categories = {"region": regions(ctx), "month": ctx.period.months()}
    for name, value, add in [
        (SESSIONS, "sessions", release.add_counts),
        (HOURS, "hours", release.add_sums),
    ]:
        add(
            name,
            per_coach.select("coach_id", "region", "month", value),
            rows="region",
            cols="month",
            value=value,
            contributor="coach_id",
            categories=categories,
        )


def _demand(release: Release, ctx: ReportContext) -> None:
    """Sessions and clients by area (per coach) and coaches declaring competence by area."""
    per_coach = _metric(ctx, "held_by_coach_area").with_columns(_category("area"))
    declaring = (
        _metric(ctx, "demand_vs_supply")
        .with_columns(_category("area"))
        .group_by("area")
        .agg(pl.col("coaches_declaring").sum())
    )
    areas = sorted(set(declaring["area"].to_list()) | set(per_coach["area"].to_list()))
    for name, value in [(AREA_SESSIONS, "sessions"), (AREA_CLIENTS, "clients")]:
        release.add_counts(
            name, per_coach.select("coach_id", "area", value), rows="area", value=value,
            contributor="coach_id", categories={"area": areas},
        )  # fmt: skip
    release.add_counts(
        AREA_COACHES, declaring, rows="area", value="coaches_declaring", categories={"area": areas}
    )


def _compliance(release: Release, ctx: ReportContext) -> None:
    """Cases examined and kept per check, each coach a contributor of a check's cases."""
    by_coach = ctx.checks.compliance(by="coach")
    if by_coach.is_empty():
        return
    release.add_rates(
        COMPLIANCE,
        by_coach.select("coach_id", "check_id", "examined", "compliant"),
        rows="check_id",
        numerator="compliant",
        denominator="examined",
        contributor="coach_id",
    )


def _referrals(release: Release, ctx: ReportContext) -> None:
    """Referrals by reason and service type (reasons used), per coach."""
    per_coach = _metric(ctx, "referrals_by").filter(pl.col("referrals") > 0)
    schema = ctx.ws.schema["referrals"]
    used = sorted(per_coach["reason"].cast(pl.String).unique().to_list())
    release.add_counts(
        REFERRALS,
        per_coach.with_columns(pl.col("reason", "service_type").cast(pl.String)),
        rows="reason",
        cols="service_type",
        value="referrals",
        contributor="coach_id",
        categories={"reason": used, "service_type": list(schema.field("service_type").enum or ())},
    )


def _vetted(release: Release, ctx: ReportContext) -> None:
    """Referrals and those to vetted services, by region (each coach a contributor)."""
    if "vetted_services" not in ctx.ws:
        return
    per_coach = _metric(ctx, "vetted_share").join(coach_region(ctx), on="coach_id")
    if per_coach.is_empty() or not per_coach["referrals"].sum():
        return
    release.add_rates(
        VETTED,
        per_coach.select("coach_id", "region", "referrals", "to_vetted"),
        rows="region",
        numerator="to_vetted",
        denominator="referrals",
        contributor="coach_id",
    )


def _pipeline(release: Release, ctx: ReportContext) -> None:
    """Credentials by kind and status as of the period end."""
    cases = _metric(ctx, "credential_status").with_columns(credentials=pl.lit(1))
    kinds = sorted(cases["credential"].unique().to_list())
    release.add_counts(
        PIPELINE, cases.select("credential", "status", "credentials"), rows="credential",
        cols="status", value="credentials", categories={"credential": kinds, "status": STATUSES},
    )  # fmt: skip


def _giving(release: Release, ctx: ReportContext) -> None:
    """Hours by fee and community-service hours by kind, sums of each coach's hours."""
    fees = _metric(ctx, "fee_mix").with_columns(_category("fee_type"))
    release.add_sums(
        FEES, fees.select("coach_id", "fee_type", "hours"), rows="fee_type", value="hours",
        contributor="coach_id",
    )  # fmt: skip
    if "community_service" not in ctx.ws:
        return
    cs = _metric(ctx, "community_service_hours").with_columns(_category("kind"))
    release.add_sums(
        COMMUNITY, cs.select("coach_id", "kind", "hours"), rows="kind", value="hours",
        contributor="coach_id",
    )  # fmt: skip


def _renewals(release: Release, ctx: ReportContext) -> None:
    """Renewals due within `renewal_warning_days`, ready or at risk (each coach a contributor:
    how many of their own credentials are due)."""
    per_coach = (
        _metric(ctx, "renewals_due")
        .unpivot(index="coach_id", on=list(READINESS), variable_name="readiness",
                 value_name="renewals")
        .with_columns(pl.col("readiness").replace_strict(READINESS))
    )  # fmt: skip
    release.add_counts(
        RENEWALS, per_coach, rows="readiness", value="renewals", contributor="coach_id",
        categories={"readiness": list(READINESS.values())},
    )  # fmt: skip


def _attainment(release: Release, ctx: ReportContext) -> None:
    """Scored goals and those at or above the expected outcome, by region (each coach a
    contributor); not registered when no goal is scored."""
    per_coach = _metric(ctx, "attainment_levels").join(coach_region(ctx), on="coach_id")
    if not per_coach["scored"].sum():
        return
    release.add_rates(
        ATTAINMENT,
        per_coach.select("coach_id", "region", "at_or_above", "scored"),
        rows="region",
        numerator="at_or_above",
        denominator="scored",
        contributor="coach_id",
    )


#: Each registration and the tables it registers (all or none of them).
_REGISTERS: list[tuple[tuple[str, ...], Callable[[Release, ReportContext], None]]] = [
    ((COACHES, CLIENTS), _served),
    ((SESSIONS, HOURS), _sessions_hours),
    ((AREA_SESSIONS, AREA_CLIENTS, AREA_COACHES), _demand),
    ((COMPLIANCE,), _compliance),
    ((REFERRALS,), _referrals),
    ((VETTED,), _vetted),
    ((PIPELINE,), _pipeline),
    ((FEES, COMMUNITY), _giving),
    ((RENEWALS,), _renewals),
    ((ATTAINMENT,), _attainment),
]


# --- relations between tables -----------------------------------------------------------------


def _relate_across(release: Release) -> None:
    """Tell the attacker every sum one table gives of another's figures (same population):
    the REFER-VETTED row is the vetted table's totals; hours by fee and sessions by area add up
    to the totals by region and month; referrals by reason add up to the vetted table's.
    Renewals due soon are not a sum of the pipeline's figures (active coaches only, a window
    of `renewal_warning_days` against `credential_due_days`), so no equality is declared."""
    vetted_rows = _rows(release, VETTED)
    if _rows(release, COMPLIANCE) and REFER_VETTED in _rows(release, COMPLIANCE):
        for ours, theirs in [("examined", "referrals"), ("compliant", "to_vetted")]:
            _try_relate(
                release,
                (COMPLIANCE, REFER_VETTED, ours),
                [(VETTED, r, theirs) for r in vetted_rows],
            )
    if vetted_rows:
        _try_relate(release, (REFERRALS, ALL, ALL), [(VETTED, r, "referrals") for r in vetted_rows])
    _try_relate(release, (HOURS, ALL, ALL), [(FEES, ALL, None)])
    _try_relate(release, (SESSIONS, ALL, ALL), [(AREA_SESSIONS, ALL, None)])


def _rows(release: Release, table: str) -> list[object]:
    """The row categories a registered table has (none when it is not registered)."""
    return release.row_keys(table)


def _try_relate(release: Release, total: FigureKey, members: list[FigureKey]) -> None:
    """Relate when both tables are registered and their figures do add up (a table of another
    population, e.g. sessions counted once per area they cover, is not a sum of the other).

    Known case that does not add up: REFER-VETTED's kept cases count a vetting only while it is
    current, the vetted table any vetting by then, so kept <= vetted is an inequality the
    attacker is not told (the release declares equalities only)."""
    try:
        release.relate(total, members)
    except DisclosureError:
        return
