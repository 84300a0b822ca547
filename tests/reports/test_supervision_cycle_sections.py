"""The supervision-cycle sections of the coach reviews, built without a kernel on the small
demo: agreed actions (overdue first) with the next review date, clients to discuss, agreed vs
received supervision, the sign-off block; what they say when a table is absent; and the
association report, which never shows an action's text."""

from __future__ import annotations

import html as html_lib

import polars as pl
import pytest

from trc_analytics.records.workspace import Workspace
from trc_analytics.reports import association, self_audit, supervisor
from trc_analytics.reports import supervision_cycle as cycle
from trc_analytics.reports.context import open_report

FROM, TO = "2026-01-01", "2026-06-30"


def busiest_coach(ws: Workspace) -> str:
    """The coach with the most actions open at the period end (and some done), so every part
    of the section shows."""
    actions = ws["supervision_actions"]
    open_at_end = actions.filter(
        (pl.col("agreed_on") <= pl.lit(TO).str.to_date())
        & (pl.col("done_on").is_null() | (pl.col("done_on") > pl.lit(TO).str.to_date()))
    )
    return (
        open_at_end.group_by("coach_id")
        .len()
        .sort("len", "coach_id", descending=[True, False])["coach_id"][0]
    )


def review(ws: Workspace, coach: str, kind: str = "supervisor"):
    return open_report(kind, date_from=FROM, date_to=TO, workspace=ws, coach=coach)


def text_of(section) -> str:
    return html_lib.unescape(section.to_html())


def test_actions_due_lists_open_actions_overdue_first(demo_workspace):
    coach = busiest_coach(demo_workspace)
    due = cycle.actions_due(review(demo_workspace, coach), coach)
    assert due.height > 0
    statuses = due["status"].to_list()
    assert statuses == sorted(statuses, key=("overdue", "open").index)
    overdue = due.filter(status="overdue")["days_overdue"].to_list()
    assert overdue == sorted(overdue, reverse=True)


def test_the_review_lists_actions_and_proposes_the_next_review(demo_workspace):
    coach = busiest_coach(demo_workspace)
    ctx = review(demo_workspace, coach)
    text = text_of(supervisor.agreed_actions(ctx, coach))
    assert "Open actions, overdue first" in text and "Actions done in the period" in text
    assert "Next review proposed for 28 September 2026 (90 days after the period end)" in text
    first = cycle.actions_due(ctx, coach)["action"][0]
    assert first in text  # the coach's own review shows the agreed text
    overdue = (cycle.actions_due(ctx, coach)["status"] == "overdue").sum()
    assert overdue and "past the date agreed: an earlier meeting may suit" in text


def test_the_self_audit_tells_actions_strength_first(demo_workspace):
    coach = busiest_coach(demo_workspace)
    section = self_audit.agreed_actions(review(demo_workspace, coach, "self-audit"))
    assert section.takeaway.split(";")[0].endswith("done in the period")


def test_the_sign_off_block_has_blank_lines_to_fill_in(demo_workspace):
    coach = busiest_coach(demo_workspace)
    text = text_of(supervisor.sign_off(review(demo_workspace, coach), coach))
    for label in ("Supervisor:", "Coach:", "Date of the review meeting:", "comments"):
        assert label in text
    assert text.count("______") >= 3 + cycle.COMMENT_LINES


def test_clients_to_discuss_name_clients_by_pseudonym_with_what_followed(demo_workspace):
    ctx = review(demo_workspace, "C-0001")
    clients, _ = ctx.metric("clients_to_discuss", "C-0001")
    text = text_of(supervisor.clients_to_discuss(ctx, "C-0001"))
    assert clients.height > 0
    for r in clients.iter_rows(named=True):
        assert r["client_id"] in text and r["followed"] in text


def _labels(html: str) -> list[str]:
    """Every heading-like label of a section: headings, bold sub-headings, table captions."""
    import re

    found = re.findall(r"<(h[1-6]|strong|caption)[^>]*>(.*?)</\1>", html, flags=re.S)
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", text)).strip() for _, text in found]


def test_each_heading_of_the_review_says_what_is_under_it(demo_workspace):
    """ "Clients to discuss" headed both the summary's clients named in findings and the
    section of clients after a safety event or a silence: a reader of a heading list could not
    tell them apart. Every section title and every label in the summary differs, and the
    table under the section is not titled like the summary's list."""
    from trc_analytics.reports.outline import titles

    ctx = review(demo_workspace, "C-0001")
    section_titles = [t.casefold() for t in titles(supervisor.SECTIONS)]
    assert len(section_titles) == len(set(section_titles))
    summary = _labels(supervisor.summary(ctx, "C-0001").to_html())
    assert "Clients named in findings" in summary
    discuss = _labels(supervisor.clients_to_discuss(ctx, "C-0001").to_html())
    assert discuss[0] == "Clients after a safety event or a silence"
    labels = [x.casefold() for x in summary[1:] + discuss[1:]]
    assert not set(labels) & set(section_titles), labels
    assert len(labels) == len(set(labels)), labels
    # near miss: the self-audit's own section has its own title, distinct from both
    assert "Clients to talk through in supervision" in titles(self_audit.SECTIONS)


def test_agreed_and_received_supervision_per_quarter(demo_workspace):
    agreed = demo_workspace["coaches"].filter(pl.col("supervision_hours_per_quarter").is_not_null())
    coach = agreed["coach_id"][0]
    section = supervisor.supervision_agreed(review(demo_workspace, coach), coach)
    assert "agreed supervision hours received in the period" in section.takeaway
    assert section.chart is not None
    assert "2026 Q2" in text_of(section) and "2026-04-01" not in text_of(section)


def test_without_the_actions_table_the_sections_say_so(demo_workspace):
    tables = {n: f for n, f in demo_workspace.tables.items() if n != "supervision_actions"}
    ws = Workspace.from_frames(tables)
    ctx = review(ws, "C-0001")
    for section in (
        supervisor.agreed_actions(ctx, "C-0001"),
        self_audit.agreed_actions(review(ws, "C-0001", "self-audit")),
    ):
        text = text_of(section)
        assert "the workspace has no supervision_actions records" in text
        assert "Next review proposed for" in text
    with pytest.raises(Exception, match="supervision_actions"):
        cycle.actions_due(ctx, "C-0001")


def test_the_association_report_never_shows_an_action_text(demo_workspace):
    ctx = open_report("association", date_from=FROM, date_to=TO, workspace=demo_workspace)
    parts = [association.title(ctx)] + [section(ctx) for _, section in association.SECTIONS]
    text = html_lib.unescape("".join(p.to_html() for p in parts if p is not None))
    texts = demo_workspace["supervision_actions"]["action"].unique().to_list()
    assert texts
    assert [t for t in texts if t in text] == []


def test_the_opening_summary_lists_the_actions_due(demo_workspace):
    """Findings first: the summary names the open actions, overdue first, from the same list
    the actions section shows."""
    from trc_analytics.reports import opening

    coach = busiest_coach(demo_workspace)
    ctx = review(demo_workspace, coach)
    text = html_lib.unescape(opening.actions_html(ctx, coach))
    first = cycle.actions_due(ctx, coach).row(0, named=True)
    assert first["action"] in text and f"due {first['due_on']}" in text
    assert opening.NO_ACTIONS not in text


def test_the_opening_summary_says_when_no_actions_are_recorded(demo_workspace):
    from trc_analytics.reports import opening

    tables = {n: f for n, f in demo_workspace.tables.items() if n != "supervision_actions"}
    ws = Workspace.from_frames(tables)
    coach = busiest_coach(demo_workspace)
    assert opening.NO_ACTIONS in opening.actions_html(review(ws, coach), coach)
