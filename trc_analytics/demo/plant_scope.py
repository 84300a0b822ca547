"""Planted scope cases: SCOPE-PRACTICE, SCOPE-COMPETENCE, SCOPE-POPULATION, SCOPE-PSYCHOACTIVE
(an uninsured practitioner's insurance ended before the sessions), SUPERVISOR-QUALIFIED;
near-misses: hypnosis backed by outside training, competence grown under supervision."""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.areas import OUT_OF_SCOPE_PLANTED
from trc_analytics.demo.dates import as_dates, day
from trc_analytics.demo.manifest import JUDGED_AFTER, cases, planted_count
from trc_analytics.demo.picking import days_of, scatter, set_area
from trc_analytics.demo.sampling import optional
from trc_analytics.demo.stage import Stage

NOT_SHOWCASE = pl.col("_k") != 0


def competence_manifest(st: Stage) -> pl.DataFrame:
    """SCOPE-COMPETENCE: each unsupervised gap engagement (planned by `plan_engagements`), dated
    when its first gap session's supervision window closes, when it becomes a finding."""
    rec = st.rec
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
    judged = days_of(first, "held_on") + JUDGED_AFTER
    ps, pe = day(st.cfg.plant_period.start), day(st.cfg.plant_period.end)
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


def competence_growth(st: Stage) -> None:
    """Half the coaches supervised in an undeclared area later declare it (basis: supervised
    experience), a month after their last session there: competence grown the way the Code asks."""
    rec = st.rec
    end = day(st.cfg.end)
    gaps = rec.engagements.filter((pl.col("_gap") == "supervised") & NOT_SHOWCASE)
    grown = gaps.filter(pl.Series(st.rng.random(gaps.height) < 0.5))
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
        ["_k", "area", "basis"], keep="first", maintain_order=True
    )


def plant_practice(st: Stage) -> list[pl.DataFrame]:
    """SCOPE-PRACTICE: sessions on an out-of-scope area by coaches without outside training; and
    hypnosis sessions by the coach trained in it (near-miss)."""
    p, r, rec = st.pick, st.roster, st.rec
    eligible = np.flatnonzero(~r.therapy & ~r.hypnosis)
    hit = p.choose(
        st.inner.filter(NOT_SHOWCASE & pl.col("_k").is_in(eligible.tolist())),
        planted_count(st.rate, r.n),
        p.between("held_on"),
        by="_e",
    )
    areas = np.array(OUT_OF_SCOPE_PLANTED, dtype=object)[
        np.arange(hit.height) % len(OUT_OF_SCOPE_PLANTED)
    ].astype(str)
    rec.sessions = set_area(rec.sessions, hit["_s"], areas)
    hyp = st.inner.filter(pl.col("_k").is_in(np.flatnonzero(r.hypnosis).tolist()))
    hyp = p.choose(hyp, 2, p.between("held_on"), by="_e")
    rec.sessions = set_area(rec.sessions, hyp["_s"], np.full(hyp.height, "hypnosis").astype(str))
    return [
        cases(
            "SCOPE-PRACTICE",
            hit["_k"].to_numpy(),
            days_of(hit, "held_on"),
            np.char.add("session on ", areas),
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    ]


def plant_psychoactive(st: Stage) -> list[pl.DataFrame]:
    """SCOPE-PSYCHOACTIVE: the psychoactive sessions of coaches missing a criterion (roles from
    `profiles`); the first such coach gets one in the planted period."""
    p, r, rec = st.pick, st.roster, st.rec
    nonc = np.flatnonzero(r.psy == "noncompliant")
    first_nc = nonc[r.first[nonc] | (np.arange(nonc.size) == 0)][:1]
    columns = ["_s", "_e", "_k", "_c", "held_on", "psychoactive_used"]
    used = pl.col("psychoactive_used") & pl.col("_k").is_in(nonc.tolist())
    psy = rec.sessions.select(columns).filter(used)
    in_p = psy.filter(pl.col("_k").is_in(first_nc.tolist()) & p.between("held_on"))
    if in_p.height == 0 and first_nc.size:
        add = p.choose(
            st.inner.filter(pl.col("_k").is_in(first_nc.tolist())),
            1,
            p.between("held_on"),
            by="_e",
            fresh=False,
        )
        rec.sessions = scatter(rec.sessions, add["_s"], {"psychoactive_used": True})
    psy = rec.sessions.select(columns).filter(used)
    in_p_first = (
        psy.filter(pl.col("_k").is_in(first_nc.tolist()) & p.between("held_on"))
        .sort("held_on", "_s")
        .head(1)
    )
    others = psy.filter(~pl.col("_k").is_in(in_p_first["_k"].implode())).sort("held_on", "_s")
    psy = pl.concat([in_p_first, others.unique("_k", keep="first", maintain_order=True)])
    why = np.where(
        r.psy_insured[psy["_k"].to_numpy()], "committee never notified", "insurance had ended"
    )
    return [
        cases(
            "SCOPE-PSYCHOACTIVE",
            psy["_k"].to_numpy(),
            days_of(psy, "held_on"),
            np.char.add("psychoactive session; ", why.astype(str)),
            client=psy["_c"].to_numpy(),
            engagement=psy["_e"].to_numpy(),
            first=np.arange(psy.height) < in_p_first.height,
        )
    ]


def plant_population(st: Stage) -> list[pl.DataFrame]:
    """SCOPE-POPULATION: a minor, or a couple, coached without the matching training."""
    p, r, rec = st.pick, st.roster, st.rec
    clients = rec.clients.join(
        st.one.select("_c", "_e", "first_held"), on="_c", maintain_order="left"
    )
    flags = pl.DataFrame({"_k": np.arange(r.n), "_minors": r.minors, "_couples": r.couples})
    untrained = clients.join(flags, on="_k", maintain_order="left").filter(
        NOT_SHOWCASE
        & pl.col("first_held").is_not_null()
        & (pl.col("age_band") != "under_18")
        & (pl.col("client_type") == "individual")
        & ~(pl.col("_minors") & pl.col("_couples"))
    )
    hit = p.choose(
        untrained,
        planted_count(st.rate, r.n),
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
    return [
        cases(
            "SCOPE-POPULATION",
            hk,
            days_of(hit, "first_held"),
            np.where(
                minor,
                "a minor, without training for minors",
                "a couple, without training for couples",
            ),
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    ]


def plant_supervisor(st: Stage) -> list[pl.DataFrame]:
    """SUPERVISOR-QUALIFIED: competence-gap supervision given by a coach of the workspace who
    holds no supervisor credential (the first in the planted period)."""
    p, r, rec = st.pick, st.roster, st.rec
    count = planted_count(st.rate, r.n, 0.5)
    if count == 0:
        return []
    plain = np.flatnonzero(~r.is_sup)
    meetings = rec.supervision.with_row_index("_row").filter(
        (pl.col("reason") == "competence_gap") & (pl.col("_k") != 0)
    )
    hit = meetings.filter(p.between("met_on")).sort("met_on", "_row").head(1)
    rest = meetings.filter(~pl.col("_row").is_in(hit["_row"].implode()))
    rest = rest.sort("met_on", "_row").gather_every(max(1, rest.height // max(count - 1, 1)))
    hit = pl.concat([hit, rest.head(count - hit.height)])
    k = hit["_k"].to_numpy()
    # a plain coach other than the one supervised
    stand_in = plain[(np.searchsorted(plain, k) + 1) % plain.size]
    stand_in = np.where(
        stand_in == k, plain[(np.searchsorted(plain, k) + 2) % plain.size], stand_in
    )
    ids = pl.Series(r.ids[stand_in].astype(str))
    rows = hit["_row"].cast(pl.Int64)
    column = rec.supervision["supervisor_id"].clone()
    column.scatter(rows, ids)
    rec.supervision = rec.supervision.with_columns(column)
    return [
        cases(
            "SUPERVISOR-QUALIFIED",
            k,
            days_of(hit, "met_on"),
            "competence supervision by a coach without a supervisor credential",
            first=np.arange(hit.height) == 0,
        )
    ]
