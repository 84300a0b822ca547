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
everything else is applied to the finished records (`plant_events`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from trc_analytics.demo.areas import DEMAND, IN_SCOPE, OUT_OF_SCOPE_PLANTED
from trc_analytics.demo.coaches import Roster, declared
from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.dates import NO_DAY, as_dates, day
from trc_analytics.demo.manifest import cases, planted_count
from trc_analytics.demo.sampling import between, optional, row_choice
from trc_analytics.policy import Policy

#: Every check of SPEC section 4; the default demo plants at least one case of each.
PLANTED_CHECKS: tuple[str, ...] = (
    "SAFE-SRA",
    "SAFE-EXCLUDED",
    "SAFE-INFLUENCE",
    "SAFE-TRIGGERED",
    "SAFE-DECOMP",
    "SCOPE-PRACTICE",
    "SCOPE-COMPETENCE",
    "SCOPE-POPULATION",
    "SCOPE-PSYCHOACTIVE",
    "REFER-VETTED",
    "REFER-ABANDON",
    "CONF-DISCLOSURE",
    "CONF-MANDATORY",
    "PRACT-REFUND",
    "PRACT-GRIEVANCE",
    "PRACT-CONTEXT",
    "CERT-LAPSED",
    "CERT-ETHICS",
    "DEV-CE",
    "COMM-PROBONO",
    "CONDUCT-CHARGE",
    "CONDUCT-DUAL",
)

#: Days after an undeclared-area session its supervision window closes (Policy default).
JUDGED_AFTER = Policy().competence_supervision_days

#: Checks planted for the showcase coach C-0001 (the rest of its record is good practice).
SHOWCASE_CHECKS: tuple[str, ...] = (
    "SAFE-SRA",
    "SCOPE-COMPETENCE",
    "PRACT-GRIEVANCE",
    "REFER-VETTED",
)


@dataclass
class Records:
    """The internal frames of a demo under construction (keys `_k`, `_c`, `_e`, `_g`, `_s`)."""

    credentials: pl.DataFrame
    competencies: pl.DataFrame
    clients: pl.DataFrame
    engagements: pl.DataFrame
    group_members: pl.DataFrame
    safety_assessments: pl.DataFrame
    sessions: pl.DataFrame
    referrals: pl.DataFrame
    vetted_services: pl.DataFrame
    supervision: pl.DataFrame
    trainings: pl.DataFrame
    disclosures: pl.DataFrame
    mandatory_reports: pl.DataFrame
    community_service: pl.DataFrame
    conduct_events: pl.DataFrame
    goals: pl.DataFrame


def showcase_cases(cfg: DemoConfig) -> int:
    """Cases of each showcase check planted for C-0001 (none in a demo without findings)."""
    return 1 if cfg.finding_rate > 0 else 0


class _Picker:
    """Random, reproducible choice of planted cases with the first one in the planted period."""

    def __init__(self, cfg: DemoConfig, rng: np.random.Generator) -> None:
        self.rng = rng
        self.ps, self.pe = cfg.plant_period.start, cfg.plant_period.end
        self.used_e: set[int] = set()
        self.used_c: set[int] = set()

    def choose(
        self,
        frame: pl.DataFrame,
        k: int,
        in_period: pl.Expr,
        *,
        by: str | None = None,
        fresh: bool = True,
    ) -> pl.DataFrame:
        """`k` rows: the first satisfies `in_period` (when any row does), the rest are anywhere.

        `by` keeps one row per value of that column; `fresh` skips engagements and clients that
        already carry a planted case, so cases do not hide one another.
        """
        if fresh and "_e" in frame.columns:
            frame = frame.filter(~pl.col("_e").is_in(list(self.used_e)))
        if fresh and "_c" in frame.columns:
            frame = frame.filter(~pl.col("_c").is_in(list(self.used_c)) | pl.col("_c").is_null())
        if k <= 0:
            return frame.head(0).with_columns(_first=pl.lit(True))
        frame = frame.with_row_index("_ri")
        key = by or "_ri"
        inside = frame.filter(in_period)
        first = inside[int(self.rng.integers(0, inside.height)) :][:1] if inside.height else inside
        taken = first[key].implode()
        # Sample rows (cheaper than shuffling millions); shuffle all when the sample falls short.
        rows = self.rng.integers(0, max(frame.height, 1), min(4 * k + 50, 10 * frame.height))
        rest = frame[rows].unique(key, keep="first", maintain_order=True)
        rest = rest.filter(~pl.col(key).is_in(taken))
        if rest.height < k - first.height:
            rest = frame[self.rng.permutation(frame.height)]
            rest = rest.unique(key, keep="first", maintain_order=True)
            rest = rest.filter(~pl.col(key).is_in(taken))
        out = pl.concat(
            [
                first.with_columns(_first=pl.lit(True)),
                rest.head(max(k - first.height, 0)).with_columns(_first=pl.lit(False)),
            ]
        ).drop("_ri")
        if fresh and "_e" in out.columns:
            self.used_e.update(v for v in out["_e"].to_list() if v is not None)
        if fresh and "_c" in out.columns:
            self.used_c.update(v for v in out["_c"].to_list() if v is not None)
        return out

    def between(self, col: str, lo_days: int = 0, hi_days: int = 0) -> pl.Expr:
        """`col` lies in the planted period, shrunk by the given margins."""
        return pl.col(col).is_between(
            self.ps + dt.timedelta(days=lo_days), self.pe - dt.timedelta(days=hi_days)
        )


def _days(frame: pl.DataFrame, col: str) -> np.ndarray:
    return frame[col].cast(pl.Int64).to_numpy()


# --------------------------------------------------------------------------------------------
# Before sessions: competence gaps and the showcase coach's transfer to therapy.


def plan_engagements(
    cfg: DemoConfig, rng: np.random.Generator, r: Roster, engagements: pl.DataFrame
) -> pl.DataFrame:
    """Mark competence-gap engagements (`_gap`: finding / supervised) and cut one of C-0001's
    engagements into a transfer to therapy after decompensation, referred within three days."""
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

    # C-0001: a client transferred to therapy after decompensation, referred within 3 days.
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
        ended = min(last + 3, end)
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
    p = _Picker(cfg, rng)
    rate = cfg.finding_rate
    end = day(cfg.end)
    out: list[pl.DataFrame] = []
    s = rec.sessions
    slim = ["_s", "_e", "_k", "_c", "_seq", "_last", "held_on", "_paid"]
    held_one = (
        s.select([*slim[:-1], (pl.col("fee_type") == "paid").alias("_paid"), "status", "_one"])
        .filter((pl.col("status") == "held") & pl.col("_one"))
        .select(slim)
    )
    inner = held_one.filter((pl.col("_seq") > 0) & ~pl.col("_last"))
    firsts = held_one.group_by("_e").agg(pl.col("held_on").min().alias("first_held")).sort("_e")
    one = rec.engagements.filter(pl.col("format") == "one_to_one").join(
        firsts, on="_e", maintain_order="left"
    )
    not_showcase = pl.col("_k") != 0

    out.append(_competence_manifest(cfg, rec))
    _competence_growth(cfg, rng, rec)
    # Keep planted cases off the engagements that carry competence gaps or the decompensation.
    p.used_e.update(
        rec.engagements.filter((pl.col("_gap") != "") | pl.col("_decomp"))["_e"].to_list()
    )

    # SAFE-SRA: no assessment, or one made after the first held session.
    n_coaching = rec.engagements.filter(pl.col("coaching_relationship")).height
    k = planted_count(rate, n_coaching)
    sra = p.choose(
        one.filter(not_showcase & pl.col("first_held").is_not_null()),
        k,
        p.between("first_held"),
        by="_c",
    )
    show = p.choose(
        one.filter((pl.col("_k") == 0) & pl.col("first_held").is_not_null()),
        showcase_cases(cfg),
        p.between("first_held", 0, 20),
        by="_c",
    )
    show = show.with_columns(_first=pl.lit(False))
    sra = pl.concat([sra, show])
    late = (np.arange(sra.height) % 2 == 1) | (sra["_k"].to_numpy() == 0)
    first_held = _days(sra, "first_held")
    late_on = first_held + between(rng, np.full(sra.height, 3), 21)
    late &= late_on <= end
    a = rec.safety_assessments
    drop = sra.filter(pl.Series(~late)).select("_e", "_c")
    move = sra.filter(pl.Series(late)).select(
        "_e", "_c", pl.Series(as_dates(late_on[late])).alias("_late")
    )
    a = a.join(drop, on=["_e", "_c"], how="anti", maintain_order="left")
    a = (
        a.join(move, on=["_e", "_c"], how="left", maintain_order="left")
        .with_columns(assessed_on=pl.coalesce("_late", "assessed_on"))
        .drop("_late")
    )
    # A few group members are never assessed.
    groups = rec.engagements.filter(pl.col("format").is_in(["group", "retreat"]))
    members = rec.group_members.join(
        groups.select("_g", "_e", "_k"), on="_g", maintain_order="left"
    )
    members = members.filter(not_showcase).sort("_e", "_c")
    gm = p.choose(members, max(1, k // 4) if k else 0, p.between("joined_on"), by="_c")
    a = a.join(gm.select("_e", "_c"), on=["_e", "_c"], how="anti", maintain_order="left")
    rec.safety_assessments = a
    out.append(
        cases(
            "SAFE-SRA",
            sra["_k"].to_numpy(),
            first_held,
            np.where(late, "assessed after the first session", "never assessed"),
            client=sra["_c"].to_numpy(),
            engagement=sra["_e"].to_numpy(),
            first=sra["_first"].to_numpy(),
        )
    )
    out.append(
        cases(
            "SAFE-SRA",
            gm["_k"].to_numpy(),
            _days(gm, "joined_on"),
            "group member never assessed",
            client=gm["_c"].to_numpy(),
            engagement=gm["_e"].to_numpy(),
        )
    )

    # SAFE-EXCLUDED: the assessment excluded the client, yet sessions went on.
    n_excluded = rec.safety_assessments.filter(pl.col("outcome") == "excluded").height
    ex = p.choose(
        one.filter(not_showcase & pl.col("first_held").is_not_null() & (pl.col("_n") >= 3)),
        planted_count(rate, n_excluded),
        p.between("first_held", 0, 30),
        by="_c",
    )
    reasons = np.where(np.arange(ex.height) % 2 == 0, "active_addiction", "active_self_harm")
    flip = ex.select("_e", "_c", pl.Series(reasons.astype(str)).alias("_why"))
    rec.safety_assessments = (
        rec.safety_assessments.join(flip, on=["_e", "_c"], how="left", maintain_order="left")
        .with_columns(
            outcome=pl.when(pl.col("_why").is_not_null())
            .then(pl.lit("excluded"))
            .otherwise(pl.col("outcome")),
            exclusion_reason=pl.coalesce("_why", "exclusion_reason"),
        )
        .drop("_why")
    )
    out.append(
        cases(
            "SAFE-EXCLUDED",
            ex["_k"].to_numpy(),
            _days(ex, "first_held"),
            "sessions held after an excluding assessment",
            client=ex["_c"].to_numpy(),
            engagement=ex["_e"].to_numpy(),
            first=ex["_first"].to_numpy(),
        )
    )

    # Session flags: under influence yet held, left triggered and unsafe, decompensation unreferred.
    referred = rec.referrals["_c"].unique().implode()
    for check, column, pool_filter, note in (
        (
            "SAFE-INFLUENCE",
            "client_under_influence",
            pl.lit(True),
            "held although the client was under the influence",
        ),
        (
            "SAFE-TRIGGERED",
            "left_triggered_unsafe",
            pl.lit(True),
            "client left significantly triggered and unsafe",
        ),
        (
            "SAFE-DECOMP",
            "decompensation_observed",
            ~pl.col("_c").is_in(referred) & (pl.col("_seq") < pl.col("_seq").max().over("_e") - 2),
            "decompensation observed, no referral to therapy",
        ),
    ):
        hit = p.choose(
            inner.filter(not_showcase & pool_filter),
            planted_count(rate, r.n),
            p.between("held_on", 0, 10),
            by="_e",
        )
        s = _scatter(s, hit["_s"], {column: True})
        out.append(
            cases(
                check,
                hit["_k"].to_numpy(),
                _days(hit, "held_on"),
                note,
                client=hit["_c"].to_numpy(),
                engagement=hit["_e"].to_numpy(),
                first=hit["_first"].to_numpy(),
            )
        )

    # Near-miss: C-0001 reschedules a session because the client came under the influence.
    resched = p.choose(inner.filter(pl.col("_k") == 0), 1, p.between("held_on", 0, 10), by="_e")
    s = _scatter(
        s,
        resched["_s"],
        {
            "status": "rescheduled_under_influence",
            "duration_min": 0,
            "fee_amount": 0.0,
            "client_under_influence": True,
        },
    )

    # SCOPE-PRACTICE: a session on an out-of-scope area by a coach without outside training.
    eligible = np.flatnonzero(~r.therapy & ~r.hypnosis)
    hit = p.choose(
        inner.filter(not_showcase & pl.col("_k").is_in(eligible.tolist())),
        planted_count(rate, r.n),
        p.between("held_on"),
        by="_e",
    )
    areas = np.array(OUT_OF_SCOPE_PLANTED, dtype=object)[
        np.arange(hit.height) % len(OUT_OF_SCOPE_PLANTED)
    ].astype(str)
    s = _set_area(s, hit["_s"], areas)
    out.append(
        cases(
            "SCOPE-PRACTICE",
            hit["_k"].to_numpy(),
            _days(hit, "held_on"),
            np.char.add("session on ", areas),
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    )

    # Near-miss: hypnosis sessions by the coach trained in it.
    hyp = inner.filter(pl.col("_k").is_in(np.flatnonzero(r.hypnosis).tolist()))
    hyp = p.choose(hyp, 2, p.between("held_on"), by="_e")
    s = _set_area(s, hyp["_s"], np.full(hyp.height, "hypnosis").astype(str))

    # SCOPE-PSYCHOACTIVE: the non-compliant coaches' psychoactive sessions.
    nonc = np.flatnonzero(r.psy == "noncompliant")
    first_nc = nonc[r.first[nonc] | (np.arange(nonc.size) == 0)][:1]
    psy_cols = ["_s", "_e", "_k", "_c", "held_on", "psychoactive_used"]
    psy = s.select(psy_cols).filter(pl.col("psychoactive_used") & pl.col("_k").is_in(nonc.tolist()))
    in_p = psy.filter(pl.col("_k").is_in(first_nc.tolist()) & p.between("held_on"))
    if in_p.height == 0 and first_nc.size:
        add = p.choose(
            inner.filter(pl.col("_k").is_in(first_nc.tolist())),
            1,
            p.between("held_on"),
            by="_e",
            fresh=False,
        )
        s = _scatter(s, add["_s"], {"psychoactive_used": True})
        psy_cols = ["_s", "_e", "_k", "_c", "held_on", "psychoactive_used"]
    psy = s.select(psy_cols).filter(pl.col("psychoactive_used") & pl.col("_k").is_in(nonc.tolist()))
    in_p_first = (
        psy.filter(pl.col("_k").is_in(first_nc.tolist()) & p.between("held_on"))
        .sort("held_on", "_s")
        .head(1)
    )
    others = psy.filter(~pl.col("_k").is_in(in_p_first["_k"].implode())).sort("held_on", "_s")
    psy = pl.concat([in_p_first, others.unique("_k", keep="first", maintain_order=True)])
    why = np.where(r.psy_insured[psy["_k"].to_numpy()], "committee never notified", "not insured")
    out.append(
        cases(
            "SCOPE-PSYCHOACTIVE",
            psy["_k"].to_numpy(),
            _days(psy, "held_on"),
            np.char.add("psychoactive session; ", why.astype(str)),
            client=psy["_c"].to_numpy(),
            engagement=psy["_e"].to_numpy(),
            first=np.arange(psy.height) < in_p_first.height,
        )
    )
    rec.sessions = s

    # SCOPE-POPULATION: a minor, couple or family without the matching training.
    clients = rec.clients.join(one.select("_c", "_e", "first_held"), on="_c", maintain_order="left")
    flags = pl.DataFrame({"_k": np.arange(r.n), "_minors": r.minors, "_couples": r.couples})
    untrained = clients.join(flags, on="_k", maintain_order="left").filter(
        not_showcase
        & pl.col("first_held").is_not_null()
        & (pl.col("age_band") != "under_18")
        & (pl.col("client_type") == "individual")
        & ~(pl.col("_minors") & pl.col("_couples"))
    )
    hit = p.choose(
        untrained,
        planted_count(rate, r.n),
        p.between("intake_on") & p.between("first_held"),
        by="_c",
    )
    hk = hit["_k"].to_numpy()
    minor = ~r.minors[hk] & ((np.arange(hit.height) % 2 == 0) | r.couples[hk])
    change = hit.select(
        "_c",
        optional(np.where(minor, "under_18", None), pl.String).alias("_age"),
        optional(np.where(minor, None, "couple"), pl.String).alias("_type"),
    )
    rec.clients = (
        rec.clients.join(change, on="_c", how="left", maintain_order="left")
        .with_columns(
            age_band=pl.coalesce("_age", "age_band"),
            client_type=pl.coalesce("_type", "client_type"),
        )
        .drop("_age", "_type")
    )
    out.append(
        cases(
            "SCOPE-POPULATION",
            hk,
            _days(hit, "first_held"),
            np.where(
                minor,
                "a minor, without training for minors",
                "a couple, without training for couples",
            ),
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    )

    out.extend(_notices(cfg, rng, p, rec, one, held_one))
    out.extend(_referrals(cfg, rng, p, rec, pool, held_one))
    out.extend(_reports(cfg, rng, p, r, rec, held_one))
    return out


def _scatter(s: pl.DataFrame, rows: pl.Series, values: dict) -> pl.DataFrame:
    """Set columns of the sessions at rows `rows` (`_s` is the row number) to `values`."""
    if rows.len() == 0:
        return s
    changed = []
    for column, value in values.items():
        series = s[column].clone()
        series.scatter(rows.cast(pl.Int64), value)
        changed.append(series)
    return s.with_columns(changed)


def _set_area(s: pl.DataFrame, rows: pl.Series, areas: np.ndarray) -> pl.DataFrame:
    return _scatter(s, rows, {"area": pl.Series(areas, dtype=pl.String)})


def _competence_manifest(cfg: DemoConfig, rec: Records) -> pl.DataFrame:
    """SCOPE-COMPETENCE: each unsupervised gap engagement, dated when its first gap session's
    supervision window closes (the day the missing supervision becomes a finding)."""
    gaps = rec.engagements.filter(pl.col("_gap") == "finding").select("_e", "_area")
    sessions = rec.sessions.select("_s", "_e", "_k", "_c", "held_on", "status", "area")
    first = (
        sessions.filter(pl.col("_e").is_in(gaps["_e"].implode()) & (pl.col("status") == "held"))
        .join(gaps, on="_e")
        .filter(pl.col("area") == pl.col("_area"))
        .sort("held_on", "_s")
        .unique("_e", keep="first", maintain_order=True)
        .sort("_k", "held_on")
    )
    judged = _days(first, "held_on") + JUDGED_AFTER
    ps, pe = day(cfg.plant_period.start), day(cfg.plant_period.end)
    in_p = (first["_k"].to_numpy() != 0) & (judged >= ps) & (judged <= pe)
    flag = np.zeros(first.height, dtype=bool)
    flag[np.flatnonzero(in_p)[:1]] = True
    return cases(
        "SCOPE-COMPETENCE",
        first["_k"].to_numpy(),
        judged,
        np.char.add("undeclared area without supervision: ", first["area"].to_numpy().astype(str)),
        client=first["_c"].to_numpy(),
        engagement=first["_e"].to_numpy(),
        first=flag,
    )


def _competence_growth(cfg: DemoConfig, rng: np.random.Generator, rec: Records) -> None:
    """Half the coaches supervised in an undeclared area later declare it (basis: supervised
    experience), a month after their last session there: competence grown the way the Code asks."""
    end = day(cfg.end)
    gaps = rec.engagements.filter((pl.col("_gap") == "supervised") & (pl.col("_k") != 0))
    grown = gaps.filter(pl.Series(rng.random(gaps.height) < 0.5))
    declared_on = np.minimum(grown["_last_d"].to_numpy() + 30, end)
    rows = pl.DataFrame(
        {
            "_k": grown["_k"],
            "area": grown["_area"],
            "basis": ["supervised_experience"] * grown.height,
            "declared_on": as_dates(declared_on),
        }
    )
    rec.competencies = pl.concat([rec.competencies, rows]).unique(
        ["_k", "area"], keep="first", maintain_order=True
    )


def _notices(
    cfg: DemoConfig,
    rng: np.random.Generator,
    p: _Picker,
    rec: Records,
    one: pl.DataFrame,
    held_one: pl.DataFrame,
) -> list[pl.DataFrame]:
    """PRACT-REFUND, PRACT-GRIEVANCE, PRACT-CONTEXT: notices missing or late."""
    end = day(cfg.end)
    rate = cfg.finding_rate
    out = []
    paid = (
        held_one.filter(pl.col("_paid"))
        .group_by("_e")
        .agg(pl.col("held_on").min().alias("first_paid"))
        .sort("_e")
    )
    base = rec.clients.join(
        one.select("_c", "_e", "first_held"), on="_c", maintain_order="left"
    ).filter(pl.col("first_held").is_not_null() & (pl.col("intake_on") >= pl.lit(cfg.start)))
    paying = base.filter(pl.col("fee_basis") == "paying").join(paid, on="_e", maintain_order="left")
    paying = paying.filter(pl.col("first_paid").is_not_null() & (pl.col("_k") != 0))
    hit = p.choose(paying, planted_count(rate, paying.height), p.between("first_paid"), by="_c")
    first_paid = _days(hit, "first_paid")
    late = first_paid + between(rng, np.full(hit.height, 10), 30)
    given = np.where((np.arange(hit.height) % 2 == 1) & (late <= end), late, NO_DAY)
    rec.clients = _set_date(rec.clients, hit["_c"], "refund_policy_given_on", given)
    out.append(
        cases(
            "PRACT-REFUND",
            hit["_k"].to_numpy(),
            first_paid,
            np.where(
                given == NO_DAY,
                "refund policy never given",
                "refund policy given after the first paid session",
            ),
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    )

    for check, column, window, late_lo, late_hi, label in (
        ("PRACT-GRIEVANCE", "grievance_policy_given_on", 30, 40, 90, "grievance policy"),
        ("PRACT-CONTEXT", "context_explored_on", 60, 70, 150, "context"),
    ):
        pool = base.filter(
            (pl.col("_k") != 0)
            & (pl.col("intake_on") <= pl.lit(cfg.end) - pl.duration(days=window + 1))
        )
        hit = p.choose(
            pool, planted_count(rate, base.height), p.between("intake_on", 0, window + 1), by="_c"
        )
        if check in SHOWCASE_CHECKS:
            show = p.choose(
                base.filter(pl.col("_k") == 0),
                showcase_cases(cfg),
                p.between("intake_on", 0, window + 1),
                by="_c",
            )
            hit = pl.concat([hit, show.with_columns(_first=pl.lit(False))])
        intake = _days(hit, "intake_on")
        late = intake + between(rng, np.full(hit.height, late_lo), late_hi)
        given = np.where(
            (np.arange(hit.height) % 2 == 1) & (late <= end) & (hit["_k"].to_numpy() != 0),
            late,
            NO_DAY,
        )
        rec.clients = _set_date(rec.clients, hit["_c"], column, given)
        what = "explored" if label == "context" else "given"
        out.append(
            cases(
                check,
                hit["_k"].to_numpy(),
                intake,
                np.where(given == NO_DAY, f"{label} never {what}", f"{label} {what} late"),
                client=hit["_c"].to_numpy(),
                engagement=hit["_e"].to_numpy(),
                first=hit["_first"].to_numpy(),
            )
        )
    return out


def _set_date(frame: pl.DataFrame, keys: pl.Series, column: str, days: np.ndarray) -> pl.DataFrame:
    change = pl.DataFrame(
        {"_c": keys, "_new": as_dates(days), "_hit": np.ones(keys.len(), dtype=bool)}
    )
    return (
        frame.join(change, on="_c", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("_hit")).then(pl.col("_new")).otherwise(pl.col(column)).alias(column)
        )
        .drop("_new", "_hit")
    )


def _referrals(
    cfg: DemoConfig,
    rng: np.random.Generator,
    p: _Picker,
    rec: Records,
    pool: pl.DataFrame,
    held_one: pl.DataFrame,
) -> list[pl.DataFrame]:
    """REFER-VETTED (unvetted, or vetted only afterwards) and REFER-ABANDON."""
    end = day(cfg.end)
    rate = cfg.finding_rate
    out = []
    sessions = held_one.filter(pl.col("held_on") < pl.lit(cfg.end))
    hit = p.choose(
        sessions.filter(pl.col("_k") != 0),
        planted_count(rate, rec.referrals.height),
        p.between("held_on", 0, 45),
        by="_c",
    )
    show = p.choose(
        sessions.filter(pl.col("_k") == 0),
        showcase_cases(cfg),
        p.between("held_on", 0, 45),
        by="_c",
    )
    hit = pl.concat([hit, show.with_columns(_first=pl.lit(False))])
    referred = _days(hit, "held_on") + 1
    support = pool.filter(pl.col("service_type") == "support_group")["service_id"].to_list()
    vetted = rec.vetted_services.filter(pl.col("_k").is_in(hit["_k"].implode()))
    have = set(zip(vetted["_k"].to_list(), vetted["service_id"].to_list(), strict=True))
    services, later_rows, modes = [], [], []
    for i, (coach, on) in enumerate(zip(hit["_k"].to_list(), referred.tolist(), strict=True)):
        sid = support[int(rng.integers(0, len(support)))]
        while (coach, sid) in have:  # every coach vets at most 2 of the 4+ support groups
            sid = support[int(rng.integers(0, len(support)))]
        services.append(sid)
        later = on + int(rng.integers(10, 41))
        if i % 3 == 2 and later <= end and coach != 0:
            later_rows.append((coach, sid, later))
            have.add((coach, sid))
            modes.append("service vetted only after the referral")
        else:
            modes.append("service not vetted by the coach")
    modes = np.array(modes, dtype=object)
    new = pl.DataFrame(
        {
            "_k": hit["_k"],
            "_c": hit["_c"],
            "referred_on": as_dates(referred),
            "service_type": ["support_group"] * hit.height,
            "reason": ["client_request"] * hit.height,
            "_exit_e": pl.Series([None] * hit.height, dtype=pl.Int64),
            "service_id": services,
        }
    )
    rec.referrals = pl.concat([rec.referrals, new.select(rec.referrals.columns)])
    if later_rows:
        coaches, sids, ons = zip(*later_rows, strict=True)
        rec.vetted_services = pl.concat(
            [
                rec.vetted_services,
                pl.DataFrame(
                    {
                        "_k": np.array(coaches, dtype=np.int64),
                        "service_id": list(sids),
                        "service_type": ["support_group"] * len(sids),
                        "vetted_on": as_dates(np.array(ons)),
                    }
                ),
            ]
        )
    out.append(
        cases(
            "REFER-VETTED",
            hit["_k"].to_numpy(),
            referred,
            modes.astype(str),
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    )

    # REFER-ABANDON: the coach released the client without explanation or referral.
    ended = rec.engagements.filter(
        (pl.col("format") == "one_to_one")
        & pl.col("end_reason").is_in(["completed", "other"])
        & (pl.col("_k") != 0)
        & (pl.col("ended_on") >= pl.lit(cfg.start))
    )
    hit = p.choose(
        ended, planted_count(rate, rec.engagements["_k"].n_unique()), p.between("ended_on"), by="_c"
    )
    released = pl.col("_e").is_in(hit["_e"].implode())
    rec.engagements = rec.engagements.with_columns(
        end_reason=pl.when(released)
        .then(pl.lit("coach_released_client"))
        .otherwise(pl.col("end_reason")),
        exit_explained=pl.when(released).then(pl.lit(False)).otherwise(pl.col("exit_explained")),
    )
    out.append(
        cases(
            "REFER-ABANDON",
            hit["_k"].to_numpy(),
            _days(hit, "ended_on"),
            "released without explanation or referral",
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    )
    return out


def _reports(
    cfg: DemoConfig,
    rng: np.random.Generator,
    p: _Picker,
    r: Roster,
    rec: Records,
    held_one: pl.DataFrame,
) -> list[pl.DataFrame]:
    """CONF-DISCLOSURE, CONF-MANDATORY, CONDUCT-CHARGE, CONDUCT-DUAL: new records."""
    end = day(cfg.end)
    ps, pe = day(cfg.plant_period.start), day(cfg.plant_period.end)
    k = planted_count(cfg.finding_rate, r.n)
    out = []
    base = held_one.filter(pl.col("_k") != 0)

    hit = p.choose(base, k, p.between("held_on", 0, 10), by="_c")
    on = np.minimum(_days(hit, "held_on") + between(rng, np.zeros(hit.height), 7), end)
    rec.disclosures = pl.concat(
        [
            rec.disclosures,
            pl.DataFrame(
                {
                    "_k": hit["_k"],
                    "_c": hit["_c"],
                    "disclosed_on": as_dates(on),
                    "basis": ["none"] * hit.height,
                    "recipient_type": np.where(
                        np.arange(hit.height) % 2 == 0, "family_member", "other"
                    ),
                }
            ),
        ],
        how="vertical_relaxed",
    )
    out.append(
        cases(
            "CONF-DISCLOSURE",
            hit["_k"].to_numpy(),
            on,
            "disclosed without a basis the Code allows",
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    )

    hit = p.choose(base, k, p.between("held_on", 0, 10), by="_c")
    concern = _days(hit, "held_on")
    late = concern + between(rng, np.full(hit.height, 5), 12)
    reported = np.where((np.arange(hit.height) % 2 == 1) & (late <= end), late, NO_DAY)
    rec.mandatory_reports = pl.concat(
        [
            rec.mandatory_reports,
            pl.DataFrame(
                {
                    "_k": hit["_k"],
                    "_c": hit["_c"],
                    "concern_on": as_dates(concern),
                    "concern_group": np.where(np.arange(hit.height) % 2 == 0, "minor", "elder"),
                    "reported_on": as_dates(reported),
                }
            ),
        ]
    )
    out.append(
        cases(
            "CONF-MANDATORY",
            hit["_k"].to_numpy(),
            concern,
            np.where(reported == NO_DAY, "concern never reported", "concern reported late"),
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    )

    # Conduct: a charge reported late or never, and a dual relationship.
    events = []
    for check, kind, note in (
        ("CONDUCT-CHARGE", "criminal_charge", "charge reported late or not at all"),
        ("CONDUCT-DUAL", "dual_relationship", "dual relationship with a client"),
    ):
        coach = rng.integers(1, r.n, k)
        lo = np.maximum(r.act_start[coach], day(cfg.start))
        hi = r.act_end[coach] - 12
        occurred = between(rng, lo, hi)
        if k:
            occurred[0] = between(rng, max(ps, int(lo[0])), min(pe - 11, int(hi[0])))
        delay = (
            between(rng, np.full(k, 15), 45)
            if kind == "criminal_charge"
            else between(rng, np.zeros(k), 20)
        )
        reported = np.where(
            (np.arange(k) % 2 == 1) & (occurred + delay <= end), occurred + delay, NO_DAY
        )
        events.append(
            pl.DataFrame(
                {
                    "_k": coach,
                    "kind": [kind] * k,
                    "occurred_on": as_dates(occurred),
                    "reported_on": as_dates(reported),
                }
            )
        )
        out.append(cases(check, coach, occurred, note, first=np.arange(k) == 0))
    rec.conduct_events = pl.concat([rec.conduct_events, *events])
    return out
