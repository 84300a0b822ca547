"""The supervisor review: one coach, or a supervisor's portfolio ranked by who needs attention.

The notebook `supervisor_review.ipynb` calls `open_review`, `title`, `portfolio`, then, for each
coach of `coaches_in_order`, `coach_part`: `coach_heading` and every function of `SECTIONS` in
order (so a new section is one pair there plus its function). Every function returns a
`Section`; in a portfolio a coach's sections print as one page group headed by the coach.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import polars as pl

from trc_analytics.checks import findings_per_100
from trc_analytics.reports import charts, opening, outcomes, progress, renewal
from trc_analytics.reports import sections as facts
from trc_analytics.reports import supervision_cycle as cycle
from trc_analytics.reports.context import (
    ReportContext,
    long_date,
    open_report,
    set_aside_text,
)
from trc_analytics.reports.display import (
    Figure,
    Header,
    Section,
    Table,
    and_list,
    bullet_list,
    slug,
)
from trc_analytics.reports.outline import Outline, level, require, shows_missing, title_of, titles
from trc_analytics.reports.sections import hours_phrase, hours_text, num, pct, plural, wordy
from trc_analytics.reports.theme import running_header_css


def open_review(**parameters: object) -> ReportContext:
    """The notebook's first call: load the workspace and check the parameters."""
    return open_report("supervisor", **parameters)  # type: ignore[arg-type]


def _heading(section: Callable[..., Section]) -> str:
    """The title `SECTIONS` declares for one of this report's section functions."""
    return title_of(SECTIONS, section)


def title(ctx: ReportContext) -> Header:
    """Title block: whose review, which period, what data, the contents."""
    subject = (
        f"Portfolio of supervisor {ctx.supervisor} ({plural(len(ctx.coaches), 'coach', 'coaches')})"
        if ctx.supervisor
        else f"Coach {ctx.coach}"
    )
    contents = (["Who needs attention first"] if ctx.supervisor else []) + (
        [f"Coach {c}" for c in coaches_in_order(ctx)] if ctx.supervisor else titles(SECTIONS)
    )
    notes = []
    if ctx.ws.rows_set_aside:
        notes.append(set_aside_text(ctx.ws))
    return Header(
        title="Supervisor review",
        subtitle=f"{subject} · {ctx.period_text}",
        facts=[
            ("Period", ctx.period_text),
            ("As of", long_date(ctx.period.as_of)),
            ("Records cover", opening.span_text(ctx, ctx.coach)),
            ("Compared with", opening.comparison_text(ctx)),
            ("Data", ctx.data_label),
            ("Tables present", ", ".join(ctx.ws.present)),
        ],
        contents=contents,
        notes=notes,
    )


# --- portfolio --------------------------------------------------------------------------------


def attention(ctx: ReportContext) -> pl.DataFrame:
    """One row per coach of the review, ranked by findings per 100 held sessions (critical,
    then major, then minor: `checks.findings_per_100`), with the raw counts, credential
    standing and hours outside declared competence beside."""
    head, _ = ctx.metric("headline")
    held = pl.DataFrame({"coach_id": list(ctx.coaches)})
    if head.height:
        held = held.join(
            head.select("coach_id", "active_clients", "sessions_held"), on="coach_id", how="left"
        )
    else:
        held = held.with_columns(active_clients=pl.lit(None, pl.Int64()), sessions_held=0)
    out = findings_per_100(ctx.findings(), held.drop("active_clients")).join(
        held.select("coach_id", "active_clients"), on="coach_id", how="left", maintain_order="left"
    )
    creds, _ = ctx.metric("credential_status")
    if creds.height:
        rank = {"lapsed": 0, "grace": 1, "due": 2, "current": 3}
        worst = (
            creds.with_columns(r=pl.col("status").replace_strict(rank, default=4))
            .sort("r")
            .group_by("coach_id", maintain_order=True)
            .first()
            .select("coach_id", credential="status")
        )
        out = out.join(worst, on="coach_id", how="left", maintain_order="left")
    gaps, _ = ctx.metric("outside_competence")
    if gaps.height:
        out = out.join(
            gaps.select("coach_id", outside_competence_share="undeclared_share"),
            on="coach_id",
            how="left",
            maintain_order="left",
        )
    return out.with_columns(findings=pl.sum_horizontal(*facts.SEVERITIES))


def coaches_in_order(ctx: ReportContext) -> list[str]:
    """The review's coaches, those needing attention first (one coach: just that coach)."""
    if not ctx.supervisor:
        return list(ctx.coaches)
    if "order" not in ctx._frames:
        ctx._frames["order"] = attention(ctx).get_column("coach_id").to_list()
    return ctx._frames["order"]


def _attention_takeaway(ranked: pl.DataFrame) -> str:
    """The sentence that names the coach first in the ranking, by the ranking's own measure."""
    top = ranked.row(0, named=True) if ranked.height else None
    if top is None:
        return "No coach of this supervisor has records in the period."
    if top["findings"] == 0:
        return "No findings for any coach of this portfolio in the period."
    counts = ", ".join(plural(top[s], f"{s} finding") for s in facts.SEVERITIES if top[s])
    held = int(top["sessions_held"] or 0)
    if held == 0:
        return f"Coach {top['coach_id']} needs attention first: {counts}, with no session held."
    worst = next(s for s in facts.SEVERITIES if top[s])
    return (
        f"Coach {top['coach_id']} needs attention first: {num(top[f'{worst}_per_100'], 1)} "
        f"{worst} findings per 100 held sessions ({counts} in {plural(held, 'held session')})."
    )


def portfolio(ctx: ReportContext) -> Section | None:
    """The first page of a portfolio review: coaches ranked by who needs attention first.

    The chart, the table and the sentence follow one order: findings per 100 held sessions,
    critical first (`checks.findings_per_100`)."""
    if not ctx.supervisor:
        return None
    ranked = attention(ctx)
    with_findings = ranked.filter((pl.col("findings") > 0) & (pl.col("sessions_held") > 0))
    chart = charts.severity_bars(
        with_findings.head(25),
        "coach_id",
        x_title="Findings per 100 held sessions",
        columns={s: f"{s}_per_100" for s in facts.SEVERITIES},
        values="rate",
    )
    return Section(
        "Who needs attention first",
        takeaway=_attention_takeaway(ranked),
        chart=chart if with_findings.height else None,
        tables=[
            Table(
                "Coaches ranked by findings per 100 held sessions: critical first, then major, "
                "then minor",
                ranked.drop("findings"),
                labels={
                    "coach_id": "Coach",
                    "critical_per_100": "Critical per 100 sessions",
                    "major_per_100": "Major per 100 sessions",
                    "minor_per_100": "Minor per 100 sessions",
                    "outside_competence_share": "Hours outside declared competence",
                },
            )
        ],
        notes=[
            "Ranked on rates, so a busy coach does not look worst for being busy; the counts "
            "stand beside. A coach with findings and no held session has no rate and comes "
            "first. Each coach's own sections follow in this order. A finding is a case where "
            "the records show a rule of the Code was not kept; it is a starting point for a "
            "supervision conversation, not a verdict."
        ],
    )


def coach_heading(ctx: ReportContext, coach: str) -> Section | None:
    """In a portfolio, the heading that opens a coach's sections (nothing for one coach)."""
    if not ctx.supervisor:
        return None
    head, _ = facts.headline(ctx, coach)
    return Section(
        f"Coach {coach}",
        takeaway=(
            f"{plural(int(head.get('active_clients') or 0), 'active client')}, "
            f"{plural(int(head.get('sessions_held') or 0), 'held session')} in the period."
        ),
        css_class="trc-coach",
    )


def coach_part(ctx: ReportContext, coach: str) -> list[Section]:
    """A coach's part of the review: in a portfolio the coach's heading, then every section of
    `SECTIONS` in order. In a portfolio the part prints as its own page group (it starts on a
    new page) with the coach named at the top of every page of it."""
    heading = coach_heading(ctx, coach)
    parts = [section(ctx, coach) for _, section in SECTIONS]
    if heading is None:
        return parts
    page = coach_page_name(coach)
    header = f"Supervisor review · Coach {coach} · portfolio of supervisor {ctx.supervisor}"
    heading.html_blocks.insert(0, f"<style>{running_header_css(page, header)}</style>")
    for part in (heading, *parts):
        part.page = page
    return [heading, *parts]


def coach_page_name(coach: str) -> str:
    """The CSS page name of a coach's pages: readable, and distinct for distinct ids (ids that
    differ only in case or punctuation get different digests)."""
    digest = hashlib.sha256(coach.encode("utf-8")).hexdigest()[:8]
    return f"trc-coach-{slug(coach)}-{digest}"


# --- sections ---------------------------------------------------------------------------------


@shows_missing
def summary(ctx: ReportContext, coach: str) -> Section:
    """Findings first: by severity (linked), changes since the comparison period, clients to
    discuss, actions due."""
    return opening.summary(ctx, coach, title=_heading(summary), level=level(ctx))


@shows_missing
def headline(ctx: ReportContext, coach: str) -> Section:
    """Active clients, new intakes, closures, sessions, hours, no-show rate, findings; each
    with its value in the comparison period ("then → now")."""
    h, note = facts.headline(ctx, coach)
    changes = opening.headline_changes(ctx, coach)
    figures = [
        Figure(label, h.get(name), note=opening.then_now(changes and changes[name]), column=name)
        for name, label in opening.HEADLINE.items()
    ] + opening.finding_figures(ctx, coach)
    empty = opening.no_sessions_text(ctx, coach)
    takeaway = empty or (
        f"Coach {coach} worked with {plural(int(h.get('active_clients') or 0), 'client')} and "
        f"held {plural(int(h.get('sessions_held') or 0), 'session')} "
        f"({hours_phrase(h.get('hours'))}); {pct(h.get('no_show_rate'))} of booked sessions "
        "were no-shows."
        if h
        else "No records for this coach in the period."
    )
    return Section(
        _heading(headline),
        takeaway=takeaway,
        figures=figures,
        notes=[note] if note else [],
        level=level(ctx),
    )


def _main_format(main: dict) -> str:
    """`Most hours were one-to-one (63%)`, or `All hours were one-to-one` when it is every
    hour (not "most ... (100%)")."""
    if main["hours_share"] is not None and main["hours_share"] >= 1:
        return f"All hours were {wordy(main['format'])}"
    return f"Most hours were {wordy(main['format'])} ({pct(main['hours_share'])})"


def _peak_text(by_month: pl.DataFrame) -> str:
    """Active clients at their peak and in the last month, said once when they are the same
    month (not "peaked at 9 in June 2026 and stood at 9 in June 2026")."""
    peak = by_month.sort("active_clients", descending=True, maintain_order=True).row(0, named=True)
    last = by_month.row(-1, named=True)
    top, now = peak["active_clients"], last["active_clients"]
    when, last_month = peak["month"].strftime("%B %Y"), last["month"].strftime("%B %Y")
    if when == last_month:
        return f"Active clients peaked at {top:,} in {last_month}, the last month of the period"
    if top == now:
        return f"Active clients peaked at {top:,} in {when} and were still {now:,} in {last_month}"
    return f"Active clients peaked at {top:,} in {when} and stood at {now:,} in {last_month}"


@shows_missing
def caseload(ctx: ReportContext, coach: str) -> Section:
    """Active clients and new intakes per month; closures by reason; silent engagements."""
    by_month, notes = facts.caseload_by_month(ctx, coach)
    require(ctx, "engagements")
    takeaway = (
        f"{_peak_text(by_month)}; {int(by_month['new_intakes'].sum()):,} new clients came in "
        "over the period."
    )
    chart = charts.monthly(
        by_month,
        {"active_clients": "Active clients", "new_intakes": "New intakes"},
        y_title="Clients",
    )
    silent, _ = ctx.metric("silent_engagements", coach)
    silent_table = Table(
        f"Open engagements with no session for more than {ctx.policy.silent_engagement_days} days",
        silent.select(
            pl.col("engagement_id").alias("engagement"),
            pl.col("client_id").alias("client"),
            "format",
            "started_on",
            "last_session_on",
            "days_silent",
        ),
        empty_text="None: every open engagement had a recent session.",
    )
    return Section(
        _heading(caseload),
        takeaway=takeaway,
        chart=chart,
        tables=[Table("Engagements closed, by reason", facts.closures(ctx, coach)), silent_table],
        notes=notes,
        level=level(ctx),
    )


@shows_missing
def practice_mix(ctx: ReportContext, coach: str) -> Section:
    """Formats, attendance and fee mix of the sessions."""
    require(ctx, "sessions")
    formats = facts.format_mix(ctx, coach)
    fees = facts.fee_mix(ctx, coach)
    att = facts.attendance(ctx, coach)
    affordable = fees.filter(pl.col("fee_type").is_in(["pro_bono", "reduced"]))["hours_share"].sum()
    if formats.height:
        main = formats.row(0, named=True)
        takeaway = (
            f"{_main_format(main)}; "
            f"{pct(att.get('held_share'))} of booked sessions were held and "
            f"{pct(affordable)} of hours were pro bono or at a reduced fee (any client; the "
            "affordable-service share counts a reduced fee only for clients of few financial "
            "resources)."
        )
    else:
        takeaway = "No sessions were held in the period."
    attendance_rows = pl.DataFrame(
        {
            "outcome": ["held", "no-show", "cancelled", "rescheduled"],
            "sessions": [att.get(k) or 0 for k in ("held", "no_show", "cancelled", "rescheduled")],
            "share": [
                att.get(f"{k}_share") for k in ("held", "no_show", "cancelled", "rescheduled")
            ],
        },
        schema={"outcome": pl.String(), "sessions": pl.Int64(), "share": pl.Float64()},
    )
    chart = (
        charts.bars(formats, "format", "hours", x_title="Hours held") if formats.height else None
    )
    return Section(
        _heading(practice_mix),
        takeaway=takeaway,
        chart=chart,
        tables=[
            Table("Held sessions by format", formats),
            Table("What happened to booked sessions", attendance_rows),
            Table("Held sessions by fee", fees),
        ],
        level=level(ctx),
    )


def _competence_chart(practised: pl.DataFrame) -> object:
    """Hours per area, split by declared and not declared competence (None: no sessions)."""
    long = (
        practised.select("area", "hours_declared", "hours_undeclared")
        .unpivot(index="area", variable_name="competence", value_name="hours")
        .with_columns(
            pl.col("competence").replace_strict(
                {"hours_declared": "declared", "hours_undeclared": "not declared"}
            )
        )
    )
    return (
        charts.bars(
            long,
            "area",
            "hours",
            x_title="Hours held",
            colour="competence",
            colour_title="Competence",
            colour_order=["declared", "not declared"],
            colours={"declared": charts.PALETTE[0], "not declared": charts.PALETTE[1]},
        )
        if practised.height
        else None
    )


@shows_missing
def competence(ctx: ReportContext, coach: str) -> Section:
    """Areas worked vs. declared competence: the competence-gap view."""
    require(ctx, "sessions", "competencies")
    areas, _ = facts.areas(ctx, coach)
    practised = areas.filter(pl.col("sessions") > 0)
    undeclared = practised.filter(pl.col("hours_undeclared") > 0)
    total = practised["hours"].sum() or 0.0
    outside = undeclared["hours_undeclared"].sum() or 0.0
    if practised.is_empty():
        takeaway = "No sessions with an area were held in the period."
    elif undeclared.is_empty():
        takeaway = (
            f"Every one of the {hours_phrase(total)} was in an area the coach has declared "
            "competence in."
        )
    else:
        names = and_list([wordy(a) for a in undeclared["area"].to_list()[:3]])
        takeaway = (
            f"{hours_text(outside)} of {hours_phrase(total)} "
            f"({pct(outside / total if total else None)}) were in areas without declared "
            f"competence, chiefly {names}."
        )
    chart = _competence_chart(practised)
    oos = facts.out_of_scope(ctx, coach)
    return Section(
        _heading(competence),
        takeaway=takeaway,
        chart=chart,
        tables=[
            Table("Areas practised and declared", areas),
            Table(
                "Areas outside the scope of practice",
                oos,
                empty_text="No session in an area outside the scope of practice.",
            ),
        ],
        level=level(ctx),
    )


def _safety_figures(
    ctx: ReportContext,
    sra: facts.CheckStanding | None,
    events: dict[str, int],
    c: dict[str, object],
) -> list[Figure]:
    """Headline figures of the safety section: assessment coverage, influence, exits."""
    return [
        Figure(
            "Clients assessed before their first session",
            sra.rate if sra and sra.evaluated else None,
            note=f"of {plural(sra.examined, 'client')} starting"
            if sra and sra.evaluated
            else "not evaluated",
            column="sra_share",
        ),
        Figure("Sessions held with the client under the influence", events.get("influence_held")),
        Figure("Rescheduled because of the influence", events.get("influence_rescheduled")),
        Figure("Clients who left triggered and unsafe", events.get("triggered")),
        Figure("Decompensation observed", c.get("flags", events.get("decompensation"))),
        Figure(
            f"Referred within {ctx.policy.decompensation_referral_days} days",
            c.get("referred_within_window"),
        ),
    ]


def _safety_rates(standings: list[facts.CheckStanding]) -> pl.DataFrame:
    """check, rule, examined, kept, kept_share of the safety checks with cases."""
    rows = [
        s
        for s in standings
        if s.check_id.startswith("SAFE-") and s.evaluated and (s.examined or s.findings)
    ]
    return pl.DataFrame(
        {
            "check": [s.check_id for s in rows],
            "rule": [s.title for s in rows],
            "examined": [s.examined for s in rows],
            "kept": [s.compliant for s in rows],
            "kept_share": [s.rate for s in rows],
        },
        schema={
            "check": pl.String(),
            "rule": pl.String(),
            "examined": pl.Int64(),
            "kept": pl.Int64(),
            "kept_share": pl.Float64(),
        },
    )


@shows_missing
def safety(ctx: ReportContext, coach: str) -> Section:
    """SRA coverage, exclusions, under-influence handling, triggered exits, decompensation."""
    require(ctx, "sessions")
    standings = facts.check_standing(ctx, coach)
    sra = facts.standing_of(standings, "SAFE-SRA")
    events = facts.influence_and_triggers(ctx, coach)
    crisis, crisis_note = ctx.metric("crisis_to_referral_summary", coach)
    figures = _safety_figures(ctx, sra, events, facts.first_row(crisis))
    rates = _safety_rates(standings)
    open_items = sum(s.findings for s in standings if s.check_id.startswith("SAFE-"))
    takeaway = (
        (
            "Every safety rule examined was kept in the period."
            if rates.height
            else "No safety rule had a case to examine in the period."
        )
        if open_items == 0
        else f"{plural(open_items, 'safety finding')} to discuss (listed under Findings to "
        "discuss)."
    )
    chart = (
        charts.share_bars(rates, "check", "kept_share", x_title="Share of cases kept")
        if rates.height
        else None
    )
    notes = [crisis_note] if crisis_note else []
    return Section(
        _heading(safety),
        takeaway=takeaway,
        figures=figures,
        chart=chart,
        tables=[
            Table("Safety rules: cases examined and kept", rates),
            Table(
                "Assessments that excluded the client, by reason",
                facts.exclusions(ctx, coach),
                empty_text="No assessment excluded a client in the period.",
            ),
        ],
        notes=notes,
        level=level(ctx),
    )


def _exits_table(e: dict[str, object]) -> pl.DataFrame:
    """Engagements the coach ended: with an explanation, a referral, both or neither."""
    return pl.DataFrame(
        {
            "measure": [
                "engagements the coach ended",
                "with an explanation",
                "with a referral",
                "with both (what the Code asks)",
                "with neither",
            ],
            "count": [
                e.get(k) or 0
                for k in (
                    "exits",
                    "explained",
                    "with_referral",
                    "explained_and_referred",
                    "neither",
                )
            ],
        }
    )


@shows_missing
def referrals(ctx: ReportContext, coach: str) -> Section:
    """Referral reasons and service types, vetted share, exits without referral."""
    require(ctx, "referrals")
    by, _ = ctx.metric("referrals_by", coach)
    vetted, vetted_note = ctx.metric("vetted_share", coach)
    rate, _ = ctx.metric("referral_rate", coach)
    exits, _ = ctx.metric("coach_initiated_exits", coach)
    v, r, e = facts.first_row(vetted), facts.first_row(rate), facts.first_row(exits)
    total = int(by["referrals"].sum() or 0)
    takeaway = (
        f"{plural(total, 'referral')} in the period "
        f"({num(r.get('referrals_per_100_clients'), 1)} per 100 clients); "
        f"{pct(v.get('vetted_share'))} went to services the coach had vetted."
        if total
        else "No referrals in the period."
    )
    chart = (
        charts.bars(
            by,
            "reason",
            "referrals",
            x_title="Referrals",
            colour="service_type",
            colour_title="Service type",
            values="count",
        )
        if total
        else None
    )
    exits_table = _exits_table(e)
    return Section(
        _heading(referrals),
        takeaway=takeaway,
        figures=[
            Figure("Referrals", total),
            Figure("To vetted services", v.get("vetted_share"), column="vetted_share"),
            Figure("Per 100 clients", r.get("referrals_per_100_clients")),
            Figure(
                "Coach-ended engagements without referral",
                (e.get("exits") or 0) - (e.get("with_referral") or 0),
            ),
        ],
        chart=chart,
        tables=[
            Table("Referrals by reason and service type", by.drop("coach_id")),
            Table("Engagements the coach ended", exits_table),
        ],
        notes=[vetted_note] if vetted_note else [],
        level=level(ctx),
    )


@shows_missing
def supervision_training(ctx: ReportContext, coach: str) -> Section:
    """Supervision and training received, set against the competence gaps."""
    gaps = facts.gaps(ctx, coach)
    sup, sup_note = ctx.metric("supervision_hours", coach)
    train, train_note = ctx.metric("training_by_kind", coach)
    within = int(gaps["supervised_within_window"].fill_null(False).sum()) if gaps.height else 0
    before = ctx.policy.competence_supervision_lookback_days
    after = ctx.policy.competence_supervision_days
    if gaps.height:
        takeaway = (
            f"{within} of {plural(gaps.height, 'area')} practised without declared competence "
            f"had supervision in that area in the {before} days before or the {after} days after "
            "the first such session."
        )
    else:
        takeaway = "No area was practised without declared competence in the period."
    sup_by_reason = (
        sup.group_by("reason")
        .agg(pl.col("meetings").sum(), pl.col("hours").sum())
        .sort(["hours", "reason"], descending=[True, False])
    )
    chart = (
        charts.bars(sup_by_reason, "reason", "hours", x_title="Supervision hours")
        if sup_by_reason.height
        else None
    )
    gap_table = (
        gaps.select(
            "area",
            "first_undeclared_on",
            "sessions",
            "hours",
            "first_supervision_on",
            pl.col("supervision_latency_days").alias("days to supervision"),
            "supervision_hours",
            "trainings",
        )
        if gaps.height
        else gaps
    )
    notes = [n for n in (sup_note, train_note) if n]
    return Section(
        _heading(supervision_training),
        takeaway=takeaway,
        chart=chart,
        tables=[
            Table(
                "Competence gaps and what followed",
                gap_table,
                empty_text="No competence gap in the period.",
            ),
            Table("Supervision received in the period", sup.drop("coach_id")),
            Table(
                f"Training in the {ctx.policy.training_window_months} months to the period end",
                train.drop("coach_id"),
            ),
        ],
        notes=notes,
        level=level(ctx),
    )


def _all_current(n: int) -> str:
    """`The one credential is current`, `Both credentials are current`, `All 3 credentials
    are current` (never "All 2 credentials")."""
    if n == 1:
        return "The one credential is current"
    return f"{'Both' if n == 2 else f'All {n:,}'} credentials are current"


@shows_missing
def credentials(ctx: ReportContext, coach: str) -> Section:
    """Each credential's status as of the period end, and lapse remediation."""
    require(ctx, "credentials")
    creds, _ = ctx.metric("credential_status", coach)
    review, review_note = ctx.metric("ethics_review", coach)
    rv = facts.first_row(review)
    if creds.is_empty():
        takeaway = "No credential on record as of the period end."
    else:
        statuses = creds["status"].to_list()
        if all(s == "current" for s in statuses):
            takeaway = f"{_all_current(len(statuses))} as of the period end."
        else:
            worst = next(s for s in ("lapsed", "grace", "due", "current") if s in statuses)
            text = {
                "lapsed": "a credential has lapsed past the grace period",
                "grace": "a credential has expired and is in its grace period",
                "due": f"a credential expires within {ctx.policy.credential_due_days} days",
                "current": "",
            }[worst]
            takeaway = f"As of {long_date(ctx.period.as_of)}, {text}."
    notes = []
    last = rv.get("last_review_on")
    last_text = last.isoformat() if isinstance(last, dt.date) else "none on record"
    notes.append(f"Last Code of Ethics review course: {last_text}.")
    if review_note:
        notes.append(review_note)
    return Section(
        _heading(credentials),
        takeaway=takeaway,
        tables=[
            Table("Credentials as of the period end", creds.drop("coach_id", "region", "held"))
        ],
        notes=notes,
        level=level(ctx),
    )


@shows_missing
def credential_progress(ctx: ReportContext, coach: str) -> Section:
    """Coaching hours, clients and recent hours against each credential level (issue 12)."""
    return progress.section(ctx, coach, _heading(credential_progress), strength_first=False)


@shows_missing
def renewal_readiness(ctx: ReportContext, coach: str) -> Section:
    """Each credential's next renewal: expiry, days left, the requirements of the cycle and one
    status (lapsed, at risk, in progress, ready), most urgent first."""
    return renewal.section(
        ctx, coach, _heading(renewal_readiness), strength_first=False, level=level(ctx)
    )


@shows_missing
def goal_attainment(ctx: ReportContext, coach: str) -> Section:
    """Goals set, achieved, revised and released; attainment by level and T-score per
    engagement; engagements with no goal recorded yet; outcome measures per instrument."""
    return outcomes.section(ctx, coach, _heading(goal_attainment), level=level(ctx))


@shows_missing
def probono(ctx: ReportContext, coach: str) -> Section:
    """Pro-bono and reduced-fee share of hours, community service, longest stretch without."""
    require(ctx, "sessions")
    aff = facts.first_row(ctx.metric("affordable_service", coach)[0])
    quarters, _ = ctx.metric("affordable_share_by_quarter", coach)
    gap = facts.first_row(ctx.metric("longest_without_affordable", coach)[0])
    value, _ = ctx.metric("value_given", coach)
    community, community_note = facts.community(ctx, coach)
    takeaway = (
        f"{pct(aff.get('affordable_share'))} of held hours were pro bono or at a reduced fee for "
        f"a client marked low income ({hours_phrase(aff.get('affordable_hours'))}), plus "
        f"{hours_phrase(aff.get('community_hours'))} of community service to survivors; the "
        "longest "
        "stretch without affordable service was "
        f"{plural(int(gap.get('longest_gap_days') or 0), 'day')}."
    )
    chart = charts.monthly(
        quarters,
        {"pro_bono_share": "Pro bono", "affordable_share": "Pro bono or reduced (low income)"},
        y_title="Share of held hours",
        kind="bar",
        x_title="Quarter",
        label=charts.quarter_label("quarter"),
        share=True,
    )
    return Section(
        _heading(probono),
        takeaway=takeaway,
        figures=[
            Figure("Pro-bono hours", aff.get("pro_bono_hours"), column="hours"),
            Figure("Reduced-fee hours", aff.get("reduced_hours"), column="hours"),
            Figure("Affordable share of hours", aff.get("affordable_share"), column="x_share"),
            Figure("Community-service hours", aff.get("community_hours"), column="hours"),
        ],
        chart=chart,
        tables=[
            Table(
                "Estimated value given (at the coach's usual hourly fee)", value.drop("coach_id")
            ),
            Table("Community service in the period", community),
        ],
        notes=([community_note] if community_note else [])
        + facts.community_not_counted(community, aff.get("community_hours")),
        level=level(ctx),
    )


def _all_kept_text(standings: list[facts.CheckStanding]) -> str:
    """`No findings in the period: the 12 rules with cases were kept in every case; 9 had no
    case.` A rule without a case is never counted as kept."""
    with_cases = sum(1 for s in standings if s.status == "kept")
    without = sum(1 for s in standings if s.status == "no_cases")
    return (
        f"No findings in the period: {plural(with_cases, 'rule')} with cases "
        f"{'was' if with_cases == 1 else 'were'} kept in every case"
        + (f"; {without} had no case in the period." if without else ".")
    )


@shows_missing
def findings(ctx: ReportContext, coach: str) -> Section:
    """Every finding of the period, grouped by severity, each check with its Code passage."""
    f = ctx.findings(coach)
    not_evaluated = ctx.checks.not_evaluated
    takeaway = (
        (
            _all_kept_text(facts.check_standing(ctx, coach))
            if opening.has_sessions(ctx, coach)
            else "No findings: with no session in the period, no rule is shown kept either."
        )
        if f.is_empty()
        else "Each finding in full, by severity and then by rule of the Code, with the Code's "
        "words and the cases the records show."
    )
    blocks = facts.findings_by_check(ctx, coach, level=level(ctx) + 1)
    resolved = opening.resolved_lines(ctx, coach)
    if resolved:
        blocks.append(
            '<p class="trc-note">Resolved since the previous period (found then, not now):</p>'
            + bullet_list(resolved)
        )
    if not_evaluated.height:
        blocks.append(
            '<p class="trc-note">Not evaluated (the records needed are absent):</p>'
            + bullet_list(
                f"{r['check_id']}: {r['reason']}" for r in not_evaluated.iter_rows(named=True)
            )
        )
    return Section(
        _heading(findings),
        takeaway=takeaway,
        html_blocks=blocks,
        level=level(ctx),
    )


@shows_missing
def clients_to_discuss(ctx: ReportContext, coach: str) -> Section:
    """Clients with a risk event, exclusion, decompensation, triggered exit or silent
    engagement in the period, and what followed (issue 10)."""
    return cycle.clients_to_discuss(ctx, coach, _heading(clients_to_discuss), strength_first=False)


@shows_missing
def supervision_agreed(ctx: ReportContext, coach: str) -> Section:
    """Supervision hours agreed against received, per quarter."""
    return cycle.supervision_agreed(ctx, coach, _heading(supervision_agreed))


@shows_missing
def agreed_actions(ctx: ReportContext, coach: str) -> Section:
    """Open actions (overdue first), actions done in the period, the next review date."""
    return cycle.agreed_actions(ctx, coach, _heading(agreed_actions), strength_first=False)


@shows_missing
def sign_off(ctx: ReportContext, coach: str) -> Section:
    """The printable sign-off block: supervisor, coach, date, coach's comments."""
    return cycle.sign_off(ctx, coach, _heading(sign_off))


#: The per-coach sections, in notebook order: (title, function) pairs (the report's contents).
SECTIONS: Outline = (
    ("Summary: findings first", summary),
    ("Headline figures", headline),
    ("Findings to discuss", findings),
    ("Caseload over time", caseload),
    ("Formats, attendance and fees", practice_mix),
    ("Areas practised and declared competence", competence),
    ("Safety", safety),
    ("Referral patterns", referrals),
    ("Supervision and training against the gaps", supervision_training),
    ("Credential status", credentials),
    ("Credential progress", credential_progress),
    ("Renewal readiness", renewal_readiness),
    ("Pro-bono and affordable service", probono),
    ("Goals and their attainment", goal_attainment),
    ("Clients after a safety event or a silence", clients_to_discuss),
    ("Supervision agreed and received", supervision_agreed),
    ("Agreed actions and next review", agreed_actions),
    ("Sign-off", sign_off),
)
