"""Professional conduct checks: charges reported within 10 days; no dual relationships."""

from builders import build, coach, findings_for, row


def event(event_id="CE-1", **values):
    return row("conduct_events", event_id=event_id, **values)


def test_charge_fires_when_reported_late_or_not_at_all():
    ws = build(
        conduct_events=[
            event(
                "CE-1", kind="criminal_charge", occurred_on="2026-02-01", reported_on="2026-02-20"
            ),
            event("CE-2", kind="criminal_charge", occurred_on="2026-03-01"),
        ]
    )
    assert findings_for("CONDUCT-CHARGE", ws)["detail"].to_list() == [
        "A criminal charge against coach C-1 on 2026-02-01 was not reported to the Professional "
        "Standards Committee within 10 days; it was reported on 2026-02-20.",
        "A criminal charge against coach C-1 on 2026-03-01 was not reported to the Professional "
        "Standards Committee within 10 days; no report is recorded.",
    ]


def test_charge_is_kept_by_a_report_on_the_tenth_day():
    ws = build(
        conduct_events=[
            event(kind="criminal_charge", occurred_on="2026-02-01", reported_on="2026-02-11"),
            event("CE-2", kind="grievance_received", occurred_on="2026-02-01"),
        ]
    )
    assert findings_for("CONDUCT-CHARGE", ws).is_empty()


def test_dual_fires_once_per_coach_listing_the_relationships():
    ws = build(
        coaches=[coach("C-1"), coach("C-2")],
        conduct_events=[
            event("CE-1", kind="dual_relationship", occurred_on="2026-02-01"),
            event("CE-2", kind="dual_relationship", occurred_on="2026-05-01"),
            event("CE-3", coach_id="C-2", kind="grievance_received", occurred_on="2026-02-01"),
        ],
    )
    found = findings_for("CONDUCT-DUAL", ws)
    assert found["detail"].to_list() == [
        "Coach C-1 has 2 dual relationships with clients recorded from 2026-02-01 to 2026-05-01."
    ]


def test_dual_outside_the_period_is_not_a_finding_of_it():
    ws = build(conduct_events=[event(kind="dual_relationship", occurred_on="2025-12-31")])
    assert findings_for("CONDUCT-DUAL", ws).is_empty()
