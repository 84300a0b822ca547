"""Professional-standing metrics on the hand-built `metrics_world` (as of 2026-03-31)."""

from __future__ import annotations

import pytest
from metrics_world import PERIOD, D, rows, world

from trc_analytics.errors import MissingTables
from trc_analytics.metrics import standing
from trc_analytics.policy import Policy


def test_credential_status_as_of_the_period_end():
    got = standing.credential_status(world(), PERIOD)
    assert rows(
        got, "coach_id", "credential", "status", "days_to_expiry", "remediation_hours",
        "remediation_supervisor", "remediation_complete",
    ) == [
        ("C-1", "advanced", "current", 92, None, None, None),
        ("C-1", "initial", "due", 62, None, None, None),  # expires within 90 days
        # expired 2025-01-01, grace ended 2025-07-01; 3 h + 3 h one-to-one with C-1 (the
        # 2 h with C-3 do not add up: the Code asks for one supervisor)
        ("C-2", "initial", "lapsed", -454, 6.0, "C-1", True),
        # latest C-3 certificate expired 2025-12-01: in grace until 2026-06-01
        ("C-3", "initial", "grace", -120, None, None, None),  # no lapse remediation yet
    ]  # fmt: skip
    # C-4 was certified after the period end: not seen as of then


def test_credential_due_window_comes_from_the_policy():
    got = standing.credential_status(world(), PERIOD, policy=Policy(credential_due_days=60))
    assert rows(got.filter(coach_id="C-1"), "credential", "status") == [
        ("advanced", "current"),
        ("initial", "current"),
    ]


def test_remediation_needs_the_policy_hours_with_one_supervisor():
    got = standing.credential_status(
        world(), PERIOD, coaches=["C-2"], policy=Policy(lapse_supervision_hours=7)
    )
    assert rows(got, "remediation_hours", "remediation_complete") == [(6.0, False)]


def test_certification_pipeline_by_region():
    got = standing.certification_pipeline(world(), PERIOD, by="region")
    assert rows(got) == [
        ("north", "advanced", 1, 0, 0, 0, 0),
        ("north", "initial", 0, 1, 0, 1, 1),
        ("south", "initial", 0, 0, 1, 0, 0),
    ]


def test_ethics_review_in_the_cycle_for_active_coaches():
    ws = world()
    # C-1 took the course 2025-05-01; C-3's last review (2023-11-15) is from the previous
    # cycle; C-4 is not active, so its review does not count.
    assert rows(standing.ethics_review(ws, PERIOD)) == [
        ("C-1", 1, 1, D("2025-05-01")),
        ("C-2", 1, 0, None),
        ("C-3", 1, 0, D("2023-11-15")),
        ("C-4", 0, 0, None),
    ]
    assert rows(standing.ethics_review(ws, PERIOD, by="region")) == [
        ("north", 2, 1, D("2025-05-01")),
        ("south", 1, 0, D("2023-11-15")),
    ]


def test_ethics_review_from_credentials_alone_and_needs_one_of_the_tables():
    only_credentials = world(trainings=None)
    got = standing.ethics_review(only_credentials, PERIOD, coaches=["C-1", "C-3"])
    assert rows(got) == [("C-1", 1, 0, None), ("C-3", 1, 0, D("2023-11-15"))]
    neither = world(trainings=None, credentials=None)
    with pytest.raises(MissingTables, match=r"^no trainings or credentials records$") as err:
        standing.ethics_review(neither, PERIOD)
    assert err.value.empty.columns == ["coach_id", "coaches", "reviewed_in_cycle", "last_review_on"]


def test_training_hours_in_the_last_twelve_months():
    got = standing.training_hours(world(), PERIOD)
    # The window is 2025-04-01..2026-03-31: T-3 (2025-03-31) falls just outside.
    assert rows(got) == [
        ("C-1", 2, 7.0, D("2026-02-15")),
        ("C-2", 0, 0.0, D("2025-03-31")),
        ("C-3", 1, 2.0, D("2026-03-01")),
        ("C-4", 1, 1.0, D("2026-01-01")),
    ]


def test_training_by_kind():
    got = standing.training_by_kind(world(), PERIOD, by="region")
    assert rows(got) == [
        ("north", "ethics_review", 1, 3.0),
        ("north", "trauma_area", 1, 4.0),
        ("south", "ethics_review", 1, 1.0),
        ("south", "trauma_area", 1, 2.0),
    ]


def test_supervision_hours_by_reason_and_format():
    got = standing.supervision_hours(world(), PERIOD)
    assert rows(got) == [
        ("C-1", "competence_gap", "one_to_one", 1, 1.5),
        ("C-1", "routine", "group", 1, 1.0),
        ("C-2", "renewal_lapse", "one_to_one", 3, 8.0),
    ]  # SV-2 (2026-04-15) is after the period


def test_supervision_outside_marks_meetings_with_an_outside_supervisor():
    """Supervision a rule counts, given by a supervisor outside the workspace, is counted and
    marked as outside (C-1's competence meeting); C-2's three lapse meetings are with coaches of
    the workspace (C-1, C-3) who hold no supervisor credential, so they are inside and
    unqualified; a routine meeting is not counted."""
    got = standing.supervision_outside(world(), PERIOD)
    assert rows(got) == [
        ("C-1", 1, 1, 1.5, 0),
        ("C-2", 3, 0, 0.0, 3),
    ]
