"""The list of planted cases: which check, which coach/client/engagement, on which day, and how.

Every plant records itself here, so tests (and curious users) can see what the demo contains.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.dates import NO_DAY, as_dates
from trc_analytics.policy import Policy

#: Every check of SPEC section 4; the default demo plants at least one case of each.
PLANTED_CHECKS: tuple[str, ...] = (
    "SAFE-SRA",
    "SAFE-EXCLUDED",
    "SAFE-INFLUENCE",
    "SAFE-TRIGGERED",
    "SAFE-DECOMP",
    "SAFE-REASSESS",
    "SCOPE-PRACTICE",
    "SCOPE-COMPETENCE",
    "SCOPE-POPULATION",
    "SCOPE-PSYCHOACTIVE",
    "SUPERVISOR-QUALIFIED",
    "REFER-VETTED",
    "REFER-ABANDON",
    "CONF-DISCLOSURE",
    "CONF-MANDATORY",
    "PRACT-REFUND",
    "PRACT-REFUND-POLICY",
    "PRACT-GRIEVANCE",
    "PRACT-CONTEXT",
    "CERT-LAPSED",
    "CERT-ETHICS",
    "DEV-CE",
    "COMM-PROBONO",
    "CONDUCT-CHARGE",
    "CONDUCT-DUAL",
    "CONDUCT-IMPAIRED",
)

#: Days after an undeclared-area session its supervision window closes (Policy default).
JUDGED_AFTER = Policy().competence_supervision_days
#: Days SAFE-DECOMP allows from decompensation to the transfer (Policy default).
DECOMP_DAYS = Policy().decompensation_referral_days

#: Checks planted for the showcase coach C-0001 (the rest of its record is good practice).
SHOWCASE_CHECKS: tuple[str, ...] = (
    "SAFE-SRA",
    "SCOPE-COMPETENCE",
    "PRACT-GRIEVANCE",
    "REFER-VETTED",
)

#: Columns of the internal manifest (keys are row numbers; `finalize` turns them into ids).
MANIFEST_SCHEMA: dict[str, pl.DataType] = {
    "check_id": pl.String(),
    "_k": pl.Int64(),
    "_c": pl.Int64(),
    "_e": pl.Int64(),
    "on": pl.Date(),
    "first": pl.Boolean(),
    "note": pl.String(),
}


def planted_count(rate: float, units: int, weight: float = 1.0) -> int:
    """How many cases to plant: `rate` of the units (times a weight), at least one unless the
    rate is zero (a demo without planted findings)."""
    if rate <= 0:
        return 0
    return max(1, round(rate * units * weight))


def cases(
    check_id: str,
    coach: np.ndarray,
    on: np.ndarray,
    note: str | np.ndarray,
    *,
    client: np.ndarray | None = None,
    engagement: np.ndarray | None = None,
    first: np.ndarray | None = None,
) -> pl.DataFrame:
    """Manifest rows for planted cases of one check (arrays of equal length)."""
    coach = np.asarray(coach, dtype=np.int64)
    n = coach.size
    nulls = pl.Series([None] * n, dtype=pl.Int64)
    notes = np.asarray(note, dtype=object) if not isinstance(note, str) else np.array([note] * n)
    return pl.DataFrame(
        {
            "check_id": [check_id] * n,
            "_k": coach,
            "_c": nulls if client is None else pl.Series(np.asarray(client, dtype=np.int64)),
            "_e": nulls
            if engagement is None
            else pl.Series(np.asarray(engagement, dtype=np.int64)),
            "on": as_dates(np.asarray(on, dtype=np.int64)),
            "first": np.zeros(n, dtype=bool) if first is None else np.asarray(first, dtype=bool),
            "note": notes.astype(str),
        },
        schema=MANIFEST_SCHEMA,
    )


__all__ = [
    "DECOMP_DAYS",
    "JUDGED_AFTER",
    "MANIFEST_SCHEMA",
    "NO_DAY",
    "PLANTED_CHECKS",
    "SHOWCASE_CHECKS",
    "cases",
    "planted_count",
]
