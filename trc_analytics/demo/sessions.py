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
from trc_analytics.demo.sampling import expand

STATUSES = ("held", "rescheduled_under_influence", "rescheduled_other", "cancelled", "no_show")
DELIVERIES = ("in_person", "video", "phone")


def _col(e: pl.DataFrame, name: str, owner: np.ndarray) -> np.ndarray:
    """An engagement column, one value per session."""
    return e[name].to_numpy()[owner]


def build_sessions(
    cfg: DemoConfig, rng: np.random.Generator, r: Roster, engagements: pl.DataFrame
) -> pl.DataFrame:
    """All sessions (internal keys `_e`, `_k`, `_c`), sorted by date then engagement."""
    start = day(cfg.start)
    e = engagements.filter(pl.col("_n") > 0)
    count_e = e["_n"].to_numpy()
    owner, seq = expand(count_e)
    owner, seq = owner.astype(np.int32), seq.astype(np.int32)
    count = count_e[owner]
    one_e = (e["format"] == "one_to_one").to_numpy()
    inner = one_e[owner] & (seq > 0) & (seq < count - 1)
    jitter = np.where(inner, rng.integers(-1, 3, owner.size, dtype=np.int32), 0)
    held_on = _col(e, "_first_d", owner) + seq * _col(e, "_interval", owner) + jitter
    keep = held_on >= start
    # A coach past the grace of a lapse does not practise until the remediating renewal.
    paused = r.remed_renewal != NO_DAY
    if paused.any():
        pause_from = add_months(r.anchor, 24 * (r.stop_cycle + 1) + 6)
        k = _col(e, "_k", owner)
        keep &= ~(paused[k] & (held_on > pause_from[k]) & (held_on < r.remed_renewal[k]))

    # Only the keys are sorted (date, engagement, sequence); everything else is drawn after,
    # so session ids follow the calendar without reordering every column.
    owner, seq, held_on = owner[keep], seq[keep], held_on[keep]
    order = np.lexsort((seq, e["_e"].to_numpy()[owner], held_on))
    owner, seq, held_on = owner[order], seq[order], held_on[order]
    n = owner.size
    count = count_e[owner]
    one = one_e[owner]
    inner = one & (seq > 0) & (seq < count - 1)
    coach = _col(e, "_k", owner)

    # Status: one-to-one sessions miss now and then (some coaches' clients more than others).
    u = rng.random(n, dtype=np.float32)
    influence, other, cancel = 0.0015, 0.0415, 0.0915  # cumulative thresholds
    noshow = cancel + 0.04 * r.noshow.astype(np.float32)[coach]
    status = np.select([u < influence, u < other, u < cancel, u < noshow], [1, 2, 3, 4], 0).astype(
        np.int8
    )
    status[~inner] = 0
    group_cancel = ~one & (seq > 0) & (rng.random(n, dtype=np.float32) < 0.03)
    status[group_cancel] = 3
    held = status == 0

    dur_e = e["_dur"].to_numpy()
    dur = np.where(held, dur_e[owner], 0)
    fee_base = e["_fee_base"].replace_strict({"paid": 0, "reduced": 1, "pro_bono": 2}).to_numpy()
    fee_type = fee_base[owner].astype(np.int8)
    sliding = one & (fee_type == 0) & (r.afford[coach] > 0)
    sliding &= rng.random(n, dtype=np.float32) < 0.03
    fee_type[sliding] = 1
    fee_e = e["_fee"].to_numpy()
    per_session_e = np.where(one_e, np.round(fee_e * dur_e / 60 / 5) * 5, fee_e)
    per_session = per_session_e[owner]
    share = np.round(rng.uniform(0.3, 0.6, n) * 20) / 20
    amount = np.where(fee_type == 1, np.round(per_session * share / 5) * 5, per_session)
    charged = (held | ((status == 4) & r.charges_noshow[coach])) & (fee_type != 2)
    amount = np.where(charged, amount, 0.0)

    delivery_e = e["_delivery"].replace_strict({d: i for i, d in enumerate(DELIVERIES)})
    delivery = delivery_e.to_numpy().astype(np.int8)[owner]
    switch = one & (rng.random(n, dtype=np.float32) < 0.1)
    delivery[switch] = rng.integers(0, 3, int(switch.sum()), dtype=np.int8)

    gap_e = (e["_gap"] != "").to_numpy()
    main_share = np.where(gap_e, 0.85, np.where(one_e, 0.8, 1.0)).astype(np.float32)[owner]
    use_main = rng.random(n, dtype=np.float32) < main_share
    decomp = e["_decomp"].to_numpy()[owner] & (seq == count - 1)
    psy = e["_psy"].to_numpy()[owner] & held & (rng.random(n, dtype=np.float32) < 0.5)
    supervised = (e["_supervised"] | (e["_gap"] == "supervised")).to_numpy()[owner]

    idx = pl.Series(owner)
    frame = pl.DataFrame(
        {
            "_e": e["_e"].gather(idx),
            "_k": coach,
            "_c": e["_c"].gather(idx),
            "_seq": seq,
            "_last": seq == count - 1,
            "_one": one,
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
