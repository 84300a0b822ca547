"""Every error the package raises on purpose derives from `TrcError`, so a caller (the CLI, a
notebook) can tell an expected, explained failure from a bug."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

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
