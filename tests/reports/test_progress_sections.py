"""The credential-progress sections of the self-audit (strength-first) and the supervisor
review, on the hand-worked workspace of `progress_world`."""

from __future__ import annotations

import re

from builders import build
from progress_world import world, write_policy

from trc_analytics.reports import self_audit, supervisor
from trc_analytics.reports.context import open_report
from trc_analytics.reports.self_audit import reader_text, shaming_words


def _ctx(kind: str, tmp_path, ws=None):
    return open_report(
        kind, date_from="2026-01-01", date_to="2026-06-30", workspace=ws or world(),
        coach="C-1", policy_file=write_policy(tmp_path),
    )  # fmt: skip


def _text(html: str) -> str:
    return " ".join(reader_text(html).split())


def test_the_self_audit_tells_progress_strength_first(tmp_path):
    html = self_audit.credential_progress(_ctx("self-audit", tmp_path)).to_html()
    text = _text(html)
    assert "Your path to the next credential" in text
    assert text.index("You have built 8.5 coaching hours") < text.index("ACC: 91.5 hours")
    assert "about March 2034" in text
    assert "Left out: 1 group of more than 3 members (3 hours)" in text
    assert shaming_words(text) == []
    # one plain HTML/CSS bar per requirement: ACC hours 8.5 of 100
    assert len(re.findall(r'class="trc-bar"', html)) == 11
    assert '<span style="width:8.5%"></span>' in html
    assert "<script" not in html


def test_the_supervisor_review_states_the_figures(tmp_path):
    ctx = _ctx("supervisor", tmp_path)
    text = _text(supervisor.credential_progress(ctx, "C-1").to_html())
    assert text.startswith("Credential progress 8.5 coaching hours (5.5 paid, 3 pro bono)")
    assert "since 1 January 2025" in text and "International Coaching Federation" in text


#: C-1's earlier log (as in tests/metrics/test_metrics_credential_progress.py).
PRIOR = {
    "prior_coaching_hours": 100.0,
    "prior_paid_hours": 80.0,
    "prior_clients": 7,
    "prior_hours_until": "2026-02-01",
}


def test_both_reports_say_how_much_was_brought_forward(tmp_path):
    """106 = 6 recorded + 100 brought forward; 12 clients = 5 recorded + 7 (hand-worked in
    the metric tests); the recent hours stay 8.5."""
    own = _text(
        self_audit.credential_progress(_ctx("self-audit", tmp_path, world(prior=PRIOR))).to_html()
    )
    assert (
        "You have built 106 coaching hours (83 paid, 23 pro bono) with 12 clients, "
        "including 100 hours and 7 clients brought forward from your earlier log; 8.5 hours "
        "in the last 18 months."
    ) in own
    assert "on or before 1 February 2026, the last day of that log" in own
    assert "A client in both logs counts twice" in own
    ctx = _ctx("supervisor", tmp_path, world(prior=PRIOR))
    review = _text(supervisor.credential_progress(ctx, "C-1").to_html())
    assert "7 clients brought forward from the coach" in review and "your" not in review


def test_without_an_earlier_log_nothing_is_said_to_be_brought_forward(tmp_path):
    own = _text(self_audit.credential_progress(_ctx("self-audit", tmp_path)).to_html())
    assert "brought forward" not in own.lower() and "8.5 of them in the last 18" in own


def test_a_coach_whose_levels_are_met_reads_so(tmp_path):
    """Near miss of "still needed": every ACC requirement met by a coach with enough hours."""
    from builders import client, coach, engagement, session

    sessions = [
        session(f"S-{i}", engagement_id=f"E-{i % 8}", client_id=f"K-{i % 8}",
                held_on=f"2026-0{1 + i % 6}-{10 + i % 18}", duration_min=60 * 2)
        for i in range(60)
    ]  # fmt: skip
    ws = build(
        coaches=[coach("C-1", coach_training_started_on="2025-06-01")],
        clients=[client(f"K-{i}") for i in range(8)],
        engagements=[engagement(f"E-{i}", client_id=f"K-{i}") for i in range(8)],
        sessions=sessions,
    )
    text = _text(self_audit.credential_progress(_ctx("self-audit", tmp_path, ws)).to_html())
    assert "ACC: every requirement met." in text
    assert "Every requirement of ACC is met." in text


def test_without_sessions_the_section_says_so(tmp_path):
    ws = build(clients=[{}])
    html = self_audit.credential_progress(_ctx("self-audit", tmp_path, ws)).to_html()
    assert "no sessions records" in html


def test_levels_read_as_a_list_and_whole_hours_as_whole_numbers():
    from trc_analytics.reports import progress

    assert progress.and_list(["ACC"]) == "ACC"
    assert progress.and_list(["ACC", "PCC", "MCC"]) == "ACC, PCC and MCC"
    assert (progress.amount(75.0, "paid_hours"), progress.amount(5.5, "hours")) == ("75", "5.5")
    assert progress.amount(8.0, "clients") == "8"


# --- a batch kernel: every coach's progress built once, each report looks its coach up --------


def _progress_both_ways(ws, monkeypatch, tmp_path, kind="supervisor"):
    """(alone, shared): each coach's `progress_of` and section HTML, computed in the coach's own
    scope and looked up in the batch's every-coach progress."""
    from trc_analytics.metrics.requirements import icf_requirements
    from trc_analytics.reports import progress
    from trc_analytics.reports.context import SHARE_ENV

    policy = write_policy(tmp_path)
    out = {}
    for shared in (False, True):
        if shared:
            monkeypatch.setenv(SHARE_ENV, "1")
        else:
            monkeypatch.delenv(SHARE_ENV, raising=False)
        got = []
        for coach in ws["coaches"].get_column("coach_id").to_list():
            ctx = open_report(
                kind, date_from="2026-01-01", date_to="2026-06-30", workspace=ws,
                coach=coach, policy_file=policy,
            )  # fmt: skip
            assert ctx.shares_results is shared
            p, needs, estimates = progress.progress_of(ctx, coach, icf_requirements())
            html = progress.section(ctx, coach, "Progress", strength_first=False).to_html()
            got.append((coach, p, needs.to_dicts(), estimates.to_dicts(), html))
        out[shared] = got
    return out[False], out[True]


def test_a_batch_kernel_gives_every_coach_the_progress_of_their_own_scope(
    demo_workspace, monkeypatch, tmp_path
):
    alone, shared = _progress_both_ways(demo_workspace, monkeypatch, tmp_path)
    assert alone == shared
    assert any(row[2] for row in alone)  # requirement rows were compared, not only empties


def test_batch_progress_keeps_groups_over_the_cap_and_hours_brought_forward(monkeypatch, tmp_path):
    ws = world(prior={"prior_coaching_hours": 40.0, "prior_paid_hours": 30.0, "prior_clients": 4})
    alone, shared = _progress_both_ways(ws, monkeypatch, tmp_path)
    assert alone == shared
    c1 = dict((row[0], row) for row in shared)["C-1"]
    assert c1[1]["groups_over_cap"] == 1 and c1[1]["prior_hours"] == 40.0


def test_every_coachs_progress_is_built_once_per_batch_kernel(demo_workspace, monkeypatch):
    from trc_analytics.metrics.requirements import icf_requirements
    from trc_analytics.reports import progress
    from trc_analytics.reports.context import SHARE_ENV

    monkeypatch.setenv(SHARE_ENV, "1")
    monkeypatch.setattr("trc_analytics.reports.context._SHARED", {})
    calls = []
    every = progress.every_coach_progress
    monkeypatch.setattr(
        progress, "every_coach_progress", lambda sc, req: calls.append(1) or every(sc, req)
    )
    for coach in ("C-0001", "C-0002", "C-0003"):
        ctx = open_report(
            "supervisor", date_from="2026-01-01", date_to="2026-06-30",
            workspace=demo_workspace, coach=coach,
        )  # fmt: skip
        progress.progress_of(ctx, coach, icf_requirements())  # an equal, new Requirements
    assert len(calls) == 1


# --- an association's levels in the coach reports (`requirements_file`, `--requirements`) ----


def _association_levels(tmp_path):
    path = tmp_path / "assoc.toml"
    path.write_text(
        '[source]\nname = "Example association, Supervisor level"\n\n'
        '[[level]]\nname = "Supervisor"\nhours = 8\nclients = 5\n',
        encoding="utf-8",
    )
    return path


def test_a_notebook_shows_an_associations_levels_after_the_icfs(tmp_path):
    """`requirements_file` in the parameters cell: the association's level follows the ICF's
    in both coach reports, and its source is named (before, only `trc progress` had it)."""
    for kind, section in (
        ("self-audit", self_audit.credential_progress),
        ("supervisor", lambda c: supervisor.credential_progress(c, "C-1")),
    ):
        ctx = open_report(
            kind, date_from="2026-01-01", date_to="2026-06-30", workspace=world(),
            coach="C-1", policy_file=write_policy(tmp_path),
            requirements_file=_association_levels(tmp_path),
        )  # fmt: skip
        text = _text(section(ctx).to_html())
        assert "Supervisor: every requirement met." in text
        assert text.index("ACC:") < text.index("Supervisor:")
        assert "Example association, Supervisor level" in text


def test_without_a_requirements_file_the_icf_levels_only_near_miss(tmp_path):
    text = _text(self_audit.credential_progress(_ctx("self-audit", tmp_path)).to_html())
    assert "ACC:" in text and "Supervisor:" not in text and "Example association" not in text


def test_a_bad_requirements_file_names_the_parameter_and_the_key(tmp_path):
    import pytest

    from trc_analytics.reports.request import NotebookParameterError

    bad = tmp_path / "bad.toml"
    bad.write_text('[source]\nname = "A"\n[[level]]\nname = "S"\nhours = "x"\n', encoding="utf-8")
    for kind, given in (("self-audit", bad), ("association", _association_levels(tmp_path))):
        with pytest.raises(NotebookParameterError) as refused:
            open_report(
                kind, date_from="2026-01-01", date_to="2026-06-30", workspace=world(),
                coach="C-1" if kind != "association" else None, requirements_file=given,
            )  # fmt: skip
        message = str(refused.value)
        assert "`requirements_file` in the parameters cell" in message and "--" not in message
    assert str(bad) in str(refused.value) or "association report" in str(refused.value)


def test_the_request_carries_the_file_into_the_notebook(tmp_path):
    import datetime as dt

    from trc_analytics.period import Period
    from trc_analytics.reports.request import ReportRequest

    path = _association_levels(tmp_path)
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    request = ReportRequest("self-audit", period, coach="C-1", requirements_file=str(path))
    params = request.parameters(tmp_path)
    assert params["requirements_file"] == str(path.resolve())
    again = ReportRequest.from_parameters("self-audit", **params)
    assert again.requirements_file == str(path.resolve())
    assert [lv.name for lv in again.requirements().levels][-1] == "Supervisor"
    plain = ReportRequest("self-audit", period, coach="C-1").parameters(tmp_path)
    assert plain["requirements_file"] is None  # near miss: no file, the ICF's levels


def test_every_coach_notebook_has_the_parameter():
    import nbformat

    from trc_analytics.reports.render import notebook_path

    for kind in ("supervisor", "self-audit"):
        nb = nbformat.read(notebook_path(kind), as_version=4)
        source = "\n".join(c.source for c in nb.cells)
        assert "requirements_file = None" in source
        assert "requirements_file=requirements_file" in source
