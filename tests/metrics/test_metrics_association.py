"""The per-coach counts the association report protects, on the hand-built workspace of
`metrics_world` (figures worked out by hand)."""

from __future__ import annotations

import datetime as dt

from metrics_world import PERIOD, rows, world

from trc_analytics.metrics import association as a

JAN, FEB, MAR = (dt.date(2026, m, 1) for m in (1, 2, 3))


def test_active_coaches_by_coach_and_by_region():
    # C-4 is no longer active
    assert rows(a.active_coaches(world(), PERIOD)) == [
        ("C-1", 1),
        ("C-2", 1),
        ("C-3", 1),
        ("C-4", 0),
    ]
    assert rows(a.active_coaches(world(), PERIOD, by="region")) == [("north", 2), ("south", 1)]


def test_held_sessions_and_hours_per_coach_and_month():
    # C-1 in January: S-2 (60 min), S-4 (90), group S-5 (120); S-1 (Dec 31) and S-10 (Apr 1)
    # are outside; S-3, S-8, S-9 were not held. C-2's only session is in December.
    assert rows(a.held_by_coach_month(world(), PERIOD)) == [
        ("C-1", "north", JAN, 3, 4.5),
        ("C-1", "north", FEB, 1, 2.0),
        ("C-1", "north", MAR, 1, 2.0),
        ("C-3", "south", FEB, 1, 1.0),
    ]


def test_held_sessions_and_clients_present_per_coach_and_area():
    # the group (complex trauma) had K-6 in January, K-7 from February, K-1 in March
    assert rows(a.held_by_coach_area(world(), PERIOD)) == [
        ("C-1", "north", "adoption_trauma", 1, 1),
        ("C-1", "north", "childhood_sexual_abuse", 1, 1),
        ("C-1", "north", "complex_trauma_general", 3, 3),
        ("C-3", "south", "hypnosis", 1, 1),
    ]


def test_clients_by_area_count_a_client_once_across_coaches():
    assert rows(a.clients_by_area(world(), PERIOD)) == [
        ("adoption_trauma", 1),
        ("childhood_sexual_abuse", 1),
        ("complex_trauma_general", 3),
        ("hypnosis", 1),
    ]
    # K-1 in a second area (the group) still counts once per area, twice in all
    assert a.clients_by_area(world(), PERIOD)["clients"].sum() == 6
