"""Planted findings: a small, configurable share of every ethics check of SPEC section 4.

Each planted case is recorded in the manifest (check, coach, client, engagement, day, how). The
first case of every check falls in the planted period (the README's example period when the
records cover it) and the showcase coach C-0001 gets a few: a late safety assessment, two
competence gaps (one supervised, one not), a client never told of the grievance policy, and a
referral to a service it had not vetted. Near-misses that must NOT be findings are planted too: an
under-influence session properly rescheduled, a decompensation referred within days, hypnosis
backed by outside training, an undeclared area worked under supervision.

Coach-level cases (CERT-LAPSED, CERT-ETHICS, DEV-CE, COMM-PROBONO, the psychoactive criteria) are
roles decided in `profiles`; competence gaps are planned before sessions exist (`plan_engagements`);
everything else is applied to the finished records (`plant_events`, which runs the steps of
`plant_safety`, `plant_scope` and `plant_records` in a fixed order, so the same seed plants the
same cases).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.areas import DEMAND, IN_SCOPE
from trc_analytics.demo.coaches import Roster, declared
from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.dates import as_dates, day
from trc_analytics.demo.manifest import (
    DECOMP_DAYS,
    JUDGED_AFTER,
    PLANTED_CHECKS,
    SHOWCASE_CHECKS,
    planted_count,
)
from trc_analytics.demo.plant_records import plant_notices, plant_referrals, plant_reports
from trc_analytics.demo.plant_safety import (
    plant_assessments,
    plant_reassess,
    plant_risk_referral,
    plant_session_flags,
)
from trc_analytics.demo.plant_scope import (
    competence_growth,
    competence_manifest,
    plant_population,
    plant_practice,
    plant_psychoactive,
    plant_supervisor,
)
from trc_analytics.demo.sampling import optional, row_choice
from trc_analytics.demo.stage import Records, Stage

__all__ = ["PLANTED_CHECKS", "SHOWCASE_CHECKS", "Records", "plan_engagements", "plant_events"]


def plan_engagements(
    cfg: DemoConfig, rng: np.random.Generator, r: Roster, engagements: pl.DataFrame
) -> pl.DataFrame:
    """Mark competence-gap engagements (`_gap`: finding / supervised) and cut one of C-0001's
    engagements into a transfer to therapy after decompensation, referred within the days
    SAFE-DECOMP allows (`DECOMP_DAYS`)."""
    start, end = day(cfg.start), day(cfg.end)
    ps, pe = day(cfg.plant_period.start), day(cfg.plant_period.end)
    e = engagements.with_row_index("_row")
    cand = e.filter(
        (pl.col("format") == "one_to_one")
        & (pl.col("_n") >= 4)
        & (pl.col("_first_d") >= start)
        # A gap is judged once the supervision window after its sessions has closed.
        & (pl.col("_first_d") <= end - JUDGED_AFTER - 30)
        & ~pl.col("_decomp")
        & (pl.col("end_reason") != "coach_closed_practice").fill_null(True)
    )
    u = rng.random(cand.height)
    cand = cand.with_columns(_u=pl.Series(u)).sort("_u")
    first_ok = (pl.col("_first_d") >= ps - 60) & (pl.col("_first_d") <= pe - JUDGED_AFTER - 30)
    k = planted_count(cfg.finding_rate, r.n)

    def pick_rows(frame: pl.DataFrame, count: int, exclude: set[int]) -> pl.DataFrame:
        frame = frame.filter(~pl.col("_k").is_in(list(exclude)) & (pl.col("_k") != 0))
        one_per_coach = frame.unique("_k", keep="first", maintain_order=True)
        first = one_per_coach.filter(first_ok).head(1)
        rest = one_per_coach.filter(~pl.col("_row").is_in(first["_row"].implode())).head(
            count - first.height
        )
        return pl.concat([first, rest]).head(count)

    findings = pick_rows(cand, k, set())
    # Near-misses exist even in a demo without planted findings.
    supervised = pick_rows(cand, max(k, 1), set(findings["_k"].to_list()))
    # C-0001: one unsupervised gap (when findings are planted) and one supervised gap.
    show = cand.filter((pl.col("_k") == 0) & first_ok)
    show_finding = show.head(1 if k else 0)
    show_supervised = show.slice(show_finding.height, 1)
    parts = (findings, show_finding, supervised, show_supervised)
    rows = np.concatenate([p["_row"].to_numpy() for p in parts]).astype(np.int64)
    kinds = np.array(
        ["finding"] * (findings.height + show_finding.height)
        + ["supervised"] * (supervised.height + show_supervised.height),
        dtype=object,
    )
    # The gap area: one the coach has not declared, drawn by demand; C-0001's two differ.
    coaches = e["_k"].to_numpy()[rows]
    mask = np.ones((rows.size, IN_SCOPE.size), dtype=bool)
    slots = r.comp_areas[coaches]
    decl = declared(r)[coaches]
    for j in range(slots.shape[1]):
        mask[np.arange(rows.size)[decl[:, j]], slots[decl[:, j], j]] = False
    area_i = row_choice(rng, np.where(mask, DEMAND[None, :], 0.0))
    show = np.flatnonzero(coaches == 0)
    if show.size == 2 and area_i[show[0]] == area_i[show[1]]:
        mask[show[1], area_i[show[0]]] = False
        area_i[show[1]] = row_choice(rng, np.where(mask[show[1:2]], DEMAND[None, :], 0.0))[0]
    gap_area = np.full(e.height, None, dtype=object)
    gap_kind = np.full(e.height, "", dtype=object)
    gap_area[rows] = IN_SCOPE[area_i]
    gap_kind[rows] = kinds
    e = e.with_columns(
        _area=pl.coalesce(optional(gap_area, pl.String), pl.col("_area")),
        _gap=pl.Series(gap_kind.astype(str)),
        _supervised=pl.col("_supervised") & pl.Series(gap_kind != "finding"),
    )

    # C-0001: a client transferred to therapy after decompensation, referred in time.
    ongoing = e.filter(
        (pl.col("_k") == 0)
        & (pl.col("format") == "one_to_one")
        & (pl.col("_gap") == "")
        & (pl.col("_first_d") < ps)
        & (pl.col("_last_d") > ps + 75)
        & (pl.col("_n") > 0)
    ).head(1)
    if ongoing.height:
        row = ongoing["_row"][0]
        first, interval = ongoing["_first_d"][0], ongoing["_interval"][0]
        n = (ps + 45 - first) // interval + 1
        last = first + (n - 1) * interval
        ended = min(last + DECOMP_DAYS, end)
        e = e.with_columns(
            _n=pl.when(pl.col("_row") == row).then(pl.lit(n)).otherwise(pl.col("_n")),
            _last_d=pl.when(pl.col("_row") == row).then(pl.lit(last)).otherwise(pl.col("_last_d")),
            ended_on=pl.when(pl.col("_row") == row)
            .then(pl.lit(as_dates(np.array([ended]))[0]))
            .otherwise(pl.col("ended_on")),
            end_reason=pl.when(pl.col("_row") == row)
            .then(pl.lit("transferred_to_therapy"))
            .otherwise(pl.col("end_reason")),
            exit_explained=pl.when(pl.col("_row") == row)
            .then(pl.lit(True))
            .otherwise(pl.col("exit_explained")),
            _ref_reason=pl.when(pl.col("_row") == row)
            .then(pl.lit("decompensation"))
            .otherwise(pl.col("_ref_reason")),
            _ref_type=pl.when(pl.col("_row") == row)
            .then(pl.lit("therapist"))
            .otherwise(pl.col("_ref_type")),
            _decomp=pl.when(pl.col("_row") == row).then(pl.lit(True)).otherwise(pl.col("_decomp")),
        )
    return e.drop("_row")


# --------------------------------------------------------------------------------------------
# After the records exist: everything else.


def plant_events(
    cfg: DemoConfig,
    rng: np.random.Generator,
    r: Roster,
    rec: Records,
    pool: pl.DataFrame,
) -> list[pl.DataFrame]:
    """Apply event-level planted cases and near-misses to `rec` (in place); return the manifest."""
    st = Stage.prepare(cfg, rng, r, rec)
    out = [competence_manifest(st)]
    competence_growth(st)
    # Keep planted cases off the engagements that carry competence gaps or the decompensation.
    st.pick.used_e.update(
        rec.engagements.filter((pl.col("_gap") != "") | pl.col("_decomp"))["_e"].to_list()
    )
    out.extend(plant_assessments(st))
    out.extend(plant_session_flags(st))
    out.extend(plant_reassess(st))
    out.extend(plant_risk_referral(st))
    out.extend(plant_practice(st))
    out.extend(plant_psychoactive(st))
    out.extend(plant_population(st))
    out.extend(plant_supervisor(st))
    out.extend(plant_notices(st))
    out.extend(plant_referrals(st, pool))
    out.extend(plant_reports(st))
    return out
