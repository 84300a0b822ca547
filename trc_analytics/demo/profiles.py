"""Coach-level planted cases and near-misses, decided before any record is generated.

CERT-LAPSED (in grace / past grace), CERT-ETHICS (renewal without ethics review), DEV-CE (training
stopped), COMM-PROBONO (gives nothing), SCOPE-PSYCHOACTIVE (a criterion missing) shape a coach's
whole history, so they are roles on the roster; the other generators read them. Near-misses: a
lapse remediated by six hours of one-to-one supervision, fully compliant psychoactive practice,
hypnosis backed by outside training, a coach closing the practice properly, new coaches.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.coaches import WARMUP_DAYS, Roster
from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.dates import NO_DAY, add_months, day, early_in_month
from trc_analytics.demo.manifest import cases, planted_count
from trc_analytics.demo.sampling import between

#: Roles that make one coach's credential or training history a planted finding.
PLANTED_ROLES = ("lapsed_grace", "lapsed_past", "ethics_missing", "no_training")


def assign_profiles(cfg: DemoConfig, rng: np.random.Generator, r: Roster) -> pl.DataFrame:
    """Give coaches their planted and near-miss roles; return the manifest of planted cases."""
    n, rate = r.n, cfg.finding_rate
    start, end = day(cfg.start), day(cfg.end)
    ps, pe = day(cfg.plant_period.start), day(cfg.plant_period.end)
    pool = list(rng.permutation(np.flatnonzero(~r.is_sup & (np.arange(n) > 0))))

    wanted = {role: planted_count(rate, n, 0.5) for role in PLANTED_ROLES}
    if wanted["lapsed_grace"] and pe < end - 30:
        wanted["lapsed_grace"] += 1  # one still in grace at the end of the records, too
    while sum(wanted.values()) > len(pool):  # very high rates on few coaches: keep one each
        biggest = max(wanted, key=wanted.get)
        wanted[biggest] -= 1
    members: dict[str, np.ndarray] = {}
    for role, k in wanted.items():
        members[role] = np.array([pool.pop() for _ in range(k)], dtype=np.int64)
    extra_roles = {
        "lapse_remediated": 1,
        "closing": max(1, round(n * 0.01)) if n >= 20 else 0,
        "new": round(n * 0.06) if n >= 20 else 0,
    }
    for role, k in extra_roles.items():
        members[role] = np.array([pool.pop() for _ in range(min(k, len(pool)))], dtype=np.int64)

    manifest = []
    for role, idx in members.items():
        if idx.size == 0:
            continue
        r.role[idx] = role
        first = np.arange(idx.size) == 0
        r.first[idx] = first
        m = between(rng, np.ones(idx.size), 4)
        if role == "lapsed_grace":
            expiry = np.where(first, between(rng, ps, pe - 45), between(rng, end - 150, end - 15))
            manifest.append(_lapse(r, idx, expiry, m, first, "expired, not renewed; in grace"))
        elif role == "lapsed_past":
            expiry = np.where(
                first, between(rng, pe - 330, pe - 215), between(rng, start - 60, end - 200)
            )
            manifest.append(_lapse(r, idx, expiry, m, first, "expired, grace over, no remediation"))
        elif role == "lapse_remediated":
            expiry = early_in_month(np.full(idx.size, pe - 400))
            _lapse(r, idx, expiry, m, first, "")
            grace_end = add_months(r.anchor[idx], 24 * m + 6)
            r.remed_renewal[idx] = early_in_month(grace_end + 80)
            # Only the initial credential, so the remediating renewal restores everything held.
            for held in (r.advanced, r.npe, r.runs_groups, r.runs_retreats):
                held[idx] = False
        elif role == "ethics_missing":
            # Extra cases renew late enough that no later renewal hides them by the end.
            latest = np.maximum(start + 30, add_months(end, -24) + 30)
            renewal = np.where(
                first, between(rng, ps + 15, pe - 15), between(rng, latest, end - 15)
            )
            renewal = early_in_month(renewal, 27)
            r.anchor[idx] = add_months(renewal + 1, -24 * m)
            r.bare_cycle[idx] = m
            manifest.append(
                cases("CERT-ETHICS", idx, renewal, "renewed without an ethics review", first=first)
            )
        elif role == "no_training":
            renewal = np.where(
                first,
                add_months(pe, -17),
                between(rng, add_months(end, -24) + 30, add_months(end, -13)),
            )
            renewal = early_in_month(renewal, 27)
            r.anchor[idx] = add_months(renewal + 1, -24 * m)
            r.bare_cycle[idx] = -1
            r.training_stop[idx] = renewal
            on = np.where(first, pe, end)
            manifest.append(
                cases("DEV-CE", idx, on, "no training after its last renewal", first=first)
            )
        elif role == "closing":
            r.act_end[idx] = between(rng, end - 90, end - 20)
            r.active[idx] = False
        elif role == "new":
            r.anchor[idx] = early_in_month(between(rng, start + 30, end - 240))
        if role != "closing":
            r.joined[idx] = r.anchor[idx]
            r.act_start[idx] = np.maximum(r.joined[idx] + 14, start - WARMUP_DAYS)

    manifest.append(_flags(cfg, rng, r, pool))
    return pl.concat(manifest)


def _lapse(
    r: Roster, idx: np.ndarray, expiry: np.ndarray, m: np.ndarray, first: np.ndarray, note: str
) -> pl.DataFrame:
    """Credentials stop at a renewal cycle ending on `expiry` (no renewal after it)."""
    expiry = early_in_month(expiry)
    r.anchor[idx] = add_months(expiry, -24 * m)
    r.stop_cycle[idx] = m - 1
    # Dated when it becomes a finding of its kind: the expiry, or the end of the grace.
    on = add_months(expiry, 6) if "grace over" in note else expiry
    return cases("CERT-LAPSED", idx, on, note, first=first)


def _flags(cfg: DemoConfig, rng: np.random.Generator, r: Roster, pool: list) -> pl.DataFrame:
    """Orthogonal coach flags: no giving at all, psychoactive practice, hypnosis training, no
    published refund policy."""
    n, rate = r.n, cfg.finding_rate
    end, pe = day(cfg.end), day(cfg.plant_period.end)
    # Coaches without a planted role first; with very few coaches, flags share coaches.
    plain = rng.permutation(np.flatnonzero((r.role == "normal") & (np.arange(n) > 0)))
    others = rng.permutation(
        np.flatnonzero(~np.isin(r.role, ["normal", "new", "closing"]) & (np.arange(n) > 0))
    )
    order = np.concatenate([plain, others])
    taken = 0

    def take(k: int) -> np.ndarray:
        nonlocal taken
        out = order[np.arange(taken, taken + k) % order.size] if k else order[:0]
        taken += k
        return np.unique(out)

    # COMM-PROBONO: no reduced or pro-bono clients and no community service, all window long.
    give_none = take(planted_count(rate, n, 0.5))
    r.no_giving[give_none] = True
    r.afford[give_none] = 0.0
    first = np.arange(give_none.size) == 0
    out = [
        cases(
            "COMM-PROBONO",
            give_none,
            np.where(first, pe, end),
            "no pro-bono or reduced-fee service and no community service",
            first=first,
        )
    ]

    # Psychoactive practice: compliant near-misses, and planted coaches missing one criterion
    # (their sessions are recorded as SCOPE-PSYCHOACTIVE cases by `plants`).
    compliant = take(max(1, round(0.03 * n)))
    noncompliant = take(planted_count(rate, n, 0.3))
    for idx in (compliant, noncompliant):
        r.psy[idx] = "compliant" if idx is compliant else "noncompliant"
        r.psy_trained[idx] = True
        r.psy_insured[idx] = True
        r.psy_notified[idx] = r.act_start[idx] - between(rng, np.full(idx.size, 30), 400)
    # The first lacks insurance; the others alternate: uninsured / committee never notified.
    uninsured = np.arange(noncompliant.size) % 2 == 0
    r.psy_insured[noncompliant[uninsured]] = False
    r.psy_notified[noncompliant[~uninsured]] = NO_DAY

    # Hypnosis backed by outside training (a SCOPE-PRACTICE near-miss).
    hyp = take(1)
    r.hypnosis[hyp] = True
    r.therapy[hyp] = False

    # PRACT-REFUND-POLICY: a coach taking fees with no published refund policy (judged as of
    # the period end, so dated at the end of the period it is looked at).
    unpublished = take(planted_count(rate, n, 0.3))
    r.refund_published[unpublished] = False
    first = np.arange(unpublished.size) == 0
    out.append(
        cases(
            "PRACT-REFUND-POLICY",
            unpublished,
            np.where(first, pe, end),
            "takes fees without a published refund policy",
            first=first,
        )
    )
    return pl.concat(out)
