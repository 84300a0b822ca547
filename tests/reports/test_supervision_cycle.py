"""Issue 10, part 1: honest coverage, findings first, the previous period, portfolio on rates."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner

from trc_analytics.cli import main
from trc_analytics.period import Period
from trc_analytics.reports import opening as supervisor_opening
from trc_analytics.reports import self_audit, supervisor
from trc_analytics.reports.context import open_report
from trc_analytics.reports.request import (
    ReportRequest,
    ReportUsageError,
    parse_compare_to,
    previous_period,
)
from trc_analytics.reports.self_audit import reader_text

PERIOD = Period.parse("2026-01-01", "2026-06-30")
#: How a report says a rule was kept ("Credentials kept up to date" is a check's name, not one).
CLAIM = r"(was|were|is|are|items?|rules?|\d+) kept|\bkept (in|every|all)|\bkept[.,;]"


def _html(ctx, module, coach: str) -> str:
    return "\n".join(
        s.to_html() for _, fn in module.SECTIONS if (s := _call(fn, ctx, coach)) is not None
    )


def _call(fn, ctx, coach):
    return fn(ctx) if fn.__module__.endswith("self_audit") else fn(ctx, coach)


# --- a period after today ----------------------------------------------------------------------


def test_a_period_ending_after_today_is_refused_naming_today():
    request = ReportRequest("supervisor", PERIOD, coach="C-1", today=dt.date(2026, 5, 1))
    with pytest.raises(ReportUsageError, match=r"2026-06-30, after today \(2026-05-01\)"):
        request.validate()
    ReportRequest("supervisor", PERIOD, coach="C-1", today=dt.date(2026, 6, 30)).validate()


def test_trc_report_exits_2_for_a_future_period(demo_dir):
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    result = CliRunner().invoke(
        main,
        ["report", "supervisor", "--coach", "C-0001", str(demo_dir),
         "--from", today.replace(day=1).isoformat(), "--to", tomorrow.isoformat()],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"after today ({today.isoformat()})" in result.output


@pytest.mark.parametrize("command", ["findings", "metrics"])
def test_trc_findings_and_metrics_refuse_a_future_period_too(demo_dir, command):
    today = dt.date.today()
    end = today + dt.timedelta(days=1)
    args = [command, str(demo_dir), "--from", "2026-01-01", "--to", end.isoformat()]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert f"after today ({today.isoformat()})" in result.output
    past = [command, str(demo_dir), "--from", "2026-01-01", "--to", "2026-06-30"]
    assert CliRunner().invoke(main, past).exit_code == 0, "a past period is not refused"


def test_compare_to_reads_a_period_none_or_nothing_and_names_a_bad_value():
    assert parse_compare_to("2025-01-01..2025-06-30") == Period.parse("2025-01-01", "2025-06-30")
    assert parse_compare_to("none") == "none"
    assert parse_compare_to(None) is None
    with pytest.raises(ReportUsageError, match="--compare-to"):
        parse_compare_to("2025-01-01")
    with pytest.raises(ReportUsageError, match="--compare-to"):
        parse_compare_to("2025-01-01..2025-13-01")
    assert previous_period(PERIOD) == Period.parse("2025-07-01", "2025-12-31")
    assert previous_period(Period.parse("2026-03-01", "2026-03-31")) == Period.parse(
        "2026-02-01", "2026-02-28"
    )
    assert previous_period(Period.parse("2026-03-10", "2026-03-19")) == Period.parse(
        "2026-02-28", "2026-03-09"
    )
    assert ReportRequest("self-audit", PERIOD, coach="C", compare_to="none").comparison is None
    back = ReportRequest.from_parameters(
        "self-audit", **ReportRequest("self-audit", PERIOD, coach="C").parameters(Path_("/d"))
    )
    assert back.comparison == previous_period(PERIOD)


def Path_(text: str):
    from pathlib import Path

    return Path(text)


# --- a period without records --------------------------------------------------------------------


@pytest.mark.parametrize("module", [supervisor, self_audit])
def test_a_past_period_without_records_says_so_and_claims_no_rule_kept(demo_workspace, module):
    kind = "supervisor" if module is supervisor else "self-audit"
    ctx = open_report(
        kind, date_from="2024-01-01", date_to="2024-06-30", workspace=demo_workspace,
        coach="C-0001",
    )  # fmt: skip
    text = " ".join(reader_text(_html(ctx, module, "C-0001")).split())
    assert "No sessions are recorded for coach C-0001 in this period; the records cover" in text
    assert not re.search(CLAIM, text), re.findall(r".{60}\bkept\b.{30}", text)
    assert "Code items kept" not in text


def test_the_same_coach_with_sessions_does_claim_rules_kept(demo_workspace):
    ctx = open_report(
        "self-audit", date_from="2026-01-01", date_to="2026-06-30", workspace=demo_workspace,
        coach="C-0001",
    )  # fmt: skip
    text = " ".join(reader_text(_html(ctx, self_audit, "C-0001")).split())
    assert "No sessions are recorded" not in text
    assert "Code items kept" in text


# --- findings first, previous period ---------------------------------------------------------


def test_the_review_opens_with_the_summary_and_compares_with_the_period_before(demo_workspace):
    ctx = open_report(
        "supervisor", date_from="2026-01-01", date_to="2026-06-30", workspace=demo_workspace,
        coach="C-0001",
    )  # fmt: skip
    titles = [t for t, _ in supervisor.SECTIONS]
    assert titles[:3] == ["Summary: findings first", "Headline figures", "Findings to discuss"]
    html = _html(ctx, supervisor, "C-0001")
    assert "Findings compared with 1 July 2025 to 31 December 2025:" in reader_text(html)
    assert "→" in reader_text(html)  # then → now beside the headline figures
    for line in supervisor_opening.resolved_lines(ctx, "C-0001"):
        assert line in reader_text(html)
    for severity in ("critical", "major", "minor"):
        if ctx.findings("C-0001").filter(severity=severity).height:
            assert f'href="#findings-c-0001-{severity}"' in html
            assert f'id="findings-c-0001-{severity}"' in html


def test_compare_to_none_shows_no_change(demo_workspace):
    ctx = open_report(
        "supervisor", date_from="2026-01-01", date_to="2026-06-30", workspace=demo_workspace,
        coach="C-0001", compare_to="none",
    )  # fmt: skip
    text = reader_text(_html(ctx, supervisor, "C-0001"))
    assert "No comparison with another period was asked for." in text
    assert "→" not in text and ctx.changes("C-0001") is None


# --- portfolio on rates ---------------------------------------------------------------------------


def _portfolio(demo_workspace):
    coaches = demo_workspace["coaches"]
    supervisor_id = coaches.group_by("supervisor_id").len().sort("len", descending=True).item(0, 0)
    return open_report(
        "supervisor", date_from="2026-01-01", date_to="2026-06-30", workspace=demo_workspace,
        supervisor=supervisor_id,
    )  # fmt: skip


def test_the_portfolio_chart_follows_the_table_order_ranked_on_rates(demo_workspace):
    ctx = _portfolio(demo_workspace)
    section = supervisor.portfolio(ctx)
    table = section.tables[0].frame
    charted = table.filter(table["critical"] + table["major"] + table["minor"] > 0)
    charted = charted.filter(charted["sessions_held"] > 0)
    assert section.chart is not None
    assert section.chart.to_dict()["encoding"]["y"]["sort"] == charted["coach_id"].to_list()
    assert supervisor.coaches_in_order(ctx) == table["coach_id"].to_list()
    top = table.row(0, named=True)
    assert f"Coach {top['coach_id']} needs attention first" in section.takeaway
    rates = table.select("critical_per_100", "major_per_100", "minor_per_100").rows()
    rated = [r for r in rates if r[0] is not None]
    assert rated == sorted(rated, reverse=True)


def test_a_finding_resolved_since_the_previous_period_is_listed(demo_workspace):
    coaches = demo_workspace["coaches"]["coach_id"].to_list()
    for coach in coaches:
        ctx = open_report(
            "supervisor", date_from="2026-01-01", date_to="2026-06-30",
            workspace=demo_workspace, coach=coach,
        )  # fmt: skip
        lines = supervisor_opening.resolved_lines(ctx, coach)
        if lines:
            text = reader_text(supervisor.findings(ctx, coach).to_html())
            assert "Resolved since the previous period" in text
            assert all(line in text for line in lines)
            return
    pytest.fail("the demo has no finding resolved between the half-years")


def test_no_findings_counts_only_rules_with_cases_as_kept():
    from trc_analytics.reports.sections import CheckStanding

    def standing(check: str, examined: int) -> CheckStanding:
        return CheckStanding(check, check, "major", True, None, examined, examined, 0)

    text = supervisor._all_kept_text([standing("A", 3), standing("B", 0), standing("C", 0)])
    assert text == (
        "No findings in the period: 1 rule with cases was kept in every case; 2 had no case in "
        "the period."
    )
