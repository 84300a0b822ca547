"""One release per report: every figure audited together against one attacker (issue 9).

The attacks come from issue 9: a month hidden for dominance recovered as the grand total minus
the other months (item 1), and the unvetted referrals of suppressed regions recovered from a
compliance row that publishes the totals of the vetted-by-region table (item 2). The attacker
in `release_attack.py` is written apart from the release's own audit.
"""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.disclosure.release_attack import attack, count_safe, magnitude_safe
from trc_analytics.disclosure import ALL, NOT_SHOWN, CannotProtect, DisclosureError, Release
from trc_analytics.policy import Policy

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
POLICY = Policy()


def _truth(frame: pl.DataFrame, name: str, rows: str, cols: str | None, value: str) -> dict:
    """Every figure of a table (cells and totals) with its per-coach shares, from raw data."""
    out = {}
    keys = [rows] if cols is None else [rows, cols]
    levels = [keys] + ([[rows], [cols], []] if cols else [[]])
    for by in levels:
        per = frame.group_by([*by, "coach_id"] if by else ["coach_id"]).agg(pl.col(value).sum())
        groups = per.group_by(by) if by else per.group_by(pl.lit(0).alias("_"))
        for row in groups.agg(pl.col(value)).iter_rows(named=True):
            r = row[rows] if rows in by else ALL
            c = (row[cols] if cols in by else ALL) if cols else None
            out[(name, r, c)] = (sum(row[value]), list(row[value]))
    return out


def _sensitive_count(value: float, shares: list[float] | None) -> bool:
    if 0 < value < POLICY.min_cell:
        return True
    return shares is not None and _sensitive_sum(value, shares)


def _sensitive_sum(value: float, shares: list[float]) -> bool:
    top = [*sorted(shares, reverse=True), 0.0, 0.0]
    few = len(shares) < POLICY.min_contributors
    dominated = top[0] > POLICY.dominance_one * value or top[0] + top[1] > (
        POLICY.dominance_two * value
    )
    return value > 0 and (few or dominated)


def assert_safe(release: Release, counts: dict, sums: dict, plain: dict) -> None:
    """No hidden figure of the release breaks its rule against the independent attacker.

    `counts`: count figures that are also sums of coaches' activity (key -> value, shares);
    `sums`: magnitudes (key -> value, shares); `plain`: counts without contributors.
    """
    floors = {}
    for key in {**counts, **plain}:
        table = key[0]
        refused = release.refused(table)
        if not refused and key[2] not in ("to_vetted", "compliant") and " - " not in str(key[2]):
            floors[key] = 1.0
    ranges = attack(release, floors)
    for key, (lo, hi) in ranges.items():
        if key in counts or key in plain:
            value, shares = counts.get(key) or (plain[key][0], None)
            if 0 < value < POLICY.min_cell:
                assert count_safe(lo, hi, value, POLICY.min_cell), (key, value, lo, hi)
            if shares is not None and _sensitive_sum(value, shares):
                assert magnitude_safe(lo, hi, value, shares, POLICY, floors.get(key, 0.0)), (
                    key, value, shares, lo, hi,
                )  # fmt: skip
        if key in sums and _sensitive_sum(*sums[key]):
            value, shares = sums[key]
            assert magnitude_safe(lo, hi, value, shares, POLICY), (key, value, shares, lo, hi)
    for key, shown in release.public_figures().items():
        truth = counts.get(key) or sums.get(key) or plain.get(key)
        if shown is not None and truth is not None:
            assert shown == pytest.approx(truth[0]), key


def _monthly(sessions: pl.DataFrame) -> Release:
    """Sessions (counts, also per-coach sums) and hours by region and month, one release."""
    release = Release(POLICY)
    release.add_counts(
        "sessions", sessions.drop("hours"), rows="region", cols="month", value="sessions",
        contributor="coach_id",
    )  # fmt: skip
    release.add_sums(
        "hours", sessions.drop("sessions"), rows="region", cols="month", value="hours",
        contributor="coach_id",
    )  # fmt: skip
    return release


def _one_coach_holds_june() -> pl.DataFrame:
    """Three regions of three coaches, 5 sessions each a month; in June one coach held all."""
    rows = [
        {"coach_id": f"C-{r}{k}", "region": region, "month": month, "sessions": 5,
         "hours": 5.0 + k / 4}
        for r, region in enumerate(["East", "North", "South"])
        for k in range(3)
        for month in MONTHS[:5]
    ]  # fmt: skip
    rows.append(
        {"coach_id": "C-10", "region": "North", "month": "2026-06", "sessions": 20, "hours": 18.5}
    )
    return pl.DataFrame(rows)


def test_leak1_a_month_one_coach_held_cannot_be_derived_by_subtraction():
    data = _one_coach_holds_june()
    release = _monthly(data)
    release.protect()
    june_sessions = release.figure("sessions", ALL, "2026-06")
    june_hours = release.figure("hours", ALL, "2026-06")
    assert not june_sessions.shown and not june_hours.shown
    assert june_hours.text() == "suppressed"
    # the attack of issue 9: grand total minus every other month
    for table in ("sessions", "hours"):
        grand = release.figure(table, ALL, ALL)
        others = [release.figure(table, ALL, m) for m in MONTHS[:5]]
        assert not (grand.shown and all(o.shown for o in others)), table
    # and every other linear combination: the coach's hours stay unknown to within the rules
    sessions = data.drop("hours")
    hours = data.drop("sessions")
    assert_safe(
        release,
        counts=_truth(sessions, "sessions", "region", "month", "sessions"),
        sums=_truth(hours, "hours", "region", "month", "hours"),
        plain={},
    )
    ranges = attack(release)
    lo, hi = ranges[("hours", "North", "2026-06")]
    assert lo <= 0.9 * 18.5 and hi >= 18.5 / POLICY.dominance_one


def _vetted() -> pl.DataFrame:
    """Referrals per coach and region: East and West have 2 unvetted referrals each."""
    rows = []
    for region, vetted, unvetted in [
        ("East", 20, 2), ("North", 30, 15), ("South", 25, 12), ("West", 18, 2), ("Centre", 40, 20),
    ]:  # fmt: skip
        for k in range(4):
            share_v = vetted // 4 + (vetted % 4 if k == 0 else 0)
            share_u = unvetted // 4 + (unvetted % 4 if k == 0 else 0)
            rows.append(
                {"coach_id": f"{region}-{k}", "region": region, "to_vetted": share_v,
                 "referrals": share_v + share_u}
            )  # fmt: skip
    return pl.DataFrame(rows)


def _compliance(vetted: pl.DataFrame) -> pl.DataFrame:
    """Compliance per coach and check: REFER-VETTED examines every referral of the table."""
    refer = vetted.select(
        "coach_id", check=pl.lit("REFER-VETTED"), compliant="to_vetted", examined="referrals"
    )
    notes = vetted.select(
        "coach_id", check=pl.lit("SESSION-NOTES"), compliant=pl.lit(9), examined=pl.lit(10)
    )
    return pl.concat([refer, notes], how="vertical_relaxed")


def _referral_release(vetted: pl.DataFrame) -> Release:
    release = Release(POLICY)
    release.add_rates(
        "vetted", vetted, rows="region", numerator="to_vetted", denominator="referrals",
        contributor="coach_id",
    )  # fmt: skip
    release.add_rates(
        "compliance", _compliance(vetted), rows="check", numerator="compliant",
        denominator="examined", contributor="coach_id",
    )  # fmt: skip
    regions = vetted["region"].unique().to_list()
    for ours, theirs in [("examined", "referrals"), ("compliant", "to_vetted")]:
        release.relate(
            ("compliance", "REFER-VETTED", ours), [("vetted", r, theirs) for r in regions]
        )
    return release


def _rate_truth(vetted: pl.DataFrame) -> tuple[dict, dict]:
    """Counts of the two rate tables: denominators with shares, numerators and differences."""
    counts, plain = {}, {}
    for name, frame, rows, num, den in [
        ("vetted", vetted, "region", "to_vetted", "referrals"),
        ("compliance", _compliance(vetted), "check", "compliant", "examined"),
    ]:
        per = frame.group_by(rows).agg(pl.col(num).sum(), pl.col(den))
        for row in per.iter_rows(named=True):
            d = sum(row[den])
            counts[(name, row[rows], den)] = (d, list(row[den]))
            plain[(name, row[rows], num)] = (row[num], None)
            plain[(name, row[rows], f"{den} - {num}")] = (d - row[num], None)
    return counts, plain


def test_leak2_a_compliance_row_does_not_give_away_suppressed_regions():
    vetted = _vetted()
    release = _referral_release(vetted)
    release.protect()
    rates = release.rates("vetted")
    hidden = rates.filter(pl.col("referrals").is_null())["region"].to_list()
    assert {"East", "West"} <= set(hidden)
    # the attack of issue 9: examined - kept - the unvetted of every shown region
    examined = release.figure("compliance", "REFER-VETTED", "examined")
    kept = release.figure("compliance", "REFER-VETTED", "compliant")
    if examined.shown and kept.shown:
        assert len(hidden) > 2 or rates.height == 2
    counts, plain = _rate_truth(vetted)
    assert_safe(release, counts=counts, sums={}, plain=plain)
    regions = vetted["region"].unique().to_list()
    known = tuple(
        (("compliance", "REFER-VETTED", ours), tuple(("vetted", r, theirs) for r in regions))
        for ours, theirs in [("examined", "referrals"), ("compliant", "to_vetted")]
    )
    ranges = attack(release, extra=known)
    for region in ("East", "West"):
        lo, hi = ranges[("vetted", region, "referrals - to_vetted")]
        assert count_safe(lo, hi, 2, POLICY.min_cell), (region, lo, hi)


def test_figures_are_read_only_after_protection_and_never_raw():
    release = _monthly(_one_coach_holds_june())
    with pytest.raises(DisclosureError, match="protect"):
        release.figure("sessions", ALL, ALL)
    release.protect()
    with pytest.raises(DisclosureError, match="already protected"):
        release.add_counts("more", pl.DataFrame({"a": ["x"], "n": [3]}), rows="a")
    wide = release.table("sessions").to_wide()
    north = wide.filter(pl.col("region") == "North").row(0, named=True)
    assert north["2026-06"] == "suppressed"
    shown = release.table("hours").cells.filter(~pl.col("suppressed"))
    assert shown["hours"].null_count() == 0
    assert release.table("hours").cells.filter("suppressed")["hours"].null_count() == (
        release.table("hours").cells["suppressed"].sum()
    )


def test_a_table_that_cannot_be_protected_is_refused_whole():
    # two regions, one session each by one coach: even with every figure hidden, the attacker
    # knows a hidden count is at least 1, so the total (2) is known to be at least 2: its
    # lower side is pinned. Refused, the table shows nothing, zeros included.
    one = pl.DataFrame({"coach_id": ["C-1", "C-2"], "region": ["North", "South"], "n": [1, 1]})
    release = Release(POLICY)
    release.add_counts("clients", one, rows="region", value="n", contributor="coach_id")
    release.add_counts("areas", pl.DataFrame({"area": ["a", "b"], "n": [40, 0]}), rows="area")
    release.protect()
    assert release.refused("clients") and not release.refused("areas")
    with pytest.raises(CannotProtect, match="too few records") as refused:
        release.table("clients")
    assert refused.value.table == "clients" and str(refused.value) == NOT_SHOWN
    assert not release.figure("clients", ALL).shown
    assert release.table("areas").to_wide()["n"].to_list() == ["40", "0", "40"]


def test_relating_unknown_figures_is_an_error():
    release = _monthly(_one_coach_holds_june())
    with pytest.raises(DisclosureError, match="no figure"):
        release.relate(("sessions", ALL, ALL), [("hours", ALL, ALL), ("nope", 1, 2)])


@st.composite
def report_like(draw) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Small, skewed workspaces: sessions per coach, region and month; referrals per coach."""
    shape = draw(
        st.sampled_from(
            ["random", "one_coach_per_month", "one_coach_per_region", "two_dominant", "empty_month"]
        )
    )
    n_regions = draw(st.integers(1, 3))
    months = MONTHS[: draw(st.integers(1, 4))]
    per_region = 1 if shape == "one_coach_per_region" else draw(st.integers(1, 4))
    coaches = [(f"C-{r}{k}", f"R{r}") for r in range(n_regions) for k in range(per_region)]
    rows = []
    busy = {m: draw(st.sampled_from(coaches))[0] for m in months}
    empty = draw(st.sampled_from(months))
    for idx, (coach, region) in enumerate(coaches):
        for month in months:
            if shape == "one_coach_per_month" and coach != busy[month]:
                continue
            top = 60 if shape == "two_dominant" and idx < 2 else 12
            n = 0 if shape == "empty_month" and month == empty else draw(st.integers(0, top))
            hours = n * draw(st.sampled_from([0.5, 0.75, 1.0, 1.5]))
            rows.append((coach, region, month, n, hours))
    sessions = pl.DataFrame(
        rows, schema=["coach_id", "region", "month", "sessions", "hours"], orient="row"
    )
    refs = []
    for coach, region in coaches:
        v = draw(st.integers(0, 15))
        refs.append((coach, region, v, v + draw(st.integers(0, 6))))
    vetted = pl.DataFrame(
        refs, schema=["coach_id", "region", "to_vetted", "referrals"], orient="row"
    )
    return sessions, vetted


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_like())
def test_property_no_hidden_figure_of_a_whole_release_breaks_its_rule(data):
    sessions, vetted = data
    release = _monthly(sessions)
    release.add_rates(
        "vetted", vetted, rows="region", numerator="to_vetted", denominator="referrals",
        contributor="coach_id",
    )  # fmt: skip
    release.add_rates(
        "compliance", _compliance(vetted), rows="check", numerator="compliant",
        denominator="examined", contributor="coach_id",
    )  # fmt: skip
    regions = vetted["region"].unique().to_list()
    for ours, theirs in [("examined", "referrals"), ("compliant", "to_vetted")]:
        release.relate(
            ("compliance", "REFER-VETTED", ours), [("vetted", r, theirs) for r in regions]
        )
    release.protect()
    counts, plain = _rate_truth(vetted)
    counts.update(_truth(sessions.drop("hours"), "sessions", "region", "month", "sessions"))
    sums = _truth(sessions.drop("sessions"), "hours", "region", "month", "hours")
    assert_safe(release, counts=counts, sums=sums, plain=plain)
    assert not math.isnan(sum(v for v in release.public_figures().values() if v is not None))


def test_categories_without_records_are_shown_as_zero_and_unknown_ones_refused():
    data = _one_coach_holds_june().filter(pl.col("region") != "East")
    release = Release(POLICY)
    release.add_counts(
        "sessions", data.drop("hours"), rows="region", cols="month", value="sessions",
        contributor="coach_id", categories={"region": ["East", "North", "South"], "month": MONTHS},
    )  # fmt: skip
    release.protect()
    east = release.table("sessions").cells.filter(pl.col("region") == "East")
    assert east["sessions"].to_list() == [0] * 6
    other = Release(POLICY)
    with pytest.raises(DisclosureError, match="not among the categories"):
        other.add_counts(
            "sessions", data.drop("hours"), rows="region", value="sessions",
            categories={"region": ["East"]},
        )  # fmt: skip


def test_a_relation_the_figures_do_not_satisfy_is_refused():
    release = _monthly(_one_coach_holds_june())
    with pytest.raises(DisclosureError, match="add up"):
        release.relate(("sessions", ALL, ALL), [("sessions", ALL, "2026-01")])
