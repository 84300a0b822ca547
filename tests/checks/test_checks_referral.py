"""Referral checks: vetted services only; no client abandoned when the coach ends the work."""

from builders import build, client, engagement, findings_for, row


def referral(referral_id="R-1", **values):
    return row("referrals", referral_id=referral_id, **values)


def vetted(service_id="V-1", **values):
    return row("vetted_services", service_id=service_id, **values)


# --- REFER-VETTED ------------------------------------------------------------------------------


def test_vetted_fires_for_unvetted_unnamed_and_later_vetted_services():
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
    ws = build(
        clients=[client()],
        referrals=[referral(referred_on="2026-02-01")],
        vetted_services=[vetted(vetted_on="2026-02-01")],
    )
    assert findings_for("REFER-VETTED", ws).is_empty()


def test_vetted_by_another_coach_does_not_count():
    ws = build(
        clients=[client()],
        referrals=[referral(referred_on="2026-02-01")],
        vetted_services=[vetted(coach_id="C-2")],
    )
    assert findings_for("REFER-VETTED", ws).height == 1


# --- REFER-ABANDON -----------------------------------------------------------------------------


def ended(**values):
    return engagement(ended_on="2026-04-30", **values)


def test_abandon_fires_when_the_coach_ends_without_explanation_or_referral():
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
    ws = build(
        clients=[client()],
        referrals=[referral(reason="coach_closing_practice")],
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
