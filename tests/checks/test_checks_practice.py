"""Practice standards checks: refund policy, grievance notice, context explored, giving back."""

import datetime as dt

from builders import build, client, coach, engagement, findings_for, row, session

from trc_analytics.checks.practice import probono_windows

# --- PRACT-REFUND ------------------------------------------------------------------------------


def test_refund_fires_when_the_policy_comes_after_the_first_paid_session():
    ws = build(
        clients=[client(refund_policy_given_on="2026-02-20")],
        sessions=[
            session("S-1", held_on="2026-02-01", fee_type="pro_bono"),
            session("S-2", held_on="2026-02-08", fee_type="reduced"),
        ],
    )
    found = findings_for("PRACT-REFUND", ws)
    assert found["on"][0].isoformat() == "2026-02-08"
    assert found["detail"][0] == (
        "Client K-1 paid a fee for a first session on 2026-02-08 without having been given the "
        "refund policy on or before that day (it was given on 2026-02-20)."
    )


def test_refund_is_kept_when_given_on_the_first_paid_day_and_needs_none_without_a_fee():
    ws = build(
        clients=[
            client("K-1", refund_policy_given_on="2026-02-01"),
            client("K-2", fee_basis="pro_bono"),
        ],
        sessions=[
            session("S-1", held_on="2026-02-01"),
            session("S-2", client_id="K-2", held_on="2026-02-01", fee_type="pro_bono"),
        ],
    )
    assert findings_for("PRACT-REFUND", ws).is_empty()


def test_refund_applies_to_paying_group_members():
    ws = build(
        clients=[client("K-1"), client("K-2", refund_policy_given_on="2026-01-05")],
        engagements=[engagement("E-G", client_id=None, group_id="G-1", format="group")],
        group_members=[
            row("group_members", client_id="K-1"),
            row("group_members", client_id="K-2"),
        ],
        sessions=[session(engagement_id="E-G", client_id=None, held_on="2026-03-03")],
    )
    found = findings_for("PRACT-REFUND", ws)
    assert found.select("client_id", "engagement_id").rows() == [("K-1", "E-G")]


# --- PRACT-GRIEVANCE and PRACT-CONTEXT ---------------------------------------------------------


def test_grievance_fires_for_late_or_missing_notice_and_is_dated_when_the_window_closes():
    ws = build(
        clients=[
            client("K-1", intake_on="2026-02-01"),
            client("K-2", intake_on="2026-02-01", grievance_policy_given_on="2026-03-10"),
            client("K-3", intake_on="2026-02-01", grievance_policy_given_on="2026-03-03"),
        ]
    )
    found = findings_for("PRACT-GRIEVANCE", ws)
    assert found["client_id"].to_list() == ["K-1", "K-2"]
    assert {d.isoformat() for d in found["on"]} == {"2026-03-03"}
    assert found["detail"][1] == (
        "Client K-2 (intake on 2026-02-01) was not told of the Association's grievance policy "
        "within 30 days; they were told on 2026-03-10."
    )


def test_grievance_window_still_open_at_the_period_end_is_not_judged_yet():
    ws = build(clients=[client(intake_on="2026-06-15")])
    assert findings_for("PRACT-GRIEVANCE", ws).is_empty()
    assert findings_for("PRACT-GRIEVANCE", ws, start="2026-07-01", end="2026-07-31").height == 1


def test_context_fires_after_sixty_days_unless_explored():
    """ "We seek to understand our client’s experience by asking about factors that provide that
    context": within 60 days of intake, for a client in a coaching relationship."""
    ws = build(
        clients=[
            client("K-1", intake_on="2026-01-10"),
            client("K-2", intake_on="2026-01-10", context_explored_on="2026-03-11"),
        ],
        engagements=[engagement("E-1"), engagement("E-2", client_id="K-2")],
        sessions=[session("S-1"), session("S-2", engagement_id="E-2", client_id="K-2")],
    )
    found = findings_for("PRACT-CONTEXT", ws)
    assert found["client_id"].to_list() == ["K-1"]
    assert found["detail"][0] == (
        "The context of client K-1 (culture, race, ethnicity, sexual orientation, socioeconomic "
        "status) was not explored within 60 days of intake on 2026-01-10."
    )
    assert findings_for("PRACT-CONTEXT", ws, context_explored_days=30).height == 2


def test_context_is_not_asked_without_a_coaching_relationship_and_a_held_session():
    """ "We seek to understand our client’s experience by asking about factors that provide that
    context": asked of clients in a coaching relationship who had at least one held session."""
    ws = build(
        clients=[
            client("K-1", intake_on="2026-01-10"),  # booked, never held
            client("K-2", intake_on="2026-01-10"),  # not a coaching relationship
        ],
        engagements=[
            engagement("E-1"),
            engagement("E-2", client_id="K-2", coaching_relationship=False),
        ],
        sessions=[
            session("S-1", status="no_show"),
            session("S-2", engagement_id="E-2", client_id="K-2"),
        ],
    )
    assert findings_for("PRACT-CONTEXT", ws).is_empty()


def test_context_is_asked_of_a_member_who_attended_a_group_coaching_session():
    """ "We seek to understand our client’s experience": a group coaching relationship is one."""
    ws = build(
        clients=[client("K-1", intake_on="2026-01-10")],
        engagements=[engagement("E-G", client_id=None, group_id="G-1", format="group")],
        group_members=[row("group_members", client_id="K-1", joined_on="2026-01-10")],
        sessions=[session(engagement_id="E-G", client_id=None, held_on="2026-01-20")],
    )
    assert findings_for("PRACT-CONTEXT", ws)["client_id"].to_list() == ["K-1"]


# --- PRACT-REFUND-POLICY -----------------------------------------------------------------------


def test_refund_policy_fires_for_a_coach_taking_fees_without_a_published_policy():
    """ "Trauma Recovery Coaches will have a clearly stated refund policy that is provided to
    every client who pays a fee": a coach taking fees needs one published."""
    ws = build(
        coaches=[
            coach("C-1", refund_policy_published=False),
            coach("C-2", refund_policy_published=True),
            coach("C-3"),  # left empty: not published
        ],
        sessions=[
            session("S-1", held_on="2026-02-01", fee_type="reduced"),
            session("S-2", held_on="2026-03-01"),
            session("S-3", coach_id="C-2", held_on="2026-02-01"),
            session("S-4", coach_id="C-3", held_on="2026-02-01"),
        ],
    )
    found = findings_for("PRACT-REFUND-POLICY", ws)
    assert found.select("coach_id", "severity").rows() == [("C-1", "minor"), ("C-3", "minor")]
    assert found["detail"][0] == (
        "Coach C-1 took a fee for 2 sessions from 2026-02-01 to 2026-03-01 without a published "
        "refund policy on record (refund_policy_published is not true)."
    )


def test_refund_policy_is_not_asked_of_a_coach_taking_no_fee():
    """ "provided to every client who pays a fee": a coach whose sessions were all pro bono, or
    not held, took no fee."""
    ws = build(
        coaches=[coach("C-1", refund_policy_published=False)],
        sessions=[
            session("S-1", held_on="2026-02-01", fee_type="pro_bono"),
            session("S-2", held_on="2026-03-01", status="no_show"),
        ],
    )
    assert findings_for("PRACT-REFUND-POLICY", ws).is_empty()


# --- COMM-PROBONO ------------------------------------------------------------------------------


def test_probono_windows_count_back_from_the_period_end():
    assert probono_windows(dt.date(2026, 1, 1), dt.date(2026, 12, 31), 6) == [
        (dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ]
    # a period shorter than a window is judged on the window ending with it
    assert probono_windows(dt.date(2026, 6, 1), dt.date(2026, 6, 30), 6) == [
        (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    ]


def test_probono_fires_for_a_practising_coach_who_gave_nothing_affordable():
    """ "We give back to the survivor community by periodically providing services affordable to
    those without many financial resources": a Guiding Principle, so a minor finding; a
    reduced fee for a client not marked low income and advocacy are not that service."""
    ws = build(
        coaches=[coach("C-1"), coach("C-2"), coach("C-3"), coach("C-4", active=False)],
        clients=[client("K-1"), client("K-2", coach_id="C-2", low_income=True)],
        sessions=[
            session("S-1", held_on="2026-03-01"),
            session("S-1b", held_on="2026-04-01", fee_type="reduced"),  # K-1: not low income
            session("S-2", coach_id="C-2", held_on="2026-03-01"),
            session("S-3", coach_id="C-2", client_id="K-2", held_on="2026-04-01",
                    fee_type="reduced"),
            session("S-4", coach_id="C-3", held_on="2026-03-01"),
            session("S-5", coach_id="C-4", held_on="2026-03-01"),
        ],
        community_service=[
            row("community_service", coach_id="C-3", held_on="2026-05-01"),
            row("community_service", activity_id="CS-2", held_on="2026-05-01", kind="advocacy"),
        ],
    )  # fmt: skip
    found = findings_for("COMM-PROBONO", ws)
    assert found.select("coach_id", "severity").rows() == [("C-1", "minor")]
    assert found["detail"].to_list() == [
        "Coach C-1 gave no pro-bono session, no reduced-fee session to a client marked low "
        "income and no community service to survivors from 2026-01-01 to 2026-06-30 (6 months)."
    ]


def test_probono_judges_each_window_of_a_longer_period():
    ws = build(
        sessions=[
            session("S-1", held_on="2026-03-01", fee_type="pro_bono"),
            session("S-2", held_on="2026-09-01"),
        ]
    )
    found = findings_for("COMM-PROBONO", ws, start="2026-01-01", end="2026-12-31")
    assert found["on"].to_list() == [dt.date(2026, 12, 31)]
