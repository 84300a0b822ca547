"""Pro-bono, reduced-fee and community-service metrics on the hand-built `metrics_world`."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from builders import build, client, row, session
from metrics_world import PERIOD, D, rows, world, world_frames

from trc_analytics.metrics import giving
from trc_analytics.period import Period

C1_HOURS = 8.5  # S-2 1 h paid, S-4 1.5 h reduced, S-5 and S-6 2 h pro bono, S-7 2 h paid


def test_fee_mix_hours_and_shares():
    got = giving.fee_mix(world(), PERIOD)
    assert rows(got) == [
        ("C-1", "paid", 2, 3.0, pytest.approx(3.0 / C1_HOURS)),
        ("C-1", "pro_bono", 2, 4.0, pytest.approx(4.0 / C1_HOURS)),
        ("C-1", "reduced", 1, 1.5, pytest.approx(1.5 / C1_HOURS)),
        ("C-3", "paid", 1, 1.0, 1.0),
    ]


def test_affordable_service_with_community_hours():
    got = giving.affordable_service(world(), PERIOD)
    assert rows(got) == [
        ("C-1", C1_HOURS, 2, 4.0, 1, 1.5, 5.5, pytest.approx(5.5 / C1_HOURS), 0.0),
        # CS-1 (a free workshop); CS-2 is advocacy, not a service to survivors; no sessions held
        ("C-2", 0.0, 0, 0.0, 0, 0.0, 0.0, None, 2.0),
        ("C-3", 1.0, 0, 0.0, 0, 0.0, 0.0, 0.0, 0.0),  # CS-3 was before the period
        ("C-4", 0.0, 0, 0.0, 0, 0.0, 0.0, None, 0.0),
    ]
    no_community = giving.affordable_service(world(community_service=None), PERIOD)
    assert no_community.get_column("community_hours").null_count() == 4


def test_affordable_share_by_quarter_splits_at_quarter_boundaries():
    period = Period(D("2025-12-01"), D("2026-03-31"))
    got = giving.affordable_share_by_quarter(world(), period, coaches=["C-1"])
    # Q4 2025 holds only S-1 (paid, Dec 31).
    assert rows(got) == [
        ("C-1", D("2025-10-01"), 1.0, 0.0, 0.0, 0.0, 0.0),
        ("C-1", D("2026-01-01"), C1_HOURS, 4.0, 1.5,
         pytest.approx(4.0 / C1_HOURS), pytest.approx(5.5 / C1_HOURS)),
    ]  # fmt: skip


def test_community_service_hours_by_kind():
    got = giving.community_service_hours(world(), PERIOD)
    assert rows(got) == [("C-2", "advocacy", 1, 1.5, 0), ("C-2", "free_workshop", 1, 2.0, 12)]


def test_longest_stretch_without_affordable_service():
    got = giving.longest_without_affordable(world(), PERIOD)
    # C-1 gave on Jan 8 (reduced), Jan 20 and Feb 10 (pro bono): Feb 11..Mar 31 = 49 days.
    # C-2 gave community service on Feb 1 (Mar 15 was advocacy): Feb 2..Mar 31 = 58 days.
    assert rows(got) == [
        ("C-1", 3, 49, D("2026-02-11"), D("2026-03-31")),
        ("C-2", 1, 58, D("2026-02-02"), D("2026-03-31")),
        ("C-3", 0, 90, D("2026-01-01"), D("2026-03-31")),
        ("C-4", 0, 90, D("2026-01-01"), D("2026-03-31")),
    ]


def test_longest_stretch_by_region_counts_any_coach_of_the_region():
    got = giving.longest_without_affordable(world(), PERIOD, by="region")
    # north: Jan 8, Jan 20, Feb 1, Feb 10 (Mar 15 was advocacy) -> Feb 11..Mar 31 = 49 days
    assert rows(got) == [
        ("north", 4, 49, D("2026-02-11"), D("2026-03-31")),
        ("south", 0, 90, D("2026-01-01"), D("2026-03-31")),
    ]


def test_service_every_day_leaves_no_gap():
    one_day = Period(D("2026-01-08"), D("2026-01-08"))
    got = giving.longest_without_affordable(world(), one_day, coaches=["C-1"])
    assert rows(got) == [("C-1", 1, 0, None, None)]


def test_value_given_at_the_coach_median_paid_hourly_fee():
    got = giving.value_given(world(), PERIOD)
    # C-1's paid sessions in the period: 120/h (S-2) and 25/h (S-7) -> median 72.5.
    # Pro bono 4 h -> 290; reduced 1.5 h -> 108.75 - 30 charged = 78.75.
    assert rows(got) == [("C-1", "USD", 5.5, 72.5, 290.0, 78.75, 368.75, 0.0)]


def test_value_given_falls_back_to_earlier_paid_sessions():
    february = Period(D("2026-02-01"), D("2026-02-28"))
    got = giving.value_given(world(), february)
    # No paid session in February: S-1 (100/h) and S-2 (120/h) -> 110/h; S-6 2 h pro bono.
    assert rows(got) == [("C-1", "USD", 2.0, 110.0, 220.0, 0.0, 220.0, 0.0)]


def test_value_given_without_any_paid_session_is_unvalued_not_zero():
    unpaid = world_frames()["sessions"].filter(pl.col("fee_type") != "paid")
    got = giving.value_given(world(sessions=unpaid), PERIOD)
    assert rows(got) == [("C-1", None, 5.5, None, None, None, None, 5.5)]


def test_longest_stretch_between_two_service_days_and_ties_go_to_the_earliest():
    ws = world()
    # C-1 gave on Jan 8 and Jan 20: Jan 1..7 (7 days), Jan 9..19 (11 days), none after
    between = giving.longest_without_affordable(
        ws, Period(D("2026-01-01"), D("2026-01-20")), coaches=["C-1"]
    )
    assert rows(between) == [("C-1", 2, 11, D("2026-01-09"), D("2026-01-19"))]
    # Jan 2..7 and Jan 9..14 are both 6 days long: the earlier one is reported
    tie = giving.longest_without_affordable(
        ws, Period(D("2026-01-02"), D("2026-01-14")), coaches=["C-1"]
    )
    assert rows(tie) == [("C-1", 1, 6, D("2026-01-02"), D("2026-01-07"))]


def test_a_coach_without_any_affordable_service_has_one_run_over_the_whole_period():
    got = giving.longest_without_affordable(world(), PERIOD, coaches=["C-3"], by="region")
    assert rows(got) == [("south", 0, 90, D("2026-01-01"), D("2026-03-31"))]


def test_affordable_service_is_the_one_notion_of_the_check():
    """ "We give back to the survivor community by periodically providing services affordable to
    those without many financial resources": a reduced fee counts only for a client marked low
    income, and advocacy is not a service given to survivors (COMM-PROBONO counts the same)."""
    ws = build(
        clients=[client("K-1", low_income=True), client("K-2")],
        sessions=[
            session("S-1", client_id="K-1", held_on="2026-02-01", fee_type="reduced"),
            session("S-2", client_id="K-2", held_on="2026-02-02", fee_type="reduced"),
            session("S-3", client_id="K-2", held_on="2026-02-03", fee_type="pro_bono"),
        ],
        community_service=[
            row("community_service", held_on="2026-02-04", kind="advocacy", hours=3.0)
        ],
    )
    got = giving.affordable_service(ws, Period(D("2026-01-01"), D("2026-06-30")))
    assert rows(got, "reduced_hours", "affordable_hours", "community_hours") == [(2.0, 2.0, 0.0)]


@pytest.mark.parametrize(
    ("currencies", "usual"),
    [
        (["USD", "EUR", "EUR", None, None, None], "EUR"),  # the most often charged, nulls aside
        (["USD", "EUR", "USD", "EUR"], "EUR"),  # a tie goes to the first in sort order
        (["USD", "USD", "EUR"], "USD"),  # near miss: no tie
    ],
)
def test_value_given_is_in_the_currency_the_coach_charges_most_often(currencies, usual):
    paid = [
        session(f"S-{i}", held_on="2026-01-05", fee_type="paid", fee_amount=100.0, currency=c)
        for i, c in enumerate(currencies)
    ]
    free = session("S-free", held_on="2026-01-06", fee_type="pro_bono", fee_amount=None)
    ws = build(clients=[client()], sessions=[*paid, free])
    got = giving.value_given(ws, Period(D("2026-01-01"), D("2026-01-31")))
    assert got.get_column("currency").to_list() == [usual]


def _polars_median(paid: pl.DataFrame) -> pl.DataFrame:
    """The median as polars computes it over every paid session (what value_given did)."""
    return (
        paid.group_by("coach_id")
        .agg(hourly_fee=(pl.col("fee_amount") / pl.col("hours")).median())
        .sort("coach_id")
    )


@pytest.mark.parametrize("engine", ["in-memory", "streaming"])
def test_median_rate_from_counts_is_polars_own_median(engine):
    # many coaches with few sessions each: odd and even counts, repeated and distinct rates,
    # rates whose interpolation rounds differently from (lower + upper) / 2, huge rates
    rng = np.random.default_rng(7)
    n = 60_000
    fees = rng.uniform(0.001, 1e6, n)
    fixed = rng.choice([0.0, 75.0, 120.0, 1e-300, 1.7e308], n)
    paid = pl.DataFrame(
        {
            "coach_id": rng.integers(0, 15_000, n).astype(str),
            "fee_amount": np.where(rng.random(n) < 0.5, fees, fixed),
            "hours": rng.choice([0.5, 0.75, 50 / 60, 1.0, 1.5, 7 / 60], n),
        }
    )
    got = giving.median_rate(paid.lazy()).collect(engine=engine).sort("coach_id")
    want = _polars_median(paid)
    assert got.height == want.height
    assert (got.get_column("hourly_fee") == want.get_column("hourly_fee")).all()
    # the naive midpoint differs from polars' interpolation on some of these coaches
    naive = (
        paid.group_by("coach_id")
        .agg(
            lo=(pl.col("fee_amount") / pl.col("hours")).quantile(0.5, "lower"),
            hi=(pl.col("fee_amount") / pl.col("hours")).quantile(0.5, "higher"),
        )
        .sort("coach_id")
        .select(m=(pl.col("lo") + pl.col("hi")) / 2)
    )
    assert (naive.get_column("m") != want.get_column("hourly_fee")).any()


def test_median_rate_of_an_even_count_interpolates_and_of_an_odd_count_takes_the_middle():
    paid = pl.LazyFrame(
        {
            "coach_id": ["C-1", "C-1", "C-1", "C-1", "C-2", "C-2", "C-2"],
            "fee_amount": [60.0, 60.0, 90.0, 120.0, 60.0, 90.0, 90.0],
            "hours": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        }
    )
    got = giving.median_rate(paid).sort("coach_id").collect()
    assert got.rows() == [("C-1", 75.0), ("C-2", 90.0)]
