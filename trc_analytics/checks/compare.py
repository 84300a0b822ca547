"""Findings of two periods side by side: which are new, which recur, which were resolved.

A supervision conversation starts from what changed. A finding of the later period is
*recurring* when the earlier period has a finding of the same check for the same coach and the
same client (or, for a finding about no single client, the same engagement; for a standing
rule about neither, the same check alone), else *new*; an earlier finding with no such match in
the later period is *resolved*.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.checks.check import FINDING_SCHEMA

#: The classes of `compare_findings`, in the order a report presents them.
CHANGES: tuple[str, ...] = ("new", "recurring", "resolved")

#: Columns of `compare_findings`: a finding's columns plus its class.
CHANGE_SCHEMA: dict[str, pl.DataType] = {**FINDING_SCHEMA, "change": pl.String()}

_KEY = ("check_id", "coach_id", "_about")


def _keyed(findings: pl.DataFrame) -> pl.DataFrame:
    """The findings with `_about`: the client, else the engagement, else "" (a standing rule)."""
    return findings.cast(FINDING_SCHEMA).with_columns(
        _about=pl.coalesce("client_id", "engagement_id", pl.lit(""))
    )


def compare_findings(before: pl.DataFrame, now: pl.DataFrame) -> pl.DataFrame:
    """Every finding of `now` marked new or recurring, then every finding of `before` with no
    match in `now`, marked resolved (one row per resolved check, coach and client).

    Both frames have the FINDING_SCHEMA columns; the result has CHANGE_SCHEMA columns.
    """
    earlier, later = _keyed(before), _keyed(now)
    seen = earlier.select(_KEY).unique().with_columns(_seen=pl.lit(True))
    marked = (
        later.join(seen, on=list(_KEY), how="left", nulls_equal=True, maintain_order="left")
        .with_columns(
            change=pl.when(pl.col("_seen")).then(pl.lit("recurring")).otherwise(pl.lit("new"))
        )
        .drop("_seen")
    )
    resolved = (
        earlier.join(later.select(_KEY).unique(), on=list(_KEY), how="anti", nulls_equal=True)
        .unique(subset=list(_KEY), keep="last", maintain_order=True)
        .with_columns(change=pl.lit("resolved"))
    )
    return pl.concat([marked, resolved], how="vertical").select(list(CHANGE_SCHEMA))


def change_counts(changes: pl.DataFrame) -> dict[str, int]:
    """How many findings of `compare_findings` are new, recurring and resolved."""
    counts = dict(changes.group_by("change").len().iter_rows())
    return {c: int(counts.get(c, 0)) for c in CHANGES}
