"""Time and peak memory of every metric and every check, beside the headline set written by hand.

    python benchmarks/bench_metrics.py [--sessions 1000000 5000000] [--runs 3]

For each size, a Parquet demo workspace (`trc_analytics.demo`) with about that many sessions is
generated once and cached under `benchmarks/data/` (git-ignored). Then, each measurement in its
own subprocess (so peak RSS belongs to it alone), association-wide over the whole window:

- package         `load_workspace` (validation included) + every metric + every check
- package-compute Parquet read into a `Workspace` + every metric + every check (no validation)
- package-headline Parquet read into a `Workspace` + the headline set through the package's
                  public metrics (`compute_all` of the five metrics behind it, `run_checks` of
                  SAFE-SRA for the sixth)
- polars          the headline set written directly in lazy polars over the Parquet files
- duckdb          the headline set in DuckDB SQL over the Parquet files
- pandas          the headline set in idiomatic pandas

The headline set: active caseload per coach-month, sessions/hours by fee type, pro-bono share per
coach-quarter, share of hours outside declared competence, first sessions without a safety
assessment, referrals by reason. The three hand-written versions must agree with each other, and
five of the six with the package's metrics (checked and printed; a benchmark that computes
different things measures nothing). The sixth, first sessions without an assessment (per coach
and client, any assessment of the client), is simpler than the SAFE-SRA check (per coaching
relationship, assessments naming it) and is compared among the hand-written three only.
Figures: median of the runs; wall time, CPU time (all threads) and peak RSS of the child.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
MONTHS = 36
START = dt.date(2023, 11, 1)  # 36 months end 2026-10-31: no future dates
SEED = 7
KINDS = ("package", "package-compute", "package-headline", "polars", "duckdb", "pandas")
#: The package's public metrics behind the headline set (plus the SAFE-SRA check's plan).
HEADLINE_METRICS = (
    "active_clients_by_month",
    "fee_mix",
    "affordable_share_by_quarter",
    "outside_competence",
    "referrals_by",
)
#: the headline outputs, each sorted by these keys; values compared to 1e-9
HEADLINE_KEYS = {
    "active_caseload": ["coach_id", "month"],
    "fee_type": ["coach_id", "fee_type"],
    "pro_bono_share": ["coach_id", "quarter"],
    "outside_competence": ["coach_id"],
    "first_without_sra": ["coach_id"],
    "referrals_by_reason": ["coach_id", "reason"],
}


# --- data -----------------------------------------------------------------------------------


def workspace_for(sessions: int) -> Path:
    """A cached Parquet demo workspace with about `sessions` sessions (generated when absent)."""
    folder = DATA / f"sessions-{sessions}"
    manifest = DATA / f"sessions-{sessions}.json"  # beside it: the folder holds tables only
    if manifest.exists():
        return folder
    from trc_analytics.demo import generate_demo, write_demo

    probe = generate_demo(coaches=60, months=MONTHS, start=START, seed=SEED)
    per_coach = probe["sessions"].height / 60
    coaches = max(60, math.ceil(sessions / per_coach))
    print(f"generating ~{sessions:,} sessions ({coaches} coaches x {MONTHS} months) in {folder}")
    t = time.perf_counter()
    demo = write_demo(
        folder, format="parquet", coaches=coaches, months=MONTHS, start=START, seed=SEED, force=True
    )
    count = demo.frames["sessions"].height
    info = {
        "coaches": coaches,
        "months": MONTHS,
        "sessions": count,
        "seconds": time.perf_counter() - t,
    }
    manifest.write_text(json.dumps(info), encoding="utf-8")
    print(f"  {count:,} sessions in {info['seconds']:.1f} s")
    return folder


def window() -> tuple[dt.date, dt.date]:
    end = dt.date(
        START.year + (START.month - 1 + MONTHS) // 12, (START.month - 1 + MONTHS) % 12 + 1, 1
    )
    return START, end - dt.timedelta(days=1)


# --- the headline set, three ways -----------------------------------------------------------


def headline_polars(folder: Path, start: dt.date, end: dt.date) -> dict:
    """The headline set in lazy polars, straight from the Parquet files."""
    import polars as pl

    def scan(name: str) -> pl.LazyFrame:
        return pl.scan_parquet(folder / f"{name}.parquet")

    p0, p1 = pl.lit(start), pl.lit(end)
    held = (
        scan("sessions")
        .filter((pl.col("status") == "held") & pl.col("held_on").is_between(p0, p1))
        .select(
            "coach_id", "client_id", "engagement_id", "held_on", "duration_min", "fee_type", "area"
        )
    )
    eng = scan("engagements")
    members = scan("group_members").select(
        "group_id", member=pl.col("client_id"), joined_on="joined_on", left_on="left_on"
    )
    present = (
        held.filter(pl.col("client_id").is_null())
        .join(eng.select("engagement_id", "group_id"), on="engagement_id")
        .join(members, on="group_id")
        .filter(
            (pl.col("joined_on") <= pl.col("held_on"))
            & (pl.col("left_on").is_null() | (pl.col("left_on") >= pl.col("held_on")))
        )
        .select("coach_id", "engagement_id", "held_on", client_id="member")
    )
    attendance = pl.concat(
        [
            held.filter(pl.col("client_id").is_not_null()).select(
                "coach_id", "engagement_id", "held_on", "client_id"
            ),
            present,
        ]
    )
    open_eng = eng.filter(
        (pl.col("started_on") <= p1) & (pl.col("ended_on").is_null() | (pl.col("ended_on") >= p0))
    ).with_columns(
        a=pl.max_horizontal("started_on", p0),
        b=pl.min_horizontal(pl.col("ended_on").fill_null(p1), p1),
    )
    month_range = pl.date_ranges(
        pl.col("a").dt.truncate("1mo"), pl.col("b").dt.truncate("1mo"), "1mo"
    )
    open_single = (
        open_eng.filter(pl.col("client_id").is_not_null())
        .select("coach_id", "client_id", month=month_range)
        .explode("month")
    )
    open_group = (
        open_eng.filter(pl.col("client_id").is_null())
        .join(members, on="group_id")
        .with_columns(
            a=pl.max_horizontal("a", "joined_on"),
            b=pl.min_horizontal("b", pl.col("left_on").fill_null(p1)),
        )
        .filter(pl.col("a") <= pl.col("b"))
        .select("coach_id", client_id="member", month=month_range)
        .explode("month")
    )
    active = (
        pl.concat(
            [
                attendance.select(
                    "coach_id", "client_id", month=pl.col("held_on").dt.truncate("1mo")
                ),
                open_single,
                open_group,
            ]
        )
        .unique()
        .group_by("coach_id", "month")
        .agg(active_clients=pl.len())
    )
    hours = pl.col("duration_min") / 60
    fee = held.group_by("coach_id", "fee_type").agg(sessions=pl.len(), hours=hours.sum())
    quarter = held.group_by("coach_id", quarter=pl.col("held_on").dt.truncate("1q")).agg(
        pro_bono_share=hours.filter(pl.col("fee_type") == "pro_bono").sum() / hours.sum()
    )
    declared = (
        scan("competencies")
        .filter(pl.col("basis") != "lived_experience")
        .group_by("coach_id", "area")
        .agg(pl.col("declared_on").min())
    )
    outside = (
        held.join(declared, on=["coach_id", "area"], how="left")
        .group_by("coach_id")
        .agg(
            undeclared_share=hours.filter(
                pl.col("declared_on").is_null() | (pl.col("declared_on") > pl.col("held_on"))
            ).sum()
            / hours.sum()
        )
    )
    relationship = eng.filter(
        pl.col("coaching_relationship") & pl.col("format").is_in(["one_to_one", "group", "retreat"])
    ).select("engagement_id")
    assessed = (
        scan("safety_assessments").group_by("client_id").agg(first_sra=pl.col("assessed_on").min())
    )
    without_sra = (
        attendance.join(relationship, on="engagement_id", how="semi")
        .group_by("coach_id", "client_id")
        .agg(first_session=pl.col("held_on").min())
        .join(assessed, on="client_id", how="left")
        .group_by("coach_id")
        .agg(
            first_without_sra=(
                pl.col("first_sra").is_null() | (pl.col("first_sra") > pl.col("first_session"))
            ).sum()
        )
    )
    referrals = (
        scan("referrals")
        .filter(pl.col("referred_on").is_between(p0, p1))
        .group_by("coach_id", "reason")
        .agg(referrals=pl.len())
    )
    names = list(HEADLINE_KEYS)
    frames = pl.collect_all([active, fee, quarter, outside, without_sra, referrals])
    return dict(zip(names, frames, strict=True))


def headline_duckdb(folder: Path, start: dt.date, end: dt.date) -> dict:
    """The headline set in DuckDB SQL over the Parquet files."""
    import duckdb

    con = duckdb.connect()
    for name in (
        "sessions", "engagements", "group_members", "competencies", "safety_assessments",
        "referrals",
    ):  # fmt: skip
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{folder / name}.parquet')")
    p0, p1 = f"DATE '{start}'", f"DATE '{end}'"
    con.execute(f"""
        CREATE TEMP TABLE held AS
        SELECT coach_id, client_id, engagement_id, held_on, duration_min, fee_type, area
        FROM sessions WHERE status = 'held' AND held_on BETWEEN {p0} AND {p1}""")
    con.execute("""
        CREATE TEMP TABLE attendance AS
        SELECT coach_id, engagement_id, held_on, client_id FROM held WHERE client_id IS NOT NULL
        UNION ALL
        SELECT h.coach_id, h.engagement_id, h.held_on, m.client_id
        FROM held h JOIN engagements e USING (engagement_id)
        JOIN group_members m ON m.group_id = e.group_id
        WHERE h.client_id IS NULL AND m.joined_on <= h.held_on
          AND (m.left_on IS NULL OR m.left_on >= h.held_on)""")
    queries = {
        "active_caseload": f"""
            WITH open_eng AS (
                SELECT coach_id, client_id, group_id,
                       greatest(started_on, {p0}) AS a,
                       least(coalesce(ended_on, {p1}), {p1}) AS b
                FROM engagements
                WHERE started_on <= {p1} AND (ended_on IS NULL OR ended_on >= {p0})),
            spans AS (
                SELECT coach_id, client_id, a, b FROM open_eng WHERE client_id IS NOT NULL
                UNION ALL
                SELECT o.coach_id, m.client_id, greatest(o.a, m.joined_on),
                       least(o.b, coalesce(m.left_on, {p1}))
                FROM open_eng o JOIN group_members m USING (group_id)
                WHERE o.client_id IS NULL
                  AND greatest(o.a, m.joined_on) <= least(o.b, coalesce(m.left_on, {p1}))),
            months AS (
                SELECT coach_id, client_id,
                       unnest(generate_series(date_trunc('month', a), date_trunc('month', b),
                                              INTERVAL 1 MONTH))::DATE AS month
                FROM spans
                UNION
                SELECT coach_id, client_id, date_trunc('month', held_on)::DATE FROM attendance)
            SELECT coach_id, month, count(*) AS active_clients FROM months GROUP BY ALL""",
        "fee_type": """
            SELECT coach_id, fee_type, count(*) AS sessions, sum(duration_min) / 60 AS hours
            FROM held GROUP BY ALL""",
        "pro_bono_share": """
            SELECT coach_id, date_trunc('quarter', held_on)::DATE AS quarter,
                   coalesce(sum(duration_min) FILTER (fee_type = 'pro_bono'), 0)
                       / sum(duration_min) AS pro_bono_share
            FROM held GROUP BY ALL""",
        "outside_competence": """
            SELECT h.coach_id,
                   coalesce(sum(h.duration_min) FILTER (c.declared_on IS NULL
                                                     OR c.declared_on > h.held_on), 0)
                       / sum(h.duration_min) AS undeclared_share
            FROM held h LEFT JOIN (
                SELECT coach_id, area, min(declared_on) AS declared_on FROM competencies
                WHERE basis <> 'lived_experience' GROUP BY ALL) c USING (coach_id, area)
            GROUP BY ALL""",
        "first_without_sra": """
            WITH firsts AS (
                SELECT a.coach_id, a.client_id, min(a.held_on) AS first_session
                FROM attendance a JOIN engagements e USING (engagement_id)
                WHERE e.coaching_relationship AND e.format IN ('one_to_one', 'group', 'retreat')
                GROUP BY ALL),
            sra AS (SELECT client_id, min(assessed_on) AS first_sra
                    FROM safety_assessments GROUP BY ALL)
            SELECT f.coach_id,
                   count(*) FILTER (s.first_sra IS NULL OR s.first_sra > f.first_session)
                       AS first_without_sra
            FROM firsts f LEFT JOIN sra s USING (client_id) GROUP BY ALL""",
        "referrals_by_reason": f"""
            SELECT coach_id, reason, count(*) AS referrals FROM referrals
            WHERE referred_on BETWEEN {p0} AND {p1} GROUP BY ALL""",
    }
    return {name: con.sql(sql).pl() for name, sql in queries.items()}


def headline_pandas(folder: Path, start: dt.date, end: dt.date) -> dict:
    """The headline set in idiomatic pandas (vectorized; no row loops)."""
    import numpy as np
    import pandas as pd

    def read(name: str, columns: list[str]) -> pd.DataFrame:
        return pd.read_parquet(folder / f"{name}.parquet", columns=columns)

    p0, p1 = pd.Timestamp(start), pd.Timestamp(end)
    s = read("sessions", [
        "coach_id", "client_id", "engagement_id", "held_on", "duration_min", "status",
        "fee_type", "area",
    ])  # fmt: skip
    s["held_on"] = pd.to_datetime(s["held_on"])
    held = s[(s["status"] == "held") & s["held_on"].between(p0, p1)].drop(columns="status")
    held["hours"] = held["duration_min"] / 60
    eng = read("engagements", [
        "engagement_id", "coach_id", "client_id", "group_id", "format", "coaching_relationship",
        "started_on", "ended_on",
    ])  # fmt: skip
    for c in ("started_on", "ended_on"):
        eng[c] = pd.to_datetime(eng[c])
    members = read("group_members", ["group_id", "client_id", "joined_on", "left_on"])
    for c in ("joined_on", "left_on"):
        members[c] = pd.to_datetime(members[c])

    single = held.loc[
        held["client_id"].notna(), ["coach_id", "engagement_id", "held_on", "client_id"]
    ]
    grp = held[held["client_id"].isna()].merge(
        eng[["engagement_id", "group_id"]], on="engagement_id"
    )
    grp = grp.drop(columns="client_id").merge(members, on="group_id")
    grp = grp[
        (grp["joined_on"] <= grp["held_on"])
        & (grp["left_on"].isna() | (grp["left_on"] >= grp["held_on"]))
    ]
    attendance = pd.concat([single, grp[["coach_id", "engagement_id", "held_on", "client_id"]]])

    def month_index(d: pd.Series) -> pd.Series:
        return d.dt.year * 12 + d.dt.month - 1

    open_eng = eng[
        (eng["started_on"] <= p1) & (eng["ended_on"].isna() | (eng["ended_on"] >= p0))
    ].copy()
    open_eng["a"] = open_eng["started_on"].clip(lower=p0)
    open_eng["b"] = open_eng["ended_on"].fillna(p1).clip(upper=p1)
    grp_open = (
        open_eng[open_eng["client_id"].isna()]
        .drop(columns="client_id")
        .merge(members, on="group_id")
    )
    grp_open["a"] = grp_open[["a", "joined_on"]].max(axis=1)
    grp_open["b"] = grp_open[["b", "left_on"]].min(axis=1)
    grp_open = grp_open[grp_open["a"] <= grp_open["b"]]
    spans = pd.concat([open_eng[open_eng["client_id"].notna()], grp_open], ignore_index=True)[
        ["coach_id", "client_id", "a", "b"]
    ]
    first, last = month_index(spans["a"]), month_index(spans["b"])
    count = (last - first + 1).to_numpy()
    expanded = spans.loc[spans.index.repeat(count), ["coach_id", "client_id"]]
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    expanded = expanded.reset_index(drop=True).assign(m=np.repeat(first.to_numpy(), count) + offset)
    seen = attendance[["coach_id", "client_id"]].assign(
        m=month_index(attendance["held_on"]).to_numpy()
    )
    months = pd.concat([expanded, seen]).drop_duplicates()
    active = months.groupby(["coach_id", "m"]).size().rename("active_clients").reset_index()
    active["month"] = pd.to_datetime(
        {"year": active["m"] // 12, "month": active["m"] % 12 + 1, "day": 1}
    ).dt.date
    active = active.drop(columns="m")

    fee = (
        held.groupby(["coach_id", "fee_type"])
        .agg(sessions=("hours", "size"), hours=("hours", "sum"))
        .reset_index()
    )
    held["quarter"] = held["held_on"].dt.to_period("Q").dt.start_time.dt.date
    held["pro_bono_hours"] = held["hours"].where(held["fee_type"] == "pro_bono", 0.0)
    q = held.groupby(["coach_id", "quarter"])[["pro_bono_hours", "hours"]].sum().reset_index()
    q["pro_bono_share"] = q["pro_bono_hours"] / q["hours"]
    comp = read("competencies", ["coach_id", "area", "basis", "declared_on"])
    comp = comp[comp["basis"] != "lived_experience"]
    comp = comp.groupby(["coach_id", "area"], observed=True)["declared_on"].min().reset_index()
    comp["declared_on"] = pd.to_datetime(comp["declared_on"])
    marked = held.merge(comp, on=["coach_id", "area"], how="left")
    undeclared = marked["declared_on"].isna() | (marked["declared_on"] > marked["held_on"])
    marked["undeclared_hours"] = marked["hours"].where(undeclared, 0.0)
    out = marked.groupby("coach_id")[["undeclared_hours", "hours"]].sum().reset_index()
    out["undeclared_share"] = out["undeclared_hours"] / out["hours"]
    rel = eng.loc[
        eng["coaching_relationship"] & eng["format"].isin(["one_to_one", "group", "retreat"]),
        ["engagement_id"],
    ]
    firsts = (
        attendance.merge(rel, on="engagement_id")
        .groupby(["coach_id", "client_id"])["held_on"]
        .min()
    )
    sra = read("safety_assessments", ["client_id", "assessed_on"])
    sra = pd.to_datetime(sra["assessed_on"]).groupby(sra["client_id"]).min().rename("first_sra")
    firsts = firsts.rename("first_session").reset_index().merge(sra, on="client_id", how="left")
    firsts["lacking"] = firsts["first_sra"].isna() | (firsts["first_sra"] > firsts["first_session"])
    without = firsts.groupby("coach_id")["lacking"].sum().rename("first_without_sra").reset_index()
    refs = read("referrals", ["coach_id", "reason", "referred_on"])
    refs = refs[pd.to_datetime(refs["referred_on"]).between(p0, p1)]
    by_reason = refs.groupby(["coach_id", "reason"]).size().rename("referrals").reset_index()
    return {
        "active_caseload": active[["coach_id", "month", "active_clients"]],
        "fee_type": fee,
        "pro_bono_share": q[["coach_id", "quarter", "pro_bono_share"]],
        "outside_competence": out[["coach_id", "undeclared_share"]],
        "first_without_sra": without,
        "referrals_by_reason": by_reason,
    }


# --- the package ----------------------------------------------------------------------------


def package(
    folder: Path, start: dt.date, end: dt.date, *, validate: bool, headline: bool = False
) -> tuple[dict, dict]:
    """Every metric and every check through the package (or, with `headline`, the headline
    metrics and SAFE-SRA only); returns comparable frames and phases."""
    import polars as pl

    from trc_analytics.checks import run_checks
    from trc_analytics.metrics import compute_all
    from trc_analytics.period import Period
    from trc_analytics.policy import Policy

    phases = {}
    t = time.perf_counter()
    if validate:
        from trc_analytics.records.load import load_workspace

        ws = load_workspace(folder)
    else:
        ws = unvalidated_workspace(folder)
    phases["load"] = time.perf_counter() - t
    period, policy = Period(start, end), Policy()
    t = time.perf_counter()
    metrics = compute_all(ws, period, policy=policy, names=HEADLINE_METRICS if headline else None)
    phases["metrics"] = time.perf_counter() - t
    t = time.perf_counter()
    checks = run_checks(ws, period, policy, checks=["SAFE-SRA"] if headline else None)
    phases["checks"] = time.perf_counter() - t
    phases["findings"] = checks.findings.height
    comparable = {
        "active_caseload": metrics["active_clients_by_month"].filter(pl.col("active_clients") > 0),
        "fee_type": metrics["fee_mix"].select("coach_id", "fee_type", "sessions", "hours"),
        "pro_bono_share": metrics["affordable_share_by_quarter"]
        .filter(pl.col("hours") > 0)
        .select("coach_id", "quarter", "pro_bono_share"),
        "outside_competence": metrics["outside_competence"]
        .filter(pl.col("hours") > 0)
        .select("coach_id", "undeclared_share"),
        "referrals_by_reason": metrics["referrals_by"]
        .group_by("coach_id", "reason")
        .agg(pl.col("referrals").sum()),
    }
    return comparable, phases


def unvalidated_workspace(folder: Path):
    """The Parquet workspace in the shape `load_workspace` hands it over (the sessions held as
    a scan of their file, every other table read), without validating it."""
    import polars as pl

    from trc_analytics.records.load import SCANNED, table_scan
    from trc_analytics.records.workspace import Workspace

    files = sorted(folder.glob("*.parquet"))
    ws = Workspace.from_frames({p.stem: pl.read_parquet(p) for p in files if p.stem not in SCANNED})
    for p in files:
        if p.stem in SCANNED:
            ws.scans[p.stem] = table_scan(ws.schema[p.stem], p)
    return ws


# --- one measurement per process ------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process (all threads): steadier than wall time on a busy machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mib() -> float:
    """Peak resident memory of this process in MiB.

    VmHWM is reset by exec; getrusage's ru_maxrss is not (a child started from a big parent
    would report the parent's peak), so /proc is read when it exists.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, folder: Path, out: Path) -> None:
    """Run one measurement, write its frames to `out`, print time and peak RSS as JSON."""
    import polars as pl

    start, end = window()
    phases: dict = {}
    if kind == "polars":
        import polars  # noqa: F401  (import time is not measured)
    elif kind == "duckdb":
        import duckdb  # noqa: F401
    elif kind == "pandas":
        import pandas  # noqa: F401
    else:
        import trc_analytics.checks
        import trc_analytics.metrics  # noqa: F401
    t, cpu = time.perf_counter(), cpu_seconds()
    if kind == "polars":
        frames = headline_polars(folder, start, end)
    elif kind == "duckdb":
        frames = headline_duckdb(folder, start, end)
    elif kind == "pandas":
        frames = headline_pandas(folder, start, end)
    else:
        frames, phases = package(
            folder, start, end, validate=kind == "package", headline=kind == "package-headline"
        )
    seconds, cpu = time.perf_counter() - t, cpu_seconds() - cpu
    peak = peak_mib()
    out.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        frame = df if isinstance(df, pl.DataFrame) else pl.from_pandas(df)
        frame.write_parquet(out / f"{name}.parquet")
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mib": peak, "phases": phases}))


def measure(kind: str, folder: Path, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--folder", str(folder), "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(results: Path, kinds: list[str]) -> list[str]:
    """Differences between the kinds' headline frames (empty when they all agree)."""
    import polars as pl
    import polars.selectors as cs
    from polars.testing import assert_frame_equal

    problems = []
    for name, keys in HEADLINE_KEYS.items():
        frames = {}
        for kind in kinds:
            path = results / kind / f"{name}.parquet"
            if not path.exists():
                continue  # the package counts SAFE-SRA per coaching relationship instead
            df = pl.read_parquet(path)
            df = df.with_columns(
                cs.datetime().cast(pl.Date), (cs.numeric() - cs.by_name(keys)).cast(pl.Float64)
            )
            frames[kind] = df.select(sorted(df.columns)).sort(keys)
        if not frames:
            continue  # no measurement asked for computes this one
        base_kind, base = next(iter(frames.items()))
        for kind, df in frames.items():
            try:
                assert_frame_equal(df, base, check_dtypes=False, abs_tol=1e-9)
            except AssertionError as exc:
                problems.append(f"{name}: {kind} differs from {base_kind}: {str(exc)[:300]}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--json", type=Path, help="also write the medians to this file (for bench_issue13.py)"
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder, args.out)
        return
    figures: list[dict] = []
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start")
    for size in args.sessions:
        folder = workspace_for(size)
        info = json.loads((DATA / f"sessions-{size}.json").read_text(encoding="utf-8"))
        start, end = window()
        print(
            f"\n{info['sessions']:,} sessions, {info['coaches']} coaches, {start} to {end}, "
            f"{args.runs} runs each (median)"
        )
        with tempfile.TemporaryDirectory() as tmp:
            runs: dict[str, list[dict]] = {k: [] for k in args.kinds}
            for _ in range(args.runs):
                for kind in args.kinds:
                    runs[kind].append(measure(kind, folder, Path(tmp) / kind))
            problems = compare(Path(tmp), args.kinds)
        report(runs, problems)
        figures.append({"sessions": info["sessions"], "kinds": medians(runs), "differ": problems})
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


def medians(runs: dict[str, list[dict]]) -> dict[str, dict[str, float]]:
    """Median wall (`seconds`), `cpu` and `peak_mib` of every measured kind."""
    return {
        kind: {f: statistics.median(r[f] for r in rs) for f in ("seconds", "cpu", "peak_mib")}
        for kind, rs in runs.items()
    }


def report(runs: dict[str, list[dict]], problems: list[str]) -> None:
    def median(kind: str, field: str) -> float:
        return statistics.median(r[field] for r in runs[kind])

    print(
        f"{'measurement':<17}{'wall s':>8}{'cpu s':>8}{'peak MiB':>10}"
        f"{'wall/polars':>13}{'pandas/wall':>13}{'cpu/polars':>12}{'pandas/cpu':>12}"
    )
    for kind in runs:
        wall, cpu, peak = median(kind, "seconds"), median(kind, "cpu"), median(kind, "peak_mib")
        ratios = []
        for base, mine, field in (
            ("polars", wall, "seconds"),
            ("pandas", wall, "seconds"),
            ("polars", cpu, "cpu"),
            ("pandas", cpu, "cpu"),
        ):
            if base not in runs:
                ratios.append("-")
            elif base == "polars":
                ratios.append(f"{mine / median(base, field):.2f}")
            else:
                ratios.append(f"{median(base, field) / mine:.2f}")
        print(
            f"{kind:<17}{wall:>8.2f}{cpu:>8.2f}{peak:>10.0f}"
            f"{ratios[0]:>13}{ratios[1]:>13}{ratios[2]:>12}{ratios[3]:>12}"
        )
    for kind in ("package", "package-compute", "package-headline"):
        if kind in runs:
            phases = {
                p: statistics.median(r["phases"][p] for r in runs[kind])
                for p in ("load", "metrics", "checks")
            }
            findings = runs[kind][0]["phases"]["findings"]
            print(
                f"  {kind} (wall): "
                + ", ".join(f"{p} {s:.2f} s" for p, s in phases.items())
                + f"; {findings:,} findings"
            )
    targets(runs, median)
    if problems:
        print("RESULTS DIFFER:")
        for p in problems:
            print("  " + p)
    else:
        print("the headline results agree across every measurement")


#: Issue 13's targets: (label, measured kind, reference kind, bound, how the ratio is read).
TARGETS = (
    ("headline via public metrics <= 1.2x polars", "package-headline", "polars", 1.2, "x/ref"),
    ("all metrics + checks <= 2x polars", "package-compute", "polars", 2.0, "x/ref"),
    ("all metrics + checks >= 4x faster than pandas", "package-compute", "pandas", 4.0, "ref/x"),
)


def targets(runs: dict[str, list[dict]], median) -> None:
    """Each target of issue 13 on wall and CPU time, met or missed by how much; peak memory."""
    print("targets (wall; cpu):")
    for label, kind, ref, bound, how in TARGETS:
        if kind not in runs or ref not in runs:
            continue
        parts = []
        for field in ("seconds", "cpu"):
            x, r = median(kind, field), median(ref, field)
            ratio = x / r if how == "x/ref" else r / x
            met = ratio <= bound if how == "x/ref" else ratio >= bound
            parts.append(
                f"{ratio:.2f} {'met' if met else f'missed by {abs(ratio / bound - 1):.0%}'}"
            )
        print(f"  {label:<48}{'; '.join(parts)}")
    if "package-compute" in runs:
        peak = median("package-compute", "peak_mib")
        state = "met" if peak <= 1024 else f"missed by {peak / 1024 - 1:.0%}"
        print(f"  {'all metrics + checks peak <= 1 GiB (at 5M)':<48}{peak:.0f} MiB {state}")


if __name__ == "__main__":
    main()
