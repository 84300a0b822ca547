"""Metrics on the small demo workspace: consistent across groupings, filters and raw counts."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from trc_analytics.errors import MissingTables
from trc_analytics.metrics import compute_all, registry
from trc_analytics.period import Period

PERIOD = Period.parse("2026-01-01", "2026-06-30")

#: metric -> (extra group columns, additive columns): by coach and by region must sum alike
ADDITIVE = {
    "headline": ([], ["new_intakes", "closures", "sessions_held", "hours"]),
    "new_intakes": (["month"], ["new_intakes"]),
    "closures": (["end_reason"], ["closures"]),
    "sessions_by": (["month", "format", "delivery"], ["sessions", "hours"]),
    "attendance": ([], ["sessions", "held", "no_show", "cancelled", "rescheduled"]),
    "referrals_by": (["reason", "service_type"], ["referrals"]),
    "vetted_share": ([], ["referrals", "to_vetted"]),
    "coach_initiated_exits": ([], ["exits", "explained", "with_referral", "neither"]),
    "crisis_to_referral_summary": ([], ["flags", "referred", "referred_within_window"]),
    "areas_practised": (["area"], ["sessions", "hours", "sessions_undeclared"]),
    "outside_competence": ([], ["hours", "hours_undeclared", "sessions_undeclared"]),
    "fee_mix": (["fee_type"], ["sessions", "hours"]),
    "affordable_service": ([], ["hours", "pro_bono_hours", "reduced_hours", "community_hours"]),
    "affordable_share_by_quarter": (["quarter"], ["hours", "pro_bono_hours"]),
    "community_service_hours": (["kind"], ["activities", "hours"]),
    "certification_pipeline": (["credential"], ["current", "due", "grace", "lapsed"]),
    "training_hours": ([], ["trainings", "hours"]),
    "supervision_hours": (["reason", "format"], ["meetings", "hours"]),
    "supervision_outside": ([], ["meetings", "outside", "outside_hours", "unqualified"]),
}


@pytest.fixture(scope="module")
def by_coach(demo_workspace):
    return compute_all(demo_workspace, PERIOD)


@pytest.fixture(scope="module")
def by_region(demo_workspace):
    return compute_all(demo_workspace, PERIOD, by="region")


def test_every_metric_is_computed_on_the_demo(by_coach, by_region):
    for results in (by_coach, by_region):
        failed = [n for n, r in results.items() if isinstance(r, MissingTables)]
        assert failed == []
    assert by_coach["headline"].height == 12


@pytest.mark.parametrize("name", ADDITIVE)
def test_coach_and_region_figures_add_up_alike(name, by_coach, by_region):
    extra, sums = ADDITIVE[name]

    def total(df: pl.DataFrame) -> pl.DataFrame:
        if not extra:
            return df.select(pl.col(sums).sum())
        return df.group_by(extra).agg(pl.col(sums).sum()).sort(extra)

    assert_frame_equal(total(by_coach[name]), total(by_region[name]), check_exact=False)


def test_distinct_clients_by_region_lie_between_the_largest_coach_and_the_sum(
    demo_workspace, by_coach, by_region
):
    regions = demo_workspace["coaches"].select("coach_id", "region")
    per_coach = by_coach["active_clients_by_month"].join(regions, on="coach_id")
    bounds = per_coach.group_by("region", "month").agg(
        low=pl.col("active_clients").max(), high=pl.col("active_clients").sum()
    )
    got = by_region["active_clients_by_month"].join(bounds, on=["region", "month"])
    assert got.height == by_region["active_clients_by_month"].height
    assert got.filter(
        (pl.col("active_clients") < pl.col("low")) | (pl.col("active_clients") > pl.col("high"))
    ).is_empty()


def test_headline_matches_a_plain_count_of_the_sessions(demo_workspace, by_coach):
    held = demo_workspace["sessions"].filter(
        (pl.col("status") == "held") & pl.col("held_on").is_between(PERIOD.start, PERIOD.end)
    )
    head = by_coach["headline"]
    assert head["sessions_held"].sum() == held.height
    assert head["hours"].sum() == pytest.approx(held["duration_min"].sum() / 60)


COACH_KEYED = [n for n, m in registry().items() if "coach_id" in m.schema("coach")]


@pytest.fixture(scope="module")
def c0001_alone(demo_workspace):
    return compute_all(demo_workspace, PERIOD, coaches=["C-0001"])


@pytest.mark.parametrize("name", COACH_KEYED)
def test_one_coach_alone_gets_the_rows_it_has_among_all_coaches(name, by_coach, c0001_alone):
    expected = by_coach[name].filter(pl.col("coach_id") == "C-0001")
    assert_frame_equal(c0001_alone[name], expected, check_exact=False)
