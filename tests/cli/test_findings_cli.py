"""`trc findings` and `trc checks`: what a user sees and the exit codes scripts rely on."""

import csv
import io
import json

import pytest
from builders import build, client, coach, row, session, write_workspace
from click.testing import CliRunner

from trc_analytics.checks import CHECKS
from trc_analytics.cli import main

HEADER = "check_id,severity,coach_id,client_id,engagement_id,on,detail"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def folder(tmp_path):
    """Two coaches; C-1 held a session with a client under the influence and missed a
    decompensation referral; no safety assessments or vetted services are recorded."""
    ws = build(
        # both publish a refund policy (PRACT-REFUND-POLICY is not what this file tests)
        coaches=[
            coach("C-1", refund_policy_published=True),
            coach("C-2", region="south", refund_policy_published=True),
        ],
        clients=[client("K-1", intake_on="2026-01-05", grievance_policy_given_on="2026-01-05",
                        context_explored_on="2026-01-05", refund_policy_given_on="2026-01-05"),
                 client("K-2", coach_id="C-2", intake_on="2026-01-05",
                        grievance_policy_given_on="2026-01-05",
                        context_explored_on="2026-01-05", refund_policy_given_on="2026-01-05")],
        sessions=[
            session("S-1", held_on="2026-03-02", client_under_influence=True),
            session("S-2", held_on="2026-03-09", decompensation_observed=True),
            session("S-3", coach_id="C-2", client_id="K-2", held_on="2026-03-09",
                    fee_type="pro_bono", left_triggered_unsafe=True),
        ],
        referrals=[row("referrals", referred_on="2026-03-11", service_type="therapist")],
    )  # fmt: skip
    return write_workspace(ws, tmp_path / "ws")


def test_csv_has_exactly_the_finding_columns_and_empty_cells_for_nulls(folder):
    result = run(
        "findings", folder, "--from", "2026-01-01", "--to", "2026-06-30", "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == HEADER
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {r["check_id"] for r in rows} == {"SAFE-INFLUENCE", "SAFE-TRIGGERED", "COMM-PROBONO"}
    influence = next(r for r in rows if r["check_id"] == "SAFE-INFLUENCE")
    assert influence["on"] == "2026-03-02"
    assert influence["client_id"] == "K-1"
    probono = next(r for r in rows if r["check_id"] == "COMM-PROBONO")
    assert probono["client_id"] == "" and probono["engagement_id"] == ""
    # the detail holds commas, so it is quoted
    assert ',,2026-06-30,"Coach C-1 gave no pro-bono' in result.output


def test_no_findings_still_exits_zero_with_the_header_only(folder):
    result = run(
        "findings", folder, "--from", "2025-01-01", "--to", "2025-01-31", "--format", "csv"
    )
    assert result.exit_code == 0
    assert result.output.splitlines() == [HEADER]


def test_policy_file_changes_an_outcome(folder, tmp_path):
    strict = tmp_path / "policy.toml"
    strict.write_text("decompensation_referral_days = 1\n", encoding="utf-8")
    args = ("findings", folder, "--from", "2026-01-01", "--to", "2026-06-30", "--format", "csv")
    assert "SAFE-DECOMP" not in run(*args).output
    assert "SAFE-DECOMP" in run(*args, "--policy", strict).output


def test_coach_option_filters_and_refuses_unknown_coaches(folder):
    args = ("findings", folder, "--from", "2026-01-01", "--to", "2026-06-30", "--format", "csv")
    only_c2 = list(csv.DictReader(io.StringIO(run(*args, "--coach", "C-2").output)))
    assert [r["check_id"] for r in only_c2] == ["SAFE-TRIGGERED"]
    unknown = run(*args, "--coach", "C-9")
    assert unknown.exit_code == 2
    assert "unknown coach C-9" in unknown.output


def test_table_lists_findings_and_the_checks_not_evaluated(folder):
    result = run("findings", folder, "--from", "2026-01-01", "--to", "2026-06-30")
    assert result.exit_code == 0
    out = result.output
    assert "SAFE-INFLUENCE" in out and "3 findings from 2026-01-01 to 2026-06-30" in out
    assert "Not evaluated" in out
    assert "SAFE-SRA: no engagements or safety_assessments records" in out
    assert "REFER-VETTED: no vetted_services records" in out
    assert "Evaluated in part" in out
    assert "SAFE-DECOMP: evaluated without engagements or group_members records" in out


def test_json_holds_findings_statuses_and_policy(folder):
    result = run(
        "findings", folder, "--from", "2026-01-01", "--to", "2026-06-30", "--format", "json"
    )
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["from"] == "2026-01-01" and doc["policy"]["decompensation_referral_days"] == 2
    assert len(doc["findings"]) == 3
    assert [c["check_id"] for c in doc["checks"]] == [c.id for c in CHECKS]
    sra = next(c for c in doc["checks"] if c["check_id"] == "SAFE-SRA")
    assert sra["evaluated"] is False


def test_invalid_workspace_exits_one_with_the_validation_report(folder):
    lines = (folder / "sessions.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",held,", ",maybe,")
    (folder / "sessions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(
        "findings", folder, "--from", "2026-01-01", "--to", "2026-06-30", "--format", "csv"
    )
    assert result.exit_code == 1
    assert "sessions.csv" in result.output and "maybe" in result.output
    assert HEADER not in result.output


def test_bad_dates_are_usage_errors(folder):
    assert run("findings", folder, "--from", "2026-13-01", "--to", "2026-06-30").exit_code == 2
    assert run("findings", folder, "--from", "2026-06-30", "--to", "2026-01-01").exit_code == 2


def test_checks_lists_the_catalogue_with_passages():
    table = run("checks")
    assert table.exit_code == 0
    for check in CHECKS:
        assert check.id in table.output
    assert "MANDATED" in table.output
    doc = json.loads(run("checks", "--format", "json").output)
    assert [c["id"] for c in doc] == [c.id for c in CHECKS]
    decomp = next(c for c in doc if c["id"] == "SAFE-DECOMP")
    assert decomp["policy"] == {"decompensation_referral_days": 2}
    assert "decompensation occurs" in decomp["passage"]
