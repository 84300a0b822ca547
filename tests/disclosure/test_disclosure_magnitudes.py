"""Disclosure control for sums, means, rates and percentages."""

import polars as pl
import pytest

from trc_analytics.disclosure import (
    DisclosureError,
    protect_counts,
    protect_magnitudes,
    protect_rate,
)
from trc_analytics.policy import Policy


def hours_by_coach() -> pl.DataFrame:
    """Session hours: North has four coaches sharing evenly; South has two coaches."""
    return pl.DataFrame(
        {
            "region": ["North"] * 8 + ["South"] * 4,
            "month": ["2026-01", "2026-02"] * 6,
            "coach_id": [
                "C-01", "C-01", "C-02", "C-02", "C-03", "C-03", "C-04", "C-04",
                "C-05", "C-05", "C-06", "C-06",
            ],
            "hours": [10.0, 12, 11, 12, 9, 10, 10, 11, 20, 21, 21, 20],
        }
    )  # fmt: skip


def test_sums_with_too_few_coaches_are_hidden_and_the_coach_column_is_dropped():
    table = protect_magnitudes(
        hours_by_coach(), rows="region", cols="month", value="hours", contributor="coach_id"
    )
    assert table.cells.columns == ["region", "month", "hours", "suppressed"]
    assert table.cells.filter(region="North")["hours"].to_list() == [40.0, 45.0]
    assert table.cells.filter(region="South")["hours"].to_list() == [None, None]
    # additive totals: North's row total is shown, the month totals and grand total are not
    assert table.row_totals["hours"].to_list() == [85.0, None]
    assert table.col_totals["hours"].to_list() == [None, None]
    assert table.total is None
    wide = table.to_wide()
    assert wide.row(0) == ("North", "40.0", "45.0", "85.0")
    assert wide.row(1) == ("South", "suppressed", "suppressed", "suppressed")


def test_min_contributors_comes_from_the_policy():
    table = protect_magnitudes(
        hours_by_coach(),
        rows="region",
        value="hours",
        contributor="coach_id",
        policy=Policy(min_contributors=2, dominance_two=1.0),
    )
    assert table.cells["hours"].to_list() == [85.0, 82.0]  # South: two coaches, 50% each
    assert table.total == 167.0
    assert "fewer than 2 coaches" in table.rule


def test_means_are_per_record_and_follow_the_same_rules():
    table = protect_magnitudes(
        hours_by_coach(),
        rows="region",
        value="hours",
        contributor="coach_id",
        statistic="mean",
    )
    assert table.cells["hours"].to_list() == [85.0 / 8, None]
    assert table.rule.startswith("Averages are not shown")


def test_magnitude_inputs_are_guarded():
    frame = hours_by_coach().with_columns(session_id=pl.lit("S-1"))
    with pytest.raises(DisclosureError, match="session_id"):
        protect_magnitudes(
            frame, rows="session_id", value="hours", contributor="coach_id", table="hours"
        )
    with pytest.raises(DisclosureError, match="0 or more"):
        protect_magnitudes(
            hours_by_coach().with_columns(hours=-pl.col("hours")),
            rows="region",
            value="hours",
            contributor="coach_id",
        )


def test_a_proportion_is_shown_only_when_numerator_denominator_and_rest_are_all_shown():
    per_check = pl.DataFrame(
        {
            "check_id": ["SAFE-SRA", "DEV-CE", "PRACT-REFUND", "COMM-PROBONO"],
            "ok": [40, 15, 3, 0],
            "all": [60, 20, 30, 0],
        }
    )
    rates, behind = protect_rate(per_check, rows="check_id", numerator="ok", denominator="all")
    assert rates.columns == ["check_id", "ok", "all", "rate"]
    by_check = {r["check_id"]: (r["ok"], r["all"], r["rate"]) for r in rates.iter_rows(named=True)}
    assert by_check["SAFE-SRA"] == (40, 60, pytest.approx(200 / 3))
    assert by_check["DEV-CE"] == (None, None, None)  # 20 - 15 = 5 is small: the row goes
    assert by_check["PRACT-REFUND"] == (None, None, None)
    assert by_check["COMM-PROBONO"] == (0, 0, None)  # nothing to divide
    assert behind.rule.startswith("Counts from 1 to 10")


def test_a_numerator_above_its_denominator_is_refused():
    with pytest.raises(DisclosureError, match="exceeds"):
        protect_rate(
            pl.DataFrame({"c": ["x"], "ok": [5], "all": [4]}),
            rows="c",
            numerator="ok",
            denominator="all",
        )


def test_percentages_are_given_only_where_the_count_and_its_total_are_shown():
    counts = pl.DataFrame(
        {
            "region": ["North", "North", "South", "South"],
            "format": ["one_to_one", "group", "one_to_one", "group"],
            "n": [30, 20, 25, 4],
        }
    )
    table = protect_counts(counts, rows="region", cols="format")
    shares = table.shares("row")
    assert shares.filter(region="North")["share"].to_list() == [60.0, 40.0]
    assert shares.filter(region="South")["share"].to_list() == [None, None]
    with pytest.raises(DisclosureError, match="no"):
        protect_counts(counts, rows="region", cols="format", totals="none").shares()


def test_rates_whose_denominators_add_up_to_a_published_total_hide_a_second_row():
    # all 95 sessions are published elsewhere; medical trauma's 11 sessions split 3 / 8
    per_area = pl.DataFrame(
        {
            "area": ["intimate_partner_violence", "medical_trauma", "traumatic_grief"],
            "undeclared": [20, 3, 12],
            "sessions": [60, 11, 24],
        }
    )
    alone, _ = protect_rate(per_area, rows="area", numerator="undeclared", denominator="sessions")
    assert alone["sessions"].to_list() == [60, None, 24]  # 95 - 60 - 24 = 11 would be known
    rates, behind = protect_rate(
        per_area, rows="area", numerator="undeclared", denominator="sessions", known_total=True
    )
    assert behind.total == 95
    assert rates["sessions"].null_count() == 2
    assert rates.filter(area="medical_trauma")["rate"].item() is None
