"""Caseload metrics on the hand-built workspace of `metrics_world` (expected values by hand)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from metrics_world import PERIOD, D, rows, world, world_frames

from trc_analytics.metrics import caseload
from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.records.workspace import Workspace

JAN, FEB, MAR = D("2026-01-01"), D("2026-02-01"), D("2026-03-01")


def test_active_clients_count_open_engagements_sessions_and_group_members_per_month():
    # C-1: Jan K-1 (E-1), K-2 (E-2), K-6 (G-1 until Jan 31); Feb K-1, K-2, K-7 (joined Feb 1);
    # Mar K-2, K-7, K-1 (E-1 ended Feb 20 but K-1 joined the group Mar 1). K-3 has no
    # engagement. C-2: K-8's open E-4. C-3: K-10 in Jan (E-7, one day), K-5 from Feb 10.
    # C-4 is listed with zeros.
    got = caseload.active_clients_by_month(world(), PERIOD)
    assert rows(got) == [
        ("C-1", JAN, 3), ("C-1", FEB, 3), ("C-1", MAR, 3),
        ("C-2", JAN, 1), ("C-2", FEB, 1), ("C-2", MAR, 1),
        ("C-3", JAN, 1), ("C-3", FEB, 1), ("C-3", MAR, 1),
        ("C-4", JAN, 0), ("C-4", FEB, 0), ("C-4", MAR, 0),
    ]  # fmt: skip


def test_active_clients_by_region_count_each_client_once():
    got = caseload.active_clients_by_month(world(), PERIOD, by="region")
    assert rows(got) == [
        ("north", JAN, 4), ("north", FEB, 4), ("north", MAR, 4),
        ("south", JAN, 1), ("south", FEB, 1), ("south", MAR, 1),
    ]  # fmt: skip


def test_a_one_day_period_counts_who_was_open_or_present_that_day():
    ws = world()
    one_day = Period(D("2026-03-31"), D("2026-03-31"))
    got = caseload.active_clients_by_month(ws, one_day, coaches=["C-1"])
    assert rows(got) == [("C-1", MAR, 3)]  # K-2 (E-2 open), K-7 and K-1 in the group


def test_new_intakes_include_both_period_edges_and_exclude_the_day_after():
    got = caseload.new_intakes(world(), PERIOD, coaches=["C-1", "C-2"])
    # C-1: K-2 on Jan 1 and K-7 on Jan 20; K-3 on Mar 31. C-2: K-4 comes on Apr 1 (outside).
    assert rows(got) == [
        ("C-1", JAN, 2), ("C-1", FEB, 0), ("C-1", MAR, 1),
        ("C-2", JAN, 0), ("C-2", FEB, 0), ("C-2", MAR, 0),
    ]  # fmt: skip


def test_closures_by_end_reason():
    ws = world()
    assert rows(caseload.closures(ws, PERIOD)) == [
        ("C-1", "client_withdrew", 1),
        ("C-3", "coach_closed_practice", 1),
        ("C-3", "coach_released_client", 1),
    ]  # E-6 ended 2025-12-31, the day before the period
    assert rows(caseload.closures(ws, PERIOD, by="region")) == [
        ("north", "client_withdrew", 1),
        ("south", "coach_closed_practice", 1),
        ("south", "coach_released_client", 1),
    ]


def test_sessions_by_month_format_and_delivery_count_held_sessions_and_hours():
    got = caseload.sessions_by(world(), PERIOD)
    assert rows(got) == [
        ("C-1", JAN, "group", "video", 1, 2.0),
        ("C-1", JAN, "one_to_one", "in_person", 1, 1.5),
        ("C-1", JAN, "one_to_one", "video", 1, 1.0),
        ("C-1", FEB, "group", "video", 1, 2.0),
        ("C-1", MAR, "group", "not_recorded", 1, 2.0),
        ("C-3", FEB, "one_to_one", "phone", 1, 1.0),
    ]


def test_attendance_shares_of_every_session_record():
    got = caseload.attendance(world(), PERIOD)
    # C-1 has 8 records in the period: 5 held, 1 no-show, 1 cancelled, 1 rescheduled.
    c1 = got.filter(coach_id="C-1").row(0, named=True)
    assert (c1["sessions"], c1["held"], c1["no_show"], c1["cancelled"], c1["rescheduled"]) == (
        8, 5, 1, 1, 1,
    )  # fmt: skip
    assert c1["held_share"] == pytest.approx(5 / 8)
    assert c1["no_show_share"] == pytest.approx(1 / 8)
    c2 = got.filter(coach_id="C-2").row(0, named=True)
    assert c2["sessions"] == 0 and c2["held_share"] is None  # no basis for a share


def test_engagement_length_of_engagements_ended_in_the_period():
    got = caseload.engagement_length(world(), PERIOD)
    # E-1: 2025-12-15 -> 2026-02-20 = 67 days; C-3: E-5 49 days and E-7 0 days.
    assert rows(got) == [
        ("C-1", "one_to_one", 1, 67.0, 67.0, 67),
        ("C-3", "one_to_one", 2, 24.5, 24.5, 49),
    ]


def test_unplanned_ending_rate_is_client_withdrawals_over_endings():
    got = caseload.unplanned_ending_rate(world(), PERIOD)
    assert rows(got) == [
        ("C-1", 1, 1, 1.0),
        ("C-2", 0, 0, None),
        ("C-3", 2, 0, 0.0),
        ("C-4", 0, 0, None),
    ]


def test_silent_engagements_are_open_with_no_held_session_within_the_policy_window():
    ws = world()
    got = caseload.silent_engagements(ws, PERIOD)
    # E-2: last held session Jan 8 (then cancelled, rescheduled; the Apr 1 one is after the
    # period) -> 82 days. E-4: last session 2025-12-01 -> 120 days. E-3 met on Mar 31.
    assert rows(got, "coach_id", "region", "engagement_id", "last_session_on", "days_silent") == [
        ("C-1", "north", "E-2", D("2026-01-08"), 82),
        ("C-2", "north", "E-4", D("2025-12-01"), 120),
    ]
    stricter = caseload.silent_engagements(ws, PERIOD, policy=Policy(silent_engagement_days=90))
    assert stricter.get_column("engagement_id").to_list() == ["E-4"]


def test_silent_engagement_without_any_session_counts_from_its_start():
    ws = world(sessions=None)
    got = caseload.silent_engagements(ws, Period(D("2026-01-01"), D("2026-04-15")))
    # E-2 started Jan 1 -> 104 days; E-3 2025-11-01 -> 165; E-4 2025-06-01 -> 318.
    assert rows(got, "engagement_id", "days_silent") == [
        ("E-3", 165), ("E-2", 104), ("E-4", 318),
    ]  # fmt: skip


def test_headline_per_coach():
    got = caseload.headline(world(), PERIOD)
    assert rows(got) == [
        ("C-1", 4, 3, 1, 5, 8.5, 1 / 8),
        ("C-2", 1, 0, 0, 0, 0.0, None),
        ("C-3", 2, 2, 2, 1, 1.0, 0.0),
        ("C-4", 0, 0, 0, 0, 0.0, None),
    ]


def test_headline_by_region_and_for_a_list_of_coaches():
    ws = world()
    assert rows(caseload.headline(ws, PERIOD, by="region")) == [
        ("north", 5, 3, 1, 5, 8.5, 1 / 8),
        ("south", 2, 2, 2, 1, 1.0, 0.0),
    ]
    portfolio = caseload.headline(ws, PERIOD, coaches=["C-3", "C-1"], by="region")
    assert rows(portfolio) == [
        ("north", 4, 3, 1, 5, 8.5, 1 / 8),  # C-2 is not in the list
        ("south", 2, 2, 2, 1, 1.0, 0.0),
    ]
    assert rows(caseload.headline(ws, PERIOD, coaches="C-3")) == [("C-3", 2, 2, 2, 1, 1.0, 0.0)]


def test_headline_without_sessions_leaves_session_figures_empty():
    got = caseload.headline(world(sessions=None), PERIOD, coaches=["C-1"])
    # active clients now come from open engagements (and group memberships) only
    assert rows(got) == [("C-1", 4, 3, 1, None, None, None)]


def test_a_period_after_everything_gives_zeros_not_errors():
    later = Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    got = caseload.headline(world(), later, coaches=["C-1"])
    # E-2 and the group are still open (no end recorded): K-2, K-7, K-1 stay active
    assert rows(got) == [("C-1", 3, 0, 0, 0, 0.0, None)]


def test_a_session_outside_its_engagement_dates_still_makes_the_client_active():
    frames = world_frames()
    frames["engagements"] = frames["engagements"].with_columns(
        ended_on=pl.when(pl.col("engagement_id") == "E-1")
        .then(pl.lit(D("2025-12-31")))
        .otherwise(pl.col("ended_on"))
    )
    got = caseload.active_clients_by_month(Workspace.from_frames(frames), PERIOD, coaches="C-1")
    # K-1's engagement ended before the period, but K-1 met C-1 on Jan 1 (S-2): active in
    # January; not in February; in March again through the group.
    assert rows(got) == [("C-1", JAN, 3), ("C-1", FEB, 2), ("C-1", MAR, 3)]
