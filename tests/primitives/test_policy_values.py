"""Policy values are checked for type and range wherever they come from (issue 9, item 10):
a `nan`, `inf`, string or out-of-range value must never switch disclosure control off."""

import math

import pytest
from click.testing import CliRunner

from trc_analytics.cli import main
from trc_analytics.policy import ALLOWED, MIN_CELL_FLOOR, Policy, PolicyError

BAD = [
    ("dominance_one", math.nan, "dominance_one nan is not a finite number"),
    ("dominance_one", 0, "dominance_one 0 is not above 0"),
    ("dominance_one", 0.6, "dominance_one 0.6 is above the ceiling of 0.5"),
    ("dominance_two", math.inf, "dominance_two inf is not a finite number"),
    ("dominance_two", 0.9, "dominance_two 0.9 is above the ceiling of 0.8"),
    ("min_contributors", 0, "min_contributors 0 is below the floor of 3"),
    ("min_contributors", 2.5, "min_contributors 2.5 is not a whole number"),
    ("min_cell", math.inf, "min_cell inf is not a finite number"),
    ("min_cell", math.nan, "min_cell nan is not a finite number"),
    ("min_cell", 0, "min_cell 0 is below the floor of 5"),
    ("min_cell", "11", "min_cell '11' is not a number"),
    ("min_cell", True, "min_cell True is not a number"),
    ("silent_engagement_days", -3, "silent_engagement_days -3 is below the floor of 1"),
    ("training_need_share", math.nan, "training_need_share nan is not a finite number"),
    ("rounding_base", 1e9, "rounding_base 1000000000.0 is above the ceiling of 100"),
]


@pytest.mark.parametrize(("name", "value", "why"), BAD)
def test_a_bad_value_names_the_key_the_value_and_the_allowed_range(name, value, why):
    with pytest.raises(PolicyError) as err:
        Policy.load(**{name: value})
    message = str(err.value)
    assert message.startswith(why)
    assert f"{name} must be {ALLOWED[name].text()}" in message


def test_every_policy_value_has_a_type_and_a_range_and_the_defaults_are_inside():
    assert set(ALLOWED) == set(Policy.names())
    default = Policy()
    for name in Policy.names():
        value = getattr(default, name)
        assert type(value) is ALLOWED[name].kind, name
        assert Policy.load(**{name: value}) == default  # each default passes its own check


def test_privacy_values_have_the_floors_of_the_issue():
    assert MIN_CELL_FLOOR == 5 and Policy.load(min_cell=5).min_cell == 5
    assert Policy.load(min_contributors=3).min_contributors == 3
    assert Policy.load(dominance_one=0.5, dominance_two=0.8).dominance_two == 0.8
    assert Policy.load(min_cell=12.0).min_cell == 12  # a whole float is a whole number
    assert isinstance(Policy.load(min_cell=12.0).min_cell, int)


def test_dominance_two_must_be_above_dominance_one():
    with pytest.raises(PolicyError, match=r"dominance_two 0.4 is not above dominance_one 0.45"):
        Policy.load(dominance_one=0.45, dominance_two=0.4)
    with pytest.raises(PolicyError, match=r"dominance_two 0.5 is not above dominance_one 0.5"):
        Policy.load(dominance_two=0.5)  # the default dominance_one is 0.5


def test_the_floor_agrees_with_the_association_reports_own():
    from trc_analytics.disclosure.release import MIN_CELL_FLOOR as RELEASE_FLOOR

    assert RELEASE_FLOOR == MIN_CELL_FLOOR


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("dominance_one = nan", "dominance_one nan is not a finite number"),
        ("min_contributors = 0", "min_contributors 0 is below the floor of 3"),
        ("min_cell = inf", "min_cell inf is not a finite number"),
        ('min_cell = "eleven"', "min_cell 'eleven' is not a number"),
    ],
)
def test_a_bad_value_in_a_policy_file_exits_2_with_no_traceback(tmp_path, line, why):
    policy = tmp_path / "policy.toml"
    policy.write_text(f"[policy]\n{line}\n")
    for command in (["findings", tmp_path], ["metrics", tmp_path, "--metric", "attendance"]):
        result = CliRunner().invoke(
            main,
            [*map(str, command), "--from", "2026-01-01", "--to", "2026-06-30", "--policy",
             str(policy)],
        )  # fmt: skip
        assert result.exit_code == 2, result.output
        assert why in result.stderr and str(policy) in " ".join(result.stderr.split())
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("options", "why"),
    [
        (["--min-cell", "0"], "min_cell 0 is below the floor of 5"),
        (["--policy", "nan"], "dominance_one nan is not a finite number"),
        (["--policy", "inf"], "min_cell inf is not a finite number"),
    ],
)
def test_trc_report_refuses_a_bad_value_before_rendering_exit_2(tmp_path, options, why):
    if options[0] == "--policy":
        key = "dominance_one" if options[1] == "nan" else "min_cell"
        policy = tmp_path / "policy.toml"
        policy.write_text(f"{key} = {options[1]}\n")
        options = ["--policy", str(policy)]
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        main,
        ["report", "association", str(tmp_path), "--from", "2026-01-01", "--to",
         "2026-06-30", "--out", str(out), *options],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert why in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_notebook_parameter_is_checked_like_the_option():
    from trc_analytics.reports.context import open_report

    with pytest.raises(ValueError, match="min_cell nan is not a finite number"):
        open_report("association", date_from="2026-01-01", date_to="2026-06-30", min_cell=math.nan)
