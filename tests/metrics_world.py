"""A small hand-built workspace whose every metric was worked out by hand (tests of metrics).

Period: 2026-01-01..2026-03-31 (Q1). Four coaches: C-1 and C-2 in `north`, C-3 and C-4 (no
longer active) in `south`. C-1 runs a group (G-1) whose membership changes during the period.
Records just outside the period (2025-12-31, 2026-04-01) test the inclusive edges. The
expected figures sit beside each test; the story of each record is in the comments here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from trc_analytics.period import Period
from trc_analytics.records.schema import load_schema
from trc_analytics.records.workspace import Workspace

D = dt.date.fromisoformat
PERIOD = Period(D("2026-01-01"), D("2026-03-31"))


def frame(table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows (dicts with ISO date strings) as a frame typed by the schema."""
    fields = load_schema()[table].polars_schema
    cols = [c for c in fields if any(c in r for r in rows)]
    data = {
        c: [
            D(r[c]) if isinstance(r.get(c), str) and fields[c] == pl.Date() else r.get(c)
            for r in rows
        ]
        for c in cols
    }
    return pl.DataFrame(data, schema={c: fields[c] for c in cols})


def _sessions() -> list[dict[str, Any]]:
    one = {"coach_id": "C-1", "status": "held", "duration_min": 60, "fee_type": "paid"}
    grp = {**one, "engagement_id": "E-3", "duration_min": 120, "area": "complex_trauma_general"}
    return [
        # the day before the period: outside, but it prices C-1's hourly fee history
        {
            **one,
            "session_id": "S-1",
            "engagement_id": "E-1",
            "client_id": "K-1",
            "held_on": "2025-12-31",
            "fee_amount": 100.0,
            "currency": "USD",
            "area": "childhood_sexual_abuse",
        },
        {
            **one,
            "session_id": "S-2",
            "engagement_id": "E-1",
            "client_id": "K-1",
            "held_on": "2026-01-01",
            "fee_amount": 120.0,
            "currency": "USD",
            "delivery": "video",
            "area": "childhood_sexual_abuse",
        },
        {
            **one,
            "session_id": "S-3",
            "engagement_id": "E-1",
            "client_id": "K-1",
            "held_on": "2026-01-15",
            "status": "no_show",
            "area": "childhood_sexual_abuse",
        },
        # adoption trauma before C-1 declared it (2026-02-01); decompensation -> R-1 in 4 days
        {
            **one,
            "session_id": "S-4",
            "engagement_id": "E-2",
            "client_id": "K-2",
            "held_on": "2026-01-08",
            "duration_min": 90,
            "fee_type": "reduced",
            "fee_amount": 30.0,
            "currency": "USD",
            "delivery": "in_person",
            "area": "adoption_trauma",
            "decompensation_observed": True,
        },
        # group sessions: attendees are G-1's members on the day
        {
            **grp,
            "session_id": "S-5",
            "held_on": "2026-01-20",
            "fee_type": "pro_bono",
            "delivery": "video",
            "left_triggered_unsafe": True,
        },
        {
            **grp,
            "session_id": "S-6",
            "held_on": "2026-02-10",
            "fee_type": "pro_bono",
            "delivery": "video",
        },
        {
            **grp,
            "session_id": "S-7",
            "held_on": "2026-03-31",
            "fee_amount": 50.0,
            "currency": "USD",
        },
        {
            **one,
            "session_id": "S-8",
            "engagement_id": "E-2",
            "client_id": "K-2",
            "held_on": "2026-02-05",
            "status": "cancelled",
            "area": "adoption_trauma",
        },
        {
            **one,
            "session_id": "S-9",
            "engagement_id": "E-2",
            "client_id": "K-2",
            "held_on": "2026-02-12",
            "status": "rescheduled_under_influence",
            "area": "adoption_trauma",
            "client_under_influence": True,
        },
        {
            **one,
            "session_id": "S-10",
            "engagement_id": "E-2",
            "client_id": "K-2",
            "held_on": "2026-04-01",
            "area": "adoption_trauma",
        },  # the day after the period
        # out of scope, undeclared, before C-3's hypnosis training; decompensation, no referral
        {
            **one,
            "session_id": "S-11",
            "coach_id": "C-3",
            "engagement_id": "E-5",
            "client_id": "K-5",
            "held_on": "2026-02-12",
            "fee_amount": 80.0,
            "currency": "USD",
            "delivery": "phone",
            "area": "hypnosis",
            "decompensation_observed": True,
            "client_under_influence": True,
        },
        {
            **one,
            "session_id": "S-12",
            "coach_id": "C-2",
            "engagement_id": "E-4",
            "client_id": "K-8",
            "held_on": "2025-12-01",
            "area": "adoption_trauma",
        },
    ]


def world_frames() -> dict[str, pl.DataFrame]:
    """The tables of the hand-built workspace (change one, then `Workspace.from_frames`)."""
    coach = {"active": True}
    client = {"age_band": "35_44", "client_type": "individual", "fee_basis": "paying"}
    eng = {"format": "one_to_one", "coaching_relationship": True}
    sup = {"format": "one_to_one", "supervisor_id": "X-1"}
    return {
        "coaches": frame(
            "coaches",
            [
                {**coach, "coach_id": "C-1", "region": "north"},
                {**coach, "coach_id": "C-2", "region": "north"},
                {**coach, "coach_id": "C-3", "region": "south"},
                {"coach_id": "C-4", "region": "south", "active": False},
            ],
        ),
        "clients": frame(
            "clients",
            [
                # K-2 (a reduced fee: affordable service) is marked low income
                {**client, "client_id": c, "coach_id": k, "intake_on": d, "low_income": c == "K-2"}
                for c, k, d in [
                    ("K-1", "C-1", "2025-12-15"),
                    ("K-2", "C-1", "2026-01-01"),
                    ("K-3", "C-1", "2026-03-31"),
                    ("K-4", "C-2", "2026-04-01"),
                    ("K-5", "C-3", "2026-02-10"),
                    ("K-6", "C-1", "2025-11-01"),
                    ("K-7", "C-1", "2026-01-20"),
                    ("K-8", "C-2", "2025-06-01"),
                    ("K-9", "C-2", "2025-01-01"),
                    ("K-10", "C-3", "2026-01-05"),
                ]
            ],
        ),
        "engagements": frame(
            "engagements",
            [
                {
                    **eng,
                    "engagement_id": "E-1",
                    "coach_id": "C-1",
                    "client_id": "K-1",
                    "started_on": "2025-12-15",
                    "ended_on": "2026-02-20",
                    "end_reason": "client_withdrew",
                },
                {
                    **eng,
                    "engagement_id": "E-2",
                    "coach_id": "C-1",
                    "client_id": "K-2",
                    "started_on": "2026-01-01",
                },
                {
                    **eng,
                    "engagement_id": "E-3",
                    "coach_id": "C-1",
                    "group_id": "G-1",
                    "format": "group",
                    "started_on": "2025-11-01",
                },
                {
                    **eng,
                    "engagement_id": "E-4",
                    "coach_id": "C-2",
                    "client_id": "K-8",
                    "started_on": "2025-06-01",
                },
                {
                    **eng,
                    "engagement_id": "E-5",
                    "coach_id": "C-3",
                    "client_id": "K-5",
                    "started_on": "2026-02-10",
                    "ended_on": "2026-03-31",
                    "end_reason": "coach_released_client",
                    "exit_explained": True,
                    "exit_referral_id": "R-3",
                },
                {
                    **eng,
                    "engagement_id": "E-6",
                    "coach_id": "C-2",
                    "client_id": "K-9",
                    "started_on": "2025-01-01",
                    "ended_on": "2025-12-31",
                    "end_reason": "completed",
                },
                {
                    **eng,
                    "engagement_id": "E-7",
                    "coach_id": "C-3",
                    "client_id": "K-10",
                    "started_on": "2026-01-05",
                    "ended_on": "2026-01-05",
                    "end_reason": "coach_closed_practice",
                },
            ],
        ),
        "group_members": frame(
            "group_members",
            [
                {
                    "group_id": "G-1",
                    "client_id": "K-6",
                    "joined_on": "2025-11-01",
                    "left_on": "2026-01-31",
                },
                {"group_id": "G-1", "client_id": "K-7", "joined_on": "2026-02-01"},
                {"group_id": "G-1", "client_id": "K-1", "joined_on": "2026-03-01"},
            ],
        ),
        "sessions": frame("sessions", _sessions()),
        "competencies": frame(
            "competencies",
            [
                {"coach_id": k, "area": a, "basis": "training", "declared_on": d}
                for k, a, d in [
                    ("C-1", "childhood_sexual_abuse", "2025-01-01"),
                    ("C-1", "complex_trauma_general", "2025-01-01"),
                    ("C-1", "adoption_trauma", "2026-02-01"),
                    ("C-2", "adoption_trauma", "2025-01-01"),
                    ("C-3", "traumatic_grief", "2025-06-01"),
                    ("C-4", "traumatic_grief", "2025-01-01"),
                ]
            ],
        ),
        "referrals": frame(
            "referrals",
            [
                {
                    "referral_id": "R-0",
                    "coach_id": "C-1",
                    "client_id": "K-1",
                    "referred_on": "2025-12-31",
                    "service_id": "V-1",
                    "service_type": "therapist",
                    "reason": "other",
                },
                {
                    "referral_id": "R-1",
                    "coach_id": "C-1",
                    "client_id": "K-2",
                    "referred_on": "2026-01-12",
                    "service_id": "V-1",
                    "service_type": "therapist",
                    "reason": "decompensation",
                },
                {
                    "referral_id": "R-2",
                    "coach_id": "C-1",
                    "client_id": "K-1",
                    "referred_on": "2026-03-31",
                    "service_id": "V-2",
                    "service_type": "support_group",
                    "reason": "client_request",
                },
                {
                    "referral_id": "R-3",
                    "coach_id": "C-3",
                    "client_id": "K-5",
                    "referred_on": "2026-03-31",
                    "service_id": "V-3",
                    "service_type": "another_coach",
                    "reason": "coach_closing_practice",
                },
            ],
        ),
        "vetted_services": frame(
            "vetted_services",
            [
                {
                    "service_id": "V-1",
                    "coach_id": "C-1",
                    "service_type": "therapist",
                    "vetted_on": "2025-01-01",
                },
                {
                    "service_id": "V-2",
                    "coach_id": "C-1",
                    "service_type": "support_group",
                    "vetted_on": "2026-04-02",
                },  # vetted after R-2 was made
                {
                    "service_id": "V-3",
                    "coach_id": "C-3",
                    "service_type": "another_coach",
                    "vetted_on": "2025-01-01",
                },
                {
                    "service_id": "V-1",
                    "coach_id": "C-2",
                    "service_type": "therapist",
                    "vetted_on": "2025-01-01",
                },
            ],
        ),
        "supervision": frame(
            "supervision",
            [
                {
                    **sup,
                    "supervision_id": "SV-1",
                    "coach_id": "C-1",
                    "met_on": "2026-01-20",
                    "hours": 1.5,
                    "reason": "competence_gap",
                    "area": "adoption_trauma",
                },
                {
                    **sup,
                    "supervision_id": "SV-2",
                    "coach_id": "C-3",
                    "met_on": "2026-04-15",
                    "hours": 1.0,
                    "reason": "competence_gap",
                    "area": "hypnosis",
                },
                {
                    **sup,
                    "supervision_id": "SV-3",
                    "coach_id": "C-2",
                    "supervisor_id": "C-1",  # an Association supervisor (in the workspace)
                    "met_on": "2026-01-10",
                    "hours": 3.0,
                    "reason": "renewal_lapse",
                },
                {
                    **sup,
                    "supervision_id": "SV-4",
                    "coach_id": "C-2",
                    "supervisor_id": "C-1",  # an Association supervisor (in the workspace)
                    "met_on": "2026-02-10",
                    "hours": 3.0,
                    "reason": "renewal_lapse",
                },
                {
                    **sup,
                    "supervision_id": "SV-5",
                    "coach_id": "C-2",
                    "met_on": "2026-03-01",
                    "hours": 2.0,
                    "reason": "renewal_lapse",
                    "supervisor_id": "C-3",
                },
                {
                    **sup,
                    "supervision_id": "SV-6",
                    "coach_id": "C-1",
                    "met_on": "2026-03-05",
                    "hours": 1.0,
                    "reason": "routine",
                    "format": "group",
                },
            ],
        ),
        "credentials": frame(
            "credentials",
            [
                {
                    "coach_id": k,
                    "credential": c,
                    "certified_on": s,
                    "expires_on": e,
                    "ethics_review_on": r,
                }
                for k, c, s, e, r in [
                    ("C-1", "advanced", "2024-07-01", "2026-07-01", None),
                    ("C-1", "initial", "2024-06-01", "2026-06-01", None),
                    ("C-2", "initial", "2023-01-01", "2025-01-01", None),
                    ("C-3", "initial", "2021-12-01", "2023-12-01", None),
                    ("C-3", "initial", "2023-12-01", "2025-12-01", "2023-11-15"),
                    ("C-4", "initial", "2026-05-01", "2028-05-01", None),
                ]
            ],
        ),
        "trainings": frame(
            "trainings",
            [
                {
                    "training_id": t,
                    "coach_id": k,
                    "completed_on": d,
                    "hours": h,
                    "kind": kind,
                    "area": a,
                }
                for t, k, d, h, kind, a in [
                    ("T-1", "C-1", "2025-05-01", 3.0, "ethics_review", None),
                    ("T-2", "C-1", "2026-02-15", 4.0, "trauma_area", "adoption_trauma"),
                    ("T-3", "C-2", "2025-03-31", 2.0, "research_update", None),
                    ("T-4", "C-3", "2026-03-01", 2.0, "trauma_area", "hypnosis"),
                    ("T-5", "C-4", "2026-01-01", 1.0, "ethics_review", None),
                ]
            ],
        ),
        "community_service": frame(
            "community_service",
            [
                {
                    "activity_id": "CS-1",
                    "coach_id": "C-2",
                    "held_on": "2026-02-01",
                    "kind": "free_workshop",
                    "hours": 2.0,
                    "participants": 12,
                },
                {
                    "activity_id": "CS-2",
                    "coach_id": "C-2",
                    "held_on": "2026-03-15",
                    "kind": "advocacy",
                    "hours": 1.5,
                },
                {
                    "activity_id": "CS-3",
                    "coach_id": "C-3",
                    "held_on": "2025-12-01",
                    "kind": "advocacy",
                    "hours": 1.0,
                },
            ],
        ),
        # C-1 excludes K-2 (addiction) in the period and K-1 the day before it; C-3 excludes
        # K-5 on the last day without a reason; C-2 clears K-8
        "safety_assessments": frame(
            "safety_assessments",
            [
                {
                    "assessment_id": a,
                    "coach_id": k,
                    "client_id": c,
                    "assessed_on": d,
                    "outcome": o,
                    "exclusion_reason": r,
                }
                for a, k, c, d, o, r in [
                    ("A-1", "C-1", "K-1", "2025-12-31", "excluded", "active_self_harm"),
                    ("A-2", "C-1", "K-2", "2026-01-10", "excluded", "active_addiction"),
                    ("A-3", "C-3", "K-5", "2026-03-31", "excluded", None),
                    ("A-4", "C-2", "K-8", "2026-01-05", "cleared", None),
                ]
            ],
        ),
        # C-1: G-1 set before and achieved in the period, G-2 set in the period and open,
        # G-3 set in the period and revised after it; C-3: G-4 released, G-5 achieved (K-5).
        # Attained levels (Goal Attainment Scaling): G-2 0 (E-1), G-3 -1 (E-2), G-5 +2 (E-5).
        "goals": frame(
            "goals",
            [
                {
                    "goal_id": g,
                    "coach_id": k,
                    "client_id": c,
                    "set_on": s,
                    "status": st,
                    "closed_on": e,
                    "attained_level": level,
                }
                for g, k, c, s, st, e, level in [
                    ("G-1", "C-1", "K-1", "2025-11-01", "achieved", "2026-01-15", None),
                    ("G-2", "C-1", "K-1", "2026-02-01", "active", None, 0),
                    ("G-3", "C-1", "K-2", "2026-03-01", "revised", "2026-04-01", -1),
                    ("G-4", "C-3", "K-5", "2026-01-01", "released", "2026-03-31", None),
                    ("G-5", "C-3", "K-5", "2026-02-12", "achieved", "2026-03-01", 2),
                ]
            ],
        ),
        # K-1's wellbeing, first and latest in the period
        "measures": frame(
            "measures",
            [
                {
                    "client_id": "K-1",
                    "coach_id": "C-1",
                    "measured_on": on,
                    "instrument": "wellbeing",
                    "score": score,
                    "direction": "higher_better",
                }
                for on, score in [("2026-01-10", 20.0), ("2026-02-10", 24.0)]
            ],
        ),
        "supervision_actions": frame(
            "supervision_actions",
            [
                {
                    "action_id": a,
                    "coach_id": k,
                    "agreed_on": ag,
                    "check_id": "SAFE-SRA",
                    "client_id": c,
                    "action": "complete the safety risk assessment first",
                    "owner": "coach",
                    "due_on": due,
                    "done_on": done,
                }
                for a, k, c, ag, due, done in [
                    ("SA-1", "C-1", "K-1", "2026-01-10", "2026-02-10", None),
                    ("SA-2", "C-1", None, "2026-02-01", "2026-09-01", None),
                    ("SA-3", "C-3", "K-5", "2026-01-10", "2026-03-01", "2026-02-20"),
                ]
            ],
        ),
    }


def world(**replace: pl.DataFrame | None) -> Workspace:
    """The hand-built workspace; pass `table=None` to drop a table or a frame to replace it."""
    frames = world_frames()
    for name, value in replace.items():
        if value is None:
            frames.pop(name, None)
        else:
            frames[name] = value
    return Workspace.from_frames(frames)


def rows(df: pl.DataFrame, *columns: str) -> list[tuple]:
    """The frame's rows as tuples of the named columns (all columns when none named)."""
    return list(df.select(columns or df.columns).iter_rows())
