"""Typed Parquet loading (issue 13) gives exactly what the text round trip gave.

Parquet columns are checked in their own type when their values allow it, and go through text
otherwise. Every test here loads the same files through the new code and through the code as it
stood before (`legacy_records`, a frozen copy) and requires the same typed frames (dtypes and
values) and the same problems (file, sheet, row, column, value, problem, expected), with and
without `keep_valid`: on the demo written as CSV, Parquet and one workbook, and on Parquet and
CSV files broken in every way a typed column can be.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from conftest import SMALL_DEMO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from legacy_records.read import read_workspace_files as legacy_read
from legacy_records.validate import check_workspace as legacy_check
from polars.testing import assert_frame_equal

from trc_analytics.demo.writing import write_frames
from trc_analytics.records.read import read_workspace_files
from trc_analytics.records.schema import load_schema
from trc_analytics.records.validate import check_workspace, typed_column

TODAY = SMALL_DEMO.end


def assert_same_as_before(path: Path, today: dt.date = TODAY) -> pl.DataFrame:
    """Load `path` the old way and the new way, with and without keep_valid; the problems and
    frames must be equal. Returns the problems (so a test can say it saw what it broke)."""
    problems = None
    for keep_valid in (False, True):
        old = legacy_check(legacy_read(path), today=today, keep_valid=keep_valid)
        new = check_workspace(
            read_workspace_files(path, keep_types=True), today=today, keep_valid=keep_valid
        )
        assert_frame_equal(new.problems, old.problems)
        assert list(new.tables) == list(old.tables)
        for name, frame in old.tables.items():
            assert_frame_equal(new.tables[name], frame, check_exact=True)
        problems = problems if problems is not None else new.problems
    return problems


# -- the demo, valid, in every format -----------------------------------------------------------


@pytest.mark.parametrize("format", ["csv", "parquet", "xlsx"])
def test_the_demo_loads_as_before_in_every_format(tmp_path, demo_frames, format):
    write_frames(demo_frames, tmp_path, format=format)
    assert assert_same_as_before(tmp_path).height == 0


def test_the_typed_path_is_taken_for_the_demo_parquet_columns(tmp_path, demo_frames):
    """Not a trivial pass: every non-text column of the demo's sessions is checked typed."""
    schema = load_schema()
    sessions = demo_frames["sessions"]
    typed = [
        f.name for f in schema["sessions"].fields if typed_column(f, sessions[f.name]) is not None
    ]
    kinds = {schema["sessions"].field(n).type for n in typed}
    assert {"date", "integer", "number", "boolean"} <= kinds
    assert {"status", "fee_type", "area"} <= set(typed)
    assert "session_id" not in typed  # free text is scanned as text


# -- Parquet columns of every type, with values the typed path must hand to the text path --------


def _with(frames: dict[str, pl.DataFrame], table: str, **columns: pl.Series) -> dict:
    """`frames` with the first rows of `table`'s columns replaced (same length as the series)."""
    df = frames[table]
    for name, values in columns.items():
        n = values.len()
        rest = df.get_column(name).slice(n)
        if rest.dtype != values.dtype:
            try:
                rest = rest.cast(values.dtype, strict=False)
            except pl.exceptions.PolarsError:  # no such cast: the rest of the column is empty
                rest = pl.Series([None] * rest.len(), dtype=values.dtype)
        df = df.with_columns(pl.concat([values, rest]).alias(name))
    return {**frames, table: df}


D = dt.date
T = dt.datetime

BROKEN = {
    "whole-number floats, fractions, NaN, infinity, negatives": (
        "sessions",
        {"duration_min": pl.Series([3.0, 3.5, float("nan"), -2.0, float("inf"), None, -0.0])},
    ),
    "whole-number floats only": ("sessions", {"duration_min": pl.Series([30.0, 45.0, 60.0])}),
    "small integer types and a negative": (
        "sessions",
        {"duration_min": pl.Series([30, -5, 60], dtype=pl.Int32)},
    ),
    "unsigned beyond Int64": (
        "sessions",
        {"duration_min": pl.Series([2**64 - 1, 5], dtype=pl.UInt64)},
    ),
    "unsigned within Int64": ("sessions", {"duration_min": pl.Series([7, 5], dtype=pl.UInt64)}),
    "integer fee, negative fee": ("sessions", {"fee_amount": pl.Series([10, -3, None])}),
    "huge integer fee": ("sessions", {"fee_amount": pl.Series([2**60, 3])}),
    "float32 fee": ("sessions", {"fee_amount": pl.Series([0.1, 12.5], dtype=pl.Float32)}),
    "NaN and infinite fee, negative zero": (
        "sessions",
        {"fee_amount": pl.Series([float("nan"), float("-inf"), -0.0, -1.5])},
    ),
    "midnight timestamps": (
        "sessions",
        {"held_on": pl.Series([T(2026, 1, 5), T(2026, 2, 1), None])},
    ),
    "a timestamp that is not midnight": (
        "sessions",
        {"held_on": pl.Series([T(2026, 1, 5), T(2026, 2, 1, 9, 30)])},
    ),
    "timestamps in a time zone": (
        "sessions",
        {"held_on": pl.Series([T(2026, 1, 5), T(2026, 2, 1)]).dt.replace_time_zone("Europe/Paris")},
    ),
    "a future date and a date far away": (
        "sessions",
        {"held_on": pl.Series([D(2030, 1, 1), D(999, 3, 4), D(1, 1, 1), None])},
    ),
    "years beyond 9999": (
        "sessions",
        {"held_on": pl.Series([20_000, 3_000_000], dtype=pl.Int32).cast(pl.Date)},
    ),
    "dates as text, some not ISO": (
        "sessions",
        {"held_on": pl.Series(["2026-01-05", "5/1/2026", "2026-02-30", "", None])},
    ),
    "dates as numbers": ("sessions", {"held_on": pl.Series([20260105, 20260106])}),
    "a category outside the vocabulary": (
        "sessions",
        {"status": pl.Series(["held", "happened", None], dtype=pl.Enum(["held", "happened"]))},
    ),
    "categoricals, one empty": (
        "sessions",
        {"status": pl.Series(["held", "", "no_show"], dtype=pl.Categorical)},
    ),
    "categoricals within the vocabulary": (
        "sessions",
        {"fee_type": pl.Series(["paid", "reduced", None], dtype=pl.Categorical)},
    ),
    "an enum with unused foreign categories": (
        "sessions",
        {"delivery": pl.Series(["video", "phone"], dtype=pl.Enum(["phone", "video", "zoom"]))},
    ),
    "a required vocabulary value missing": (
        "sessions",
        {"status": pl.Series([None, "held"], dtype=pl.Enum(["held"]))},
    ),
    "booleans as integers and text": (
        "sessions",
        {
            "client_under_influence": pl.Series([0, 1, 2, None]),
            "supervised_case": pl.Series(["yes", "No", "maybe", ""]),
        },
    ),
    "a required boolean missing": (
        "coaches",
        {"active": pl.Series([None, True], dtype=pl.Boolean)},
    ),
    "ids as integers and categoricals": (
        "sessions",
        {
            "session_id": pl.Series([1, 2, 3]),
            "coach_id": pl.Series(["C-0001", "C-0002", "C-0001"], dtype=pl.Categorical),
        },
    ),
    "identifiers and control characters in text": (
        "sessions",
        {"currency": pl.Series(["jane@example.org", "EU\tR", "Jane Roe", "+44 20 7946 0958"])},
    ),
    "unknown references and a duplicate key": (
        "sessions",
        {"engagement_id": pl.Series(["E-nope", "E-nope2"]), "session_id": pl.Series(["S", "S"])},
    ),
    "an end before its start, as timestamps": (
        "engagements",
        {
            "started_on": pl.Series([T(2026, 3, 1), T(2026, 3, 1)]),
            "ended_on": pl.Series([T(2026, 2, 1), T(2026, 4, 1)]),
        },
    ),
    "a composite key repeated with typed dates": (
        "credentials",
        {
            "coach_id": pl.Series(["C-0001", "C-0001"]),
            "credential": pl.Series(["initial", "initial"], dtype=pl.Categorical),
            "certified_on": pl.Series([T(2024, 1, 1), T(2024, 1, 1)]),
        },
    ),
    "a column of nulls only": (
        "sessions",
        {"fee_amount": pl.Series([None, None], dtype=pl.Null)},
    ),
    "negative hours and participants": (
        "community_service",
        {"hours": pl.Series([-1.0, 2.0]), "participants": pl.Series([-3, 4], dtype=pl.Int16)},
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
@pytest.mark.parametrize("format", ["parquet", "csv"])
def test_broken_typed_columns_give_the_same_problems_as_before(tmp_path, demo_frames, case, format):
    table, columns = BROKEN[case]
    frames = _with(demo_frames, table, **columns)
    if format == "csv":
        frames = {
            n: f.with_columns(pl.col(pl.Categorical).cast(pl.String)) for n, f in frames.items()
        }
    write_frames(frames, tmp_path, format=format)
    assert_same_as_before(tmp_path)


def test_blank_records_and_unusual_files_in_parquet(tmp_path, demo_frames):
    frames = dict(demo_frames)
    goals = frames["goals"]
    blank = pl.DataFrame([pl.Series(c, [None], dtype=goals[c].dtype) for c in goals.columns])
    frames["goals"] = pl.concat([goals.head(3), blank, goals.slice(3)])
    frames["trainings"] = frames["trainings"].with_columns(pl.lit([1, 2]).alias("kind"))
    frames["referrals"] = frames["referrals"].with_columns(pl.lit(None).alias(""))
    write_frames(frames, tmp_path, format="parquet")
    problems = assert_same_as_before(tmp_path)
    assert "unreadable_file" in problems["problem"].to_list()


# -- any column of any plain type -------------------------------------------------------------

_VALUES = {
    pl.Int64: st.integers(-(2**63), 2**63 - 1),
    pl.Int8: st.integers(-128, 127),
    pl.UInt64: st.integers(0, 2**64 - 1),
    pl.Float64: st.floats(allow_nan=True, allow_infinity=True),
    pl.Boolean: st.booleans(),
    pl.Date: st.dates(),
    pl.Datetime: st.datetimes(min_value=T(1, 1, 2), max_value=T(9999, 12, 30)),
    # text of only spaces is refused by a rule newer than the frozen loader (tested in
    # test_spaces_and_line_ends.py); "" stays, it is read as missing by both
    pl.String: st.text(max_size=12).filter(lambda s: s == "" or s.strip() != ""),
}


@st.composite
def _column(draw: st.DrawFn) -> pl.Series:
    dtype = draw(st.sampled_from(list(_VALUES)))
    values = draw(st.lists(st.one_of(st.none(), _VALUES[dtype]), min_size=1, max_size=6))
    if dtype == pl.Float64 and draw(st.booleans()):  # whole numbers, often what a file holds
        values = [None if v is None else float(int(v)) if abs(v) < 2**60 else 1.0 for v in values]
    return pl.Series(values, dtype=dtype)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    column=st.sampled_from(
        ["duration_min", "fee_amount", "held_on", "client_under_influence", "status", "currency"]
    ),
    values=_column(),
)
def test_any_typed_column_gives_the_same_problems_as_before(
    tmp_path_factory, demo_frames, column, values
):
    folder = tmp_path_factory.mktemp("typed")
    frames = {n: demo_frames[n] for n in ("coaches", "clients", "engagements", "sessions")}
    write_frames(_with(frames, "sessions", **{column: values}), folder, format="parquet")
    assert_same_as_before(folder)


def test_infinity_nan_or_a_huge_number_in_a_whole_number_column_is_a_type_problem(tmp_path):
    """These raised a polars error (a traceback for the user) before; now each is named."""
    from workspace_files import only, set_cell, valid_workspace

    from trc_analytics import validate_workspace

    ws = valid_workspace(tmp_path, tables=["coaches", "community_service"])
    for value in ("inf", "nan", "1e30"):
        set_cell(ws, "community_service", 2, "participants", value)
        p = only(validate_workspace(ws, today=TODAY), column="participants")
        assert (p["row"], p["value"], p["problem"]) == (2, value, "type")


@pytest.mark.parametrize(
    ("column", "values", "typed"),
    [
        ("duration_min", pl.Series([30.0, 45.0]), True),  # whole floats: typed
        ("duration_min", pl.Series([30.0, 45.5]), False),  # a fraction: text says where
        ("duration_min", pl.Series([7, 5], dtype=pl.UInt64), True),
        ("duration_min", pl.Series([2**64 - 1], dtype=pl.UInt64), False),
        ("fee_amount", pl.Series([1.5, -0.0]), True),
        ("fee_amount", pl.Series([1.5, float("nan")]), False),
        ("fee_amount", pl.Series([0.1], dtype=pl.Float32), False),  # its text is not its value
        ("held_on", pl.Series([T(2026, 1, 5)]), True),
        ("held_on", pl.Series([T(2026, 1, 5, 9)]), False),
        ("held_on", pl.Series([D(999, 1, 5)]), True),
        ("held_on", pl.Series([20_000_000], dtype=pl.Int32).cast(pl.Date), False),  # year > 9999
        ("held_on", pl.Series(["2026-01-05"]), False),  # text stays text
        ("status", pl.Series(["held"], dtype=pl.Categorical), True),
        ("status", pl.Series(["happened"], dtype=pl.Categorical), False),
        ("supervised_case", pl.Series([True, None]), True),
        ("supervised_case", pl.Series([1, 0]), False),
        ("currency", pl.Series(["EUR"], dtype=pl.Categorical), False),  # free text: scanned
    ],
)
def test_which_columns_are_checked_typed(column, values, typed):
    field = load_schema()["sessions"].field(column)
    assert (typed_column(field, values.alias(column)) is not None) is typed
