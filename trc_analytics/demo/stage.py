"""The records under construction, and the views of them that planting reads.

`Records` holds the internal frames (row-number keys `_k` coach, `_c` client, `_e` engagement,
`_g` group, `_s` session); `Stage` adds what every planting step needs: the configuration, the
random generator, the roster, the picker, and the held one-to-one sessions in slim form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from trc_analytics.demo.coaches import Roster
from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.picking import Picker


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
    #: Outcome-measure scores (`demo.outcomes`), added after every planted case.
    measures: pl.DataFrame = field(default_factory=pl.DataFrame)


@dataclass
class Stage:
    """Everything a planting step reads; steps change `rec` in place."""

    cfg: DemoConfig
    rng: np.random.Generator
    roster: Roster
    rec: Records
    pick: Picker
    #: Held one-to-one sessions: `_s _e _k _c _seq _last held_on _paid` (numbers only: cheap).
    held_one: pl.DataFrame
    #: The same without each engagement's first and last session.
    inner: pl.DataFrame
    #: One-to-one engagements with `first_held` (their first held session, null if none).
    one: pl.DataFrame

    @classmethod
    def prepare(
        cls, cfg: DemoConfig, rng: np.random.Generator, roster: Roster, rec: Records
    ) -> Stage:
        """Derive the shared views from the finished baseline records."""
        slim = ["_s", "_e", "_k", "_c", "_seq", "_last", "held_on"]
        held_one = (
            rec.sessions.select(
                [*slim, (pl.col("fee_type") == "paid").alias("_paid"), "status", "_one"]
            )
            .filter((pl.col("status") == "held") & pl.col("_one"))
            .drop("status", "_one")
        )
        inner = held_one.filter((pl.col("_seq") > 0) & ~pl.col("_last"))
        firsts = held_one.group_by("_e").agg(pl.col("held_on").min().alias("first_held")).sort("_e")
        one = rec.engagements.filter(pl.col("format") == "one_to_one").join(
            firsts, on="_e", maintain_order="left"
        )
        return cls(cfg, rng, roster, rec, Picker(cfg, rng), held_one, inner, one)

    @property
    def rate(self) -> float:
        """The share of cases to plant."""
        return self.cfg.finding_rate
