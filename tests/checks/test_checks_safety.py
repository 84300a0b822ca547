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


def test_sra_judges_each_relationship_of_one_client_by_its_own_assessment():
    # two relationships of K-1; the one assessment names the second: the first fires, the
    # second is kept (cases are numbered, and each number must meet its own assessments)
    ws = build(
        clients=[client()],
        engagements=[engagement(), engagement("E-2", started_on="2026-02-01")],
        sessions=[
            session(held_on="2026-03-04"),
            session("S-2", engagement_id="E-2", held_on="2026-03-10"),
        ],
        safety_assessments=[assessment(engagement_id="E-2", assessed_on="2026-03-09")],
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
        "Session S-1 was held on 2026-03-04 with the client under the influence of alcohol or "
        "drugs; the Code asks to reschedule it."
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
    assert found["on"].to_list()[0].isoformat() == "2026-03-04"  # the last day allowed
    assert "within 2 days" in found["detail"][0]


def test_decomp_is_kept_by_a_referral_within_the_window():
    ws = decomp_ws(row("referrals", referred_on="2026-03-04", service_type="psychiatrist"))
    assert findings_for("SAFE-DECOMP", ws).is_empty()


def test_decomp_default_window_is_two_days_and_a_policy_can_widen_it():
    """Individuals who are being coached need to transfer to a therapist if they experience a
    mental health crisis. (Default `decompensation_referral_days` 2, was 7.)"""
    ws = decomp_ws(row("referrals", referred_on="2026-03-07", service_type="therapist"))
    assert findings_for("SAFE-DECOMP", ws).height == 1
    assert findings_for("SAFE-DECOMP", ws, decompensation_referral_days=5).is_empty()


def test_decomp_needs_a_referral_for_the_crisis_itself_not_another_reason():
    """A good coach will help a client make this transfer when decompensation occurs: a referral
    for another reason (outside scope) does not answer it; one for suicidality does."""
    wrong = decomp_ws(row("referrals", referred_on="2026-03-03", reason="outside_scope"))
    assert findings_for("SAFE-DECOMP", wrong).height == 1
    right = decomp_ws(row("referrals", referred_on="2026-03-03", reason="suicidality"))
    assert findings_for("SAFE-DECOMP", right).is_empty()


def test_decomp_names_the_coaching_sessions_held_before_the_late_referral():
    """... rather than continuing to try to tend to themselves: further sessions are named."""
    ws = build(
        clients=[client()],
        sessions=[
            session("S-1", held_on="2026-03-02", decompensation_observed=True),
            session("S-2", held_on="2026-03-09"),
            session("S-3", held_on="2026-03-16"),
            session("S-4", held_on="2026-03-30"),
        ],
        referrals=[row("referrals", referred_on="2026-03-20")],
    )
    found = findings_for("SAFE-DECOMP", ws)
    assert found["detail"].to_list() == [
        "Decompensation was observed in session S-1 on 2026-03-02, and the client was not "
        "referred for decompensation, a mental-health crisis or suicidality to a therapist, "
        "psychiatrist or crisis service within 2 days. Coaching went on before any such "
        "referral: S-2 (2026-03-09), S-3 (2026-03-16)."
    ]


def test_decomp_is_not_cleared_by_referring_another_client():
    """The referral must be for the client who decompensated."""
    ws = build(
        clients=[client("K-1"), client("K-2")],
        sessions=[session(held_on="2026-03-02", decompensation_observed=True)],
        referrals=[row("referrals", client_id="K-2", referred_on="2026-03-02")],
    )
    assert findings_for("SAFE-DECOMP", ws).height == 1


def test_decomp_is_judged_in_the_period_in_which_the_window_closes():
    ws = build(
        clients=[client()],
        sessions=[session(held_on="2026-06-29", decompensation_observed=True)],
        referrals=[row("referrals", referred_on="2026-01-10")],
    )
    assert findings_for("SAFE-DECOMP", ws).is_empty()  # window still open on 2026-06-30
    later = findings_for("SAFE-DECOMP", ws, start="2026-07-01", end="2026-12-31")
    assert later["on"].to_list()[0].isoformat() == "2026-07-01"


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
        "Decompensation was observed in group session S-2 on 2026-04-06, and no participant "
        "present was referred for decompensation, a mental-health crisis or suicidality to a "
        "therapist, psychiatrist or crisis service within 2 days."
    ]


# --- issue 14: SAFE-SRA, SAFE-EXCLUDED, SAFE-INFLUENCE corrected ------------------------------


def test_sra_a_coaching_format_marked_not_a_relationship_is_a_classification_to_confirm():
    """Safety Risk Assessments are MANDATED to be completed at the beginning of any coaching
    relationship regardless of the format of delivery of services such as one-to-one, group or
    weekend retreat coaching. (Only psychoeducation is exempt.)"""
    ws = build(
        clients=[client()],
        engagements=[
            engagement(coaching_relationship=False),
            engagement("E-G", client_id=None, group_id="G-1", format="retreat"),
            engagement("E-P", format="psychoeducation", coaching_relationship=False),
        ],
        sessions=[
            session("S-1", held_on="2026-03-04"),
            session("S-2", engagement_id="E-P", held_on="2026-03-05"),
        ],
        safety_assessments=[assessment(assessed_on="2026-06-01")],
    )
    found = findings_for("SAFE-SRA", ws)
    assert found.select("engagement_id", "severity").rows() == [("E-1", "minor")]
    assert "Classification to confirm" in found["detail"][0]
    group = build(
        clients=[client()],
        engagements=[
            engagement(
                "E-G", client_id=None, group_id="G-1", format="group", coaching_relationship=False
            )
        ],
        sessions=[session("S-1", engagement_id="E-G", client_id=None, held_on="2026-03-04")],
        safety_assessments=[],
    )
    assert findings_for("SAFE-SRA", group).select("engagement_id", "severity").rows() == [
        ("E-G", "minor")
    ]


def test_sra_an_assessment_naming_no_engagement_counts_only_within_90_days_before():
    """Safety Risk Assessments are MANDATED to be completed at the beginning of any coaching
    relationship: an old assessment does not open a new relationship."""
    old = one_to_one([session(held_on="2026-06-01")], [assessment(assessed_on="2026-03-02")])
    assert findings_for("SAFE-SRA", old)["engagement_id"].to_list() == ["E-1"]
    recent = one_to_one([session(held_on="2026-06-01")], [assessment(assessed_on="2026-03-03")])
    assert findings_for("SAFE-SRA", recent).is_empty()  # 90 days before, exactly
    assert findings_for("SAFE-SRA", old, sra_valid_days=91).is_empty()
    named = one_to_one(
        [session(held_on="2026-06-01")],
        [assessment(assessed_on="2025-01-02", engagement_id="E-1")],
    )
    assert findings_for("SAFE-SRA", named).is_empty()


def test_excluded_fires_for_sessions_after_a_referral_for_suicidality():
    """Trauma Recovery Coaches do not work with clients who are actively suicidal."""
    ws = one_to_one(
        [
            session("S-1", held_on="2026-02-01"),
            session("S-2", held_on="2026-02-10"),
            session("S-3", held_on="2026-02-17"),
        ],
        [assessment(assessed_on="2026-01-05")],
        referrals=[row("referrals", referred_on="2026-02-01", reason="suicidality")],
    )
    found = findings_for("SAFE-EXCLUDED", ws)
    assert found["detail"].to_list() == [
        "Client K-1 was referred for suicidality on 2026-02-01 (referral R-1); 2 sessions were "
        "held with them afterwards, from 2026-02-10 to 2026-02-17, with no later safety risk "
        "assessment clearing them."
    ]


def test_excluded_after_a_referral_is_lifted_by_a_later_clearing_assessment_only():
    """Trauma Recovery Coaches do not work with client's who are engaged in ... active and
    significant self-harming behavior: a later assessment that clears the client ends it; one
    the same day as the referral, or one that excludes, does not."""
    refs = [row("referrals", referred_on="2026-02-01", reason="self_harm")]
    sessions = [session("S-1", held_on="2026-01-10"), session("S-2", held_on="2026-02-20")]
    cleared = one_to_one(
        sessions,
        [assessment(assessed_on="2026-01-05"), assessment("A-2", assessed_on="2026-02-15")],
        referrals=refs,
    )
    assert findings_for("SAFE-EXCLUDED", cleared).is_empty()
    same_day = one_to_one(
        sessions,
        [assessment(assessed_on="2026-01-05"), assessment("A-2", assessed_on="2026-02-01")],
        referrals=refs,
    )
    assert findings_for("SAFE-EXCLUDED", same_day).height == 1
    other_reason = one_to_one(
        sessions,
        [assessment(assessed_on="2026-01-05")],
        referrals=[row("referrals", referred_on="2026-02-01", reason="outside_scope")],
    )
    assert findings_for("SAFE-EXCLUDED", other_reason).is_empty()


def test_influence_a_cancelled_session_is_a_minor_finding_only_a_reschedule_complies():
    """Coaches must reschedule clients in that situation and address the drug or alcohol issue
    at a subsequent session."""
    ws = build(
        sessions=[
            session("S-1", held_on="2026-03-04", client_under_influence=True, status="cancelled"),
            session("S-2", held_on="2026-03-11", client_under_influence=True, status="no_show"),
            session(
                "S-3",
                held_on="2026-03-18",
                client_under_influence=True,
                status="rescheduled_under_influence",
            ),
        ]
    )
    found = findings_for("SAFE-INFLUENCE", ws)
    assert found.select("severity").to_series().to_list() == ["minor", "minor"]
    assert found["detail"][0] == (
        "Session S-1 on 2026-03-04, with the client under the influence of alcohol or drugs, is "
        "recorded as cancelled, not as rescheduled for it; reschedule the client and address "
        "the drug or alcohol issue at the next session."
    )


# --- SAFE-REASSESS -----------------------------------------------------------------------------


def reassess_ws(sessions, assessments, **tables):
    return one_to_one(
        sessions, [assessment("A-0", assessed_on="2026-01-05"), *assessments], **tables
    )


def test_reassess_fires_when_the_session_after_a_triggered_exit_has_no_new_assessment():
    """Trauma Recovery Coaches do not allow clients to leave sessions when they are
    significantly triggered and feeling unsafe: before the next session, a new assessment."""
    ws = reassess_ws(
        [
            session("S-1", held_on="2026-03-02", left_triggered_unsafe=True),
            session("S-2", held_on="2026-03-09"),
            session("S-3", held_on="2026-03-16"),
        ],
        [],
    )
    found = findings_for("SAFE-REASSESS", ws)
    assert found.select("on", "severity").rows() == [(date(2026, 3, 9), "critical")]
    assert found["detail"][0] == (
        "Client K-1 left a session significantly triggered and unsafe on 2026-03-02; the next "
        "session with them, on 2026-03-09 (engagement E-1), was held with no new safety risk "
        "assessment since."
    )


def test_reassess_is_kept_by_an_assessment_between_the_event_and_the_next_session():
    """Individuals who are being coached need to transfer to a therapist if they experience a
    mental health crisis: a new assessment after the decompensation, before the next session."""
    sessions = [
        session("S-1", held_on="2026-03-02", decompensation_observed=True),
        session("S-2", held_on="2026-03-09"),
    ]
    later = reassess_ws(sessions, [assessment("A-1", assessed_on="2026-03-05")])
    assert findings_for("SAFE-REASSESS", later).is_empty()
    same_day_risk = reassess_ws(
        sessions, [assessment("A-1", assessed_on="2026-03-02", trigger="risk_event")]
    )
    assert findings_for("SAFE-REASSESS", same_day_risk).is_empty()
    same_day_intake = reassess_ws(sessions, [assessment("A-1", assessed_on="2026-03-02")])
    assert findings_for("SAFE-REASSESS", same_day_intake).height == 1
    too_late = reassess_ws(sessions, [assessment("A-1", assessed_on="2026-03-10")])
    assert findings_for("SAFE-REASSESS", too_late).height == 1


def test_reassess_a_second_under_influence_episode_within_90_days_is_a_risk_event():
    """Trauma Recovery Coaches do not work with client's who are engaged in behavior that puts
    their physical safety at risk, such as: active alcohol and drug addiction."""

    def ws(second_on):
        return reassess_ws(
            [
                session(
                    "S-1",
                    held_on="2026-01-10",
                    client_under_influence=True,
                    status="rescheduled_under_influence",
                ),
                session(
                    "S-2",
                    held_on=second_on,
                    client_under_influence=True,
                    status="rescheduled_under_influence",
                ),
                session("S-3", held_on="2026-05-20"),
            ],
            [],
        )

    assert findings_for("SAFE-REASSESS", ws("2026-04-10")).height == 1  # 90 days later
    assert findings_for("SAFE-REASSESS", ws("2026-04-11")).is_empty()  # 91 days later


def test_reassess_after_a_referral_for_addiction_and_not_for_another_reason():
    """... active alcohol and drug addiction: a referral for it is a risk event."""
    sessions = [session("S-1", held_on="2026-02-01"), session("S-2", held_on="2026-02-20")]
    addiction = reassess_ws(
        sessions, [], referrals=[row("referrals", referred_on="2026-02-05", reason="addiction")]
    )
    assert findings_for("SAFE-REASSESS", addiction)["on"].to_list() == [date(2026, 2, 20)]
    scope = reassess_ws(
        sessions, [], referrals=[row("referrals", referred_on="2026-02-05", reason="outside_scope")]
    )
    assert findings_for("SAFE-REASSESS", scope).is_empty()


def test_reassess_without_a_later_session_there_is_nothing_to_judge():
    """The duty binds before the next held session; with none, no case."""
    ws = reassess_ws(
        [
            session("S-1", held_on="2026-03-02", left_triggered_unsafe=True),
            session("S-2", held_on="2026-03-09", status="cancelled"),
        ],
        [],
    )
    assert findings_for("SAFE-REASSESS", ws).is_empty()
