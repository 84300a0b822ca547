"""How a report declares its sections, and the one way a section handles absent tables.

Each report module ends with `SECTIONS = (("Title", function), ...)`: the order of the pairs
is the order of the contents list and of the notebook, and a section function finds its own
heading with `title_of`. Adding a section is one pair plus its function.

Absent tables: a metric whose tables are absent raises `MissingTables` (`need` raises it for
a metric the report context computed, `require` for tables a section reads as a whole), and a
section decorated with `@shows_missing` turns it into its heading and one sentence, "Not shown:
the workspace has no <table> records", instead of failing.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

from trc_analytics.errors import MissingTables
from trc_analytics.reports.display import Section

if TYPE_CHECKING:
    from trc_analytics.reports.context import ReportContext

#: A report's sections: (title, function) pairs in the order the report shows them.
Outline = Sequence[tuple[str, Callable[..., Any]]]
F = TypeVar("F", bound=Callable[..., Section])


def titles(outline: Outline) -> list[str]:
    """The section titles, in order (the report's contents)."""
    return [title for title, _ in outline]


def functions(outline: Outline) -> list[Callable[..., Any]]:
    """The section functions, in order."""
    return [fn for _, fn in outline]


def title_of(outline: Outline, fn: Callable[..., Any]) -> str:
    """The title declared for a section function (or for a function it wraps)."""
    for title, declared in outline:
        while declared is not None:
            if declared is fn:
                return title
            declared = getattr(declared, "__wrapped__", None)
    raise KeyError(f"{getattr(fn, '__name__', fn)!r} is not a section of this report")


def level(ctx: ReportContext) -> int:
    """Heading level of a section: 3 inside a portfolio's coach, else 2."""
    return 3 if ctx.supervisor else 2


def require(ctx: ReportContext, *tables: str) -> None:
    """Raise `MissingTables` naming every one of `tables` the workspace lacks."""
    missing = [t for t in tables if t not in ctx.ws]
    if missing:
        raise MissingTables(missing, pl.DataFrame())


def need(ctx: ReportContext, name: str, coach: str | None = None) -> pl.DataFrame:
    """A metric's frame (for one coach when given); `MissingTables` when its tables are absent."""
    value = ctx.metrics[name]
    if isinstance(value, MissingTables):
        raise MissingTables(value.tables, value.empty)
    return ctx.metric(name, coach)[0]


def shows_missing(build: F) -> F:
    """A section that says which tables are missing (under its declared title) when it, or a
    metric it needs, raises `MissingTables`."""

    @functools.wraps(build)
    def section(ctx: ReportContext, *args: Any) -> Section:
        try:
            return build(ctx, *args)
        except MissingTables as exc:
            outline = sys.modules[build.__module__].SECTIONS
            return Section(title_of(outline, build), missing=list(exc.tables), level=level(ctx))

    section.shows_missing = True  # type: ignore[attr-defined]  # (copied by functools.wraps)
    return section  # type: ignore[return-value]
