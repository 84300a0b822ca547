"""Small helpers the association sections share: regions, published rows, hidden cells, and
frames laid out from released tables (never from raw figures)."""

from __future__ import annotations

import polars as pl

from trc_analytics.checks import CHECKS
from trc_analytics.disclosure.ledger import ReleasedTable
from trc_analytics.reports.context import ReportContext

#: Label of the totals row/column in published tables.
TOTAL = "Total"


def regions(ctx: ReportContext) -> list[str]:
    """Every region of the workspace's coaches, sorted."""
    return sorted(ctx.ws["coaches"].get_column("region").unique().to_list())


def coach_region(ctx: ReportContext) -> pl.DataFrame:
    """coach_id and region of every coach (who contributes to which region's figures)."""
    return ctx.ws["coaches"].select("coach_id", "region")


def published(frame: pl.DataFrame, value: str) -> pl.DataFrame:
    """Rows of a published table whose value is shown (hidden ones are not drawn)."""
    return frame.filter(pl.col(value).is_not_null())


def hidden(frame: pl.DataFrame, rules: dict[str, pl.Expr]) -> dict[str, set[int]]:
    """Row positions, per column, of cells disclosure control withheld (for `Table`)."""
    marks = frame.select(**{c: e for c, e in rules.items()}).with_row_index()
    return {c: set(marks.filter(pl.col(c))["index"].to_list()) for c in rules}


def rate_hidden(
    frame: pl.DataFrame, numerator: str, denominator: str, rate: str
) -> dict[str, set[int]]:
    """Hidden cells of a released rate table: a rate is hidden when a count it rests on is."""
    hidden_count = pl.col(numerator).is_null() | pl.col(denominator).is_null()
    return hidden(
        frame,
        {
            numerator: pl.col(numerator).is_null(),
            denominator: pl.col(denominator).is_null(),
            rate: hidden_count,
        },
    )


def compliance_frame(rates: pl.DataFrame) -> pl.DataFrame:
    """check, rule (title), examined, compliant, kept_pct of a released compliance table, in
    the catalogue's order."""
    order = {c.id: n for n, c in enumerate(CHECKS)}
    return rates.sort(pl.col("check_id").replace_strict(order, default=len(order))).select(
        pl.col("check_id").alias("check"),
        rule=pl.col("check_id").replace_strict({c.id: c.title for c in CHECKS}, default=None),
        examined=pl.col("examined"),
        compliant=pl.col("compliant"),
        kept_pct=pl.col("rate"),
    )


def demand_frame(
    sessions: ReleasedTable, clients: ReleasedTable, coaches: ReleasedTable
) -> pl.DataFrame:
    """Demand against supply by area from the released tables. Sessions per declaring coach is
    a ratio of two published figures (null when either is hidden); training is needed where
    sessions were held and fewer than `min_cell` coaches (none, or a hidden count) declare."""
    few = pl.col("coaches_declaring").is_null() | (pl.col("coaches_declaring") == 0)
    return (
        sessions.cells.select("area", "sessions")
        .join(clients.cells.select("area", "clients"), on="area", maintain_order="left")
        .join(coaches.cells.select("area", "coaches_declaring"), on="area", maintain_order="left")
        .with_columns(
            sessions_per_declaring_coach=pl.when(pl.col("coaches_declaring") > 0).then(
                (pl.col("sessions") / pl.col("coaches_declaring")).round(1)
            ),
            training_needed=(pl.col("sessions") > 0) & few,
        )
        .sort("sessions", descending=True, nulls_last=True)
    )


def demand_hidden(frame: pl.DataFrame) -> dict[str, set[int]]:
    """Hidden cells of the demand table (a ratio or judgement resting on a hidden figure)."""
    rules = {c: pl.col(c).is_null() for c in ("sessions", "clients", "coaches_declaring")}
    rules["sessions_per_declaring_coach"] = (
        pl.col("sessions").is_null() | pl.col("coaches_declaring").is_null()
    )
    rules["training_needed"] = pl.col("training_needed").is_null()
    return hidden(frame, rules)


def affordable_hours(fee_cells: pl.DataFrame) -> float | None:
    """Hours given pro bono or at a reduced fee, when both figures are published (a sum over
    a hidden figure would understate it); None otherwise."""
    given = fee_cells.filter(pl.col("fee_type").is_in(["pro_bono", "reduced"]))
    if not given.height or given["hours"].null_count():
        return None
    return float(given["hours"].sum())
