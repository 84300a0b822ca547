"""How hours and money print (issues 11 and 12 left out): a half hour is never lost, a figure
compared with a requirement never reads as met when it is not, and money has one format."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from trc_analytics.reports.display import Table, format_hours, format_money, format_value
from trc_analytics.reports.sections import hours_phrase, num


@pytest.mark.parametrize(
    ("value", "held", "needed"),
    [
        (108.5, "108.5", "108.5"),  # was "108": rounded half to even past 100
        (2601.5, "2,601.5", "2,601.5"),
        (99.96, "99.9", "100"),  # held: not "100" of 100; still needed / required: rounded up
        (0.04, "0", "0.1"),  # 0.04 still needed is not "0" still needed
        (8.4999999999, "8.5", "8.5"),  # float noise of 8.5 stays 8.5
        (3.0, "3", "3"),  # no ".0"
        (100.0, "100", "100"),  # near miss: exactly met reads as met
    ],
)
def test_hours_round_towards_the_records(value, held, needed):
    assert format_hours(value) == held
    assert format_hours(value, round_up=True) == needed


def test_hour_cells_and_sentences_use_the_same_rule():
    assert format_value(108.5, "hours") == "108.5"
    assert format_value(99.96, "affordable_hours") == "99.9"
    assert format_value(0.04, "hours_still_needed") == "0.1"
    assert format_value(0.5, "hours_share") == "50%"  # a share of hours is not hours
    assert hours_phrase(1.0) == "1 hour" and hours_phrase(1.5) == "1.5 hours"
    assert hours_phrase(0.0) == "0 hours"


def test_other_large_figures_keep_their_decimal():
    assert format_value(108.5, "per_100") == "108.5"  # was "108"
    assert num(108.5, 1) == "108.5"
    assert format_value(12.25, "t_score") == "12.2"  # below 100 as before


def test_money_has_one_format_in_every_cell():
    """ "0.0" beside "1,494" was two formats in one row; cents are kept whatever the size."""
    assert format_money(0.0) == "0.00" and format_money(1494.375) == "1,494.38"
    frame = pl.DataFrame(
        {
            "currency": ["USD"],
            "affordable_hours": [20.83],
            "hourly_fee": [125.0],
            "pro_bono_value": [0.0],
            "reduced_value": [1494.3],
            "estimated_value": [1494.3],
            "unvalued_hours": [0.0],
        }
    )
    cells = re.findall(r'<td class="num">([^<]*)</td>', Table("Value", frame).to_html())
    assert cells == ["20.8", "125.00", "0.00", "1,494.30", "1,494.30", "0"]
    assert format_value(125, "hourly_fee") == "125.00"  # a whole amount held as an integer
    assert format_value(125, "sessions") == "125"  # near miss: a count is not money


def _estimate(hours: float, paid: float) -> dict[str, object]:
    """A level estimate (`level_estimates` row) still short of `hours` and `paid` hours."""
    return {
        "level": "ACC",
        "estimate": "on_pace",
        "hours_still_needed": hours,
        "paid_hours_still_needed": paid,
        "clients_still_needed": 0,
        "recent_hours_still_needed": 0.0,
        "recent_months": 18,
        "hours_per_month": 10.0,
        "estimated_on": dt.date(2026, 9, 1),
    }


def test_a_level_line_never_reads_fewer_hours_needed_than_paid_hours_needed():
    """99 hours held, 60 of them paid, of ACC's 100 (75 paid): 1 more hour is not enough, 15
    more paid hours are; "1 hour still needed (15 of them paid)" reads a total below its part."""
    from trc_analytics.reports.progress import level_line

    line = level_line(_estimate(1.0, 15.0))
    assert "(15 of them paid)" not in line
    assert line.startswith("ACC: 15 hours of paid coaching still needed")
    # the same when the printed figures are equal (both round up to 15)
    assert level_line(_estimate(14.95, 15.0)).startswith("ACC: 15 hours of paid coaching")


def test_a_level_line_with_more_hours_than_paid_hours_needed_names_both():
    """The near miss: 91.5 hours still needed of which 69.5 paid reads as before."""
    from trc_analytics.reports.progress import level_line

    line = level_line(_estimate(91.5, 69.5))
    assert line.startswith("ACC: 91.5 hours still needed (69.5 of them paid). At the pace")
