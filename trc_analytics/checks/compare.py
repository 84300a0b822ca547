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


#: Columns `findings_per_100` adds: findings of each severity per 100 held sessions.
RATE_COLUMNS: tuple[str, ...] = tuple(f"{s}_per_100" for s in ("critical", "major", "minor"))


def findings_per_100(findings: pl.DataFrame, held: pl.DataFrame) -> pl.DataFrame:
    """One row per coach of `held` (coach_id, sessions_held): sessions_held, critical, major,
    minor (counts) and critical_per_100, major_per_100, minor_per_100, ranked.

    Ranked so a busy coach does not look worst for being busy: by critical, then major, then
    minor findings per 100 held sessions, then by the raw counts, then coach id. A coach with
    findings and no held session has no rate (null) and comes first: nothing dilutes them.
    """
    severities = ("critical", "major", "minor")
    counts = findings.group_by("coach_id").agg(
        *[(pl.col("severity") == s).sum().cast(pl.Int64()).alias(s) for s in severities]
    )
    frame = (
        held.select("coach_id", pl.col("sessions_held").fill_null(0).cast(pl.Int64()))
        .join(counts, on="coach_id", how="left")
        .with_columns(pl.col(*severities).fill_null(0))
        .with_columns(
            pl.when(pl.col("sessions_held") > 0)
            .then(pl.col(s) * 100 / pl.col("sessions_held"))
            .alias(f"{s}_per_100")
            for s in severities
        )
    )
    unrated = (pl.col("sessions_held") == 0) & (pl.sum_horizontal(*severities) > 0)
    return frame.sort(
        unrated,
        *RATE_COLUMNS,
        *severities,
        "coach_id",
        descending=[True] * 7 + [False],
        nulls_last=True,
    )
