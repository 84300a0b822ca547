"""Supervision-cycle metrics on small hand-built workspaces (figures worked out by hand):
agreed actions, the review schedule, clients to discuss, supervision agreed vs received."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import build, client, coach, engagement, period, row, session

from trc_analytics.errors import MissingTables
from trc_analytics.metrics import registry
from trc_analytics.metrics import supervision_cycle as cycle
from trc_analytics.policy import Policy

D = dt.date.fromisoformat
PERIOD = period("2026-01-01", "2026-06-30")


def action(action_id: str, **values) -> dict:
    return row("supervision_actions", action_id=action_id, **values)


def actions_world():
    return build(
        coaches=[coach("C-1"), coach("C-2", region="south")],
        supervision_actions=[
            # agreed before the period, never done, due in January: overdue 166 days at 30 June
            action("SA-1", agreed_on="2025-12-01", due_on="2026-01-15"),
            # open, due after the period end
            action("SA-2", agreed_on="2026-03-01", due_on="2026-09-01", owner="supervisor"),
            # done in the period
            action("SA-3", agreed_on="2026-02-01", due_on="2026-05-01", done_on="2026-04-01"),
            # done before the period: closed at an earlier review, not listed
            action("SA-4", agreed_on="2025-11-01", due_on="2025-12-31", done_on="2025-12-20"),
            # agreed after the period end: not yet known
            action("SA-5", agreed_on="2026-07-10", due_on="2026-08-01"),
            # done after the period end: still overdue as of the period end
            action("SA-6", agreed_on="2026-03-01", due_on="2026-05-01", done_on="2026-08-01"),
            action("SA-7", coach_id="C-2", agreed_on="2026-05-01", due_on="2026-06-01"),
        ],
    )


def test_actions_list_overdue_first_then_open_then_done_and_skip_earlier_or_later_ones():
    got = cycle.supervision_action_list(actions_world(), PERIOD)
    assert got.select("coach_id", "action_id", "status", "days_overdue").rows() == [
        ("C-1", "SA-1", "overdue", 166),
        ("C-1", "SA-6", "overdue", 60),
        ("C-1", "SA-2", "open", None),
        ("C-1", "SA-3", "done in period", None),
        ("C-2", "SA-7", "overdue", 29),
    ]
    assert got.filter(action_id="SA-6")["done_on"].to_list() == [None]  # not known at 30 June


def test_the_review_schedule_counts_actions_and_proposes_the_next_review():
    got = cycle.review_schedule(actions_world(), PERIOD, coaches="C-1")
    assert got.rows() == [("C-1", 3, 2, 1, D("2026-09-01"), D("2026-09-28"))]  # SA-2: not overdue
    sooner = cycle.review_schedule(
        actions_world(), PERIOD, policy=Policy().with_overrides(review_interval_days=30)
    )
    assert sooner["next_review_on"].to_list() == [D("2026-07-30")] * 2


def test_the_review_schedule_needs_no_actions_table():
    got = cycle.review_schedule(build(coaches=[coach("C-1")]), PERIOD)
    assert got.rows() == [("C-1", 0, 0, 0, None, D("2026-09-28"))]


def test_the_action_list_says_its_table_is_missing():
    with pytest.raises(MissingTables, match="no supervision_actions records"):
        cycle.supervision_action_list(build(coaches=[coach("C-1")]), PERIOD)


def test_review_interval_days_has_a_range():
    from trc_analytics.policy import PolicyError

    with pytest.raises(PolicyError, match="review_interval_days"):
        Policy().with_overrides(review_interval_days=0)
    assert Policy().with_overrides(review_interval_days=7).review_interval_days == 7


def supervision(sid: str, met_on: str, hours: float, coach_id: str = "C-1") -> dict:
    return row("supervision", supervision_id=sid, coach_id=coach_id, met_on=met_on, hours=hours)


def test_agreed_vs_received_per_quarter_prorates_a_part_quarter():
    ws = build(
        coaches=[coach("C-1", supervision_hours_per_quarter=6.0), coach("C-2")],
        supervision=[
            supervision("SV-1", "2026-02-01", 2.0),
            supervision("SV-2", "2026-05-01", 1.5),
            supervision("SV-3", "2026-05-20", 1.0),
            supervision("SV-4", "2026-06-10", 9.0),  # after the period (ends 31 May)
            supervision("SV-5", "2026-03-01", 1.0, coach_id="C-2"),
        ],
    )
    got = cycle.supervision_agreed_vs_received(ws, period("2026-01-01", "2026-05-31"))
    rounded = [
        (*r[:2], r[2], r[3], r[4], None if r[5] is None else round(r[5], 3)) for r in got.rows()
    ]
    assert rounded == [
        ("C-1", D("2026-01-01"), 6.0, 2.0, 1, 0.333),
        ("C-1", D("2026-04-01"), 4.02, 2.5, 2, 0.622),  # 6 x 61/91 days of Q2
        ("C-2", D("2026-01-01"), None, 1.0, 1, None),  # nothing agreed on record
        ("C-2", D("2026-04-01"), None, 0.0, 0, None),
    ]
    by_region = cycle.supervision_agreed_vs_received(ws, PERIOD, by="region")
    assert by_region.filter(quarter=D("2026-04-01"))["received_hours"].to_list() == [11.5]


def discuss_world():
    return build(
        coaches=[coach("C-1")],
        clients=[client(k) for k in ("K-1", "K-2", "K-3", "K-4")],
        engagements=[
            engagement("E-1", client_id="K-1", ended_on="2026-04-01"),
            engagement("E-2", client_id="K-2", ended_on="2026-03-05"),
            engagement("E-3", client_id="K-3"),
            engagement("E-4", client_id="K-4"),
        ],
        sessions=[
            session("S-0", client_id="K-1", held_on="2025-12-01", left_triggered_unsafe=True),
            session("S-1", client_id="K-1", held_on="2026-02-10", left_triggered_unsafe=True),
            session("S-2", client_id="K-1", held_on="2026-03-01"),
            session("S-3", engagement_id="E-3", client_id="K-3", held_on="2026-06-20"),
            session("S-4", engagement_id="E-4", client_id="K-4", held_on="2026-02-01"),
            session(
                "S-5",
                engagement_id="E-3",
                client_id="K-3",
                held_on="2026-06-25",
                status="no_show",
                decompensation_observed=True,
            ),
        ],
        safety_assessments=[
            row(
                "safety_assessments",
                assessment_id="A-2",
                client_id="K-2",
                engagement_id="E-2",
                assessed_on="2026-03-05",
                outcome="excluded",
                exclusion_reason="active_suicidality",
            )
        ],
        referrals=[row("referrals", client_id="K-1", referred_on="2026-02-12")],
    )


def test_clients_to_discuss_with_what_followed():
    got = cycle.clients_to_discuss(discuss_world(), PERIOD)
    assert got.select("client_id", "event_on", "event", "followed").rows() == [
        (
            "K-4",
            D("2026-02-01"),
            "silent engagement: no held session for 149 days",
            "nothing recorded since",
        ),
        (
            "K-1",
            D("2026-02-10"),
            "triggered exit: left a session triggered and unsafe",
            "referral on 2026-02-12; next session on 2026-03-01",
        ),
        (
            "K-2",
            D("2026-03-05"),
            "excluded after assessment (active suicidality)",
            "nothing recorded since",
        ),
    ]


def test_clients_to_discuss_need_one_of_their_tables():
    with pytest.raises(MissingTables):
        cycle.clients_to_discuss(build(coaches=[coach("C-1")]), PERIOD)
    only_sessions = build(
        sessions=[session("S-1", held_on="2026-02-01", client_under_influence=True)]
    )
    got = cycle.clients_to_discuss(only_sessions, PERIOD)
    assert got.select("client_id", "followed").rows() == [("K-1", "nothing recorded since")]


def test_the_cycle_metrics_are_registered():
    names = set(registry())
    assert {
        "supervision_action_list",
        "review_schedule",
        "clients_to_discuss",
        "supervision_agreed_vs_received",
    } <= names
