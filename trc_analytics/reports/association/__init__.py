"""The association report: every coach together, and never a coach id or a client id.

One function per section, declared with its title in `SECTIONS`; each section lays out
published tables (`tables`, one function per table, every one through disclosure control),
sentences (`words`) and charts drawn from published cells only (`charts`). Coach ids are used
only as the contributor that decides whether a sum may be published, and are dropped by that
call. The notebook `association_report.ipynb` calls `open_association`, `title`, then each
section.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import trc_analytics.disclosure as disclosure
from trc_analytics.disclosure.ledger import ReleasedTable
from trc_analytics.disclosure.release_tables import release_rule_text
from trc_analytics.reports.association import charts, words
from trc_analytics.reports.association import release as rel
from trc_analytics.reports.association.cells import (
    TOTAL,
    affordable_hours,
    compliance_frame,
    demand_frame,
    demand_hidden,
    published,
    rate_hidden,
    regions,
)
from trc_analytics.reports.association.release import release_of
from trc_analytics.reports.association.words import NOT_SHOWN
from trc_analytics.reports.context import ReportContext, long_date, open_report, set_aside_text
from trc_analytics.reports.display import Header, Section, Table
from trc_analytics.reports.outline import Outline, require, shows_missing, title_of, titles

__all__ = [
    "NOT_SHOWN",
    "SECTIONS",
    "TOTAL",
    "attainment",
    "compliance",
    "demand",
    "giving",
    "open_association",
    "pipeline",
    "protection",
    "referrals",
    "release_of",
    "renewals",
    "served",
    "sessions_hours",
    "title",
]

SectionBuilder = Callable[[ReportContext], Section]


def open_association(**parameters: object) -> ReportContext:
    """The notebook's first call: load the workspace, check the parameters, and build and
    protect the report's one release (every figure it publishes) before any section renders."""
    ctx = open_report("association", **parameters)  # type: ignore[arg-type]
    release_of(ctx)
    return ctx


def _section(build: SectionBuilder, **kwargs: Any) -> Section:
    """A section of this report under its declared title (no coach id in its chart)."""
    return Section(title_of(SECTIONS, build), allow_coach_ids=False, **kwargs)


def title(ctx: ReportContext) -> Header:
    """Title block (no coach or client id: only how many)."""
    notes = [set_aside_text(ctx.ws)] if ctx.ws.rows_set_aside else []
    return Header(
        title="Association report",
        subtitle=f"All coaches · {ctx.period_text}",
        facts=[
            ("Period", ctx.period_text),
            ("As of", long_date(ctx.period.as_of)),
            (
                "Smallest count shown",
                f"{ctx.policy.min_cell} (1 to {ctx.policy.min_cell - 1} hidden)",
            ),
        ],
        contents=titles(SECTIONS),
        notes=notes,
    )


def _publishable(build: SectionBuilder) -> SectionBuilder:
    """A section that shows `NOT_SHOWN` instead of failing when one of its tables cannot be
    protected (`CannotProtect`: totals published elsewhere already pin a small count down).
    Every other disclosure error (an id column, a day-level date) is a bug and still raises."""

    @functools.wraps(build)
    def section(ctx: ReportContext) -> Section:
        try:
            return build(ctx)
        except disclosure.CannotProtect as exc:
            return _section(section, takeaway=NOT_SHOWN, notes=[words.not_shown_note(exc.table)])

    return section


# --- sections ---------------------------------------------------------------------------------


@shows_missing
def protection(ctx: ReportContext) -> Section:
    """The disclosure rule applied to every table of this report, stated once."""
    p = ctx.policy
    return _section(
        protection,
        takeaway=(
            "No coach or client is named in this report, and no figure small enough to point at "
            "a person is shown."
        ),
        notes=[
            release_rule_text(p, "count", by_contributor=True),
            "Rates are shown only when the counts they rest on are shown. Dates are given by "
            "month or coarser; ages only in bands.",
            disclosure.period_rule_text(),
        ],
    )


def _table(ctx: ReportContext, name: str) -> ReleasedTable:
    """A table as the report's release publishes it (`CannotProtect` when refused,
    `MissingTables` when the workspace lacks what it is made from)."""
    return rel.table_of(ctx, name)


def _registered(ctx: ReportContext, name: str) -> bool:
    """Whether the release holds `name` (its inputs are in the workspace and not empty)."""
    return bool(release_of(ctx).row_keys(name))


@_publishable
@shows_missing
def served(ctx: ReportContext) -> Section:
    """Coaches active and clients served, by region."""
    pc, pk = _table(ctx, rel.COACHES), _table(ctx, rel.CLIENTS)
    wide = pc.to_wide(total_label=TOTAL).join(
        pk.to_wide(total_label=TOTAL), on="region", how="left", maintain_order="left"
    )
    labels = {"region": "Region", "coaches": "Active coaches", "clients": "Clients served"}
    return _section(
        served,
        takeaway=words.served(pk.total),
        chart=charts.served(pk.cells),
        tables=[Table("Active coaches and clients served, by region", wide, labels=labels)],
        notes=[words.clients_note(), words.hidden_note(pc, pk)],
    )


@_publishable
@shows_missing
def sessions_hours(ctx: ReportContext) -> Section:
    """Held sessions (counts) and hours (sums) by region and month."""
    require(ctx, "sessions")
    sessions, hours = _table(ctx, rel.SESSIONS), _table(ctx, rel.HOURS)
    assert sessions.col_totals is not None
    return _section(
        sessions_hours,
        takeaway=words.sessions(sessions.total, len(regions(ctx))),
        chart=charts.sessions(sessions.col_totals),
        tables=[
            Table(rel.SESSIONS, sessions.to_wide(total_label=TOTAL)),
            Table(rel.HOURS, hours.to_wide(total_label=TOTAL)),
        ],
        notes=[words.hidden_note(sessions, hours)],
    )


@_publishable
@shows_missing
def demand(ctx: ReportContext) -> Section:
    """Demand by area (sessions, clients) against supply (coaches declaring competence)."""
    require(ctx, "sessions", "competencies")
    parts = [_table(ctx, n) for n in (rel.AREA_SESSIONS, rel.AREA_CLIENTS, rel.AREA_COACHES)]
    frame = demand_frame(*parts)
    labels = {
        "coaches_declaring": "Coaches declaring competence",
        "sessions_per_declaring_coach": "Sessions per declaring coach",
    }
    return _section(
        demand,
        takeaway=words.demand(frame, ctx.policy),
        chart=charts.demand(frame),
        tables=[
            Table(
                "Demand and supply by area", frame, labels=labels, suppressed=demand_hidden(frame)
            )
        ],
        notes=[words.demand_note(ctx.policy), words.hidden_note(*parts)],
    )


@_publishable
@shows_missing
def compliance(ctx: ReportContext) -> Section:
    """Share of examined cases that kept each rule of the Code."""
    if not _registered(ctx, rel.COMPLIANCE):
        return _section(compliance, takeaway="No check could be evaluated with these records.")
    rates = compliance_frame(release_of(ctx).rates(rel.COMPLIANCE))
    shown = published(rates, "kept_pct")
    notes = [words.hidden_note(_table(ctx, rel.COMPLIANCE))]
    not_eval = ctx.checks.not_evaluated
    if not_eval.height:
        notes.append(words.not_evaluated(not_eval["check_id"].to_list()))
    return _section(
        compliance,
        takeaway=words.compliance(shown, rates.height),
        chart=charts.compliance(rates),
        tables=[
            Table(
                rel.COMPLIANCE,
                rates,
                labels={"kept_pct": "Kept (%)"},
                suppressed=rate_hidden(rates, "compliant", "examined", "kept_pct"),
            )
        ],
        notes=notes,
    )


def _vetted_table(ctx: ReportContext) -> tuple[Table | None, list[Any], list[str]]:
    """The vetted-share table (or the note saying why it is absent), and the released table."""
    if "vetted_services" not in ctx.ws:
        return None, [], ["Not shown: the workspace has no vetted_services records."]
    if not _registered(ctx, rel.VETTED):
        return None, [], []
    released = _table(ctx, rel.VETTED)
    rates = (
        release_of(ctx)
        .rates(rel.VETTED)
        .select("region", "to_vetted", "referrals", vetted_pct="rate")
    )
    table = Table(
        rel.VETTED,
        rates,
        labels={"vetted_pct": "To vetted services (%)"},
        suppressed=rate_hidden(rates, "to_vetted", "referrals", "vetted_pct"),
    )
    return table, [released], []


@_publishable
@shows_missing
def referrals(ctx: ReportContext) -> Section:
    """Referrals by reason and service type; share to vetted services by region."""
    require(ctx, "referrals")
    if not _registered(ctx, rel.REFERRALS):
        return _section(referrals, takeaway="No referral was made in the period.")
    table = _table(ctx, rel.REFERRALS)
    shown = [Table(rel.REFERRALS, table.to_wide(total_label=TOTAL))]
    vetted, released, notes = _vetted_table(ctx)
    shown += [vetted] if vetted is not None else []
    assert table.row_totals is not None
    by_reason = published(table.row_totals, "referrals")
    return _section(
        referrals,
        takeaway=words.referrals(by_reason, table.row_totals.height),
        chart=charts.referrals(table.row_totals),
        tables=shown,
        notes=[words.hidden_note(table, *released), *notes],
    )


@_publishable
@shows_missing
def pipeline(ctx: ReportContext) -> Section:
    """Credentials current, due for renewal, in grace and lapsed, as of the period end."""
    require(ctx, "credentials")
    table = _table(ctx, rel.PIPELINE)
    by_status = table.col_totals
    assert by_status is not None
    as_of = long_date(ctx.period.as_of)
    return _section(
        pipeline,
        takeaway=words.pipeline(by_status, published(by_status, "credentials"), as_of, ctx.policy),
        chart=charts.pipeline(table.cells),
        tables=[Table(rel.PIPELINE, table.to_wide(total_label=TOTAL))],
        notes=[words.pipeline_note(ctx.policy), words.hidden_note(table)],
    )


@_publishable
@shows_missing
def giving(ctx: ReportContext) -> Section:
    """Hours by fee (paid, reduced, pro bono) and community-service hours by kind."""
    require(ctx, "sessions")
    hours = _table(ctx, rel.FEES)
    shown = [Table(rel.FEES, hours.to_wide(total_label=TOTAL))]
    community = _table(ctx, rel.COMMUNITY) if _registered(ctx, rel.COMMUNITY) else None
    if community is not None:
        shown.append(Table(rel.COMMUNITY, community.to_wide(total_label=TOTAL)))
    return _section(
        giving,
        takeaway=words.giving(
            affordable_hours(hours.cells), community.total if community is not None else None
        ),
        chart=charts.giving(hours.cells, community.cells if community is not None else None),
        tables=shown,
        notes=[words.hidden_note(*[t for t in (hours, community) if t is not None])],
    )


@_publishable
@shows_missing
def renewals(ctx: ReportContext) -> Section:
    """Renewals due within `renewal_warning_days`, ready or at risk (something still to do)."""
    require(ctx, "credentials")
    table = _table(ctx, rel.RENEWALS)
    return _section(
        renewals,
        takeaway=words.renewals(table.cells, table.total, ctx.policy),
        chart=charts.renewals(table.cells),
        tables=[Table(rel.RENEWALS, table.to_wide(total_label=TOTAL))],
        notes=[words.renewals_note(ctx.policy), words.hidden_note(table)],
    )


@_publishable
@shows_missing
def attainment(ctx: ReportContext) -> Section:
    """The share of scored goals at or above the expected outcome (Goal Attainment Scaling),
    by region."""
    require(ctx, "goals", "engagements")
    if not _registered(ctx, rel.ATTAINMENT):
        return _section(attainment, takeaway="No goal has an attained level scored in the period.")
    released = _table(ctx, rel.ATTAINMENT)
    rates = (
        release_of(ctx)
        .rates(rel.ATTAINMENT)
        .select("region", "at_or_above", "scored", at_or_above_pct="rate")
    )
    return _section(
        attainment,
        takeaway=words.attainment(rates),
        chart=charts.attainment(rates),
        tables=[
            Table(
                rel.ATTAINMENT,
                rates,
                labels={"at_or_above_pct": "At or above expected (%)"},
                suppressed=rate_hidden(rates, "at_or_above", "scored", "at_or_above_pct"),
            )
        ],
        notes=[words.attainment_note(), words.hidden_note(released)],
    )


#: The sections, in notebook order: (title, function) pairs (the report's contents).
SECTIONS: Outline = (
    ("How the figures are protected", protection),
    ("Coaches and clients served", served),
    ("Sessions and hours by region and month", sessions_hours),
    ("Demand by area and certified competence", demand),
    ("Compliance with the Code, check by check", compliance),
    ("Referral patterns", referrals),
    ("Certification pipeline", pipeline),
    ("Renewals due soon", renewals),
    ("Pro-bono and community service", giving),
    ("Goal attainment", attainment),
)
