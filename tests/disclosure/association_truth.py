"""The true value (and each coach's share) of every figure the association report publishes,
computed in the test from the metrics the report starts from, so the independent attacker's
ranges can be judged against the rule each figure must obey."""

from __future__ import annotations

import polars as pl

from tests.disclosure.test_release import _truth
from trc_analytics.reports.association import release as rel


def _frame(ctx, metric: str) -> pl.DataFrame:
    frame, note = ctx.metric(metric)
    assert note is None, note
    return frame


def _text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).fill_null(rel.NOT_RECORDED)


def _plain(frame: pl.DataFrame, name: str, rows: str, cols: str | None, value: str) -> dict:
    """Figures without contributors: their value only."""
    truth = _truth(frame.with_columns(coach_id=pl.lit("all")), name, rows, cols, value)
    return {k: (v, None) for k, (v, _) in truth.items()}


def _rates(frame: pl.DataFrame, name: str, rows: str, num: str, den: str) -> tuple[dict, dict]:
    counts, plain = {}, {}
    per = frame.group_by(rows).agg(pl.col(num).sum(), pl.col(den))
    for row in per.iter_rows(named=True):
        d = sum(row[den])
        counts[(name, row[rows], den)] = (d, list(row[den]))
        plain[(name, row[rows], num)] = (row[num], None)
        plain[(name, row[rows], f"{den} - {num}")] = (d - row[num], None)
    return counts, plain


def report_truth(ctx) -> tuple[dict, dict, dict]:
    """counts (with coach shares), sums (with shares), plain counts: every figure."""
    regions = ctx.ws["coaches"].select("coach_id", "region")
    month = _frame(ctx, "held_by_coach_month")
    area = _frame(ctx, "held_by_coach_area").with_columns(_text("area"))
    clients = (
        _frame(ctx, "headline")
        .select("coach_id", clients="active_clients")
        .join(regions, on="coach_id")
    )
    referrals = _frame(ctx, "referrals_by").with_columns(_text("reason"), _text("service_type"))
    counts = {
        **_truth(clients, rel.CLIENTS, "region", None, "clients"),
        **_truth(month, rel.SESSIONS, "region", "month", "sessions"),
        **_truth(area, rel.AREA_SESSIONS, "area", None, "sessions"),
        **_truth(area, rel.AREA_CLIENTS, "area", None, "clients"),
        **_truth(referrals, rel.REFERRALS, "reason", "service_type", "referrals"),
    }
    fees = _frame(ctx, "fee_mix").with_columns(_text("fee_type"))
    sums = {
        **_truth(month, rel.HOURS, "region", "month", "hours"),
        **_truth(fees, rel.FEES, "fee_type", None, "hours"),
    }
    if "community_service" in ctx.ws:
        cs = _frame(ctx, "community_service_hours").with_columns(_text("kind"))
        sums.update(_truth(cs, rel.COMMUNITY, "kind", None, "hours"))
    coaches = _frame(ctx, "active_coaches").join(regions, on="coach_id")
    declaring = _frame(ctx, "demand_vs_supply").with_columns(_text("area"))
    pipeline = _frame(ctx, "credential_status").with_columns(credentials=pl.lit(1))
    plain = {
        **_plain(coaches, rel.COACHES, "region", None, "coaches"),
        **_plain(declaring, rel.AREA_COACHES, "area", None, "coaches_declaring"),
        **_plain(pipeline, rel.PIPELINE, "credential", "status", "credentials"),
    }
    compliance = ctx.checks.compliance(by="coach")
    vetted = _frame(ctx, "vetted_share").join(regions, on="coach_id")
    for frame, name, rows, num, den in [
        (compliance, rel.COMPLIANCE, "check_id", "compliant", "examined"),
        (vetted, rel.VETTED, "region", "to_vetted", "referrals"),
    ]:
        more_counts, more_plain = _rates(frame, name, rows, num, den)
        counts.update(more_counts)
        plain.update(more_plain)
    return counts, sums, plain
