"""Competence metrics on the hand-built workspace of `metrics_world`."""

from __future__ import annotations

import polars as pl
import pytest
from metrics_world import PERIOD, D, rows, world, world_frames

from trc_analytics.metrics import competence
from trc_analytics.policy import Policy
from trc_analytics.records.workspace import Workspace


def test_areas_practised_against_declared_per_coach():
    got = competence.areas_practised(world(), PERIOD)
    # S-4 (adoption trauma) came before C-1 declared it on Feb 1; the group sessions reached
    # K-6, K-7 and K-1. C-2 declared adoption trauma but did not practise it in the period.
    assert rows(got) == [
        ("C-1", "adoption_trauma", True, 1, 1.5, 1, 1, 1.5, 1),
        ("C-1", "childhood_sexual_abuse", True, 1, 1.0, 1, 0, 0.0, 1),
        ("C-1", "complex_trauma_general", True, 3, 6.0, 3, 0, 0.0, 1),
        ("C-2", "adoption_trauma", True, 0, 0.0, 0, 0, 0.0, 1),
        ("C-3", "hypnosis", False, 1, 1.0, 1, 1, 1.0, 0),
        ("C-3", "traumatic_grief", True, 0, 0.0, 0, 0, 0.0, 1),
        ("C-4", "traumatic_grief", True, 0, 0.0, 0, 0, 0.0, 1),
    ]


def test_areas_practised_by_region_count_declaring_coaches():
    got = competence.areas_practised(world(), PERIOD, by="region")
    assert rows(got, "region", "area", "sessions", "coaches_declaring") == [
        ("north", "adoption_trauma", 1, 2),
        ("north", "childhood_sexual_abuse", 1, 1),
        ("north", "complex_trauma_general", 3, 1),
        ("south", "hypnosis", 1, 0),
        ("south", "traumatic_grief", 0, 2),
    ]


def test_outside_competence_hours_and_share():
    got = competence.outside_competence(world(), PERIOD)
    assert rows(got) == [
        ("C-1", 8.5, 1.5, pytest.approx(1.5 / 8.5), 1, 1),
        ("C-2", 0.0, 0.0, None, 0, 0),
        ("C-3", 1.0, 1.0, 1.0, 1, 1),
        ("C-4", 0.0, 0.0, None, 0, 0),
    ]


def test_competence_gaps_show_supervision_latency_and_training():
    got = competence.competence_gaps(world(), PERIOD)
    # C-1 was supervised in adoption trauma 12 days after the first undeclared session and
    # trained in it on Feb 15. C-3's hypnosis supervision (Apr 15) is after the period end.
    assert rows(got) == [
        ("C-1", "north", "adoption_trauma", True, D("2026-01-08"), 1, 1.5, 1,
         D("2026-01-20"), 12, True, 1.5, 1, 4.0),
        ("C-3", "south", "hypnosis", False, D("2026-02-12"), 1, 1.0, 1,
         None, None, False, 0.0, 1, 2.0),
    ]  # fmt: skip


def test_competence_gap_supervision_window_comes_from_the_policy():
    got = competence.competence_gaps(
        world(), PERIOD, coaches=["C-1"], policy=Policy(competence_supervision_days=10)
    )
    assert rows(got, "supervision_latency_days", "supervised_within_window") == [(12, False)]


def test_supervision_shortly_before_the_gap_counts_with_negative_latency():
    frames = world_frames()
    frames["supervision"] = frames["supervision"].with_columns(
        met_on=pl.when(pl.col("supervision_id") == "SV-1")
        .then(pl.lit(D("2025-12-20")))
        .otherwise(pl.col("met_on"))
    )
    got = competence.competence_gaps(Workspace.from_frames(frames), PERIOD, coaches=["C-1"])
    assert rows(got, "first_supervision_on", "supervision_latency_days") == [(D("2025-12-20"), -19)]


def test_competence_gaps_without_supervision_or_trainings_tables_leave_those_columns_empty():
    got = competence.competence_gaps(world(supervision=None, trainings=None), PERIOD)
    assert got.height == 2
    for column in ("first_supervision_on", "supervision_hours", "trainings", "training_hours"):
        assert got.get_column(column).null_count() == 2


def test_out_of_scope_practice_counts_sessions_not_covered_by_outside_training():
    ws = world()
    assert rows(competence.out_of_scope_practice(ws, PERIOD)) == [
        ("C-3", "hypnosis", 1, 1.0, 1, 1)  # the hypnosis training came after the session
    ]
    frames = world_frames()
    frames["coaches"] = frames["coaches"].with_columns(therapy_licensed=pl.col("coach_id") == "C-3")
    licensed = Workspace.from_frames(frames)
    assert rows(competence.out_of_scope_practice(licensed, PERIOD)) == [
        ("C-3", "hypnosis", 1, 1.0, 1, 0)
    ]


def test_demand_vs_supply_by_region_and_area():
    got = competence.demand_vs_supply(world(), PERIOD)
    # C-4 (not active) declares traumatic grief but is not counted as supply.
    assert rows(got) == [
        ("north", "adoption_trauma", True, 1, 1.5, 1, 1, 1, 1.0, 2, 0.5, True),
        ("north", "childhood_sexual_abuse", True, 1, 1.0, 1, 1, 0, 0.0, 1, 1.0, False),
        ("north", "complex_trauma_general", True, 3, 6.0, 3, 1, 0, 0.0, 1, 3.0, False),
        ("south", "hypnosis", False, 1, 1.0, 1, 1, 1, 1.0, 0, None, True),
        ("south", "traumatic_grief", True, 0, 0.0, 0, 0, 0, None, 1, 0.0, False),
    ]


def test_training_need_threshold_comes_from_the_policy():
    got = competence.demand_vs_supply(world(), PERIOD, policy=Policy(training_need_share=1.5))
    # no share can reach 150%: only areas nobody in the region declares still need training
    assert rows(got.filter(pl.col("training_needed")), "region", "area") == [("south", "hypnosis")]
