"""Standing checks as of the period end: credentials, ethics review, continuing education."""

import datetime as dt

from builders import build, coach, findings_for, row, session


def credential(**values):
    return row("credentials", **values)


def supervision(supervision_id, supervisor_id, hours, met_on="2026-05-01", **values):
    return row(
        "supervision",
        supervision_id=supervision_id,
        supervisor_id=supervisor_id,
        hours=hours,
        met_on=met_on,
        reason=values.pop("reason", "renewal_lapse"),
        **values,
    )


# --- CERT-LAPSED -------------------------------------------------------------------------------


def test_lapsed_within_grace_is_major():
    ws = build(credentials=[credential(certified_on="2024-04-01", expires_on="2026-04-01")])
    found = findings_for("CERT-LAPSED", ws)
    assert found.select("severity", "on").rows() == [("major", dt.date(2026, 6, 30))]
    assert found["detail"][0] == (
        "Coach C-1's Initial certification expired on 2026-04-01; the 6 months grace period to "
        "renew it runs until 2026-10-01."
    )


def test_lapsed_past_grace_without_six_hours_with_one_supervisor_is_critical():
    ws = build(
        credentials=[credential(certified_on="2023-06-01", expires_on="2025-06-01")],
        supervision=[
            supervision("SV-1", "SUP-1", 3.0),
            supervision("SV-2", "SUP-2", 3.0),  # another supervisor: does not add up
            supervision("SV-3", "SUP-1", 4.0, reason="routine"),
        ],
    )
    found = findings_for("CERT-LAPSED", ws)
    assert found["severity"].to_list() == ["critical"]
    assert found["detail"][0].endswith("(3 hours recorded).")


def test_lapsed_past_grace_remedied_by_six_hours_with_the_same_supervisor():
    ws = build(
        credentials=[credential(certified_on="2023-06-01", expires_on="2025-06-01")],
        supervision=[supervision("SV-1", "SUP-1", 2.5), supervision("SV-2", "SUP-1", 3.5)],
    )
    assert findings_for("CERT-LAPSED", ws).is_empty()


def test_renewed_credential_is_current_and_inactive_coaches_are_not_judged():
    ws = build(
        coaches=[coach("C-1"), coach("C-2", active=False)],
        credentials=[
            credential(certified_on="2022-01-01", expires_on="2024-01-01"),
            credential(certified_on="2024-01-01", expires_on="2026-12-31"),
            credential(coach_id="C-2", certified_on="2020-01-01", expires_on="2022-01-01"),
        ],
    )
    assert findings_for("CERT-LAPSED", ws).is_empty()


def test_sessions_held_after_the_grace_period_are_a_critical_finding():
    ws = build(
        credentials=[credential(certified_on="2023-06-01", expires_on="2025-06-01")],
        supervision=[supervision("SV-1", "SUP-1", 6.0, met_on="2026-01-10")],
        sessions=[
            session("S-1", held_on="2026-02-01"),
            session("S-2", held_on="2026-03-01"),
        ],
    )
    found = findings_for("CERT-LAPSED", ws)
    assert found.select("severity", "on").rows() == [("critical", dt.date(2026, 2, 1))]
    assert found["detail"][0] == (
        "Coach C-1 held 2 sessions from 2026-02-01 to 2026-03-01 while their certification had "
        "lapsed (its grace period ended on 2025-12-01)."
    )


def test_grace_months_are_a_policy_value():
    ws = build(credentials=[credential(certified_on="2024-04-01", expires_on="2026-04-01")])
    found = findings_for("CERT-LAPSED", ws, credential_grace_months=2)
    assert found["severity"].to_list() == ["critical"]


# --- CERT-ETHICS -------------------------------------------------------------------------------


def test_ethics_fires_for_a_renewal_without_a_review_course_in_the_cycle():
    ws = build(
        credentials=[
            credential(certified_on="2024-01-01", expires_on="2026-01-01"),
            credential(certified_on="2026-01-01", expires_on="2028-01-01"),
        ],
        trainings=[row("trainings", kind="ethics_review", completed_on="2023-06-01")],
    )
    assert findings_for("CERT-ETHICS", ws)["detail"].to_list() == [
        "Coach C-1 renewed their Initial certification on 2026-01-01 without a Code of Ethics "
        "review course in the 24 months before."
    ]


def test_ethics_is_kept_by_a_review_course_or_the_credential_review_date():
    by_course = build(
        credentials=[
            credential(certified_on="2024-01-01", expires_on="2026-01-01"),
            credential(certified_on="2026-01-01", expires_on="2028-01-01"),
        ],
        trainings=[row("trainings", kind="ethics_review", completed_on="2025-11-01")],
    )
    by_date = build(
        credentials=[
            credential(certified_on="2024-01-01", expires_on="2026-01-01"),
            credential(
                certified_on="2026-01-01", expires_on="2028-01-01", ethics_review_on="2025-12-01"
            ),
        ]
    )
    first_only = build(credentials=[credential(certified_on="2025-01-01")])
    for ws in (by_course, by_date, first_only):
        assert findings_for("CERT-ETHICS", ws).is_empty()


# --- DEV-CE ------------------------------------------------------------------------------------


def test_ce_fires_for_an_active_coach_without_training_in_twelve_months():
    ws = build(
        coaches=[
            coach("C-1", joined_on="2020-01-01"),
            coach("C-2", joined_on="2020-01-01"),
            coach("C-3", joined_on="2026-03-01"),  # new: not judged yet
            coach("C-4", active=False),
        ],
        trainings=[
            row("trainings", training_id="T-1", completed_on="2025-06-30"),
            row("trainings", training_id="T-2", coach_id="C-2", completed_on="2025-07-01"),
        ],
    )
    assert findings_for("DEV-CE", ws)["detail"].to_list() == [
        "Coach C-1 completed no training in the 12 months from 2025-07-01 to 2026-06-30."
    ]
