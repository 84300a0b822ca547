"""A report's context holds the one Scope of its period and coaches."""

from __future__ import annotations

from builders import build, coach, session

from trc_analytics.reports.context import open_report


def test_a_coach_report_scopes_its_coach_and_its_period():
    ws = build(
        coaches=[coach(), coach("C-2")],
        sessions=[
            session("S-1", held_on="2026-02-01"),
            session("S-2", held_on="2026-02-01", coach_id="C-2"),
            session("S-3", held_on="2026-08-01"),
        ],
    )
    ctx = open_report(
        "self-audit", date_from="2026-01-01", date_to="2026-06-30", workspace=ws, coach="C-1"
    )
    assert ctx.scope.coaches == ("C-1",)
    assert ctx.scope.period == ctx.period and ctx.scope.policy == ctx.policy
    held = ctx.scope.held_in_period().collect()
    assert held.select("coach_id", "held_on").rows() == [("C-1", held["held_on"][0])]
    assert held["held_on"][0].isoformat() == "2026-02-01"


def test_the_association_report_scopes_every_coach():
    ws = build(coaches=[coach(), coach("C-2")])
    ctx = open_report("association", date_from="2026-01-01", date_to="2026-06-30", workspace=ws)
    assert ctx.scope.coaches is None
