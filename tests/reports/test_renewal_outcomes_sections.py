"""Renewal readiness and goal attainment as the three reports show them, on small workspaces
built here (figures worked out by hand in tests/metrics/test_metrics_renewal.py and
test_metrics_attainment.py)."""

from __future__ import annotations

import re

from builders import build, client, coach, engagement, row, session

from trc_analytics.policy import Policy
from trc_analytics.reports import association, self_audit, supervisor
from trc_analytics.reports.association import release as rel
from trc_analytics.reports.context import open_report
from trc_analytics.reports.self_audit import reader_text, shaming_words


def text(html: str) -> str:
    """The words of a section, tags and charts left out, spaces collapsed."""
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())


def coach_workspace(**replace):
    """C-1: initial credential expiring 2026-09-15 (77 days after 2026-06-30), 25 h of
    training, a pro-bono session, no ethics review course -> at risk. Advanced credential
    expired 2025-06-01 -> lapsed. Goals: E-1 scored +1 (weight 2) and 0 -> T 58.0; E-2 has 4
    held sessions and no goal. Measures: K-1 on a wellbeing scale, 20 then 26."""
    tables = dict(
        coaches=[coach("C-1")],
        credentials=[
            row("credentials", certified_on="2024-09-01", expires_on="2026-09-15"),
            row(
                "credentials",
                credential="advanced",
                certified_on="2023-06-01",
                expires_on="2025-06-01",
            ),
        ],
        trainings=[row("trainings", completed_on="2025-05-01", hours=25.0)],
        clients=[client("K-1"), client("K-2")],
        engagements=[engagement("E-1"), engagement("E-2", client_id="K-2")],
        sessions=[session("S-1", held_on="2026-03-01", fee_type="pro_bono")]
        + [
            session(f"S-2{i}", engagement_id="E-2", client_id="K-2", held_on=f"2026-02-0{i}")
            for i in range(1, 5)
        ],
        goals=[
            row("goals", goal_id="G-1", attained_level=1, baseline_level=-1, weight=2.0),
            row("goals", goal_id="G-2", attained_level=0, baseline_level=-2),
        ],
        measures=[
            row("measures", measured_on="2026-01-10", score=20.0),
            row("measures", measured_on="2026-05-10", score=26.0),
        ],
    )
    tables.update(replace)
    return build(**tables)


def context(kind: str, ws, **subject):
    return open_report(kind, date_from="2026-01-01", date_to="2026-06-30", workspace=ws, **subject)


def test_supervisor_review_leads_with_the_lapsed_credential_then_the_one_at_risk():
    ctx = context("supervisor", coach_workspace(), coach="C-1")
    got = text(supervisor.renewal_readiness(ctx, "C-1").to_html())
    assert "Renewals as of the period end: 1 lapsed, 1 at risk." in got
    lapsed = got.index("Coach C-1's advanced credential expired on 2025-06-01")
    at_risk = got.index(
        "Coach C-1's initial credential expires on 2026-09-15, in 77 days: at risk, with "
        "Code of Ethics review course still to do and fewer than 90 days left."
    )
    assert lapsed < at_risk
    assert (
        "Continuing education done 25 of 20 hours since 2024-09-01, not counting the "
        "ethics review course"
    ) in got
    assert "Affordable service done 1 hour since 2024-09-01" in got


def test_self_audit_tells_renewal_strength_first_without_shaming_words():
    ctx = context("self-audit", coach_workspace(), coach="C-1")
    html = self_audit.renewal_readiness(ctx).to_html()
    got = text(html)
    assert got.startswith(
        "Renewal readiness Done for your renewal so far: affordable service, continuing "
        "education. Still to do before 2026-09-15: Code of Ethics review course."
    )
    assert "Your initial credential expires on 2026-09-15" in got
    assert shaming_words(reader_text(html)) == []


def test_a_missing_trainings_table_is_named_not_read_as_a_course_not_taken():
    import dataclasses

    full = coach_workspace()
    ws = dataclasses.replace(
        full, tables={k: v for k, v in full.tables.items() if k != "trainings"}
    )
    got = text(
        supervisor.renewal_readiness(context("supervisor", ws, coach="C-1"), "C-1").to_html()
    )
    assert (
        "No trainings records in this workspace: the review course and continuing education "
        "show as still to do because nothing is recorded, not because it was found missing."
    ) in got
    with_trainings = text(
        supervisor.renewal_readiness(context("supervisor", full, coach="C-1"), "C-1").to_html()
    )
    assert "No trainings records" not in with_trainings  # the near miss: the table is there
    assert "No supervision records" in with_trainings  # this workspace has none


def test_a_ready_renewal_says_every_requirement_is_in_place():
    ready = coach_workspace(
        credentials=[row("credentials", certified_on="2024-09-01", expires_on="2026-09-15")],
        trainings=[
            row("trainings", completed_on="2025-05-01", hours=25.0),
            row("trainings", training_id="T-2", completed_on="2026-01-10", kind="ethics_review"),
        ],
    )
    got = text(self_audit.renewal_readiness(context("self-audit", ready, coach="C-1")).to_html())
    assert "Every requirement of the cycle is in place." in got
    assert "in 77 days: ready, every requirement of the cycle is done." in got


def test_credentials_of_one_cycle_share_one_requirements_table():
    same = coach_workspace(
        credentials=[
            row("credentials", certified_on="2024-09-01", expires_on="2026-09-15"),
            row(
                "credentials",
                credential="group",
                certified_on="2024-09-01",
                expires_on="2026-09-15",
            ),
        ]
    )
    got = text(supervisor.renewal_readiness(context("supervisor", same, coach="C-1"), "C-1")
               .to_html())  # fmt: skip
    assert got.count("the requirements of the cycle since 2024-09-01") == 1
    assert "group, initial: the requirements of the cycle since 2024-09-01" in got
    assert got.count(": at risk, with Code of Ethics review course still to do") == 2


def test_goal_attainment_section_by_hand():
    ctx = context("supervisor", coach_workspace(), coach="C-1")
    got = text(supervisor.goal_attainment(ctx, "C-1").to_html())
    assert "100% of 2 scored goals reached the expected outcome or more" in got
    assert "mean goal attainment T-score over 1 engagement is 58.0" in got
    assert "E-1 K-1 2 3.0 58.0" in got  # engagement, client, goals, weights, T
    assert "No goal recorded yet (at least 4 sessions held) Engagement id Client id" in got
    assert "E-2 K-2 4 2026-02-01 2026-02-04" in got
    assert "wellbeing higher is better 1 1 1 20.0 26.0" in got


def test_without_measures_the_goal_section_says_so():
    ctx = context("self-audit", _no_measures(), coach="C-1")
    got = text(self_audit.attainment(ctx).to_html())
    assert "No measures records: outcome measures are not shown." in got
    assert "Goals set" not in got  # the self-audit shows the counts in the section before


def _no_measures():
    ws = coach_workspace()
    return build(**{n: f.to_dicts() for n, f in ws.tables.items() if n != "measures"})


def association_workspace():
    """Six coaches in one region, each with a credential expiring 30 days after the period
    end and no ethics review course (at risk), and two scored goals with one client (0 and
    -1): 6 of 12 scored goals at or above the expected outcome."""
    ids = [f"C-{i}" for i in range(1, 7)]
    return build(
        coaches=[coach(c) for c in ids],
        credentials=[
            row("credentials", coach_id=c, certified_on="2024-07-31", expires_on="2026-07-30")
            for c in ids
        ],
        clients=[client(f"K-{c}", coach_id=c) for c in ids],
        engagements=[engagement(f"E-{c}", coach_id=c, client_id=f"K-{c}") for c in ids],
        goals=[
            row("goals", goal_id=f"G-{c}-{n}", coach_id=c, client_id=f"K-{c}", attained_level=n)
            for c in ids
            for n in (0, -1)
        ],
    )


def test_association_publishes_renewals_due_and_attainment_through_the_release():
    ctx = open_report(
        "association",
        date_from="2026-01-01",
        date_to="2026-06-30",
        workspace=association_workspace(),
        min_cell=5,
    )
    assert ctx.policy == Policy(min_cell=5)
    release = rel.release_of(ctx)
    assert release.row_keys(rel.RENEWALS) == ["ready", "at risk"]
    assert release.row_keys(rel.ATTAINMENT) == ["north"]
    got = text(association.renewals(ctx).to_html())
    assert "6 renewals are due in the next 90 days: 0 ready, 6 at risk" in got
    got = text(association.attainment(ctx).to_html())
    assert "50% of 12 scored goals in every region reached the expected outcome or more." in got
    assert "C-1" not in got and "K-C-1" not in got


def test_association_hides_renewals_too_few_to_publish():
    ws = association_workspace()
    few = build(
        **{n: f.to_dicts() for n, f in ws.tables.items() if n != "credentials"},
        credentials=[
            row("credentials", coach_id="C-1", certified_on="2024-07-31", expires_on="2026-07-30")
        ],
    )
    ctx = open_report("association", date_from="2026-01-01", date_to="2026-06-30", workspace=few)
    got = text(association.renewals(ctx).to_html())
    assert "Renewals due in the next 90 days are too few to publish this period." in got
    assert "suppressed" in got
