"""The coaching log export (`trc coaching-log`): a coach's clients as a credentialing log asks.

The International Coaching Federation's log lists, per client: the client, individual or group,
the number in the group, start and end dates, paid hours and pro-bono hours, with totals. Rows
come from the `coaching_log` metric (the sessions credential progress counts). Clients appear by
pseudonym; given the coach's own export and key (`records.log_names`), names and contacts are
filled in. Left out, each counted in a line under the totals: clients whose `icf_log_consent`
is false (the ICF asks that clients who did not agree are not listed) and groups above
`icf_max_group_size`, which the ICF does not count. A group's non-consenting members are not
named. The file is written owner-only (`outputs.write_private`); a CSV is formula-safe
(`exports.safe_csv`) and a workbook stores text as text (`exports.XLSX_OPTIONS`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from trc_analytics.exports import XLSX_OPTIONS, safe_csv
from trc_analytics.metrics.credential_progress import (
    coaching_log,
    counted_sessions,
    group_presence,
)
from trc_analytics.outputs import write_private
from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.records.workspace import Workspace
from trc_analytics.scope import Scope

#: The file formats, by suffix.
SUFFIXES = (".xlsx", ".csv")
#: The log's columns, as the ICF's log names them (Name and Contact only with names).
COLUMNS = (
    "Client",
    "Name",
    "Contact",
    "Individual or group",
    "Number in group",
    "Start date",
    "End date",
    "Paid hours",
    "Pro-bono hours",
)
TOTAL = "Total"


@dataclass(frozen=True)
class CoachingLog:
    """The log's rows (with the total row last) and the lines under it."""

    table: pl.DataFrame
    lines: tuple[str, ...]
    clients: int
    groups: int
    paid_hours: float
    pro_bono_hours: float
    left_out_clients: int
    left_out_groups: int
    named: int | None = None  # clients given a name from the export (None: no names asked)


def build_log(
    ws: Workspace,
    coach: str,
    *,
    as_of: dt.date,
    policy: Policy | None = None,
    names: pl.DataFrame | None = None,
) -> CoachingLog:
    """The log of one coach as of a day (`names`: client_id, name, contact from the export)."""
    sc = Scope.make(ws, Period(as_of, as_of), coaches=coach, policy=policy)
    rows = coaching_log.metric.lazy(sc).collect()  # type: ignore[attr-defined]
    refused = rows.filter(pl.col("log_consent") == False)  # noqa: E712 (null: a group)
    over = rows.filter(pl.col("over_cap"))
    kept = rows.filter((pl.col("log_consent") != False).fill_null(True) & ~pl.col("over_cap"))  # noqa: E712
    table = _display(kept, _group_names(sc, names) if names is not None else None, names)
    paid, free = float(kept["paid_hours"].sum()), float(kept["pro_bono_hours"].sum())
    total = {c: None for c in table.columns} | {
        "Client": TOTAL,
        "Paid hours": round(paid, 2),
        "Pro-bono hours": round(free, 2),
    }
    lines = _lines(sc, refused, over, policy or Policy(), as_of)
    named = None
    if names is not None:
        individual = table.filter(pl.col("Individual or group") == "individual")
        named = individual.filter(pl.col("Name").is_not_null()).height
    return CoachingLog(
        table=pl.concat([table, pl.DataFrame([total], schema=table.schema)]),
        lines=lines,
        clients=kept.filter(pl.col("kind") == "individual").height,
        groups=kept.filter(pl.col("kind") == "group").height,
        paid_hours=paid,
        pro_bono_hours=free,
        left_out_clients=refused.height,
        left_out_groups=over.height,
        named=named,
    )


def _display(
    kept: pl.DataFrame, group_names: pl.DataFrame | None, names: pl.DataFrame | None
) -> pl.DataFrame:
    """The rows in the log's columns: pseudonym (or "group ..."), names when given."""
    frame = kept.with_columns(
        Client=pl.when(pl.col("kind") == "group")
        .then(pl.lit("group ") + pl.col("group_id"))
        .otherwise(pl.col("client_id"))
    )
    if names is not None and group_names is not None:
        frame = frame.join(names, on="client_id", how="left").join(
            group_names, on="group_id", how="left"
        )
        frame = frame.with_columns(
            Name=pl.coalesce("name", "member_names"), Contact=pl.col("contact")
        )
    columns = [c for c in COLUMNS if names is not None or c not in ("Name", "Contact")]
    return frame.select(
        *[c for c in ("Client", "Name", "Contact") if c in columns],
        pl.col("kind").alias("Individual or group"),
        pl.col("group_size").alias("Number in group"),
        pl.col("started_on").alias("Start date"),
        pl.col("ended_on").alias("End date"),
        pl.col("paid_hours").round(2).alias("Paid hours"),
        pl.col("pro_bono_hours").round(2).alias("Pro-bono hours"),
    )


def _group_names(sc: Scope, names: pl.DataFrame) -> pl.DataFrame:
    """group_id, member_names: the names of a group's members present at its counted sessions
    ("; "-separated, sorted), leaving out members whose `icf_log_consent` is false."""
    refused = sc.table("clients").filter(pl.col("icf_log_consent") == False)  # noqa: E712
    present = (
        group_presence(sc, counted_sessions(sc))
        .unique()
        .join(refused.select("client_id"), on="client_id", how="anti")
        .collect()
        .cast({"group_id": pl.String(), "client_id": pl.String()})  # the scope codes ids
    )
    return (
        present.join(names, on="client_id", how="inner")
        .filter(pl.col("name").is_not_null())
        .group_by("group_id")
        .agg(member_names=pl.col("name").sort().str.join("; "))
    )


def _lines(
    sc: Scope, refused: pl.DataFrame, over: pl.DataFrame, policy: Policy, as_of: dt.date
) -> tuple[str, ...]:
    """The lines under the totals: what the log counts, and what it leaves out."""
    started = (
        sc.table("coaches").select("coach_training_started_on").collect().to_series().to_list()
    )
    since = (
        f"from {started[0].isoformat()} (the start of coach-specific training)"
        if started and started[0]
        else "from the first held session on record (no training start recorded)"
    )
    lines = [f"Held coaching sessions {since} to {as_of.isoformat()}."]
    if (forward := _brought_forward_line(sc)) is not None:
        lines.append(forward)
    if refused.height:
        hours = float(refused["paid_hours"].sum() + refused["pro_bono_hours"].sum())
        lines.append(
            f"Left out: {_count(refused.height, 'client')} who did not agree to appear in the "
            f"log (icf_log_consent = false), {hours:g} hours."
        )
    if over.height:
        hours = float(over["paid_hours"].sum() + over["pro_bono_hours"].sum())
        lines.append(
            f"Left out: {_count(over.height, 'group')} of more than "
            f"{policy.icf_max_group_size} members, {hours:g} hours (not counted as coaching "
            "experience)."
        )
    return tuple(lines)


def _brought_forward_line(sc: Scope) -> str | None:
    """The hours an earlier log brought forward (`coaches.prior_*`), which have no per-client
    rows here; None when none were."""
    prior = sc.table("coaches").select(
        "prior_coaching_hours", "prior_paid_hours", "prior_clients", "prior_hours_until"
    )
    rows = prior.collect().rows()
    if not rows:
        return None
    total, paid, clients, until = rows[0]
    if not (total or clients):
        return None
    total = float(total or 0)
    paid = min(float(paid or 0), total)
    upto = f" to {until.isoformat()}" if until else ""
    left = f"; sessions on or before {until.isoformat()} are not listed above" if until else ""
    return (
        f"Brought forward from the earlier log{upto}: {total:g} hours ({paid:g} paid, "
        f"{total - paid:g} pro bono) and {_count(int(clients or 0), 'client')}, not listed "
        f"client by client (no records here){left}."
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def write_log(log: CoachingLog, path: str | Path) -> Path:
    """Write the log owner-only as .xlsx or .csv (by suffix); the lines follow the totals."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        notes = pl.DataFrame({"Client": ["", *log.lines]}).with_columns(
            pl.lit(None, dtype).alias(name)
            for name, dtype in log.table.schema.items()
            if name != "Client"
        )
        frame = pl.concat([log.table, notes.select(log.table.columns)], how="vertical_relaxed")
        return write_private(target, safe_csv(frame))
    if suffix == ".xlsx":
        return write_private(target, _workbook(log))
    raise ValueError(f"{target.name}: the log is written as .xlsx or .csv")


def _workbook(log: CoachingLog) -> bytes:
    """The log as one sheet: bold header, rows, the total row in bold, then the lines."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **XLSX_OPTIONS})
    ws = wb.add_worksheet("Coaching log")
    bold, day = wb.add_format({"bold": True}), wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, log.table.columns, bold)
    for r, values in enumerate(log.table.iter_rows(), start=1):
        fmt = bold if values[0] == TOTAL else None
        for c, value in enumerate(values):
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), day)
            elif isinstance(value, str):
                ws.write_string(r, c, value, fmt)
            elif value is not None:
                ws.write_number(r, c, value, fmt)
    for i, line in enumerate(log.lines):
        ws.write_string(log.table.height + 2 + i, 0, line)
    ws.set_column(0, len(log.table.columns) - 1, 16)
    wb.close()
    return buf.getvalue()
