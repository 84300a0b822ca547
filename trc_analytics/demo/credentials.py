"""Credentials: two-year renewal cycles per coach, each renewal preceded by an ethics review.

All credentials of a coach renew together on the anniversary of the initial certification
(renewing up to 45 days early keeps the anniversary as expiry). Planted roles stop the chain
(lapse), leave a renewal without its review (CERT-ETHICS), or renew after remediation.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.coaches import Roster
from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.dates import NO_DAY, add_months, as_dates, day
from trc_analytics.demo.sampling import between

MAX_CYCLES = 12
ETHICS_REVIEW_HOURS = 6.0


def build_credentials(
    cfg: DemoConfig, rng: np.random.Generator, r: Roster
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(credentials rows, ethics-review training rows), both keyed by coach number `_k`."""
    n = r.n
    start, end = day(cfg.start), day(cfg.end)
    cycles = np.arange(MAX_CYCLES)
    anniversaries = np.stack([add_months(r.anchor, 24 * k) for k in cycles], axis=1)
    early = between(rng, np.ones((n, MAX_CYCLES)), 45)
    early[:, 0] = 0
    bare = r.bare_cycle[:, None] == cycles[None, :]
    early[bare] = 1
    certified = anniversaries - early
    expires = np.stack([add_months(r.anchor, 24 * (k + 1)) for k in cycles], axis=1)
    review = certified - between(rng, np.full((n, MAX_CYCLES), 10), 120)
    review[:, 0] = NO_DAY
    review[bare] = NO_DAY

    # Last cycle: the first whose expiry lies after the end, unless the chain stops earlier.
    last = np.argmax(expires > end, axis=1)
    last = np.where(r.stop_cycle >= 0, r.stop_cycle, last)
    at_start = np.maximum((certified <= start).sum(axis=1) - 1, 0)

    # Which cycle each kind of credential was first granted at (-1: never).
    first_cycle = {
        "initial": np.zeros(n, dtype=np.int64),
        "advanced": np.where(r.advanced, between(rng, np.zeros(n), last), -1),
        "supervisor": np.where(r.is_sup, np.minimum(at_start, between(rng, np.zeros(n), 1)), -1),
        "group": np.where(r.runs_groups | r.runs_retreats, np.minimum(at_start, 1), -1),
        "npe": np.where(r.npe, between(rng, np.zeros(n), at_start), -1),
    }
    frames = []
    for kind, fc in first_cycle.items():
        held = (
            (fc[:, None] >= 0)
            & (cycles[None, :] >= fc[:, None])
            & (cycles[None, :] <= last[:, None])
        )
        k_idx, c_idx = np.nonzero(held)
        frames.append(
            pl.DataFrame(
                {
                    "_k": k_idx,
                    "credential": [kind] * k_idx.size,
                    "certified_on": as_dates(certified[k_idx, c_idx]),
                    "expires_on": as_dates(expires[k_idx, c_idx]),
                    "ethics_review_on": as_dates(review[k_idx, c_idx]),
                }
            )
        )

    # A lapse remediated by supervision ends with a renewal of every credential held.
    remed = np.flatnonzero(r.remed_renewal != NO_DAY)
    if remed.size:
        renewal = r.remed_renewal[remed]
        rows = []
        for j in range(MAX_CYCLES):
            cert = add_months(renewal, 24 * j) - (between(rng, np.ones(remed.size), 45) if j else 0)
            keep = cert <= end
            if not keep.any():
                break
            rows.append(
                pl.DataFrame(
                    {
                        "_k": remed[keep],
                        "credential": ["initial"] * int(keep.sum()),
                        "certified_on": as_dates(cert[keep]),
                        "expires_on": as_dates(add_months(renewal[keep], 24 * (j + 1))),
                        "ethics_review_on": as_dates(cert[keep] - 15),
                    }
                )
            )
        frames.extend(rows)

    credentials = pl.concat(frames).sort("_k", "credential", "certified_on")
    reviews = (
        credentials.filter(pl.col("ethics_review_on").is_not_null())
        .select("_k", pl.col("ethics_review_on").alias("completed_on"))
        .unique(maintain_order=True)
        .with_columns(
            hours=pl.lit(ETHICS_REVIEW_HOURS),
            kind=pl.lit("ethics_review"),
            area=pl.lit(None, dtype=pl.String),
        )
    )
    return credentials, reviews
