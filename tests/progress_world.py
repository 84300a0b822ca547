"""A small workspace for credential progress and the coaching log, with figures worked out by
hand (tests/metrics/test_metrics_credential_progress.py, tests/reports/test_coaching_log.py).

Coach C-1 began coach-specific training on 2025-01-01; as of 2026-06-30, with
`icf_max_group_size` 3, the sessions that count are:

    E-1  K-1  2025-03-01  60 min  paid        (a 2024-12-01 session is before training; a
         K-1  2026-02-01  90 min  paid         2026-03-01 no-show is not held)
    E-2  K-2  2026-04-01  60 min  reduced     (a reduced fee counts as paid)
         K-2  2026-06-01  60 min  pro bono
    E-3  K-3  2026-05-01 120 min  pro bono    (K-3: icf_log_consent = false)
    E-4  G-1  2026-02-10 120 min  paid        (members K-1, K-4, K-5: 3, within the cap)
    not: E-5 G-2 2026-03-10 180 min pro bono  (4 members K-6..K-9: above the cap)
    not: E-6 K-2 2026-05-15 psychoeducation, not a coaching relationship
    not: E-1 K-1 2026-07-15 (after the as-of date)

Hours 1 + 1.5 + 1 + 1 + 2 + 2 = 8.5; paid 1 + 1.5 + 1 + 2 = 5.5; pro bono 1 + 2 = 3;
clients K-1..K-5 = 5 (K-1 once though also in G-1); last 18 months (after 2024-12-30): 8.5;
last 6 months (after 2025-12-30): 7.5, of which paid 4.5; one group over the cap, 3 hours.
"""

from __future__ import annotations

import datetime as dt

from builders import build, client, coach, engagement, row, session

from trc_analytics.period import Period
from trc_analytics.policy import Policy

AS_OF = dt.date(2026, 6, 30)
PERIOD = Period(dt.date(2026, 1, 1), AS_OF)
POLICY = Policy().with_overrides(icf_max_group_size=3)


def _s(
    sid: str,
    eng: str,
    client_id: str | None,
    day: str,
    minutes: int = 60,
    *,
    fee: str = "paid",
    status: str = "held",
) -> dict:
    """One session of coach C-1."""
    return session(
        sid,
        engagement_id=eng,
        client_id=client_id,
        held_on=day,
        duration_min=minutes,
        fee_type=fee,
        status=status,
    )


def world(*, training_started: str | None = "2025-01-01", prior: dict | None = None):
    """The workspace of the module doc (training start changeable; `prior`: C-1's hours
    brought forward, `coaches.prior_*` values)."""
    sessions = [
        _s("S-0", "E-1", "K-1", "2024-12-01"),
        _s("S-1", "E-1", "K-1", "2025-03-01"),
        _s("S-2", "E-1", "K-1", "2026-02-01", 90),
        _s("S-3", "E-1", "K-1", "2026-03-01", status="no_show"),
        _s("S-4", "E-2", "K-2", "2026-04-01", fee="reduced"),
        _s("S-5", "E-2", "K-2", "2026-06-01", fee="pro_bono"),
        _s("S-6", "E-3", "K-3", "2026-05-01", 120, fee="pro_bono"),
        _s("S-7", "E-4", None, "2026-02-10", 120),
        _s("S-8", "E-5", None, "2026-03-10", 180, fee="pro_bono"),
        _s("S-9", "E-6", "K-2", "2026-05-15"),
        _s("S-10", "E-1", "K-1", "2026-07-15"),
    ]
    members = [("G-1", k) for k in ("K-1", "K-4", "K-5")]
    members += [("G-2", k) for k in ("K-6", "K-7", "K-8", "K-9")]
    return build(
        coaches=[
            coach("C-1", coach_training_started_on=training_started, **(prior or {})),
            coach("C-2"),
        ],
        clients=[
            client(f"K-{i}", icf_log_consent=False if i == 3 else (True if i == 2 else None))
            for i in range(1, 10)
        ],
        engagements=[
            engagement("E-1", client_id="K-1", started_on="2024-12-01"),
            engagement("E-2", client_id="K-2", started_on="2026-04-01"),
            engagement("E-3", client_id="K-3", started_on="2026-05-01"),
            engagement("E-4", client_id=None, group_id="G-1", format="group"),
            engagement("E-5", client_id=None, group_id="G-2", format="group"),
            engagement(
                "E-6", client_id="K-2", format="psychoeducation", coaching_relationship=False
            ),
        ],
        group_members=[
            row("group_members", group_id=g, client_id=k, joined_on="2026-01-01")
            for g, k in members
        ],
        sessions=sessions,
    )


def write_world(folder, ws=None):
    """The workspace as one CSV per table in `folder` (made), as a coach keeps it."""
    folder.mkdir(parents=True, exist_ok=True)
    ws = ws if ws is not None else world()
    for name in ws.schema.tables:
        if name in ws:
            ws[name].write_csv(folder / f"{name}.csv")
    return folder


def write_policy(folder):
    """A policy file setting `icf_max_group_size` to 3, as the module doc assumes."""
    path = folder / "policy.toml"
    path.write_text("icf_max_group_size = 3\n", encoding="utf-8")
    return path
