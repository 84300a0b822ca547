"""Disclosure control: what an association report may publish, and proof that it is safe.

Every number the association report shows (tables and chart data, which are drawn from the
published tables only) passes through one of these calls:

    from trc_analytics.disclosure import protect_counts, protect_magnitudes, protect_rate

    # counts in long form, every category pair present (zeros included), no ids, months only
    counts = sessions.group_by("region", "month").agg(n=pl.len())
    table = protect_counts(counts, rows="region", cols="month", value="n", policy=policy)
    table.to_wide()        # text table: hidden cells read "suppressed", totals row and column
    table.cells            # region, month, n (null where hidden), suppressed -> charts
    table.row_totals, table.col_totals, table.total   # the totals that may be published
    table.rule             # the sentence to print under the table

    hours = protect_magnitudes(sessions_with_hours, rows="region", cols="month",
                               value="hours", contributor="coach_id", policy=policy)
    hours.to_wide(); hours.cells   # coach_id is used to decide, then dropped

    # a count that is also a sum of coaches' activity (sessions, clients): both rules
    view = both_rules(table, protect_magnitudes(per_coach_counts, rows="region", cols="month",
                                                value="n", contributor="coach_id", policy=policy))

    rates, behind = protect_rate(per_check, rows="check_id", numerator="compliant",
                                 denominator="eligible", policy=policy)

Rules (policy values): counts 1..min_cell-1 hidden (CMS: min_cell 11, 0 shown); totals shown
only when everything they add up is shown (`totals="additive"`, the default, which also defeats
differencing between reports over periods or regions that differ by one month or region) or
complementary suppression checked by an attacker audit (`totals="complementary"`); sums and
means hidden with fewer than min_contributors coaches or one/two dominant coaches; optional
rounding to rounding_base. Inputs holding an id column, a day-level date or an exact age are
refused (`DisclosureError`). `audit(table)` lists any hidden small count an attacker could
narrow down from the published figures (always empty for a table `protect_counts` returns);
`audit_together(tables)` does the same across linked tables (the differencing attack).

Tables by month pass `time_axis="cols"` (months as columns): a report one month shorter gives
every month's total away, so those totals are treated as public and protected against. When
public totals already pin a small count down, `protect_counts` raises `CannotProtect` (a
`DisclosureError`): the report then shows that table as not shown, never a partial table.

    try:
        table = protect_counts(counts, rows="region", cols="month", value="n",
                               policy=policy, time_axis="cols")
    except CannotProtect:
        ...  # "Not shown: too few records to publish safely."

The report as a whole (`release.py`): `check_release(min_cell=..., period=...)` refuses a
`min_cell` below `MIN_CELL_FLOOR` (5) and a period that is not whole calendar months
(`ReleaseRefused`); `period_rule_text()` is what the report says about overlapping periods.

One release per report (`ledger.py`): `Release` registers every figure a report publishes
(tables, totals, rates, and the relations between tables over one population), protects them
together against one attacker who knows all of it, and is the only place sentences and charts
read figures from (`release.figure(table, row, col)`, `release.table(name)`).
"""

from trc_analytics.disclosure.audit import Violation, attacker_ranges, audit
from trc_analytics.disclosure.guard import CannotProtect, DisclosureError, check_publishable
from trc_analytics.disclosure.ledger import ALL, NOT_SHOWN, Figure, Release, ReleasedTable
from trc_analytics.disclosure.linked import audit_together
from trc_analytics.disclosure.magnitude import ProtectedMagnitudes, protect_magnitudes
from trc_analytics.disclosure.rates import protect_rate
from trc_analytics.disclosure.release import (
    MIN_CELL_FLOOR,
    ReleaseRefused,
    check_min_cell,
    check_release,
    check_whole_months,
    period_rule_text,
)
from trc_analytics.disclosure.suppression import (
    DEFAULT_MARKER,
    Protected,
    is_protected,
    protect_counts,
    rule_text,
)

__all__ = [
    "ALL",
    "DEFAULT_MARKER",
    "MIN_CELL_FLOOR",
    "NOT_SHOWN",
    "CannotProtect",
    "DisclosureError",
    "Figure",
    "Protected",
    "ProtectedMagnitudes",
    "Release",
    "ReleaseRefused",
    "ReleasedTable",
    "Violation",
    "attacker_ranges",
    "audit",
    "audit_together",
    "check_min_cell",
    "check_publishable",
    "check_release",
    "check_whole_months",
    "is_protected",
    "period_rule_text",
    "protect_counts",
    "protect_magnitudes",
    "protect_rate",
    "rule_text",
]
