"""Scope of practice and competence checks: fire on the breach, silent on the near miss."""

from builders import build, client, coach, engagement, findings_for, row, session

# --- SCOPE-PRACTICE ----------------------------------------------------------------------------


def test_practice_fires_for_sessions_on_an_out_of_scope_area():
    ws = build(
        sessions=[
            session("S-1", held_on="2026-02-02", area="weight_loss"),
            session("S-2", held_on="2026-02-09", area="weight_loss"),
            session("S-3", held_on="2026-02-16", area="complex_trauma_general"),
        ]
    )
    found = findings_for("SCOPE-PRACTICE", ws)
    assert found["detail"].to_list() == [
        "Coach C-1 held 2 sessions on weight loss, which is outside the scope of practice, with "
        "client K-1 (engagement E-1) from 2026-02-02 to 2026-02-09, without a therapy licence or "
        "outside training in it."
    ]


def test_practice_is_allowed_by_a_therapy_licence():
    ws = build(
        coaches=[coach(therapy_licensed=True)],
        sessions=[session(held_on="2026-02-02", area="diagnosis")],
    )
    assert findings_for("SCOPE-PRACTICE", ws).is_empty()


def test_practice_is_allowed_from_the_day_outside_training_was_completed():
    ws = build(
        sessions=[
            session("S-1", held_on="2026-02-02", area="hypnosis"),
            session("S-2", held_on="2026-04-02", area="hypnosis"),
        ],
        trainings=[row("trainings", completed_on="2026-03-01", area="hypnosis")],
    )
    found = findings_for("SCOPE-PRACTICE", ws)
    assert "held a session on hypnosis" in found["detail"][0]
    assert "on 2026-02-02" in found["detail"][0]
    assert found.height == 1


# --- SCOPE-COMPETENCE --------------------------------------------------------------------------


def competence_ws(*supervision, declared="complex_trauma_general"):
    return build(
        competencies=[row("competencies", area=declared)],
        sessions=[session(held_on="2026-01-10", area="adoption_trauma")],
        supervision=list(supervision),
    )


def test_competence_fires_for_an_undeclared_area_without_supervision():
    ws = competence_ws(row("supervision", met_on="2026-01-20", area="medical_trauma"))
    found = findings_for("SCOPE-COMPETENCE", ws)
    assert found["on"][0].isoformat() == "2026-04-10"  # judged when the 90 days have passed
    assert found["detail"][0] == (
        "Coach C-1 worked on adoption trauma, an area they had not declared competence in, with "
        "client K-1 (engagement E-1) in a session on 2026-01-10, with no supervision in that area "
        "within 90 days before or after."
    )


def test_competence_is_kept_by_supervision_in_that_area_after_the_session():
    ws = competence_ws(row("supervision", met_on="2026-03-20", area="adoption_trauma"))
    assert findings_for("SCOPE-COMPETENCE", ws).is_empty()


def test_competence_is_kept_by_supervision_in_that_area_before_the_session():
    ws = competence_ws(row("supervision", met_on="2025-11-01", area="adoption_trauma"))
    assert findings_for("SCOPE-COMPETENCE", ws).is_empty()


def test_competence_is_not_at_issue_in_a_declared_area():
    ws = competence_ws(declared="adoption_trauma")
    assert findings_for("SCOPE-COMPETENCE", ws).is_empty()


def test_competence_window_is_a_policy_value():
    ws = competence_ws(row("supervision", met_on="2026-03-20", area="adoption_trauma"))
    found = findings_for("SCOPE-COMPETENCE", ws, competence_supervision_days=30)
    assert found.height == 1
    assert "within 30 days before or after" in found["detail"][0]


# --- SCOPE-POPULATION --------------------------------------------------------------------------


def test_population_fires_for_a_minor_and_a_family_without_training():
    ws = build(
        clients=[
            client("K-1", age_band="under_18"),
            client("K-2", client_type="family"),
            client("K-3"),
        ],
        sessions=[
            session("S-1", client_id="K-1", held_on="2026-02-01"),
            session("S-2", client_id="K-2", held_on="2026-02-01"),
            session("S-3", client_id="K-3", held_on="2026-02-01"),
        ],
    )
    found = findings_for("SCOPE-POPULATION", ws)
    assert sorted(found["detail"].to_list()) == [
        "Client K-1 is a minor (under 18), and coach C-1 has no recorded training or experience "
        "for working with minors.",
        "Client K-2 is a family, and coach C-1 has no recorded training or experience for working "
        "with couples and families.",
    ]


def test_population_is_kept_by_the_coach_flag_or_a_matching_training():
    ws = build(
        coaches=[coach("C-1", trained_minors=True), coach("C-2")],
        clients=[
            client("K-1", age_band="under_18"),
            client("K-2", coach_id="C-2", client_type="couple"),
        ],
        trainings=[
            row("trainings", coach_id="C-2", kind="couples_families", completed_on="2025-05-01")
        ],
    )
    assert findings_for("SCOPE-POPULATION", ws).is_empty()


def test_population_looks_only_at_clients_worked_with_in_the_period():
    ws = build(
        clients=[client("K-1", age_band="under_18", intake_on="2025-03-01")],
        sessions=[session(held_on="2025-04-01")],
    )
    assert findings_for("SCOPE-POPULATION", ws).is_empty()
    assert findings_for("SCOPE-POPULATION", ws, start="2025-01-01", end="2025-12-31").height == 1


# --- SCOPE-PSYCHOACTIVE ------------------------------------------------------------------------


def test_psychoactive_fires_once_per_engagement_naming_every_missing_criterion():
    ws = build(
        coaches=[coach(psychoactive_trained=True)],
        sessions=[
            session("S-1", held_on="2026-03-04", psychoactive_used=True),
            session("S-2", held_on="2026-03-18", psychoactive_used=True),
            session("S-3", held_on="2026-04-01"),
        ],
    )
    found = findings_for("SCOPE-PSYCHOACTIVE", ws)
    assert found["detail"].to_list() == [
        "Psychoactive substances were used in 2 sessions with client K-1 (engagement E-1) from "
        "2026-03-04 to 2026-03-18, although the coach had no liability insurance covering it and "
        "had not notified the Professional Standards Committee."
    ]


def test_psychoactive_is_kept_when_trained_insured_and_notified_beforehand():
    ws = build(
        coaches=[
            coach(
                psychoactive_insured=True,
                psychoactive_psc_notified_on="2026-01-15",
            )
        ],
        trainings=[row("trainings", kind="psychoactive", completed_on="2025-09-01")],
        sessions=[session(held_on="2026-03-04", psychoactive_used=True)],
    )
    assert findings_for("SCOPE-PSYCHOACTIVE", ws).is_empty()


def test_psychoactive_notification_after_the_session_is_too_late():
    ws = build(
        coaches=[
            coach(
                psychoactive_trained=True,
                psychoactive_insured=True,
                psychoactive_psc_notified_on="2026-03-05",
            )
        ],
        sessions=[session(held_on="2026-03-04", psychoactive_used=True)],
    )
    assert findings_for("SCOPE-PSYCHOACTIVE", ws)["detail"][0].endswith(
        "although the coach had not notified the Professional Standards Committee."
    )


def test_group_practice_names_the_group_engagement():
    ws = build(
        engagements=[engagement("E-G", client_id=None, group_id="G-1", format="group")],
        sessions=[
            session(
                engagement_id="E-G", client_id=None, held_on="2026-02-02", area="career_performance"
            )
        ],
    )
    found = findings_for("SCOPE-PRACTICE", ws)
    assert found["client_id"].to_list() == [None]
    assert "in group engagement E-G on 2026-02-02" in found["detail"][0]
