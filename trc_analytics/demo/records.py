"""The remaining records: goals, disclosures with their basis, mandatory reports made on time,
community service, and conduct events (grievances received, a charge reported in time).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.coaches import Roster
from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.dates import NO_DAY, as_dates, day
from trc_analytics.demo.sampling import between, expand, optional, pick, recurring


def build_goals(
    cfg: DemoConfig, rng: np.random.Generator, engagements: pl.DataFrame, members: pl.DataFrame
) -> pl.DataFrame:
    """1-4 goals per one-to-one client, one per group or retreat member; closed when work ends."""
    end = day(cfg.end)
    one = engagements.filter(
        (pl.col("format") == "one_to_one")
        & (pl.col("_n") > 0)
        & (pl.col("_last_d") >= day(cfg.start))
    )
    count = pick(rng, [1, 2, 3, 4], [0.4, 0.35, 0.2, 0.05], one.height).astype(np.int64)
    owner, _ = expand(count)
    n = owner.size
    started = one["_first_d"].to_numpy()[owner]
    ended = one["ended_on"].cast(pl.Int64).fill_null(NO_DAY).to_numpy()[owner]
    open_ = ended == NO_DAY
    stop = np.where(open_, end, ended)
    set_on = np.minimum(started + between(rng, np.zeros(n), 28), stop)
    withdrew = (one["end_reason"] == "client_withdrew").fill_null(False).to_numpy()[owner]
    closed_status = np.where(
        withdrew,
        pick(rng, ["achieved", "revised", "released"], [0.2, 0.1, 0.7], n),
        pick(rng, ["achieved", "revised", "released"], [0.6, 0.15, 0.25], n),
    )
    open_status = pick(rng, ["active", "achieved", "revised"], [0.65, 0.25, 0.1], n)
    status = np.where(open_, open_status, closed_status)
    closed = np.where(status == "active", NO_DAY, between(rng, set_on, stop))
    goals = [
        pl.DataFrame(
            {
                "_c": one["_c"].to_numpy()[owner],
                "_k": one["_k"].to_numpy()[owner],
                "_e": one["_e"].to_numpy()[owner],
                "set_on": as_dates(set_on),
                "status": status.astype(str),
                "closed_on": as_dates(closed),
            }
        )
    ]
    coaching = engagements.filter(
        (pl.col("format").is_in(["group", "retreat"])) & pl.col("_g").is_not_null()
    ).select("_g", "_k", "ended_on")
    m = members.join(coaching, on="_g").sort("_g", "_c")
    if m.height:
        joined = m["joined_on"].cast(pl.Int64).to_numpy()
        left = m["left_on"].cast(pl.Int64).fill_null(NO_DAY).to_numpy()
        stop = np.where(left == NO_DAY, end, left)
        set_on = np.minimum(joined + between(rng, np.zeros(m.height), 7), stop)
        done = left != NO_DAY
        goals.append(
            pl.DataFrame(
                {
                    "_c": m["_c"],
                    "_k": m["_k"],
                    "set_on": as_dates(set_on),
                    "status": np.where(done, "achieved", "active").astype(str),
                    "closed_on": as_dates(np.where(done, between(rng, set_on, stop), NO_DAY)),
                }
            )
        )
    return pl.concat(goals, how="diagonal")


def build_mandatory_reports(
    cfg: DemoConfig, rng: np.random.Generator, sessions: pl.DataFrame, n_clients: int
) -> pl.DataFrame:
    """Concerns about a minor, elder or disabled person, each reported within a day."""
    held = sessions.select("status", "_c", "_k", "held_on").filter(
        (pl.col("status") == "held") & pl.col("_c").is_not_null()
    )
    p = min(1.0, 0.006 * n_clients / max(held.height, 1))
    picked = held.filter(pl.Series(rng.random(held.height) < p)).unique(
        "_c", keep="first", maintain_order=True
    )
    n = picked.height
    concern = picked["held_on"].cast(pl.Int64).to_numpy()
    return pl.DataFrame(
        {
            "_k": picked["_k"],
            "_c": picked["_c"],
            "concern_on": as_dates(concern),
            "concern_group": pick(rng, ["minor", "elder", "disabled"], [0.55, 0.25, 0.2], n).astype(
                str
            ),
            "abuse_current": np.ones(n, dtype=bool),
            "reported_on": as_dates(
                np.minimum(concern + between(rng, np.zeros(n), 1), day(cfg.end))
            ),
        }
    )


def build_disclosures(
    cfg: DemoConfig,
    rng: np.random.Generator,
    reports: pl.DataFrame,
    referrals: pl.DataFrame,
    assessments: pl.DataFrame,
    sessions: pl.DataFrame,
) -> pl.DataFrame:
    """Disclosures, each with a basis the Code allows."""
    end = day(cfg.end)
    protect = pl.DataFrame(
        {
            "_k": reports["_k"],
            "_c": reports["_c"],
            "disclosed_on": reports["reported_on"],
            "basis": ["mandatory_report"] * reports.height,
            "recipient_type": np.where(
                reports["concern_group"].to_numpy() == "minor",
                "child_protection",
                "adult_protection",
            ),
        }
    )
    transfers = referrals.filter(pl.col("reason").is_in(["decompensation", "mental_health_crisis"]))
    transfers = transfers.filter(pl.Series(rng.random(transfers.height) < 0.5))
    consent = transfers.select(
        "_k",
        "_c",
        pl.col("referred_on").alias("disclosed_on"),
        pl.lit("written_consent").alias("basis"),
        pl.when(pl.col("service_type") == "psychiatrist")
        .then(pl.lit("physician"))
        .otherwise(pl.lit("therapist"))
        .alias("recipient_type"),
    )
    danger = assessments.filter(
        pl.col("exclusion_reason").is_in(["active_suicidality", "active_self_harm"])
    )
    danger = danger.filter(pl.Series(rng.random(danger.height) < 0.4))
    danger = danger.select(
        "_k",
        "_c",
        pl.col("assessed_on").alias("disclosed_on"),
        pl.lit("danger_to_self_or_others").alias("basis"),
        pl.Series(
            pick(
                rng, ["physician", "family_member", "other"], [0.5, 0.3, 0.2], danger.height
            ).astype(str)
        ).alias("recipient_type"),
    )
    held = sessions.select("status", "_c", "_k", "held_on").filter(
        (pl.col("status") == "held") & pl.col("_c").is_not_null()
    )
    held = held.filter(pl.Series(rng.random(held.height) < 0.0003)).unique(
        "_c", keep="first", maintain_order=True
    )
    on = np.minimum(
        held["held_on"].cast(pl.Int64).to_numpy() + between(rng, np.full(held.height, 5), 60), end
    )
    subpoena = pl.DataFrame(
        {
            "_k": held["_k"],
            "_c": held["_c"],
            "disclosed_on": as_dates(on),
            "basis": ["subpoena"] * held.height,
            "recipient_type": ["court"] * held.height,
        }
    )
    return pl.concat([protect, consent, danger, subpoena], how="vertical_relaxed")


def build_community_service(cfg: DemoConfig, rng: np.random.Generator, r: Roster) -> pl.DataFrame:
    """Community service every one to five months by every coach who gives back."""
    givers = np.flatnonzero(~r.no_giving)
    lo = np.maximum(day(cfg.start), r.joined[givers]) - between(rng, np.zeros(givers.size), 150)
    owner, held = recurring(rng, lo, r.act_end[givers], 30, 150)
    n = owner.size
    kind = pick(
        rng,
        ["support_group", "free_workshop", "pro_bono_group", "advocacy", "sliding_scale_program"],
        [0.3, 0.25, 0.2, 0.15, 0.1],
        n,
    )
    given = pl.DataFrame(
        {
            "_k": givers[owner],
            "held_on": as_dates(held),
            "kind": kind.astype(str),
            "hours": (between(rng, np.full(n, 2), 12) / 2).astype(float),
            "participants": optional(
                np.where(kind == "advocacy", None, between(rng, np.full(n, 3), 40)), pl.Int64
            ),
        }
    )
    # Advocacy is not a service given to survivors (COMM-PROBONO does not count it): a coach
    # who gives back advocates alongside a support group on the same day, so advocacy stays a
    # near miss and never leaves a window without service.
    alongside = given.filter(pl.col("kind") == "advocacy").with_columns(
        kind=pl.lit("support_group"), participants=pl.lit(None, pl.Int64())
    )
    return pl.concat([given, alongside])


def build_conduct_events(cfg: DemoConfig, rng: np.random.Generator, r: Roster) -> pl.DataFrame:
    """Grievances received now and then, and criminal charges reported within the 10 days.

    Near misses: the day after the first charge, the same coach is charged with a crime of
    another kind (no duty to report, none made) and meets a client in the community without
    acknowledging them (no dual relationship the Code forbids).
    """
    start, end = day(cfg.start), day(cfg.end)
    years = (end - start + 1) / 365.25
    grievances = rng.poisson(0.03 * years * r.n)
    charges = max(1, round(0.005 * r.n))
    n = grievances + charges
    coach = rng.integers(1, r.n, n)
    occurred = between(rng, np.maximum(r.act_start[coach], start), r.act_end[coach] - 12)
    kind = np.array(["grievance_received"] * grievances + ["criminal_charge"] * charges)
    reported = np.where(
        kind == "criminal_charge",
        occurred + between(rng, np.full(n, 2), 9),
        occurred + between(rng, np.zeros(n), 3),
    )
    events = pl.DataFrame(
        {
            "_k": coach,
            "kind": kind,
            "occurred_on": as_dates(occurred),
            "reported_on": as_dates(np.minimum(reported, end)),
            "charge_kind": optional(
                np.where(kind == "criminal_charge", "against_persons", None), pl.String
            ),
        }
    )
    first = events.filter(pl.col("kind") == "criminal_charge").head(1)
    near = pl.concat(
        [
            first.with_columns(charge_kind=pl.lit("other"), reported_on=pl.lit(None, pl.Date)),
            first.with_columns(
                kind=pl.lit("dual_relationship"),
                charge_kind=pl.lit(None, pl.String),
                reported_on=pl.lit(None, pl.Date),
                dual_kind=pl.lit("incidental_community"),
                client_acknowledged=pl.lit(False),
            ),
        ],
        how="diagonal",
    ).with_columns(occurred_on=pl.col("occurred_on") + pl.duration(days=1))
    return pl.concat([events, near], how="diagonal")
