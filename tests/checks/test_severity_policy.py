"""Severity per check is a policy value (issue 14, "Severity per check is a documented policy
value, so an association can set its own"): the runner applies it to the status and to every
finding of that check, the report footer prints it, and a bad value or an unknown check is
refused with a message naming the key."""

import pytest
from builders import period

from trc_analytics.checks import run_checks
from trc_analytics.policy import Policy, PolicyError


def _by_check(results, check_id):
    return results.findings.filter(results.findings["check_id"] == check_id)


def _a_check_with_findings(results) -> str:
    return results.findings.row(0, named=True)["check_id"]


def test_the_policy_severity_replaces_the_catalogues_for_that_check_only(demo_workspace):
    default = run_checks(demo_workspace, period(start="2025-07-01"))
    check_id = _a_check_with_findings(default)
    before = set(_by_check(default, check_id)["severity"])
    new = "minor" if before != {"minor"} else "critical"
    changed = run_checks(
        demo_workspace, period(start="2025-07-01"), Policy.load(severity={check_id: new})
    )
    assert set(_by_check(changed, check_id)["severity"]) == {new}
    status = {r["check_id"]: r["severity"] for r in changed.status.iter_rows(named=True)}
    assert status[check_id] == new
    cols = ["check_id", "coach_id", "client_id", "engagement_id", "on", "severity", "detail"]
    others = default.findings.filter(default.findings["check_id"] != check_id)
    still = changed.findings.filter(changed.findings["check_id"] != check_id)
    assert others.sort(cols, nulls_last=True).equals(still.sort(cols, nulls_last=True))


def test_without_a_severity_value_every_check_keeps_the_catalogues(demo_workspace):
    from trc_analytics.checks import CHECKS

    results = run_checks(demo_workspace, period(start="2025-07-01"))
    status = {r["check_id"]: r["severity"] for r in results.status.iter_rows(named=True)}
    assert status == {c.id: c.severity for c in CHECKS}


def test_a_severity_table_in_the_policy_file_is_read(tmp_path):
    f = tmp_path / "policy.toml"
    f.write_text('[policy]\nmin_cell = 12\n\n[severity]\nCOMM-PROBONO = "minor"\n')
    policy = Policy.load(f)
    assert policy.severity_of("COMM-PROBONO", "major") == "minor"
    assert policy.severity_of("SAFE-SRA", "critical") == "critical"
    assert ("severity.COMM-PROBONO", "minor", True) in policy.as_rows()
    flat = tmp_path / "flat.toml"
    flat.write_text('severity.COMM-PROBONO = "critical"\n')
    assert Policy.load(flat).severity_of("COMM-PROBONO", "major") == "critical"
    hash(policy)  # reports cache their results on the policy


@pytest.mark.parametrize("value", ["high", 3, "Critical"])
def test_a_severity_outside_critical_major_minor_is_refused(value):
    with pytest.raises(PolicyError, match=r"severity.SAFE-SRA .* must be one of critical\|major"):
        Policy.load(severity={"SAFE-SRA": value})


def test_a_severity_for_an_unknown_check_is_refused_naming_it(demo_workspace):
    policy = Policy.load(severity={"SAFE-SRX": "minor"})
    with pytest.raises(PolicyError, match=r"severity.SAFE-SRX: no such check"):
        run_checks(demo_workspace, period(), policy)
