"""Findings of two periods: new, recurring (same check and client/engagement/standing), resolved."""

import datetime as dt

import polars as pl

from trc_analytics.checks import FINDING_SCHEMA, change_counts, compare_findings


def _findings(*rows: tuple[str, str, str | None, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "check_id": check,
                "severity": "major",
                "coach_id": coach,
                "client_id": client,
                "engagement_id": engagement,
                "on": dt.date(2026, 3, 1),
                "detail": "x",
            }
            for check, coach, client, engagement in rows
        ],
        schema=FINDING_SCHEMA,
    )


def _change(frame: pl.DataFrame, check: str) -> list[str]:
    return frame.filter(pl.col("check_id") == check).get_column("change").to_list()


def test_a_finding_in_both_periods_recurs_one_only_before_is_resolved():
    before = _findings(
        ("SAFE-RISK", "C-1", "P-1", "E-1"),  # again now, same client
        ("CONF-A", "C-1", "P-2", None),  # not again: resolved
        ("CRED-CURRENT", "C-1", None, None),  # a standing rule, again now
    )
    now = _findings(
        ("SAFE-RISK", "C-1", "P-1", "E-1"),
        ("CRED-CURRENT", "C-1", None, None),
        ("PRAC-X", "C-1", "P-3", None),
    )
    changes = compare_findings(before, now)
    assert _change(changes, "SAFE-RISK") == ["recurring"]
    assert _change(changes, "CRED-CURRENT") == ["recurring"]
    assert _change(changes, "CONF-A") == ["resolved"]
    assert _change(changes, "PRAC-X") == ["new"]
    assert change_counts(changes) == {"new": 1, "recurring": 2, "resolved": 1}


def test_the_same_check_for_another_client_or_coach_is_new_not_recurring():
    before = _findings(("SAFE-RISK", "C-1", "P-1", None), ("SAFE-RISK", "C-2", "P-9", None))
    now = _findings(("SAFE-RISK", "C-1", "P-2", None), ("SAFE-RISK", "C-3", "P-9", None))
    changes = compare_findings(before, now)
    assert change_counts(changes) == {"new": 2, "recurring": 0, "resolved": 2}


def test_an_engagement_finding_without_client_matches_on_the_engagement():
    before = _findings(("ENG-1", "C-1", None, "E-1"), ("ENG-1", "C-1", None, "E-2"))
    now = _findings(("ENG-1", "C-1", None, "E-1"))
    changes = compare_findings(before, now)
    assert change_counts(changes) == {"new": 0, "recurring": 1, "resolved": 1}


def test_no_findings_either_side_gives_an_empty_frame():
    empty = _findings()
    assert compare_findings(empty, empty).is_empty()
    assert change_counts(compare_findings(empty, empty)) == {
        "new": 0,
        "recurring": 0,
        "resolved": 0,
    }


def test_the_demo_has_new_recurring_and_resolved_findings_across_half_years(demo_workspace):
    """`make demo` can show every class: the demo's plants recur across consecutive half-years."""
    from trc_analytics.checks import run_checks
    from trc_analytics.period import Period

    before = run_checks(demo_workspace, Period.parse("2025-07-01", "2025-12-31")).findings
    now = run_checks(demo_workspace, Period.parse("2026-01-01", "2026-06-30")).findings
    counts = change_counts(compare_findings(before, now))
    assert all(counts[c] > 0 for c in ("new", "recurring", "resolved")), counts
