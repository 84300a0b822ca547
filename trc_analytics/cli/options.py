"""The options `trc report|findings|metrics|validate` share, declared once.

Each is a decorator adding one click parameter with one name, one type and one help text, so the
commands read and fail alike: a bad date is "--from: '2026-13-01' is not a date as YYYY-MM-DD"
(exit 2) whichever command it was given to. Only click and the standard library are imported
here: `trc --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from trc_analytics.period import Period, parse_date

if TYPE_CHECKING:
    from trc_analytics.policy import Policy

F = TypeVar("F", bound=Callable[..., Any])

#: The output formats of every command that prints data: people, spreadsheets, programs.
FORMATS = ("table", "csv", "json")


class DateType(click.ParamType):
    """A YYYY-MM-DD date, read by the package's one date parser (`period.parse_date`)."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        name = param.opts[0].lstrip("-") if param is not None and param.opts else "date"
        try:
            return parse_date(value, name)
        except ValueError as exc:
            raise click.UsageError(str(exc), ctx) from None


DATE = DateType()


def workspace_argument(f: F) -> F:
    """FOLDER: a workspace folder (one file per table) or a single workbook; must exist."""
    return click.argument(
        "folder", type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path)
    )(f)


def period_options(f: F) -> F:
    """`--from` and `--to` (both required, both days included), passed on as `period`; a period
    ending after today is refused (`Period.refuse_after`)."""

    @click.option(
        "--from",
        "date_from",
        required=True,
        metavar="YYYY-MM-DD",
        help="First day of the period (YYYY-MM-DD, included).",
    )
    @click.option(
        "--to",
        "date_to",
        required=True,
        metavar="YYYY-MM-DD",
        help="Last day of the period (YYYY-MM-DD, included); standing is judged as of this day.",
    )
    @functools.wraps(f)
    def with_period(*args: Any, date_from: str, date_to: str, **kwargs: Any) -> Any:
        try:
            period = Period.parse(date_from, date_to)
            period.refuse_after()
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        return f(*args, period=period, **kwargs)

    return with_period  # type: ignore[return-value]


def as_of_option(f: F) -> F:
    """`--as-of DATE`: the day standing is judged at (default today), passed on as `as_of`; a
    day after today is refused, as a period ending after today is (`Period.refuse_after`)."""

    @click.option(
        "--as-of",
        "as_of",
        type=DATE,
        default=None,
        metavar="YYYY-MM-DD",
        help="Day the standing is judged at (YYYY-MM-DD; default: today).",
    )
    @functools.wraps(f)
    def with_as_of(*args: Any, as_of: dt.date | None, **kwargs: Any) -> Any:
        today = dt.date.today()
        day = as_of or today
        if day > today:
            raise click.UsageError(
                f"--as-of: {day.isoformat()} is after today ({today.isoformat()}); only days "
                "that have passed have records"
            )
        return f(*args, as_of=day, **kwargs)

    return with_as_of  # type: ignore[return-value]


def coach_option(*, multiple: bool) -> Callable[[F], F]:
    """`--coach ID`: one coach (a report's subject) or, repeated, the coaches to keep."""
    if multiple:
        return click.option(
            "--coach",
            "coaches",
            multiple=True,
            metavar="ID",
            help="Only this coach; repeat for several (e.g. a supervisor's coaches). "
            "Default: every coach.",
        )
    return click.option(
        "--coach", metavar="ID", help="Coach id (supervisor review of one coach, or self-audit)."
    )


def policy_option(f: F) -> F:
    """`--policy FILE`: a TOML file of policy values replacing the Code's defaults."""
    return click.option(
        "--policy",
        "policy_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="TOML file of policy values (thresholds) replacing the Code's defaults.",
    )(f)


def keep_valid_option(f: F) -> F:
    """`--keep-valid`: set invalid rows aside and use the rest (stderr says how many)."""
    return click.option(
        "--keep-valid",
        is_flag=True,
        help="Set aside rows with problems (and rows referring to them) and use the rest; "
        "stderr says how many, `trc validate` lists them.",
    )(f)


def format_option(f: F) -> F:
    """`--format table|csv|json`: the command's output, and the problem list of invalid data."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table for people; csv or json for other tools (also the format of the problem "
        "list when the workspace is invalid).",
    )(f)


def compare_to_option(f: F) -> F:
    """`--compare-to FROM..TO|none`: the period a coach report compares with."""
    return click.option(
        "--compare-to",
        "compare_to",
        metavar="FROM..TO|none",
        default=None,
        help="Coach reports: the period to compare with (YYYY-MM-DD..YYYY-MM-DD), or none. "
        "Default: the period of the same length just before.",
    )(f)


#: `--paper` choices; the same keys as `reports.theme.PAPERS` (not imported: `trc --help` stays
#: fast), checked equal by a test.
PAPERS = ("a4", "letter")


def paper_option(f: F) -> F:
    """`--paper a4|letter`: the paper a report's page prints on (its CSS `@page size`)."""
    return click.option(
        "--paper",
        type=click.Choice(PAPERS, case_sensitive=False),
        default="a4",
        show_default=True,
        help="Paper the report prints on from a browser (A4 or US Letter).",
    )(f)


def load_policy(policy_file: Path | None) -> Policy:
    """The policy of `--policy` (defaults when None); a bad file is a usage error (exit 2)."""
    from trc_analytics.policy import Policy

    try:
        return Policy.load(policy_file)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--policy") from None


def requirements_option(f: F) -> F:
    """`--requirements FILE`: an association's credential levels, added after the ICF's."""
    return click.option(
        "--requirements",
        "requirements_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="TOML file of your association's credential levels, in the form of the ICF's "
        "(shown after the ICF's ACC, PCC and MCC).",
    )(f)
