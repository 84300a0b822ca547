"""The demo generator: builds every table in dependency order from one seeded numpy Generator.

Same configuration, same frames: every random draw comes from one `np.random.default_rng(seed)`
in a fixed order, and every frame is sorted before random numbers are attached to its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from trc_analytics.demo.clients import build_one_to_one
from trc_analytics.demo.coaches import build_competencies, build_roster
from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.credential_stages import training_starts
from trc_analytics.demo.credentials import build_credentials
from trc_analytics.demo.development import build_supervision, build_trainings
from trc_analytics.demo.finalize import finalize
from trc_analytics.demo.groups import build_groups
from trc_analytics.demo.manifest import MANIFEST_SCHEMA
from trc_analytics.demo.outcomes import build_measures, score_goals
from trc_analytics.demo.plants import Records, plan_engagements, plant_events
from trc_analytics.demo.profiles import assign_profiles
from trc_analytics.demo.records import (
    build_community_service,
    build_conduct_events,
    build_disclosures,
    build_goals,
    build_mandatory_reports,
)
from trc_analytics.demo.referrals import build_referrals, build_vetted, service_pool
from trc_analytics.demo.sessions import build_sessions


@dataclass(frozen=True)
class Demo:
    """A generated workspace: the 19 tables, and the planted cases they contain."""

    config: DemoConfig
    frames: dict[str, pl.DataFrame]
    #: One row per planted case: check_id, coach_id, client_id, engagement_id, on, first, note.
    planted: pl.DataFrame
    #: Files written (set by `write_demo`).
    files: tuple[Path, ...] = ()


def _rank(*keys: np.ndarray) -> np.ndarray:
    """Position of every row when sorted by `keys` (first key most significant)."""
    order = np.lexsort(tuple(reversed(keys)))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank


def _days(frame: pl.DataFrame, col: str) -> np.ndarray:
    return frame[col].cast(pl.Int64).to_numpy()


def _combine(one: tuple, grp: tuple) -> tuple[pl.DataFrame, ...]:
    """Number clients and engagements of one-to-one and group work together, by date."""
    c1, e1, a1 = one
    c2, e2, m2, a2 = grp
    n1, n2 = c1.height, c2.height
    clients = pl.concat([c1, c2.with_columns(pl.col("_c") + n1)])
    tmp = np.arange(n1 + n2)
    c_key = _rank(_days(clients, "intake_on"), clients["_k"].to_numpy(), tmp)
    clients = clients.with_columns(_c=pl.Series(c_key)).sort("_c")

    engagements = pl.concat([e1, e2], how="vertical_relaxed")
    e_tmp = np.arange(engagements.height)
    e_key = _rank(_days(engagements, "started_on"), engagements["_k"].to_numpy(), e_tmp)
    is_group = engagements["_g"].is_not_null().to_numpy()
    g_local = engagements["_g"].fill_null(0).to_numpy()
    g_key = np.full(engagements.height, -1, dtype=np.int64)
    g_key[is_group] = _rank(e_key[is_group])
    g_map = np.empty(e2.height, dtype=np.int64)
    g_map[g_local[is_group]] = g_key[is_group]
    one_c = engagements["_c"].fill_null(0).to_numpy()
    engagements = (
        engagements.with_columns(
            _e=pl.Series(e_key),
            _c=pl.Series(np.where(is_group, -1, c_key[np.minimum(one_c, max(n1 - 1, 0))])),
            _g=pl.Series(np.where(is_group, g_key, -1)),
        )
        .with_columns(
            _c=pl.when(pl.col("_c") >= 0).then(pl.col("_c")),
            _g=pl.when(pl.col("_g") >= 0).then(pl.col("_g")),
        )
        .sort("_e")
    )

    members = m2.with_columns(
        _g=pl.Series(g_map[m2["_g"].to_numpy()]),
        _c=pl.Series(c_key[m2["_c"].to_numpy() + n1]),
    )
    group_e = np.empty(e2.height, dtype=np.int64)
    group_e[g_local[is_group]] = e_key[is_group]
    assessments = pl.concat(
        [
            a1.with_columns(
                _c=pl.Series(c_key[a1["_c"].to_numpy()]), _e=pl.Series(e_key[a1["_e_c"].to_numpy()])
            ).drop("_e_c"),
            a2.with_columns(
                _c=pl.Series(c_key[a2["_c"].to_numpy() + n1]),
                _e=pl.Series(group_e[a2["_e_g"].to_numpy()]),
            ).drop("_e_g"),
        ]
    ).with_columns(trigger=pl.lit("intake"))
    return clients, engagements, members, assessments


def build_demo(cfg: DemoConfig) -> Demo:
    """Generate every table of a demo workspace and the manifest of its planted cases."""
    rng = np.random.default_rng(cfg.seed)
    roster = build_roster(cfg, rng)
    manifest = [assign_profiles(cfg, rng, roster)]
    credentials, reviews = build_credentials(cfg, rng, roster)
    competencies = build_competencies(rng, roster)
    pool = service_pool(cfg, rng)
    vetted = build_vetted(cfg, rng, roster, pool)

    clients, engagements, members, assessments = _combine(
        build_one_to_one(cfg, rng, roster), build_groups(cfg, rng, roster)
    )
    engagements = plan_engagements(cfg, rng, roster, engagements)
    sessions = build_sessions(cfg, rng, roster, engagements).with_row_index("_s")
    sessions = sessions.with_columns(pl.col("_s").cast(pl.Int64))
    referrals = build_referrals(cfg, rng, engagements, vetted)
    mandatory = build_mandatory_reports(cfg, rng, sessions, clients.height)
    rec = Records(
        credentials=credentials,
        competencies=competencies,
        clients=clients,
        engagements=engagements,
        group_members=members,
        safety_assessments=assessments,
        sessions=sessions,
        referrals=referrals,
        vetted_services=vetted,
        supervision=build_supervision(cfg, rng, roster, engagements),
        trainings=build_trainings(cfg, rng, roster, reviews),
        disclosures=build_disclosures(cfg, rng, mandatory, referrals, assessments, sessions),
        mandatory_reports=mandatory,
        community_service=build_community_service(cfg, rng, roster),
        conduct_events=build_conduct_events(cfg, rng, roster),
        goals=build_goals(cfg, rng, engagements, members),
    )
    manifest.extend(plant_events(cfg, rng, roster, rec, pool))
    rec.goals = score_goals(cfg, rec.goals)
    rec.measures = build_measures(cfg, rec.sessions)
    frames, planted = finalize(
        roster, rec, pl.concat(manifest).cast(MANIFEST_SCHEMA), seed=cfg.seed, end=cfg.end
    )
    frames["coaches"] = training_starts(frames["coaches"], frames["sessions"], cfg.plant_period.end)
    return Demo(config=cfg, frames=frames, planted=planted)
