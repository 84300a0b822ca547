"""Benchmark: the joint audit of one release shaped like the association report.

Builds, with polars straight from a workspace folder (CSV or Parquet), the tables the
association report publishes that add up to one another: held sessions and hours by region and
month, sessions by area, referrals by reason and service type, the vetted share by region and
the REFER-VETTED compliance row; registers them in one `Release` with the relations between
them (the areas add up to all sessions, the reasons to all referrals, the compliance row to the
vetted table) and times `Release.protect()` (primary suppression, the joint attacker audit and
complementary suppression). Prints figures; asserts nothing about time.

    .venv/bin/python benchmarks/bench_release.py WORKSPACE [--from 2026-01-01 --to 2026-06-30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import polars as pl

from trc_analytics.disclosure import ALL, Release
from trc_analytics.policy import Policy


def read(ws: Path, name: str) -> pl.DataFrame:
    """One table of the workspace, Parquet if present, else CSV."""
    parquet = ws / f"{name}.parquet"
    if parquet.exists():
        return pl.read_parquet(parquet)
    return pl.read_csv(ws / f"{name}.csv", try_parse_dates=True, infer_schema_length=10000)


def frames(ws: Path, start: dt.date, end: dt.date) -> dict[str, pl.DataFrame]:
    """Per-coach frames of the report's linked tables for the period."""
    region = read(ws, "coaches").select("coach_id", "region")
    held = (
        read(ws, "sessions")
        .filter((pl.col("status") == "held") & pl.col("held_on").is_between(start, end))
        .select(
            "coach_id",
            "area",
            month=pl.col("held_on").dt.truncate("1mo").dt.strftime("%Y-%m"),
            hours=pl.col("duration_min") / 60.0,
        )
        .join(region, on="coach_id", how="left")
    )
    refs = read(ws, "referrals").filter(pl.col("referred_on").is_between(start, end))
    vetted_on = (
        read(ws, "vetted_services")
        .group_by("coach_id", "service_id")
        .agg(pl.col("vetted_on").min())
    )
    refs = refs.join(vetted_on, on=["coach_id", "service_id"], how="left").with_columns(
        vetted=(pl.col("vetted_on") <= pl.col("referred_on")).fill_null(False)
    )
    by_region = (
        refs.join(region, on="coach_id", how="left")
        .group_by("coach_id", "region")
        .agg(referrals=pl.len(), to_vetted=pl.col("vetted").sum())
    )
    return {
        "sessions": held.group_by("coach_id", "region", "month").agg(sessions=pl.len()),
        "hours": held.group_by("coach_id", "region", "month").agg(pl.col("hours").sum()),
        "areas": held.group_by("coach_id", "area").agg(sessions=pl.len()),
        "reasons": refs.group_by("coach_id", "reason", "service_type").agg(referrals=pl.len()),
        "vetted": by_region,
        "compliance": by_region.select(
            "coach_id", check=pl.lit("REFER-VETTED"), compliant="to_vetted", examined="referrals"
        ),
    }


def build(parts: dict[str, pl.DataFrame], policy: Policy) -> Release:
    """The release: every table and every relation between tables."""
    r = Release(policy)
    who = "coach_id"
    r.add_counts("sessions", parts["sessions"], rows="region", cols="month", value="sessions",
                 contributor=who)  # fmt: skip
    r.add_sums("hours", parts["hours"], rows="region", cols="month", value="hours",
               contributor=who)  # fmt: skip
    r.add_counts("areas", parts["areas"], rows="area", value="sessions", contributor=who)
    r.add_counts("reasons", parts["reasons"], rows="reason", cols="service_type",
                 value="referrals", contributor=who)  # fmt: skip
    r.add_rates("vetted", parts["vetted"], rows="region", numerator="to_vetted",
                denominator="referrals", contributor=who)  # fmt: skip
    r.add_rates("compliance", parts["compliance"], rows="check", numerator="compliant",
                denominator="examined", contributor=who)  # fmt: skip
    regions = parts["vetted"]["region"].unique().to_list()
    r.relate(("sessions", ALL, ALL), [("areas", ALL, None)])
    r.relate(("reasons", ALL, ALL), [("vetted", g, "referrals") for g in regions])
    for ours, theirs in [("examined", "referrals"), ("compliant", "to_vetted")]:
        r.relate(("compliance", "REFER-VETTED", ours), [("vetted", g, theirs) for g in regions])
    return r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--from", dest="start", default="2026-01-01")
    parser.add_argument("--to", dest="end", default="2026-06-30")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    start, end = dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end)
    t0 = time.perf_counter()
    parts = frames(args.workspace, start, end)
    t_frames = time.perf_counter() - t0
    coaches = parts["sessions"]["coach_id"].n_unique()
    print(f"workspace {args.workspace}: {coaches} coaches with held sessions, {start}..{end}")
    print(f"  building the per-coach frames with polars: {t_frames:.2f} s")
    for run in range(args.runs):
        t0 = time.perf_counter()
        release = build(parts, Policy())
        t_reg = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        release.protect()
        t_protect, c_protect = time.perf_counter() - t0, time.process_time() - c0
        public = release.public_figures()
        hidden = sum(v is None for v in public.values())
        refused = [t for t in ("sessions", "hours", "areas", "reasons", "vetted", "compliance")
                   if release.refused(t)]  # fmt: skip
        print(
            f"  run {run + 1}: register {t_reg:.2f} s, protect (joint audit) {t_protect:.2f} s "
            f"({c_protect:.2f} s CPU); "
            f"{len(public)} figures published or hidden, {hidden} hidden, "
            f"{len(release.relations())} relations, refused: {', '.join(refused) or 'none'}"
        )


if __name__ == "__main__":
    main()
