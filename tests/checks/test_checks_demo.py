"""The catalogue on the default demo: every check fires, and the cases the generator planted
are the ones found (for checks dated at the event, where both sides date a case alike)."""

import polars as pl
import pytest

from trc_analytics.checks import CHECKS, run_checks
from trc_analytics.demo import SHOWCASE_PERIOD, DemoConfig, build_demo
from trc_analytics.records.workspace import Workspace

#: Checks dated at the event itself, as the demo's manifest dates its planted cases.
EVENT_DATED = (
    "SAFE-SRA",
    "SAFE-EXCLUDED",
    "SAFE-INFLUENCE",
    "SAFE-TRIGGERED",
    "SCOPE-PRACTICE",
    "SCOPE-PSYCHOACTIVE",
    "REFER-VETTED",
    "REFER-ABANDON",
    "CONF-DISCLOSURE",
    "CONDUCT-DUAL",
    "CONDUCT-IMPAIRED",
)


@pytest.fixture(scope="module")
def demo():
    built = build_demo(DemoConfig())
    return built, run_checks(Workspace.from_frames(built.frames), SHOWCASE_PERIOD)


def test_every_check_is_evaluated_and_fires_on_the_default_demo(demo):
    _, results = demo
    assert results.not_evaluated.is_empty()
    fired = set(results.findings["check_id"])
    assert [c.id for c in CHECKS if c.id not in fired] == []


def test_planted_cases_in_the_period_are_found(demo):
    built, results = demo
    keys = ["check_id", "coach_id", "client_id"]
    planted = built.planted.filter(
        pl.col("check_id").is_in(EVENT_DATED)
        & pl.col("on").is_between(SHOWCASE_PERIOD.start, SHOWCASE_PERIOD.end)
    )
    assert planted.height >= len(EVENT_DATED)
    missed = planted.join(results.findings, on=keys, how="anti", nulls_equal=True)
    assert missed.is_empty(), missed
