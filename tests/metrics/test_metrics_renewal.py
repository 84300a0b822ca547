"""Renewal readiness on a small workspace built here, figures worked out by hand.

As of 2026-06-30 (the period end):
- C-1 agreed 2 h of supervision a quarter (16 h over a 24-month cycle). Initial credential
  certified 2024-08-01, expires 2026-08-01 (32 days left). Since 2024-08-01: 12 h + 10 h of
  training (22 >= 20), an ethics review course on 2026-02-01 (its 3 h are not continuing
  education), 16 h of supervision, one pro-bono hour -> ready.
- C-2: certified 2024-09-01, expires 2026-09-15 (77 days left, under 90): 25 h of training, a
  free workshop, no agreed supervision, no ethics review course -> at risk, the course missing.
- C-3: expired 2025-06-01, grace ended 2025-12-01 -> lapsed.
- C-4: certified 2025-06-01, expires 2027-06-01 (336 days left), nothing yet -> in progress.
"""

from __future__ import annotations

import polars as pl
from builders import build, client, coach, engagement, period, row, session

from trc_analytics.metrics import renewal
from trc_analytics.policy import Policy

PERIOD = period()


def credential(coach_id: str, certified_on: str, expires_on: str, **values) -> dict:
    return row(
        "credentials",
        coach_id=coach_id,
        certified_on=certified_on,
        expires_on=expires_on,
        **values,
    )


def training(tid: str, coach_id: str, on: str, hours: float, kind: str = "trauma_area") -> dict:
    return row(
        "trainings", training_id=tid, coach_id=coach_id, completed_on=on, hours=hours, kind=kind
    )


def workspace(**replace):
    tables = dict(
        coaches=[
            coach("C-1", supervision_hours_per_quarter=2.0),
            coach("C-2"),
            coach("C-3"),
            coach("C-4"),
        ],
        credentials=[
            credential("C-1", "2024-08-01", "2026-08-01"),
            credential("C-2", "2024-09-01", "2026-09-15"),
            credential("C-3", "2023-06-01", "2025-06-01"),
            credential("C-4", "2025-06-01", "2027-06-01"),
        ],
        trainings=[
            training("T-1", "C-1", "2025-03-01", 12.0),
            training("T-2", "C-1", "2026-01-01", 10.0),
            training("T-3", "C-1", "2026-02-01", 3.0, kind="ethics_review"),
            training("T-4", "C-1", "2024-07-01", 30.0),  # before the cycle: not counted
            training("T-5", "C-2", "2025-05-01", 25.0),
        ],
        supervision=[
            row(
                "supervision",
                supervision_id="SV-1",
                coach_id="C-1",
                met_on="2025-04-01",
                hours=10.0,
            ),
            row(
                "supervision", supervision_id="SV-2", coach_id="C-1", met_on="2026-03-01", hours=6.0
            ),
        ],
        clients=[client("K-1")],
        engagements=[engagement("E-1")],
        sessions=[session("S-1", held_on="2026-03-01", fee_type="pro_bono")],
        community_service=[row("community_service", coach_id="C-2", held_on="2025-10-01")],
    )
    tables.update(replace)
    return build(**tables)


def readiness(ws, **policy) -> dict[str, dict]:
    frame = renewal.renewal_readiness(ws, PERIOD, policy=Policy().with_overrides(**policy))
    return {r["coach_id"]: r for r in frame.iter_rows(named=True)}


def test_each_status_with_its_requirements_worked_out_by_hand():
    got = readiness(workspace())
    assert {c: r["status"] for c, r in got.items()} == {
        "C-1": "ready",
        "C-2": "at_risk",
        "C-3": "lapsed",
        "C-4": "in_progress",
    }
    one = got["C-1"]
    assert (one["days_left"], one["ethics_review_on"].isoformat()) == (32, "2026-02-01")
    assert (one["ce_hours"], one["ce_needed"], one["ce_met"]) == (22.0, 20.0, True)
    assert (one["supervision_hours"], one["supervision_needed"]) == (16.0, 16.0)
    assert (one["affordable_hours"], one["missing"]) == (1.0, "")
    two = got["C-2"]
    assert (two["days_left"], two["missing"]) == (77, "Code of Ethics review course")
    assert (two["affordable_hours"], two["supervision_needed"], two["supervision_met"]) == (
        2.0,
        None,
        None,
    )
    assert got["C-4"]["missing"] == (
        "Code of Ethics review course, continuing education, affordable service"
    )


def test_at_risk_starts_below_the_warning_days_and_in_progress_at_them():
    # C-2 with 90 days left is still in progress; with 89, at risk
    for expires, status in [("2026-09-28", "in_progress"), ("2026-09-27", "at_risk")]:
        ws = workspace(credentials=[credential("C-2", "2024-09-01", expires)])
        assert readiness(ws)["C-2"]["status"] == status
    ws = workspace(credentials=[credential("C-2", "2024-09-01", "2026-09-28")])
    assert readiness(ws, renewal_warning_days=91)["C-2"]["status"] == "at_risk"


def test_an_ethics_review_dated_the_day_of_certification_belongs_to_that_certification():
    on_the_day = credential("C-2", "2024-09-01", "2026-09-15", ethics_review_on="2024-09-01")
    assert not readiness(workspace(credentials=[on_the_day]))["C-2"]["ethics_met"]
    day_after = [training("T-9", "C-2", "2024-09-02", 2.0, kind="ethics_review")]
    ws = workspace(
        credentials=[on_the_day], trainings=workspace()["trainings"].to_dicts() + day_after
    )
    assert readiness(ws)["C-2"]["status"] == "ready"


def test_a_requirement_just_short_is_missing():
    # 15.5 of the 16 agreed supervision hours; 19.5 of the 20 continuing-education hours
    ws = workspace(
        supervision=[
            row(
                "supervision",
                supervision_id="SV-1",
                coach_id="C-1",
                met_on="2025-04-01",
                hours=15.5,
            )
        ]
    )
    assert readiness(ws)["C-1"]["missing"] == "supervision"
    assert readiness(workspace(), ce_hours_per_cycle=22.5)["C-1"]["missing"] == (
        "continuing education"
    )


def test_a_reduced_fee_counts_as_affordable_only_for_a_low_income_client():
    reduced = [session("S-1", held_on="2026-03-01", fee_type="reduced")]
    assert readiness(workspace(sessions=reduced))["C-1"]["missing"] == "affordable service"
    low = [client("K-1", low_income=True)]
    assert readiness(workspace(sessions=reduced, clients=low))["C-1"]["status"] == "ready"


def test_inactive_coaches_are_not_listed():
    ws = workspace(
        coaches=[coach("C-1", supervision_hours_per_quarter=2.0), coach("C-2", active=False)],
        credentials=[
            credential("C-1", "2024-08-01", "2026-08-01"),
            credential("C-2", "2024-09-01", "2026-09-15"),
        ],
    )
    assert list(readiness(ws)) == ["C-1"]


def test_renewals_due_in_the_next_90_days_by_status():
    got = renewal.renewals_due(workspace(), PERIOD)
    assert got.rows() == [("C-1", 1, 0), ("C-2", 0, 1), ("C-3", 0, 0), ("C-4", 0, 0)]
    by_region = renewal.renewals_due(workspace(), PERIOD, by="region")
    assert by_region.rows() == [("north", 1, 1)]


def test_without_trainings_nothing_on_record_meets_continuing_education():
    got = readiness(_without("trainings"))
    assert got["C-1"]["missing"] == "Code of Ethics review course, continuing education"
    assert got["C-1"]["status"] == "at_risk"


def _without(table: str):
    ws = workspace()
    return build(**{n: f.to_dicts() for n, f in ws.tables.items() if n != table})


def test_the_metric_keeps_its_declared_columns_when_empty():
    ws = workspace(credentials=[])
    frame = renewal.renewal_readiness(ws, PERIOD)
    assert frame.is_empty() and frame.schema == pl.Schema(renewal.renewal_readiness.metric.columns)
