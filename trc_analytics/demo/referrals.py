"""Vetted services and referrals: every baseline referral goes to a service the coach vetted first.

Services come from a shared pool (two coaches may vet the same one). Referrals are made when an
engagement ends with a hand-over (referred out, transferred to therapy, released, practice closed,
excluded at assessment) and, now and then, alongside coaching (support groups, medical, legal).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.coaches import Roster
from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.dates import as_dates, day
from trc_analytics.demo.sampling import between, expand

#: Service type -> (pool size per coach, slots per coach (min, max)).
SERVICE_TYPES: dict[str, tuple[float, tuple[int, int]]] = {
    "therapist": (1.0, (2, 3)),
    "psychiatrist": (0.3, (1, 2)),
    "crisis_service": (0.15, (1, 1)),
    "medical": (0.3, (1, 2)),
    "support_group": (0.5, (1, 2)),
    "another_coach": (0.5, (1, 2)),
    "legal": (0.15, (1, 1)),
    "other": (0.1, (0, 1)),
}
#: Types a therapist-like referral (after decompensation) may go to.
THERAPY_TYPES = ("therapist", "psychiatrist", "crisis_service")
#: Months after which a coach vets each service again, well within `vetting_valid_months`.
REVET_MONTHS = 18


def service_pool(cfg: DemoConfig, rng: np.random.Generator) -> pl.DataFrame:
    """All services any coach may vet: `service_id` (V-0001 ...) and `service_type`."""
    sizes = {t: max(4, int(np.ceil(cfg.coaches * f))) for t, (f, _) in SERVICE_TYPES.items()}
    types = np.repeat(np.array(list(sizes), dtype=object), list(sizes.values()))
    types = types[rng.permutation(types.size)]
    width = max(4, len(str(types.size)))
    ids = pl.select(
        pl.lit("V-") + pl.int_range(1, types.size + 1).cast(pl.String).str.zfill(width)
    ).to_series()
    return pl.DataFrame({"service_id": ids, "service_type": types.astype(str)})


def build_vetted(
    cfg: DemoConfig, rng: np.random.Generator, r: Roster, pool: pl.DataFrame
) -> pl.DataFrame:
    """Each coach's vetted services: some of every type, the first vetted before practising."""
    end = day(cfg.end)
    frames = []
    for t, (_, (lo, hi)) in SERVICE_TYPES.items():
        ids = pool.filter(pl.col("service_type") == t)["service_id"]
        slots = between(rng, np.full(r.n, lo), hi)
        coach, slot = expand(slots)
        pick_i = rng.integers(0, ids.len(), coach.size)
        before = r.joined[coach] + between(
            rng, np.zeros(coach.size), r.act_start[coach] - r.joined[coach]
        )
        later = between(rng, r.act_start[coach], end)
        vetted_on = np.where((slot == 0) | (rng.random(coach.size) < 0.7), before, later)
        frames.append(
            pl.DataFrame(
                {
                    "_k": coach,
                    "service_id": ids.gather(pl.Series(pick_i)),
                    "service_type": [t] * coach.size,
                    "vetted_on": as_dates(vetted_on),
                    "_slot": slot,
                }
            )
        )
    first = (
        pl.concat(frames)
        .sort("_k", "service_id", "_slot")
        .unique(["_k", "service_id"], keep="first", maintain_order=True)
        .drop("_slot")
    )
    return revetted(first, r, end).sort("_k", "vetted_on", "service_id")


def revetted(first: pl.DataFrame, r: Roster, end: int) -> pl.DataFrame:
    """Each first vetting and its renewals every `REVET_MONTHS` while the coach practises (to
    the end of the records), so no baseline referral rests on a vetting gone stale.

    Deterministic (no random numbers), so the rest of the demo draws what it drew before.
    """
    until = pl.Series(np.minimum(r.act_end, end)).gather(first["_k"])
    steps = ((until - first["vetted_on"].cast(pl.Int64)) // (REVET_MONTHS * 31)).clip(0)
    return (
        first.with_columns(_step=pl.int_ranges(0, steps + 1))
        .explode("_step")
        .with_columns(
            vetted_on=pl.col("vetted_on").dt.offset_by(
                pl.format("{}mo", pl.col("_step") * REVET_MONTHS)
            )
        )
        .drop("_step")
    )


def choose_services(
    rng: np.random.Generator, referrals: pl.DataFrame, vetted: pl.DataFrame
) -> pl.DataFrame:
    """Fill `service_id` with a service of the right type the coach vetted on or before the day."""
    keyed = referrals.with_row_index("_r")
    options = (
        keyed.select("_r", "_k", "service_type", "referred_on")
        .join(
            vetted.select("_k", "service_type", "service_id", "vetted_on"),
            on=["_k", "service_type"],
        )
        .filter(pl.col("vetted_on") <= pl.col("referred_on"))
    )
    # A fixed order before random numbers; a service vetted again is one option.
    options = options.sort("_r", "service_id", "vetted_on").unique(
        ["_r", "service_id"], keep="first", maintain_order=True
    )
    options = options.with_columns(_u=pl.Series(rng.random(options.height)))
    chosen = options.sort("_r", "_u").unique("_r", keep="first", maintain_order=True)
    return (
        keyed.drop("service_id", strict=False)
        .join(chosen.select("_r", "service_id"), on="_r", how="left")
        .sort("_r")
        .drop("_r")
    )


def build_referrals(
    cfg: DemoConfig,
    rng: np.random.Generator,
    engagements: pl.DataFrame,
    vetted: pl.DataFrame,
) -> pl.DataFrame:
    """Exit referrals (`_exit_e` = the engagement they close) and adjunct referrals."""
    end = day(cfg.end)
    exits = engagements.filter(pl.col("_ref_reason").is_not_null()).select(
        "_k",
        "_c",
        pl.col("ended_on").alias("referred_on"),
        pl.col("_ref_type").alias("service_type"),
        pl.col("_ref_reason").alias("reason"),
        pl.col("_e").alias("_exit_e"),
    )
    one = engagements.filter((pl.col("format") == "one_to_one") & (pl.col("_n") > 0))
    chosen = one.filter(pl.Series(rng.random(one.height) < 0.08))
    m = chosen.height
    first = chosen["_first_d"].to_numpy()
    last = np.minimum(chosen["_last_d"].to_numpy(), end)
    kind = rng.choice(3, size=m, p=[0.5, 0.3, 0.2])
    adjunct = pl.DataFrame(
        {
            "_k": chosen["_k"],
            "_c": chosen["_c"],
            "referred_on": as_dates(between(rng, first, last)),
            "service_type": np.array(["support_group", "medical", "legal"])[kind],
            "reason": np.where(
                kind == 0,
                "client_request",
                np.where(rng.random(m) < 0.5, "client_request", "other"),
            ),
            "_exit_e": pl.Series([None] * m, dtype=pl.Int64),
        }
    )
    referrals = pl.concat([exits, adjunct.filter(pl.col("referred_on") >= pl.lit(cfg.start))])
    return choose_services(rng, referrals, vetted)
