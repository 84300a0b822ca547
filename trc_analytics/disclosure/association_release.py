"""The association report's two leaking tables, registered in one `Release` (issue 9).

Takes the polars frames the report builds today: held sessions (`coach_id`, `region`, `month`
as the 1st of the month, `hours`), compliance per coach and check (`check_id`, `coach_id`,
`examined`, `compliant`, as `CheckResults.compliance(by="coach")` gives) and referrals per
coach (`coach_id`, `region`, `referrals`, `to_vetted`: the vetted-share metric by coach with
the coach's region). The sentences read their figures from the release only.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from trc_analytics.disclosure.ledger import ALL, Release

#: Table names: the titles the report prints.
SESSIONS = "Sessions held, by region and month"
HOURS = "Hours held, by region and month"
COMPLIANCE = "Cases examined and kept, per check"
VETTED = "Referrals to services the coach had vetted, by region"
#: The check whose row adds up the vetted-by-region table.
REFER_VETTED = "REFER-VETTED"


def register_sessions_hours(
    release: Release, held: pl.DataFrame, *, regions: Sequence[str], months: Sequence[object]
) -> None:
    """Held sessions (a count that is also each coach's activity) and hours by region and
    month, every region and month of the period shown (zeros included)."""
    per_coach = held.group_by("coach_id", "region", "month").agg(
        sessions=pl.len(), hours=pl.col("hours").sum()
    )
    categories = {"region": list(regions), "month": list(months)}
    release.add_counts(
        SESSIONS,
        per_coach.drop("hours"),
        rows="region",
        cols="month",
        value="sessions",
        contributor="coach_id",
        categories=categories,
    )
    release.add_sums(
        HOURS,
        per_coach.drop("sessions"),
        rows="region",
        cols="month",
        value="hours",
        contributor="coach_id",
        categories=categories,
    )


def register_compliance_and_vetted(
    release: Release, compliance_by_coach: pl.DataFrame, vetted_by_coach: pl.DataFrame
) -> None:
    """Compliance per check and the vetted share by region, with the REFER-VETTED row tied to
    the vetted table (its examined and kept cases are that table's referrals and vetted ones)."""
    release.add_rates(
        COMPLIANCE,
        compliance_by_coach.select("coach_id", "check_id", "examined", "compliant"),
        rows="check_id",
        numerator="compliant",
        denominator="examined",
        contributor="coach_id",
    )
    release.add_rates(
        VETTED,
        vetted_by_coach.select("coach_id", "region", "referrals", "to_vetted"),
        rows="region",
        numerator="to_vetted",
        denominator="referrals",
        contributor="coach_id",
    )
    if REFER_VETTED not in compliance_by_coach["check_id"].to_list():
        return
    regions = vetted_by_coach["region"].unique().sort().to_list()
    for ours, theirs in [("examined", "referrals"), ("compliant", "to_vetted")]:
        release.relate((COMPLIANCE, REFER_VETTED, ours), [(VETTED, r, theirs) for r in regions])


def sessions_takeaway(release: Release, n_regions: int) -> str:
    """The sentence under "Sessions and hours", from the release's figures only."""
    total = release.figure(SESSIONS, ALL, ALL)
    if not total.shown:
        return "Sessions per region and month; some figures are hidden to protect small numbers."
    return f"{total.text()} sessions were held in the period across {n_regions} regions."


def monthly_totals(release: Release) -> pl.DataFrame:
    """Sessions per month as published (what the monthly chart draws): hidden months left out."""
    totals = release.table(SESSIONS).col_totals
    assert totals is not None
    return totals.filter(~pl.col("suppressed")).drop("suppressed")
