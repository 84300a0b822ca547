"""One-to-one clients and their engagements: seasonal intake, safety assessment, length, ending.

Intakes start nine months before the records do (sessions before the start are dropped), so the
caseload is already steady in the first month. Session rhythm (count, interval, duration, fee) is
decided here per engagement; `sessions` expands it into rows.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.areas import DEMAND, IN_SCOPE
from trc_analytics.demo.coaches import WARMUP_DAYS, Roster, declared
from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.dates import NO_DAY, as_dates, day, month_of_year
from trc_analytics.demo.manifest import DECOMP_DAYS
from trc_analytics.demo.sampling import between, optional, pick, row_choice

#: Relative intake by calendar month (January .. December): new-year and autumn peaks.
SEASON = np.array([1.35, 1.15, 1.1, 1.0, 0.95, 0.85, 0.7, 0.7, 1.15, 1.1, 1.0, 0.65])
AGE_BANDS = ("under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")
ADULT_AGES = (0.0, 0.09, 0.26, 0.28, 0.2, 0.11, 0.06)
END_REASONS = (
    "completed",
    "client_withdrew",
    "referred_out",
    "transferred_to_therapy",
    "coach_released_client",
    "other",
)
END_P = (0.56, 0.2, 0.08, 0.06, 0.03, 0.07)
#: Exclusion reason -> (referral reason, service type) of the referral given on exclusion.
EXCLUSION_REFERRAL = {
    "active_addiction": ("addiction", "medical"),
    "active_self_harm": ("self_harm", "therapist"),
    "active_suicidality": ("suicidality", "crisis_service"),
    "other": ("other", "therapist"),
}


def _intakes(cfg: DemoConfig, rng: np.random.Generator, r: Roster) -> tuple[np.ndarray, np.ndarray]:
    """(coach number, intake day) of every one-to-one client, by a seasonal Poisson process."""
    first = day(cfg.start) - WARMUP_DAYS
    months = np.arange(
        np.datetime64(cfg.start, "M") - (WARMUP_DAYS // 30 + 1),
        np.datetime64(cfg.end, "M") + 1,
    )
    ms = months.astype("datetime64[D]").astype(np.int64)
    me = (months + 1).astype("datetime64[D]").astype(np.int64) - 1
    lo = np.maximum(np.maximum(ms[None, :], r.act_start[:, None]), first)
    hi = np.minimum(me[None, :], r.act_end[:, None] - 30)
    width = np.maximum(hi - lo + 1, 0)
    lam = r.intensity[:, None] * SEASON[month_of_year(ms)][None, :] * width / (me - ms + 1)[None, :]
    counts = rng.poisson(lam)
    coach, month = np.nonzero(counts)
    reps = counts[coach, month]
    coach, month = np.repeat(coach, reps), np.repeat(month, reps)
    intake = lo[coach, month] + np.floor(rng.random(coach.size) * width[coach, month]).astype(
        np.int64
    )
    order = np.lexsort((coach, intake))
    return coach[order], intake[order]


def build_one_to_one(
    cfg: DemoConfig, rng: np.random.Generator, r: Roster
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(clients, engagements, safety_assessments) of one-to-one work, keyed by `_c` and `_k`."""
    start, end = day(cfg.start), day(cfg.end)
    coach, intake = _intakes(cfg, rng, r)
    n = coach.size

    excluded = rng.random(n) < 0.025
    delay = between(rng, np.zeros(n), 10)
    started = intake + delay
    assessed = intake + between(rng, np.zeros(n), delay)
    interval = pick(rng, [7, 14, 10, 21], [0.65, 0.25, 0.05, 0.05], n).astype(np.int64)
    dropout = rng.random(n) < 0.12
    length = np.where(
        dropout,
        between(rng, np.zeros(n), 30),
        np.clip(rng.lognormal(np.log(110), 0.8, n), 14, 1100).astype(np.int64),
    )
    planned = length // interval + 1
    horizon = r.act_end[coach]
    fits = (horizon - started) // interval + 1
    truncated = planned > fits
    count = np.where(truncated, fits, planned)
    count[excluded] = 0
    last = started + (np.maximum(count, 1) - 1) * interval

    reason = pick(rng, END_REASONS, END_P, n)
    reason[dropout] = "client_withdrew"
    closing = truncated & (horizon < end)
    ongoing = truncated & ~closing
    reason[closing] = "coach_closed_practice"
    exclusion = pick(rng, list(EXCLUSION_REFERRAL), [0.45, 0.25, 0.25, 0.05], n)
    reason[excluded] = "excluded_after_assessment"
    refers = (
        np.isin(
            reason,
            [
                "referred_out",
                "transferred_to_therapy",
                "coach_released_client",
                "coach_closed_practice",
            ],
        )
        | excluded
    )
    ended = np.where(refers & ~closing, np.minimum(last + between(rng, np.zeros(n), 5), end), last)
    ended[closing] = horizon[closing]
    ended[excluded] = assessed[excluded]
    started[excluded] = assessed[excluded]
    ended[ongoing & ~excluded] = NO_DAY
    reason = np.where((ongoing & ~excluded), None, reason)

    # Warm-up clients are kept only if their engagement reaches into the records.
    keep = (intake >= start) | (~excluded & (last >= start))
    (
        coach,
        intake,
        excluded,
        started,
        assessed,
        interval,
        count,
        last,
        ended,
        reason,
        exclusion,
        refers,
        dropout,
        closing,
    ) = (
        a[keep]
        for a in (
            coach,
            intake,
            excluded,
            started,
            assessed,
            interval,
            count,
            last,
            ended,
            reason,
            exclusion,
            refers,
            dropout,
            closing,
        )
    )
    n = coach.size
    ongoing = ended == NO_DAY

    # Who the client is: minors, couples and families only with coaches trained for them.
    age = pick(rng, AGE_BANDS, ADULT_AGES, n)
    age[r.minors[coach] & (rng.random(n) < 0.1)] = "under_18"
    kind_draw = rng.random(n)
    ctype = np.where(r.couples[coach] & (kind_draw < 0.07), "couple", "individual").astype(object)
    ctype[r.couples[coach] & (kind_draw >= 0.07) & (kind_draw < 0.11)] = "family"
    affordable = rng.random(n) < r.afford[coach]
    basis = np.where(
        affordable, np.where(rng.random(n) < 0.65, "reduced", "pro_bono"), "paying"
    ).astype(object)
    income_p = np.select([basis == "pro_bono", basis == "reduced"], [0.85, 0.6], 0.05)
    # A reduced fee is given because the client has few financial resources: always recorded
    # (COMM-PROBONO counts a reduced fee only for a client marked low income).
    drawn = np.where(r.income_recorded[coach], rng.random(n) < income_p, None)
    low_income = optional(np.where(basis == "reduced", True, drawn), pl.Boolean)

    refund = np.where((basis != "pro_bono") | (rng.random(n) < 0.3), intake, NO_DAY)
    grievance = np.minimum(intake + between(rng, np.zeros(n), 7), end)
    stop = np.where(ongoing, end, ended)
    context = np.maximum(np.minimum(started + between(rng, np.zeros(n), 21), stop), intake)
    context[excluded] = assessed[excluded]

    clients = pl.DataFrame(
        {
            "_c": np.arange(n),
            "_k": coach,
            "intake_on": as_dates(intake),
            "age_band": age.astype(str),
            "client_type": ctype.astype(str),
            "fee_basis": basis.astype(str),
            "refund_policy_given_on": as_dates(refund),
            "grievance_policy_given_on": as_dates(grievance),
            "context_explored_on": as_dates(context),
            "low_income": low_income,
        }
    )

    # Areas: the client's main area is one the coach declared, weighted by demand.
    slots = r.comp_areas[coach]
    w = np.where(declared(r)[coach], DEMAND[slots], 0.0)
    main = row_choice(rng, w)
    second = row_choice(rng, w)
    same = second == main
    second[same] = (main[same] + 1) % r.comp_n[coach][same]
    area = IN_SCOPE[slots[np.arange(n), main]]
    area2 = IN_SCOPE[slots[np.arange(n), second]]

    ref_reason, ref_type = _exit_referrals(rng, reason, exclusion, excluded)
    decomp = (reason == "transferred_to_therapy") & (ref_reason == "decompensation")
    # A transfer after decompensation is made within the days SAFE-DECOMP allows (a near-miss).
    ended = np.where(decomp, np.minimum(ended, last + DECOMP_DAYS), ended)
    explained = np.where(reason == "client_withdrew", rng.random(n) < 0.5, True)
    engagements = pl.DataFrame(
        {
            "_c": np.arange(n),
            "_k": coach,
            "_g": pl.Series([None] * n, dtype=pl.Int64),
            "format": ["one_to_one"] * n,
            "coaching_relationship": np.ones(n, dtype=bool),
            "started_on": as_dates(started),
            "ended_on": as_dates(ended),
            "end_reason": optional(reason, pl.String),
            "exit_explained": optional(np.where(ongoing, None, explained), pl.Boolean),
            "_ref_reason": optional(np.where(refers, ref_reason, None), pl.String),
            "_ref_type": optional(np.where(refers, ref_type, None), pl.String),
            "_n": count,
            "_interval": interval,
            "_first_d": started,
            "_last_d": last,
            "_dur": pick(rng, [60, 50, 75, 90], [0.6, 0.1, 0.1, 0.2], n).astype(np.int64),
            "_delivery": pick(rng, ["video", "in_person", "phone"], [0.5, 0.38, 0.12], n).astype(
                str
            ),
            "_fee_base": np.select(
                [basis == "paying", basis == "reduced"], ["paid", "reduced"], "pro_bono"
            ),
            "_fee": r.rate[coach].astype(float),
            "_area": area.astype(str),
            "_area2": area2.astype(str),
            "_gap": [""] * n,
            "_psy": (r.psy[coach] != "none") & (rng.random(n) < 0.25),
            "_decomp": decomp,
            "_supervised": rng.random(n) < 0.05,
        }
    )

    outcome = np.where(
        excluded, "excluded", np.where(rng.random(n) < 0.82, "cleared", "cleared_with_plan")
    )
    assessments = pl.DataFrame(
        {
            "_k": coach,
            "_c": np.arange(n),
            "_e_c": np.arange(n),  # the engagement of the same client
            "assessed_on": as_dates(assessed),
            "outcome": outcome.astype(str),
            "exclusion_reason": optional(np.where(excluded, exclusion, None), pl.String),
        }
    )
    return clients, engagements, assessments


def _exit_referrals(
    rng: np.random.Generator, reason: np.ndarray, exclusion: np.ndarray, excluded: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Referral reason and service type for engagements that end with a referral."""
    n = reason.size
    out_reason = pick(
        rng, ["outside_competence", "outside_scope", "client_request"], [0.3, 0.2, 0.5], n
    )
    out_type = np.select(
        [out_reason == "outside_competence", out_reason == "outside_scope"],
        [
            np.full(n, "another_coach", dtype=object),
            pick(rng, ["therapist", "medical", "legal"], [0.6, 0.25, 0.15], n),
        ],
        pick(rng, ["another_coach", "therapist", "support_group"], [0.4, 0.4, 0.2], n),
    )
    transfer_reason = np.where(rng.random(n) < 0.6, "decompensation", "mental_health_crisis")
    transfer_type = pick(rng, ["therapist", "psychiatrist", "crisis_service"], [0.6, 0.25, 0.15], n)
    release_reason = np.where(rng.random(n) < 0.6, "outside_competence", "other")
    excl_reason = np.array([EXCLUSION_REFERRAL[e][0] for e in EXCLUSION_REFERRAL])
    excl_type = np.array([EXCLUSION_REFERRAL[e][1] for e in EXCLUSION_REFERRAL])
    excl_idx = (
        pl.Series(exclusion.astype(str))
        .replace_strict({e: i for i, e in enumerate(EXCLUSION_REFERRAL)}, return_dtype=pl.Int64)
        .to_numpy()
    )
    conditions = [
        excluded,
        reason == "referred_out",
        reason == "transferred_to_therapy",
        reason == "coach_released_client",
        reason == "coach_closed_practice",
    ]
    ref_reason = np.select(
        conditions,
        [
            excl_reason[excl_idx],
            out_reason,
            transfer_reason,
            release_reason,
            np.full(n, "coach_closing_practice"),
        ],
        None,
    )
    ref_type = np.select(
        conditions,
        [
            excl_type[excl_idx],
            out_type,
            transfer_type,
            np.full(n, "another_coach"),
            np.full(n, "another_coach"),
        ],
        None,
    )
    return ref_reason, ref_type
