"""Disclosure control for published count tables: what is hidden, what is shown, and why."""

import math
from datetime import date

import polars as pl
import pytest

from trc_analytics.disclosure import (
    DisclosureError,
    attacker_ranges,
    audit,
    is_protected,
    protect_counts,
)
from trc_analytics.policy import Policy


def grid(rows: dict[str, list[int]], cols: list[str]) -> pl.DataFrame:
    """A 2-D count table in long form: region x month."""
    return pl.DataFrame(
        {
            "region": [r for r in rows for _ in cols],
            "month": cols * len(rows),
            "n": [v for values in rows.values() for v in values],
        }
    )


def test_counts_from_1_to_10_are_hidden_and_0_and_11_are_shown():
    table = pl.DataFrame({"area": ["a", "b", "c", "d"], "n": [0, 1, 10, 11]})
    p = protect_counts(table, rows="area", value="n", totals="none")
    assert p.cells["n"].to_list() == [0, None, None, 11]
    assert p.cells["suppressed"].to_list() == [False, True, True, False]
    assert p.to_wide()["n"].to_list() == ["0", "suppressed", "suppressed", "11"]


def test_min_cell_comes_from_the_policy():
    table = pl.DataFrame({"area": ["a", "b"], "n": [7, 6]})
    p = protect_counts(table, rows="area", value="n", policy=Policy(min_cell=7), totals="none")
    assert p.cells["n"].to_list() == [7, None]
    assert "from 1 to 6" in p.rule


def test_additive_totals_hide_every_total_over_a_hidden_cell():
    p = protect_counts(
        grid({"N": [3, 40, 50], "S": [20, 30, 60]}, ["a", "b", "c"]),
        rows="region",
        cols="month",
        value="n",
    )
    assert p.row_totals["n"].to_list() == [None, 110]
    assert p.col_totals["n"].to_list() == [None, 70, 110]
    assert p.total is None and p.total_suppressed
    wide = p.to_wide()
    assert wide.columns == ["region", "a", "b", "c", "Total"]
    assert wide.row(0) == ("N", "suppressed", "40", "50", "suppressed")
    assert wide.row(2) == ("Total", "suppressed", "70", "110", "suppressed")
    assert audit(p) == []


def test_complementary_suppression_hides_a_partner_so_the_total_does_not_give_the_cell_away():
    p = protect_counts(
        grid({"N": [3, 40, 50], "S": [20, 30, 60]}, ["a", "b", "c"]),
        rows="region",
        cols="month",
        value="n",
        totals="complementary",
    )
    hidden = p.cells.filter("suppressed")
    assert len(hidden) >= 4  # the small cell, one partner in its row, its column, and a corner
    assert p.total == 203  # the grand total survives
    assert audit(p) == []
    for where, lo, hi, small in attacker_ranges(p):
        if small:
            assert is_protected(lo, hi, 11), where


def test_two_small_cells_whose_sum_is_small_are_not_left_alone_in_a_line():
    # 3 + 4 = 7 with the total published would tell the attacker both are small
    table = pl.DataFrame({"area": ["x", "y", "z"], "n": [3, 4, 30]})
    p = protect_counts(table, rows="area", value="n", totals="complementary")
    assert p.cells["suppressed"].to_list() == [True, True, True]
    assert p.total == 37
    assert audit(p) == []


def test_a_small_total_is_itself_hidden():
    table = pl.DataFrame({"area": ["x", "y"], "n": [0, 4]})
    p = protect_counts(table, rows="area", value="n", totals="complementary")
    assert p.total is None


def test_the_protection_criterion():
    assert is_protected(1, math.inf, 11)
    assert is_protected(1, 11, 11)
    assert not is_protected(1, 7, 11)  # the attacker knows the count is small
    assert not is_protected(9, 12, 11)  # too narrow: only four values possible


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("coach_id", ["C-0001"]),
        ("client_id", ["P-7K3M9Q2X4T"]),
        ("age", [34]),
        ("held_on", [date(2026, 3, 14)]),
    ],
)
def test_ids_day_level_dates_and_exact_ages_are_refused(column, values):
    frame = pl.DataFrame({column: values, "n": [12]})
    with pytest.raises(DisclosureError, match=column):
        protect_counts(frame, rows=column, value="n")


def test_months_are_accepted_and_shown_as_year_month():
    frame = pl.DataFrame({"month": [date(2026, 1, 1), date(2026, 2, 1)], "n": [12, 0]})
    p = protect_counts(frame, rows="month", value="n")
    assert p.to_wide()["month"].to_list() == ["2026-01", "2026-02", "Total"]


def test_bad_counts_are_refused_with_the_table_name():
    with pytest.raises(DisclosureError, match=r"demand: .*whole counts"):
        protect_counts(pl.DataFrame({"a": ["x"], "n": [-1]}), rows="a", table="demand")
    with pytest.raises(DisclosureError, match="twice"):
        protect_counts(pl.DataFrame({"a": ["x", "x"], "n": [1, 2]}), rows="a")


def test_rounding_never_makes_a_published_count_look_small():
    table = pl.DataFrame({"area": ["a", "b", "c", "d"], "n": [0, 11, 13, 27]})
    p = protect_counts(table, rows="area", value="n", policy=Policy(rounding_base=5))
    assert p.cells["n"].to_list() == [0, 15, 15, 25]
    assert "rounded to the nearest 5" in p.rule


# -- what the association report may be released for ---------------------------------------------


def test_the_min_cell_floor_is_5_and_lower_values_are_refused_naming_value_and_floor():
    from trc_analytics.disclosure import MIN_CELL_FLOOR, ReleaseRefused, check_min_cell

    assert MIN_CELL_FLOOR == 5
    check_min_cell(MIN_CELL_FLOOR)  # the floor itself is allowed
    check_min_cell(11)
    with pytest.raises(ReleaseRefused, match=r"min_cell 4 is below the floor of 5"):
        check_min_cell(4)
    assert issubclass(ReleaseRefused, DisclosureError)


@pytest.mark.parametrize(
    ("start", "end", "whole"),
    [
        (date(2026, 1, 1), date(2026, 6, 30), True),
        (date(2026, 2, 1), date(2026, 2, 28), True),
        (date(2024, 2, 1), date(2024, 2, 29), True),  # leap year
        (date(2026, 1, 1), date(2026, 12, 31), True),
        (date(2026, 1, 15), date(2026, 6, 30), False),
        (date(2026, 1, 1), date(2026, 6, 29), False),
        (date(2024, 2, 1), date(2024, 2, 28), False),  # a leap February ends on the 29th
    ],
)
def test_the_association_report_covers_whole_calendar_months_only(start, end, whole):
    from trc_analytics.disclosure import ReleaseRefused, check_whole_months
    from trc_analytics.period import Period

    if whole:
        check_whole_months(Period(start, end))
    else:
        with pytest.raises(ReleaseRefused, match="whole calendar months") as refused:
            check_whole_months(Period(start, end))
        # the message names the period given and the whole months around it
        assert start.isoformat() in str(refused.value) and end.isoformat() in str(refused.value)
        assert f"--from {start.replace(day=1).isoformat()}" in str(refused.value)


def test_a_table_public_totals_already_give_away_raises_cannot_protect_with_its_name():
    from trc_analytics.disclosure import CannotProtect

    # two months of 1 and 30 sessions; every month total is public, so the first month's 1
    # is known whatever the table hides: the table is not published at all
    frame = grid({"North": [0, 20], "South": [1, 10]}, ["2026-01", "2026-02"])
    with pytest.raises(CannotProtect, match="cannot protect") as refused:
        protect_counts(
            frame, rows="region", cols="month", value="n", time_axis="cols", table="sessions"
        )
    assert refused.value.table == "sessions"
    assert isinstance(refused.value, DisclosureError)
