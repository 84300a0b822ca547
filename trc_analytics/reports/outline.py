"""A report's sections, declared once as (title, function) pairs.

Each report module ends with `SECTIONS = (("Title", function), ...)`: the order of the pairs
is the order of the contents list and of the notebook, and a section function finds its own
heading with `title_of`. Adding a section is one pair plus its function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

#: A report's sections: (title, function) pairs in the order the report shows them.
Outline = Sequence[tuple[str, Callable[..., Any]]]


def titles(outline: Outline) -> list[str]:
    """The section titles, in order (the report's contents)."""
    return [title for title, _ in outline]


def functions(outline: Outline) -> list[Callable[..., Any]]:
    """The section functions, in order."""
    return [fn for _, fn in outline]


def title_of(outline: Outline, fn: Callable[..., Any]) -> str:
    """The title declared for a section function (its wrapped original counts too)."""
    for title, declared in outline:
        if declared is fn or getattr(declared, "__wrapped__", None) is fn:
            return title
    raise KeyError(f"{getattr(fn, '__name__', fn)!r} is not a section of this report")
