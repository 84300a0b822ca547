"""Standing checks as of the period end: credentials, ethics review, continuing education."""

import datetime as dt

from builders import build, coach, engagement, findings_for, row, session


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

# the Association supervisor SUP-1 is a coach of the workspace
WITH_SUPERVISOR = [coach("C-1"), coach("SUP-1")]


def test_lapsed_within_grace_is_a_minor_reminder_to_renew():
    """ "they shall have a six-month period to renew their certification": inside it, a minor
    reminder, not a major finding."""
    ws = build(credentials=[credential(certified_on="2024-04-01", expires_on="2026-04-01")])
    found = findings_for("CERT-LAPSED", ws)
    assert found.select("severity", "on").rows() == [("minor", dt.date(2026, 6, 30))]
    assert found["detail"][0] == (
        "Coach C-1's Initial certification expired on 2026-04-01; renew it within the 6 months "
        "grace period, which runs until 2026-10-01."
    )


def test_lapsed_past_grace_counts_only_hours_after_the_grace_with_one_association_supervisor():
    """ "If that timeframe lapses, they must obtain six hours of one-to-one Supervision with the
    same Association employed Supervisor": hours inside the grace, with a second supervisor, or
    with a supervisor outside the Association's records do not add up."""
    ws = build(
        coaches=[*WITH_SUPERVISOR, coach("SUP-2")],
        credentials=[credential(certified_on="2023-06-01", expires_on="2025-06-01")],
        supervision=[
            supervision("SV-1", "SUP-1", 3.0, met_on="2026-01-05"),
            supervision("SV-2", "SUP-2", 3.0, met_on="2026-01-06"),  # another supervisor
            supervision("SV-3", "SUP-1", 4.0, reason="routine"),
            supervision("SV-4", "SUP-1", 5.0, met_on="2025-11-01"),  # inside the grace
            supervision("SV-5", "OUT-1", 6.0),  # not a coach of the workspace
        ],
    )
    found = findings_for("CERT-LAPSED", ws)
    assert found["severity"].to_list() == ["critical"]
    assert found["detail"][0] == (
        "Coach C-1's Initial certification expired on 2025-06-01 and the grace period ended on "
        "2025-12-01 without renewal; it stays lapsed until renewed. 3 of the 6 hours of "
        "one-to-one supervision with one Association supervisor after the grace that open the "
        "review of suitability to renew are recorded."
    )


def test_six_hours_after_the_grace_open_the_review_but_the_lapse_stays_a_finding():
    """ "six hours of one-to-one Supervision ... to review their suitability to renew their
    credential": the hours open the review; they do not renew the credential."""
    ws = build(
        coaches=WITH_SUPERVISOR,
        credentials=[credential(certified_on="2023-06-01", expires_on="2025-06-01")],
        supervision=[supervision("SV-1", "SUP-1", 2.5), supervision("SV-2", "SUP-1", 3.5)],
    )
    found = findings_for("CERT-LAPSED", ws)
    assert found["severity"].to_list() == ["critical"]
    assert found["detail"][0].endswith(
        "The 6 hours of one-to-one supervision with one Association supervisor after the grace "
        "are done (6 hours with SUP-1): the review of suitability to renew is open."
    )


def test_renewed_credential_is_current_and_inactive_coaches_are_not_judged():
    """ "It is the responsibility of each Association Coach to keep their credentials up to
    date.": a renewal keeps it."""
    ws = build(
        coaches=[coach("C-1"), coach("C-2", active=False)],
        credentials=[
            credential(certified_on="2022-01-01", expires_on="2024-01-01"),
            credential(certified_on="2024-01-01", expires_on="2026-12-31"),
            credential(coach_id="C-2", certified_on="2020-01-01", expires_on="2022-01-01"),
        ],
    )
    assert findings_for("CERT-LAPSED", ws).is_empty()


def test_sessions_held_while_lapsed_stay_findings_after_the_six_hours():
    """ "they must obtain six hours of one-to-one Supervision ... to review their suitability to
    renew their credential": the hours open a review, they do not renew, so sessions held
    after the grace stay a critical finding."""
    ws = build(
        coaches=WITH_SUPERVISOR,
        credentials=[credential(certified_on="2023-06-01", expires_on="2025-06-01")],
        supervision=[supervision("SV-1", "SUP-1", 6.0, met_on="2026-01-10")],
        sessions=[
            session("S-1", held_on="2026-02-01"),
            session("S-2", held_on="2026-03-01"),
        ],
    )
    found = findings_for("CERT-LAPSED", ws).sort("on")
    assert found.select("severity", "on").rows() == [
        ("critical", dt.date(2026, 2, 1)),
        ("critical", dt.date(2026, 6, 30)),
    ]
    assert found["detail"][0] == (
        "Coach C-1 held 2 sessions from 2026-02-01 to 2026-03-01 while their certification had "
        "lapsed (its grace period ended on 2025-12-01)."
    )


def test_a_lapsed_specialty_is_a_finding_only_when_practised_after_the_grace():
    """ "If any coach allows their certification to lapse ...": a lapsed Group certification
    matters when the coach ran a group after the grace; a lapsed NPE one never practised since
    is not a finding."""
    current = credential(certified_on="2025-01-01", expires_on="2027-01-01")
    group = credential(credential="group", certified_on="2023-01-01", expires_on="2025-01-01")
    npe = credential(credential="npe", certified_on="2023-01-01", expires_on="2025-01-01")
    group_run = [
        engagement("E-G", client_id=None, group_id="G-1", format="group"),
    ]
    practised = build(
        credentials=[current, group, npe],
        engagements=group_run,
        sessions=[session(engagement_id="E-G", client_id=None, held_on="2026-03-03")],
    )
    found = findings_for("CERT-LAPSED", practised)
    assert found["detail"].to_list() == [
        "Coach C-1's Group certification expired on 2025-01-01 and the grace period ended on "
        "2025-07-01 without renewal; the specialty was practised after the grace, first on "
        "2026-03-03; it stays lapsed until renewed. 0 of the 6 hours of one-to-one supervision "
        "with one Association supervisor after the grace that open the review of suitability to "
        "renew are recorded."
    ]
    before_grace_end = build(
        credentials=[current, group, npe],
        engagements=group_run,
        sessions=[session(engagement_id="E-G", client_id=None, held_on="2025-06-03")],
    )
    assert findings_for("CERT-LAPSED", before_grace_end).is_empty()


def test_a_lapsed_supervisor_credential_is_a_finding_once_they_supervise_after_the_grace():
    """ "It is the responsibility of each Association Coach to keep their credentials up to
    date.": supervising coaches after the Supervisor certification's grace is practising it."""
    lapsed = credential(
        coach_id="SUP-1", credential="supervisor", certified_on="2023-01-01",
        expires_on="2025-01-01",
    )  # fmt: skip
    core = credential(coach_id="SUP-1", certified_on="2025-01-01", expires_on="2027-01-01")
    supervised = build(
        coaches=WITH_SUPERVISOR,
        credentials=[lapsed, core],
        supervision=[supervision("SV-1", "SUP-1", 1.0, reason="routine")],
    )
    found = findings_for("CERT-LAPSED", supervised, coaches=["SUP-1"])["detail"].to_list()
    assert [d.split(" expired")[0] for d in found] == ["Coach SUP-1's Supervisor certification"]
    not_since = build(coaches=WITH_SUPERVISOR, credentials=[lapsed, core])
    assert findings_for("CERT-LAPSED", not_since, coaches=["SUP-1"]).is_empty()


def test_grace_months_are_a_policy_value():
    """ "they shall have a six-month period to renew their certification": the six months are
    the `credential_grace_months` policy value."""
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


def test_ce_fires_below_ten_hours_of_training_in_twelve_months():
    """ "Trauma Recovery Coaches keep up-to-date with research and methodology in the field of
    trauma, trauma recovery and intervention.": at least `ce_hours_per_year` (10) hours of
    training in the 12 months to the period end; the ethics review course is not that."""
    ws = build(
        coaches=[
            coach("C-1", joined_on="2020-01-01"),
            coach("C-2", joined_on="2020-01-01"),
            coach("C-3", joined_on="2026-03-01"),  # new: not judged yet
            coach("C-4", active=False),
            coach("C-5", joined_on="2020-01-01"),
        ],
        trainings=[
            row("trainings", training_id="T-1", completed_on="2025-06-30", hours=20.0),  # before
            row("trainings", training_id="T-2", completed_on="2025-09-01", hours=4.0),
            row("trainings", training_id="T-3", completed_on="2026-05-01", hours=12.0,
                kind="ethics_review"),
            row("trainings", training_id="T-4", coach_id="C-2", completed_on="2025-07-01",
                hours=6.0),
            row("trainings", training_id="T-5", coach_id="C-2", completed_on="2026-06-30",
                hours=4.0),
        ],
    )  # fmt: skip
    assert findings_for("DEV-CE", ws)["detail"].to_list() == [
        "Coach C-1 completed 4 hours of training (other than the ethics review course) in the 12 "
        "months from 2025-07-01 to 2026-06-30, fewer than the 10 hours a year asked.",
        "Coach C-5 completed 0 hours of training (other than the ethics review course) in the 12 "
        "months from 2025-07-01 to 2026-06-30, fewer than the 10 hours a year asked.",
    ]


def test_ce_hours_are_a_policy_value():
    """ "Trauma Recovery Coaches keep up-to-date with research and methodology in the field of
    trauma, trauma recovery and intervention.": an association may ask for other hours."""
    ws = build(
        coaches=[coach("C-1", joined_on="2020-01-01")],
        trainings=[row("trainings", completed_on="2026-02-01", hours=6.0)],
    )
    assert findings_for("DEV-CE", ws, ce_hours_per_year=6.0).is_empty()
    assert len(findings_for("DEV-CE", ws, ce_hours_per_year=6.5)) == 1


def test_ce_hours_that_add_up_to_the_requirement_meet_it():
    """Near miss in float arithmetic: 0.6 + 0.7 + 0.7 hours are 1.9999999999999998 when added
    as floats; totals are rounded (`scope.stable_sum`), so two hours asked are met."""
    ws = build(
        coaches=[coach("C-1", joined_on="2020-01-01")],
        trainings=[
            row("trainings", training_id=f"T-{i}", completed_on="2026-02-01", hours=h)
            for i, h in enumerate((0.6, 0.7, 0.7))
        ],
    )
    assert findings_for("DEV-CE", ws, ce_hours_per_year=2.0).is_empty()
    assert len(findings_for("DEV-CE", ws, ce_hours_per_year=2.01)) == 1


def test_ce_hours_short_of_the_requirement_never_print_as_meeting_it():
    """9.96 hours are short of 10: the finding must not say "completed 10 hours ..., fewer than
    the 10 hours a year asked". Hours in findings round down to the tenth, as in the reports."""
    ws = build(
        coaches=[coach("C-1", joined_on="2020-01-01")],
        trainings=[
            row("trainings", training_id=f"T-{i}", completed_on="2026-02-01", hours=h)
            for i, h in enumerate((4.98, 4.98))
        ],
    )
    detail = findings_for("DEV-CE", ws)["detail"][0]
    assert "completed 9.9 hours of training" in detail


def test_ce_hours_near_a_tenth_keep_it():
    """Near miss: 8.4 + 0.1 hours add up to 8.4999999 as floats and print as 8.5, not 8.4."""
    ws = build(
        coaches=[coach("C-1", joined_on="2020-01-01")],
        trainings=[
            row("trainings", training_id=f"T-{i}", completed_on="2026-02-01", hours=h)
            for i, h in enumerate((8.4, 0.1))
        ],
    )
    assert "completed 8.5 hours of training" in findings_for("DEV-CE", ws)["detail"][0]
