"""Referral checks: vetted services only; no client abandoned when the coach ends the work."""

from builders import build, client, engagement, findings_for, row, session


def referral(referral_id="R-1", **values):
    return row("referrals", referral_id=referral_id, **values)


def vetted(service_id="V-1", **values):
    return row("vetted_services", service_id=service_id, **values)


# --- REFER-VETTED ------------------------------------------------------------------------------


def test_vetted_fires_for_unvetted_unnamed_and_later_vetted_services():
    """ "Trauma Recovery Coaches do not refer their clients to services that they have not
    personally vetted." """
    ws = build(
        clients=[client()],
        referrals=[
            referral("R-1", service_id="V-9", referred_on="2026-02-01"),
            referral(
                "R-2", service_id=None, referred_on="2026-02-02", service_type="crisis_service"
            ),
            referral("R-3", service_id="V-2", referred_on="2026-02-03"),
        ],
        vetted_services=[vetted("V-1"), vetted("V-2", vetted_on="2026-03-01")],
    )
    assert findings_for("REFER-VETTED", ws)["detail"].to_list() == [
        "Client K-1 was referred on 2026-02-01 to service V-9, which is not on the coach's list "
        "of personally vetted services.",
        "Referral R-2 of client K-1 on 2026-02-02 (to a crisis service) names no service, so it "
        "cannot be shown to go to a service the coach has personally vetted.",
        "Client K-1 was referred on 2026-02-03 to service V-2, which the coach vetted only later, "
        "on 2026-03-01.",
    ]


def test_vetted_is_kept_by_a_service_the_coach_vetted_beforehand():
    """Near miss: "services that they have not personally vetted" — vetted on the day counts."""
    ws = build(
        clients=[client()],
        referrals=[referral(referred_on="2026-02-01")],
        vetted_services=[vetted(vetted_on="2026-02-01")],
    )
    assert findings_for("REFER-VETTED", ws).is_empty()


def test_vetted_by_another_coach_does_not_count():
    """ "services that they have not personally vetted": another coach's vetting is not personal."""
    ws = build(
        clients=[client()],
        referrals=[referral(referred_on="2026-02-01")],
        vetted_services=[vetted(coach_id="C-2")],
    )
    assert findings_for("REFER-VETTED", ws).height == 1


def test_vetting_older_than_the_months_allowed_is_a_minor_finding():
    """ "do not refer their clients to services that they have not personally vetted": a vetting
    more than `vetting_valid_months` (24) before the referral no longer shows the service as it
    is; at 24 months exactly it still does (near miss)."""
    ws = build(
        clients=[client()],
        referrals=[
            referral("R-1", referred_on="2026-02-01"),
            referral("R-2", service_id="V-2", referred_on="2026-02-02"),
        ],
        vetted_services=[
            vetted("V-1", vetted_on="2024-01-31"),
            vetted("V-2", vetted_on="2024-02-02"),
        ],
    )
    found = findings_for("REFER-VETTED", ws)
    assert found["severity"].to_list() == ["minor"]
    assert found["detail"].to_list() == [
        "Client K-1 was referred on 2026-02-01 to service V-1, which the coach last vetted on "
        "2024-01-31, more than 24 months before."
    ]
    assert findings_for("REFER-VETTED", ws, vetting_valid_months=36).is_empty()


def test_a_service_vetted_again_is_judged_by_the_latest_vetting_before_the_referral():
    """Near miss: "services that they have not personally vetted" — a vetting renewed within
    the 24 months keeps the referral compliant; a referral before the renewal is judged by the
    old vetting (R-1, minor)."""
    ws = build(
        clients=[client()],
        referrals=[
            referral("R-1", referred_on="2026-02-01"),
            referral("R-2", referred_on="2026-04-01"),
        ],
        vetted_services=[vetted(vetted_on="2023-01-10"), vetted(vetted_on="2026-03-01")],
    )
    found = findings_for("REFER-VETTED", ws)
    assert found["detail"].to_list() == [
        "Client K-1 was referred on 2026-02-01 to service V-1, which the coach last vetted on "
        "2023-01-10, more than 24 months before."
    ]


# --- REFER-ABANDON -----------------------------------------------------------------------------


def ended(**values):
    return engagement(ended_on="2026-04-30", **values)


def test_abandon_fires_when_the_coach_ends_without_explanation_or_referral():
    """ "If they must stop their coaching practice or release any clients they must do so with
    an explanation and a referral to other coaching providers." """
    ws = build(
        clients=[client("K-1"), client("K-2")],
        engagements=[
            ended(engagement_id="E-1", end_reason="coach_closed_practice"),
            ended(
                engagement_id="E-2",
                client_id="K-2",
                end_reason="coach_released_client",
                exit_explained=True,
            ),
        ],
    )
    assert findings_for("REFER-ABANDON", ws)["detail"].to_list() == [
        "Engagement E-1 with client K-1 ended on 2026-04-30 because the coach closed their "
        "practice, without an explanation to the client and without a referral.",
        "Engagement E-2 with client K-2 ended on 2026-04-30 because the coach released the "
        "client, without a referral to another provider.",
    ]


def test_abandon_is_kept_with_explanation_and_referral_and_ignores_other_endings():
    """Near miss: "with an explanation and a referral to other coaching providers" — both given;
    a client who withdrew was not released by the coach."""
    ws = build(
        clients=[client()],
        referrals=[referral(reason="coach_closing_practice", service_type="another_coach")],
        engagements=[
            ended(
                engagement_id="E-1",
                end_reason="coach_closed_practice",
                exit_explained=True,
                exit_referral_id="R-1",
            ),
            ended(engagement_id="E-2", end_reason="client_withdrew"),
        ],
    )
    assert findings_for("REFER-ABANDON", ws).is_empty()


def test_abandon_covers_an_exclusion_after_the_safety_assessment():
    """ "Trauma Recovery Coaches do not abandon their clients in any manner": a client the
    assessment excluded is given an explanation and a referral too; a therapist is a fitting
    referral there (near miss E-2)."""
    ws = build(
        clients=[client("K-1"), client("K-2")],
        referrals=[referral("R-2", client_id="K-2", reason="suicidality")],
        engagements=[
            ended(engagement_id="E-1", end_reason="excluded_after_assessment", exit_explained=True),
            ended(
                engagement_id="E-2",
                client_id="K-2",
                end_reason="excluded_after_assessment",
                exit_explained=True,
                exit_referral_id="R-2",
            ),
        ],
    )
    assert findings_for("REFER-ABANDON", ws)["detail"].to_list() == [
        "Engagement E-1 with client K-1 ended on 2026-04-30 because the safety assessment "
        "excluded the client from coaching, without a referral to another provider."
    ]


def test_abandon_closing_the_practice_needs_a_referral_to_another_coach():
    """ "If they must stop their coaching practice [...] a referral to other coaching
    providers": a therapist referral does not continue the coaching; after a release it does
    (near miss E-2)."""
    ws = build(
        clients=[client("K-1"), client("K-2")],
        referrals=[
            referral("R-1", reason="coach_closing_practice"),
            referral("R-2", client_id="K-2", reason="outside_competence"),
        ],
        engagements=[
            ended(
                engagement_id="E-1",
                end_reason="coach_closed_practice",
                exit_explained=True,
                exit_referral_id="R-1",
            ),
            ended(
                engagement_id="E-2",
                client_id="K-2",
                end_reason="coach_released_client",
                exit_explained=True,
                exit_referral_id="R-2",
            ),
        ],
    )
    assert findings_for("REFER-ABANDON", ws)["detail"].to_list() == [
        "Engagement E-1 with client K-1 ended on 2026-04-30 because the coach closed their "
        "practice, with a referral to a therapist instead of another coach."
    ]


def test_a_silent_engagement_with_no_ending_is_a_minor_finding():
    """ "Trauma Recovery Coaches do not abandon their clients in any manner": an open engagement
    with no session for more than `silent_engagement_days` (60) and no ending recorded."""
    ws = build(
        clients=[client()],
        engagements=[engagement()],
        sessions=[session(held_on="2026-03-01")],
    )
    found = findings_for("REFER-ABANDON", ws)
    assert found["severity"].to_list() == ["minor"]
    assert found["on"].cast(str).to_list() == ["2026-05-01"]
    assert found["detail"].to_list() == [
        "Engagement E-1 with client K-1 has had no held session since 2026-03-01 and no ending is "
        "recorded: more than 60 days without contact, so the client may have been left without "
        "an explanation or a referral."
    ]


def test_a_silence_within_the_days_allowed_or_closed_is_no_finding():
    """Near miss: "do not abandon their clients": 60 days of silence at the period end, an
    engagement ended, or a silence that was over before the period end are not findings."""
    ws = build(
        clients=[client("K-1"), client("K-2"), client("K-3")],
        engagements=[
            engagement("E-1"),
            engagement("E-2", client_id="K-2", ended_on="2026-05-15", end_reason="completed"),
            engagement("E-3", client_id="K-3"),
        ],
        sessions=[
            session("S-1", held_on="2026-05-01"),
            session("S-2", engagement_id="E-2", client_id="K-2", held_on="2026-01-10"),
            session("S-3", engagement_id="E-3", client_id="K-3", held_on="2026-01-10"),
            session("S-4", engagement_id="E-3", client_id="K-3", held_on="2026-06-20"),
        ],
    )
    assert findings_for("REFER-ABANDON", ws).is_empty()
    assert findings_for("REFER-ABANDON", ws, silent_engagement_days=50).height == 1
