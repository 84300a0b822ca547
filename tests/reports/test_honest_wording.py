"""Honest wording (issue 14): the self-audit never softens a lapse, names the case behind each
growth item, points at no closed window; both reviews carry no judging words; "kept in all 4
cases" names what a case is; vocabulary values print with their display labels."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from builders import build, coach, row

from trc_analytics.reports import self_audit
from trc_analytics.reports.context import open_report
from trc_analytics.reports.sections import check_standing


def _audit(ws, **kw):
    return open_report(
        "self-audit", date_from="2026-01-01", date_to="2026-06-30", workspace=ws, coach="C-1", **kw
    )


def _text(section) -> str:
    return re.sub(r"\s+", " ", self_audit.reader_text(section.to_html()))


def _keeping_up(*credentials, supervision=()):
    ws = build(
        coaches=[coach(), coach("SUP-1")],  # the lapse needs an Association supervisor
        credentials=list(credentials),
        supervision=list(supervision) or [row("supervision", met_on="2025-01-01")],
    )
    return _text(self_audit.keeping_up(_audit(ws)))


def test_a_credential_past_its_grace_reads_as_lapsed_with_what_to_do_about_sessions():
    """The Code: "If that timeframe lapses, they must obtain six hours of one-to-one Supervision
    ... to review their suitability to renew their credential"."""
    text = _keeping_up(row("credentials", certified_on="2023-01-01", expires_on="2025-06-01"))
    assert "Your initial credential has lapsed" in text
    assert "grace period ended on 2025-12-01" in text
    assert "Until it is renewed, every session you hold under it" in text
    assert "Arrange 6 hours of one-to-one supervision" in text
    assert "ready for renewal" not in text


def test_six_hours_of_supervision_open_the_review_and_are_not_called_ready_for_renewal():
    """The six hours are "to review their suitability to renew", not a renewal."""
    sup = [
        row("supervision", supervision_id=f"SV-{i}", met_on=f"2026-0{i}-10", hours=2.0,
            reason="renewal_lapse")
        for i in (1, 2, 3)
    ]  # fmt: skip
    text = _keeping_up(
        row("credentials", certified_on="2023-01-01", expires_on="2025-06-01"), supervision=sup
    )
    assert "has lapsed" in text and "ask that supervisor now for the review" in text
    assert "ready for renewal" not in text


def test_a_credential_in_its_grace_period_is_ready_for_renewal_near_miss():
    """Within "a six-month period to renew" the credential can simply be renewed."""
    text = _keeping_up(row("credentials", certified_on="2024-03-01", expires_on="2026-03-01"))
    assert "ready for renewal until 2026-09-01" in text
    assert "lapsed" not in text


# --- what a case is ----------------------------------------------------------------------------


def test_every_case_names_what_a_case_is():
    from trc_analytics.checks import CHECKS
    from trc_analytics.reports.sections import CASE_NOUNS, case_noun, every_case

    assert every_case("CERT-ETHICS", 1) == "the one renewed credential"
    assert every_case("SAFE-TRIGGERED", 4) == "all 4 held sessions"
    assert every_case("DEV-CE", 1) == "the one training year"
    assert every_case("CONDUCT-DUAL", 1) == "the one coach"
    assert set(CASE_NOUNS) <= {c.id for c in CHECKS}
    for c in CHECKS:  # a check without its own noun still names its case (its unit)
        assert "case" not in case_noun(c.id, 1).split(), c.id


def test_credential_standing_cases_are_named_kind_by_kind(demo_workspace):
    """CERT-LAPSED examines each credential held at the period end and, for a coach who
    practised, their practice in the period: C-0001's 3 credentials and practice read "all 3
    credentials and your practice", in the strengths and the checklist (the runner counts the
    two kinds apart, `CheckResults.parts`). Near miss: CERT-ETHICS has one kind of case and
    keeps its noun; without the kinds a line falls back to the check's one noun."""
    from trc_analytics.reports.sections import every_case, kept_line

    assert every_case("CERT-ETHICS", 2) == "both renewed credentials"
    ctx = open_report(
        "self-audit", date_from="2026-01-01", date_to="2026-06-30",
        workspace=demo_workspace, coach="C-0001",
    )  # fmt: skip
    standings = check_standing(ctx, "C-0001")
    (lapsed,) = [s for s in standings if s.check_id == "CERT-LAPSED"]
    held = ctx.ws["credentials"].filter(pl.col("coach_id") == "C-0001")["credential"].n_unique()
    assert lapsed.examined == held + 1  # every credential kind, and the practice
    assert lapsed.parts == (("credential", held, held), ("practice", 1, 1))
    line = kept_line("CERT-LAPSED", "T", lapsed.examined, parts=lapsed.parts)
    assert line == f"T: kept in the period for all {held} credentials and your practice."
    assert f"all {held} credentials and your practice" in _text(self_audit.going_well(ctx))
    checklist = _text(self_audit.checklist(ctx))
    assert f"{held} of {held} credentials and your practice kept" in checklist
    assert "checks of credentials and of practice" not in checklist
    assert all(not s.parts for s in standings if s.check_id != "CERT-LAPSED")
    assert kept_line("CERT-LAPSED", "T", 4) == (
        "T: kept in the period for all 4 checks of credentials and of practice."
    )


def test_the_kinds_of_case_are_said_for_the_reader_and_only_when_present():
    """The supervisor reads "the coach's practice"; a coach without sessions has no practice
    case, a coach without credentials held at the end no credential case; the checklist says
    which kind needs attention, without a judging word."""
    from trc_analytics.reports.sections import kept_line, parts_cell, parts_phrase

    both = (("credential", 3, 3), ("practice", 1, 1))
    assert kept_line("CERT-LAPSED", "T", 4, parts=both, reader="supervisor") == (
        "T: kept in the period for all 3 credentials and the coach's practice."
    )
    assert kept_line("CERT-LAPSED", "T", 1, parts=(("credential", 1, 1),)) == (
        "T: kept in the period for the one credential."
    )
    assert parts_phrase("CERT-LAPSED", {"credential": 2}, every=True) == "both credentials"
    assert parts_phrase("CERT-LAPSED", {"practice": 1}) == "your practice"
    assert parts_phrase("CERT-ETHICS", {"credential": 2}) is None
    assert parts_cell("CERT-LAPSED", both, "coach") == "3 of 3 credentials and your practice kept"
    assert parts_cell("CERT-LAPSED", (("credential", 3, 2), ("practice", 1, 1)), "coach") == (
        "2 of 3 credentials kept; your practice kept"
    )
    assert parts_cell("CERT-LAPSED", (("credential", 3, 3), ("practice", 1, 0)), "supervisor") == (
        "3 of 3 credentials kept; the coach's practice needs attention"
    )
    assert parts_cell("CERT-ETHICS", (("credential", 2, 2),), "coach") is None


def test_the_self_audit_strengths_say_what_was_kept_for_which_cases(demo_workspace):
    ctx = open_report(
        "self-audit", date_from="2026-01-01", date_to="2026-06-30",
        workspace=demo_workspace, coach="C-0001",
    )  # fmt: skip
    text = _text(self_audit.going_well(ctx))
    kept = re.findall(r"kept in the period for (the one|all [\d,]+) ([a-z ,-]+?)\.", text)
    assert kept, text
    assert not re.search(r"kept (in|for) (the one case|all [\d,]+ cases)\b", text)
    checklist = _text(self_audit.checklist(ctx))
    assert not re.search(r"\d+ of \d+ cases kept", checklist)


# --- no judging words in either review ---------------------------------------------------------


def test_the_scan_catches_the_old_reproaches_and_lets_the_plain_facts_through():
    """ "should have" and ", yet ... were held" judge; "; ... were held" states a fact."""
    from trc_analytics.reports.self_audit import shaming_words

    assert shaming_words("it should have been rescheduled.") == ["should have"]
    assert shaming_words("excluded on 2026-01-02, yet 2 sessions were held") == [", yet"]
    assert shaming_words("excluded on 2026-01-02; 2 sessions were held afterwards") == []
    assert shaming_words("No course on record yet.") == []


def test_no_check_detail_sentence_judges(demo_workspace):
    """Every finding sentence of every check, as both reviews show it, is a plain fact."""
    from builders import period

    from trc_analytics.checks import run_checks
    from trc_analytics.reports.self_audit import shaming_words

    results = run_checks(demo_workspace, period(start="2025-07-01"))
    details = results.findings["detail"].to_list()
    assert len(set(results.findings["check_id"])) >= 15  # most checks have a planted case
    judged = {d: shaming_words(d) for d in details if shaming_words(d)}
    assert judged == {}


def test_the_supervisor_review_sections_carry_no_judging_words(demo_workspace):
    from trc_analytics.reports import supervisor
    from trc_analytics.reports.self_audit import reader_text, shaming_words

    found = {}
    for c in demo_workspace["coaches"]["coach_id"].to_list():
        ctx = open_report(
            "supervisor", date_from="2025-07-01", date_to="2026-06-30",
            workspace=demo_workspace, coach=c,
        )  # fmt: skip
        html = "".join(
            s.to_html() for _, fn in supervisor.SECTIONS if (s := fn(ctx, c)) is not None
        )
        if words := shaming_words(reader_text(html)):
            found[c] = words
    assert found == {}


# --- vocabulary labels -------------------------------------------------------------------------


def test_every_label_belongs_to_a_value_of_its_vocabulary_and_reads_one_way():
    from trc_analytics.records.schema import load_schema

    schema = load_schema()
    seen: dict[str, str] = {}
    for name, voc in schema.vocabularies.items():
        for value, words in voc.get("labels", {}).items():
            assert value in voc["values"], (name, value)
            assert "_" not in words and words.strip() == words, (name, value)
            assert seen.setdefault(value, words) == words, value  # one value, one label
    assert schema.display_labels()["childhood_emotional_abuse_neglect"] == (
        "childhood emotional abuse / neglect"
    )


def test_an_association_may_add_its_own_labels(tmp_path):
    from trc_analytics.records.schema import load_schema

    extra = tmp_path / "vocabularies.toml"
    extra.write_text(
        '[area]\nvalues = ["sports_trauma"]\n[area.labels]\nsports_trauma = "sport & trauma"\n'
    )
    schema = load_schema(extra)
    assert "sports_trauma" in schema.vocabulary("area")
    assert schema.display_labels()["sports_trauma"] == "sport & trauma"
    assert schema.display_labels()["combat_military"] == "combat / military"


def test_one_helper_prints_a_value_alike_in_tables_charts_sentences_and_findings():
    import polars as pl

    from trc_analytics.checks.check import words
    from trc_analytics.reports.display import format_value, vocab_label, vocab_words
    from trc_analytics.reports.sections import wordy

    value = "childhood_emotional_abuse_neglect"
    label = "childhood emotional abuse / neglect"
    assert vocab_label(value) == wordy(value) == format_value(value, "area") == label
    frame = pl.DataFrame({"area": [value, "intimate_partner_violence"]})
    assert frame.select(vocab_words("area"))["area"].to_list() == [
        label,
        "intimate partner violence",
    ]
    assert frame.select(words("area"))["area"].to_list()[0] == label
    assert vocab_label(None) == "not recorded"


def test_a_chart_shows_the_label_not_the_code():
    import polars as pl

    from trc_analytics.reports import charts, theme

    frame = pl.DataFrame({"area": ["childhood_emotional_abuse_neglect"], "hours": [3.0]})
    svg = theme.to_svg(charts.bars(frame, "area", "hours", x_title="Hours"))
    assert "childhood emotional abuse / neglect" in svg
    assert "childhood_emotional_abuse_neglect" not in svg


# --- growth: the cases named, one count, no closed window --------------------------------------


def _competence_audit():
    from builders import session

    ws = build(
        coaches=[coach()],
        competencies=[row("competencies", area="complex_trauma_general")],
        sessions=[
            session("S-1", held_on="2026-01-10", area="adoption_trauma"),
            session("S-2", held_on="2026-02-10", area="adoption_trauma"),
            session("S-3", held_on="2026-05-20", area="adoption_trauma"),
        ],
        supervision=[row("supervision", met_on="2026-05-25", area="adoption_trauma")],
    )
    return _audit(ws)


def test_the_growth_table_counts_the_sessions_the_finding_counts():
    """One count per fact. The Code: "seek professional supervision from a qualified Supervisor
    when they encounter issues in their practice that they are not fully competent to handle";
    the May session had supervision in time, the January and February ones did not."""
    ctx = _competence_audit()
    section = self_audit.growth(ctx)
    table = section.tables[0].frame
    finding = ctx.findings("C-1").filter(ctx.findings("C-1")["check_id"] == "SCOPE-COMPETENCE")
    assert finding.height == 1 and "in 2 sessions" in finding["detail"][0]
    assert table["sessions"].to_list() == [2]  # not the 3 sessions held in the area
    assert (table["client"][0], table["engagement"][0]) == ("K-1", "E-1")
    assert table["from"][0].isoformat() == "2026-01-10"


def test_the_growth_steps_name_the_cases_and_say_what_to_do_now():
    """The records are the coach's own: the step names client, engagement and date; the 90
    days have passed, so the step does not point at them."""
    text = _text(self_audit.growth(_competence_audit()))
    assert "to supervision now" in text
    assert "to supervision within" not in text


def test_a_finding_step_names_client_engagement_and_date():
    import polars as pl

    rows = pl.DataFrame(
        {
            "client_id": ["K-1", None] + ["K-9"] * 5,
            "engagement_id": ["E-1", None] + ["E-9"] * 5,
            "on": ["2026-03-01", "2026-04-01"] + ["2026-05-01"] * 5,
        }
    )
    named = self_audit.named_cases(rows)
    assert named.startswith("client K-1, engagement E-1, 2026-03-01; 2026-04-01; client K-9")
    assert named.endswith("; and 2 more cases")


def test_no_next_step_points_at_a_window_already_closed():
    """A step with a time window ("within 30 days") says first what to do now."""
    from trc_analytics.checks import CHECKS

    ctx = _competence_audit()
    for c in CHECKS:
        step = self_audit.next_step(c.id, ctx)
        if re.search(r"within \d+ days", step):
            assert re.search(r"\bnow\b|at your next session", step), c.id
            assert step.index("within") > min(
                i for i in (step.find(" now"), step.find("next session")) if i >= 0
            ), c.id


def test_the_data_dictionary_shows_the_labels_reports_print():
    from trc_analytics.records.templates import data_dictionary_markdown

    md = data_dictionary_markdown()
    assert "`childhood_emotional_abuse_neglect` as “childhood emotional abuse / neglect”" in md


def test_a_rule_kept_only_by_nothing_recorded_says_so_and_claims_no_more():
    """A report never claims more than its records show: no dual relationship recorded is not
    proof that none existed."""
    from trc_analytics.reports.sections import kept_line

    assert kept_line("CONDUCT-DUAL", "No dual relationships", 1) == (
        "No dual relationships: nothing recorded against it in the period."
    )
    near_miss = kept_line("SAFE-TRIGGERED", "No client leaves triggered", 4)
    assert near_miss == "No client leaves triggered: kept in the period for all 4 held sessions."


# --- odd sentences of the rendered reports (issue 11) ------------------------------------------


def _review(ws):
    return open_report(
        "supervisor", date_from="2026-01-01", date_to="2026-06-30", workspace=ws, coach="C-1"
    )


def _said(section) -> str:
    return re.sub(r"\s+", " ", self_audit.reader_text(section.to_html()))


def _credentials(*kinds: str) -> str:
    from trc_analytics.reports import supervisor

    creds = [row("credentials", credential=k) for k in kinds]
    return _said(supervisor.credentials(_review(build(credentials=creds)), "C-1"))


def test_two_current_credentials_are_both_not_all_2():
    text = _credentials("initial", "advanced")
    assert "Both credentials are current as of the period end." in text
    assert "All 2" not in text


def test_one_and_three_current_credentials_read_as_such_near_miss():
    assert "The one credential is current as of the period end." in _credentials("initial")
    three = _credentials("initial", "advanced", "group")
    assert "All 3 credentials are current as of the period end." in three


def test_every_case_of_two_is_both():
    from trc_analytics.reports.sections import every_case, kept_line

    assert every_case("CERT-ETHICS", 2) == "both renewed credentials"
    assert every_case("CERT-ETHICS", 3) == "all 3 renewed credentials"
    assert kept_line("PRACT-CONTEXT", "Context explored", 2) == (
        "Context explored: kept in the period for both clients."
    )


def _months(values: list[int]) -> pl.DataFrame:
    months = [dt.date(2026, m, 1) for m in range(1, len(values) + 1)]
    return pl.DataFrame({"month": months, "active_clients": values})


def test_a_peak_in_the_last_month_is_said_once():
    from trc_analytics.reports.supervisor import _peak_text

    text = _peak_text(_months([3, 5, 9]))
    assert text == "Active clients peaked at 9 in March 2026, the last month of the period"
    assert text.count("March 2026") == 1


def test_a_peak_before_the_last_month_names_both_months_near_miss():
    from trc_analytics.reports.supervisor import _peak_text

    assert _peak_text(_months([3, 9, 4])) == (
        "Active clients peaked at 9 in February 2026 and stood at 4 in March 2026"
    )
    assert _peak_text(_months([3, 4, 4])) == (
        "Active clients peaked at 4 in February 2026 and were still 4 in March 2026"
    )


def test_every_hour_in_one_format_is_all_not_most_100_percent():
    from trc_analytics.reports.supervisor import _main_format

    assert _main_format({"format": "one_to_one", "hours_share": 1.0}) == (
        "All hours were one-to-one"
    )
    assert _main_format({"format": "one_to_one", "hours_share": 0.63}) == (
        "Most hours were one-to-one (63%)"
    )


def test_names_in_a_sentence_end_with_and():
    from trc_analytics.reports.display import and_list

    assert and_list(["workplace abuse"]) == "workplace abuse"
    assert and_list(["a", "b"]) == "a and b"
    assert and_list(["a", "b", "c"]) == "a, b and c"


def _quarters_table_text() -> str:
    from trc_analytics.reports import supervision_cycle

    ws = build(
        coaches=[coach(supervision_hours_per_quarter=3.0)],
        supervision=[
            row("supervision", met_on="2026-02-01"),
            row("supervision", supervision_id="SV-2", met_on="2026-05-01"),
        ],
    )
    section = supervision_cycle.supervision_agreed(_review(ws), "C-1", "Supervision")
    return _said(section)


def test_quarters_are_labelled_as_quarters_in_the_table():
    text = _quarters_table_text()
    assert "2026 Q1" in text and "2026 Q2" in text
    assert "2026-01-01" not in text and "2026-04-01" not in text


def _events(followed: list[str], events: list[str] | None = None) -> pl.DataFrame:
    n = len(followed)
    return pl.DataFrame(
        {
            "client_id": [f"K-{i}" for i in range(n)],
            "event": events or ["decompensation observed in a session"] * n,
            "followed": followed,
        }
    )


def test_no_zero_events_to_take_to_supervision_beside_the_list():
    from trc_analytics.reports.supervision_cycle import _discuss_takeaway

    one = _discuss_takeaway(_events(["referral on 2026-02-14"]), strength_first=True)
    assert (
        one == "For the one event (1 client), a referral, assessment or session already followed."
    )
    both = _discuss_takeaway(_events(["referral", "session"]), strength_first=True)
    assert both.startswith("For each of the 2 events (2 clients)")
    for text in (one, both):
        assert "0 events" not in text and "1 of 1" not in text


def test_events_still_open_are_counted_for_supervision_near_miss():
    from trc_analytics.reports.supervision_cycle import _discuss_takeaway

    waiting = "nothing recorded since"
    some = _discuss_takeaway(_events(["referral", waiting]), strength_first=True)
    assert some == (
        "For 1 of 2 events (2 clients), a referral, assessment or session already followed; "
        "1 event to take to supervision."
    )
    none = _discuss_takeaway(_events([waiting]), strength_first=True)
    assert none == "1 event (1 client) to take to supervision: nothing recorded since."


def test_the_supervisor_reads_followed_it_for_a_single_event():
    from trc_analytics.reports.supervision_cycle import _discuss_takeaway

    assert _discuss_takeaway(_events(["referral"]), strength_first=False).endswith(
        "a referral, assessment or session followed it."
    )
    assert _discuss_takeaway(_events(["referral", "session"]), strength_first=False).endswith(
        "followed each."
    )


def test_silent_is_explained_only_beside_a_silent_engagement():
    from trc_analytics.reports.supervision_cycle import _silent_note

    assert _silent_note(_events(["referral"]), 60) == []
    silent = _events(["nothing recorded since"], ["silent engagement: no held session for 70 days"])
    assert _silent_note(silent, 60)[0].startswith("Silent: an open engagement")


def test_an_exclusion_reason_reaches_the_reader_as_words():
    ws = build(
        clients=[row("clients")],
        engagements=[row("engagements")],
        safety_assessments=[
            row("safety_assessments", outcome="excluded", exclusion_reason="active_self_harm")
        ],
    )
    events, _ = _review(ws).metric("clients_to_discuss", "C-1")
    excluded = events.filter(pl.col("event").str.starts_with("excluded"))
    assert excluded["event"].to_list() == ["excluded after assessment (active self-harm)"]
    assert not events["event"].str.contains("_").any()


def test_no_renewal_in_the_period_is_said_not_kept_in_the_period():
    from trc_analytics.reports.sections import kept_line

    title = "An ethics review course before every renewal"
    line = kept_line("CERT-ETHICS", title, 3, renewals=0)
    assert line == (
        f"{title}: no credential was renewed in the period; all 3 renewed credentials held at "
        "its end had a review course before their renewal."
    )
    assert "kept in the period" not in line
    assert kept_line("CERT-ETHICS", title, 2, renewals=1) == (
        f"{title}: kept for both renewed credentials held at its end (1 renewal in the period)."
    )


def _renewals(certified_on: str) -> int:
    from trc_analytics.reports.sections import renewals_in_period

    creds = [
        row("credentials", certified_on="2023-01-01", expires_on="2025-01-01"),
        row("credentials", certified_on=certified_on, expires_on="2027-06-01"),
        row("credentials", credential="advanced", certified_on=certified_on),
    ]
    return renewals_in_period(_review(build(credentials=creds)), "C-1")


def test_a_renewal_counts_in_the_period_only_when_certified_in_it():
    assert _renewals("2026-03-01") == 1  # the initial renewed; the advanced is a first
    assert _renewals("2025-12-31") == 0  # near miss: renewed the day before the period


def test_advocacy_left_out_of_the_survivor_total_is_named():
    from trc_analytics.reports import supervisor

    ws = build(
        sessions=[row("sessions")],
        community_service=[
            row("community_service", hours=2.0, participants=12),
            row("community_service", activity_id="CS-2", kind="advocacy", hours=1.5),
        ],
    )
    text = _said(supervisor.probono(_review(ws), "C-1"))
    assert "plus 2 hours of community service to survivors" in text
    assert (
        "Advocacy (1.5 hours) is listed but not counted in the 2 hours of community service "
        "to survivors" in text
    )


def test_no_note_when_every_kind_listed_is_counted_near_miss():
    from trc_analytics.reports.sections import community_not_counted

    frame = pl.DataFrame({"kind": ["free_workshop", "support_group"], "hours": [2.0, 0.5]})
    assert community_not_counted(frame, 2.5) == []


def _with_a_finding():
    return build(
        clients=[row("clients")],
        engagements=[row("engagements")],
        sessions=[row("sessions")],
        safety_assessments=[row("safety_assessments", client_id="K-9", assessed_on="2026-03-01")],
    )


def test_the_findings_section_does_not_repeat_the_summary():
    from trc_analytics.reports import opening, supervisor

    ctx = _review(_with_a_finding())
    summary = _said(opening.summary(ctx, "C-1", title="Summary"))
    findings = _said(supervisor.findings(ctx, "C-1"))
    assert summary.count("1 critical finding") == 1
    assert "Go to the findings: critical" in summary
    assert "To discuss" not in findings and "1 critical finding" not in findings
    assert "Each finding in full" in findings
    assert "SAFE-SRA" in findings


def test_the_association_does_not_call_advocacy_service_to_survivors():
    from trc_analytics.reports.association import words

    text = words.giving(1183.0, 317.0)
    assert "317 hours of community service of every kind" in text
    assert "to survivors" not in text


def test_the_checklist_claims_no_more_than_nothing_recorded():
    from trc_analytics.reports.sections import CheckStanding
    from trc_analytics.reports.self_audit import _cases_cell

    def standing(check_id: str, findings: int = 0) -> CheckStanding:
        return CheckStanding(check_id, "t", "major", True, None, 1, 1 - findings, findings)

    assert _cases_cell(standing("CONDUCT-DUAL"), "kept") == "nothing recorded against it"
    assert _cases_cell(standing("CONDUCT-DUAL", 1), "attention") == "0 of 1 coach kept"
    lapsed = _cases_cell(standing("CERT-LAPSED"), "kept")
    assert lapsed == "1 of 1 check of a credential or of practice kept"
