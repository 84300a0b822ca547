"""What an ethics check is: a declared rule of the Code, with a function finding where it is
not kept.

A check never returns a pass/fail alone: it returns its *cases* (every situation the rule
applies to in the period, each marked compliant or not), so the same run yields the findings
(the cases not compliant) and the compliance rates the association report publishes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import datetime as dt

    from trc_analytics.policy import Policy
    from trc_analytics.records.workspace import Workspace
    from trc_analytics.scope import Scope

#: Severities, most serious first.
SEVERITIES: tuple[str, ...] = ("critical", "major", "minor")

#: Columns of a findings frame, one row per finding.
FINDING_SCHEMA: dict[str, pl.DataType] = {
    "check_id": pl.String(),
    "severity": pl.String(),
    "coach_id": pl.String(),
    "client_id": pl.String(),  # pseudonym, or null when the finding is about no single client
    "engagement_id": pl.String(),
    "on": pl.Date(),  # the day the finding is dated (see the runner's docstring)
    "detail": pl.String(),  # one plain sentence
}

#: What a check's `cases` function returns: coach_id, on, compliant, optionally client_id,
#: engagement_id, severity (overrides the check's) and cases (how many cases the row stands
#: for, default 1: compliant cases may be counted in bulk), plus any column `detail` reads.
CaseFn = Callable[["Scope"], pl.LazyFrame]
#: Builds the plain-sentence detail of a finding from the columns of its case.
DetailFn = Callable[["Policy"], pl.Expr]


@dataclass(frozen=True)
class Check:
    """One rule of the catalogue (SPEC section 4), declared as data plus two functions."""

    id: str
    title: str
    #: Passages of the Code this check enforces, each quoted verbatim from the seed text.
    quotes: tuple[str, ...]
    severity: str
    #: Tables without which the check cannot say anything ("not evaluated").
    tables: tuple[str, ...]
    #: Names of the `Policy` values the check uses.
    policy_values: tuple[str, ...]
    #: What one examined case is, for compliance rates ("held session", "client", ...).
    unit: str
    cases: CaseFn = field(repr=False, compare=False)
    detail: DetailFn = field(repr=False, compare=False)
    #: Tables used when present; without them part of the rule is not looked at.
    optional_tables: tuple[str, ...] = ()
    #: When some findings take another severity than `severity`, in words.
    severity_note: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.id}: unknown severity {self.severity!r}")

    @property
    def passage(self) -> str:
        """The quoted passages as one text, gaps marked with […]."""
        return " […] ".join(self.quotes)

    def missing(self, ws: Workspace) -> list[str]:
        """Needed tables the workspace does not have."""
        return [t for t in self.tables if t not in ws]


# --- building blocks for detail sentences ----------------------------------------------------


def text(template: str, *args: str | pl.Expr) -> pl.Expr:
    """`template` with each `{}` replaced by a column (named) or expression, as text; null
    when any of them is null.

    Like `pl.format`, built on `pl.concat_str`: polars 2.1's streaming engine can panic in
    `pl.format` on large filtered frames, `concat_str` does not.
    """
    parts = template.split("{}")
    if len(parts) != len(args) + 1:
        raise ValueError(f"{len(parts) - 1} placeholders for {len(args)} values: {template!r}")
    exprs: list[pl.Expr] = []
    for i, part in enumerate(parts):
        if part:
            exprs.append(pl.lit(part))
        if i < len(args):
            value = pl.col(args[i]) if isinstance(args[i], str) else args[i]
            exprs.append(value.cast(pl.String()))
    return pl.concat_str(exprs)


def words(column: str | pl.Expr) -> pl.Expr:
    """A vocabulary value as words: its display label in `vocabularies.toml`
    (`childhood_emotional_abuse_neglect` -> `childhood emotional abuse / neglect`), else its
    name with underscores as spaces (`intimate partner violence`). The same words as the
    reports' `display.vocab_label`, so a finding and its table name a value alike."""
    from trc_analytics.records.schema import load_schema

    value = pl.col(column) if isinstance(column, str) else column
    labels = load_schema().display_labels()
    return value.cast(pl.String).replace(labels).str.replace_all("_", " ")


def plural(n: str, one: str, many: str) -> pl.Expr:
    """`one` when the count column `n` is 1, else `many` (with the count in front)."""
    return pl.when(pl.col(n) == 1).then(pl.lit(one)).otherwise(text("{} " + many, pl.col(n)))


def span(first: str, last: str) -> pl.Expr:
    """`on D` for a single day, else `from D1 to D2`."""
    return (
        pl.when(pl.col(first) == pl.col(last))
        .then(text("on {}", first))
        .otherwise(text("from {} to {}", first, last))
    )


def optional(template: str, *columns: str | pl.Expr) -> pl.Expr:
    """`template` filled with the columns, or an empty text when any of them is null."""
    return text(template, *columns).fill_null("")


def day_count(n: int) -> str:
    """`1 day` / `7 days`."""
    return f"{n} day" if n == 1 else f"{n} days"


def month_count(n: int) -> str:
    """`1 month` / `6 months`."""
    return f"{n} month" if n == 1 else f"{n} months"


def date_text(day: dt.date) -> str:
    """ISO date text."""
    return day.isoformat()
