"""Every error the package raises on purpose derives from `TrcError`, so a caller (the CLI, a
notebook) can tell an expected, explained failure from a bug."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl


class TrcError(Exception):
    """The root of the package's own errors: its message is meant for the user as it is."""


class MissingTables(TrcError, LookupError):
    """A metric cannot be computed because tables it needs are absent from the workspace."""

    def __init__(self, tables: Sequence[str], empty: pl.DataFrame) -> None:
        self.tables = tuple(tables)
        self.empty = empty
        super().__init__(f"no {' or '.join(self.tables)} records")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by the constructor's arguments (a report's caller hands its results over)."""
        return (type(self), (self.tables, self.empty))


class UnknownId(TrcError, ValueError):
    """An id asked for (a coach, a supervisor) is not in the workspace: a usage error (exit 2)."""


def unknown_id_message(kind: str, wanted: Sequence[str], known: Sequence[str]) -> str:
    """`unknown coach c-0007; did you mean C-0007?`: the ids not found, with close matches.

    One wording for every command and notebook. Matching ignores case (ids are typed by hand),
    and suggests the known id as it is spelled in the workspace.
    """
    import difflib

    by_lower: dict[str, str] = {}
    for k in known:
        by_lower.setdefault(str(k).lower(), str(k))
    message = f"unknown {kind} {', '.join(wanted)}"
    close: list[str] = []
    for w in wanted:
        # the same id in other case is the answer; else up to three ids spelled alike
        same = by_lower.get(w.lower())
        matches = [w.lower()] if same else difflib.get_close_matches(w.lower(), by_lower, 3, 0.8)
        close.extend(by_lower[m] for m in matches if by_lower[m] not in close)
    if close:
        message += f"; did you mean {' or '.join(close)}?"
    return message
