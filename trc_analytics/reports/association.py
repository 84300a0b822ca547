"""The association report: every coach together, and never a coach id or a client id.

Every table goes through disclosure control (`trc_analytics.disclosure`) before it is shown, and
every chart is drawn from a published table only (hidden cells are left out of the chart and
shown as "suppressed" in the table, never as zero). Coach ids are used only as the contributor
that decides whether a sum may be published, and are dropped by that call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import polars as pl

from trc_analytics.reports import charts
from trc_analytics.reports.context import (
    ReportContext,
    long_date,
    open_report,
    set_aside_text,
)
from trc_analytics.reports.display import Header, Section, Table

if TYPE_CHECKING:
    from trc_analytics.disclosure import Protected, ProtectedMagnitudes, PublishedView

SectionBuilder = Callable[[ReportContext], Section]

SECTIONS = (
    "How the figures are protected",
    "Coaches and clients served",
    "Sessions and hours by region and month",
    "Demand by area and certified competence",
    "Compliance with the Code, check by check",
    "Referral patterns",
    "Certification pipeline",
    "Pro-bono and community service",
)

#: Label of the totals row/column in published tables.
TOTAL = "Total"


def open_association(**parameters: object) -> ReportContext:
    """The notebook's first call: load the workspace and check the parameters."""
    return open_report("association", **parameters)  # type: ignore[arg-type]


def _section(title: str, **kwargs: Any) -> Section:
    return Section(title, allow_coach_ids=False, **kwargs)


def title(ctx: ReportContext) -> Header:
    """Title block (no coach or client id: only how many)."""
    notes = []
    if ctx.ws.rows_set_aside:
        notes.append(set_aside_text(ctx.ws))
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
        contents=list(SECTIONS),
        notes=notes,
    )


def _published(frame: pl.DataFrame, value: str) -> pl.DataFrame:
    """Rows of a published table whose value is shown (hidden ones are not drawn)."""
    return frame.filter(pl.col(value).is_not_null())


def _grid(*columns: tuple[str, list[Any]]) -> pl.DataFrame:
    """Every combination of the given categories (so zero counts are present)."""
    out = pl.DataFrame({columns[0][0]: columns[0][1]})
    for name, values in columns[1:]:
        out = out.join(pl.DataFrame({name: values}), how="cross")
    return out


def _counts(frame: pl.DataFrame, keys: list[str], grid: pl.DataFrame, value: str) -> pl.DataFrame:
    """`frame` counted by `keys` onto `grid`, zeros filled (keys typed as in `grid`: a
    vocabulary column of the workspace is an Enum, the grid's categories text)."""
    counted = (
        frame.group_by(keys)
        .agg(pl.len().alias(value))
        .with_columns(pl.col(k).cast(grid.schema[k]) for k in keys)
    )
    return (
        grid.join(counted, on=keys, how="left")
        .with_columns(pl.col(value).fill_null(0).cast(pl.Int64()))
        .sort(keys)
    )


def _regions(ctx: ReportContext) -> list[str]:
    return sorted(ctx.ws["coaches"].get_column("region").unique().to_list())


def _coach_region(ctx: ReportContext) -> pl.DataFrame:
    return ctx.ws["coaches"].select("coach_id", "region")


def _hidden(frame: pl.DataFrame, rules: dict[str, pl.Expr]) -> dict[str, set[int]]:
    """Row positions, per column, of cells disclosure control withheld (for `Table`)."""
    marks = frame.select(**{c: e for c, e in rules.items()}).with_row_index()
    return {c: set(marks.filter(pl.col(c))["index"].to_list()) for c in rules}


def _rate_hidden(frame: pl.DataFrame, numerator: str, denominator: str, rate: str):
    """Hidden cells of a `protect_rate` result: a rate is hidden when a count it rests on is."""
    hidden_count = pl.col(numerator).is_null() | pl.col(denominator).is_null()
    return _hidden(
        frame,
        {
            numerator: pl.col(numerator).is_null(),
            denominator: pl.col(denominator).is_null(),
            rate: hidden_count,
        },
    )


def _note_hidden(*tables: Any) -> str:
    hidden = sum(int(getattr(t, "n_suppressed", 0) or 0) for t in tables)
    hidden += sum(
        int(t.cells["suppressed"].sum()) for t in tables if not hasattr(t, "n_suppressed")
    )
    if not hidden:
        return "Every figure of this section could be published."
    return f"{hidden:,} figure(s) of this section are hidden; charts leave them out."


#: What a table reads when public totals already give a small count of it away.
NOT_SHOWN = "Not shown: too few records to publish safely."


def _publishable(title: str) -> Callable[[SectionBuilder], SectionBuilder]:
    """A section that shows `NOT_SHOWN` instead of failing when one of its tables cannot be
    protected (`CannotProtect`: totals published elsewhere already pin a small count down).
    Every other disclosure error (an id column, a day-level date) is a bug and still raises."""

    def wrap(build: SectionBuilder) -> SectionBuilder:
        @functools.wraps(build)
        def section(ctx: ReportContext) -> Section:
            from trc_analytics.disclosure import CannotProtect

            try:
                return build(ctx)
            except CannotProtect as exc:
                what = f" ({exc.table})" if exc.table else ""
                return _section(
                    title,
                    takeaway=NOT_SHOWN,
                    notes=[
                        f"A count in this section{what} is so small that totals published "
                        "elsewhere would give it away however the table were hidden, so the "
                        "section is left out. A longer period, or wider categories, may allow it."
                    ],
                )

        return section

    return wrap


# --- sections ---------------------------------------------------------------------------------


def protection(ctx: ReportContext) -> Section:
    """The disclosure rule applied to every table of this report, stated once."""
    from trc_analytics.disclosure import period_rule_text, rule_text
    from trc_analytics.disclosure.magnitude import magnitude_rule_text

    p = ctx.policy
    return _section(
        SECTIONS[0],
        takeaway=(
            "No coach or client is named in this report, and no figure small enough to point at "
            "a person is shown."
        ),
        notes=[
            rule_text(p),
            magnitude_rule_text(p),
            "Rates are shown only when the counts they rest on are shown. Dates are given by "
            "month or coarser; ages only in bands.",
            period_rule_text(),
        ],
    )


@_publishable(SECTIONS[1])
def _clients_per_coach(ctx: ReportContext) -> ProtectedMagnitudes:
    """Clients served by region as a sum of each coach's clients: contributor and dominance
    rules, so a region of one or two coaches does not show that coach's caseload."""
    from trc_analytics.disclosure import protect_magnitudes
    from trc_analytics.metrics import compute_all

    head = compute_all(ctx.ws, ctx.period, by="coach", policy=ctx.policy, names=["headline"])
    per_coach = head["headline"]
    if not isinstance(per_coach, pl.DataFrame):
        per_coach = pl.DataFrame(schema={"coach_id": pl.String(), "active_clients": pl.Int64()})
    frame = per_coach.select("coach_id", clients=pl.col("active_clients").cast(pl.Float64)).join(
        _coach_region(ctx), on="coach_id", how="inner"
    )
    return protect_magnitudes(
        frame,
        rows="region",
        value="clients",
        contributor="coach_id",
        policy=ctx.policy,
        table="clients by region (per coach)",
    )


def served(ctx: ReportContext) -> Section:
    """Coaches active and clients served, by region."""
    from trc_analytics.disclosure import both_rules, protect_counts
    from trc_analytics.metrics import compute_all

    regions = _regions(ctx)
    grid = pl.DataFrame({"region": regions})
    coaches = _counts(
        ctx.ws["coaches"].filter(pl.col("active").fill_null(False)), ["region"], grid, "coaches"
    )
    res = compute_all(ctx.ws, ctx.period, by="region", policy=ctx.policy, names=["headline"])
    head = res["headline"]
    clients_frame = (
        (
            grid.join(head.select("region", "active_clients"), on="region", how="left")
            if isinstance(head, pl.DataFrame)
            else grid.with_columns(active_clients=pl.lit(0))
        )
        .with_columns(clients=pl.col("active_clients").fill_null(0).cast(pl.Int64()))
        .drop("active_clients")
    )
    pc = protect_counts(
        coaches, rows="region", value="coaches", policy=ctx.policy, table="coaches by region"
    )
    pk = both_rules(
        protect_counts(
            clients_frame,
            rows="region",
            value="clients",
            policy=ctx.policy,
            table="clients by region",
        ),
        _clients_per_coach(ctx),
    )
    wide = pc.to_wide(total_label=TOTAL).join(
        pk.to_wide(total_label=TOTAL), on="region", how="left", maintain_order="left"
    )
    shown = _published(pk.cells, "clients")
    total_clients = pk.total
    takeaway = (
        f"{total_clients:,} clients were served by the association's coaches in the period."
        if total_clients is not None
        else "Clients served by region; the overall total is hidden because a region's count is."
    )
    chart = (
        charts.bars(shown, "region", "clients", x_title="Clients served", value_format="d")
        if shown.height
        else None
    )
    return _section(
        SECTIONS[1],
        takeaway=takeaway,
        chart=chart,
        tables=[
            Table(
                "Active coaches and clients served, by region",
                wide,
                labels={
                    "region": "Region",
                    "coaches": "Active coaches",
                    "clients": "Clients served",
                },
            )
        ],
        notes=[_note_hidden(pc, pk)],
    )


def _held(ctx: ReportContext) -> pl.DataFrame:
    """Held sessions of the period: coach, region, area, month and hours (no session id)."""
    return (
        ctx.ws["sessions"]
        .filter(
            (pl.col("status") == "held")
            & pl.col("held_on").is_between(ctx.period.start, ctx.period.end)
        )
        .select(
            "coach_id",
            "area",
            month=pl.col("held_on").dt.truncate("1mo"),
            hours=pl.col("duration_min") / 60.0,
        )
        .join(_coach_region(ctx), on="coach_id", how="left")
    )


def monthly_sessions(ctx: ReportContext, counts: Protected) -> PublishedView:
    """Sessions by region and month as published: the cell-size rule of `counts` and, since a
    session count is also a sum of each coach's sessions, the contributor and dominance rules
    (a region with one or two coaches would otherwise show that coach's own activity)."""
    from trc_analytics.disclosure import both_rules, protect_magnitudes

    per_coach = _held(ctx).group_by("coach_id", "region", "month").agg(sessions=pl.len())
    sums = protect_magnitudes(
        per_coach.with_columns(pl.col("sessions").cast(pl.Float64)),
        rows="region",
        cols="month",
        value="sessions",
        contributor="coach_id",
        policy=ctx.policy,
        time_axis="cols",
        table="sessions by region and month (per coach)",
    )
    return both_rules(counts, sums)


def monthly_tables(ctx: ReportContext) -> tuple[Protected, ProtectedMagnitudes]:
    """Held sessions (counts) and hours (sums) by region and month, as published.

    Months are a time axis (`time_axis="cols"`): the report for one month less publishes the
    same grand total, so each month's total is public by subtraction; disclosure control shows
    those totals and hides cells so that no hidden count or sum follows from them (Jan-Jun
    minus Jan-May must not give a region's June away). Raises `CannotProtect` when public
    totals already pin a small count down (a month of fewer than `min_cell` sessions in all).
    """
    from trc_analytics.disclosure import protect_counts, protect_magnitudes

    months = ctx.period.months()
    held = _held(ctx)
    grid = _grid(("region", _regions(ctx)), ("month", months))
    sessions = protect_counts(
        _counts(held, ["region", "month"], grid, "sessions"),
        rows="region",
        cols="month",
        value="sessions",
        policy=ctx.policy,
        time_axis="cols",  # month totals are public, and the grand total (sessions by area)
        table="sessions by region and month",
    )
    per_coach = (
        held.group_by("coach_id", "region", "month")
        .agg(pl.col("hours").sum())
        .sort("region", "month", "coach_id")
    )
    hours = protect_magnitudes(
        per_coach,
        rows="region",
        cols="month",
        value="hours",
        contributor="coach_id",
        policy=ctx.policy,
        time_axis="cols",  # month totals are public, and the grand total (hours by fee)
        table="hours by region and month",
    )
    return sessions, hours


@_publishable(SECTIONS[2])
def sessions_hours(ctx: ReportContext) -> Section:
    """Held sessions (counts) and hours (sums) by region and month."""
    if "sessions" not in ctx.ws:
        return _section(SECTIONS[2], missing=["sessions"])
    counts, hours = monthly_tables(ctx)
    sessions = monthly_sessions(ctx, counts)
    monthly = sessions.col_totals
    assert monthly is not None
    shown = _published(monthly, "sessions")
    takeaway = (
        f"{sessions.total:,} sessions were held in the period across {len(_regions(ctx))} regions."
        if sessions.total is not None
        else "Sessions per region and month; totals over hidden counts are hidden too."
    )
    chart = (
        charts.monthly(shown, {"sessions": "Sessions held"}, y_title="Sessions held")
        if shown.height
        else None
    )
    return _section(
        SECTIONS[2],
        takeaway=takeaway,
        chart=chart,
        tables=[
            Table("Sessions held, by region and month", sessions.to_wide(total_label=TOTAL)),
            Table("Hours held, by region and month", hours.to_wide(total_label=TOTAL)),
        ],
        notes=[_note_hidden(sessions, hours)],
    )


@_publishable(SECTIONS[3])
def demand(ctx: ReportContext) -> Section:
    """Demand by area (sessions, clients) against supply (coaches declaring competence).

    Sessions by area add up to the sessions total the previous section publishes, so they are
    protected knowing that total (`known_total`). Whether an area needs training is judged
    from published figures only: sessions were held and fewer than `min_cell` coaches (none,
    or a hidden count) declare competence in it.
    """
    from trc_analytics.disclosure import both_rules, protect_counts, protect_magnitudes, rate_of
    from trc_analytics.scope import Scope

    missing = ctx.missing_tables("sessions", "competencies")
    if missing:
        return _section(SECTIONS[3], missing=missing)
    dvs, _ = ctx.metric("demand_vs_supply")
    by_area = (
        dvs.group_by("area")
        .agg(pl.col("sessions").sum(), pl.col("coaches_declaring").sum())
        .sort("area")
    )
    attendance = Scope.make(ctx.ws, ctx.period, policy=ctx.policy).attendance().collect()
    clients = attendance.group_by("area").agg(clients=pl.col("client_id").n_unique())
    by_area = by_area.join(clients, on="area", how="left").with_columns(
        pl.col("clients").fill_null(0).cast(pl.Int64())
    )
    pol = ctx.policy
    # per coach and area, so that an area practised by one or two coaches does not show their
    # own sessions or clients (contributor and dominance rules beside the cell-size rule)
    sessions_per_coach = (
        _held(ctx).group_by("coach_id", "area").agg(sessions=pl.len().cast(pl.Float64))
    )
    clients_per_coach = attendance.group_by("coach_id", "area").agg(
        clients=pl.col("client_id").n_unique().cast(pl.Float64)
    )

    def per_coach(frame: pl.DataFrame, value: str, **kwargs: Any) -> ProtectedMagnitudes:
        return protect_magnitudes(
            frame.with_columns(pl.col("area").cast(pl.String)),
            rows="area",
            value=value,
            contributor="coach_id",
            policy=pol,
            table=f"{value} by area (per coach)",
            **kwargs,
        )

    ps = both_rules(
        protect_counts(
            by_area.select("area", "sessions"),
            rows="area",
            value="sessions",
            policy=pol,
            known_total=True,
            table="sessions by area",
        ),
        per_coach(sessions_per_coach, "sessions", known_total=True),
    )
    pk = both_rules(
        protect_counts(
            by_area.select("area", "clients"),
            rows="area",
            value="clients",
            policy=pol,
            table="clients by area",
        ),
        per_coach(clients_per_coach, "clients"),
    )
    pd = protect_counts(
        by_area.select("area", "coaches_declaring"),
        rows="area",
        value="coaches_declaring",
        policy=pol,
        table="coaches by area",
    )
    per_coach = rate_of(ps, pd, name="sessions_per_declaring_coach")
    few = pd.cells.select(
        "area", few_declaring=pl.col("suppressed") | (pl.col("coaches_declaring") == 0)
    )
    table = (
        ps.cells.select("area", "sessions")
        .join(pk.cells.select("area", "clients"), on="area", maintain_order="left")
        .join(pd.cells.select("area", "coaches_declaring"), on="area", maintain_order="left")
        .join(per_coach, on="area", maintain_order="left")
        .join(few, on="area", maintain_order="left")
        .with_columns(training_needed=(pl.col("sessions") > 0) & pl.col("few_declaring"))
        .drop("few_declaring")
        .sort("sessions", descending=True, nulls_last=True)
    )
    hidden = _hidden(
        table,
        {
            "sessions": pl.col("sessions").is_null(),
            "clients": pl.col("clients").is_null(),
            "coaches_declaring": pl.col("coaches_declaring").is_null(),
            "sessions_per_declaring_coach": pl.col("sessions").is_null()
            | pl.col("coaches_declaring").is_null(),
            "training_needed": pl.col("training_needed").is_null(),
        },
    )
    needed = table.filter(pl.col("training_needed").fill_null(False))["area"].to_list()
    unknown = table.filter(pl.col("training_needed").is_null()).height
    if needed:
        takeaway = (
            "Training is most needed in "
            + ", ".join(a.replace("_", " ") for a in needed[:3])
            + f": sessions were held there and fewer than {pol.min_cell} coaches declare "
            "competence in them."
        )
    elif unknown:
        takeaway = (
            "No area is shown to need training; for "
            f"{unknown} area{'s' if unknown != 1 else ''} the counts are too small to judge."
        )
    else:
        takeaway = "Every area in demand has coaches who declare competence in it."
    shown = (
        _published(table, "sessions")
        .filter(pl.col("sessions") > 0)
        .with_columns(
            need=pl.when(pl.col("training_needed").fill_null(False))
            .then(pl.lit("training needed"))
            .otherwise(pl.lit("covered"))
        )
    )
    chart = (
        charts.bars(
            shown.select("area", "sessions", "need"),
            "area",
            "sessions",
            x_title="Sessions held",
            colour="need",
            colour_title=None,
            colours={"covered": charts.PALETTE[0], "training needed": charts.PALETTE[3]},
            value_format="d",
        )
        if shown.height
        else None
    )
    return _section(
        SECTIONS[3],
        takeaway=takeaway,
        chart=chart,
        tables=[
            Table(
                "Demand and supply by area",
                table,
                labels={
                    "coaches_declaring": "Coaches declaring competence",
                    "sessions_per_declaring_coach": "Sessions per declaring coach",
                },
                suppressed=hidden,
            )
        ],
        notes=[
            f"Training needed: sessions were held in the area and fewer than {pol.min_cell} "
            "active coaches declare competence in it (none, or a hidden count).",
            _note_hidden(ps, pk, pd),
        ],
    )


@_publishable(SECTIONS[4])
def compliance(ctx: ReportContext) -> Section:
    """Share of examined cases that kept each rule of the Code."""
    from trc_analytics.checks import CHECKS
    from trc_analytics.disclosure import hide_rows_few_contribute, protect_rate

    results = ctx.checks
    per_check = results.compliance(by=None).select(
        pl.col("check_id").alias("check"), "examined", "compliant"
    )
    if per_check.is_empty():
        return _section(SECTIONS[4], takeaway="No check could be evaluated with these records.")
    rates, protected = protect_rate(
        per_check,
        rows="check",
        numerator="compliant",
        denominator="examined",
        policy=ctx.policy,
        table="compliance by check",
    )
    # a check whose cases come from one or two coaches (or one dominant coach) would show
    # their own compliance: the whole row is hidden (contributor and dominance rules)
    rates = hide_rows_few_contribute(
        rates,
        rows="check",
        columns=["examined", "compliant", "rate"],
        contributions=results.compliance(by="coach").select(
            "coach_id", pl.col("check_id").alias("check"), "examined"
        ),
        value="examined",
        contributor="coach_id",
        policy=ctx.policy,
        table="cases examined per check (per coach)",
    )
    rates = rates.with_columns(
        rule=pl.col("check").replace_strict({c.id: c.title for c in CHECKS}, default=None),
    ).select("check", "rule", "examined", "compliant", pl.col("rate").alias("kept_pct"))
    hidden = _rate_hidden(rates, "compliant", "examined", "kept_pct")
    shown = _published(rates, "kept_pct")
    lowest = shown.sort("kept_pct").head(1)
    takeaway = (
        f"The rule kept least often: {lowest['rule'][0]} ({lowest['kept_pct'][0]:.0f}% of cases)."
        if lowest.height
        else "No compliance rate could be published for this period."
    )
    chart = (
        charts.share_bars(shown, "check", "kept_pct", x_title="Cases kept (%)")
        if shown.height
        else None
    )
    not_eval = results.not_evaluated
    notes = [_note_hidden(protected)]
    if not_eval.height:
        notes.append(
            "Not evaluated for lack of records: " + ", ".join(not_eval["check_id"].to_list()) + "."
        )
    return _section(
        SECTIONS[4],
        takeaway=takeaway,
        chart=chart,
        tables=[
            Table(
                "Cases examined and kept, per check",
                rates,
                labels={"kept_pct": "Kept (%)"},
                suppressed=hidden,
            )
        ],
        notes=notes,
    )


@_publishable(SECTIONS[5])
def referrals(ctx: ReportContext) -> Section:
    """Referrals by reason and service type; share to vetted services by region."""
    from trc_analytics.disclosure import (
        both_rules,
        hide_rows_few_contribute,
        protect_counts,
        protect_magnitudes,
        protect_rate,
    )
    from trc_analytics.metrics import compute_all

    if "referrals" not in ctx.ws:
        return _section(SECTIONS[5], missing=["referrals"])
    schema = ctx.ws.schema["referrals"]
    refs = ctx.ws["referrals"].filter(
        pl.col("referred_on").is_between(ctx.period.start, ctx.period.end)
    )
    grid = _grid(
        ("reason", list(schema.field("reason").enum or ())),
        ("service_type", list(schema.field("service_type").enum or ())),
    )
    counts = _counts(refs, ["reason", "service_type"], grid, "referrals")
    used_reasons = (
        counts.group_by("reason")
        .agg(pl.col("referrals").sum())
        .filter(pl.col("referrals") > 0)["reason"]
    )
    counts = counts.filter(pl.col("reason").is_in(used_reasons.implode()))
    # a referral count is also a sum of each coach's referrals: contributor and dominance rules
    per_coach = (
        refs.group_by("coach_id", "reason", "service_type")
        .agg(referrals=pl.len().cast(pl.Float64))
        .filter(pl.col("reason").is_in(used_reasons.implode()))
    )
    table = both_rules(
        protect_counts(
            counts,
            rows="reason",
            cols="service_type",
            value="referrals",
            policy=ctx.policy,
            known_total=True,  # the vetted-share table's denominators add up to the same total
            table="referrals by reason and service type",
        ),
        protect_magnitudes(
            per_coach,
            rows="reason",
            cols="service_type",
            value="referrals",
            contributor="coach_id",
            policy=ctx.policy,
            known_total=True,
            table="referrals by reason and service type (per coach)",
        ),
    )
    tables = [
        Table(
            "Referrals by reason (rows) and service type (columns)",
            table.to_wide(total_label=TOTAL),
        )
    ]
    protected: list[Any] = [table]
    notes = []
    if "vetted_services" in ctx.ws:
        res = compute_all(
            ctx.ws, ctx.period, by="region", policy=ctx.policy, names=["vetted_share"]
        )
        vs = res["vetted_share"]
        if isinstance(vs, pl.DataFrame) and vs.height:
            rates, pv = protect_rate(
                vs.select("region", "to_vetted", "referrals"),
                rows="region",
                numerator="to_vetted",
                denominator="referrals",
                policy=ctx.policy,
                known_total=True,
                table="vetted share by region",
            )
            # a region whose referrals come from one or two coaches would show their own share
            rates = hide_rows_few_contribute(
                rates,
                rows="region",
                columns=["to_vetted", "referrals", "rate"],
                contributions=refs.group_by("coach_id")
                .agg(referrals=pl.len())
                .join(_coach_region(ctx), on="coach_id", how="inner"),
                value="referrals",
                contributor="coach_id",
                policy=ctx.policy,
                table="referrals per region (per coach)",
            ).rename({"rate": "vetted_pct"})
            tables.append(
                Table(
                    "Referrals to services the coach had vetted, by region",
                    rates,
                    labels={"vetted_pct": "To vetted services (%)"},
                    suppressed=_rate_hidden(rates, "to_vetted", "referrals", "vetted_pct"),
                )
            )
            protected.append(pv)
    else:
        notes.append("Not shown: the workspace has no vetted_services records.")
    by_reason = table.row_totals
    assert by_reason is not None
    shown = _published(by_reason, "referrals")
    top = shown.sort("referrals", descending=True).head(1)
    takeaway = (
        f"The most common reason for a referral was {top['reason'][0].replace('_', ' ')} "
        f"({top['referrals'][0]:,} referrals)."
        if top.height and top["referrals"][0]
        else "Referral counts by reason are too small to publish for this period."
    )
    chart = (
        charts.bars(shown, "reason", "referrals", x_title="Referrals", value_format="d")
        if shown.height
        else None
    )
    notes.insert(0, _note_hidden(*protected))
    return _section(SECTIONS[5], takeaway=takeaway, chart=chart, tables=tables, notes=notes)


@_publishable(SECTIONS[6])
def pipeline(ctx: ReportContext) -> Section:
    """Credentials current, due for renewal, in grace and lapsed, as of the period end."""
    from trc_analytics.disclosure import protect_counts

    if "credentials" not in ctx.ws:
        return _section(SECTIONS[6], missing=["credentials"])
    cases, _ = ctx.metric("credential_status")
    statuses = ["current", "due", "grace", "lapsed"]
    credentials = sorted(cases["credential"].unique().to_list())
    grid = _grid(("credential", credentials), ("status", statuses))
    counts = _counts(cases, ["credential", "status"], grid, "credentials")
    table = protect_counts(
        counts,
        rows="credential",
        cols="status",
        value="credentials",
        policy=ctx.policy,
        table="certification pipeline",
    )
    by_status = table.col_totals
    assert by_status is not None
    totals = _published(by_status, "credentials")
    if totals.height == by_status.height:
        due = totals.filter(pl.col("status").is_in(["due", "grace"]))["credentials"].sum()
        takeaway = (
            f"{due:,} credentials are due for renewal or in their grace period as of "
            f"{long_date(ctx.period.as_of)}."
        )
    else:
        takeaway = (
            f"Credentials by status as of {long_date(ctx.period.as_of)}; a status held by "
            f"fewer than {ctx.policy.min_cell} credentials of a kind is hidden."
        )
    shown = _published(table.cells, "credentials").filter(pl.col("credentials") > 0)
    chart = (
        charts.bars(
            shown,
            "credential",
            "credentials",
            x_title="Credentials (published cells)",
            colour="status",
            colour_title="Status",
            colour_order=statuses,
            colours=dict(zip(statuses, charts.PALETTE[:4], strict=True)),
            value_format="d",
        )
        if shown.height
        else None
    )
    return _section(
        SECTIONS[6],
        takeaway=takeaway,
        chart=chart,
        tables=[Table("Credentials by kind and status", table.to_wide(total_label=TOTAL))],
        notes=[
            f"Due: expires within {ctx.policy.credential_due_days} days; grace: expired less "
            f"than {ctx.policy.credential_grace_months} months ago; lapsed: past the grace.",
            _note_hidden(table),
        ],
    )


@_publishable(SECTIONS[7])
def giving(ctx: ReportContext) -> Section:
    """Hours by fee (paid, reduced, pro bono) and community-service hours by kind.

    Hours by fee add up to the hours total of the sessions section, so they are protected
    knowing it; a breakdown by region as well would let region totals published there open
    hidden cells here, so the fee split is association-wide.
    """
    from trc_analytics.disclosure import protect_magnitudes

    if "sessions" not in ctx.ws:
        return _section(SECTIONS[7], missing=["sessions"])
    fees, _ = ctx.metric("fee_mix")
    hours = protect_magnitudes(
        fees.select("coach_id", "fee_type", "hours"),
        rows="fee_type",
        value="hours",
        contributor="coach_id",
        policy=ctx.policy,
        known_total=True,  # hours by region and month publish the same total
        table="hours by fee",
    )
    tables = [Table("Hours held by fee", hours.to_wide(total_label=TOTAL))]
    protected: list[Any] = [hours]
    given = _published(hours.cells, "hours").filter(
        pl.col("fee_type").is_in(["pro_bono", "reduced"])
    )
    parts = []
    if given.height:
        parts.append(
            f"{given['hours'].sum():,.0f} hours of coaching were given pro bono or at a reduced fee"
        )
    chart = None
    if "community_service" in ctx.ws:
        cs, _ = ctx.metric("community_service_hours")
        community = protect_magnitudes(
            cs.select("coach_id", "kind", "hours"),
            rows="kind",
            value="hours",
            contributor="coach_id",
            policy=ctx.policy,
            table="community service by kind",
        )
        tables.append(
            Table("Community-service hours by kind", community.to_wide(total_label=TOTAL))
        )
        protected.append(community)
        shown = _published(community.cells, "hours")
        if shown.height:
            chart = charts.bars(shown, "kind", "hours", x_title="Community-service hours")
        if community.total is not None:
            parts.append(f"{community.total:,.0f} hours of community service")
    takeaway = (
        "In the period, " + " and ".join(parts) + "."
        if parts
        else "Pro-bono and community-service hours are too concentrated to publish this period."
    )
    if chart is None:
        shown_fees = _published(hours.cells, "hours")
        if shown_fees.height:
            chart = charts.bars(shown_fees, "fee_type", "hours", x_title="Hours held")
    return _section(
        SECTIONS[7],
        takeaway=takeaway,
        chart=chart,
        tables=tables,
        notes=[_note_hidden(*protected)],
    )


#: The sections, in notebook order.
ALL_SECTIONS = (protection, served, sessions_hours, demand, compliance, referrals, pipeline, giving)
