"""Checks and metrics in one Scope: credential standing is built once and read by both."""

from __future__ import annotations

import pytest
from builders import build, coach, period, row
from polars.testing import assert_frame_equal

from trc_analytics.checks import run_checks, run_checks_in, runner
from trc_analytics.checks.catalogue import CHECKS
from trc_analytics.metrics import compute_all, compute_in
from trc_analytics.scope import Scope


def lapsed_workspace():
    return build(
        coaches=[coach(), coach("C-2")],
        credentials=[
            row("credentials", expires_on="2025-06-01"),  # past the 6-month grace
            row("credentials", coach_id="C-2", expires_on="2026-05-01"),  # in its grace
        ],
    )


def test_checks_in_a_scope_find_what_run_checks_finds():
    ws = lapsed_workspace()
    alone = run_checks(ws, period())
    shared = run_checks_in(Scope(ws=ws, period=period()))
    assert_frame_equal(shared.findings, alone.findings)
    assert_frame_equal(shared.status, alone.status)
    assert alone.findings["check_id"].to_list() == ["CERT-LAPSED", "CERT-LAPSED"]


def test_each_checks_plans_collected_together_give_what_each_gives_alone():
    # the runner collects a check's findings and cases per coach together (their shared cases
    # computed once); every frame must be the one its own plan gives, in catalogue order
    ws = lapsed_workspace()
    sc = Scope(ws=ws, period=period())
    plans = [p for c in CHECKS if not c.missing(ws) for p in runner._plans(c, sc, None)]
    paired = runner._collect_pairs(plans)
    assert len(paired) == len(plans) > 2
    for got, plan in zip(paired, plans, strict=True):
        assert_frame_equal(got, plan.collect(), check_row_order=False)


def test_metrics_in_a_scope_are_compute_all():
    ws = lapsed_workspace()
    assert_frame_equal(
        compute_in(Scope.make(ws, period()))["credential_status"],
        compute_all(ws, period())["credential_status"],
    )


def test_credential_standing_is_built_once_for_the_metric_and_the_check():
    sc = Scope(ws=lapsed_workspace(), period=period())
    status = compute_in(sc, ["credential_status"])["credential_status"]
    built = sc._cache["credential_standing"]
    findings = run_checks_in(sc, checks=["CERT-LAPSED"]).findings
    assert sc._cache["credential_standing"] is built  # the check read it, did not rebuild it
    assert dict(status.select("coach_id", "status").rows()) == {"C-1": "lapsed", "C-2": "grace"}
    assert findings.select("coach_id", "severity").rows() == [("C-1", "critical"), ("C-2", "minor")]


def test_checks_refuse_a_scope_of_some_coaches():
    sc = Scope.make(lapsed_workspace(), period(), coaches="C-1")
    with pytest.raises(ValueError, match="every coach"):
        run_checks_in(sc)
