"""What may never reach a published table: record ids, day-level dates, exact ages.

Every disclosure-control entry point calls `check_publishable` on its input before anything
else, so a report that tries to publish such a column fails loudly instead of leaking.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.errors import TrcError


class DisclosureError(TrcError, ValueError):
    """A table cannot be published safely (forbidden column, bad counts, unprotectable)."""


class CannotProtect(DisclosureError):
    """Totals published elsewhere already pin a small count of this table down, so it must not
    be published at all (the data's fault, not the caller's: a report shows the table as not
    shown). `table` names it."""

    def __init__(self, message: str, table: str = "") -> None:
        super().__init__(message)
        self.table = table


#: `*_id` columns that name catalogue entries, not records (a check of SPEC 4), and may be shown.
CATALOGUE_IDS = frozenset({"check_id"})
#: Column names that carry exact ages or birth dates (ages are published in bands only).
_AGE_NAMES = ("age", "date_of_birth", "birth_date", "birthdate", "dob", "born_on")


def check_publishable(frame: pl.DataFrame, *, table: str = "table") -> None:
    """Raise `DisclosureError` if `frame` holds a column no published table may hold.

    Forbidden: any `*_id` (or `id`) column except catalogue ids such as `check_id`; a Datetime
    or Time column; a Date column holding a day other than the 1st (dates are published by month
    or coarser); exact ages or birth dates (ages are published in `age_band`s only).
    """
    for name, dtype in frame.schema.items():
        lowered = name.lower()
        is_id = lowered == "id" or lowered.endswith(("_id", "_ids"))
        if is_id and lowered not in CATALOGUE_IDS:
            raise DisclosureError(
                f"{table}: column {name!r} is a record id; ids are never published "
                "(aggregate first, or drop the column)"
            )
        if lowered in _AGE_NAMES or lowered.endswith("_age"):
            raise DisclosureError(
                f"{table}: column {name!r} is an exact age or birth date; publish age bands only"
            )
        if isinstance(dtype, pl.Datetime | pl.Time | pl.Duration):
            raise DisclosureError(
                f"{table}: column {name!r} is a {dtype}; publish dates by month or coarser"
            )
        if isinstance(dtype, pl.Date):
            finer = frame.select((pl.col(name).dt.day() != 1).any()).item()
            if finer:
                raise DisclosureError(
                    f"{table}: column {name!r} holds day-level dates; truncate to the month "
                    "first (`pl.col(...).dt.truncate('1mo')`)"
                )
