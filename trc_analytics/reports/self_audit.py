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

from trc_analytics.reports import charts
from trc_analytics.reports import sections as facts
from trc_analytics.reports.context import (
    ReportContext,
    long_date,
    open_report,
    set_aside_text,
)
from trc_analytics.reports.display import Figure, Header, Section, Table, bullet_list, esc, quote
from trc_analytics.reports.outline import Outline, shows_missing, title_of, titles
from trc_analytics.reports.sections import num, pct, plural, wordy

#: Words (and phrases) the self-audit never uses: they judge the person instead of describing
#: the work. Matched as whole words, case-insensitively, on the rendered text outside quoted
#: passages of the Code.
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
    "mistake",
    "red flag",
)

#: Status of a Code item as the checklist words it.
STATUS_WORDS = {
    "kept": "kept",
    "attention": "worth a look",
    "no_cases": "no cases in the period",
    "not_evaluated": "not recorded in the workspace",
}
_STATUS_CLASS = {
    "kept": "kept",
    "attention": "attention",
    "no_cases": "unknown",
    "not_evaluated": "unknown",
}


def next_step(check_id: str, ctx: ReportContext) -> str:
    """The concrete next step for a Code item with cases worth a look."""
    p = ctx.policy
    steps = {
        "SAFE-SRA": "Complete a Safety Risk Assessment with each client at the start of a "
        "coaching relationship, on or before the day of the first session, in every format.",
        "SAFE-EXCLUDED": "When an assessment shows active addiction, self-harm or suicidality, "
        "pause coaching, help the client reach the right care and bring the case to supervision.",
        "SAFE-INFLUENCE": "When a client arrives under the influence, reschedule the session and "
        "talk about it at the next one.",
        "SAFE-TRIGGERED": "Keep time at the end of each session to help the client settle and feel "
        "safe before they leave.",
        "SAFE-DECOMP": "When decompensation shows, help the client move to a therapist or crisis "
        f"service within {p.decompensation_referral_days} days, and record the referral.",
        "SCOPE-PRACTICE": "Keep sessions to trauma recovery; for topics outside the scope of "
        "practice, refer on or record the outside training that covers them.",
        "SCOPE-COMPETENCE": "Take areas you practise without declared competence to supervision "
        f"within {p.competence_supervision_days} days, and declare competence once your "
        "training supports it.",
        "SCOPE-POPULATION": "Before working with minors, couples or families, record the outside "
        "training that prepares you for it, or refer to a colleague who has it.",
        "SCOPE-PSYCHOACTIVE": "Before psychoactive work, record your formal training, your "
        "insurance and your notice to the Professional Standards Committee.",
        "REFER-VETTED": "Vet a service personally before referring a client to it, and record "
        "the date you did.",
        "REFER-ABANDON": "When you close your practice or release a client, give an explanation "
        "and a referral to another provider, and record both.",
        "CONF-DISCLOSURE": "Share client information only on a basis the Code recognises "
        "(danger, written consent, subpoena, mandatory report) and record which one.",
        "CONF-MANDATORY": "Report current abuse of a minor, elder or disabled person to the local "
        f"agency within {p.mandatory_report_days} days, and record the date.",
        "PRACT-REFUND": "Give your refund policy to each paying client at or before the first "
        "paid session.",
        "PRACT-GRIEVANCE": "Tell each new client about the Association's grievance policy within "
        f"{p.grievance_notice_days} days of intake.",
        "PRACT-CONTEXT": "Explore each client's context (culture, race, ethnicity, sexual "
        f"orientation, socioeconomic status) within {p.context_explored_days} days of intake.",
        "CERT-LAPSED": "Renew your credential; after the grace period, arrange "
        f"{num(p.lapse_supervision_hours)} hours of one-to-one supervision with one Association "
        "supervisor.",
        "CERT-ETHICS": "Take the Code of Ethics review course before your next renewal.",
        "DEV-CE": "Plan a training in the coming months to keep up with research and methodology "
        "in trauma recovery.",
        "COMM-PROBONO": "Plan some pro-bono work, reduced-fee work with a client of few financial "
        "resources, or community service to survivors, in the coming months.",
        "CONDUCT-CHARGE": "Report any charge to the Professional Standards Committee within "
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
            ("Data", ctx.data_label),
        ],
        contents=titles(SECTIONS),
        notes=notes,
    )


def _heading(section: Callable[..., Section]) -> str:
    """The title `SECTIONS` declares for one of this report's section functions."""
    return title_of(SECTIONS, section)


def _every_case(n: int) -> str:
    """`the one case` / `all 12 cases`."""
    return "the one case" if n == 1 else f"all {n:,} cases"


def _coach(ctx: ReportContext) -> str:
    return str(ctx.coach)


@shows_missing
def going_well(ctx: ReportContext) -> Section:
    """Strengths first: the work done and every item of the Code kept."""
    coach = _coach(ctx)
    h, _ = facts.headline(ctx, coach)
    by_month, notes = facts.caseload_by_month(ctx, coach)
    standings = facts.check_standing(ctx, coach)
    kept = [s for s in standings if s.status == "kept"]
    strengths: list[str] = []
    if h:
        strengths.append(
            f"You walked alongside {plural(int(h.get('active_clients') or 0), 'client')} in "
            f"{plural(int(h.get('sessions_held') or 0), 'session')} "
            f"({num(h.get('hours'), 1)} hours)."
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
            f"You gave {num(aff.get('affordable_hours'), 1)} hours of pro-bono coaching or "
            "reduced-fee coaching to clients with few financial resources, and "
            f"{num(aff.get('community_hours') or 0, 1)} hours of community service to survivors."
        )
    achieved = int(facts.first_row(ctx.metric("goal_progress", coach)[0]).get("achieved") or 0)
    if achieved:
        strengths.append(f"{plural(achieved, 'goal')} reached together with your clients.")
    strengths += [f"{s.title}: kept in {_every_case(s.examined)} of the period." for s in kept]
    takeaway = (
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
            Figure("Clients", h.get("active_clients")),
            Figure("Sessions held", h.get("sessions_held")),
            Figure("Hours", h.get("hours")),
            Figure("Code items kept", len(kept)),
        ],
        chart=chart if by_month.height else None,
        html_blocks=[bullet_list(strengths, "trc-strengths")],
        notes=notes,
    )


def _gap_step(gap: dict[str, Any], window: int) -> str:
    """The next step for one area practised without declared competence."""
    area = wordy(gap["area"])
    if gap["trainings"]:
        return (
            f"You have training in {area}: consider declaring competence in it, with the "
            "basis it rests on."
        )
    if gap["supervised_within_window"]:
        return (
            f"Supervision in {area} is under way; a training in it would let you declare "
            "competence."
        )
    return (
        f"Bring your work on {area} to supervision within {window} days, and look for "
        "a training in it."
    )


@shows_missing
def growth(ctx: ReportContext) -> Section:
    """Growth areas as next steps: supervision or training where competence is not declared."""
    coach = _coach(ctx)
    gaps = facts.gaps(ctx, coach)
    oos = facts.out_of_scope(ctx, coach)
    standings = facts.check_standing(ctx, coach)
    window = ctx.policy.competence_supervision_days
    steps: list[str] = []
    gap_rows = []
    for g in gaps.iter_rows(named=True):  # one row per area: a handful at most
        step = _gap_step(g, window)
        gap_rows.append(
            {"area": g["area"], "sessions": g["sessions"], "hours": g["hours"], "next step": step}
        )
        steps.append(step)
    for o in oos.filter(pl.col("sessions_without_training") > 0).iter_rows(named=True):
        steps.append(
            f"Sessions on {wordy(o['area'])} sit outside the scope of a Trauma Recovery Coach: "
            "refer on, or record the outside training that covers them."
        )
    for s in standings:
        if s.status == "attention" and s.check_id not in ("SCOPE-COMPETENCE", "SCOPE-PRACTICE"):
            steps.append(f"{next_step(s.check_id, ctx)} ({plural(s.findings, 'case')} to look at.)")
    takeaway = (
        f"{plural(len(steps), 'next step')} for the coming months, starting with the areas you "
        "practise without declared competence."
        if steps
        else "No growth area stands out in the records of this period: keep going as you are."
    )
    table = pl.DataFrame(
        gap_rows,
        schema={
            "area": pl.String(),
            "sessions": pl.Int64(),
            "hours": pl.Float64(),
            "next step": pl.String(),
        },
    )
    chart = (
        charts.bars(table, "area", "hours", x_title="Hours without declared competence")
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
                "Areas you practised without declared competence",
                table,
                empty_text="Every area you practised is one you have declared competence in.",
            )
        ],
    )


@shows_missing
def checklist(ctx: ReportContext) -> Section:
    """The Code as a checklist: each item with its status and the passage it rests on."""
    coach = _coach(ctx)
    standings = facts.check_standing(ctx, coach)
    rows = []
    for s in standings:
        label = STATUS_WORDS[s.status]
        cls = _STATUS_CLASS[s.status]
        cases = (
            f"{s.compliant:,} of {s.examined:,} cases kept"
            if s.status in ("kept", "attention") and s.examined
            else ""
        )
        rows.append(
            f'<tr><td><span class="trc-status trc-status-{cls}">{esc(label)}</span></td>'
            f"<td><strong>{esc(s.title)}</strong>{quote(facts.passage(s.check_id))}</td>"
            f'<td class="num">{esc(cases)}</td></tr>'
        )
    table = (
        '<table class="trc-table trc-checklist"><thead><tr><th>Status</th><th>Item of the Code'
        "</th><th>Cases</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    counts = {k: sum(1 for s in standings if s.status == k) for k in STATUS_WORDS}
    takeaway = (
        f"{counts['kept']} kept, {counts['attention']} worth a look, {counts['no_cases']} with no "
        f"cases in the period, {counts['not_evaluated']} not recorded in the workspace."
    )
    return Section(
        _heading(checklist),
        takeaway=takeaway,
        html_blocks=[table],
        notes=[
            "“Kept” means every case the records show for the period kept the item; the "
            "passages are quoted from the Code as written."
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
        short, "goals", "count", x_title="Goals", value_format="d", sort_by_value=False
    )
    return Section(_heading(goals), takeaway=takeaway, chart=chart, tables=[Table("", table)])


@shows_missing
def giving(ctx: ReportContext) -> Section:
    """Pro-bono and reduced-fee work and community service given."""
    coach = _coach(ctx)
    aff = facts.first_row(ctx.metric("affordable_service", coach)[0])
    community, note = facts.community(ctx, coach)
    value, _ = ctx.metric("value_given", coach)
    takeaway = (
        f"You gave {num(aff.get('pro_bono_hours'), 1)} pro-bono hours, "
        f"{num(aff.get('reduced_hours'), 1)} reduced-fee hours and "
        f"{num(aff.get('community_hours') or 0, 1)} hours of community service to survivors."
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
            Figure("Pro-bono hours", aff.get("pro_bono_hours")),
            Figure("Reduced-fee hours", aff.get("reduced_hours")),
            Figure("Share of your hours", aff.get("affordable_share"), column="x_share"),
            Figure("Community-service hours", aff.get("community_hours")),
        ],
        chart=chart,
        tables=[
            Table("Community service in the period", community),
            Table("Estimated value given, at your usual hourly fee", value.drop("coach_id")),
        ],
        notes=[note] if note else [],
    )


@shows_missing
def keeping_up(ctx: ReportContext) -> Section:
    """Credentials, the ethics review, training and supervision."""
    coach = _coach(ctx)
    creds, creds_note = ctx.metric("credential_status", coach)
    train = facts.first_row(ctx.metric("training_hours", coach)[0])
    sup, _ = ctx.metric("supervision_hours", coach)
    review = facts.first_row(ctx.metric("ethics_review", coach)[0])
    lines = []
    for c in creds.iter_rows(named=True):  # one row per credential kind
        if c["status"] == "current":
            lines.append(f"Your {c['credential']} credential is current until {c['expires_on']}.")
        elif c["status"] == "due":
            lines.append(
                f"Your {c['credential']} credential comes up for renewal on {c['expires_on']}: "
                "a good time to plan the ethics review course."
            )
        elif c["status"] == "grace":
            lines.append(
                f"Your {c['credential']} credential is in its renewal grace period until "
                f"{c['grace_ends_on']}."
            )
        else:
            lines.append(
                f"Your {c['credential']} credential is ready for renewal with "
                f"{num(ctx.policy.lapse_supervision_hours)} hours of one-to-one supervision "
                f"({num(c['remediation_hours'] or 0, 1)} done so far)."
            )
    last = review.get("last_review_on")
    lines.append(
        f"Last Code of Ethics review course: {last}."
        if last
        else "No Code of Ethics review course on record yet."
    )
    lines.append(
        f"{num(train.get('hours') or 0, 1)} training hours in the "
        f"{ctx.policy.training_window_months} months to {long_date(ctx.period.as_of)}."
    )
    takeaway = (
        f"{num(train.get('hours') or 0, 1)} hours of training and "
        f"{num(sup['hours'].sum() or 0, 1)} hours of supervision support your growth."
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


#: The sections, in notebook order: (title, function) pairs (the report's contents).
SECTIONS: Outline = (
    ("What is going well", going_well),
    ("Growth areas and next steps", growth),
    ("The Code, item by item", checklist),
    ("Goals reached with clients", goals),
    ("Giving back to the community", giving),
    ("Keeping up to date", keeping_up),
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

    return [
        w for w in SHAMING_WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.I)
    ]
