"""The coach self-audit: the supervisor review's facts, told strength-first, in the second person.

The Code asks coaches to work "from a strength based model"; this report does the same for the
coach: what is going well comes first, growth areas are concrete next steps, and the wording
never shames. `SHAMING_WORDS` lists what the tests look for in the rendered report (outside the
Code's own passages, which are quoted as written).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

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
    bullet_list,
    esc,
    quote,
    slug,
    table_box,
)
from trc_analytics.reports.outline import Outline, shows_missing, title_of, titles
from trc_analytics.reports.sections import hours_phrase, hours_text, pct, plural, wordy

#: Words (and phrases) neither the self-audit nor the supervisor review uses: they judge the
#: person instead of describing the work (", yet ... were held" is a reproach, "; ... were held"
#: a fact). Matched as whole words, case-insensitively, on the rendered text outside quoted
#: passages of the Code; the check detail sentences both reviews show are scanned too.
SHAMING_WORDS = (
    "violation",
    "violations",
    "violate",
    "violated",
    "fail",
    "fails",
    "failed",
    "failing",
    "failure",
    "failures",
    "non-compliant",
    "noncompliant",
    "non-compliance",
    "breach",
    "breached",
    "negligent",
    "negligence",
    "poor",
    "poorly",
    "bad",
    "wrong",
    "must improve",
    "unacceptable",
    "deficient",
    "deficiency",
    "inadequate",
    "careless",
    "misconduct",
    "infraction",
    "penalty",
    "sanction",
    "blame",
    "shame",
    "shameful",
    "should have",
    ", yet",
    "mistake",
    "red flag",
)

#: Status of a Code item as the checklist words it.
STATUS_WORDS = {
    "kept": "kept",
    "attention": "worth a look",
    "no_cases": "no cases in the period",
    "not_evaluated": "not recorded in the workspace",
    "unjudged": "not judged: no sessions in the period",
}
_STATUS_CLASS = {
    "kept": "kept",
    "attention": "attention",
    "no_cases": "unknown",
    "not_evaluated": "unknown",
    "unjudged": "unknown",
}


def next_step(check_id: str, ctx: ReportContext) -> str:
    """The concrete next step for a Code item with cases worth a look: its cases are past their
    time to act (a finding is dated when that time ran out), so a step that names a window says
    what to do now about them, then the window for new cases."""
    p = ctx.policy
    steps = {
        "SAFE-SRA": "Complete a Safety Risk Assessment now with each client named who still has "
        "none; with new clients, on or before the day of the first session, in every format.",
        "SAFE-EXCLUDED": "When an assessment shows active addiction, self-harm or suicidality, "
        "pause coaching, help the client reach the right care and bring the case to supervision.",
        "SAFE-INFLUENCE": "When a client arrives under the influence, reschedule the session and "
        "talk about it at the next one.",
        "SAFE-TRIGGERED": "Keep time at the end of each session to help the client settle and feel "
        "safe before they leave.",
        "SAFE-DECOMP": "Help each client named reach a therapist or crisis service now if they "
        "still need it, and record the referral; when decompensation shows again, refer within "
        f"{p.decompensation_referral_days} days.",
        "SCOPE-PRACTICE": "Keep sessions to trauma recovery; for topics outside the scope of "
        "practice, refer on or record the outside training that covers them.",
        "SCOPE-COMPETENCE": "Bring the work named to supervision now, and declare competence once "
        "your training supports it.",
        "SCOPE-POPULATION": "Before working with minors, couples or families, record your "
        "experience with them and the training outside the Association that prepares you for it, "
        "or refer to a colleague who has both.",
        "SCOPE-PSYCHOACTIVE": "Before psychoactive work, record your formal training, your "
        "insurance and your notice to the Professional Standards Committee.",
        "REFER-VETTED": "Vet the services named personally now and record the date; vet a service "
        "before referring a client to it.",
        "REFER-ABANDON": "Give each client named an explanation and a referral to another "
        "provider now if they have none, and record both.",
        "CONF-DISCLOSURE": "Share client information only on a basis the Code recognises "
        "(danger, written consent, subpoena, mandatory report) and record which one.",
        "CONF-MANDATORY": "Make the report to the local agency now for each concern named that "
        "has none, and record the date; report a new concern of current abuse of a minor, elder "
        f"or disabled person within {p.mandatory_report_days} days.",
        "PRACT-REFUND": "Give your refund policy now to each client named, and to new paying "
        "clients at or before the first paid session.",
        "PRACT-GRIEVANCE": "Tell each client named about the Association's grievance policy now; "
        f"tell new clients within {p.grievance_notice_days} days of intake.",
        "PRACT-CONTEXT": "Explore the context (culture, race, ethnicity, sexual orientation, "
        "socioeconomic status) of each client named at your next session; with new clients, "
        f"within {p.context_explored_days} days of intake.",
        "CERT-LAPSED": "Renew your credential now; past the grace period, arrange "
        f"{hours_phrase(p.lapse_supervision_hours, round_up=True)} of one-to-one "
        "supervision with one Association "
        "supervisor, who reviews your suitability to renew.",
        "CERT-ETHICS": "Take the Code of Ethics review course before your next renewal.",
        "DEV-CE": "Plan a training in the coming months to keep up with research and methodology "
        "in trauma recovery.",
        "COMM-PROBONO": "Plan some pro-bono work, reduced-fee work with a client of few financial "
        "resources, or community service to survivors, in the coming months.",
        "CONDUCT-CHARGE": "Report each charge named to the Professional Standards Committee now "
        f"if it is not reported, and record the date; report a new charge within "
        f"{p.charge_report_days} days.",
        "CONDUCT-DUAL": "Talk through any relationship with a client outside sessions with your "
        "supervisor, and set the boundary the Code describes.",
    }
    return steps.get(check_id, "Talk this item through with your supervisor.")


def open_audit(**parameters: object) -> ReportContext:
    """The notebook's first call: load the workspace and check the parameters."""
    return open_report("self-audit", **parameters)  # type: ignore[arg-type]


def title(ctx: ReportContext) -> Header:
    """Title block."""
    notes = []
    if ctx.ws.rows_set_aside:
        notes.append(set_aside_text(ctx.ws))
    return Header(
        title="Coach self-audit",
        subtitle=f"Coach {ctx.coach} · {ctx.period_text}",
        facts=[
            ("Period", ctx.period_text),
            ("As of", long_date(ctx.period.as_of)),
            ("Your records cover", opening.span_text(ctx, ctx.coach)),
            ("Compared with", opening.comparison_text(ctx)),
            ("Data", ctx.data_label),
        ],
        contents=titles(SECTIONS),
        notes=notes,
    )


def _heading(section: Callable[..., Section]) -> str:
    """The title `SECTIONS` declares for one of this report's section functions."""
    return title_of(SECTIONS, section)


def _coach(ctx: ReportContext) -> str:
    return str(ctx.coach)


@shows_missing
def at_a_glance(ctx: ReportContext) -> Section:
    """The one-screen opening: what is worth a look by severity (linked to the checklist), what
    changed since the comparison period, clients to discuss, actions due."""
    return opening.summary(
        ctx, _coach(ctx), title=_heading(at_a_glance), target=slug(_heading(checklist))
    )


@shows_missing
def going_well(ctx: ReportContext) -> Section:
    """Strengths first: the work done and every item of the Code kept (none is claimed kept
    in a period without sessions)."""
    coach = _coach(ctx)
    h, _ = facts.headline(ctx, coach)
    by_month, notes = facts.caseload_by_month(ctx, coach)
    standings = facts.check_standing(ctx, coach)
    empty = opening.no_sessions_text(ctx, coach)
    kept = [s for s in standings if s.status == "kept"] if empty is None else []
    changes = opening.headline_changes(ctx, coach)
    strengths: list[str] = []
    if h:
        strengths.append(
            f"You walked alongside {plural(int(h.get('active_clients') or 0), 'client')} in "
            f"{plural(int(h.get('sessions_held') or 0), 'session')} "
            f"({hours_phrase(h.get('hours'))})."
        )
    vetted = facts.first_row(ctx.metric("vetted_share", coach)[0])
    if vetted.get("referrals"):
        strengths.append(
            f"{pct(vetted.get('vetted_share'))} of your {plural(vetted['referrals'], 'referral')} "
            "went to services you had personally vetted."
        )
    aff = facts.first_row(ctx.metric("affordable_service", coach)[0])
    if aff.get("affordable_hours") or aff.get("community_hours"):
        strengths.append(
            f"You gave {hours_phrase(aff.get('affordable_hours'))} of pro-bono coaching or "
            "reduced-fee coaching to clients with few financial resources, and "
            f"{hours_phrase(aff.get('community_hours') or 0)} of community service to "
            "survivors."
        )
    achieved = int(facts.first_row(ctx.metric("goal_progress", coach)[0]).get("achieved") or 0)
    if achieved:
        strengths.append(f"{plural(achieved, 'goal')} reached together with your clients.")
    renewals = facts.renewals_in_period(ctx, coach) if "credentials" in ctx.ws else None
    strengths += [
        facts.kept_line(s.check_id, s.title, s.examined, renewals=renewals, parts=s.parts)
        for s in kept
    ]
    takeaway = empty or (
        f"{plural(len(kept), 'item')} of the Code kept in every case the records show; "
        "the list below starts with the work itself."
    )
    chart = charts.monthly(
        by_month,
        {"active_clients": "Clients you worked with", "new_intakes": "New clients"},
        y_title="Clients",
    )
    return Section(
        _heading(going_well),
        missing=ctx.missing_tables("engagements", "sessions"),
        takeaway=takeaway,
        figures=[
            Figure(
                label, h.get(name), note=opening.then_now(changes and changes[name]), column=name
            )
            for name, label in (
                ("active_clients", "Clients"),
                ("sessions_held", "Sessions held"),
                ("hours", "Hours"),
            )
        ]
        + ([Figure("Code items kept", len(kept))] if empty is None else []),
        chart=chart if by_month.height else None,
        html_blocks=[bullet_list(strengths, "trc-strengths")],
        notes=notes,
    )


def named_cases(rows: pl.DataFrame, limit: int = 5) -> str:
    """The cases behind a growth item, named from the coach's own records: `client K-3,
    engagement E-7, 2026-03-01; …` (the first `limit`, then how many more)."""
    parts = []
    for r in rows.head(limit).iter_rows(named=True):
        bits = [f"client {r['client_id']}" if r.get("client_id") else None]
        bits.append(f"engagement {r['engagement_id']}" if r.get("engagement_id") else None)
        bits.append(str(r["on"]) if r.get("on") else None)
        parts.append(", ".join(b for b in bits if b))
    more = rows.height - limit
    return "; ".join(parts) + (f"; and {plural(more, 'more case')}" if more > 0 else "")


def _gap_step(area: str, trainings: int | None, window: int) -> str:
    """What to do now about sessions in an area practised without declared competence that had
    no supervision in that area in time: the window has closed, so the step is for now."""
    if trainings:
        return (
            f"You have training in {wordy(area)}: declare competence in it, with the basis it "
            "rests on, and bring these clients' work to supervision now."
        )
    return (
        f"Bring your work with these clients on {wordy(area)} to supervision now (their "
        f"sessions had none in that area within {window} days), and look for a training in it."
    )


def _competence_rows(ctx: ReportContext, coach: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Growth-table rows (one per engagement the SCOPE-COMPETENCE findings count) and the
    steps: one per area, plus areas supervision covered (declare once trained)."""
    cases = facts.competence_cases(ctx, coach)
    gaps = facts.gaps(ctx, coach)
    trained = {g["area"]: g["trainings"] for g in gaps.iter_rows(named=True)}
    window = ctx.policy.competence_supervision_days
    steps: dict[str, str] = {}
    rows = []
    for c in cases.iter_rows(named=True):  # one row per engagement: a handful at most
        step = steps.setdefault(c["area"], _gap_step(c["area"], trained.get(c["area"]), window))
        rows.append({**c, "next step": step})
    covered = [
        f"You also worked on {wordy(a)} without declared competence, with no case of the Code "
        "item below in the period: keep bringing it to supervision; a training in it would let "
        "you declare competence."
        for a in trained
        if a not in steps
    ]
    return rows, [*steps.values(), *covered]


def _check_steps(ctx: ReportContext, coach: str, standings: list[Any]) -> list[str]:
    """One step per other Code item worth a look, naming the cases behind it."""
    findings = ctx.findings(coach)
    steps = []
    for s in standings:
        if s.status != "attention" or s.check_id in ("SCOPE-COMPETENCE", "SCOPE-PRACTICE"):
            continue
        mine = findings.filter(pl.col("check_id") == s.check_id).sort("on")
        steps.append(
            f"{next_step(s.check_id, ctx)} ({plural(s.findings, 'case')}: {named_cases(mine)}.)"
        )
    return steps


@shows_missing
def growth(ctx: ReportContext) -> Section:
    """Growth areas as next steps, each naming the cases behind it (the coach's own records)."""
    coach = _coach(ctx)
    oos = facts.out_of_scope(ctx, coach)
    gap_rows, steps = _competence_rows(ctx, coach)
    for o in oos.filter(pl.col("sessions_without_training") > 0).iter_rows(named=True):
        steps.append(
            f"Sessions on {wordy(o['area'])} sit outside the scope of a Trauma Recovery Coach: "
            "refer on, or record the outside training that covers them."
        )
    steps += _check_steps(ctx, coach, facts.check_standing(ctx, coach))
    takeaway = (
        f"{plural(len(steps), 'next step')} for the coming months, starting with the areas you "
        "practise without declared competence."
        if steps
        else "No growth area stands out in the records of this period: keep going as you are."
    )
    table = pl.DataFrame(
        gap_rows, schema={**facts.COMPETENCE_CASE_SCHEMA, "next step": pl.String()}
    ).rename({"client_id": "client", "engagement_id": "engagement", "first": "from", "last": "to"})
    by_area = table.group_by("area").agg(pl.col("sessions").sum())
    chart = (
        charts.bars(
            by_area,
            "area",
            "sessions",
            x_title="Sessions without declared competence or supervision in time",
            values="count",
        )
        if table.height
        else None
    )
    return Section(
        _heading(growth),
        missing=ctx.missing_tables("sessions", "competencies"),
        takeaway=takeaway,
        chart=chart,
        html_blocks=[bullet_list(steps, "trc-steps")],
        tables=[
            Table(
                "Sessions in areas without declared competence or supervision in time, by "
                "engagement (as the Code item below counts them)",
                table,
                empty_text="Every session of the period was in an area you declared competence "
                "in, or had supervision in that area in time.",
            )
        ],
    )


def _cases_cell(s: facts.CheckStanding, status: str) -> str:
    """The checklist's cases cell: `35 of 36 new clients kept`; for a rule kept only because
    nothing is recorded against it (dual relationships, impaired sessions), that, as the
    strengths list says it, not "1 of 1 coach kept"."""
    if status == "kept" and s.check_id in facts.RECORDED_ONLY:
        return "nothing recorded against it"
    if status in ("kept", "attention") and s.examined:
        by_kind = facts.parts_cell(s.check_id, s.parts, "coach")
        if by_kind is not None and sum(e for _, e, _ in s.parts) == s.examined:
            return by_kind
        return f"{s.compliant:,} of {s.examined:,} {facts.case_noun(s.check_id, s.examined)} kept"
    return ""


@shows_missing
def checklist(ctx: ReportContext) -> Section:
    """The Code as a checklist: each item with its status and the passage it rests on."""
    coach = _coach(ctx)
    standings = facts.check_standing(ctx, coach)
    judged = opening.has_sessions(ctx, coach)
    rows = []
    for s in standings:
        status = s.status if judged or s.status != "kept" else "unjudged"
        label = STATUS_WORDS[status]
        cls = _STATUS_CLASS[status]
        cases = _cases_cell(s, status)
        rows.append(
            f'<tr><td><span class="trc-status trc-status-{cls}">{esc(label)}</span></td>'
            f"<td><strong>{esc(s.title)}</strong>{quote(facts.passage(s.check_id))}</td>"
            f'<td class="num">{esc(cases)}</td></tr>'
        )
    table = table_box(
        '<table class="trc-table trc-checklist"><thead><tr><th>Status</th><th>Item of the Code'
        "</th><th>Cases</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>",
        rows=len(rows),
        columns=3,
    )
    counts = {k: sum(1 for s in standings if s.status == k) for k in STATUS_WORDS}
    takeaway = (
        f"{counts['kept']} kept, {counts['attention']} worth a look, {counts['no_cases']} with no "
        f"cases in the period, {counts['not_evaluated']} not recorded in the workspace."
        if judged
        else f"{opening.no_sessions_text(ctx, coach)} {counts['attention']} worth a look."
    )
    return Section(
        _heading(checklist),
        takeaway=takeaway,
        html_blocks=[table],
        notes=[
            "“Kept” means every case the records show for the period kept the item; the "
            "passages are quoted from the Code as written."
            if judged
            else "The passages are quoted from the Code as written."
        ],
    )


@shows_missing
def goals(ctx: ReportContext) -> Section:
    """Goals set with clients and reached in the period."""
    coach = _coach(ctx)
    table = facts.goals(ctx, coach)
    achieved = int(table["count"][1])
    takeaway = (
        f"{plural(achieved, 'goal')} reached with "
        f"{plural(int(table['count'][5]), 'client')}, and "
        f"{plural(int(table['count'][4]), 'goal')} still being worked on together."
    )
    short = pl.DataFrame(
        {
            "goals": ["set", "achieved", "revised", "released", "still open"],
            "count": table["count"].head(5),
        }
    )
    chart = charts.bars(
        short, "goals", "count", x_title="Goals", values="count", sort_by_value=False
    )
    return Section(_heading(goals), takeaway=takeaway, chart=chart, tables=[Table("", table)])


@shows_missing
def attainment(ctx: ReportContext) -> Section:
    """How your clients' goals came out (Goal Attainment Scaling), engagements with no goal
    recorded yet, and outcome measures per instrument."""
    return outcomes.section(ctx, _coach(ctx), _heading(attainment), counts=False)


@shows_missing
def giving(ctx: ReportContext) -> Section:
    """Pro-bono and reduced-fee work and community service given."""
    coach = _coach(ctx)
    aff = facts.first_row(ctx.metric("affordable_service", coach)[0])
    community, note = facts.community(ctx, coach)
    value, _ = ctx.metric("value_given", coach)
    takeaway = (
        f"You gave {hours_text(aff.get('pro_bono_hours'))} pro-bono hours and "
        f"{hours_text(aff.get('reduced_hours'))} reduced-fee hours, of which "
        f"{hours_text(aff.get('affordable_hours'))} count as affordable service (pro bono, or a "
        "reduced fee for a client of few financial resources), and "
        f"{hours_phrase(aff.get('community_hours') or 0)} of community service to survivors."
    )
    chart = (
        charts.bars(community, "kind", "hours", x_title="Community-service hours")
        if community.height
        else None
    )
    return Section(
        _heading(giving),
        missing=ctx.missing_tables("sessions", "community_service"),
        takeaway=takeaway,
        figures=[
            Figure("Pro-bono hours", aff.get("pro_bono_hours"), column="hours"),
            Figure("Reduced-fee hours", aff.get("reduced_hours"), column="hours"),
            Figure("Share of your hours", aff.get("affordable_share"), column="x_share"),
            Figure("Community-service hours", aff.get("community_hours"), column="hours"),
        ],
        chart=chart,
        tables=[
            Table("Community service in the period", community),
            Table("Estimated value given, at your usual hourly fee", value.drop("coach_id")),
        ],
        notes=([note] if note else [])
        + facts.community_not_counted(community, aff.get("community_hours")),
    )


def credential_line(c: dict[str, Any], policy: Any) -> str:
    """One credential's standing as the coach reads it (a `credential_status` row).

    A credential past its grace period reads as lapsed, with what to do about sessions until it
    is renewed; the six hours of supervision open the review of suitability the Code describes
    ("to review their suitability to renew their credential"), so they are never called
    "ready for renewal": only a credential still in its grace period can simply be renewed.
    """
    name = f"Your {wordy(c['credential'])} credential"
    hours = hours_text(policy.lapse_supervision_hours, round_up=True)
    if c["status"] == "current":
        return f"{name} is current until {c['expires_on']}."
    if c["status"] == "due":
        return (
            f"{name} comes up for renewal on {c['expires_on']}: a good time to plan the "
            "ethics review course."
        )
    if c["status"] == "grace":
        return (
            f"{name} expired on {c['expires_on']} and is ready for renewal until "
            f"{c['grace_ends_on']}, the end of its grace period: renew it before then."
        )
    done = hours_text(c["remediation_hours"] or 0)
    meanwhile = (
        "Until it is renewed, every session you hold under it is a session held while lapsed: "
        "before your next session, talk with your supervisor about pausing or referring the "
        "clients who rely on it."
    )
    if c.get("remediation_complete"):
        step = (
            f"You have {done} of the {hours} hours of one-to-one supervision with one "
            "Association supervisor: ask that supervisor now for the review of your "
            "suitability to renew."
        )
    else:
        step = (
            f"Arrange {hours} hours of one-to-one supervision with one Association supervisor, "
            f"who reviews your suitability to renew ({done} done so far)."
        )
    return (
        f"{name} has lapsed: it expired on {c['expires_on']} and its grace period ended on "
        f"{c['grace_ends_on']}. {meanwhile} {step}"
    )


@shows_missing
def keeping_up(ctx: ReportContext) -> Section:
    """Credentials, the ethics review, training and supervision."""
    coach = _coach(ctx)
    creds, creds_note = ctx.metric("credential_status", coach)
    train = facts.first_row(ctx.metric("training_hours", coach)[0])
    sup, _ = ctx.metric("supervision_hours", coach)
    review = facts.first_row(ctx.metric("ethics_review", coach)[0])
    lines = [credential_line(c, ctx.policy) for c in creds.iter_rows(named=True)]
    last = review.get("last_review_on")
    lines.append(
        f"Last Code of Ethics review course: {last}."
        if last
        else "No Code of Ethics review course on record yet."
    )
    lines.append(
        f"{hours_text(train.get('hours') or 0)} training hours in the "
        f"{ctx.policy.training_window_months} months to {long_date(ctx.period.as_of)}."
    )
    takeaway = (
        f"{hours_phrase(train.get('hours') or 0)} of training and "
        f"{hours_phrase(sup['hours'].sum() or 0)} of supervision support your growth."
    )
    by_reason = (
        sup.group_by("reason")
        .agg(pl.col("meetings").sum(), pl.col("hours").sum())
        .sort(["hours", "reason"], descending=[True, False])
    )
    return Section(
        _heading(keeping_up),
        missing=ctx.missing_tables("credentials", "trainings", "supervision"),
        takeaway=takeaway,
        html_blocks=[bullet_list(lines)],
        tables=[Table("Supervision in the period, by reason", by_reason)],
        notes=[creds_note] if creds_note else [],
    )


@shows_missing
def credential_progress(ctx: ReportContext) -> Section:
    """Coaching hours, clients and recent hours against each credential level, with the month
    each is reached at the pace of the last 6 months, told strength-first (issue 12)."""
    return progress.section(ctx, _coach(ctx), _heading(credential_progress), strength_first=True)


@shows_missing
def renewal_readiness(ctx: ReportContext) -> Section:
    """Your renewals, strength-first: what is done for each credential's cycle, then what is
    still to do and by when."""
    return renewal.section(ctx, _coach(ctx), _heading(renewal_readiness), strength_first=True)


@shows_missing
def clients_to_discuss(ctx: ReportContext) -> Section:
    """Clients with a risk event, exclusion, decompensation, triggered exit or silent
    engagement, told strength-first: what already followed, then what to take to supervision."""
    return cycle.clients_to_discuss(
        ctx, _coach(ctx), _heading(clients_to_discuss), strength_first=True
    )


@shows_missing
def supervision_agreed(ctx: ReportContext) -> Section:
    """Supervision hours agreed against received, per quarter."""
    return cycle.supervision_agreed(ctx, _coach(ctx), _heading(supervision_agreed))


@shows_missing
def agreed_actions(ctx: ReportContext) -> Section:
    """Actions done in the period first, then those still open, and the next review date."""
    return cycle.agreed_actions(ctx, _coach(ctx), _heading(agreed_actions), strength_first=True)


@shows_missing
def sign_off(ctx: ReportContext) -> Section:
    """The printable sign-off block: supervisor, coach, date, coach's comments."""
    return cycle.sign_off(ctx, _coach(ctx), _heading(sign_off))


#: The sections, in notebook order: (title, function) pairs (the report's contents).
SECTIONS: Outline = (
    ("At a glance", at_a_glance),
    ("What is going well", going_well),
    ("Growth areas and next steps", growth),
    ("The Code, item by item", checklist),
    ("Goals reached with clients", goals),
    ("How goals came out", attainment),
    ("Giving back to the community", giving),
    ("Keeping up to date", keeping_up),
    ("Your path to the next credential", credential_progress),
    ("Renewal readiness", renewal_readiness),
    ("Clients to talk through in supervision", clients_to_discuss),
    ("Supervision agreed and received", supervision_agreed),
    ("Actions agreed in supervision", agreed_actions),
    ("Sign-off", sign_off),
)


def reader_text(html: str, *, without_quotes: bool = True) -> str:
    """The words a reader sees in a rendered report (styles and charts left out), by default
    without the Code's quoted passages, which are quoted as written."""
    import re

    if without_quotes:
        html = re.sub(r'<blockquote class="trc-code">.*?</blockquote>', " ", html, flags=re.S)
    html = re.sub(r"<(style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def shaming_words(text: str) -> list[str]:
    """Which of `SHAMING_WORDS` appear in `text` as whole words (case-insensitive)."""
    import re

    def pattern(w: str) -> str:  # a phrase starting with punctuation (", yet") needs no edge
        edge = r"(?<![\w-])" if w[0].isalnum() else ""
        return rf"{edge}{re.escape(w)}(?![\w-])"

    return [w for w in SHAMING_WORDS if re.search(pattern(w), text, re.I)]
