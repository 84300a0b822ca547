"""Credential progress and the coaching-log rows against figures worked out by hand
(`progress_world`), and the requirements file: the ICF's figures, an association's levels,
and a bad file named with its key."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from progress_world import AS_OF, PERIOD, POLICY, world

from trc_analytics.metrics import registry
from trc_analytics.metrics.credential_progress import (
    coaching_log,
    counted_partials,
    counted_sessions,
    credential_progress,
    group_sizes,
    level_estimates,
    progress_levels,
    recent_hours,
)
from trc_analytics.metrics.registry import FLOAT_DECIMALS
from trc_analytics.metrics.requirements import (
    RequirementsError,
    icf_requirements,
    load_requirements,
    read_requirements,
)
from trc_analytics.policy import Policy, PolicyError
from trc_analytics.scope import Scope


def _progress(ws=None, policy=POLICY) -> dict:
    frame = credential_progress(ws or world(), PERIOD, policy=policy)
    return frame.filter(pl.col("coach_id") == "C-1").row(0, named=True)


def test_progress_is_worked_out_by_hand():
    p = _progress()
    assert p["counted_since"] == dt.date(2025, 1, 1)
    assert (p["hours"], p["paid_hours"], p["pro_bono_hours"]) == (8.5, 5.5, 3.0)
    assert p["clients"] == 5  # K-1..K-5, K-1 once though also in group G-1
    assert (p["hours_last_18_months"], p["hours_last_6_months"]) == (8.5, 7.5)
    assert p["paid_hours_last_6_months"] == 4.5
    assert (p["groups_over_cap"], p["hours_over_cap"]) == (1, 3.0)


def test_a_group_at_the_cap_counts_its_hours_and_members():
    """Near miss of the cap: with icf_max_group_size 4, G-2 (4 members) counts."""
    p = _progress(policy=Policy().with_overrides(icf_max_group_size=4))
    assert (p["hours"], p["pro_bono_hours"], p["clients"]) == (11.5, 6.0, 9)
    assert (p["groups_over_cap"], p["hours_over_cap"]) == (0, 0.0)


def test_without_a_training_start_every_held_session_counts():
    p = _progress(world(training_started=None))
    assert p["counted_since"] is None
    assert (p["hours"], p["paid_hours"]) == (9.5, 6.5)  # the 2024-12-01 session too


def test_a_coach_without_sessions_has_zeros_not_a_missing_row():
    frame = credential_progress(world(), PERIOD, policy=POLICY)
    c2 = frame.filter(pl.col("coach_id") == "C-2").row(0, named=True)
    assert (c2["hours"], c2["clients"]) == (0.0, 0)


def test_the_metrics_are_registered():
    assert {"credential_progress", "coaching_log"} <= set(registry())


def _levels(requirements=None):
    sc = Scope.make(world(), PERIOD, policy=POLICY)
    return sc, requirements or icf_requirements()


def test_acc_requirements_still_needed_by_hand():
    sc, req = _levels()
    acc = progress_levels(sc, req).filter(
        (pl.col("coach_id") == "C-1") & (pl.col("level") == "ACC")
    )
    got = {
        r["requirement"]: (r["required"], r["have"], r["still_needed"], r["met"])
        for r in acc.iter_rows(named=True)
    }
    assert got == {
        "hours": (100.0, 8.5, 91.5, False),
        "paid_hours": (75.0, 5.5, 69.5, False),
        "clients": (8.0, 5.0, 3.0, False),
        "recent_hours": (25.0, 8.5, 16.5, False),
    }  # fmt: skip


def test_the_estimate_follows_the_pace_of_the_last_six_months():
    """182 days from 2025-12-30 to 2026-06-30 hold 7.5 hours (4.5 paid): 91.5 hours need
    ceil(91.5 * 182 / 7.5) = 2,221 days, 69.5 paid hours ceil(69.5 * 182 / 4.5) = 2,811: the
    later one gives the date."""
    sc, req = _levels()
    acc = level_estimates(sc, req).filter(pl.col("coach_id") == "C-1").row(0, named=True)
    days = max(math.ceil(91.5 * 182 / 7.5), math.ceil(69.5 * 182 / 4.5))
    assert days == 2811
    assert acc["estimate"] == "on_pace"
    assert acc["estimated_on"] == AS_OF + dt.timedelta(days=days)
    assert acc["hours_per_month"] == 7.5 / 6
    assert (acc["clients_still_needed"], acc["recent_months"]) == (3, 18)


def test_no_pace_gives_no_date():
    sc, req = _levels()
    c2 = level_estimates(sc, req).filter(pl.col("coach_id") == "C-2")
    assert set(c2["estimate"]) == {"no_pace"}
    assert c2["estimated_on"].is_null().all()


def test_met_and_hours_met_levels(tmp_path):
    """An association's levels: one the coach meets, one whose hours are there but clients are
    not (no date: clients are not projected)."""
    path = tmp_path / "assoc.toml"
    path.write_text(
        '[source]\nname = "Example association"\n\n'
        '[[level]]\nname = "Starter"\nhours = 8\npaid_hours = 5\nclients = 5\n\n'
        '[[level]]\nname = "Wide"\nhours = 8\nclients = 6\n',
        encoding="utf-8",
    )
    sc, req = _levels(load_requirements(path))
    assert req.names == ["ACC", "PCC", "MCC", "Starter", "Wide"]
    est = level_estimates(sc, req).filter(pl.col("coach_id") == "C-1")
    got = dict(est.select("level", "estimate").iter_rows())
    assert (got["Starter"], got["Wide"]) == ("met", "hours_met")
    wide = est.filter(pl.col("level") == "Wide").row(0, named=True)
    assert wide["clients_still_needed"] == 1 and wide["estimated_on"] is None


def test_coaching_log_rows_by_hand():
    log = coaching_log(world(), PERIOD, coaches="C-1", policy=POLICY)
    rows = {
        r["client_id"] or r["group_id"]: (
            r["kind"], r["group_size"], r["started_on"].isoformat(), r["ended_on"].isoformat(),
            r["paid_hours"], r["pro_bono_hours"], r["log_consent"], r["over_cap"],
        )
        for r in log.iter_rows(named=True)
    }  # fmt: skip
    assert rows == {
        "K-1": ("individual", None, "2025-03-01", "2026-02-01", 2.5, 0.0, True, False),
        "K-2": ("individual", None, "2026-04-01", "2026-06-01", 1.0, 1.0, True, False),
        "K-3": ("individual", None, "2026-05-01", "2026-05-01", 0.0, 2.0, False, False),
        "G-1": ("group", 3, "2026-02-10", "2026-02-10", 2.0, 0.0, None, False),
        "G-2": ("group", 4, "2026-03-10", "2026-03-10", 0.0, 3.0, None, True),
    }


def test_group_sizes_are_one_row_per_group_beside_the_counted_sessions():
    """The sizes the coaching log shows live apart from the per-session frame (a size on every
    session row was mostly nulls held as long as the scope)."""
    sc = Scope.make(world(), PERIOD, policy=POLICY)
    sizes = group_sizes(sc).collect()  # asked first: builds the counted sessions too
    assert "group_size" not in counted_sessions(sc).collect_schema().names()
    assert sizes.height == sizes.select("coach_id", "group_id").n_unique()
    by_group = {
        (str(r["coach_id"]), str(r["group_id"])): r["group_size"]
        for r in sizes.iter_rows(named=True)
    }
    assert (by_group[("C-1", "G-1")], by_group[("C-1", "G-2")]) == (3, 4)


def test_progress_and_the_log_read_sums_per_client_or_group_not_every_session():
    """Both metrics are sums over `counted_partials` (one row per client or group, and per side
    of the earlier log): a scope that computes them holds no frame of every counted session
    (about 140 MiB at 5M sessions), and the partial sums add up to the sessions' own."""
    sc = Scope.make(world(), PERIOD, policy=POLICY)
    for metric in (credential_progress, coaching_log):
        metric.metric.lazy(sc).collect()  # type: ignore[attr-defined]
    assert "counted_sessions" not in sc._cache
    parts = counted_partials(sc).collect()
    keys = ["coach_id", "client_id", "group_id", "earlier_log"]
    assert parts.height == parts.select(keys).n_unique()
    sessions = counted_sessions(sc).collect()  # asked for: now built
    assert "counted_sessions" in sc._cache
    for name, kept in (("hours", pl.lit(True)), ("paid_hours", pl.col("paid"))):
        want = sessions.filter(kept).group_by("coach_id").agg(pl.col("hours").sum())
        got = parts.group_by("coach_id").agg(hours=pl.col(name).sum())
        joined = want.join(got, on="coach_id", how="full", suffix="_parts")
        assert joined.height == want.height > 0
        assert all(math.isclose(a, b) for a, b in joined.select("hours", "hours_parts").rows())
    over = parts.filter(pl.col("over_cap")).get_column("group_id").cast(pl.String).to_list()
    assert over == ["G-2"]


# --- hours brought forward from an earlier log ---------------------------------------------------

#: C-1's earlier log: 100 hours (80 paid) and 7 clients, to 2026-02-01.
PRIOR = {
    "prior_coaching_hours": 100.0,
    "prior_paid_hours": 80.0,
    "prior_clients": 7,
    "prior_hours_until": "2026-02-01",
}


def test_hours_brought_forward_add_to_hours_paid_and_clients_by_hand():
    """S-1 (2025-03-01, 1 h paid) and S-2 (2026-02-01, on the last day, 1.5 h paid) are in the
    earlier log: recorded 1 + 1 + 2 + 2 = 6 h (paid 1 + 2 = 3, pro bono 1 + 2 = 3), clients
    K-1 (through G-1), K-2..K-5 = 5. Plus 100 h (80 paid, 20 pro bono) and 7 clients."""
    p = _progress(world(prior=PRIOR))
    assert (p["hours"], p["paid_hours"], p["pro_bono_hours"]) == (106.0, 83.0, 23.0)
    assert p["clients"] == 12
    assert (p["prior_hours"], p["prior_paid_hours"], p["prior_clients"]) == (100.0, 80.0, 7)
    assert p["prior_hours_until"] == dt.date(2026, 2, 1)
    assert (p["groups_over_cap"], p["hours_over_cap"]) == (1, 3.0)


def test_hours_brought_forward_never_count_in_the_recent_windows():
    """The windows count dated sessions only: 8.5 h in 18 months, 7.5 (4.5 paid) in 6, as
    without an earlier log; the recent-hours requirement is unchanged too."""
    p = _progress(world(prior=PRIOR))
    assert (p["hours_last_18_months"], p["hours_last_6_months"]) == (8.5, 7.5)
    assert p["paid_hours_last_6_months"] == 4.5
    sc = Scope.make(world(prior=PRIOR), PERIOD, policy=POLICY)
    needs = progress_levels(sc, icf_requirements()).filter(pl.col("coach_id") == "C-1")
    have = dict(needs.filter(pl.col("level") == "ACC").select("requirement", "have").iter_rows())
    assert have == {"hours": 106.0, "paid_hours": 83.0, "clients": 12.0, "recent_hours": 8.5}


def test_a_session_the_day_after_the_earlier_log_counts_again():
    """Near miss of the double count: the log ends 2026-01-31, so S-2 (2026-02-01, 1.5 h
    paid) counts: 107.5 h, 84.5 paid; K-1 counts once still."""
    p = _progress(world(prior={**PRIOR, "prior_hours_until": "2026-01-31"}))
    assert (p["hours"], p["paid_hours"], p["clients"]) == (107.5, 84.5, 12)


def test_without_an_end_day_every_recorded_session_counts_with_the_earlier_log():
    p = _progress(world(prior={**PRIOR, "prior_hours_until": None}))
    assert (p["hours"], p["paid_hours"], p["pro_bono_hours"]) == (108.5, 85.5, 23.0)


def test_without_prior_columns_the_figures_are_the_recorded_ones():
    p = _progress()
    assert (p["prior_hours"], p["prior_paid_hours"], p["prior_clients"]) == (0.0, 0.0, 0)
    assert p["prior_hours_until"] is None
    assert (p["hours"], p["paid_hours"], p["clients"]) == (8.5, 5.5, 5)


def test_paid_hours_brought_forward_are_capped_at_the_hours_brought_forward():
    """Validation reports such a row; if kept anyway, pro bono never turns negative."""
    p = _progress(world(prior={**PRIOR, "prior_paid_hours": 150.0}))
    assert (p["paid_hours"], p["pro_bono_hours"], p["prior_paid_hours"]) == (103.0, 3.0, 100.0)


def test_the_coaching_log_leaves_out_sessions_the_earlier_log_holds():
    """K-1's own sessions are both in the earlier log: no K-1 row; the rest as before."""
    log = coaching_log(world(prior=PRIOR), PERIOD, coaches="C-1", policy=POLICY)
    assert sorted(r["client_id"] or r["group_id"] for r in log.iter_rows(named=True)) == [
        "G-1",
        "G-2",
        "K-2",
        "K-3",
    ]


# --- the requirements file ---------------------------------------------------------------------


def test_the_shipped_file_holds_the_icf_figures_with_source_and_date():
    req = icf_requirements()
    got = {
        lv.name: (lv.hours, lv.paid_hours, lv.clients, lv.recent_hours, lv.recent_months)
        for lv in req.levels
    }
    assert got == {
        "ACC": (100, 75, 8, 25, 18),
        "PCC": (500, 450, 25, 50, 18),
        "MCC": (2500, 2250, 35, None, None),
    }
    assert "International Coaching Federation" in req.sources[0]
    assert "recorded 20" in req.sources[0]


#: The head of a file whose one level "S" asks 5 hours; each case adds a line to it.
HEAD = '[source]\nname = "A"\n[[level]]\nname = "S"\n'
BAD = [
    ('[[level]]\nname = "S"\nhours = 5\n', "[source] name is missing"),
    (HEAD + 'hours = "many"\n', "hours 'many' is not a number"),
    (HEAD + "hours = 5\nminutes = 3\n", "minutes: unknown key"),
    (HEAD + "hours = 5\npaid_hours = 6\n", "paid_hours 6 is more than hours 5"),
    (HEAD + "hours = 5\nrecent_hours = 2\n", "recent_hours and recent_months go together"),
    (HEAD + "hours = 5\nclients = 2.5\n", "clients 2.5 is not a whole number"),
    (HEAD + "hours = -1\n", "hours -1 must be above 0"),
    (HEAD + "hours = 600.05\n", "hours 600.05 has more than one decimal"),
    (HEAD + "hours = 5\npaid_hours = 2.25\n", "paid_hours 2.25 has more than one decimal"),
    ('[source]\nname = "A"\n[[level]]\nhours = 5\n', "[[level]] 1: name is missing"),
    ('[source]\nname = "A"\n', "no [[level]] table"),
    ("[source\n", "not a TOML file"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_bad_requirements_file_names_file_and_key(tmp_path, text, message):
    path = tmp_path / "levels.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RequirementsError) as err:
        read_requirements(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_hours_in_tenths_are_accepted(tmp_path):
    """Near miss: 600.1 and 0.3 hours (0.1 * 3 is not exactly 0.3 as a float) are tenths."""
    path = tmp_path / "levels.toml"
    path.write_text(HEAD + "hours = 600.1\npaid_hours = 0.3\n", encoding="utf-8")
    assert read_requirements(path)


def test_an_association_level_may_not_reuse_an_icf_name(tmp_path):
    path = tmp_path / "levels.toml"
    path.write_text('[source]\nname = "A"\n[[level]]\nname = "acc"\nhours = 5\n', encoding="utf-8")
    with pytest.raises(RequirementsError, match="level 'acc' is already defined"):
        load_requirements(path)


def test_icf_max_group_size_is_a_checked_policy_value():
    assert Policy().icf_max_group_size == 15
    with pytest.raises(PolicyError, match="icf_max_group_size"):
        Policy().with_overrides(icf_max_group_size=1)
    with pytest.raises(PolicyError, match="not a whole number"):
        Policy().with_overrides(icf_max_group_size=2.5)


def test_totals_a_report_collects_itself_are_rounded_like_the_public_metric(demo_workspace):
    """The supervisor review collects `credential_progress`'s plan itself (`Metric.lazy`) and
    `recent_hours` directly: both must round their float sums as the registered metric does.
    Polars adds floats in parallel in no fixed order, so unrounded hours made a progress bar read
    75.4% in one render and 75.3% in the next."""
    sc = Scope.make(demo_workspace, PERIOD)
    lazy = credential_progress.metric.lazy(sc).collect()
    assert lazy.equals(credential_progress(demo_workspace, PERIOD))
    raw = credential_progress.metric.build(sc).collect()
    floats = [c for c, t in raw.schema.items() if t.is_float()]
    noisy = raw.select(pl.any_horizontal(pl.col(c) != pl.col(c).round(9) for c in floats).any())
    assert noisy.item(), "the demo no longer has sums with float noise: the test proves nothing"
    for frame in (lazy, recent_hours(sc, 18).collect()):
        for c in (c for c, t in frame.schema.items() if t.is_float()):
            assert frame.get_column(c).equals(frame.get_column(c).round(FLOAT_DECIMALS))
