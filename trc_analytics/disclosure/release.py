"""When an association report may be released at all: a minimum cell size no lower than the
floor, and a period of whole calendar months (the report's own limits, not a table's)."""

from __future__ import annotations

import calendar
from typing import TYPE_CHECKING

from trc_analytics.disclosure.guard import DisclosureError

if TYPE_CHECKING:
    from trc_analytics.period import Period

#: The smallest `min_cell` an association report accepts, from `--min-cell`, a policy file or
#: a notebook parameter alike. Below 5, a hidden count could be read off by anyone who knows a
#: few of the people behind it (the floor most statistical agencies keep; CMS uses 11).
MIN_CELL_FLOOR = 5


class ReleaseRefused(DisclosureError):
    """The report may not be produced with these parameters (the message says which and why)."""


def check_min_cell(min_cell: int) -> None:
    """Raise `ReleaseRefused` when `min_cell` is below `MIN_CELL_FLOOR`."""
    if int(min_cell) < MIN_CELL_FLOOR:
        raise ReleaseRefused(
            f"min_cell {min_cell} is below the floor of {MIN_CELL_FLOOR}: the association report "
            f"never shows counts smaller than {MIN_CELL_FLOOR} (the default is 11). Use a "
            f"min_cell of {MIN_CELL_FLOOR} or more (--min-cell, the policy file's min_cell or "
            "the notebook parameter)."
        )


def check_whole_months(period: Period) -> None:
    """Raise `ReleaseRefused` unless `period` starts on a 1st and ends on a month's last day.

    Two reports over periods that differ by a few days could be subtracted to give those
    days' counts away; whole months leave only whole months to difference (see
    `period_rule_text`).
    """
    start, end = period.start, period.end
    last_day = calendar.monthrange(end.year, end.month)[1]
    if start.day != 1 or end.day != last_day:
        first = start.replace(day=1)
        last = end.replace(day=last_day)
        raise ReleaseRefused(
            f"the association report covers whole calendar months, from a 1st to a month's last "
            f"day; {start.isoformat()} to {end.isoformat()} is not. Use --from "
            f"{first.isoformat()} --to {last.isoformat()}, or another run of whole months."
        )


def check_release(*, min_cell: int, period: Period) -> None:
    """Both release conditions of the association report (`ReleaseRefused` when one fails)."""
    check_min_cell(min_cell)
    check_whole_months(period)


def period_rule_text() -> str:
    """What the report says about its period: the limit no cell suppression can lift."""
    return (
        "Figures cover whole calendar months. Two reports whose periods overlap (January to "
        "June, and January to May) must not both be published: subtracting one from the other "
        "gives the counts of the months where they differ, however small, and no hiding of "
        "cells can prevent that. Publish for fixed periods that do not overlap, such as "
        "calendar quarters or years."
    )
