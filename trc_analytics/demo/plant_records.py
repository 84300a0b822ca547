"""Planted cases in the remaining records: PRACT-REFUND, PRACT-GRIEVANCE, PRACT-CONTEXT (notices
missing or late), REFER-VETTED (unvetted, vetted later, vetting stale), REFER-ABANDON (released,
excluded without explanation, left silent), CONF-DISCLOSURE, CONF-MANDATORY (current abuse; a past
abuse never reported is a near miss), CONDUCT-CHARGE, CONDUCT-DUAL (each kind), CONDUCT-IMPAIRED."""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.dates import NO_DAY, as_dates, day
from trc_analytics.demo.manifest import SHOWCASE_CHECKS, cases, planted_count
from trc_analytics.demo.picking import days_of, set_client_date, showcase_cases
from trc_analytics.demo.sampling import between
from trc_analytics.demo.stage import Stage
from trc_analytics.policy import Policy

#: Days before a planted REFER-VETTED referral its stale vetting lies (past 24 months).
STALE_DAYS = 760


def plant_notices(st: Stage) -> list[pl.DataFrame]:
    """PRACT-REFUND, PRACT-GRIEVANCE, PRACT-CONTEXT: notices missing or late."""
    cfg, rng, p, rec, one, held_one = st.cfg, st.rng, st.pick, st.rec, st.one, st.held_one
    end = day(cfg.end)
    rate = cfg.finding_rate
    out = []
    paid = (
        held_one.filter(pl.col("_paid"))
        .group_by("_e")
        .agg(pl.col("held_on").min().alias("first_paid"))
        .sort("_e")
    )
    base = rec.clients.join(
        one.select("_c", "_e", "first_held"), on="_c", maintain_order="left"
    ).filter(pl.col("first_held").is_not_null() & (pl.col("intake_on") >= pl.lit(cfg.start)))
    paying = base.filter(pl.col("fee_basis") == "paying").join(paid, on="_e", maintain_order="left")
    paying = paying.filter(pl.col("first_paid").is_not_null() & (pl.col("_k") != 0))
    hit = p.choose(paying, planted_count(rate, paying.height), p.between("first_paid"), by="_c")
    first_paid = days_of(hit, "first_paid")
    late = first_paid + between(rng, np.full(hit.height, 10), 30)
    given = np.where((np.arange(hit.height) % 2 == 1) & (late <= end), late, NO_DAY)
    rec.clients = set_client_date(rec.clients, hit["_c"], "refund_policy_given_on", given)
    out.append(
        cases(
            "PRACT-REFUND",
            hit["_k"].to_numpy(),
            first_paid,
            np.where(
                given == NO_DAY,
                "refund policy never given",
                "refund policy given after the first paid session",
            ),
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    )

    for check, column, window, late_lo, late_hi, label in (
        ("PRACT-GRIEVANCE", "grievance_policy_given_on", 30, 40, 90, "grievance policy"),
        ("PRACT-CONTEXT", "context_explored_on", 60, 70, 150, "context"),
    ):
        pool = base.filter(
            (pl.col("_k") != 0)
            & (pl.col("intake_on") <= pl.lit(cfg.end) - pl.duration(days=window + 1))
        )
        hit = p.choose(
            pool, planted_count(rate, base.height), p.between("intake_on", 0, window + 1), by="_c"
        )
        if check in SHOWCASE_CHECKS:
            show = p.choose(
                base.filter(pl.col("_k") == 0),
                showcase_cases(cfg),
                p.between("intake_on", 0, window + 1),
                by="_c",
            )
            hit = pl.concat([hit, show.with_columns(_first=pl.lit(False))])
        intake = days_of(hit, "intake_on")
        late = intake + between(rng, np.full(hit.height, late_lo), late_hi)
        given = np.where(
            (np.arange(hit.height) % 2 == 1) & (late <= end) & (hit["_k"].to_numpy() != 0),
            late,
            NO_DAY,
        )
        rec.clients = set_client_date(rec.clients, hit["_c"], column, given)
        what = "explored" if label == "context" else "given"
        out.append(
            cases(
                check,
                hit["_k"].to_numpy(),
                intake,
                np.where(given == NO_DAY, f"{label} never {what}", f"{label} {what} late"),
                client=hit["_c"].to_numpy(),
                engagement=hit["_e"].to_numpy(),
                first=hit["_first"].to_numpy(),
            )
        )
    return out


def plant_referrals(st: Stage, pool: pl.DataFrame) -> list[pl.DataFrame]:
    """REFER-VETTED (unvetted, or vetted only afterwards) and REFER-ABANDON."""
    cfg, rng, p, rec, held_one = st.cfg, st.rng, st.pick, st.rec, st.held_one
    end = day(cfg.end)
    rate = cfg.finding_rate
    out = []
    sessions = held_one.filter(pl.col("held_on") < pl.lit(cfg.end))
    hit = p.choose(
        sessions.filter(pl.col("_k") != 0),
        planted_count(rate, rec.referrals.height),
        p.between("held_on", 0, 45),
        by="_c",
    )
    show = p.choose(
        sessions.filter(pl.col("_k") == 0),
        showcase_cases(cfg),
        p.between("held_on", 0, 45),
        by="_c",
    )
    hit = pl.concat([hit, show.with_columns(_first=pl.lit(False))])
    referred = days_of(hit, "held_on") + 1
    support = pool.filter(pl.col("service_type") == "support_group")["service_id"].to_list()
    vetted = rec.vetted_services.filter(pl.col("_k").is_in(hit["_k"].implode()))
    have = set(zip(vetted["_k"].to_list(), vetted["service_id"].to_list(), strict=True))
    services, later_rows, modes = [], [], []
    for i, (coach, on) in enumerate(zip(hit["_k"].to_list(), referred.tolist(), strict=True)):
        sid = support[int(rng.integers(0, len(support)))]
        while (coach, sid) in have:  # every coach vets at most 2 of the 4+ support groups
            sid = support[int(rng.integers(0, len(support)))]
        services.append(sid)
        later = on + int(rng.integers(10, 41))
        if i % 3 == 2 and later <= end and coach != 0:
            later_rows.append((coach, sid, later))
            have.add((coach, sid))
            modes.append("service vetted only after the referral")
        elif i % 3 == 1 and coach != 0:  # vetted once, more than 24 months before (minor)
            later_rows.append((coach, sid, on - STALE_DAYS - 20 * (i % 5)))
            have.add((coach, sid))
            modes.append("service vetted more than 24 months before the referral")
        else:
            modes.append("service not vetted by the coach")
    modes = np.array(modes, dtype=object)
    new = pl.DataFrame(
        {
            "_k": hit["_k"],
            "_c": hit["_c"],
            "referred_on": as_dates(referred),
            "service_type": ["support_group"] * hit.height,
            "reason": ["client_request"] * hit.height,
            "_exit_e": pl.Series([None] * hit.height, dtype=pl.Int64),
            "service_id": services,
        }
    )
    rec.referrals = pl.concat([rec.referrals, new.select(rec.referrals.columns)])
    if later_rows:
        coaches, sids, ons = zip(*later_rows, strict=True)
        rec.vetted_services = pl.concat(
            [
                rec.vetted_services,
                pl.DataFrame(
                    {
                        "_k": np.array(coaches, dtype=np.int64),
                        "service_id": list(sids),
                        "service_type": ["support_group"] * len(sids),
                        "vetted_on": as_dates(np.array(ons)),
                    }
                ),
            ]
        )
    out.append(
        cases(
            "REFER-VETTED",
            hit["_k"].to_numpy(),
            referred,
            modes.astype(str),
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    )

    out.extend(plant_abandon(st))
    return out


def plant_abandon(st: Stage) -> list[pl.DataFrame]:
    """REFER-ABANDON: a client released without explanation or referral, a client excluded by
    the assessment without an explanation, and an engagement left silent with no ending."""
    cfg, p, rec, rate = st.cfg, st.pick, st.rec, st.cfg.finding_rate
    k = planted_count(rate, rec.engagements["_k"].n_unique())
    ended = rec.engagements.filter(
        (pl.col("format") == "one_to_one")
        & (pl.col("_k") != 0)
        & (pl.col("ended_on") >= pl.lit(cfg.start))
    )
    released = p.choose(
        ended.filter(pl.col("end_reason").is_in(["completed", "other"])),
        k,
        p.between("ended_on"),
        by="_c",
    )
    excluded = p.choose(
        ended.filter(pl.col("end_reason") == "excluded_after_assessment"),
        k,
        p.between("ended_on"),
        by="_c",
    )
    silent = _silent_pick(st, k)
    hit_r = pl.col("_e").is_in(released["_e"].implode())
    unexplained = hit_r | pl.col("_e").is_in(excluded["_e"].implode())
    reopened = pl.col("_e").is_in(silent["_e"].implode())
    rec.engagements = rec.engagements.with_columns(
        end_reason=pl.when(hit_r)
        .then(pl.lit("coach_released_client"))
        .when(reopened)
        .then(pl.lit(None, pl.String))
        .otherwise(pl.col("end_reason")),
        exit_explained=pl.when(unexplained)
        .then(pl.lit(False))
        .when(reopened)
        .then(pl.lit(None, pl.Boolean))
        .otherwise(pl.col("exit_explained")),
        ended_on=pl.when(reopened).then(pl.lit(None, pl.Date)).otherwise(pl.col("ended_on")),
    )
    # Only the release is the check's first case (the one shown in the planted period).
    excluded, silent = (f.with_columns(_first=pl.lit(False)) for f in (excluded, silent))
    return [
        _abandon_cases(released, "ended_on", "released without explanation or referral"),
        _abandon_cases(excluded, "ended_on", "excluded by the assessment without an explanation"),
        _abandon_cases(silent, "silent_on", "engagement left silent with no ending recorded"),
    ]


def _silent_pick(st: Stage, k: int) -> pl.DataFrame:
    """Completed one-to-one engagements to reopen: their silence after the last held session
    passes `silent_engagement_days` within the records (`silent_on`, the day it does)."""
    cfg, rec = st.cfg, st.rec
    after = Policy().silent_engagement_days + 1
    last = st.held_one.group_by("_e").agg(pl.col("held_on").max().alias("_last_held"))
    pool = (
        rec.engagements.filter(
            (pl.col("format") == "one_to_one")
            & (pl.col("_k") != 0)
            & (pl.col("end_reason") == "completed")
        )
        .join(last, on="_e", maintain_order="left")
        .with_columns(silent_on=pl.col("_last_held") + pl.duration(days=after))
        .filter(pl.col("silent_on").is_between(pl.lit(cfg.start), pl.lit(cfg.end)))
    )
    return st.pick.choose(pool, k, st.pick.between("silent_on"), by="_c")


def _abandon_cases(hit: pl.DataFrame, on: str, note: str) -> pl.DataFrame:
    return cases(
        "REFER-ABANDON",
        hit["_k"].to_numpy(),
        days_of(hit, on),
        note,
        client=hit["_c"].to_numpy(),
        engagement=hit["_e"].to_numpy(),
        first=hit["_first"].to_numpy(),
    )


def plant_reports(st: Stage) -> list[pl.DataFrame]:
    """CONF-DISCLOSURE, CONF-MANDATORY, CONDUCT-CHARGE, CONDUCT-DUAL, CONDUCT-IMPAIRED: new
    records."""
    cfg, rng, p, r, rec, held_one = st.cfg, st.rng, st.pick, st.roster, st.rec, st.held_one
    end = day(cfg.end)
    ps, pe = day(cfg.plant_period.start), day(cfg.plant_period.end)
    k = planted_count(cfg.finding_rate, r.n)
    out = []
    base = held_one.filter(pl.col("_k") != 0)

    hit = p.choose(base, k, p.between("held_on", 0, 10), by="_c")
    on = np.minimum(days_of(hit, "held_on") + between(rng, np.zeros(hit.height), 7), end)
    rec.disclosures = pl.concat(
        [
            rec.disclosures,
            pl.DataFrame(
                {
                    "_k": hit["_k"],
                    "_c": hit["_c"],
                    "disclosed_on": as_dates(on),
                    "basis": ["none"] * hit.height,
                    "recipient_type": np.where(
                        np.arange(hit.height) % 2 == 0, "family_member", "other"
                    ),
                }
            ),
        ],
        how="vertical_relaxed",
    )
    out.append(
        cases(
            "CONF-DISCLOSURE",
            hit["_k"].to_numpy(),
            on,
            "disclosed without a basis the Code allows",
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    )

    hit = p.choose(base, k, p.between("held_on", 0, 10), by="_c")
    concern = days_of(hit, "held_on")
    late = concern + between(rng, np.full(hit.height, 5), 12)
    reported = np.where((np.arange(hit.height) % 2 == 1) & (late <= end), late, NO_DAY)
    rec.mandatory_reports = pl.concat(
        [
            rec.mandatory_reports,
            pl.DataFrame(
                {
                    "_k": hit["_k"],
                    "_c": hit["_c"],
                    "concern_on": as_dates(concern),
                    "concern_group": np.where(np.arange(hit.height) % 2 == 0, "minor", "elder"),
                    "abuse_current": np.ones(hit.height, dtype=bool),
                    "reported_on": as_dates(reported),
                }
            ),
        ]
    )
    # Near miss: past abuse a client tells of needs no report (abuse_current false).
    told = base.head(1)
    rec.mandatory_reports = pl.concat(
        [
            rec.mandatory_reports,
            told.select(
                "_k",
                "_c",
                pl.col("held_on").alias("concern_on"),
                pl.lit("minor").alias("concern_group"),
                pl.lit(False).alias("abuse_current"),
                pl.lit(None, pl.Date).alias("reported_on"),
            ),
        ],
        how="vertical_relaxed",
    )
    out.append(
        cases(
            "CONF-MANDATORY",
            hit["_k"].to_numpy(),
            concern,
            np.where(reported == NO_DAY, "concern never reported", "concern reported late"),
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    )

    # Conduct: a charge reported late or never, a dual relationship, an impaired session.
    events = []
    for check, kind, note in (
        ("CONDUCT-CHARGE", "criminal_charge", "charge reported late or not at all"),
        ("CONDUCT-DUAL", "dual_relationship", "dual relationship with a client"),
        ("CONDUCT-IMPAIRED", "impaired_session", "session conducted while impaired"),
    ):
        coach = rng.integers(1, r.n, k)
        lo = np.maximum(r.act_start[coach], day(cfg.start))
        hi = r.act_end[coach] - 12
        occurred = between(rng, lo, hi)
        if k:
            occurred[0] = between(rng, max(ps, int(lo[0])), min(pe - 11, int(hi[0])))
        delay = (
            between(rng, np.full(k, 15), 45)
            if kind == "criminal_charge"
            else between(rng, np.zeros(k), 20)
        )
        reported = np.where(
            (np.arange(k) % 2 == 1) & (occurred + delay <= end), occurred + delay, NO_DAY
        )
        events.append(_conduct_rows(kind, coach, occurred, reported))
        out.append(cases(check, coach, occurred, note, first=np.arange(k) == 0))
    rec.conduct_events = pl.concat([rec.conduct_events, *events], how="diagonal")
    return out


#: Kinds of the planted charges and dual relationships, in turn.
PLANTED_CHARGES = ("alcohol_drugs", "against_persons")
PLANTED_DUALS = ("romantic_sexual", "friendship_family", "incidental_community")


def _conduct_rows(
    kind: str, coach: np.ndarray, occurred: np.ndarray, reported: np.ndarray
) -> pl.DataFrame:
    """Planted conduct events of one kind: charges of a kind that must be reported; dual
    relationships of each kind (an incidental encounter with the client acknowledged, the
    others ended within their month, so each is found in its own period)."""
    k = coach.size
    turn = np.arange(k)
    none = np.full(k, None, dtype=object)
    charge = np.array(PLANTED_CHARGES)[turn % 2] if kind == "criminal_charge" else none
    dual = np.array(PLANTED_DUALS)[turn % 3] if kind == "dual_relationship" else none
    frame = pl.DataFrame(
        {
            "_k": coach,
            "kind": [kind] * k,
            "occurred_on": as_dates(occurred),
            "reported_on": as_dates(reported),
            "charge_kind": pl.Series(charge, dtype=pl.String),
            "dual_kind": pl.Series(dual, dtype=pl.String),
        }
    )
    incidental = pl.col("dual_kind") == "incidental_community"
    return frame.with_columns(
        client_acknowledged=pl.when(incidental).then(pl.lit(True)),
        ended_on=pl.when(pl.col("dual_kind").is_not_null() & ~incidental).then(
            pl.min_horizontal(
                pl.col("occurred_on") + pl.duration(days=10), pl.col("occurred_on").dt.month_end()
            )
        ),
    )
