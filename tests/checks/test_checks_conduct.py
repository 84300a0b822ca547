"""Professional conduct checks: reportable charges reported within 10 days; no dual
relationships; no session conducted while impaired."""

from builders import build, coach, findings_for, row


def event(event_id="CE-1", **values):
    return row("conduct_events", event_id=event_id, **values)


def charge(event_id="CE-1", **values):
    return event(event_id, kind="criminal_charge", **values)


# --- CONDUCT-CHARGE ----------------------------------------------------------------------------


def test_charge_fires_when_reported_late_or_not_at_all():
    """ "If a credentialed coach is charged with a crime involving alcohol or drugs, and/or a
    crime against persons they must report that charge to the Professional Standards Committee
    [...] within 10 days." """
    ws = build(
        conduct_events=[
            charge(
                "CE-1",
                charge_kind="alcohol_drugs",
                occurred_on="2026-02-01",
                reported_on="2026-02-20",
            ),
            charge("CE-2", charge_kind="against_persons", occurred_on="2026-03-01"),
        ]
    )
    assert findings_for("CONDUCT-CHARGE", ws)["detail"].to_list() == [
        "A criminal charge of a crime involving alcohol or drugs against coach C-1 on 2026-02-01 "
        "was not reported to the Professional Standards Committee within 10 days; it was "
        "reported on 2026-02-20.",
        "A criminal charge of a crime against persons against coach C-1 on 2026-03-01 was not "
        "reported to the Professional Standards Committee within 10 days; no report is "
        "recorded.",
    ]


def test_charge_of_another_kind_need_not_be_reported():
    """Near miss: "charged with a crime involving alcohol or drugs, and/or a crime against
    persons" — a charge of any other kind is outside the duty, reported or not."""
    ws = build(conduct_events=[charge(charge_kind="other", occurred_on="2026-02-01")])
    assert findings_for("CONDUCT-CHARGE", ws).is_empty()


def test_charge_of_unrecorded_kind_is_judged_and_says_so():
    """ "a crime involving alcohol or drugs, and/or a crime against persons": a charge whose kind
    is not recorded cannot be shown to fall outside the duty."""
    ws = build(conduct_events=[charge(occurred_on="2026-02-01")])
    detail = findings_for("CONDUCT-CHARGE", ws)["detail"].to_list()
    assert detail == [
        "A criminal charge (the kind of crime is not recorded, so it cannot be shown to fall "
        "outside the duty to report) against coach C-1 on 2026-02-01 was not reported to the "
        "Professional Standards Committee within 10 days; no report is recorded."
    ]


def test_charge_is_kept_by_a_report_on_the_tenth_day():
    """Near miss: "report that charge [...] within 10 days" — day 10 is in time."""
    ws = build(
        conduct_events=[
            charge(
                charge_kind="against_persons", occurred_on="2026-02-01", reported_on="2026-02-11"
            ),
            event("CE-2", kind="grievance_received", occurred_on="2026-02-01"),
        ]
    )
    assert findings_for("CONDUCT-CHARGE", ws).is_empty()


# --- CONDUCT-DUAL ------------------------------------------------------------------------------


def dual(event_id="CE-1", **values):
    return event(event_id, kind="dual_relationship", **values)


def test_dual_fires_once_per_coach_listing_the_relationships():
    """ "Coaches will never enter into dual relationships that involve a power differential,
    romantic or sexual relationships involvement, or financial dealings with clients." """
    ws = build(
        coaches=[coach("C-1"), coach("C-2")],
        conduct_events=[
            dual("CE-1", dual_kind="financial", occurred_on="2026-02-01", ended_on="2026-02-01"),
            dual("CE-2", dual_kind="power", occurred_on="2026-05-01", ended_on="2026-05-03"),
            event("CE-3", coach_id="C-2", kind="grievance_received", occurred_on="2026-02-01"),
        ],
    )
    found = findings_for("CONDUCT-DUAL", ws)
    assert found["severity"].to_list() == ["critical"]
    assert found["detail"].to_list() == [
        "Coach C-1 has 2 dual relationships with clients (financial dealings, a power "
        "differential) recorded from 2026-02-01 to 2026-05-01."
    ]


def test_dual_friendship_or_family_is_major_and_the_coach_takes_the_most_serious():
    """ "Trauma Recovery Coaches do not have dual relationships with their clients [...] such as
    also being friends, business partners, cousins": major; with a romantic tie as well, the
    coach's one finding is critical."""
    ws = build(
        coaches=[coach("C-1"), coach("C-2")],
        conduct_events=[
            dual("CE-1", dual_kind="friendship_family", occurred_on="2026-02-01"),
            dual("CE-2", coach_id="C-2", dual_kind="friendship_family", occurred_on="2026-02-01"),
            dual("CE-3", coach_id="C-2", dual_kind="romantic_sexual", occurred_on="2026-03-01"),
        ],
    )
    found = findings_for("CONDUCT-DUAL", ws)
    assert dict(zip(found["coach_id"], found["severity"], strict=True)) == {
        "C-1": "major",
        "C-2": "critical",
    }


def test_dual_incidental_encounter_is_a_finding_only_when_the_client_is_acknowledged():
    """ "a Trauma Recovery Coach will never acknowledge this individual as a client either to
    that person or to others present": an encounter in a small community is no finding (near
    miss) unless the coach acknowledged the client."""
    meeting = {"dual_kind": "incidental_community", "occurred_on": "2026-02-01"}
    quiet = build(conduct_events=[dual(client_acknowledged=False, **meeting)])
    assert findings_for("CONDUCT-DUAL", quiet).is_empty()
    told = build(conduct_events=[dual(client_acknowledged=True, **meeting)])
    found = findings_for("CONDUCT-DUAL", told)
    assert found["severity"].to_list() == ["major"]
    assert "acknowledged as a client in the community" in found["detail"][0]


def test_an_ongoing_dual_relationship_is_found_in_every_period_it_overlaps():
    """ "Trauma Recovery Coaches do not have dual relationships with their clients": a
    relationship begun in 2025 and never ended is found in 2026 too; one that ended in 2025 is
    not (near miss)."""
    ongoing = build(conduct_events=[dual(dual_kind="romantic_sexual", occurred_on="2025-10-01")])
    found = findings_for("CONDUCT-DUAL", ongoing)
    assert found["on"].cast(str).to_list() == ["2026-01-01"]
    ended = build(
        conduct_events=[
            dual(dual_kind="romantic_sexual", occurred_on="2025-10-01", ended_on="2025-12-31")
        ]
    )
    assert findings_for("CONDUCT-DUAL", ended).is_empty()


def test_an_incidental_encounter_outside_the_period_is_not_a_finding_of_it():
    """Near miss: an acknowledged encounter is a one-off event, found in its own period only."""
    ws = build(
        conduct_events=[
            dual(
                dual_kind="incidental_community",
                client_acknowledged=True,
                occurred_on="2025-12-31",
            )
        ]
    )
    assert findings_for("CONDUCT-DUAL", ws).is_empty()


# --- CONDUCT-IMPAIRED --------------------------------------------------------------------------


def test_impaired_fires_for_sessions_conducted_while_impaired():
    """ "Trauma Recovery Coaches will not conduct sessions while impaired by drugs or alcohol
    themselves." """
    ws = build(
        conduct_events=[
            event("CE-1", kind="impaired_session", occurred_on="2026-02-01"),
            event("CE-2", kind="impaired_session", occurred_on="2026-04-01"),
        ]
    )
    found = findings_for("CONDUCT-IMPAIRED", ws)
    assert found["severity"].to_list() == ["critical"]
    assert found["detail"].to_list() == [
        "Coach C-1 conducted 2 sessions while impaired by drugs or alcohol, recorded from "
        "2026-02-01 to 2026-04-01."
    ]


def test_impaired_is_not_fired_by_other_events_or_other_periods():
    """Near miss: "will not conduct sessions while impaired": a grievance, or an impaired
    session before the period, is no finding of this period."""
    ws = build(
        conduct_events=[
            event("CE-1", kind="grievance_received", occurred_on="2026-02-01"),
            event("CE-2", kind="impaired_session", occurred_on="2025-12-31"),
        ]
    )
    assert findings_for("CONDUCT-IMPAIRED", ws).is_empty()
