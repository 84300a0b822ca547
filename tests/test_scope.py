"""The one Scope: which held sessions each name holds, and the frames checks start from."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from builders import build, coach, engagement, period, row, session

from trc_analytics.scope import COLLECT_GROUP, Scope, add_months, collect

#: Sessions around the period 2026-01-01..2026-06-30, of two coaches.
SESSIONS = [
    session("S-BEFORE", held_on="2025-12-31"),
    session("S-FIRST", held_on="2026-01-01"),
    session("S-CANCEL", held_on="2026-02-01", status="cancelled"),
    session("S-LAST", held_on="2026-06-30", coach_id="C-2"),
    session("S-AFTER", held_on="2026-07-01"),
]


@pytest.fixture
def scope() -> Scope:
    ws = build(coaches=[coach(), coach("C-2")], sessions=SESSIONS)
    return Scope(ws=ws, period=period())


def address(column: pl.Series) -> int:
    """Where a column's values lie in memory (two frames sharing a column give the same)."""
    return column.to_arrow().buffers()[1].address


def ids(frame: pl.LazyFrame) -> list[str]:
    return sorted(frame.collect().get_column("session_id").to_list())


def test_held_in_period_is_held_and_inside_both_ends(scope: Scope) -> None:
    held = scope.held_in_period().collect()
    assert sorted(held.get_column("held_on").to_list()) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
    ]
    assert "format" in held.columns  # with its engagement's format


def test_held_to_end_keeps_the_history_but_not_what_follows_the_period(scope: Scope) -> None:
    assert ids(scope.held_to_end()) == ["S-BEFORE", "S-FIRST", "S-LAST"]


def test_held_before_period_is_the_history_only(scope: Scope) -> None:
    assert ids(scope.held_before_period()) == ["S-BEFORE"]


def test_within_period_narrows_any_session_frame_and_shifts_for_deadlines(scope: Scope) -> None:
    assert ids(scope.within_period(scope.held_to_end())) == ["S-FIRST", "S-LAST"]
    # a case due a day after its session: the session of 2025-12-31 is due in the period,
    # the one of 2026-06-30 only after it
    assert ids(scope.within_period(scope.held_to_end(), shift_days=1)) == ["S-BEFORE", "S-FIRST"]
    every_status = scope.within_period(scope.table("sessions"))
    assert ids(every_status) == ["S-CANCEL", "S-FIRST", "S-LAST"]


def test_coaches_in_scope_narrow_every_held_frame() -> None:
    ws = build(coaches=[coach(), coach("C-2")], sessions=SESSIONS)
    sc = Scope.make(ws, period(), coaches="C-2")
    assert ids(sc.held_to_end()) == ["S-LAST"]
    assert sc.held_in_period().collect().get_column("coach_id").to_list() == ["C-2"]


def test_an_absent_table_is_an_empty_frame_with_its_columns(scope: Scope) -> None:
    frame = scope.table("referrals").collect()
    assert frame.is_empty() and "referred_on" in frame.columns
    assert not scope.has("referrals")


def test_coach_days_count_held_sessions_per_coach_and_day(scope: Scope) -> None:
    days = scope.within_period(scope.coach_days()).collect().sort("coach_id")
    assert days.select("coach_id", "sessions").rows() == [("C-1", 1), ("C-2", 1)]


def test_coach_flags_left_empty_count_as_no() -> None:
    ws = build(coaches=[coach(active=None), coach("C-2", active=True)])
    sc = Scope(ws=ws, period=period())
    assert sc.active_coaches().collect().get_column("coach_id").to_list() == ["C-2"]


def test_seen_hides_dates_after_the_as_of_date() -> None:
    ws = build(credentials=[row("credentials", expires_on="2026-07-01")])
    sc = Scope(ws=ws, period=period())
    seen = sc.table("credentials").select(sc.seen("certified_on"), sc.seen("expires_on"))
    assert seen.collect().row(0) == (dt.date(2025, 1, 1), None)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 7, 1), -12, dt.date(2025, 7, 1)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2025, 11, 30), 3, dt.date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_last_day_like_polars(day, months, expected) -> None:
    assert add_months(day, months) == expected
    polars = pl.select(pl.lit(day).dt.offset_by(f"{months}mo")).item()
    assert polars == expected


def test_engagement_firsts_carry_the_last_held_session_up_to_the_period_end() -> None:
    sessions = [
        session("S-1", engagement_id="E-1", held_on="2025-11-03"),
        session("S-2", engagement_id="E-1", held_on="2026-03-02"),
        session("S-3", engagement_id="E-1", held_on="2026-04-06", status="cancelled"),
        session("S-4", engagement_id="E-1", held_on="2026-07-06"),  # after the end: not seen
        session("S-5", engagement_id="E-2", held_on="2025-10-01"),
    ]
    ws = build(
        engagements=[row("engagements"), row("engagements", engagement_id="E-2")],
        sessions=sessions,
    )
    firsts = Scope(ws=ws, period=period()).engagement_firsts().collect().sort("engagement_id")
    assert firsts.select("engagement_id", "first_held", "last_held").rows() == [
        ("E-1", dt.date(2025, 11, 3), dt.date(2026, 3, 2)),
        ("E-2", dt.date(2025, 10, 1), dt.date(2025, 10, 1)),
    ]


def test_area_clients_are_distinct_coach_area_clients_of_the_period() -> None:
    sessions = [
        session("S-1", held_on="2026-01-05"),
        session("S-2", held_on="2026-02-05"),  # the same client and area again: once
        session("S-3", held_on="2026-02-06", area="traumatic_grief"),
        session("S-4", held_on="2025-12-31", client_id="K-2"),  # before the period: not met
    ]
    ws = build(clients=[row("clients"), row("clients", client_id="K-2")], sessions=sessions)
    got = Scope(ws=ws, period=period()).area_clients().collect()
    assert sorted(got.with_columns(pl.col("area").cast(pl.String)).rows()) == [
        ("C-1", "complex_trauma_general", "K-1"),
        ("C-1", "traumatic_grief", "K-1"),
    ]


def test_ids_are_coded_inside_the_scope_and_text_in_every_result(scope: Scope) -> None:
    """Joins and group-bys run on categorical codes; a metric's rows and a check's findings
    give the ids back as text (a report or an export never sees a code)."""
    from trc_analytics.checks import run_checks_in
    from trc_analytics.metrics import compute_in

    sessions = scope.table("sessions").collect_schema()
    assert sessions["coach_id"] == pl.Categorical()
    assert sessions["currency"] == pl.Categorical()  # one value in millions of rows: a code
    assert sessions["session_id"] == pl.String()  # unique per row: coding it saves nothing
    assert scope.ws["sessions"].schema["coach_id"] == pl.String()  # the workspace is untouched
    # held for the scope's life: the currency's code takes 4 bytes a row, its text 16
    assert scope.held_in_period().collect_schema()["currency"] == pl.Categorical()
    for name, frame in compute_in(scope).items():
        if isinstance(frame, pl.DataFrame):
            coded = [c for c, t in frame.schema.items() if t == pl.Categorical()]
            assert not coded, f"{name}: {coded}"
    results = run_checks_in(scope)
    assert results.findings.schema["coach_id"] == pl.String()
    assert results.cases.schema["coach_id"] == pl.String()


def test_held_sessions_are_a_filter_of_the_sessions_not_a_second_copy(scope: Scope) -> None:
    """Over a long period nearly every session is held in it: the scope holds the sessions'
    own columns once, with only the engagement's columns added, and filters them per plan."""
    held = scope.held_in_period().collect()
    assert sorted(held.get_column("held_on").to_list()) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
    ]
    assert "held_in_period" not in scope._cache  # nothing materialised for it
    engaged, sessions = scope._cache["engaged_sessions"], scope.frame("sessions").collect()
    assert engaged.height == sessions.height  # every status and day, once each
    for column in ("held_on", "fee_amount", "duration_min"):  # shared, not copied
        assert address(engaged[column]) == address(sessions[column])


def test_a_session_matching_two_engagement_rows_is_held_once_per_match() -> None:
    """Unvalidated records may repeat an engagement id: as a join, each match is a row (the
    columns added then cannot share the sessions' rows, and are not stacked beside them)."""
    ws = build(
        coaches=[coach()],
        engagements=[engagement(format="one_to_one"), engagement(format="group")],
        sessions=[session(held_on="2026-02-01", engagement_id="E-1")],
    )
    held = Scope.make(ws, period()).held_in_period().collect()
    assert sorted(held.get_column("format").cast(pl.String).to_list()) == ["group", "one_to_one"]


@pytest.mark.parametrize("count", [0, 1, COLLECT_GROUP, 2 * COLLECT_GROUP + 1])
def test_collect_returns_every_plan_in_order_a_group_at_a_time(count: int) -> None:
    plans = [pl.LazyFrame({"i": [i]}) for i in range(count)]
    assert [f.item() for f in collect(plans)] == list(range(count))


def test_every_scope_over_the_same_records_casts_a_table_once() -> None:
    """A batch makes a scope per coach: the ids of a table are coded once, and the coded copy
    goes when the table does."""
    import gc

    from trc_analytics import scope as scope_module

    ws = build(coaches=[coach(), coach("C-2")], sessions=SESSIONS)
    one = Scope.make(ws, period(), coaches="C-2").frame("sessions").collect()
    other = Scope.make(ws, period()).frame("sessions").collect()
    assert one.equals(other)
    key = id(ws["sessions"])
    assert scope_module._CODED[key][1] is scope_module.coded(ws["sessions"])
    ws.tables.pop("sessions")
    gc.collect()
    assert key not in scope_module._CODED
