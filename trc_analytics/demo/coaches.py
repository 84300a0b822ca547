"""The coach roster: regions, supervisors, training outside the association, practice habits.

`Roster` holds one numpy array per attribute (the visible `coaches` columns and the hidden habits
the other generators read: caseload, pro-bono share, fee, competencies).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from trc_analytics.demo.areas import IN_SCOPE, SUPPLY
from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.dates import NO_DAY, as_dates, day, early_in_month
from trc_analytics.demo.sampling import between, pick, top_k_rows

REGIONS = ("north", "south", "east", "west", "islands")
#: Shares of the mainland regions; `islands` always has one or two coaches.
_MAINLAND_SHARES = (0.40, 0.28, 0.20, 0.12)
#: Months of intakes generated before the start, so the caseload is steady from the first month.
WARMUP_DAYS = 270
MAX_COMPETENCIES = 6


@dataclass
class Roster:
    """Every coach's attributes as parallel arrays (index = coach number - 1)."""

    n: int
    ids: np.ndarray
    region: np.ndarray
    is_sup: np.ndarray
    supervisor: np.ndarray
    role: np.ndarray
    first: np.ndarray
    joined: np.ndarray
    act_start: np.ndarray
    act_end: np.ndarray
    anchor: np.ndarray
    stop_cycle: np.ndarray
    bare_cycle: np.ndarray
    remed_renewal: np.ndarray
    training_stop: np.ndarray
    active: np.ndarray
    therapy: np.ndarray
    minors: np.ndarray
    couples: np.ndarray
    psy: np.ndarray
    psy_trained: np.ndarray
    psy_insured: np.ndarray
    psy_notified: np.ndarray
    refund_published: np.ndarray
    no_giving: np.ndarray
    hypnosis: np.ndarray
    intensity: np.ndarray
    afford: np.ndarray
    rate: np.ndarray
    noshow: np.ndarray
    charges_noshow: np.ndarray
    income_recorded: np.ndarray
    runs_groups: np.ndarray
    runs_retreats: np.ndarray
    runs_psychoed: np.ndarray
    runs_courses: np.ndarray
    advanced: np.ndarray
    npe: np.ndarray
    comp_areas: np.ndarray
    comp_n: np.ndarray

    def frame(self) -> pl.DataFrame:
        """The `coaches` table (schema columns, schema order)."""
        psy_on = self.psy != "none"
        trained_on = (
            np.where(
                self.psy_notified != NO_DAY,
                np.minimum(self.act_start, self.psy_notified),
                self.act_start,
            )
            - 30
        )
        trained_on = np.where(self.psy_trained, trained_on, NO_DAY)
        return pl.DataFrame(
            {
                "coach_id": self.ids.astype(str),
                "region": self.region.astype(str),
                "joined_on": as_dates(self.joined),
                "supervisor_id": self.supervisor.astype(str),
                "therapy_licensed": self.therapy,
                "trained_minors": self.minors,
                "trained_couples_families": self.couples,
                "psychoactive_practice": psy_on,
                "psychoactive_trained_on": as_dates(trained_on),
                # uninsured practitioners held a policy that ended the day before they trained
                "psychoactive_insured_from": as_dates(
                    np.where(self.psy_trained, trained_on - 365 * ~self.psy_insured, NO_DAY)
                ),
                "psychoactive_insured_to": as_dates(
                    np.where(self.psy_trained & ~self.psy_insured, trained_on - 1, NO_DAY)
                ),
                "psychoactive_psc_notified_on": as_dates(self.psy_notified),
                "refund_policy_published": self.refund_published,
                "active": self.active,
            }
        )


def coach_ids(n: int) -> np.ndarray:
    """`C-0001` ... (wider when there are more than 9,999 coaches)."""
    width = max(4, len(str(n)))
    return np.array([f"C-{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def build_roster(cfg: DemoConfig, rng: np.random.Generator) -> Roster:
    """Coaches with regions, supervisors and habits; planted profiles are added by `profiles`."""
    n = cfg.coaches
    start, end = day(cfg.start), day(cfg.end)
    ids = coach_ids(n)

    # Regions: C-0001 in north, the rest shuffled so the islands are not the last ids.
    islands = 1 if n < 30 else 2
    rest = n - islands
    raw = np.array(_MAINLAND_SHARES) * rest
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: rest - counts.sum()]] += 1
    others = np.concatenate(
        [np.repeat(np.array(REGIONS[:4], dtype=object), counts), np.array(["islands"] * islands)]
    )
    others = np.delete(others, 0)  # one `north` place goes to C-0001
    region = np.concatenate([np.array(["north"], dtype=object), rng.permutation(others)])

    # Supervisors: about one coach in six, never C-0001; each supervises 3-8 coaches.
    n_sup = max(1, round(n / 6))
    sup_idx = np.sort(rng.choice(np.arange(1, n), size=n_sup, replace=False))
    is_sup = np.zeros(n, dtype=bool)
    is_sup[sup_idx] = True
    supervisees = np.flatnonzero(~is_sup)
    assigned = rng.permutation(np.resize(rng.permutation(sup_idx), supervisees.size))
    supervisor = np.empty(n, dtype=object)
    supervisor[supervisees] = ids[assigned]
    # Supervisors are supervised by a peer supervisor, or by one outside the workspace.
    supervisor[sup_idx] = ids[np.roll(sup_idx, 1)] if n_sup > 1 else "XS-0001"

    joined = early_in_month(start - between(rng, np.full(n, 180), 3650))
    therapy = rng.random(n) < 0.18
    minors = rng.random(n) < 0.12
    couples = rng.random(n) < 0.15

    # Pro-bono and reduced-fee share of clients: differs a lot; one coach in five gives none
    # in sessions (they give back through community service instead).
    afford = np.where(rng.random(n) < 0.2, 0.0, rng.beta(2, 7, n))
    intensity = np.clip(rng.gamma(3.0, 1.0, n), 0.5, 8.0)
    intensity[is_sup] *= 0.7
    runs_groups = rng.random(n) < 0.25

    # Competencies: 2-6 areas each, drawn by how often coaches declare them.
    comp_n = pick(rng, [2, 3, 4, 5, 6], [0.15, 0.3, 0.3, 0.15, 0.1], n).astype(np.int64)
    comp_areas = top_k_rows(rng, SUPPLY, n)[:, :MAX_COMPETENCIES]

    roster = Roster(
        n=n,
        ids=ids,
        region=region,
        is_sup=is_sup,
        supervisor=supervisor,
        role=np.array(["normal"] * n, dtype=object),
        first=np.zeros(n, dtype=bool),
        joined=joined,
        act_start=np.maximum(joined + 14, start - WARMUP_DAYS),
        act_end=np.full(n, end, dtype=np.int64),
        anchor=joined.copy(),
        stop_cycle=np.full(n, -1, dtype=np.int64),
        bare_cycle=np.full(n, -1, dtype=np.int64),
        remed_renewal=np.full(n, NO_DAY, dtype=np.int64),
        training_stop=np.full(n, NO_DAY, dtype=np.int64),
        active=np.ones(n, dtype=bool),
        therapy=therapy,
        minors=minors,
        couples=couples,
        psy=np.array(["none"] * n, dtype=object),
        psy_trained=np.zeros(n, dtype=bool),
        psy_insured=np.zeros(n, dtype=bool),
        psy_notified=np.full(n, NO_DAY, dtype=np.int64),
        # every coach publishes a refund policy unless PRACT-REFUND-POLICY is planted; the draw
        # stays (always true) so the generator's stream, and so every other table, is unchanged
        refund_published=rng.random(n) >= 0.0,
        no_giving=np.zeros(n, dtype=bool),
        hypnosis=np.zeros(n, dtype=bool),
        intensity=intensity,
        afford=afford,
        rate=5 * between(rng, np.full(n, 16), 36),
        noshow=np.clip(rng.lognormal(0.0, 0.5, n), 0.3, 2.5),
        charges_noshow=rng.random(n) < 0.4,
        income_recorded=rng.random(n) < 0.7,
        runs_groups=runs_groups,
        runs_retreats=rng.random(n) < 0.06,
        runs_psychoed=rng.random(n) < 0.15,
        runs_courses=rng.random(n) < 0.06,
        advanced=rng.random(n) < 0.5,
        npe=rng.random(n) < 0.1,
        comp_areas=comp_areas,
        comp_n=comp_n,
    )
    _showcase(roster)
    return roster


def _showcase(r: Roster) -> None:
    """C-0001: an experienced coach with a full, mixed practice the quickstart reports show."""
    r.therapy[0] = False
    r.minors[0] = False
    r.couples[0] = True
    r.afford[0] = 0.25
    r.intensity[0] = 3.0
    r.runs_groups[0] = True
    r.runs_psychoed[0] = True
    r.advanced[0] = True
    r.refund_published[0] = True
    r.income_recorded[0] = True
    r.comp_n[0] = 4


def declared(r: Roster) -> np.ndarray:
    """Mask (coach x competency slot) of the slots a coach has declared."""
    return np.arange(MAX_COMPETENCIES)[None, :] < r.comp_n[:, None]


def build_competencies(rng: np.random.Generator, r: Roster) -> pl.DataFrame:
    """Declared competencies (2-6 areas each, with their basis), declared before practising."""
    coach, slot = np.nonzero(declared(r))
    n = coach.size
    room = np.minimum(r.act_start[coach] - r.joined[coach], 400)
    rows = pl.DataFrame(
        {
            "_k": coach,
            "area": IN_SCOPE[r.comp_areas[coach, slot]].astype(str),
            "basis": pick(
                rng,
                ["lived_experience", "training", "education", "supervised_experience"],
                [0.35, 0.35, 0.15, 0.15],
                n,
            ).astype(str),
            "declared_on": as_dates(r.joined[coach] + between(rng, np.zeros(n), room)),
        }
    )
    hyp = np.flatnonzero(r.hypnosis)
    extra = pl.DataFrame(
        {
            "_k": hyp,
            "area": ["hypnosis"] * hyp.size,
            "basis": ["training"] * hyp.size,
            "declared_on": as_dates(r.act_start[hyp]),
        }
    )
    # The Code's own example: lived experience is recorded beside training, never alone.
    lived = rows.filter(pl.col("basis") == "lived_experience").with_columns(
        basis=pl.lit("training")
    )
    return pl.concat([rows, lived, extra])
