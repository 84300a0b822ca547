"""A scope keeps ids as text or codes them (`scope.codes_pay` decides); the results are the same.

Coding the sessions' ids is a fixed cost that pays over the whole catalogue, not over a few
plans, so a scope made for a few metrics or checks keeps them as text. Every metric frame and
every check result must then be what the coded scope gives: same columns, dtypes and rows.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from tests.golden import results
from trc_analytics import scope as scope_module
from trc_analytics.checks import run_checks, run_checks_in
from trc_analytics.errors import MissingTables
from trc_analytics.metrics import compute_all, compute_in
from trc_analytics.period import Period
from trc_analytics.scope import CODES_FROM_PLANS, Scope, codes_pay

pytestmark = pytest.mark.xdist_group("golden-codes")


@pytest.fixture(scope="module")
def workspace() -> Any:
    """One fixture workspace (seed 11), loaded once."""
    return results.load_fixture(11)


def everything(ws: Any, scenario: str, codes: bool) -> dict[str, Any]:
    """Every metric and the checks' findings, status and cases of one golden scenario in a
    scope that codes its ids or not, as exact JSON (columns, dtypes with Enum categories, rows
    sorted by every column)."""
    start, end, by, first_n = results.SCENARIOS[scenario]
    coaches = None if first_n is None else sorted(ws["coaches"]["coach_id"].to_list())[:first_n]
    period = Period(start, end)
    sc = Scope(ws=ws, period=period, by=by, coaches=coaches, codes=codes)  # type: ignore[arg-type]
    every = Scope(ws=ws, period=period, codes=codes)  # the checks look across coaches
    assert sc.table("sessions").collect_schema()["client_id"] == sc.id_dtype
    out: dict[str, Any] = {}
    for name, frame in compute_in(sc).items():
        out[name] = str(frame) if isinstance(frame, MissingTables) else exact(frame)
    checks = run_checks_in(every, coaches)
    for part in ("findings", "status", "cases"):
        out[part] = exact(getattr(checks, part))
    return out


def exact(df: pl.DataFrame) -> dict[str, Any]:
    """`results.frame_json` with the full dtypes (an Enum's categories included)."""
    return {**results.frame_json(df), "schema": [str(t) for t in df.dtypes]}


@pytest.mark.parametrize("scenario", list(results.SCENARIOS))
def test_every_result_is_the_same_with_ids_as_text_or_codes(workspace: Any, scenario: str) -> None:
    coded, text = everything(workspace, scenario, True), everything(workspace, scenario, False)
    assert list(coded) == list(text)
    different = [name for name in coded if coded[name] != text[name]]
    assert not different, different


def test_a_few_plans_keep_ids_as_text_and_the_catalogue_codes_them() -> None:
    """The rule fires from `CODES_FROM_PLANS` plans (or every metric/check); one plan fewer is
    the near miss."""
    ws = results.load_fixture(11)  # fresh frames: nothing coded yet
    assert not codes_pay(ws, 1)
    assert not codes_pay(ws, CODES_FROM_PLANS - 1)
    assert codes_pay(ws, CODES_FROM_PLANS)
    assert codes_pay(ws, None)
    period = Period(*results.SCENARIOS["window-by-coach"][:2])
    assert not Scope.make(ws, period, plans=5).codes
    assert Scope.make(ws, period).codes


def test_records_already_coded_are_read_coded_by_a_small_scope() -> None:
    """A report's first scope codes the sessions for the whole catalogue; a later scope for
    one metric reuses the codes (they cost nothing then) instead of hashing text again."""
    ws = results.load_fixture(11)
    period = Period(*results.SCENARIOS["window-by-coach"][:2])
    assert not Scope.make(ws, period, plans=1).codes
    Scope.make(ws, period).frame("sessions")  # the catalogue's scope codes the sessions
    assert scope_module.is_coded(ws["sessions"])
    assert Scope.make(ws, period, plans=1).codes


def test_public_calls_for_a_few_plans_make_a_text_scope(monkeypatch: pytest.MonkeyPatch) -> None:
    """`compute_all(names=...)` and `run_checks(checks=[...])` with a handful of names decide
    for text; without names they code (the whole catalogue)."""
    import trc_analytics.checks.runner as runner
    import trc_analytics.metrics as metrics

    ws = results.load_fixture(11)
    period = Period(*results.SCENARIOS["window-by-coach"][:2])
    seen: list[bool] = []

    def spy(real: Any) -> Any:
        def record(sc: Scope, *args: Any, **kwargs: Any) -> Any:
            seen.append(sc.codes)
            return real(sc, *args, **kwargs)

        return record

    monkeypatch.setattr(metrics, "compute_in", spy(metrics.compute_in))
    monkeypatch.setattr(runner, "run_checks_in", spy(runner.run_checks_in))
    compute_all(ws, period, names=["fee_mix", "referrals_by"])
    run_checks(ws, period, checks=["SAFE-SRA"])
    assert seen == [False, False]
    compute_all(ws, period)
    run_checks(ws, period)
    assert seen == [False, False, True, True]
