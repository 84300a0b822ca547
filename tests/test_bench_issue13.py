"""bench_issue13.py's table: each target judged from the benchmark scripts' figures."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_issue13 import (
    metrics_rows,
    ratio_row,
    report_rows,
    scale_rows,
    validate_rows,
    verdict,
)


def test_a_bound_is_met_at_the_bound_and_missed_by_how_far_beyond():
    assert verdict(2.0, 2.0) == "met"
    assert verdict(2.5, 2.0) == "missed by 25%"
    assert verdict(4.0, 4.0, at_most=False) == "met"  # a speed-up: at least the bound
    assert verdict(3.0, 4.0, at_most=False) == "missed by 25%"


def test_a_ratio_is_judged_on_wall_time_and_the_cpu_verdict_added_when_it_differs():
    ref = {"seconds": 1.0, "cpu": 1.0}
    assert ratio_row("t", {"seconds": 1.9, "cpu": 1.5}, ref, 2.0).verdict == "met"
    row = ratio_row("t", {"seconds": 1.9, "cpu": 2.4}, ref, 2.0)
    assert (row.measured, row.verdict) == ("1.90x (CPU 2.40x)", "met (CPU: missed by 20%)")


def kinds(compute_peak: float) -> dict:
    figures = {"seconds": 2.0, "cpu": 2.0, "peak_mib": compute_peak}
    return {
        "package-compute": figures,
        "package-headline": {"seconds": 1.1, "cpu": 1.1, "peak_mib": 1},
        "polars": {"seconds": 1.0, "cpu": 1.0, "peak_mib": 1},
        "pandas": {"seconds": 8.0, "cpu": 8.0, "peak_mib": 1},
    }


def test_the_peak_memory_target_is_judged_at_5m_sessions_only():
    small = metrics_rows([{"sessions": 1_000_000, "kinds": kinds(900), "differ": []}])
    large = metrics_rows([{"sessions": 5_093_628, "kinds": kinds(2048), "differ": []}])
    assert [r.verdict for r in small] == ["met", "met", "met", "(target at 5M)"]
    assert large[-1].verdict == "missed by 100%"
    differ = metrics_rows([{"sessions": 1, "kinds": {}, "differ": ["fee_type: ..."]}])
    assert [(r.measured, r.verdict) for r in differ] == [("they differ", "missed")]


def test_loading_rows_give_the_ratio_to_the_plain_read_and_to_the_loaded_frames():
    modes = {
        "baseline": {"peak_mib": 50},
        "read": {"seconds": 1.0, "cpu": 1.0, "peak_mib": 200},
        "load": {"seconds": 2.5, "cpu": 2.0, "peak_mib": 300, "frames_mib": 100, "sessions": 2e6},
    }
    rows = validate_rows([{"format": "csv", "rows": 2_000_000, "modes": modes}])
    assert rows[0].verdict == "missed by 25% (CPU: met)"
    assert rows[1].measured.startswith("3.00x (300 of 100 MiB; plain read 2.00x)")
    assert rows[2].measured == "1.25 s, 1.00 CPU s, 125 MiB"


def test_the_loading_peak_is_judged_up_to_5m_sessions_and_only_shown_above():
    modes = {
        "baseline": {"peak_mib": 50},
        "read": {"seconds": 1.0, "cpu": 1.0, "peak_mib": 200},
        "load": {"seconds": 1.5, "cpu": 1.5, "peak_mib": 420, "frames_mib": 100, "sessions": 1e7},
    }
    at_5m = validate_rows([{"format": "csv", "rows": 5_000_000, "modes": modes}])
    at_10m = validate_rows([{"format": "csv", "rows": 10_000_000, "modes": modes}])
    assert at_5m[1].verdict == "missed by 110%"
    assert at_10m[1].measured.startswith("4.20x (420 of 100 MiB")
    assert at_10m[1].verdict == "(target at 5M)"
    assert at_10m[0].verdict == "met"  # the time ratio is judged at every size


def test_the_association_target_is_judged_at_2000_coaches_on_2_workers_only():
    run = {"coaches": 2000, "rendered": 200, "workers": 2, "first_s": 30.0, "steady_s": 0.25}
    rows = scale_rows(run | {"all_coaches_s": 30 + 0.25 * 1999})
    assert rows[0].verdict == "met"
    assert "extrapolated from 200" in rows[0].measured
    small = scale_rows(run | {"coaches": 50, "all_coaches_s": 42.0})
    assert small[0].verdict == "(target at 2,000 coaches, 2 workers)"


def test_the_cli_fresh_report_is_judged_beside_the_floor_when_measured():
    figures = {
        "reports": 40,
        "workers": 2,
        "batch1_s": 18.0,
        "batchN_s": 12.0,
        "batch1_cpu_s": 22.0,
        "fresh_s": 1.9,
        "floor_s": 0.8,
    }
    without = report_rows(figures)
    assert not any("trc report" in r.target for r in without)
    rows = report_rows({**figures, "cli_s": 2.4, "cli_cpu_s": 3.1})
    cli = next(r for r in rows if "trc report" in r.target)
    assert cli.measured.startswith("3.00x (2.40 s")
    assert cli.verdict == "missed by 20%"
