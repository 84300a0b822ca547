"""The association report on a skewed workspace, attacked whole (issue 9 items 1-2, issue 10).

One coach holds every session of June (issue 9's first leak: a month by subtraction) and two
regions keep only three referrals each (its second: a compliance row adding up the vetted table).
Everything the report publishes is in its one release; the independent attacker of
`release_attack.py` reads all of it at once and must narrow no hidden figure past its rule.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from tests.disclosure.association_truth import report_truth
from tests.disclosure.test_release import assert_safe
from trc_analytics.disclosure import ALL
from trc_analytics.reports import association
from trc_analytics.reports.association import release as rel
from trc_analytics.reports.association import words
from trc_analytics.reports.context import open_report

JUNE = dt.date(2026, 6, 1)
FEW_REFERRALS = ("south", "east")


@pytest.fixture(scope="module")
def skewed():
    """24 coaches over January-June 2026; June's held sessions all moved to one coach; the
    south and east keep three referrals each."""
    from trc_analytics.demo import generate_demo
    from trc_analytics.records.workspace import Workspace

    frames = generate_demo(
        coaches=24, months=6, start=dt.date(2026, 1, 1), today=dt.date(2026, 11, 30)
    )
    coaches = frames["coaches"]
    holder = coaches.filter(region="north")["coach_id"][0]
    june = (pl.col("held_on") >= JUNE) & (pl.col("status") == "held")
    frames["sessions"] = frames["sessions"].with_columns(
        coach_id=pl.when(june).then(pl.lit(holder)).otherwise(pl.col("coach_id"))
    )
    referrals = frames["referrals"].join(coaches.select("coach_id", "region"), on="coach_id")
    few = pl.col("region").is_in(FEW_REFERRALS)
    frames["referrals"] = pl.concat(
        [referrals.filter(~few), referrals.filter(few).group_by("region").head(3)],
        how="diagonal",
    ).drop("region")
    ws = Workspace.from_frames(frames)
    return open_report("association", date_from="2026-01-01", date_to="2026-06-30", workspace=ws)


def test_everything_the_skewed_report_publishes_resists_one_attacker(skewed):
    release = association.release_of(skewed)
    held = skewed.metric("held_by_coach_month")[0].filter(month=JUNE)
    assert held["coach_id"].n_unique() == 1  # the skew took: one coach holds June
    assert not release.figure(rel.SESSIONS, ALL, JUNE).shown
    assert not release.figure(rel.HOURS, ALL, JUNE).shown
    vetted = release.rates(rel.VETTED)
    assert vetted.filter(pl.col("region").is_in(FEW_REFERRALS))["referrals"].null_count() == 2
    counts, sums, plain = report_truth(skewed)
    assert_safe(release, counts=counts, sums=sums, plain=plain)


def test_sections_show_only_what_the_release_publishes(skewed):
    """Every number of every table of every section is a published figure of the release (or
    a ratio of two of them, or a percentage): no section reads a raw frame."""
    release = association.release_of(skewed)
    public = {round(v, 1) for v in release.public_figures().values() if v is not None}
    for _, build in association.SECTIONS:
        section = build(skewed)
        for table in section.tables or []:
            for column in table.frame.columns:
                if column in (
                    "kept_pct",
                    "vetted_pct",
                    "at_or_above_pct",
                    "sessions_per_declaring_coach",
                ):
                    continue
                for value in table.frame[column].to_list():
                    number = _number(value)
                    if number is not None:
                        assert round(number, 1) in public, (table.caption, column, value)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).replace(",", "")
    return float(text) if re.fullmatch(r"\d+(\.\d+)?", text) else None


def test_takeaways_rank_only_published_figures_and_say_how_many_were_not(skewed):
    release = association.release_of(skewed)
    rates = release.rates(rel.COMPLIANCE)
    hidden = rates["examined"].null_count()
    takeaway = association.compliance(skewed).takeaway
    assert hidden and f"{hidden} checks could not be published safely" in takeaway
    assert f"Of the {rates.height - hidden} check" in takeaway
    totals = release.table(rel.REFERRALS).row_totals
    hidden_reasons = totals["referrals"].null_count()
    takeaway = association.referrals(skewed).takeaway
    if hidden_reasons:
        assert (
            f"{hidden_reasons} reason" in takeaway and "could not be published safely" in takeaway
        )
    shown = totals.filter(pl.col("referrals").is_not_null() & (pl.col("referrals") > 0))
    if shown.is_empty():  # nothing to rank: the sentence ranks nothing and says why
        assert "No referral total by reason could be published" in takeaway
        return
    top = shown.sort("referrals", descending=True)
    assert f"({top['referrals'][0]:,} referrals)" in takeaway


def test_the_compliance_takeaway_fires_and_its_near_miss():
    shown = pl.DataFrame({"rule": ["A", "B"], "kept_pct": [90.0, 80.0]})
    fired = words.compliance(shown, 5)
    assert fired.startswith("Of the 2 checks with enough cases to publish")
    assert "B (80% of cases)" in fired and "3 checks could not be published safely" in fired
    near = words.compliance(shown, 2)
    assert "every check could be published" in near and "too few" not in near
    assert "1 check could not be published safely" in words.compliance(shown.head(0), 1)


def test_the_referrals_takeaway_fires_and_its_near_miss():
    shown = pl.DataFrame({"reason": ["client_request", "other"], "referrals": [52, 20]})
    fired = words.referrals(shown, 3)
    assert "Of the 2 reasons whose total could be published" in fired
    assert (
        "client request (52 referrals)" in fired
        and "1 reason could not be published safely" in fired
    )
    near = words.referrals(shown, 2)
    assert "every reason's total could be published" in near and "too few" not in near
