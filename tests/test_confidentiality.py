"""Adversarial suite: each test plays an attacker against what the association would publish.

Modelled on how disclosure-control tools test themselves (sdcTable's `attack()`): publish,
then derive from the published figures alone the range of every hidden small count.
"""

import math
import os
import stat

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trc_analytics.disclosure import (
    attacker_ranges,
    audit,
    audit_together,
    protect_counts,
    protect_magnitudes,
    protect_rate,
)
from trc_analytics.policy import Policy

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


def long(table: dict[str, list[int]], cols: list[str], rows="region", col="month"):
    return pl.DataFrame(
        {
            rows: [r for r in table for _ in cols],
            col: cols * len(table),
            "n": [v for values in table.values() for v in values],
        }
    )


# -- the differencing attack -------------------------------------------------------------------

SESSIONS = {  # sessions by region and month; the East had 4 sessions in June
    "North": [40, 42, 38, 45, 41, 39],
    "South": [25, 30, 28, 26, 31, 27],
    "East": [15, 14, 18, 12, 16, 4],
}


def two_periods(totals):
    """The same report run for January-June and for January-May."""
    jan_jun = protect_counts(long(SESSIONS, MONTHS), rows="region", cols="month", totals=totals)
    jan_may = protect_counts(
        long({r: v[:5] for r, v in SESSIONS.items()}, MONTHS[:5]),
        rows="region",
        cols="month",
        totals=totals,
    )
    return jan_jun, jan_may


def test_differencing_two_periods_one_month_apart_reveals_nothing():
    jan_jun, jan_may = two_periods("additive")
    east_june = jan_jun.cells.filter(region="East", month="2026-06")
    assert east_june["suppressed"].item()
    # the East's period total, which would give June away by subtraction, is not published
    assert jan_jun.row_totals.filter(region="East")["n"].item() is None
    assert jan_may.row_totals.filter(region="East")["n"].item() == 75
    assert audit_together([jan_jun, jan_may]) == []


def test_the_differencing_attack_is_real_for_complementary_totals():
    """Why additive totals are the default: complementary suppression protects one table, but
    the attacker who also has the January-May report recovers the hidden June count."""
    jan_jun, jan_may = two_periods("complementary")
    assert audit(jan_jun) == [] and audit(jan_may) == []
    found = audit_together([jan_jun, jan_may])
    assert any("East, month 2026-06" in v.where and v.high < 11 for v in found)


AREAS = {  # clients by trauma area and region; two human-trafficking clients in the East
    "intimate_partner_violence": [30, 22, 14],
    "human_trafficking": [12, 11, 2],
    "medical_trauma": [18, 15, 13],
}


def test_differencing_with_and_without_one_region_reveals_nothing():
    regions = ["North", "South", "East"]
    all_regions = protect_counts(long(AREAS, regions, "area", "region"), rows="area", cols="region")
    without_east = protect_counts(
        long({a: v[:2] for a, v in AREAS.items()}, regions[:2], "area", "region"),
        rows="area",
        cols="region",
    )
    assert all_regions.row_totals.filter(area="human_trafficking")["n"].item() is None
    assert without_east.row_totals.filter(area="human_trafficking")["n"].item() == 23
    assert audit_together([all_regions, without_east]) == []


def test_a_standalone_all_regions_table_next_to_the_breakdown_is_caught_by_the_audit():
    """Publishing "clients by area, all regions" beside the breakdown would let the attacker
    subtract; the report must publish area totals as the breakdown's own totals."""
    regions = ["North", "South", "East"]
    breakdown = protect_counts(long(AREAS, regions, "area", "region"), rows="area", cols="region")
    by_area = protect_counts(
        pl.DataFrame({"area": list(AREAS), "n": [sum(v) for v in AREAS.values()]}), rows="area"
    )
    assert by_area.cells.filter(area="human_trafficking")["n"].item() == 25
    found = audit_together([breakdown, by_area], scopes=[{}, {"region": regions}])
    assert any("human_trafficking, region East" in v.where for v in found)


def test_a_table_whose_grand_total_is_published_elsewhere_must_say_so():
    """Sessions by area next to sessions by region and month: the second table publishes the
    grand total (all sessions), so a lone small area would be that total minus the rest."""
    complete = {r: v[:5] for r, v in SESSIONS.items()}  # January-May: every cell publishable
    by_month = protect_counts(long(complete, MONTHS[:5]), rows="region", cols="month")
    sessions = by_month.total
    assert sessions == sum(sum(v) for v in complete.values())
    areas = pl.DataFrame(
        {"area": ["intimate_partner_violence", "medical_trauma", "human_trafficking"],
         "n": [300, sessions - 304, 4]}
    )  # fmt: skip
    scopes = [{"area": areas["area"].to_list()}, {"region": list(complete), "month": MONTHS[:5]}]

    alone = protect_counts(areas, rows="area")
    assert alone.total is None and audit(alone) == []  # safe on its own ...
    found = audit_together([by_month, alone], scopes=scopes)
    assert [v.where for v in found] == ["table 2, area human_trafficking"]  # ... not together

    linked = protect_counts(areas, rows="area", known_total=True)
    assert linked.total == sessions
    assert linked.cells["suppressed"].to_list() == [False, True, True]
    assert audit_together([by_month, linked], scopes=scopes) == []


def test_hours_whose_total_is_published_elsewhere_hide_a_partner_beside_a_lone_coach():
    hours = pl.DataFrame(
        {
            "region": ["North"] * 3 + ["South"] * 3 + ["Island"],
            "coach_id": [f"C-000{i}" for i in range(1, 8)],
            "hours": [10.0, 10, 10, 20, 20, 20, 5],
        }
    )
    table = protect_magnitudes(
        hours, rows="region", value="hours", contributor="coach_id", known_total=True
    )
    assert table.total == 95.0
    # North (30 hours) is hidden too: Island's 5 hours plus North's pass the rules together
    assert table.cells["hours"].to_list() == [None, 60.0, None]


# -- tiny populations ----------------------------------------------------------------------------


def test_a_trauma_area_with_two_clients_is_hidden_everywhere():
    regions = ["North", "South", "East"]
    table = protect_counts(long(AREAS, regions, "area", "region"), rows="area", cols="region")
    east = table.cells.filter(area="human_trafficking", region="East")
    assert east["n"].item() is None and east["suppressed"].item()
    for where, _lo, hi, small in attacker_ranges(table):
        if small:
            assert hi == math.inf, where
    wide = table.to_wide()
    assert "2" not in wide.filter(area="human_trafficking").row(0)


def test_a_region_with_one_coach_shows_no_hours_and_no_total_that_gives_them_away():
    hours = pl.DataFrame(
        {
            "region": ["North"] * 4 + ["Island"],
            "coach_id": ["C-0001", "C-0002", "C-0003", "C-0004", "C-0005"],
            "hours": [20.0, 22.0, 25.0, 18.0, 9.5],
        }
    )
    table = protect_magnitudes(hours, rows="region", value="hours", contributor="coach_id")
    assert table.cells.filter(region="Island")["hours"].item() is None
    assert table.cells.filter(region="North")["hours"].item() == 85.0
    assert table.total is None  # 94.5 - 85.0 would give the Island coach's hours
    assert "coach_id" not in table.cells.columns
    assert "C-0005" not in str(table.to_wide())


def test_one_dominant_coach_hides_a_sum_even_with_many_contributors():
    hours = pl.DataFrame(
        {
            "region": ["North"] * 5,
            "coach_id": [f"C-000{i}" for i in range(1, 6)],
            "hours": [100.0, 5.0, 5.0, 5.0, 5.0],
        }
    )
    table = protect_magnitudes(hours, rows="region", value="hours", contributor="coach_id")
    assert table.cells["hours"].to_list() == [None]


def test_two_dominant_coaches_hide_a_sum():
    hours = pl.DataFrame(
        {
            "region": ["North"] * 4,
            "coach_id": ["C-0001", "C-0002", "C-0003", "C-0004"],
            "hours": [40.0, 40.0, 10.0, 10.0],  # the two largest hold 80% > 67%
        }
    )
    table = protect_magnitudes(hours, rows="region", value="hours", contributor="coach_id")
    assert table.cells["hours"].to_list() == [None]


def test_two_small_cells_that_sum_below_the_threshold_cannot_be_pinned_down():
    table = pl.DataFrame({"area": ["x", "y", "z", "w"], "n": [3, 4, 30, 25]})
    p = protect_counts(table, rows="area", value="n", totals="complementary")
    assert p.total == 62
    assert p.cells["suppressed"].sum() == 3  # the two small ones and the smallest partner
    ranges = {w: (lo, hi) for w, lo, hi, small in attacker_ranges(p) if small}
    assert all(hi >= 11 for _, hi in ranges.values())
    assert audit(p) == [] and audit_together([p]) == []


def test_a_rate_never_reveals_the_count_it_leaves_out():
    # 15 of 20 coaches compliant: showing 75% next to 20 would tell that 5 are not
    per_check = pl.DataFrame({"check": ["SAFE-SRA", "DEV-CE"], "ok": [15, 40], "all": [20, 40]})
    rates, behind = protect_rate(per_check, rows="check", numerator="ok", denominator="all")
    assert rates.filter(check="SAFE-SRA")["rate"].item() is None
    assert rates.filter(check="SAFE-SRA")["all"].item() is None
    assert rates.filter(check="DEV-CE")["rate"].item() == 100.0
    assert audit(behind) == []


# -- property: random tables ------------------------------------------------------------------

counts = st.one_of(st.just(0), st.integers(1, 12), st.integers(11, 60))


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 4))
    n_cols = draw(st.one_of(st.none(), st.integers(1, 4)))
    values = draw(
        st.lists(counts, min_size=n_rows * (n_cols or 1), max_size=n_rows * (n_cols or 1))
    )
    totals = draw(st.sampled_from(["additive", "complementary", "none"]))
    min_cell = draw(st.sampled_from([5, 11]))
    rounding = draw(st.sampled_from([0, 5]))
    known = totals != "none" and draw(st.booleans())
    return n_rows, n_cols, values, totals, min_cell, rounding, known


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_random_tables_never_publish_or_let_anyone_derive_a_small_count(case):
    n_rows, n_cols, values, totals, min_cell, rounding, known = case
    frame = pl.DataFrame(
        {
            "r": [f"r{i}" for i in range(n_rows) for _ in range(n_cols or 1)],
            **({"c": [f"c{j}" for _ in range(n_rows) for j in range(n_cols)]} if n_cols else {}),
            "n": values,
        }
    )
    policy = Policy(min_cell=min_cell, rounding_base=rounding)
    p = protect_counts(
        frame,
        rows="r",
        cols="c" if n_cols else None,
        policy=policy,
        totals=totals,
        known_total=known,
    )
    grid = np.array(values).reshape(n_rows, n_cols or 1)
    if known and (grid.sum() == 0 or grid.sum() >= min_cell):
        assert p.total is not None  # a total published elsewhere stays published here

    published = [p.cells["n"]]
    if p.row_totals is not None:
        published += [p.row_totals["n"], p.col_totals["n"]]
    shown = pl.concat([s.drop_nulls() for s in published]).to_list()
    shown += [p.total] if p.total is not None else []
    assert all(v == 0 or v >= min_cell for v in shown), "a small count is published"
    # unrounded, every shown figure is the true one
    if rounding == 0:
        assert [v for v in p.cells["n"].to_list() if v is not None] == [
            int(v) for v, h in zip(grid.reshape(-1), p.cells["suppressed"], strict=True) if not h
        ]
        if p.total is not None:
            assert p.total == grid.sum()
    # zero is never hidden, a small count always is
    assert not p.cells.filter(pl.col("suppressed") & (pl.Series(grid.reshape(-1)) == 0)).height
    small = (grid.reshape(-1) >= 1) & (grid.reshape(-1) < min_cell)
    assert p.cells["suppressed"].to_numpy()[small].all()
    # nothing hidden can be narrowed: two independent attacker formulations agree
    assert audit(p) == []
    assert audit_together([p]) == []
    # a percentage exists only where both its count and its total are published
    if totals != "none":
        shares = p.shares("total")
        assert shares.filter(pl.col("share").is_not_null() & pl.col("n").is_null()).is_empty()
        if p.total is None:
            assert shares["share"].null_count() == len(shares)


@pytest.mark.parametrize("totals", ["additive", "complementary"])
def test_the_rule_is_stated_for_the_report(totals):
    p = protect_counts(long(SESSIONS, MONTHS), rows="region", cols="month", totals=totals)
    assert p.rule.startswith("Counts from 1 to 10 are not shown")
    assert "suppressed" in p.rule


# -- leak-proof output files -------------------------------------------------------------------


def test_outputs_are_created_owner_only(tmp_path):
    from trc_analytics.outputs import private_dir, write_private

    folder = private_dir(tmp_path / "reports" / "2026")
    report = write_private(folder / "association.html", "<html>…</html>")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    nested = write_private(tmp_path / "new" / "export.csv", b"a,b\n")
    assert stat.S_IMODE(nested.parent.stat().st_mode) == 0o700


def test_an_existing_world_readable_file_or_folder_is_tightened(tmp_path):
    from trc_analytics.outputs import private_dir, write_private

    folder = tmp_path / "reports"
    folder.mkdir(mode=0o755)
    target = folder / "association.html"
    target.write_text("old")
    os.chmod(target, 0o644)
    private_dir(folder)
    write_private(target, "new")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text() == "new"


@pytest.mark.parametrize("interruption", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_mid_write_leaves_the_old_file_intact_and_no_partial_file(
    tmp_path, monkeypatch, interruption
):
    from trc_analytics import outputs

    target = outputs.write_private(tmp_path / "association.html", "the complete old report")

    def fail(_fd):
        raise interruption

    monkeypatch.setattr(outputs.os, "fsync", fail)
    with pytest.raises(type(interruption)):
        outputs.write_private(target, "half a new rep")
    assert target.read_text() == "the complete old report"
    assert [p.name for p in tmp_path.iterdir()] == ["association.html"]
