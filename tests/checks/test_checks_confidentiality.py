"""Confidentiality checks: disclosures on a recognised basis; mandatory reports in time."""

from builders import build, client, findings_for, row


def test_disclosure_fires_for_basis_none_only():
    ws = build(
        clients=[client()],
        disclosures=[
            row("disclosures", disclosure_id="D-1", basis="none", recipient_type="family_member"),
            row("disclosures", disclosure_id="D-2", basis="danger_to_self_or_others"),
            row("disclosures", disclosure_id="D-3", basis="subpoena"),
        ],
    )
    assert findings_for("CONF-DISCLOSURE", ws)["detail"].to_list() == [
        "Information about client K-1 was disclosed on 2026-02-01 to a family member without "
        "consent, a subpoena, a danger to anyone or a duty to report abuse."
    ]


def concern(**values):
    return row("mandatory_reports", concern_on="2026-03-02", **values)


def test_mandatory_fires_when_never_reported_or_reported_late():
    """ "They ALWAYS report current abuse to minors, the disabled and elders to the appropriate
    local agencies." """
    ws = build(
        clients=[client()],
        mandatory_reports=[
            concern(report_id="M-1", concern_group="elder"),
            concern(report_id="M-2", reported_on="2026-03-06", concern_group="disabled"),
        ],
    )
    found = findings_for("CONF-MANDATORY", ws)
    assert found["on"].to_list()[0].isoformat() == "2026-03-04"
    # both dated the same day, about the same client: ordered by their sentence
    assert found["detail"].to_list() == [
        "A concern about current abuse of a disabled person (client K-1) raised on 2026-03-02 "
        "was not reported to the appropriate agency within 2 days; it was reported on "
        "2026-03-06.",
        "A concern about current abuse of an elder (client K-1) raised on 2026-03-02 was not "
        "reported to the appropriate agency within 2 days; no report is recorded.",
    ]


def test_mandatory_is_kept_by_a_report_within_the_days_allowed():
    """Near miss: "ALWAYS report current abuse [...] to the appropriate local agencies", done in
    the days the policy allows."""
    ws = build(clients=[client()], mandatory_reports=[concern(reported_on="2026-03-04")])
    assert findings_for("CONF-MANDATORY", ws).is_empty()
    assert findings_for("CONF-MANDATORY", ws, mandatory_report_days=1).height == 1


def test_mandatory_report_after_the_as_of_date_is_not_seen():
    """ "ALWAYS report current abuse": a report dated after the as-of date is not known then."""
    ws = build(clients=[client()], mandatory_reports=[concern(reported_on="2026-07-15")])
    found = findings_for("CONF-MANDATORY", ws)
    assert found["detail"][0].endswith("; no report is recorded.")


def test_mandatory_past_abuse_needs_no_report():
    """Near miss: "They ALWAYS report current abuse to minors, the disabled and elders": abuse a
    client tells of that is over (`abuse_current` false) is not a case, reported or not."""
    ws = build(
        clients=[client()],
        mandatory_reports=[
            concern(report_id="M-1", abuse_current=False),
            concern(report_id="M-2", abuse_current=True),
        ],
    )
    found = findings_for("CONF-MANDATORY", ws)
    assert found.height == 1
    assert found["detail"][0].startswith("A concern about current abuse of a minor")


def test_a_mandatory_reports_file_without_abuse_current_is_refused_naming_the_column(tmp_path):
    """ "They ALWAYS report current abuse": a workspace from before the column cannot say which
    concerns are current, so validation names the missing column instead of judging."""
    import polars as pl
    from builders import write_workspace

    from trc_analytics import validate_workspace

    ws = build(clients=[client()], mandatory_reports=[concern()])
    folder = write_workspace(ws, tmp_path / "ws")
    old = pl.read_csv(folder / "mandatory_reports.csv").drop("abuse_current")
    old.write_csv(folder / "mandatory_reports.csv")
    problems = validate_workspace(folder).filter(pl.col("problem") == "missing_column")
    assert problems.select("file", "column").rows() == [("mandatory_reports.csv", "abuse_current")]
