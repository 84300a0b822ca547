"""The association report's two leaking tables wired onto one release (issue 9, items 1-2),
fed frames shaped as the report builds them today."""

from __future__ import annotations

import datetime as dt

import polars as pl

from tests.disclosure.release_attack import attack, count_safe, magnitude_safe
from trc_analytics.disclosure import ALL, Release
from trc_analytics.disclosure.association_release import (
    COMPLIANCE,
    HOURS,
    SESSIONS,
    VETTED,
    monthly_totals,
    register_compliance_and_vetted,
    register_sessions_hours,
    sessions_takeaway,
)
from trc_analytics.policy import Policy

MONTHS = [dt.date(2026, m, 1) for m in range(1, 7)]
REGIONS = ["east", "north", "south", "west"]


def _held() -> pl.DataFrame:
    """One row per held session; in June one coach of the north held every session."""
    rows = []
    for r, region in enumerate(REGIONS[:3]):
        for k in range(3):
            for month in MONTHS[:5]:
                rows += [(f"C-{r}{k}", region, month, 1.0)] * 5
    rows += [("C-10", "north", MONTHS[5], 0.75)] * 24
    return pl.DataFrame(rows, schema=["coach_id", "region", "month", "hours"], orient="row")


def test_the_month_one_coach_held_is_not_derivable_and_the_sentence_reads_the_release():
    release = Release(Policy())
    register_sessions_hours(release, _held(), regions=REGIONS, months=MONTHS)
    release.protect()
    assert not release.figure(HOURS, ALL, MONTHS[5]).shown
    assert not release.figure(SESSIONS, ALL, MONTHS[5]).shown
    west = release.table(SESSIONS).cells.filter(pl.col("region") == "west")
    assert west["sessions"].to_list() == [0] * 6  # a region without sessions is shown as zeros
    ranges = attack(release)
    lo, hi = ranges[(HOURS, "north", MONTHS[5])]
    assert magnitude_safe(lo, hi, 18.0, [18.0], Policy())
    lo, hi = ranges[(SESSIONS, ALL, MONTHS[5])]
    assert magnitude_safe(lo, hi, 24.0, [24.0], Policy(), floor=1.0)
    sentence = sessions_takeaway(release, len(REGIONS))
    total = release.figure(SESSIONS, ALL, ALL)
    assert (total.text() in sentence) if total.shown else ("hidden" in sentence)
    assert MONTHS[5] not in monthly_totals(release)["month"].to_list()


def test_the_compliance_row_does_not_give_suppressed_regions_unvetted_referrals_away():
    vetted = pl.DataFrame(
        [
            (f"{region}-{k}", region, ref, vet)
            for region, ref, vet in [("east", 6, 5), ("north", 12, 8), ("south", 10, 6),
                                     ("west", 6, 5), ("centre", 15, 10)]
            for k in range(4)
        ],
        schema=["coach_id", "region", "referrals", "to_vetted"],
        orient="row",
    )  # fmt: skip
    compliance = pl.concat(
        [
            vetted.select(
                "coach_id", check_id=pl.lit("REFER-VETTED"), examined="referrals",
                compliant="to_vetted",
            ),
            vetted.select(
                "coach_id", check_id=pl.lit("SRA-FIRST"), examined=pl.lit(8), compliant=pl.lit(7)
            ),
        ],
        how="vertical_relaxed",
    )  # fmt: skip
    release = Release(Policy())
    register_compliance_and_vetted(release, compliance, vetted)
    release.protect()
    hidden = release.rates(VETTED).filter(pl.col("referrals").is_null())["region"].to_list()
    assert {"east", "west"} <= set(hidden)  # 4 unvetted referrals each: below 11
    row = release.rates(COMPLIANCE).filter(pl.col("check_id") == "REFER-VETTED")
    assert row.height == 1
    # what the attacker knows whether or not the release was told: the row adds up the table
    regions = ["centre", "east", "north", "south", "west"]
    known = tuple(
        ((COMPLIANCE, "REFER-VETTED", ours), tuple((VETTED, r, theirs) for r in regions))
        for ours, theirs in [("examined", "referrals"), ("compliant", "to_vetted")]
    )
    ranges = attack(release, extra=known)
    for region in ("east", "west"):
        lo, hi = ranges[(VETTED, region, "referrals - to_vetted")]
        assert count_safe(lo, hi, 4, Policy().min_cell), (region, lo, hi)
