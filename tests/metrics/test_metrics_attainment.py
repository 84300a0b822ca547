"""Goal Attainment Scaling, goals not recorded and outcome measures, worked out by hand.

T = 50 + 10 * sum(w x) / sqrt((1 - rho) sum(w^2) + rho (sum w)^2), rho = 0.3:
- E-1 (K-1): levels +1 (weight 2) and 0 (weight empty = 1): 50 + 10 * 2 / sqrt(0.7 * 5 +
  0.3 * 9) = 50 + 20 / sqrt(6.2) = 58.0322.
- E-2 (K-2): one goal at -1: 50 + 10 * -1 / sqrt(0.7 + 0.3) = 40.
- E-3 (K-3): +2, +1, -1 unweighted: 50 + 10 * 2 / sqrt(0.7 * 3 + 0.3 * 9) = 50 + 20 /
  sqrt(4.8) = 59.1287.
"""

from __future__ import annotations

import math

import pytest
from builders import build, client, engagement, period, row, session

from trc_analytics.metrics import goals
from trc_analytics.policy import Policy
from trc_analytics.scope import Scope

PERIOD = period()


def goal(gid: str, client_id: str, level: int | None, **values) -> dict:
    return row(
        "goals", goal_id=gid, client_id=client_id, attained_level=level, baseline_level=-1, **values
    )


def sessions(engagement_id: str, client_id: str, n: int) -> list[dict]:
    return [
        session(
            f"S-{engagement_id}-{i}",
            engagement_id=engagement_id,
            client_id=client_id,
            held_on=f"2026-02-{i + 1:02d}",
        )
        for i in range(n)
    ]


def workspace(**replace):
    tables = dict(
        clients=[client(k) for k in ("K-1", "K-2", "K-3", "K-4", "K-5")],
        engagements=[
            engagement("E-1", client_id="K-1", started_on="2026-01-05"),
            engagement("E-2", client_id="K-2", started_on="2026-01-05"),
            engagement("E-3", client_id="K-3", started_on="2026-01-05"),
            engagement("E-4", client_id="K-4", started_on="2026-01-05"),
            engagement("E-5", client_id="K-5", started_on="2026-01-05"),
            # K-1's earlier engagement, closed before the period: its goal is not E-1's
            engagement("E-0", client_id="K-1", started_on="2025-01-05", ended_on="2025-06-30"),
        ],
        goals=[
            goal("G-1", "K-1", 1, weight=2.0),  # no engagement given: K-1's open one, E-1
            goal("G-2", "K-1", 0, engagement_id="E-1"),
            goal("G-0", "K-1", -2, set_on="2025-02-01"),  # E-0's, closed before the period
            goal("G-3", "K-2", -1),
            goal("G-4", "K-2", None),  # not scored yet
            goal("G-5", "K-2", 2, weight=0.0),  # weight 0: left out
            goal("G-6", "K-3", 2),
            goal("G-7", "K-3", 1),
            goal("G-8", "K-3", -1),
        ],
        sessions=sessions("E-4", "K-4", 4) + sessions("E-5", "K-5", 3),
    )
    tables.update(replace)
    return build(**tables)


def test_gas_t_scores_per_engagement_by_hand():
    got = {r["engagement_id"]: r for r in goals.goal_attainment(workspace(), PERIOD).to_dicts()}
    assert list(got) == ["E-1", "E-2", "E-3"]
    assert got["E-1"]["t_score"] == pytest.approx(50 + 20 / math.sqrt(6.2))
    assert got["E-1"]["t_score"] == pytest.approx(58.0322, abs=1e-4)
    assert (got["E-1"]["goals"], got["E-1"]["weights"]) == (2, 3.0)
    assert got["E-1"]["attained_mean"] == pytest.approx(2 / 3)
    assert got["E-2"]["t_score"] == pytest.approx(40.0)
    assert got["E-2"]["goals"] == 1
    assert got["E-3"]["t_score"] == pytest.approx(59.1287, abs=1e-4)


def test_a_goal_maps_to_the_engagement_open_when_it_was_set():
    mapped = goals.goal_engagements(Scope.make(workspace(), PERIOD)).collect()
    by_goal = dict(zip(mapped["goal_id"], mapped["engagement_id"], strict=True))
    assert (by_goal["G-1"], by_goal["G-0"], by_goal["G-3"]) == ("E-1", "E-0", "E-2")


def test_attainment_levels_count_each_scored_goal_once():
    got = goals.attainment_levels(workspace(), PERIOD).row(0, named=True)
    # E-1: +1, 0; E-2: -1; E-3: +2, +1, -1
    assert got == {
        "coach_id": "C-1",
        "scored": 6,
        "much_less": 0,
        "less": 2,
        "expected": 1,
        "more": 2,
        "much_more": 1,
        "at_or_above": 4,
    }


def test_no_goal_recorded_from_goal_after_sessions_held_sessions():
    listed = goals.goals_not_recorded(workspace(), PERIOD)
    assert listed.select("engagement_id", "held_sessions").rows() == [("E-4", 4)]
    three = Policy().with_overrides(goal_after_sessions=3)
    listed = goals.goals_not_recorded(workspace(), PERIOD, policy=three)
    assert listed["engagement_id"].to_list() == ["E-4", "E-5"]


def test_a_goal_for_the_engagement_takes_it_off_the_list():
    extra = goal("G-9", "K-4", None)
    ws = workspace(goals=[*workspace()["goals"].to_dicts(), extra])
    assert goals.goals_not_recorded(ws, PERIOD).is_empty()


def measure(client_id: str, on: str, score: float, direction: str, instrument: str) -> dict:
    return row(
        "measures",
        client_id=client_id,
        measured_on=on,
        score=score,
        direction=direction,
        instrument=instrument,
    )


def test_measure_change_follows_each_instruments_direction():
    ws = workspace(
        measures=[
            measure("K-1", "2026-01-10", 20, "higher_better", "wellbeing"),
            measure("K-1", "2026-05-10", 26, "higher_better", "wellbeing"),
            measure("K-2", "2026-01-10", 30, "lower_better", "distress"),
            measure("K-2", "2026-05-10", 24, "lower_better", "distress"),
            measure("K-3", "2026-01-10", 30, "lower_better", "distress"),
            measure("K-3", "2026-07-10", 10, "lower_better", "distress"),  # after the period
        ]
    )
    got = goals.measure_change(ws, PERIOD)
    assert got.select("client_id", "instrument", "measured", "change", "improved").rows() == [
        ("K-2", "distress", 2, -6.0, True),
        ("K-3", "distress", 1, 0.0, None),
        ("K-1", "wellbeing", 2, 6.0, True),
    ]
    assert goals.measure_scores(ws, PERIOD).height == 5
