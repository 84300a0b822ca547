"""Sections declared as (title, function) pairs, and the one way a section handles absent tables."""

from __future__ import annotations

import pytest

from trc_analytics.errors import MissingTables
from trc_analytics.records.workspace import Workspace
from trc_analytics.reports import association, self_audit, supervisor
from trc_analytics.reports.context import open_report
from trc_analytics.reports.display import Section
from trc_analytics.reports.outline import require, shows_missing, title_of, titles


@shows_missing
def _needs_goals(ctx) -> Section:
    require(ctx, "sessions", "goals", "coaches")
    return Section(title_of(SECTIONS, _needs_goals), takeaway="all there")


def _plain(ctx) -> Section:
    return Section(title_of(SECTIONS, _plain))


#: A report of this test module: adding a section is one pair plus its function.
SECTIONS = (("Plain", _plain), ("Goals and sessions", _needs_goals))


def _only_coaches() -> Workspace:
    return Workspace.from_frames(
        {"coaches": {"coach_id": ["C-1"], "region": ["north"], "active": [True]}}
    )


def test_titles_follow_the_declared_order_and_each_function_finds_its_own():
    assert titles(SECTIONS) == ["Plain", "Goals and sessions"]
    assert title_of(SECTIONS, _plain) == "Plain"
    assert title_of(SECTIONS, _needs_goals) == "Goals and sessions"  # through its decorator
    with pytest.raises(KeyError, match="not a section"):
        title_of(SECTIONS, test_titles_follow_the_declared_order_and_each_function_finds_its_own)


def test_a_missing_table_becomes_the_sections_one_sentence_under_its_title():
    ctx = open_report(
        "self-audit",
        coach="C-1",
        date_from="2026-01-01",
        date_to="2026-03-31",
        workspace=_only_coaches(),
    )
    html = _needs_goals(ctx).to_html()
    assert "<h2>Goals and sessions</h2>" in html
    assert "the workspace has no sessions or goals records" in html  # every absent one, once
    assert "all there" not in html


def test_a_metric_needed_without_its_tables_says_no_goals_records(demo_workspace):
    """The self-audit's goals section reads the metric `goal_progress`; without goals it raises
    MissingTables, and the section says so under its own title."""
    ws = Workspace.from_frames({n: df for n, df in demo_workspace.tables.items() if n != "goals"})
    ctx = open_report(
        "self-audit", coach="C-0001", date_from="2026-01-01", date_to="2026-06-30", workspace=ws
    )
    section = self_audit.goals(ctx)
    assert section.title == title_of(self_audit.SECTIONS, self_audit.goals)
    assert section.missing == ["goals"]
    assert "no goals records" in section.to_html()


def test_require_raises_naming_only_absent_tables():
    ctx = open_report(
        "self-audit",
        coach="C-1",
        date_from="2026-01-01",
        date_to="2026-03-31",
        workspace=_only_coaches(),
    )
    require(ctx, "coaches")  # present: nothing happens
    with pytest.raises(MissingTables, match=r"^no sessions or referrals records$"):
        require(ctx, "sessions", "coaches", "referrals")


@pytest.mark.parametrize("module", [supervisor, self_audit, association])
def test_every_report_declares_pairs_of_a_unique_title_and_a_section(module):
    assert all(isinstance(t, str) and callable(f) for t, f in module.SECTIONS)
    assert len(set(titles(module.SECTIONS))) == len(module.SECTIONS)
    for title, fn in module.SECTIONS:
        assert title_of(module.SECTIONS, fn) == title
        assert getattr(fn, "shows_missing", False), f"{title}: not @shows_missing"


def test_the_contents_list_is_the_declared_titles(demo_workspace):
    ctx = open_report(
        "self-audit",
        coach="C-0001",
        date_from="2026-01-01",
        date_to="2026-06-30",
        workspace=demo_workspace,
    )
    assert self_audit.title(ctx).contents == titles(self_audit.SECTIONS)
    assert len(self_audit.title(ctx).contents) == len(self_audit.SECTIONS)
