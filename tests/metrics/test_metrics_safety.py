"""Safety metrics on the hand-built workspace of `metrics_world` (figures worked out by hand)."""

from __future__ import annotations

import pytest
from metrics_world import PERIOD, rows, world

from trc_analytics.errors import MissingTables
from trc_analytics.metrics import safety


def test_exclusions_of_the_period_by_reason_with_a_missing_reason_as_not_recorded():
    # A-1 (the day before the period) is outside; A-4 cleared the client
    assert rows(safety.exclusions_by_reason(world(), PERIOD)) == [
        ("C-1", "active_addiction", 1),
        ("C-3", "not_recorded", 1),  # A-3, on the last day, no reason given
    ]
    assert rows(safety.exclusions_by_reason(world(), PERIOD, by="region", coaches="C-3")) == [
        ("south", "not_recorded", 1)
    ]


def test_session_safety_events_count_only_what_the_period_held():
    # C-1: S-9 rescheduled under the influence, S-2 left triggered; C-3: S-11 held under the
    # influence with decompensation. C-1's decompensation is S-4 (held 2026-01-08).
    got = rows(safety.session_safety_events(world(), PERIOD))
    assert got == [
        ("C-1", 0, 1, 1, 1),
        ("C-2", 0, 0, 0, 0),
        ("C-3", 1, 0, 0, 1),
        ("C-4", 0, 0, 0, 0),
    ]
    assert rows(safety.session_safety_events(world(), PERIOD, by="region")) == [
        ("north", 0, 1, 1, 1),
        ("south", 1, 0, 0, 1),
    ]


def test_exclusions_need_the_safety_assessments_table():
    with pytest.raises(MissingTables, match=r"^no safety_assessments records$"):
        safety.exclusions_by_reason(world(safety_assessments=None), PERIOD)
