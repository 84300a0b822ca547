"""Adversarial suite: each test plays an attacker against what the association would publish.

Modelled on how disclosure-control tools test themselves (sdcTable's `attack()`): publish,
then derive from the published figures alone the range of every hidden small count.
"""

import datetime as dt
import math
import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trc_analytics.disclosure import (
    DisclosureError,
    attacker_ranges,
    audit,
    audit_together,
    protect_counts,
    protect_magnitudes,
    protect_rate,
)
from trc_analytics.period import Period
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


def test_with_a_public_grand_total_only_month_totals_made_public_resist_differencing():
    """A grand total published in both reports gives June's total away by subtraction; the
    months must then be protected as public totals (`time_axis`)."""
    known = two_periods_known(time_axis=None)
    found = audit_together(known)
    assert any("East, month 2026-06" in v.where and v.low == v.high == 4 for v in found)
    by_month = two_periods_known(time_axis="cols")
    assert by_month[0].col_totals.filter(month="2026-06")["n"].item() == 70
    assert audit_together(by_month) == []


def two_periods_known(time_axis):
    return [
        protect_counts(
            long({r: v[:n] for r, v in SESSIONS.items()}, MONTHS[:n]),
            rows="region",
            cols="month",
            known_total=True,
            time_axis=time_axis,
        )
        for n in (6, 5)
    ]


def region_month_workspace(sessions: dict[str, list[int]]):
    """Three coaches per region; each held `sessions[region][i]` one-hour sessions in month i
    of 2026 (shared out in turn between the region's coaches, so June's 4 in the East are
    2 + 1 + 1)."""
    from trc_analytics.records.workspace import Workspace

    regions = list(sessions)
    coaches = pl.DataFrame(
        {
            "coach_id": [f"C-{i + 1:04d}" for i in range(3 * len(regions))],
            "region": [r for r in regions for _ in range(3)],
            "active": [True] * (3 * len(regions)),
        }
    )
    counts = long(sessions, list(range(len(MONTHS))))
    held = (
        counts.with_columns(k=pl.int_ranges(0, "n"))
        .explode("k")
        .drop_nulls("k")
        .join(coaches.with_columns(turn=pl.int_range(3).over("region")), on="region")
        .filter(pl.col("k") % 3 == pl.col("turn"))
        .select(
            session_id=pl.format("S-{}", pl.int_range(pl.len())),
            coach_id="coach_id",
            held_on=pl.date(2026, pl.col("month") + 1, pl.col("k") % 28 + 1),
            status=pl.lit("held"),
            duration_min=pl.lit(60),
        )
    )
    return Workspace.from_frames({"coaches": coaches, "sessions": held})


def hours_of(ws, region: str, month: dt.date) -> pl.DataFrame:
    return (
        ws["sessions"]
        .join(ws["coaches"], on="coach_id")
        .filter(region=region)
        .filter(pl.col("held_on").dt.truncate("1mo") == month)
        .group_by("coach_id")
        .agg(hours=pl.col("duration_min").sum() / 60)
    )


class _TwoReports:
    """What a reader holding two association reports knows: every figure each publishes (keys
    prefixed by the report), the relations inside each, and that a month both cover holds the
    same cells in both (the populations are the same)."""

    def __init__(self, first, second, shared: list[tuple]) -> None:
        self.parts = {"a": first, "b": second}
        self.shared = shared

    def public_figures(self) -> dict:
        return {(p, *k): v for p, r in self.parts.items() for k, v in r.public_figures().items()}

    def relations(self) -> list:
        own = [
            ((p, *t), tuple((p, *m) for m in ms))
            for p, r in self.parts.items()
            for t, ms in r.relations()
        ]
        return own + [(("a", *k), (("b", *k),)) for k in self.shared]


def test_two_association_reports_a_month_apart_do_not_give_a_hidden_month_cell_away():
    """The report's own tables by region and month, for January-June and January-May, read
    side by side (every month both cover is the same in both): the East's 4 June sessions stay
    hidden and neither they nor the June hours behind hidden cells are narrowed past their rule
    (the independent attacker of `release_attack`)."""
    from tests.disclosure.release_attack import attack, count_safe, magnitude_safe
    from trc_analytics.disclosure import ALL
    from trc_analytics.reports.association.release import HOURS, release_of
    from trc_analytics.reports.association.release import SESSIONS as TABLE
    from trc_analytics.reports.context import open_report

    ws = region_month_workspace(SESSIONS)
    june = dt.date(2026, 6, 1)
    jun, may = [
        release_of(open_report("association", date_from="2026-01-01", date_to=end, workspace=ws))
        for end in ("2026-06-30", "2026-05-31")
    ]
    assert not jun.figure(TABLE, "East", june).shown
    months = [dt.date(2026, m, 1) for m in range(1, 6)]
    shared = [(t, r, m) for t in (TABLE, HOURS) for r in [*SESSIONS, ALL] for m in months]
    ranges = attack(_TwoReports(jun, may, shared))
    lo, hi = ranges[("a", TABLE, "East", june)]
    assert count_safe(lo, hi, 4, Policy().min_cell), (lo, hi)
    for region in SESSIONS:
        key = ("a", HOURS, region, june)
        if key in ranges:
            behind = hours_of(ws, region, june)["hours"].to_list()
            assert magnitude_safe(*ranges[key], sum(behind), behind, Policy()), (
                region,
                ranges[key],
            )


def test_a_table_cannot_be_published_when_public_totals_already_pin_a_small_count():
    """Found by the property test: months of 1 and 5 sessions, the grand total (6) and the
    second month's total public: the first month's 1 follows, whatever this table hides."""
    frame = long({"North": [0, 0], "South": [1, 5]}, MONTHS[:2])
    with pytest.raises(DisclosureError, match="cannot protect"):
        protect_counts(frame, rows="region", cols="month", policy=Policy(min_cell=5),
                       time_axis="cols")  # fmt: skip


def test_hours_by_month_keep_each_month_total_and_protect_it():
    hours = pl.DataFrame(
        {
            "region": ["North"] * 6 + ["Island"] * 2,
            "coach_id": ["C-01", "C-02", "C-03", "C-01", "C-02", "C-03", "C-04", "C-04"],
            "month": ["2026-01"] * 3 + ["2026-02"] * 3 + ["2026-01", "2026-02"],
            "hours": [10.0, 12, 11, 9, 10, 12, 6, 7],
        }
    )
    table = protect_magnitudes(
        hours, rows="region", cols="month", value="hours", contributor="coach_id",
        time_axis="cols",
    )  # fmt: skip
    assert table.col_totals["hours"].to_list() == [39.0, 38.0]
    assert table.total == 77.0
    # the Island coach's hours and North's are hidden together in each month
    assert table.cells["suppressed"].all()


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


def test_a_public_total_split_into_small_pieces_only_hides_the_whole_table():
    """Found by the property test: 11 clients in all, published elsewhere, split 1 + 1 + 9.
    Hiding the three still tells each is at most 9, so every cell goes, zeros included."""
    frame = long({"North": [0, 0, 0, 0], "South": [0, 1, 1, 9]}, MONTHS[:4])
    p = protect_counts(frame, rows="region", cols="month", known_total=True)
    assert p.total == 11
    assert p.cells["suppressed"].all()
    assert audit(p) == [] and audit_together([p]) == []


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
    shown = dict(table.cells.select("region", "hours").iter_rows())
    assert shown == {"Island": None, "North": None, "South": 60.0}


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
    assert rates.filter(check="SAFE-SRA").row(0) == ("SAFE-SRA", None, None, None)
    assert rates.filter(check="DEV-CE")["rate"].item() == 100.0
    assert audit(behind) == []


def test_a_rate_whose_denominator_another_table_publishes_hides_its_numerator_too():
    """Every held session is examined by SAFE-TRIGGERED, and the sessions table publishes how
    many were held: showing 6,576 compliant would tell that one client left unsafe."""
    per_check = pl.DataFrame({"check": ["SAFE-TRIGGERED"], "ok": [6576], "all": [6577]})
    rates, _ = protect_rate(per_check, rows="check", numerator="ok", denominator="all")
    assert rates.row(0) == ("SAFE-TRIGGERED", None, None, None)


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
    time_axis = draw(st.sampled_from([None, "cols", "rows"])) if known and n_cols else None
    return n_rows, n_cols, values, totals, min_cell, rounding, known, time_axis


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_random_tables_never_publish_or_let_anyone_derive_a_small_count(case):
    n_rows, n_cols, values, totals, min_cell, rounding, known, time_axis = case
    frame = pl.DataFrame(
        {
            "r": [f"r{i}" for i in range(n_rows) for _ in range(n_cols or 1)],
            **({"c": [f"c{j}" for _ in range(n_rows) for j in range(n_cols)]} if n_cols else {}),
            "n": values,
        }
    )
    policy = Policy(min_cell=min_cell, rounding_base=rounding)
    try:
        p = protect_counts(
            frame,
            rows="r",
            cols="c" if n_cols else None,
            policy=policy,
            totals=totals,
            known_total=known,
            time_axis=time_axis,
        )
    except DisclosureError as exc:
        # only when totals published elsewhere already pin a small count down (a month of
        # 1 beside a public grand total): then the table must not be published at all
        assert known and "cannot protect" in str(exc)
        return
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
    # zero is never hidden (unless the whole table had to be), a small count always is
    zeros_hidden = p.cells.filter(pl.col("suppressed") & (pl.Series(grid.reshape(-1)) == 0))
    assert zeros_hidden.is_empty() or p.cells["suppressed"].all()
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


def test_an_existing_world_readable_folder_is_refused_never_tightened_a_file_is_replaced(
    tmp_path,
):
    from trc_analytics.outputs import OutputError, private_dir, write_private

    folder = tmp_path / "reports"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with pytest.raises(OutputError, match="can be read or written by others"):
        private_dir(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755  # issue 9: never chmod-ed
    folder.chmod(0o700)
    target = folder / "association.html"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_private(target, "new")
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


# -- the association report, rendered ------------------------------------------------------------

REPORT_TODAY = dt.date(2026, 11, 30)
REPORT_PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
#: The default demo, and one with the fewest coaches: regions of one or two coaches.
WORKSPACES = {"demo": 40, "tiny": 8}


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    from trc_analytics.demo import write_demo

    root = tmp_path_factory.mktemp("workspaces")
    for name, coaches in WORKSPACES.items():
        write_demo(root / name, format="parquet", coaches=coaches, today=REPORT_TODAY)
    return {name: root / name for name in WORKSPACES}


@pytest.fixture(scope="module")
def sparse(tmp_path_factory) -> Path:
    """The fewest coaches over the report's six months, and only 3 sessions in June in all:
    every month total is public (two reports a month apart give it away), so June's 3 follows
    from the grand total however the table by region and month is hidden."""
    from trc_analytics.demo import generate_demo
    from trc_analytics.demo.writing import write_frames

    frames = generate_demo(coaches=8, months=6, start=REPORT_PERIOD.start, today=REPORT_TODAY)
    sessions = frames["sessions"]
    june = pl.col("held_on") >= dt.date(2026, 6, 1)
    frames["sessions"] = pl.concat(
        [sessions.filter(~june), sessions.filter(june & (pl.col("status") == "held")).head(3)]
    )
    folder = tmp_path_factory.mktemp("sparse") / "workspace"
    write_frames(frames, folder, format="parquet")
    return folder


@pytest.fixture(scope="module")
def folders(workspaces, sparse) -> dict[str, Path]:
    return {**workspaces, "sparse": sparse}


#: Every workspace the report is rendered on.
RENDERED = [*WORKSPACES, "sparse"]


@pytest.fixture(scope="module")
def rendered(folders, tmp_path_factory):
    from trc_analytics.reports.kernel import NotebookRunner
    from trc_analytics.reports.render import render_report

    out = tmp_path_factory.mktemp("reports")
    with NotebookRunner(reuse=True) as runner:
        return {
            name: render_report(
                "association", ws, period=REPORT_PERIOD, out_dir=out / name, runner=runner
            )
            for name, ws in folders.items()
        }


def record_ids(folder: Path) -> set[str]:
    """Every id of every record of the workspace (coaches, clients, engagements, sessions...)."""
    from trc_analytics.records.load import load_workspace

    ws = load_workspace(folder, today=REPORT_TODAY)
    ids: set[str] = set()
    for name in ws:
        for column in ws[name].columns:
            if column.endswith("_id") and ws[name].schema[column] == pl.String:
                ids |= set(ws[name][column].drop_nulls().unique().to_list())
    return ids


class Cells(HTMLParser):
    """Text of every cell of the report's data tables (not the footer's policy values)."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._in_data_table = False
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._in_data_table = "trc-table" in (dict(attrs).get("class") or "").split()
        elif tag == "td" and self._in_data_table:
            self._text = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_data_table = False
        elif tag == "td" and self._text is not None:
            self.cells.append("".join(self._text).strip())
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


@pytest.mark.slow
@pytest.mark.parametrize("name", RENDERED)
def test_the_rendered_association_report_names_no_record_id(rendered, folders, name):
    html = rendered[name].read_text(encoding="utf-8")
    ids = record_ids(folders[name])
    assert len(ids) > 1000  # coaches, clients, engagements, sessions, ...
    tokens = set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_.\-]*[A-Za-z0-9]", html))
    assert tokens & ids == set()


@pytest.mark.slow
@pytest.mark.parametrize("name", RENDERED)
def test_every_count_in_the_rendered_tables_is_0_or_at_least_min_cell(rendered, name):
    parser = Cells()
    parser.feed(rendered[name].read_text(encoding="utf-8"))
    counts = [int(c.replace(",", "")) for c in parser.cells if re.fullmatch(r"\d{1,3}(,\d{3})*", c)]
    assert len(counts) > 20
    assert [c for c in counts if 0 < c < 11] == []
    assert "suppressed" in parser.cells  # small counts are marked, not left out or zeroed


@pytest.mark.slow
def test_the_rendered_report_states_the_rule_and_is_owner_only(rendered):
    for path in rendered.values():
        html = path.read_text(encoding="utf-8")
        assert "Counts from 1 to 10 are not shown" in html
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.slow
def test_june_s_three_sessions_stay_hidden_and_every_section_still_renders(rendered):
    """June's 3 sessions (the sparse workspace): the table by region and month hides June's
    total rather than print it, and every other section is still there."""
    from trc_analytics.reports.association import SECTIONS
    from trc_analytics.reports.outline import titles

    html = rendered["sparse"].read_text(encoding="utf-8").replace("&amp;", "&")
    heads = titles(SECTIONS)
    sessions = html[html.index(f"<h2>{heads[2]}</h2>") : html.index(f"<h2>{heads[3]}</h2>")]
    totals = sessions[sessions.index("<td>Total</td>") :].split("</tr>")[0]
    assert totals.count("suppressed") >= 2  # June's 3 and another month with it
    for title in heads:
        assert f"<h2>{title}</h2>" in html
    assert "Traceback" not in html and "Error" not in html


def test_a_table_the_release_refuses_is_not_shown_and_its_section_says_why(demo_workspace):
    """When the release refuses a table (public figures would pin a small count however it
    were hidden), its section shows the plain sentence and no table or chart."""
    from trc_analytics.reports import association
    from trc_analytics.reports.context import open_report

    ctx = open_report(
        "association", date_from="2026-01-01", date_to="2026-06-30", workspace=demo_workspace
    )
    release = association.release_of(ctx)
    assert association.sessions_hours(ctx).tables  # shown as a rule
    release._refused.add(association.rel.SESSIONS)
    section = association.sessions_hours(ctx)
    assert section.takeaway == association.NOT_SHOWN
    assert not section.tables and section.chart is None
    assert association.rel.SESSIONS in " ".join(section.notes)


@pytest.mark.slow
@pytest.mark.parametrize("name", WORKSPACES)
def test_everything_the_association_report_publishes_resists_one_attacker(workspaces, name):
    """Every figure of the report (every table, total and quoted figure is in its release),
    attacked at once by the independent attacker: no hidden figure breaks its rule."""
    from tests.disclosure.association_truth import report_truth
    from tests.disclosure.test_release import assert_safe
    from trc_analytics.reports import association

    ctx = association.open_association(
        data=str(workspaces[name]), date_from="2026-01-01", date_to="2026-06-30"
    )
    counts, sums, plain = report_truth(ctx)
    assert_safe(association.release_of(ctx), counts=counts, sums=sums, plain=plain)


def test_a_region_of_one_coach_shows_neither_its_sessions_nor_its_clients(demo_workspace):
    """A session or client count is also a sum of each coach's activity: in a region with a
    single coach the cell-size rule alone would print that coach's own sessions (the small
    demo's islands hold over 50 a month), so the contributor rule hides them too."""
    from trc_analytics.reports import association
    from trc_analytics.reports.context import open_report

    ctx = open_report(
        "association", date_from="2026-01-01", date_to="2026-06-30", workspace=demo_workspace
    )
    coaches = demo_workspace["coaches"]
    assert coaches.filter(region="islands").height == 1
    release = association.release_of(ctx)
    sessions = release.table(association.rel.SESSIONS)
    islands = sessions.cells.filter(region="islands")
    assert islands["suppressed"].all() and islands["sessions"].null_count() == islands.height
    assert sessions.row_totals.filter(region="islands")["sessions"].item() is None

    served = association.served(ctx)
    shown = served.tables[0].frame.filter(pl.col("region") == "islands")
    assert shown["clients"].item() == "suppressed"


def test_an_area_practised_by_one_or_two_coaches_shows_neither_sessions_nor_clients(
    demo_workspace,
):
    """Demand by area: a published sessions or clients figure always rests on at least three
    coaches with none dominant, whatever its size."""
    from trc_analytics.reports import association
    from trc_analytics.reports.context import open_report

    ctx = open_report(
        "association", date_from="2026-01-01", date_to="2026-06-30", workspace=demo_workspace
    )
    held = demo_workspace["sessions"].filter(
        (pl.col("status") == "held")
        & pl.col("held_on").is_between(ctx.period.start, ctx.period.end)
    )
    coaches_per_area = held.group_by(pl.col("area").cast(pl.String)).agg(
        n=pl.col("coach_id").n_unique()
    )
    few = set(coaches_per_area.filter(pl.col("n") < 3)["area"].to_list())
    table = association.demand(ctx).tables[0].frame
    shown = table.filter(pl.col("sessions").is_not_null() | pl.col("clients").is_not_null())
    assert few, "the small demo has areas practised by fewer than three coaches"
    assert not few & set(shown["area"].to_list())


def test_compliance_of_a_check_only_one_coach_is_examined_for_is_not_published():
    """Twelve coaches, but only C-1 has clients under the influence: 12 sessions held and 12
    rescheduled. Both counts pass the cell-size rule, yet the row would be C-1's own record, so
    the whole row is hidden; a check every coach is examined for is still published."""
    from builders import build, client, coach, engagement, session

    from trc_analytics.reports import association
    from trc_analytics.reports.context import open_report

    coaches = [coach(f"C-{i}", region="north") for i in range(1, 13)]
    clients = [client(f"K-{i}", coach_id=f"C-{i}") for i in range(1, 13)]
    engagements = [
        engagement(f"E-{i}", coach_id=f"C-{i}", client_id=f"K-{i}") for i in range(1, 13)
    ]
    sessions = [
        session(
            f"S-{i}-{d}",
            engagement_id=f"E-{i}",
            coach_id=f"C-{i}",
            client_id=f"K-{i}",
            held_on=f"2026-02-{d:02d}",
        )
        for i in range(1, 13)
        for d in range(1, 3)
    ]
    sessions += [
        session(
            f"S-U-{d}",
            engagement_id="E-1",
            coach_id="C-1",
            client_id="K-1",
            held_on=f"2026-03-{d:02d}",
            client_under_influence=True,
            status="held" if d <= 12 else "rescheduled_under_influence",
        )
        for d in range(1, 25)
    ]
    ws = build(coaches=coaches, clients=clients, engagements=engagements, sessions=sessions)
    ctx = open_report("association", date_from="2026-01-01", date_to="2026-06-30", workspace=ws)
    table = association.compliance(ctx).tables[0].frame
    influence = table.filter(pl.col("check") == "SAFE-INFLUENCE")
    assert influence["examined"].item() is None and influence["kept_pct"].item() is None
    triggered = table.filter(pl.col("check") == "SAFE-TRIGGERED")
    assert triggered["examined"].item() == len(sessions) - 12  # held sessions, all coaches


def test_a_referral_reason_only_one_coach_uses_is_not_published():
    """C-1 alone referred 12 clients for being outside their scope: the count passes the
    cell-size rule, but it is C-1's own record, so it is hidden (contributor rule); nor is the
    vetted share of a region where one coach made the referrals."""
    from builders import build, client, coach, row

    from trc_analytics.reports import association
    from trc_analytics.reports.context import open_report

    coaches = [coach(f"C-{i}", region="north" if i > 1 else "islands") for i in range(1, 13)]
    clients = [client(f"K-{i}", coach_id=f"C-{i}") for i in range(1, 13)]
    refs = [
        row(
            "referrals",
            referral_id=f"R-1-{n}",
            coach_id="C-1",
            client_id="K-1",
            referred_on=f"2026-03-{n:02d}",
            reason="outside_scope",
            service_type="therapist",
        )
        for n in range(1, 13)
    ]
    ws = build(coaches=coaches, clients=clients, referrals=refs, vetted_services=[])
    ctx = open_report("association", date_from="2026-01-01", date_to="2026-06-30", workspace=ws)
    section = association.referrals(ctx)
    by_reason = section.tables[0].frame.filter(pl.col("reason") == "outside_scope")
    assert by_reason["therapist"].item() == "suppressed"
    assert "12" not in by_reason.row(0)
    vetted = section.tables[1].frame.filter(pl.col("region") == "islands")
    assert vetted["referrals"].item() is None and vetted["vetted_pct"].item() is None
