"""Turn internal frames (row-number keys) into the 18 schema tables with readable ids.

Ids follow the order users read the files in: clients by intake, engagements by start, sessions
by date, and so on. Columns, order and dtypes come from the schema (`Workspace.from_frames`).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from trc_analytics.demo.actions import agreed_hours, build_actions
from trc_analytics.demo.coaches import Roster
from trc_analytics.demo.stage import Records
from trc_analytics.records.workspace import Workspace

#: Table -> (own id column, prefix, minimum digits, sort keys) for tables whose id is generated.
ID_SPECS: dict[str, tuple[str, str, int, tuple[str, ...]]] = {
    "safety_assessments": ("assessment_id", "A-", 6, ("assessed_on", "_k", "_c", "_e")),
    "referrals": ("referral_id", "R-", 6, ("referred_on", "_k", "_c", "service_id", "reason")),
    "supervision": ("supervision_id", "SV-", 6, ("met_on", "_k", "reason", "area", "hours")),
    "trainings": ("training_id", "T-", 6, ("completed_on", "_k", "kind", "area", "hours")),
    "disclosures": ("disclosure_id", "D-", 5, ("disclosed_on", "_k", "_c", "basis")),
    "mandatory_reports": ("report_id", "MR-", 5, ("concern_on", "_k", "_c")),
    "community_service": ("activity_id", "CS-", 6, ("held_on", "_k", "kind")),
    "conduct_events": ("event_id", "CE-", 4, ("occurred_on", "_k", "kind")),
    "goals": ("goal_id", "GL-", 6, ("set_on", "_c", "status", "closed_on")),
}
#: Sort order of the tables keyed by their columns rather than a generated id.
SORTS: dict[str, tuple[str, ...]] = {
    "credentials": ("_k", "credential", "certified_on"),
    "competencies": ("_k", "area", "basis"),
    "clients": ("_c",),
    "engagements": ("_e",),
    "group_members": ("_g", "_c"),
    "sessions": ("_s",),
    "vetted_services": ("_k", "vetted_on", "service_id"),
    "measures": ("_c", "instrument", "measured_on"),
}


def _ids(prefix: str, width: int, index: pl.Expr, count: int) -> pl.Expr:
    digits = max(width, len(str(count)))
    return pl.lit(prefix) + (index + 1).cast(pl.String).str.zfill(digits)


def _id_series(prefix: str, width: int, count: int) -> pl.Series:
    return pl.select(_ids(prefix, width, pl.int_range(count), count)).to_series()


def finalize(
    roster: Roster, rec: Records, manifest: pl.DataFrame, *, seed: int, end: dt.date
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """(schema tables by name, manifest with ids), ready to write.

    The supervision cycle (agreed hours, actions answering planted findings) is added last,
    from the planted cases with their readable ids (`demo.actions`, seeded by `seed`)."""
    coach_ids = pl.Series(roster.ids.astype(str))
    n_clients = rec.clients.height
    n_eng = rec.engagements.height
    n_groups = int(rec.engagements["_g"].max() or 0) + 1
    n_sessions = rec.sessions.height

    # Ids are formatted once per entity, then looked up by key (cheap for millions of rows).
    lookups = {
        "_k": ("coach_id", coach_ids),
        "_c": ("client_id", _id_series("CL-", 6, n_clients)),
        "_e": ("engagement_id", _id_series("E-", 6, n_eng)),
        "_g": ("group_id", _id_series("G-", 4, n_groups)),
    }

    def keyed(df: pl.DataFrame) -> pl.DataFrame:
        return df.with_columns(
            pl.lit(ids).gather(pl.col(key)).alias(name)
            for key, (name, ids) in lookups.items()
            if key in df.columns
        )

    tables = {name: getattr(rec, name) for name in Records.__dataclass_fields__}
    out: dict[str, pl.DataFrame] = {"coaches": roster.frame()}
    for name, df in tables.items():
        if name in ID_SPECS:
            col, prefix, width, keys = ID_SPECS[name]
            present = [k for k in keys if k in df.columns]
            df = df.sort(present, nulls_last=True, maintain_order=True)
            df = df.with_columns(_ids(prefix, width, pl.int_range(pl.len()), df.height).alias(col))
        else:
            df = df.sort(list(SORTS[name]), maintain_order=True)
        if name == "sessions":
            df = df.with_columns(_ids("S-", 8, pl.col("_s"), n_sessions).alias("session_id"))
        out[name] = keyed(df)

    # Exit referrals point back at the engagement they close.
    exits = (
        out["referrals"]
        .filter(pl.col("_exit_e").is_not_null())
        .select(pl.col("_exit_e").alias("_e"), pl.col("referral_id").alias("exit_referral_id"))
    )
    out["engagements"] = out["engagements"].join(exits, on="_e", how="left", maintain_order="left")
    # A released client (REFER-ABANDON) keeps no exit referral.
    out["engagements"] = out["engagements"].with_columns(
        exit_referral_id=pl.when(
            pl.col("exit_explained").fill_null(True)
            | (pl.col("end_reason") != "coach_released_client")
        ).then(pl.col("exit_referral_id"))
    )

    frames = {
        name: out[name].drop([c for c in out[name].columns if c.startswith("_")])
        for name in ["coaches", *tables]
    }
    planted = (
        keyed(manifest)
        .select("check_id", "coach_id", "client_id", "engagement_id", "on", "first", "note")
        .sort("check_id", "on", "coach_id", maintain_order=True)
    )
    frames["coaches"] = agreed_hours(seed, frames["coaches"])
    frames["supervision_actions"] = build_actions(seed, planted, end)
    ws = Workspace.from_frames(frames)
    return {name: ws.tables[name] for name in ws.schema.names}, planted
