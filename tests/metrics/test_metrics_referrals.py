"""Referral-pattern metrics on the hand-built workspace of `metrics_world`."""

from __future__ import annotations

import pytest
from metrics_world import PERIOD, D, rows, world

from trc_analytics.errors import MissingTables
from trc_analytics.metrics import referrals as rp
from trc_analytics.period import Period
from trc_analytics.policy import Policy


def test_referrals_by_reason_and_service_type_within_the_period():
    ws = world()
    assert rows(rp.referrals_by(ws, PERIOD)) == [
        ("C-1", "client_request", "support_group", 1),  # R-2 on the last day
        ("C-1", "decompensation", "therapist", 1),
        ("C-3", "coach_closing_practice", "another_coach", 1),
    ]  # R-0 (2025-12-31) is outside
    assert rows(rp.referrals_by(ws, PERIOD, by="region", coaches=["C-3"])) == [
        ("south", "coach_closing_practice", "another_coach", 1)
    ]


def test_vetted_share_counts_services_vetted_on_or_before_the_referral():
    got = rp.vetted_share(world(), PERIOD)
    # R-2 went to V-2, which C-1 vetted only two days later.
    assert rows(got) == [
        ("C-1", 2, 1, 0.5),
        ("C-2", 0, 0, None),
        ("C-3", 1, 1, 1.0),
        ("C-4", 0, 0, None),
    ]


def test_vetted_share_needs_the_vetted_services_table():
    with pytest.raises(MissingTables, match=r"^no vetted_services records$"):
        rp.vetted_share(world(vetted_services=None), PERIOD)


def test_referral_rate_per_100_active_clients():
    got = rp.referral_rate(world(), PERIOD, by="region")
    # north: 5 active clients, 2 referrals; south: 2 clients, 1 referral
    assert rows(got) == [("north", 5, 2, 40.0), ("south", 2, 1, 50.0)]
    by_coach = rp.referral_rate(world(), PERIOD)
    assert rows(by_coach, "coach_id", "referrals_per_100_clients") == [
        ("C-1", 50.0), ("C-2", 0.0), ("C-3", 50.0), ("C-4", None),
    ]  # fmt: skip


def test_crisis_to_referral_lists_each_flag_with_its_therapy_referral():
    got = rp.crisis_to_referral(world(), PERIOD)
    assert rows(
        got, "coach_id", "client_id", "session_id", "referral_id", "days_to_referral",
        "within_window",
    ) == [
        ("C-1", "K-2", "S-4", "R-1", 4, False),  # 4 days: past the default 2
        # K-5 was referred to another coach, not to therapy: no referral counts
        ("C-3", "K-5", "S-11", None, None, False),
    ]  # fmt: skip


def test_crisis_to_referral_window_comes_from_the_policy():
    got = rp.crisis_to_referral(world(), PERIOD, policy=Policy(decompensation_referral_days=3))
    assert got.get_column("within_window").to_list() == [False, False]
    wide = rp.crisis_to_referral(world(), PERIOD, policy=Policy(decompensation_referral_days=4))
    assert wide.get_column("within_window").to_list() == [True, False]


def test_crisis_referral_after_the_period_end_is_not_seen_yet():
    # As of Jan 10 the referral of Jan 12 has not happened.
    early = Period(D("2026-01-01"), D("2026-01-10"))
    got = rp.crisis_to_referral(world(), early)
    assert rows(got, "session_id", "referral_id", "within_window") == [("S-4", None, False)]


def test_crisis_to_referral_summary():
    got = rp.crisis_to_referral_summary(world(), PERIOD)
    assert rows(got) == [
        ("C-1", 1, 1, 0, 4.0, 4),
        ("C-2", 0, 0, 0, None, None),
        ("C-3", 1, 0, 0, None, None),
        ("C-4", 0, 0, 0, None, None),
    ]


def test_coach_initiated_exits_with_and_without_explanation_and_referral():
    got = rp.coach_initiated_exits(world(), PERIOD, by="region")
    # south: E-5 released with explanation and referral R-3; E-7 closed with neither.
    assert rows(got) == [("north", 0, 0, 0, 0, 0), ("south", 2, 1, 1, 1, 1)]
