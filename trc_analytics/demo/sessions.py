"""Sessions: every engagement's rhythm expanded into rows, fully vectorized.

One-to-one sessions come weekly-ish (the engagement's interval, a day or two either way) with
no-shows, cancellations and reschedules; the first and last are held. Under-influence reschedules
(a SAFE-INFLUENCE near-miss) and decompensation at a transfer to therapy (a SAFE-DECOMP near-miss,
referred within days) happen at low rates. Group sessions carry no client id.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.coaches import Roster
from trc_analytics.demo.config import CURRENCY, DemoConfig
from trc_analytics.demo.dates import NO_DAY, add_months, as_dates, day
from trc_analytics.demo.sampling import between, expand

STATUSES = ("held", "rescheduled_under_influence", "rescheduled_other", "cancelled", "no_show")
DELIVERIES = ("in_person", "video", "phone")


def build_sessions(
    cfg: DemoConfig, rng: np.random.Generator, r: Roster, engagements: pl.DataFrame
) -> pl.DataFrame:
    """All sessions (internal keys `_e`, `_k`, `_c`), sorted by date then engagement."""
    start = day(cfg.start)
    e = engagements.filter(pl.col("_n") > 0)
    owner, seq = expand(e["_n"].to_numpy())
    count = e["_n"].to_numpy()[owner]
    one = (e["format"] == "one_to_one").to_numpy()[owner]
    inner = one & (seq > 0) & (seq < count - 1)
    jitter = np.where(inner, between(rng, np.full(owner.size, -1), 2), 0)
    held_on = e["_first_d"].to_numpy()[owner] + seq * e["_interval"].to_numpy()[owner] + jitter
    keep = held_on >= start
    # A coach past the grace of a lapse does not practise until the remediating renewal.
    pause_from = add_months(r.anchor, 24 * (r.stop_cycle + 1) + 6)
    paused = (r.remed_renewal != NO_DAY)[e["_k"].to_numpy()[owner]]
    if paused.any():
        k = e["_k"].to_numpy()[owner]
        keep &= ~(paused & (held_on > pause_from[k]) & (held_on < r.remed_renewal[k]))
    owner, seq, count, one, inner, held_on = (
        a[keep] for a in (owner, seq, count, one, inner, held_on)
    )
    n = owner.size
    coach = e["_k"].to_numpy()[owner]

    # Status: one-to-one sessions miss now and then (some coaches' clients more than others).
    u = rng.random(n)
    p_noshow = 0.04 * r.noshow[coach]
    cuts = np.stack(
        [
            np.full(n, 0.0015),  # rescheduled because the client came under the influence
            np.full(n, 0.04),  # rescheduled for another reason
            np.full(n, 0.05),  # cancelled
            p_noshow,
        ],
        axis=1,
    )
    cum = np.cumsum(cuts, axis=1)
    status = np.where(u < cum[:, -1], 1 + (u[:, None] >= cum).sum(axis=1), 0)
    status = np.where(inner, status, 0)
    group_cancel = ~one & (seq > 0) & (rng.random(n) < 0.03)
    status[group_cancel] = 3
    held = status == 0

    dur = np.where(held, e["_dur"].to_numpy()[owner], 0)
    base_fee = e["_fee"].to_numpy()[owner]
    fee_base = (
        e["_fee_base"].replace_strict({"paid": 0, "reduced": 1, "pro_bono": 2}).to_numpy()[owner]
    )
    sliding = one & (fee_base == 0) & (r.afford[coach] > 0) & (rng.random(n) < 0.03)
    fee_type = np.where(sliding, 1, fee_base)
    reduced_share = np.round(rng.uniform(0.3, 0.6, n) * 20) / 20
    per_session = np.where(
        one, np.round(base_fee * e["_dur"].to_numpy()[owner] / 60 / 5) * 5, base_fee
    )
    amount = np.select(
        [fee_type == 0, fee_type == 1],
        [per_session, np.round(per_session * reduced_share / 5) * 5],
        0.0,
    )
    charged = held | ((status == 4) & r.charges_noshow[coach] & (fee_type == 0))
    amount = np.where(charged, amount, 0.0)

    delivery = (
        e["_delivery"].replace_strict({d: i for i, d in enumerate(DELIVERIES)}).to_numpy()[owner]
    )
    switch = one & (rng.random(n) < 0.1)
    delivery = np.where(switch, rng.integers(0, 3, n), delivery)

    gap = (e["_gap"] != "").to_numpy()[owner]
    main_share = np.where(gap, 0.85, np.where(one, 0.8, 1.0))
    use_main = rng.random(n) < main_share
    decomp = e["_decomp"].to_numpy()[owner] & (seq == count - 1)
    psy = e["_psy"].to_numpy()[owner] & held & (rng.random(n) < 0.5)
    supervised = (e["_supervised"] | (e["_gap"] == "supervised")).to_numpy()[owner]

    # Rows in date order (then engagement, then sequence): session ids follow the calendar.
    order = np.lexsort((seq, e["_e"].to_numpy()[owner], held_on))
    (
        owner,
        seq,
        count,
        coach,
        held_on,
        dur,
        delivery,
        status,
        fee_type,
        amount,
        use_main,
        decomp,
        psy,
        supervised,
    ) = (
        a[order]
        for a in (
            owner,
            seq,
            count,
            coach,
            held_on,
            dur,
            delivery,
            status,
            fee_type,
            amount,
            use_main,
            decomp,
            psy,
            supervised,
        )
    )
    idx = pl.Series(owner)
    frame = pl.DataFrame(
        {
            "_e": e["_e"].gather(idx),
            "_k": coach,
            "_c": e["_c"].gather(idx),
            "_seq": seq,
            "_last": seq == count - 1,
            "_format": e["format"].gather(idx),
            "held_on": as_dates(held_on),
            "duration_min": dur.astype(np.int64),
            "delivery": pl.Series(DELIVERIES).gather(pl.Series(delivery)),
            "status": pl.Series(STATUSES).gather(pl.Series(status)),
            "fee_type": pl.Series(["paid", "reduced", "pro_bono"]).gather(pl.Series(fee_type)),
            "fee_amount": amount.astype(float),
            "currency": pl.repeat(CURRENCY, n, eager=True),
            "area": pl.select(
                pl.when(pl.Series(use_main))
                .then(e["_area"].gather(idx))
                .otherwise(e["_area2"].gather(idx))
            ).to_series(),
            "client_under_influence": status == 1,
            "left_triggered_unsafe": np.zeros(n, dtype=bool),
            "decompensation_observed": decomp,
            "psychoactive_used": psy,
            "supervised_case": supervised,
        }
    )
    return frame
