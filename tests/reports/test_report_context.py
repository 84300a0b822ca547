"""A report's context holds the one Scope of its period and coaches."""

from __future__ import annotations

from builders import build, coach, engagement, session

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


def test_formats_with_equal_hours_come_in_the_order_of_their_names_every_time():
    """group_by's order differs between runs: a tie in hours once swapped the rows (and the
    chart's bars) of the practice mix from one render to the next."""
    from trc_analytics.reports.sections import format_mix

    formats = {"E-1": "psychoeducation", "E-2": "group", "E-3": "one_to_one"}
    held = ["E-1", "E-2", "E-3", "E-2", "E-1"]  # psychoeducation and group: 2 hours each
    ws = build(
        coaches=[coach()],
        engagements=[engagement(e, format=f) for e, f in formats.items()],
        sessions=[
            session(f"S-{i}", engagement_id=e, held_on="2026-02-01") for i, e in enumerate(held)
        ],
    )
    ctx = open_report(
        "supervisor", date_from="2026-01-01", date_to="2026-06-30", workspace=ws, coach="C-1"
    )
    for _ in range(5):
        mix = format_mix(ctx, "C-1")
        assert mix["format"].to_list() == ["group", "psychoeducation", "one_to_one"]
        assert mix["hours"].to_list() == [2.0, 2.0, 1.0]  # most hours first, ties by name
