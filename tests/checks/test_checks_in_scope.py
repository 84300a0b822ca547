"""Checks and metrics in one Scope: credential standing is built once and read by both."""

from __future__ import annotations

import polars as pl
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
    checks = [c for c in CHECKS if not c.missing(ws)]
    assert len(checks) > 1
    for check in checks:
        plans = runner._plans(check, sc, None)
        paired = runner._collected(check, sc, None)
        assert len(paired) == len(plans) == 2
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


def test_the_runner_counts_the_kinds_of_a_checks_cases_apart():
    """CERT-LAPSED's cases are credentials held at the period end and, for a coach who
    practised, their practice: `parts` counts them apart per coach (a report says "3
    credentials and your practice"), and they add up to `cases`. Near miss: a coach who held
    no session has no practice part, and checks of one kind of case have no parts."""
    from builders import engagement, session

    ws = build(
        coaches=[coach(), coach("C-2")],
        credentials=[
            row("credentials", certified_on="2025-01-01", expires_on="2027-01-01"),
            row(
                "credentials",
                credential="group",
                certified_on="2025-01-01",
                expires_on="2027-01-01",
            ),
            row("credentials", coach_id="C-2", certified_on="2025-01-01", expires_on="2027-01-01"),
        ],
        engagements=[engagement("E-1")],
        sessions=[session(held_on="2026-03-03")],
    )
    results = run_checks(ws, period())
    assert results.parts.rows() == [
        ("CERT-LAPSED", "C-1", "credential", 2, 2),
        ("CERT-LAPSED", "C-1", "practice", 1, 1),
        ("CERT-LAPSED", "C-2", "credential", 1, 1),
    ]
    lapsed = results.cases.filter(pl.col("check_id") == "CERT-LAPSED")
    assert lapsed.select("coach_id", "examined", "compliant").rows() == [
        ("C-1", 3, 3),
        ("C-2", 1, 1),
    ]
    shared = run_checks_in(Scope(ws=ws, period=period()))
    assert_frame_equal(shared.parts, results.parts)
    assert_frame_equal(shared.cases, results.cases)


def test_findings_tied_on_every_key_but_their_detail_come_out_in_one_order():
    # two findings of one check, same coach and day (e.g. two levels renewed on one day): the
    # order a plan happens to give them in must not reach the findings
    import datetime as dt

    rows = [
        {
            "check_id": "CERT-ETHICS",
            "severity": "minor",
            "coach_id": "C-0001",
            "client_id": None,
            "engagement_id": None,
            "on": dt.date(2026, 3, 1),
            "detail": detail,
        }
        for detail in ("level ACTC renewed without ...", "level TRC renewed without ...")
    ]
    one_way = runner._findings([pl.DataFrame(rows)])
    other_way = runner._findings([pl.DataFrame(rows[::-1])])
    assert_frame_equal(one_way, other_way)
    assert one_way["detail"].to_list() == sorted(r["detail"] for r in rows)
