"""Client safety checks: each fires where the Code is not kept and stays silent on a near miss."""

from datetime import date

from builders import build, client, engagement, findings_for, row, session


def assessment(assessment_id="A-1", **values):
    return row("safety_assessments", assessment_id=assessment_id, **values)


def one_to_one(sessions, assessments, **tables):
    """Client K-1 in one-to-one engagement E-1 with the given sessions and assessments."""
    return build(
        clients=[client()],
        engagements=[engagement()],
        sessions=sessions,
        safety_assessments=assessments,
        **tables,
    )


# --- SAFE-SRA ----------------------------------------------------------------------------------


def test_sra_fires_when_the_assessment_comes_after_the_first_session():
    ws = one_to_one([session(held_on="2026-03-04")], [assessment(assessed_on="2026-03-10")])
    found = findings_for("SAFE-SRA", ws)
    assert found.select("client_id", "engagement_id", "on", "severity").rows() == [
        ("K-1", "E-1", date(2026, 3, 4), "critical")
    ]
    assert "without a safety risk assessment on or before that day" in found["detail"][0]


def test_sra_is_kept_by_an_assessment_on_the_day_of_the_first_held_session():
    ws = one_to_one(
        [
            session("S-0", held_on="2026-02-01", status="cancelled"),
            session("S-1", held_on="2026-03-04"),
        ],
        [assessment(assessed_on="2026-03-04")],
    )
    assert findings_for("SAFE-SRA", ws).is_empty()


def test_sra_counts_only_held_sessions_as_the_start():
    ws = one_to_one(
        [
            session("S-0", held_on="2026-02-01", status="no_show"),
            session("S-1", held_on="2026-02-10"),
        ],
        [assessment(assessed_on="2026-02-05")],
    )
    assert findings_for("SAFE-SRA", ws).is_empty()


def test_sra_needs_no_assessment_outside_a_coaching_relationship():
    ws = build(
        clients=[client()],
        engagements=[
            engagement(format="psychoeducation", coaching_relationship=False),
            engagement("E-2", format="psychoeducation", coaching_relationship=True),
        ],
        sessions=[session("S-1"), session("S-2", engagement_id="E-2")],
        safety_assessments=[assessment(assessed_on="2026-06-01")],
    )
    assert findings_for("SAFE-SRA", ws)["engagement_id"].to_list() == ["E-2"]


def test_sra_ignores_an_assessment_made_for_another_engagement():
    ws = build(
        clients=[client()],
        engagements=[engagement(), engagement("E-9")],
        sessions=[session(held_on="2026-03-04")],
        safety_assessments=[assessment(engagement_id="E-9", assessed_on="2026-03-01")],
    )
    assert findings_for("SAFE-SRA", ws)["engagement_id"].to_list() == ["E-1"]


def test_sra_each_group_member_needs_an_assessment_before_the_first_session_they_attend():
    ws = build(
        clients=[client("K-1"), client("K-2"), client("K-3")],
        engagements=[engagement("E-G", client_id=None, group_id="G-1", format="group")],
        group_members=[
            row("group_members", client_id="K-1", joined_on="2026-01-05"),
            # joined after the group's first session; assessed before their own first one
            row("group_members", client_id="K-2", joined_on="2026-03-01"),
            row("group_members", client_id="K-3", joined_on="2026-03-01"),
        ],
        sessions=[
            session("S-1", engagement_id="E-G", client_id=None, held_on="2026-02-01"),
            session("S-2", engagement_id="E-G", client_id=None, held_on="2026-03-05"),
        ],
        safety_assessments=[
            assessment("A-1", client_id="K-1", assessed_on="2026-01-20"),
            assessment("A-2", client_id="K-2", assessed_on="2026-03-03"),
            assessment("A-3", client_id="K-3", assessed_on="2026-03-20"),
        ],
    )
    found = findings_for("SAFE-SRA", ws)
    assert found.select("client_id", "engagement_id").rows() == [("K-3", "E-G")]
    assert found["on"][0].isoformat() == "2026-03-05"
    assert "first group session (group G-1, engagement E-G)" in found["detail"][0]


def test_sra_policy_allowing_days_after_the_first_session():
    ws = one_to_one([session(held_on="2026-03-04")], [assessment(assessed_on="2026-03-09")])
    assert findings_for("SAFE-SRA", ws).height == 1
    assert findings_for("SAFE-SRA", ws, sra_days_after_first_session=7).is_empty()


# --- SAFE-EXCLUDED -----------------------------------------------------------------------------


def test_excluded_fires_once_per_exclusion_listing_the_sessions_after_it():
    ws = one_to_one(
        [
            session("S-1", held_on="2026-02-01"),  # the assessment session itself
            session("S-2", held_on="2026-02-08"),
            session("S-3", held_on="2026-02-15"),
        ],
        [
            assessment(
                assessed_on="2026-02-01", outcome="excluded", exclusion_reason="active_suicidality"
            )
        ],
    )
    found = findings_for("SAFE-EXCLUDED", ws)
    assert found.height == 1
    assert found["on"][0].isoformat() == "2026-02-08"
    assert found["detail"][0] == (
        "Client K-1 was excluded from coaching by a safety risk assessment on 2026-02-01 "
        "(active suicidality); 2 sessions were held with them afterwards, from 2026-02-08 "
        "to 2026-02-15."
    )


def test_excluded_is_lifted_by_a_later_clearing_assessment():
    ws = one_to_one(
        [session("S-1", held_on="2026-01-20"), session("S-2", held_on="2026-03-01")],
        [
            assessment("A-1", assessed_on="2026-01-10", outcome="cleared"),
            assessment("A-2", assessed_on="2026-02-01", outcome="excluded"),
            assessment("A-3", assessed_on="2026-02-20", outcome="cleared_with_plan"),
        ],
    )
    assert findings_for("SAFE-EXCLUDED", ws).is_empty()


def test_excluded_counts_group_sessions_attended_after_the_exclusion():
    ws = build(
        clients=[client()],
        engagements=[engagement("E-G", client_id=None, group_id="G-1", format="retreat")],
        group_members=[row("group_members", joined_on="2026-01-05")],
        sessions=[session("S-1", engagement_id="E-G", client_id=None, held_on="2026-04-02")],
        safety_assessments=[
            assessment(
                assessed_on="2026-03-01", outcome="excluded", exclusion_reason="active_addiction"
            )
        ],
    )
    found = findings_for("SAFE-EXCLUDED", ws)
    assert found.select("client_id", "engagement_id").rows() == [("K-1", "E-G")]
    assert (
        "(active addiction); a session was held with them afterwards, on 2026-04-02"
        in (found["detail"][0])
    )


# --- SAFE-INFLUENCE ----------------------------------------------------------------------------


def test_influence_fires_when_the_session_was_held_anyway():
    ws = build(sessions=[session(held_on="2026-03-04", client_under_influence=True)])
    found = findings_for("SAFE-INFLUENCE", ws)
    assert found["detail"].to_list() == [
        "Session S-1 was held on 2026-03-04 while the client was under the influence of "
        "alcohol or drugs; it was not rescheduled."
    ]


def test_influence_is_kept_when_the_session_was_rescheduled():
    ws = build(
        sessions=[
            session(
                held_on="2026-03-04",
                client_under_influence=True,
                status="rescheduled_under_influence",
            )
        ]
    )
    assert findings_for("SAFE-INFLUENCE", ws).is_empty()


# --- SAFE-TRIGGERED ----------------------------------------------------------------------------


def test_triggered_fires_for_a_client_who_left_unsafe_and_not_otherwise():
    ws = build(
        sessions=[
            session("S-1", held_on="2026-03-04", left_triggered_unsafe=True),
            session("S-2", held_on="2026-03-11", left_triggered_unsafe=False),
            session("S-3", held_on="2026-03-18"),
        ]
    )
    found = findings_for("SAFE-TRIGGERED", ws)
    assert found["detail"].to_list() == [
        "In session S-1 on 2026-03-04 the client left significantly triggered and feeling unsafe."
    ]


# --- SAFE-DECOMP -------------------------------------------------------------------------------


def decomp_ws(*referrals):
    return build(
        clients=[client()],
        sessions=[session(held_on="2026-03-02", decompensation_observed=True)],
        referrals=list(referrals),
    )


def test_decomp_fires_without_a_referral_to_therapy_or_crisis_care():
    ws = decomp_ws(row("referrals", referred_on="2026-03-04", service_type="support_group"))
    found = findings_for("SAFE-DECOMP", ws)
    assert found["on"].to_list()[0].isoformat() == "2026-03-09"  # the last day allowed
    assert "within 7 days" in found["detail"][0]


def test_decomp_is_kept_by_a_referral_within_the_window():
    ws = decomp_ws(row("referrals", referred_on="2026-03-09", service_type="psychiatrist"))
    assert findings_for("SAFE-DECOMP", ws).is_empty()


def test_decomp_policy_override_shortens_the_window():
    ws = decomp_ws(row("referrals", referred_on="2026-03-07", service_type="therapist"))
    assert findings_for("SAFE-DECOMP", ws).is_empty()
    assert findings_for("SAFE-DECOMP", ws, decompensation_referral_days=3).height == 1


def test_decomp_is_judged_in_the_period_in_which_the_window_closes():
    ws = build(
        clients=[client()],
        sessions=[session(held_on="2026-06-28", decompensation_observed=True)],
        referrals=[row("referrals", referred_on="2026-01-10")],
    )
    assert findings_for("SAFE-DECOMP", ws).is_empty()  # window still open on 2026-06-30
    later = findings_for("SAFE-DECOMP", ws, start="2026-07-01", end="2026-12-31")
    assert later["on"].to_list()[0].isoformat() == "2026-07-05"


def test_decomp_in_a_group_is_kept_by_referring_a_member_present():
    ws = build(
        clients=[client("K-1"), client("K-2")],
        engagements=[engagement("E-G", client_id=None, group_id="G-1", format="group")],
        group_members=[
            row("group_members", client_id="K-1", joined_on="2026-01-05"),
            row("group_members", client_id="K-2", joined_on="2026-01-05"),
        ],
        sessions=[
            session(
                "S-1",
                engagement_id="E-G",
                client_id=None,
                held_on="2026-03-02",
                decompensation_observed=True,
            ),
            session(
                "S-2",
                engagement_id="E-G",
                client_id=None,
                held_on="2026-04-06",
                decompensation_observed=True,
            ),
        ],
        referrals=[
            row(
                "referrals",
                client_id="K-2",
                referred_on="2026-03-03",
                service_type="crisis_service",
            )
        ],
    )
    found = findings_for("SAFE-DECOMP", ws)
    assert found["detail"].to_list() == [
        "Decompensation was observed in group session S-2 on 2026-04-06, and no participant was "
        "referred to a therapist, psychiatrist or crisis service within 7 days."
    ]
